package io.lvs4j.forwarder.sync;

import io.lvs4j.core.conn.ConnectionRecord;

/**
 * What {@link SyncMaster}'s previous scans saw of each entry, in one primitive open-addressing table (linear
 * probing, backward-shift deletion): no object per connection, so a table near a million entries costs the
 * master one {@code long[]} of 64 bytes per slot instead of three objects per entry for the collector to trace,
 * and a lookup touches one or two cache lines instead of chasing a node, a key and a value.
 * <p>
 * A slot is eight longs: the key's small fields (occupied bit, template bit, family, protocol, ports) with the
 * last seen state in spare bits; the client and virtual addresses (four longs); the packet count; the expiry
 * sent last; the destination id. Whether the current scan has seen a slot is a bit in a separate bitmap, and a
 * slot is written only when what it holds changed: a steady-state scan only reads the slots, so the memory
 * system has no dirty lines to write back. Used by one thread only.
 */
final class TrackedEntries
{
    private static final int STRIDE = 8;
    private static final int META = 0;
    private static final int CLIENT_HI = 1;
    private static final int CLIENT_LO = 2;
    private static final int VIRTUAL_HI = 3;
    private static final int VIRTUAL_LO = 4;
    private static final int PACKETS = 5;
    private static final int SENT_EXPIRES = 6;
    private static final int DESTINATION = 7;

    private static final long OCCUPIED = 1L << 63;
    private static final long TEMPLATE = 1L << 48;
    private static final int STATE_SHIFT = 52;
    private static final long STATE_BITS = 0xFFL << STATE_SHIFT;
    private static final long KEY_MASK = ~STATE_BITS;
    private static final int MIN_SLOTS = 256;
    private static final long K = 0x9E3779B97F4A7C15L;

    private long[] slots = new long[MIN_SLOTS * STRIDE];
    /** One bit per slot: seen by the current scan. Apart from the slots so that an unchanged entry is only read. */
    private long[] seen = new long[MIN_SLOTS / 64];
    private int mask = MIN_SLOTS - 1;
    private int size;

    /** @return the number of entries tracked. */
    int size()
    {
        return size;
    }

    /** @return the number of slots (for tests of growth and shrinking). */
    int capacity()
    {
        return mask + 1;
    }

    private static long meta(final ConnectionRecord r)
    {
        return OCCUPIED | (r.isTemplate() ? TEMPLATE : 0) | (long)(r.family & 0xFF) << 40 |
            (long)(r.protocol & 0xFF) << 32 | (long)(r.clientPort & 0xFFFF) << 16 | (r.virtualPort & 0xFFFF);
    }

    private static int hash(final long meta, final long clientHi, final long clientLo, final long virtualHi,
        final long virtualLo)
    {
        // a large odd multiplier between the words (small differences in address and port cannot cancel out,
        // as they did with 31), then murmur3's finaliser so that the low bits depend on every input bit
        long h = ((((meta & KEY_MASK) * K + clientHi) * K + clientLo) * K + virtualHi) * K + virtualLo;
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        h ^= h >>> 33;
        return (int)h;
    }

    /**
     * @param r a record.
     * @return the hash of its identity, for {@link #touch} and {@link #find(ConnectionRecord, int)}.
     */
    static int hash(final ConnectionRecord r)
    {
        return hash(meta(r), r.clientHi, r.clientLo, r.virtualHi, r.virtualLo);
    }

    /**
     * Reads the first word of the slot where a lookup of this hash starts, so that a caller that touches a batch
     * of entries before looking them up has their cache misses in flight together instead of one after another.
     *
     * @param hash what {@link #hash(ConnectionRecord)} answered.
     * @return the word (for the caller to keep, so that the read is not optimised away).
     */
    long touch(final int hash)
    {
        return slots[(hash & mask) * STRIDE];
    }

    /**
     * Finds an entry.
     *
     * @param r the record whose identity to look for.
     * @return its slot, or {@code -1 - slot} of the free slot where {@link #insert} would put it.
     */
    int find(final ConnectionRecord r)
    {
        return find(r, hash(r));
    }

