package io.lvs4j.core.conn;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Counters a connection table keeps: how many entries it created, expired, evicted to make room, and refused
 * because it was full. Updated off the per-packet fast path (only on inserts, removals and sweeps).
 */
public final class ConnectionTableStats
{
    private final AtomicLong inserted = new AtomicLong();
    private final AtomicLong removed = new AtomicLong();
    private final AtomicLong expired = new AtomicLong();
    private final AtomicLong reclaimedOnInsert = new AtomicLong();
    private final AtomicLong refusedFull = new AtomicLong();

    /** Counts an insert. */
    public void onInsert()
    {
        inserted.getAndIncrement();
    }

    /** Counts an explicit removal. */
    public void onRemove()
    {
        removed.getAndIncrement();
    }

    /** Counts an entry expired by the sweep. */
    public void onExpire()
    {
        expired.getAndIncrement();
    }

    /** Counts an expired entry reclaimed by an insert that needed its slot. */
    public void onReclaim()
    {
        reclaimedOnInsert.getAndIncrement();
    }

    /** Counts an insert refused because the table was full. */
    public void onRefusedFull()
    {
        refusedFull.getAndIncrement();
    }

    /** @return entries created. */
    public long inserted()
    {
        return inserted.get();
    }

    /** @return entries removed explicitly. */
    public long removed()
    {
        return removed.get();
    }

    /** @return entries expired by the sweep. */
    public long expired()
    {
        return expired.get();
    }

    /** @return expired entries reclaimed by inserts. */
    public long reclaimedOnInsert()
    {
        return reclaimedOnInsert.get();
    }

    /** @return inserts refused because the table was full. */
    public long refusedFull()
    {
        return refusedFull.get();
    }
}
