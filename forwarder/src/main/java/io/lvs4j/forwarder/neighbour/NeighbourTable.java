package io.lvs4j.forwarder.neighbour;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntPredicate;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * IPv4 neighbours (address to MAC) the director resolved itself with ARP, shared by the workers and the control
 * plane without locks.
 * <p>
 * A fixed open-addressing table in direct memory. Each slot holds the address, the MAC with a valid bit, when
 * the MAC was last confirmed and when the entry was last asked for. Workers {@link #lookup} per packet (one
 * probe in the common case) and {@link #learn} from ARP they receive (and NAT clients from their requests); the
 * control plane {@link #want}s the addresses it needs resolved (real servers, gateways), re-asks stale ones and
 * forgets dead ones. A slot's key is claimed once with a CAS and never moves, so readers need no fence beyond
 * the volatile reads of the MAC. When full, new addresses are refused and counted: the table never grows on the
 * hot path. Entries are never deleted in place (lock-free readers would lose their probe chains); instead the
 * control plane {@link #compact}s: it copies the entries still wanted or recently confirmed into fresh memory
 * and swaps it in, so learned clients that went away do not fill the table for good.
 */
public final class NeighbourTable
{
    /** {@link #lookup} found no usable MAC. */
    public static final long NONE = -1L;

    private static final int SLOT = 32;
    private static final int KEY = 0;
    private static final int MAC = 8;
    private static final int CONFIRMED = 16;
    private static final int WANTED = 24;
    private static final long VALID = 1L << 48;
    private static final long KEY_PRESENT = 1L << 32;
    private static final int MAX_PROBE = 32;

    private final int capacity;
    private final AtomicLong refused = new AtomicLong();
    private volatile Region region;

    /** One generation of slots; replaced whole by {@link #compact}. */
    private static final class Region
    {
        final AtomicBuffer slots;
        final int mask;
        final AtomicInteger used = new AtomicInteger();

        Region(final int slotCount)
        {
            this.slots = new UnsafeBuffer(ByteBuffer.allocateDirect(slotCount * SLOT));
            this.mask = slotCount - 1;
        }
    }

    /**
     * A table for up to {@code capacity} neighbours (rounded up to a power of two, at least 16).
     *
     * @param capacity the most neighbours.
     */
    public NeighbourTable(final int capacity)
    {
        this.capacity = Math.max(16, capacity);
        this.region = new Region(BitUtil.findNextPositivePowerOfTwo(this.capacity * 2));
    }

    private static int hash(final int address)
    {
        final int h = address * 0x9E3779B1;
        return h ^ (h >>> 16);
    }

    private static int find(final Region r, final int address)
    {
        final AtomicBuffer slots = r.slots;
        final int mask = r.mask;
        final long key = KEY_PRESENT | (address & 0xFFFF_FFFFL);
        int i = hash(address) & mask;
        for (int probe = 0; probe < MAX_PROBE; probe++)
        {
            final long k = slots.getLongVolatile(i * SLOT + KEY);
            if (k == key)
            {
                return i;
            }
            if (k == 0)
            {
                return -1;
            }
            i = (i + 1) & mask;
        }
        return -1;
    }

    private int findOrClaim(final Region r, final int address, final int limit)
    {
        final AtomicBuffer slots = r.slots;
        final int mask = r.mask;
        final long key = KEY_PRESENT | (address & 0xFFFF_FFFFL);
        if (r.used.get() >= limit)
        {
            final int existing = find(r, address);
            if (existing < 0)
            {
                refused.incrementAndGet();
            }
            return existing;
        }
        int i = hash(address) & mask;
        for (int probe = 0; probe < MAX_PROBE; probe++)
        {
            final int at = i * SLOT + KEY;
            final long k = slots.getLongVolatile(at);
            if (k == key)
            {
                return i;
            }
            if (k == 0 && slots.compareAndSetLong(at, 0, key))
            {
                r.used.incrementAndGet();
                return i;
            }
            if (slots.getLongVolatile(at) == key)
            {
                return i;
            }
            i = (i + 1) & mask;
        }
        refused.incrementAndGet();
        return -1;
    }

    /**
     * The MAC of a neighbour, for the hot path.
     *
     * @param address the IPv4 address.
     * @return the MAC in the low 48 bits, or {@link #NONE} when unknown or unresolved.
     */
    public long lookup(final int address)
    {
        final Region r = region;
        final int i = find(r, address);
        if (i < 0)
        {
            return NONE;
        }
        final long mac = r.slots.getLongVolatile(i * SLOT + MAC);
        return (mac & VALID) != 0 ? mac & 0xFFFF_FFFF_FFFFL : NONE;
    }

    /**
     * Records a MAC seen for an address in ARP (or, for on-link clients, in their frames) when the address is
     * one the director uses, or when {@code create} says to add it.
     *
     * @param address the IPv4 address.
     * @param mac     its MAC.
     * @param nowMs   the clock.
     * @param create  add the address when it is not in the table yet.
     * @return true when the entry was added or changed (not merely confirmed).
     */
    public boolean learn(final int address, final long mac, final long nowMs, final boolean create)
    {
        final Region r = region;
        final AtomicBuffer slots = r.slots;
        // learned entries may take three quarters: what the control plane wants always finds room
        final int i = create ? findOrClaim(r, address, capacity - capacity / 4) : find(r, address);
        if (i < 0)
        {
            return false;
        }
        final int base = i * SLOT;
        final long value = VALID | (mac & 0xFFFF_FFFF_FFFFL);
        final boolean changed = slots.getLongVolatile(base + MAC) != value;
        if (changed)
        {
            slots.putLongVolatile(base + MAC, value);
        }
        // confirmation is advisory: a lost race between two workers confirming at once loses nothing
        if (changed || nowMs - slots.getLong(base + CONFIRMED) >= 1000)
        {
            slots.putLongRelease(base + CONFIRMED, nowMs);
        }
        return changed;
    }

    /**
     * Asks for an address to be resolved and kept fresh (the control plane for real servers, a worker for a next hop
     * it found unresolved).
     *
     * @param address the IPv4 address.
     * @param nowMs   the clock.
     * @return false when the table is full.
     */
    public boolean want(final int address, final long nowMs)
    {
        final Region r = region;
        final int i = findOrClaim(r, address, capacity);
        if (i < 0)
        {
            return false;
        }
        // 0 means "never wanted": a clock that starts at 0 (a replay) must not look like that
        r.slots.putLongRelease(i * SLOT + WANTED, Math.max(1, nowMs));
        return true;
    }

    /**
     * Forgets a MAC that is no longer confirmed, keeping the address wanted (control plane).
     *
     * @param address the IPv4 address.
     */
    public void invalidate(final int address)
    {
        final Region r = region;
        final int i = find(r, address);
        if (i >= 0)
        {
            r.slots.putLongVolatile(i * SLOT + MAC, 0);
        }
    }

    /**
     * When the address's MAC was last confirmed.
     *
     * @param address the IPv4 address.
     * @return the time in ms, or -1 when never or not in the table.
     */
    public long confirmedAt(final int address)
    {
        final Region r = region;
        final int i = find(r, address);
        if (i < 0 || (r.slots.getLongVolatile(i * SLOT + MAC) & VALID) == 0)
        {
            return -1;
        }
        return r.slots.getLongVolatile(i * SLOT + CONFIRMED);
    }

    /**
     * Whether the control plane asked for this address.
     *
     * @param address the IPv4 address.
     * @return true when wanted.
     */
    public boolean isWanted(final int address)
    {
        final Region r = region;
        final int i = find(r, address);
        return i >= 0 && r.slots.getLongVolatile(i * SLOT + WANTED) != 0;
    }

    /** Visits entries (control plane). */
    @FunctionalInterface
    public interface EntryVisitor
    {
        /**
         * One entry.
         *
         * @param address     the IPv4 address.
         * @param mac         its MAC, or {@link #NONE} when unresolved.
         * @param confirmedMs when it was last confirmed.
         * @param wantedMs    when the control plane last asked for it, 0 when never.
         */
        void visit(int address, long mac, long confirmedMs, long wantedMs);
    }

    /**
     * Visits every entry; entries may change during the visit.
     *
     * @param visitor called per entry.
     */
    public void forEach(final EntryVisitor visitor)
    {
        final Region r = region;
        final AtomicBuffer slots = r.slots;
        for (int i = 0; i <= r.mask; i++)
        {
            final int base = i * SLOT;
            final long key = slots.getLongVolatile(base + KEY);
            if (key != 0)
            {
                final long mac = slots.getLongVolatile(base + MAC);
                visitor.visit((int)key, (mac & VALID) != 0 ? mac & 0xFFFF_FFFF_FFFFL : NONE,
                    slots.getLongVolatile(base + CONFIRMED), slots.getLongVolatile(base + WANTED));
            }
        }
    }

    /** @return addresses refused because the table (or their probe chain) was full. */
    public long refused()
    {
        return refused.get();
    }

    /** @return addresses in the table, resolved or not. */
    public int size()
    {
        return region.used.get();
    }

    /** @return the most addresses the table holds. */
    public int capacity()
    {
        return capacity;
    }

    /**
     * Replaces the table's memory with a copy holding only the entries worth keeping: those the control plane
     * still wants, and those confirmed within {@code maxIdleMs}. Control plane only; a worker's learn that races
     * with the swap may be lost, and is simply made again on the neighbour's next frame.
     *
     * @param nowMs     the clock.
     * @param maxIdleMs how long an unwanted entry may go unconfirmed and stay.
     * @param wanted    whether an address is still wanted (real servers, gateways), whatever its age.
     * @return entries dropped.
     */
    public int compact(final long nowMs, final long maxIdleMs, final IntPredicate wanted)
    {
        final Region old = region;
        final Region fresh = new Region(old.mask + 1);
        int dropped = 0;
        for (int i = 0; i <= old.mask; i++)
        {
            final int base = i * SLOT;
            final long key = old.slots.getLongVolatile(base + KEY);
            if (key == 0)
            {
                continue;
            }
            final int address = (int)key;
            final long mac = old.slots.getLongVolatile(base + MAC);
            final long confirmed = old.slots.getLongVolatile(base + CONFIRMED);
            final long wantedAt = old.slots.getLongVolatile(base + WANTED);
            final boolean keep = (wantedAt != 0 && wanted.test(address)) ||
                ((mac & VALID) != 0 && nowMs - confirmed <= maxIdleMs);
            if (!keep)
            {
                dropped++;
                continue;
            }
            final int j = findOrClaim(fresh, address, capacity);
            if (j < 0)
            {
                dropped++;
                continue;
            }
            fresh.slots.putLong(j * SLOT + MAC, mac);
            fresh.slots.putLong(j * SLOT + CONFIRMED, confirmed);
            fresh.slots.putLong(j * SLOT + WANTED, wanted.test(address) ? wantedAt : 0);
        }
        region = fresh;
        return dropped;
    }
}