    /**
     * Finds an entry whose hash is known.
     *
     * @param r    the record whose identity to look for.
     * @param hash what {@link #hash(ConnectionRecord)} answered for it.
     * @return its slot, or {@code -1 - slot} of the free slot where {@link #insert} would put it.
     */
    int find(final ConnectionRecord r, final int hash)
    {
        final long meta = meta(r);
        final long[] s = slots;
        int i = hash & mask;
        while (true)
        {
            final int o = i * STRIDE;
            final long m = s[o + META];
            if (m == 0)
            {
                return -1 - i;
            }
            if ((m & KEY_MASK) == meta && s[o + CLIENT_LO] == r.clientLo && s[o + VIRTUAL_LO] == r.virtualLo &&
                s[o + CLIENT_HI] == r.clientHi && s[o + VIRTUAL_HI] == r.virtualHi)
            {
                return i;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * Adds an entry that {@link #find} did not find; its state, destination and counts are zero until set.
     *
     * @param free what {@link #find} answered.
     * @param r    the record.
     * @return the entry's slot.
     */
    int insert(final int free, final ConnectionRecord r)
    {
        if ((size + 1) * 4L > (mask + 1) * 3L)
        {
            resize((mask + 1) * 2);
            return insert(find(r), r);
        }
        final int o = (-1 - free) * STRIDE;
        slots[o + META] = meta(r);
        slots[o + CLIENT_HI] = r.clientHi;
        slots[o + CLIENT_LO] = r.clientLo;
        slots[o + VIRTUAL_HI] = r.virtualHi;
        slots[o + VIRTUAL_LO] = r.virtualLo;
        size++;
        return -1 - free;
    }

    /** @return the state last seen (the low 8 bits of the state code). */
    int state(final int slot)
    {
        return (int)((slots[slot * STRIDE + META] & STATE_BITS) >>> STATE_SHIFT);
    }

    /** @return the destination id last seen. */
    int destinationId(final int slot)
    {
        return (int)slots[slot * STRIDE + DESTINATION];
    }

    /** @return the packet count last seen. */
    long packets(final int slot)
    {
        return slots[slot * STRIDE + PACKETS];
    }

    /** @return the expiry time sent last. */
    long sentExpiresAtMs(final int slot)
    {
        return slots[slot * STRIDE + SENT_EXPIRES];
    }

    /** Starts a scan: no entry has been seen yet. */
    void beginScan()
    {
        java.util.Arrays.fill(seen, 0L);
    }

    /**
     * Marks an entry seen by the current scan.
     *
     * @param slot the entry.
     * @return true when the scan had not seen it before.
     */
    boolean markSeen(final int slot)
    {
        final long bit = 1L << slot;
        final long word = seen[slot >>> 6];
        seen[slot >>> 6] = word | bit;
        return (word & bit) == 0;
    }

    private boolean isSeen(final int slot)
    {
        return (seen[slot >>> 6] & 1L << slot) != 0;
    }

    private void setSeen(final int slot, final boolean value)
    {
        if (value)
        {
            seen[slot >>> 6] |= 1L << slot;
        }
        else
        {
            seen[slot >>> 6] &= ~(1L << slot);
        }
    }

    /**
     * Records what a scan saw; writes only what changed.
     *
     * @param slot          the entry.
     * @param state         its state code (0-255).
     * @param destinationId its destination.
     * @param packets       its packet count.
     */
    void update(final int slot, final int state, final int destinationId, final long packets)
    {
        final long[] s = slots;
        final int o = slot * STRIDE;
        final long meta = (s[o + META] & KEY_MASK) | (long)(state & 0xFF) << STATE_SHIFT;
        if (s[o + META] != meta)
        {
            s[o + META] = meta;
        }
        if (s[o + PACKETS] != packets)
        {
            s[o + PACKETS] = packets;
        }
        if (s[o + DESTINATION] != destinationId)
        {
            s[o + DESTINATION] = destinationId;
        }
    }

    /** Records the expiry time that was sent. */
    void sentExpiresAtMs(final int slot, final long expiresAtMs)
    {
        slots[slot * STRIDE + SENT_EXPIRES] = expiresAtMs;
    }

    /** Removes every entry that the current scan did not see, then shrinks the table when it is mostly empty. */
    void removeUnseen()
    {
        final long[] s = slots;
        int i = 0;
        while (i <= mask)
        {
            final int o = i * STRIDE;
            if (s[o + META] != 0 && !isSeen(i))
            {
                // an entry shifted into i has not been checked yet (or was kept when it sat at a wrapped index)
                removeAt(i);
                continue;
            }
            i++;
        }
        int wanted = mask + 1;
        while (wanted > MIN_SLOTS && size * 8L < wanted)
        {
            wanted /= 2;
        }
        if (wanted < mask + 1)
        {
            resize(Math.max(MIN_SLOTS, wanted * 2));
        }
    }

    private void removeAt(final int slot)
    {
        final long[] s = slots;
        int hole = slot;
        int j = slot;
        while (true)
        {
            j = (j + 1) & mask;
            final int o = j * STRIDE;
            final long m = s[o + META];
            if (m == 0)
            {
                break;
            }
            final int home = hash(m, s[o + CLIENT_HI], s[o + CLIENT_LO], s[o + VIRTUAL_HI], s[o + VIRTUAL_LO]) & mask;
            // j may move back to the hole unless its home lies cyclically in (hole, j]
            if (((j - home) & mask) >= ((j - hole) & mask))
            {
                System.arraycopy(s, o, s, hole * STRIDE, STRIDE);
                setSeen(hole, isSeen(j));
                hole = j;
            }
        }
        java.util.Arrays.fill(s, hole * STRIDE, hole * STRIDE + STRIDE, 0L);
        setSeen(hole, false);
        size--;
    }

    private void resize(final int newSlots)
    {
        final long[] old = slots;
        final long[] oldSeen = seen;
        final long[] s = new long[newSlots * STRIDE];
        final long[] newSeen = new long[Math.max(1, newSlots / 64)];
        final int m = newSlots - 1;
        for (int o = 0; o < old.length; o += STRIDE)
        {
            final long meta = old[o + META];
            if (meta == 0)
            {
                continue;
            }
            int i = hash(meta, old[o + CLIENT_HI], old[o + CLIENT_LO], old[o + VIRTUAL_HI], old[o + VIRTUAL_LO]) & m;
            while (s[i * STRIDE + META] != 0)
            {
                i = (i + 1) & m;
            }
            System.arraycopy(old, o, s, i * STRIDE, STRIDE);
            final int from = o / STRIDE;
            if ((oldSeen[from >>> 6] & 1L << from) != 0)
            {
                newSeen[i >>> 6] |= 1L << i;
            }
        }
        slots = s;
        seen = newSeen;
        mask = m;
    }
}
