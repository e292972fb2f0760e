package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionCursor;

/**
 * A worker's cursor on a {@link ChronicleConnectionTable}: it holds the entry's primary key (48 bytes in its
 * own array) and the incarnation of the entry it was positioned on, so that {@code onPacket} and
 * {@code remove} go straight to that key and notice when the key now names a different entry. It also owns
 * the flyweights the table's operations need, so that no operation allocates.
 */
final class ChronicleCursor extends ConnectionCursor
{
    final ChronicleConnectionTable table;
    /** The primary key of the entry the cursor is on (or is being positioned on). */
    final ConnectionKeyBytes key = ConnectionKeyBytes.onHeap();
    /** Per-thread flyweights and scratch space for the table's operations. */
    final ChronicleConnectionTable.Scratch scratch;
    long incarnation;
    boolean positioned;
    private final long incarnationBase;
    private long incarnationSequence;

    ChronicleCursor(final ChronicleConnectionTable table, final long incarnationBase)
    {
        this.table = table;
        this.scratch = table.newScratch();
        this.incarnationBase = incarnationBase;
    }

    /** {@inheritDoc} */
    @Override
    public boolean isPositioned()
    {
        return positioned;
    }

    /** {@inheritDoc} */
    @Override
    public void reset()
    {
        positioned = false;
        incarnation = 0;
    }

    /**
     * A fresh incarnation for a new entry: unique per cursor (sequence in the low 40 bits) and per cursor and
     * process (the base), so a re-inserted key never looks like the entry a stale cursor was on. Never 0.
     *
     * @return the incarnation.
     */
    long nextIncarnation()
    {
        return incarnationBase ^ (++incarnationSequence & 0xFF_FFFF_FFFFL) | 1L << 63;
    }
}
