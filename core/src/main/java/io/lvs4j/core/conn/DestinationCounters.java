package io.lvs4j.core.conn;

import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per real server ("destination") connection counts as IPVS keeps them, shared by all workers and read by the
 * schedulers: active connections (TCP ESTABLISHED), inactive ones (everything else, UDP always), persistence
 * templates, and the OVERLOAD flag driven by the upper/lower connection thresholds
 * ({@code ip_vs_bind_dest}/{@code ip_vs_unbind_dest}, reference section 1.2).
 * <p>
 * One cache line per destination in off-heap memory, updated with atomic adds so that concurrent workers
 * never lose a count; no allocation, no locks. Destination ids are small integers handed out by the service
 * model; id 0..capacity-1.
 */
public final class DestinationCounters
{
    /** Bytes per destination: one cache line, so workers updating different servers do not share lines. */
    public static final int SLOT_LENGTH = BitUtil.CACHE_LINE_LENGTH;

    /** Destination flag: available for new connections (the kernel's IP_VS_DEST_F_AVAILABLE). */
    public static final int F_AVAILABLE = 0x1;
    /** Destination flag: over its upper connection threshold (IP_VS_DEST_F_OVERLOAD). */
    public static final int F_OVERLOAD = 0x2;

    private static final boolean LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
    private static final int ACTIVE_OFFSET = 0;
    private static final int INACTIVE_OFFSET = 4;
    private static final int PERSIST_OFFSET = 8;
    private static final int UPPER_OFFSET = 12;
    private static final int LOWER_OFFSET = 16;
    private static final int FLAGS_OFFSET = 20;

    private final AtomicBuffer buffer;
    private final int capacity;
    // Reads go straight to memory: schedulers read three fields of up to every server per decision, and the
    // buffer's own accessors re-load its fields and bounds-check again behind each volatile read.
    private final byte[] memoryArray;
    private final long memoryAddress;
    private final AtomicReferenceArray<DestinationLoadListener> listeners;

    /**
     * Creates counters for up to {@code capacity} destinations in fresh direct memory.
     *
     * @param capacity number of destination ids.
     */
    public DestinationCounters(final int capacity)
    {
        this(alignedMemory(capacity), capacity);
    }

    /**
     * Fresh direct memory whose slots start on cache-line boundaries: {@code allocateDirect} only aligns to 8
     * bytes, and a slot straddling two lines would share one with its neighbour (false sharing between workers
     * updating different servers).
     */
    private static AtomicBuffer alignedMemory(final int capacity)
    {
        if (capacity <= 0)
        {
            throw new IllegalArgumentException("capacity " + capacity);
        }
        final ByteBuffer memory = ByteBuffer.allocateDirect(capacity * SLOT_LENGTH + SLOT_LENGTH);
        final int skew = (int)(BufferUtil.address(memory) & (SLOT_LENGTH - 1));
        return new UnsafeBuffer(memory, skew == 0 ? 0 : SLOT_LENGTH - skew, capacity * SLOT_LENGTH);
    }

    /**
     * Creates counters over caller-owned memory (for example a mapped file another process reads).
     *
     * @param buffer   at least {@code capacity * SLOT_LENGTH} bytes, cache-line aligned.
     * @param capacity number of destination ids.
     */
    public DestinationCounters(final AtomicBuffer buffer, final int capacity)
    {
        if (capacity <= 0 || (long)capacity * SLOT_LENGTH > buffer.capacity())
        {
            throw new IllegalArgumentException("capacity " + capacity + " does not fit " + buffer.capacity());
        }
        this.buffer = buffer;
        this.capacity = capacity;
        this.memoryArray = buffer.byteArray();
        this.memoryAddress = buffer.addressOffset();
        this.listeners = new AtomicReferenceArray<>(capacity);
    }

    /**
     * Registers who hears about a destination's load changes (one listener per destination: the scheduler of the
     * service it belongs to), or removes it with null.
     *
     * @param dest     the id.
     * @param listener the listener, or null.
     */
    public void listen(final int dest, final DestinationLoadListener listener)
    {
        offset(dest);
        listeners.set(dest, listener);
    }

    /**
     * Removes a destination's listener only if it is {@code listener}, so a scheduler letting go of a destination
     * never silences the one that took it over.
     *
     * @param dest     the id.
     * @param listener the listener expected.
     */
    public void unlisten(final int dest, final DestinationLoadListener listener)
    {
        offset(dest);
        listeners.compareAndSet(dest, listener, null);
    }

