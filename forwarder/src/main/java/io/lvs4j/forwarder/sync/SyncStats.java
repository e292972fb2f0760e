package io.lvs4j.forwarder.sync;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of one node's connection sync, both directions: what the master sent, what the backup received,
 * installed and updated, and every drop by {@link SyncDropReason}. Written by the sync threads, read by anyone.
 */
public final class SyncStats
{
    private static final SyncDropReason[] REASONS = SyncDropReason.values();
    private static final int SENT_DATAGRAMS = REASONS.length;
    private static final int SENT_ENTRIES = SENT_DATAGRAMS + 1;
    private static final int SEND_ERRORS = SENT_ENTRIES + 1;
    private static final int RECEIVED_DATAGRAMS = SEND_ERRORS + 1;
    private static final int INSTALLED = RECEIVED_DATAGRAMS + 1;
    private static final int UPDATED = INSTALLED + 1;
    private static final int REFRESHED = UPDATED + 1;
    private static final int SCANS = REFRESHED + 1;
    private static final int OWN_KEPT = SCANS + 1;
    private static final int DUMP_REQUESTS = OWN_KEPT + 1;
    private static final int COUNT = DUMP_REQUESTS + 1;

    private final AtomicLongArray counts = new AtomicLongArray(COUNT);

    void drop(final SyncDropReason reason)
    {
        counts.incrementAndGet(reason.ordinal());
    }

    void sent(final int entries)
    {
        counts.incrementAndGet(SENT_DATAGRAMS);
        counts.addAndGet(SENT_ENTRIES, entries);
    }

    void sendError()
    {
        counts.incrementAndGet(SEND_ERRORS);
    }

    void received()
    {
        counts.incrementAndGet(RECEIVED_DATAGRAMS);
    }

    void onInstalled()
    {
        counts.incrementAndGet(INSTALLED);
    }

    void onUpdated()
    {
        counts.incrementAndGet(UPDATED);
    }

    void onRefreshed()
    {
        counts.incrementAndGet(REFRESHED);
    }

    void scanned()
    {
        counts.incrementAndGet(SCANS);
    }

    void onOwnKept()
    {
        counts.incrementAndGet(OWN_KEPT);
    }

    void onDumpRequest()
    {
        counts.incrementAndGet(DUMP_REQUESTS);
    }

    /**
     * @param reason a reason.
     * @return datagrams (or entries, for the per-entry reasons) dropped for it.
     */
    public long drops(final SyncDropReason reason)
    {
        return counts.get(reason.ordinal());
    }

    /** @return drops over all reasons. */
    public long totalDrops()
    {
        long total = 0;
        for (final SyncDropReason r : REASONS)
        {
            total += drops(r);
        }
        return total;
    }

    /** @return datagrams sent by the master. */
    public long sentDatagrams()
    {
        return counts.get(SENT_DATAGRAMS);
    }

    /** @return entries sent by the master. */
    public long sentEntries()
    {
        return counts.get(SENT_ENTRIES);
    }

    /** @return datagrams the socket refused to send. */
    public long sendErrors()
    {
        return counts.get(SEND_ERRORS);
    }

    /** @return datagrams the backup received (before any check). */
    public long receivedDatagrams()
    {
        return counts.get(RECEIVED_DATAGRAMS);
    }

    /** @return entries the backup created. */
    public long installed()
    {
        return counts.get(INSTALLED);
    }

    /** @return existing entries the backup replaced (other real server or state). */
    public long updated()
    {
        return counts.get(UPDATED);
    }

    /** @return existing entries whose timer the backup re-armed. */
    public long refreshed()
    {
        return counts.get(REFRESHED);
    }

    /**
     * @return received entries left unapplied because they describe a connection this director made itself and
     *         forwards as master (see {@link SyncInstaller}).
     */
    public long ownKept()
    {
        return counts.get(OWN_KEPT);
    }

    /** @return requests for a full dump (a peer's backup starting) the master heard. */
    public long dumpRequests()
    {
        return counts.get(DUMP_REQUESTS);
    }

    /** @return table scans the master made. */
    public long scans()
    {
        return counts.get(SCANS);
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("SyncStats{sent=").append(sentDatagrams())
            .append('/').append(sentEntries()).append(" received=").append(receivedDatagrams())
            .append(" installed=").append(installed()).append(" updated=").append(updated())
            .append(" refreshed=").append(refreshed()).append(" ownKept=").append(ownKept())
            .append(" dumpRequests=").append(dumpRequests());
        for (final SyncDropReason r : REASONS)
        {
            if (drops(r) != 0)
            {
                sb.append(' ').append(r).append('=').append(drops(r));
            }
        }
        return sb.append('}').toString();
    }
}
