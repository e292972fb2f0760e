package io.lvs4j.core.conn;

/**
 * A worker's cursor on an {@link OffHeapConnectionTable}: the region, slot and incarnation (GEN) of the entry a
 * lookup or insert found, so that {@code onPacket} and {@code remove} go straight to the slot and notice when
 * it has since been freed or reused. Owned by one thread; created by {@link OffHeapConnectionTable#newCursor()}.
 * <p>
 * The incarnation number is 16 bits: a cursor left on an entry while its slot is freed and reused 65,536 times
 * would be fooled. Workers reposition their cursor on every packet, so this is far beyond any batch.
 */
public final class OffHeapConnectionCursor extends ConnectionCursor
{
    final OffHeapConnectionTable table;
    SlotRegion region;
    int slot;
    int gen;

    OffHeapConnectionCursor(final OffHeapConnectionTable table)
    {
        this.table = table;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isPositioned()
    {
        return region != null;
    }

    /** {@inheritDoc} */
    @Override
    public void reset()
    {
        region = null;
        slot = -1;
        gen = -1;
    }

    void position(final SlotRegion region, final int slot, final int gen)
    {
        this.region = region;
        this.slot = slot;
        this.gen = gen;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return region == null ? "OffHeapConnectionCursor[unpositioned]" :
            "OffHeapConnectionCursor[region=" + region.regionId + " slot=" + slot + " gen=" + gen + "]";
    }
}
