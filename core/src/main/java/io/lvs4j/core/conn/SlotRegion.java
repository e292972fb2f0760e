package io.lvs4j.core.conn;

import org.agrona.UnsafeApi;
import org.agrona.concurrent.AtomicBuffer;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static io.lvs4j.core.conn.SlotLayout.BUSY;
import static io.lvs4j.core.conn.SlotLayout.EMPTY;
import static io.lvs4j.core.conn.SlotLayout.LIVE;
import static io.lvs4j.core.conn.SlotLayout.TOMB;
import static io.lvs4j.core.conn.SlotLayout.gen;
import static io.lvs4j.core.conn.SlotLayout.isBusy;
import static io.lvs4j.core.conn.SlotLayout.kind;
import static io.lvs4j.core.conn.SlotLayout.released;

/**
 * One open-addressed array of fixed-size slots in off-heap memory (linear probing, power-of-two length), and
 * the slot protocol all three regions of an {@link OffHeapConnectionTable} share: claiming a slot with a CAS
 * on its control word, releasing it with a release store, waiting for a busy slot, and turning tombstones
 * back into EMPTY slots so that probe chains stay short.
 * <p>
 * Field offsets are held per region so that code common to IPv4 and IPv6 entries reads the right words.
 */
final class SlotRegion
{
    /** After this many busy-waits on one slot a waiter yields its core: the holder may have been preempted. */
    private static final int SPINS_BEFORE_YIELD = 128;

    final AtomicBuffer buffer;
    private final byte[] base;
    private final long address;
    final int regionId;
    final boolean v6;
    final int slotShift;
    final int slots;
    final int mask;
    final int maxProbe;
    final int destIdOffset;
    final int metaOffset;
    final int controlOffset;
    final int linkOffset;
    final int expiresOffset;
    final int packetsOffset;
    final int bytesOffset;
    final int key2Offset;
    final AtomicLong tombstones = new AtomicLong();
    /**
     * The farthest any entry was ever placed from its home slot. Lookups and uniqueness scans stop there even
     * when no EMPTY slot ends the chain: under insert/remove churn, tombstones in front of live entries are never
     * cleaned (their successor never becomes EMPTY), clusters merge, and without this bound every scan of a
     * long-running table would run to {@link #maxProbe}. Monotonic; an insert raises it before its claim becomes
     * visible, so a scan that reads it after its own claim reaches every concurrently claimed slot or is seen by it.
     */
    private final AtomicInteger longestPlacement = new AtomicInteger();

    /**
     * @param buffer     the region's memory, {@code slots << slotShift} bytes, zeroed (all EMPTY).
     * @param regionId   {@link SlotLayout#REGION_V4}, {@link SlotLayout#REGION_V6} or {@link SlotLayout#REGION_REPLY}.
     * @param slotShift  log2 of the slot length.
     * @param slots      number of slots, a power of two.
     * @param maxProbe   longest probe chain, at most {@code slots}.
     */
    SlotRegion(final AtomicBuffer buffer, final int regionId, final int slotShift, final int slots, final int maxProbe)
    {
        this.buffer = buffer;
        this.base = buffer.byteArray();
        this.address = buffer.addressOffset();
        this.regionId = regionId;
        this.v6 = regionId == SlotLayout.REGION_V6;
        this.slotShift = slotShift;
        this.slots = slots;
        this.mask = slots - 1;
        this.maxProbe = Math.min(maxProbe, slots);
        if (v6)
        {
            destIdOffset = SlotLayout.V6_DEST_ID;
            metaOffset = SlotLayout.V6_META;
            controlOffset = SlotLayout.V6_CONTROL;
            linkOffset = SlotLayout.V6_LINK;
            expiresOffset = SlotLayout.V6_EXPIRES;
            packetsOffset = SlotLayout.V6_PACKETS;
            bytesOffset = SlotLayout.V6_BYTES;
            key2Offset = SlotLayout.V6_KEY2;
        }
        else
        {
            destIdOffset = SlotLayout.V4_DEST_ID;
            metaOffset = SlotLayout.V4_META;
            controlOffset = SlotLayout.V4_CONTROL;
            linkOffset = SlotLayout.V4_LINK;
            expiresOffset = SlotLayout.V4_EXPIRES;
            packetsOffset = SlotLayout.V4_PACKETS;
            bytesOffset = SlotLayout.V4_BYTES;
            key2Offset = SlotLayout.V4_KEY2;
        }
    }

    /**
     * @param slot a slot index.
     * @return the byte offset of its control word.
     */
    int offset(final int slot)
    {
        return slot << slotShift;
    }

    // Slot accessors. Offsets are always a masked slot index shifted by the slot length plus a field offset, so
    // they are in range by construction: these skip AtomicBuffer's per-access bounds check, which costs about a
    // quarter of a cached lookup. Slot indices read back from memory (reply pointers, controller links) are
    // masked before use for the same reason.

    long getLong(final int off)
    {
        return UnsafeApi.getLong(base, address + off);
    }

    long getLongAcquire(final int off)
    {
        return UnsafeApi.getLongAcquire(base, address + off);
    }

    long getLongVolatile(final int off)
    {
        return UnsafeApi.getLongVolatile(base, address + off);
    }

    int getInt(final int off)
    {
        return UnsafeApi.getInt(base, address + off);
    }

    void putLong(final int off, final long value)
    {
        UnsafeApi.putLong(base, address + off, value);
    }

    void putInt(final int off, final int value)
    {
        UnsafeApi.putInt(base, address + off, value);
    }

    void putLongRelease(final int off, final long value)
    {
        UnsafeApi.putLongRelease(base, address + off, value);
    }

