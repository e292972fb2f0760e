package io.lvs4j.core.conn;

/**
 * Runs the {@link ConnectionTableContract} against {@link OffHeapConnectionTable}.
 */
class OffHeapConnectionTableTest extends ConnectionTableContract
{
    @Override
    protected ConnectionTable newTable(
        final int capacity, final DestinationCounters counters, final ConnectionTimeoutProfiles profiles)
    {
        return new OffHeapConnectionTable(capacity, counters, profiles);
    }
}
