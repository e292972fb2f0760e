package io.lvs4j.core.conn;

/**
 * A worker's handle on one entry of a {@link ConnectionTable}: a successful lookup or insert positions it on
 * the entry and copies the entry into {@link #record()}; later operations ({@code onPacket}, {@code remove})
 * go straight to that entry without hashing again. Each table implementation extends it with whatever locates
 * an entry (a slot and its generation, a key). Owned by one thread and reused for every packet.
 */
public abstract class ConnectionCursor
{
    /** The copy of the entry the cursor is on, as of the last operation. */
    protected final ConnectionRecord record = new ConnectionRecord();

    /**
     * The entry as of the cursor's last successful operation.
     *
     * @return the cursor's record; valid until the next operation with this cursor.
     */
    public final ConnectionRecord record()
    {
        return record;
    }

    /** @return true when the cursor is positioned on an entry. */
    public abstract boolean isPositioned();

    /** Forgets the position. */
    public abstract void reset();
}