    /**
     * @param dest the id.
     * @return its listener, or null.
     */
    public DestinationLoadListener listener(final int dest)
    {
        offset(dest);
        return listeners.get(dest);
    }

    private void changed(final int dest)
    {
        final DestinationLoadListener listener = listeners.get(dest);
        if (listener != null)
        {
            listener.onLoadChanged(dest);
        }
    }

    /** @return the number of destination ids. */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Resets a destination's slot when an id is (re)assigned: counts zero, available, thresholds set.
     *
     * @param dest           the id.
     * @param upperThreshold u_threshold, 0 for none.
     * @param lowerThreshold l_threshold, 0 for none.
     */
    public void reset(final int dest, final int upperThreshold, final int lowerThreshold)
    {
        final int base = offset(dest);
        buffer.putIntVolatile(base + ACTIVE_OFFSET, 0);
        buffer.putIntVolatile(base + INACTIVE_OFFSET, 0);
        buffer.putIntVolatile(base + PERSIST_OFFSET, 0);
        buffer.putIntVolatile(base + UPPER_OFFSET, upperThreshold);
        buffer.putIntVolatile(base + LOWER_OFFSET, lowerThreshold);
        buffer.putIntVolatile(base + FLAGS_OFFSET, F_AVAILABLE);
        changed(dest);
    }

    /**
     * Changes thresholds as {@code __ip_vs_update_dest} does: OVERLOAD is cleared when the new upper threshold
     * is 0 or larger than before.
     *
     * @param dest           the id.
     * @param upperThreshold new u_threshold.
     * @param lowerThreshold new l_threshold.
     */
    public void setThresholds(final int dest, final int upperThreshold, final int lowerThreshold)
    {
        final int base = offset(dest);
        final int oldUpper = buffer.getIntVolatile(base + UPPER_OFFSET);
        buffer.putIntVolatile(base + UPPER_OFFSET, upperThreshold);
        buffer.putIntVolatile(base + LOWER_OFFSET, lowerThreshold);
        if (upperThreshold == 0 || upperThreshold > oldUpper)
        {
            clearFlag(base, F_OVERLOAD);
        }
        changed(dest);
    }

    /**
     * Marks a destination available or not (deleted destinations stay in place until their connections go).
     *
     * @param dest      the id.
     * @param available true when it may take new connections.
     */
    public void setAvailable(final int dest, final boolean available)
    {
        final int base = offset(dest);
        if (available)
        {
            setFlag(base, F_AVAILABLE);
        }
        else
        {
            clearFlag(base, F_AVAILABLE);
        }
        changed(dest);
    }

    /**
     * Counts a new entry bound to the destination ({@code ip_vs_bind_dest}): templates count in persistconns,
     * connections in inactconns or actconns by their INACTIVE flag; OVERLOAD is set when active+inactive reaches
     * the upper threshold.
     *
     * @param dest            the id.
     * @param connectionFlags the entry's {@link ConnectionFlags}.
     */
    public void bind(final int dest, final int connectionFlags)
    {
        final int base = offset(dest);
        if ((connectionFlags & ConnectionFlags.TEMPLATE) != 0)
        {
            buffer.getAndAddInt(base + PERSIST_OFFSET, 1);
            return;
        }
        buffer.getAndAddInt(base + ((connectionFlags & ConnectionFlags.INACTIVE) != 0 ? INACTIVE_OFFSET : ACTIVE_OFFSET), 1);
        final int upper = buffer.getIntVolatile(base + UPPER_OFFSET);
        if (upper != 0 && total(base) >= upper)
        {
            setFlag(base, F_OVERLOAD);
        }
        changed(dest);
    }

    /**
     * Uncounts an entry leaving the destination ({@code ip_vs_unbind_dest}) and re-evaluates OVERLOAD: with a
     * lower threshold, clear below it; else with an upper threshold, clear below three quarters of it; else clear.
     *
     * @param dest            the id.
     * @param connectionFlags the entry's flags as it leaves.
     */
    public void unbind(final int dest, final int connectionFlags)
    {
        final int base = offset(dest);
        if ((connectionFlags & ConnectionFlags.TEMPLATE) != 0)
        {
            buffer.getAndAddInt(base + PERSIST_OFFSET, -1);
            return;
        }
        buffer.getAndAddInt(base + ((connectionFlags & ConnectionFlags.INACTIVE) != 0 ? INACTIVE_OFFSET : ACTIVE_OFFSET), -1);
        final int lower = buffer.getIntVolatile(base + LOWER_OFFSET);
        final int upper = buffer.getIntVolatile(base + UPPER_OFFSET);
        final int total = total(base);
        if (lower != 0)
        {
            if (total < lower)
            {
                clearFlag(base, F_OVERLOAD);
            }
        }
        else if (upper != 0)
        {
            if ((long)total * 4 < (long)upper * 3)
            {
                clearFlag(base, F_OVERLOAD);
            }
        }
        else
        {
            clearFlag(base, F_OVERLOAD);
        }
        changed(dest);
    }