    boolean compareAndSetLong(final int off, final long expected, final long update)
    {
        return UnsafeApi.compareAndSetLong(base, address + off, expected, update);
    }

    /**
     * Reads a packet count: 32 bits unsigned in IPv4 entries, 64 in IPv6 ones.
     *
     * @param off the slot's offset.
     * @return the count.
     */
    long packets(final int off)
    {
        return v6 ? getLong(off + packetsOffset) : getInt(off + packetsOffset) & 0xFFFF_FFFFL;
    }

    /**
     * Writes a packet count (truncated to 32 bits in IPv4 entries).
     *
     * @param off     the slot's offset.
     * @param packets the count.
     */
    void packets(final int off, final long packets)
    {
        if (v6)
        {
            putLong(off + packetsOffset, packets);
        }
        else
        {
            putInt(off + packetsOffset, (int)packets);
        }
    }

    /**
     * Claims a LIVE slot of a known incarnation for writing: waits while another writer holds it.
     *
     * @param off the slot's offset.
     * @param gen the incarnation the caller expects, or -1 for whichever is LIVE.
     * @return the held (busy) word, or 0 when the slot is no longer that LIVE incarnation.
     */
    long claimLive(final int off, final int gen)
    {
        int spins = 0;
        while (true)
        {
            final long ctrl = getLongVolatile(off);
            if (kind(ctrl) != LIVE || (gen >= 0 && gen(ctrl) != gen))
            {
                return 0;
            }
            if (isBusy(ctrl))
            {
                spins = backOff(spins);
            }
            else if (compareAndSetLong(off, ctrl, ctrl | BUSY))
            {
                return ctrl | BUSY;
            }
        }
    }

    /**
     * Lets go of a held slot.
     *
     * @param off  the slot's offset.
     * @param held the held word.
     * @param kind the slot's kind from now on.
     * @return the released word.
     */
    long release(final int off, final long held, final int kind)
    {
        final long word = released(held, kind);
        putLongRelease(off, word);
        return word;
    }

    /**
     * Waits until no writer holds the slot.
     *
     * @param off the slot's offset.
     * @return the first non-busy word seen.
     */
    long awaitNotBusy(final int off)
    {
        int spins = 0;
        long ctrl;
        while (isBusy(ctrl = getLongVolatile(off)))
        {
            spins = backOff(spins);
        }
        return ctrl;
    }

    /**
     * Waits until the slot's word is no longer {@code seen} and no writer holds it.
     *
     * @param off  the slot's offset.
     * @param seen the word to wait out.
     * @return the new word.
     */
    long awaitChange(final int off, final long seen)
    {
        int spins = 0;
        long ctrl;
        while ((ctrl = getLongVolatile(off)) == seen || isBusy(ctrl))
        {
            spins = backOff(spins);
        }
        return ctrl;
    }

    /**
     * How far scans for a key must go: one past the farthest placement ever made, at most {@link #maxProbe}.
     *
     * @return the number of slots from home to examine.
     */
    int probeLimit()
    {
        return Math.min(maxProbe, longestPlacement.get() + 1);
    }

    /**
     * Records that an insert is about to claim the slot {@code distance} steps from its home; called before the
     * claim so that the bound is visible no later than the entry.
     *
     * @param distance steps from the home slot.
     */
    void notePlacement(final int distance)
    {
        int current;
        while (distance > (current = longestPlacement.get()))
        {
            if (longestPlacement.compareAndSet(current, distance))
            {
                return;
            }
        }
    }

    /**
     * Turns tombstones back into EMPTY slots, from {@code slot} backwards, while the slot after each one is EMPTY.
     * <p>
     * Why this is safe: an EMPTY slot ends every probe chain, and an insert never places an entry beyond an
     * EMPTY slot of its chain, so no entry's chain runs through a tombstone whose successor is EMPTY. The one
     * race (an insert that probed past this tombstone earlier and claims the EMPTY successor now) is closed
     * Dekker-style: this method claims the tombstone with a CAS before reading the successor, and an insert
     * claims its slot with a CAS before re-reading its chain, so at least one of them sees the other; an
     * insert that finds an EMPTY slot (or a busy tombstone that becomes EMPTY) before its own starts again.
     *
     * @param slot where to start.
     * @return the number of tombstones cleaned.
     */
    int cleanTombstones(final int slot)
    {
        int cleaned = 0;
        int s = slot;
        for (int n = 0; n < maxProbe; n++)
        {
            final int off = offset(s);
            final long ctrl = getLongVolatile(off);
            if (kind(ctrl) != TOMB || isBusy(ctrl))
            {
                break;
            }
            final int nextOff = offset((s + 1) & mask);
            if (kind(getLongVolatile(nextOff)) != EMPTY)
            {
                break;
            }
            if (!compareAndSetLong(off, ctrl, ctrl | BUSY))
            {
                break;
            }
            if (kind(getLongVolatile(nextOff)) == EMPTY)
            {
                release(off, ctrl | BUSY, EMPTY);
                tombstones.decrementAndGet();
                cleaned++;
            }
            else
            {
                release(off, ctrl | BUSY, TOMB);
                break;
            }
            s = (s - 1) & mask;
        }
        return cleaned;
    }

    /**
     * One step of waiting on a busy slot: spin first, then yield (on a small machine the holder may be
     * preempted and waiting on it would burn the rest of our time slice).
     *
     * @param spins steps so far.
     * @return steps after this one.
     */
    static int backOff(final int spins)
    {
        if (spins < SPINS_BEFORE_YIELD)
        {
            Thread.onSpinWait();
        }
        else
        {
            Thread.yield();
        }
        return spins + 1;
    }
}
