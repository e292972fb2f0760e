package io.lvs4j.core.conn;

/**
 * Runs the {@link ConnectionTableConcurrencyContract} against {@link OffHeapConnectionTable}.
 */
class OffHeapConnectionTableConcurrencyTest extends ConnectionTableConcurrencyContract
{
    @Override
    protected ConnectionTable newTable(
        final int capacity, final DestinationCounters counters, final ConnectionTimeoutProfiles profiles)
    {
        return new OffHeapConnectionTable(capacity, counters, profiles);
    }
}