    /**
     * Moves one connection from inactive to active (entering ESTABLISHED) or back (leaving it).
     *
     * @param dest      the id.
     * @param nowActive true when entering ESTABLISHED.
     */
    public void transition(final int dest, final boolean nowActive)
    {
        final int base = offset(dest);
        if (nowActive)
        {
            buffer.getAndAddInt(base + INACTIVE_OFFSET, -1);
            buffer.getAndAddInt(base + ACTIVE_OFFSET, 1);
        }
        else
        {
            buffer.getAndAddInt(base + ACTIVE_OFFSET, -1);
            buffer.getAndAddInt(base + INACTIVE_OFFSET, 1);
        }
        changed(dest);
    }

    /**
     * @param dest the id.
     * @return ActiveConn: connections in ESTABLISHED.
     */
    public int active(final int dest)
    {
        return UnsafeApi.getIntVolatile(memoryArray, memoryAddress + offset(dest) + ACTIVE_OFFSET);
    }

    /**
     * @param dest the id.
     * @return InActConn: connections in any other state.
     */
    public int inactive(final int dest)
    {
        return UnsafeApi.getIntVolatile(memoryArray, memoryAddress + offset(dest) + INACTIVE_OFFSET);
    }

    /**
     * The kernel's load metric {@code ip_vs_dest_conn_overhead}: {@code activeconns * 256 + inactconns}, from one
     * 8-byte read of both counts, so a scheduler scanning many servers pays one load per server and sees the two
     * counts of one moment.
     *
     * @param dest the id.
     * @return the overhead, never negative while the counts are consistent.
     */
    public long overhead(final int dest)
    {
        final long both = UnsafeApi.getLongVolatile(memoryArray, memoryAddress + offset(dest) + ACTIVE_OFFSET);
        final int active = LITTLE_ENDIAN ? (int)both : (int)(both >>> 32);
        final int inactive = LITTLE_ENDIAN ? (int)(both >>> 32) : (int)both;
        return ((long)active << 8) + inactive;
    }

    /**
     * @param dest the id.
     * @return persistence templates pointing at the destination.
     */
    public int persistent(final int dest)
    {
        return buffer.getIntVolatile(offset(dest) + PERSIST_OFFSET);
    }

    /**
     * @param dest the id.
     * @return the destination's {@code F_*} flags.
     */
    public int flags(final int dest)
    {
        return UnsafeApi.getIntVolatile(memoryArray, memoryAddress + offset(dest) + FLAGS_OFFSET);
    }

    /**
     * @param dest the id.
     * @return true when over its upper threshold: every scheduler skips it.
     */
    public boolean isOverloaded(final int dest)
    {
        return (flags(dest) & F_OVERLOAD) != 0;
    }

    /**
     * @param dest the id.
     * @return true when the destination may take new connections and existing ones may continue.
     */
    public boolean isAvailable(final int dest)
    {
        return (flags(dest) & F_AVAILABLE) != 0;
    }

    private int total(final int base)
    {
        return buffer.getIntVolatile(base + ACTIVE_OFFSET) + buffer.getIntVolatile(base + INACTIVE_OFFSET);
    }

    private void setFlag(final int base, final int flag)
    {
        int old;
        do
        {
            old = buffer.getIntVolatile(base + FLAGS_OFFSET);
            if ((old & flag) == flag)
            {
                return;
            }
        }
        while (!buffer.compareAndSetInt(base + FLAGS_OFFSET, old, old | flag));
    }

    private void clearFlag(final int base, final int flag)
    {
        int old;
        do
        {
            old = buffer.getIntVolatile(base + FLAGS_OFFSET);
            if ((old & flag) == 0)
            {
                return;
            }
        }
        while (!buffer.compareAndSetInt(base + FLAGS_OFFSET, old, old & ~flag));
    }

    private int offset(final int dest)
    {
        if (dest < 0 || dest >= capacity)
        {
            throw new IndexOutOfBoundsException("destination id " + dest + " of " + capacity);
        }
        return dest * SLOT_LENGTH;
    }
}
