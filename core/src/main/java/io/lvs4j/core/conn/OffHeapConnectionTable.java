package io.lvs4j.core.conn;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import static io.lvs4j.core.conn.SlotLayout.BUSY;
import static io.lvs4j.core.conn.SlotLayout.EMPTY;
import static io.lvs4j.core.conn.SlotLayout.KEY2_MASK;
import static io.lvs4j.core.conn.SlotLayout.LIVE;
import static io.lvs4j.core.conn.SlotLayout.PENDING;
import static io.lvs4j.core.conn.SlotLayout.REPLY_TARGET;
import static io.lvs4j.core.conn.SlotLayout.TOMB;
import static io.lvs4j.core.conn.SlotLayout.TYPE_CONNECTION;
import static io.lvs4j.core.conn.SlotLayout.TYPE_TEMPLATE;
import static io.lvs4j.core.conn.SlotLayout.gen;
import static io.lvs4j.core.conn.SlotLayout.incarnation;
import static io.lvs4j.core.conn.SlotLayout.isBusy;
import static io.lvs4j.core.conn.SlotLayout.kind;
import static io.lvs4j.core.conn.SlotLayout.key2;
import static io.lvs4j.core.conn.SlotLayout.released;
import static io.lvs4j.core.conn.SlotLayout.tag;
import static io.lvs4j.core.conn.SlotLayout.tagOf;

/**
 * The director's connection table in off-heap memory: open addressing with linear probing over cache-line
 * slots, a fixed power-of-two capacity, lock-free for readers and writers, no allocation per operation.
 *
 * <h2>Regions</h2>
 * Three arrays (see {@link SlotLayout} for the byte layouts): IPv4 entries in 64-byte slots (one cache line),
 * IPv6 entries in 128-byte slots, and a reply index of 16-byte slots that maps a NAT entry's reply key
 * (real server to client) to the entry's slot and incarnation. DR and TUN entries, and templates, are not in
 * the reply index. Templates are ordinary entries whose key has the template type bit, so a template and a
 * connection with the same addresses never collide.
 *
 * <h2>Concurrency</h2>
 * Each slot starts with a control word (kind, a sequence number, a 16-bit key tag and an incarnation number).
 * It is a seqlock: a writer takes a slot by CAS-ing the BUSY bit in, does a handful of plain stores, and lets
 * go with one release store that bumps the sequence; readers read the word (acquire), the fields (plain), fence,
 * and re-read the word, retrying if it moved. Readers never write shared memory. A reader meets a busy slot
 * only if the slot's tag matches its key (other busy slots are skipped by tag), and then waits out the few
 * stores of that update.
 * <p>
 * Insert-if-absent without locks: an insert claims the first free slot (EMPTY or tombstone) on its chain with
 * a CAS, marking it PENDING with the key, and only then re-reads the whole chain. Two inserts of one key both
 * claim before they re-read, so at least one sees the other (Dekker); the one farther from home steps back and
 * answers {@link #EXISTS} on the other, the nearer one waits for the farther one to step back or publish. The
 * waits only ever point to slots farther along the chain, so they cannot form a cycle.
 * <p>
 * Deleted entries become tombstones, which inserts reuse; the sweep turns a tombstone whose successor is EMPTY
 * back into EMPTY (see {@link SlotRegion#cleanTombstones(int)}) so that chains do not grow without bound.
 * <p>
 * Every change of a destination's counts ({@link DestinationCounters#bind}, {@code unbind}, {@code transition})
 * is made by the one thread that holds the entry's slot, so each happens exactly once per entry even when a
 * worker and the sweep race on it.
 *
 * <h2>Full table</h2>
 * Probing is bounded ({@code maxProbe} slots), so every operation finishes in bounded time. An insert reclaims
 * expired entries that control nothing on its probe path; when no slot is left within the bound it refuses
 * with {@link #REFUSED_FULL} and counts it in {@link ConnectionTableStats#refusedFull()}.
 *
 * <h2>Speed</h2>
 * A hit costs one hash, usually one cache line (IPv4) and a copy of the entry into the cursor's record; on a
 * 2-core VM about 19 ns when the line is cached, the latency of one cache miss otherwise. On large tables that
 * miss is the whole cost: workers should call {@link #prefetchIn}/{@link #prefetchOut} for a batch of frames
 * before looking them up, so that the misses overlap (2.5 times faster at 8M entries), and give the table huge
 * pages by passing memory mapped from a hugetlbfs file, so that it does not also miss the TLB.
 *
 * <h2>Ranges</h2>
 * Up to 2^24 IPv4 slots, 2^23 IPv6 slots and 2^26 reply slots (each region at most 1 GiB). Template
 * persistence timeouts up to 2^32-1 ms (49.7 days; IPVS allows 31). The packet counter of IPv4 entries is
 * 32 bits and wraps, as the kernel's per-connection counter does; bytes are 64 bits. Only the low 16 flag bits
 * (those IPVS syncs) are stored. Protocols other than TCP follow the UDP life-cycle (one state, its timeout).
 * <p>
 * The memory must not be used after {@link #close()}: like any off-heap structure, stop the workers first.
 */
public final class OffHeapConnectionTable implements ConnectionTable
{
    /** Default bound on probe chains. */
    public static final int DEFAULT_MAX_PROBE = 256;
    /** Smallest region. */
    public static final int MIN_SLOTS = 16;
    /** Largest IPv4 region (1 GiB). */
    public static final int MAX_V4_SLOTS = 1 << 24;
    /** Largest IPv6 region (1 GiB). */
    public static final int MAX_V6_SLOTS = 1 << 23;
    /** Largest reply region (1 GiB). */
    public static final int MAX_REPLY_SLOTS = 1 << 26;

    private static final int UNIQUE = 0;
    private static final int RESTART = 3;

    private final SlotRegion v4;
    private final SlotRegion v6;
    private final SlotRegion reply;
    private final DestinationCounters counters;
    private final ConnectionTimeoutProfiles profiles;
    private final long seed;
    private final ConnectionTableStats stats = new ConnectionTableStats();
    private final AtomicLong size = new AtomicLong();
    private final AtomicLong sweepPosition = new AtomicLong();
    private final ByteBuffer[] ownedMemory;

    /**
     * A table that holds {@code capacity} IPv4 entries at no more than 75% load (linear probing slows down
     * sharply beyond that), a quarter as many IPv6 entries, and a reply index with one slot per entry slot, in
     * fresh direct memory, with a random hash seed. Slot counts are powers of two, so {@link #capacity()} may
     * report more than asked for.
     *
     * @param capacity IPv4 entries to hold, at most 3/4 of {@link #MAX_V4_SLOTS}.
     * @param counters the destinations' counts.
     * @param profiles the timeout profiles.
     */
    public OffHeapConnectionTable(
        final int capacity, final DestinationCounters counters, final ConnectionTimeoutProfiles profiles)
    {
        this(
            slotsFor(capacity),
            slotsFor(Math.max(capacity / 4, MIN_SLOTS)),
            replySlotsFor(capacity),
            DEFAULT_MAX_PROBE,
            new SecureRandom().nextLong(),
            counters,
            profiles);
    }

    /**
     * A table in fresh direct memory (cache-line aligned), sized per region.
     *
     * @param v4Slots    IPv4 slots, rounded up to a power of two.
     * @param v6Slots    IPv6 slots, rounded up to a power of two.
     * @param replySlots reply index slots (one per NAT entry), rounded up to a power of two.
     * @param maxProbe   the longest probe chain (bounds the work of a miss and of a refused insert).
     * @param seed       the hash seed; keep it secret from clients so they cannot aim at one chain.
     * @param counters   the destinations' counts.
     * @param profiles   the timeout profiles.
     */
    public OffHeapConnectionTable(
        final int v4Slots,
        final int v6Slots,
        final int replySlots,
        final int maxProbe,
        final long seed,
        final DestinationCounters counters,
        final ConnectionTimeoutProfiles profiles)
    {
        this(null, v4Slots, v6Slots, replySlots, maxProbe, seed, counters, profiles);
    }

    /**
     * A table over caller-owned memory, for example a mapped file: the regions follow each other from offset 0
     * ({@link #requiredBytes}). The memory is cleared: the table starts empty.
     *
     * @param memory     at least {@link #requiredBytes} bytes, its address aligned to 64; null to allocate.
     * @param v4Slots    IPv4 slots, rounded up to a power of two.
     * @param v6Slots    IPv6 slots, rounded up to a power of two.
     * @param replySlots reply index slots, rounded up to a power of two.
     * @param maxProbe   the longest probe chain.
     * @param seed       the hash seed.
     * @param counters   the destinations' counts.
     * @param profiles   the timeout profiles.
     */
    public OffHeapConnectionTable(
        final AtomicBuffer memory,
        final int v4Slots,
        final int v6Slots,
        final int replySlots,
        final int maxProbe,
        final long seed,
        final DestinationCounters counters,
        final ConnectionTimeoutProfiles profiles)
    {
        if (counters == null || profiles == null)
        {
            throw new NullPointerException("counters and profiles are required");
        }
        if (maxProbe < 1)
        {
            throw new IllegalArgumentException("maxProbe " + maxProbe);
        }
        final int n4 = slots(v4Slots, MAX_V4_SLOTS);
        final int n6 = slots(v6Slots, MAX_V6_SLOTS);
        final int nr = slots(replySlots, MAX_REPLY_SLOTS);
        final int b4 = n4 * SlotLayout.V4_SLOT_LENGTH;
        final int b6 = n6 * SlotLayout.V6_SLOT_LENGTH;
        final int br = nr * SlotLayout.REPLY_SLOT_LENGTH;
        final AtomicBuffer m4;
        final AtomicBuffer m6;
        final AtomicBuffer mr;
        if (memory == null)
        {
            // allocated whole (not as an aligned slice) so that close() can free them at once
            final ByteBuffer a4 = ByteBuffer.allocateDirect(b4 + BitUtil.CACHE_LINE_LENGTH);
            final ByteBuffer a6 = ByteBuffer.allocateDirect(b6 + BitUtil.CACHE_LINE_LENGTH);
            final ByteBuffer ar = ByteBuffer.allocateDirect(br + BitUtil.CACHE_LINE_LENGTH);
            ownedMemory = new ByteBuffer[] {a4, a6, ar};
            m4 = aligned(a4, b4);
            m6 = aligned(a6, b6);
            mr = aligned(ar, br);
        }
        else
        {
            final long need = requiredBytes(n4, n6, nr);
            if (memory.capacity() < need)
            {
                throw new IllegalArgumentException("memory holds " + memory.capacity() + " bytes, needs " + need);
            }
            if ((memory.addressOffset() & (BitUtil.CACHE_LINE_LENGTH - 1)) != 0)
            {
                throw new IllegalArgumentException("memory is not aligned to a cache line");
            }
            ownedMemory = null;
            memory.setMemory(0, (int)need, (byte)0);
            m4 = new UnsafeBuffer(memory, 0, b4);
            m6 = new UnsafeBuffer(memory, b4, b6);
            mr = new UnsafeBuffer(memory, b4 + b6, br);
        }
        this.v4 = new SlotRegion(m4, SlotLayout.REGION_V4, 6, n4, maxProbe);
        this.v6 = new SlotRegion(m6, SlotLayout.REGION_V6, 7, n6, maxProbe);
        this.reply = new SlotRegion(mr, SlotLayout.REGION_REPLY, 4, nr, maxProbe);
        this.seed = seed;
        this.counters = counters;
        this.profiles = profiles;
    }

    /**
     * Bytes a table over caller-owned memory needs.
     *
     * @param v4Slots    IPv4 slots.
     * @param v6Slots    IPv6 slots.
     * @param replySlots reply slots.
     * @return the length from offset 0.
     */
    public static long requiredBytes(final int v4Slots, final int v6Slots, final int replySlots)
    {
        return (long)slots(v4Slots, MAX_V4_SLOTS) * SlotLayout.V4_SLOT_LENGTH +
            (long)slots(v6Slots, MAX_V6_SLOTS) * SlotLayout.V6_SLOT_LENGTH +
            (long)slots(replySlots, MAX_REPLY_SLOTS) * SlotLayout.REPLY_SLOT_LENGTH;
    }

    private static int slotsFor(final int entries)
    {
        if (entries < 1)
        {
            throw new IllegalArgumentException("capacity " + entries);
        }
        return (int)Math.min(Integer.MAX_VALUE, (entries * 4L + 2) / 3);
    }

    private static int replySlotsFor(final int capacity)
    {
        return slots(slots(slotsFor(capacity), MAX_V4_SLOTS) + slots(slotsFor(Math.max(capacity / 4, MIN_SLOTS)),
            MAX_V6_SLOTS), MAX_REPLY_SLOTS);
    }

    private static AtomicBuffer aligned(final ByteBuffer memory, final int length)
    {
        final int skew = (int)(BufferUtil.address(memory) & (BitUtil.CACHE_LINE_LENGTH - 1));
        return new UnsafeBuffer(memory, skew == 0 ? 0 : BitUtil.CACHE_LINE_LENGTH - skew, length);
    }

    private static int slots(final int requested, final int max)
    {
        if (requested < 1 || requested > max)
        {
            throw new IllegalArgumentException("slots " + requested + " outside 1.." + max);
        }
        return Math.max(MIN_SLOTS, BitUtil.findNextPositivePowerOfTwo(requested));
    }

    /** {@inheritDoc} */
    @Override
    public ConnectionCursor newCursor()
    {
        return new OffHeapConnectionCursor(this);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lookups: read only, never write shared memory.
    // ---------------------------------------------------------------------------------------------------------

    /** {@inheritDoc} */
    @Override
    public boolean findIn(final FlowKey clientToVip, final long nowMs, final ConnectionCursor cursor)
    {
        return findEntry(clientToVip, TYPE_CONNECTION, nowMs, cursor(cursor));
    }

    /**
     * {@inheritDoc}
     * <p>
     * A template whose destination is no longer available ({@link DestinationCounters#isAvailable}) is
     * invalidated here, as IPVS neutralises it: it stays in the table, keeps the connections it controls and
     * expires on its timer, but is never found again, so the caller schedules afresh and inserts a new template
     * under the same key.
     */
    @Override
    public boolean findTemplate(final FlowKey templateKey, final long nowMs, final ConnectionCursor cursor)
    {
        final OffHeapConnectionCursor cur = cursor(cursor);
        if (!findEntry(templateKey, TYPE_TEMPLATE, nowMs, cur))
        {
            return false;
        }
        if (!counters.isAvailable(cur.record.destinationId))
        {
            invalidateTemplate(cur);
            cur.reset();
            return false;
        }
        return true;
    }

    /**
     * Starts loading the cache line a request's lookup will need, without waiting for it. A worker that calls
     * this for every frame of a batch before looking any of them up overlaps the batch's cache misses instead of
     * paying them one after another (DPDK's bulk lookup does the same); on a large table that is most of a
     * lookup's cost. Reads only.
     *
     * @param clientToVip the request's key.
     * @return the home slot's control word, to be ignored: returning it keeps the read from being optimised away.
     */
    public long prefetchIn(final FlowKey clientToVip)
    {
        final SlotRegion r = clientToVip.isV4() ? v4 : v6;
        return r.getLongVolatile(((int)clientToVip.hash(seed) & r.mask) << r.slotShift);
    }

    /**
     * {@link #prefetchIn} for a NAT reply: starts loading the reply index line {@link #findOut} will need.
     *
     * @param serverToClient the reply's key.
     * @return the home slot's control word, to be ignored.
     */
    public long prefetchOut(final FlowKey serverToClient)
    {
        return reply.getLongVolatile(((int)serverToClient.hash(seed) & reply.mask) << reply.slotShift);
    }

    private boolean findEntry(final FlowKey key, final int type, final long nowMs, final OffHeapConnectionCursor cur)
    {
        final long hash = key.hash(seed);
        final long k2 = key2(key.srcPort(), key.dstPort(), key.protocol(), type, 0);
        if (key.isV4())
        {
            return findPrimary(v4, hash, SlotLayout.v4Key1(key.srcLo(), key.dstLo()), 0, 0, 0, k2, nowMs, cur);
        }
        if (key.family() == FlowKey.AF_INET6)
        {
            return findPrimary(v6, hash, key.srcHi(), key.srcLo(), key.dstHi(), key.dstLo(), k2, nowMs, cur);
        }
        cur.reset();
        return false;
    }

    private boolean findPrimary(
        final SlotRegion r,
        final long hash,
        final long a,
        final long b,
        final long c,
        final long d,
        final long k2,
        final long nowMs,
        final OffHeapConnectionCursor cur)
    {
        final int tag = tagOf(hash);
        final int mask = r.mask;
        int slot = (int)hash & mask;
        int i = 0;
        final int limit = r.probeLimit();
        while (i < limit)
        {
            final int off = slot << r.slotShift;
            final long ctrl = r.getLongAcquire(off);
            final int kind = kind(ctrl);
            if (kind == EMPTY)
            {
                break;
            }
            if (kind == LIVE && tag(ctrl) == tag)
            {
                if (isBusy(ctrl))
                {
                    r.awaitNotBusy(off);
                    continue;
                }
                if (keyMatches(r, off, a, b, c, d, k2))
                {
                    final ConnectionRecord record = cur.record;
                    readEntry(r, off, record);
                    VarHandle.acquireFence();
                    if (r.getLongVolatile(off) != ctrl)
                    {
                        continue;
                    }
                    if (isExpired(record, nowMs))
                    {
                        break; // keys are unique: an expired entry means the connection is gone
                    }
                    cur.position(r, slot, gen(ctrl));
                    return true;
                }
            }
            i++;
            slot = (slot + 1) & mask;
        }
        cur.reset();
        return false;
    }

    /** {@inheritDoc} */
    @Override
    public boolean findOut(final FlowKey serverToClient, final long nowMs, final ConnectionCursor cursor)
    {
        final OffHeapConnectionCursor cur = cursor(cursor);
        final int regionId;
        if (serverToClient.isV4())
        {
            regionId = SlotLayout.REGION_V4;
        }
        else if (serverToClient.family() == FlowKey.AF_INET6)
        {
            regionId = SlotLayout.REGION_V6;
        }
        else
        {
            cur.reset();
            return false;
        }
        final SlotRegion target = regionId == SlotLayout.REGION_V4 ? v4 : v6;
        final SlotRegion r = reply;
        final long hash = serverToClient.hash(seed);
        final int tag = tagOf(hash);
        int slot = (int)hash & r.mask;
        int i = 0;
        final int limit = r.probeLimit();
        while (i < limit)
        {
            final int off = slot << r.slotShift;
            final long ctrl = r.getLongAcquire(off);
            final int kind = kind(ctrl);
            if (kind == EMPTY)
            {
                break;
            }
            if (kind == LIVE && tag(ctrl) == tag)
            {
                final long pointer = r.getLong(off + REPLY_TARGET);
                VarHandle.acquireFence();
                if (r.getLongVolatile(off) != ctrl)
                {
                    continue;
                }
                // reply keys need not be unique (two VIPs, one real server, one client port): keep probing
                final int targetSlot = (int)pointer & target.mask;
                final int targetGen = (int)(pointer >>> 32) & 0xFFFF;
                if ((int)(pointer >>> 56) == regionId &&
                    matchReply(target, targetSlot, targetGen, serverToClient, nowMs, cur))
                {
                    return true;
                }
            }
            i++;
            slot = (slot + 1) & r.mask;
        }
        cur.reset();
        return false;
    }

    private boolean matchReply(
        final SlotRegion r,
        final int slot,
        final int gen,
        final FlowKey key,
        final long nowMs,
        final OffHeapConnectionCursor cur)
    {
        final int off = r.offset(slot);
        while (true)
        {
            final long ctrl = r.getLongAcquire(off);
            if (kind(ctrl) != LIVE || gen(ctrl) != gen)
            {
                return false;
            }
            if (isBusy(ctrl))
            {
                r.awaitNotBusy(off);
                continue;
            }
            final long k2 = r.getLong(off + r.key2Offset);
            boolean match = ((int)(k2 >>> 16) & 0xFF) == TYPE_CONNECTION &&
                ((int)k2 & 0xFFFF) == key.srcPort() &&
                (int)(k2 >>> 48) == key.dstPort() &&
                ((int)(k2 >>> 24) & 0xFF) == key.protocol();
            if (match)
            {
                if (r.v6)
                {
                    match = r.getLong(off + SlotLayout.V6_DEST_LO) == key.srcLo() &&
                        r.getLong(off + SlotLayout.V6_CLIENT_LO) == key.dstLo() &&
                        r.getLong(off + SlotLayout.V6_DEST_HI) == key.srcHi() &&
                        r.getLong(off + SlotLayout.V6_CLIENT_HI) == key.dstHi();
                }
                else
                {
                    match = (r.getInt(off + SlotLayout.V4_DEST) & 0xFFFF_FFFFL) == key.srcLo() &&
                        r.getLong(off + SlotLayout.V4_KEY1) >>> 32 == key.dstLo();
                }
            }
            if (!match)
            {
                return false;
            }
            final ConnectionRecord record = cur.record;
            readEntry(r, off, record);
            VarHandle.acquireFence();
            if (r.getLongVolatile(off) != ctrl)
            {
                continue;
            }
            if (isExpired(record, nowMs))
            {
                return false;
            }
            cur.position(r, slot, gen);
            return true;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Insert
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     * <p>
     * The record's flags are stored as given (bits 0..15): pass {@link ConnectionFlags#INACTIVE} for a new
     * connection as IPVS does (its destinations hand it to every new connection), and NOOUTPUT for every method
     * but NAT. The state is stored as given (normally {@link TcpState#NONE}). A template cursor must be on an
     * entry of the same address family; a template that has meanwhile expired or gone leaves the new
     * connection uncontrolled. Templates themselves are never controlled.
     *
     * @throws IllegalArgumentException for an unknown family, a destination id outside the counters, or a
     *                                  template timeout outside 1..2^32-1 ms.
     */
    @Override
    public int insert(
        final ConnectionRecord record, final ConnectionCursor template, final long nowMs, final ConnectionCursor cursor)
    {
        final OffHeapConnectionCursor cur = cursor(cursor);
        final boolean isTemplate = record.isTemplate();
        final boolean isV6;
        if (record.family == FlowKey.AF_INET)
        {
            isV6 = false;
        }
        else if (record.family == FlowKey.AF_INET6)
        {
            isV6 = true;
        }
        else
        {
            throw new IllegalArgumentException("family " + record.family);
        }
        if (record.destinationId < 0 || record.destinationId >= counters.capacity())
        {
            throw new IllegalArgumentException("destination id " + record.destinationId);
        }
        if (isTemplate && (record.templateTimeoutMs <= 0 || record.templateTimeoutMs > 0xFFFF_FFFFL))
        {
            throw new IllegalArgumentException("template timeout " + record.templateTimeoutMs + " ms");
        }
        if (record.state < 0 || record.state >= TcpState.STATE_COUNT)
        {
            throw new IllegalArgumentException("state " + record.state);
        }
        final SlotRegion r = isV6 ? v6 : v4;
        final int protocol = record.protocol & 0xFF;
        final int clientPort = record.clientPort & 0xFFFF;
        final int virtualPort = record.virtualPort & 0xFFFF;
        final long a;
        final long b;
        final long c;
        final long d;
        final long hash;
        if (isV6)
        {
            a = record.clientHi;
            b = record.clientLo;
            c = record.virtualHi;
            d = record.virtualLo;
            hash = FlowKey.hashOf(seed, FlowKey.AF_INET6, protocol, a, b, clientPort, c, d, virtualPort);
        }
        else
        {
            final long client = record.clientLo & 0xFFFF_FFFFL;
            final long vip = record.virtualLo & 0xFFFF_FFFFL;
            a = SlotLayout.v4Key1(client, vip);
            b = 0;
            c = 0;
            d = 0;
            hash = FlowKey.hashOf(seed, FlowKey.AF_INET, protocol, 0, client, clientPort, 0, vip, virtualPort);
        }
        final long k2 = key2(clientPort, virtualPort, protocol, isTemplate ? TYPE_TEMPLATE : TYPE_CONNECTION, 0);

        int controller = 0;
        if (!isTemplate && template != null && template.isPositioned())
        {
            final OffHeapConnectionCursor tc = cursor(template);
            if (tc.region != r)
            {
                throw new IllegalArgumentException("the controlling entry is of another address family");
            }
            // pin the controller first: once its count is up it cannot expire under the new connection
            if (linkController(tc, nowMs))
            {
                controller = tc.slot + 1;
            }
        }
        final int result = insertPrimary(r, hash, a, b, c, d, k2, record, isTemplate, controller, nowMs, cur);
        if (result != INSERTED && controller != 0)
        {
            releaseController(r, controller - 1, false);
        }
        return result;
    }

    private int insertPrimary(
        final SlotRegion r,
        final long hash,
        final long a,
        final long b,
        final long c,
        final long d,
        final long k2,
        final ConnectionRecord record,
        final boolean isTemplate,
        final int controller,
        final long nowMs,
        final OffHeapConnectionCursor cur)
    {
        final int tag = tagOf(hash);
        final int home = (int)hash & r.mask;
        while (true)
        {
            // Phase 1: the key may be present (answer EXISTS); otherwise claim the first free slot on the chain,
            // reclaiming expired entries on the way.
            int pos = -1;
            long held = 0;
            int i = 0;
            while (i < r.maxProbe)
            {
                final int slot = (home + i) & r.mask;
                final int off = slot << r.slotShift;
                final long ctrl = r.getLongVolatile(off);
                final int kind = kind(ctrl);
                if (isBusy(ctrl))
                {
                    if (kind == LIVE && tag(ctrl) == tag)
                    {
                        r.awaitNotBusy(off);
                        continue;
                    }
                    i++;
                    continue;
                }
                if (kind == EMPTY || kind == TOMB)
                {
                    held = claimFree(r, off, ctrl, tag, i);
                    if (held != 0)
                    {
                        pos = i;
                        break;
                    }
                    continue;
                }
                if (kind == LIVE)
                {
                    final boolean same = tag(ctrl) == tag && keyMatches(r, off, a, b, c, d, k2);
                    final long expires = r.getLong(off + r.expiresOffset);
                    final int controlCount = r.getInt(off + r.controlOffset);
                    VarHandle.acquireFence();
                    if (r.getLongVolatile(off) != ctrl)
                    {
                        continue;
                    }
                    final boolean expired = controlCount == 0 && nowMs >= expires;
                    if (expired)
                    {
                        reclaim(r, slot, off, ctrl, nowMs);
                        continue;
                    }
                    if (same)
                    {
                        if (readPositioned(r, slot, off, gen(ctrl), cur))
                        {
                            return EXISTS;
                        }
                        continue;
                    }
                }
                i++;
            }
            if (pos < 0)
            {
                stats.onRefusedFull();
                cur.reset();
                return REFUSED_FULL;
            }

            final int slot = (home + pos) & r.mask;
            final int off = slot << r.slotShift;
            writeEntry(r, off, a, b, c, d, k2, record, isTemplate, controller, nowMs);
            held = r.release(off, held, PENDING);

            // Phase 2: prove the key unique on the chain now that our claim is visible.
            final int verdict = verifyUnique(r, home, tag, pos, off, held, a, b, c, d, k2, nowMs, cur);
            if (verdict == RESTART)
            {
                continue;
            }
            if (verdict == EXISTS)
            {
                return EXISTS;
            }

            final int flags = record.flags & 0xFFFF;
            if (!isTemplate && ConnectionFlags.method(flags) == ConnectionFlags.MASQ &&
                !insertReply(r, slot, gen(held), off))
            {
                r.release(off, held, TOMB);
                r.tombstones.incrementAndGet();
                stats.onRefusedFull();
                cur.reset();
                return REFUSED_FULL;
            }
            counters.bind(record.destinationId, flags);
            size.incrementAndGet();
            readEntry(r, off, cur.record); // still PENDING: only this thread writes it
            held = r.release(off, held, LIVE);
            stats.onInsert();
            cur.position(r, slot, gen(held));
            return INSERTED;
        }
    }

    /**
     * Claims a free (EMPTY or TOMB) slot for a new incarnation of an entry with {@code tag}, recording its
     * distance from home first so that scans reach it ({@link SlotRegion#notePlacement}).
     *
     * @return the held control word, or 0 when another thread changed the slot first.
     */
    private static long claimFree(final SlotRegion r, final int off, final long ctrl, final int tag, final int distance)
    {
        final long claim = incarnation(ctrl, tag);
        r.notePlacement(distance);
        if (!r.compareAndSetLong(off, ctrl, claim))
        {
            return 0;
        }
        if (kind(ctrl) == TOMB)
        {
            r.tombstones.decrementAndGet();
        }
        return claim;
    }

    private int verifyUnique(
        final SlotRegion r,
        final int home,
        final int tag,
        final int pos,
        final int ownOff,
        final long held,
        final long a,
        final long b,
        final long c,
        final long d,
        final long k2,
        final long nowMs,
        final OffHeapConnectionCursor cur)
    {
        int j = 0;
        final int limit = r.probeLimit();
        while (j < limit)
        {
            if (j == pos)
            {
                j++;
                continue;
            }
            final int slot = (home + j) & r.mask;
            final int off = slot << r.slotShift;
            final long ctrl = r.getLongVolatile(off);
            final int kind = kind(ctrl);
            if (isBusy(ctrl))
            {
                // a tombstone being cleaned before our slot may become EMPTY and cut our chain; an entry with our
                // tag may be our key: wait for both
                if ((j < pos && kind == TOMB) || (tag(ctrl) == tag && (kind == LIVE || kind == PENDING)))
                {
                    r.awaitNotBusy(off);
                    continue;
                }
                j++;
                continue;
            }
            if (kind == EMPTY)
            {
                if (j < pos)
                {
                    revert(r, ownOff, held);
                    return RESTART;
                }
                break;
            }
            if (kind == TOMB || tag(ctrl) != tag || !keyMatches(r, off, a, b, c, d, k2))
            {
                j++;
                continue;
            }
            final long expires = r.getLong(off + r.expiresOffset);
            final int controlCount = r.getInt(off + r.controlOffset);
            VarHandle.acquireFence();
            if (r.getLongVolatile(off) != ctrl)
            {
                continue;
            }
            if (kind == PENDING)
            {
                if (j < pos)
                {
                    // an earlier claim nearer home wins: step back and follow it
                    revert(r, ownOff, held);
                    final long after = r.awaitChange(off, ctrl);
                    if (kind(after) == LIVE && gen(after) == gen(ctrl) && readPositioned(r, slot, off, gen(ctrl), cur))
                    {
                        return EXISTS;
                    }
                    return RESTART;
                }
                // a claim farther out: it will see ours and step back, or it published before seeing it
                r.awaitChange(off, ctrl);
                continue;
            }
            if (controlCount == 0 && nowMs >= expires)
            {
                reclaim(r, slot, off, ctrl, nowMs);
                continue;
            }
            revert(r, ownOff, held);
            return readPositioned(r, slot, off, gen(ctrl), cur) ? EXISTS : RESTART;
        }
        return UNIQUE;
    }

    private void revert(final SlotRegion r, final int off, final long held)
    {
        r.release(off, held, TOMB);
        r.tombstones.incrementAndGet();
    }

    private void writeEntry(
        final SlotRegion r,
        final int off,
        final long a,
        final long b,
        final long c,
        final long d,
        final long k2,
        final ConnectionRecord record,
        final boolean isTemplate,
        final int controller,
        final long nowMs)
    {
        final long key2 = k2 | (record.destPort & 0xFFFF);
        if (r.v6)
        {
            r.putLong(off + SlotLayout.V6_CLIENT_HI, a);
            r.putLong(off + SlotLayout.V6_CLIENT_LO, b);
            r.putLong(off + SlotLayout.V6_VIRTUAL_HI, c);
            r.putLong(off + SlotLayout.V6_VIRTUAL_LO, d);
            r.putLong(off + SlotLayout.V6_KEY2, key2);
            r.putLong(off + SlotLayout.V6_DEST_HI, record.destHi);
            r.putLong(off + SlotLayout.V6_DEST_LO, record.destLo);
        }
        else
        {
            r.putLong(off + SlotLayout.V4_KEY1, a);
            r.putLong(off + SlotLayout.V4_KEY2, key2);
            r.putInt(off + SlotLayout.V4_DEST, (int)record.destLo);
        }
        r.putInt(off + r.destIdOffset, record.destinationId);
        r.putInt(off + r.metaOffset, meta(record.flags, record.state, record.timeoutProfile));
        r.putInt(off + r.controlOffset, 0);
        r.putInt(off + r.linkOffset, isTemplate ? (int)record.templateTimeoutMs : controller);
        r.packets(off, 0);
        r.putLong(off + r.bytesOffset, 0);
        r.putLong(
            off + r.expiresOffset, nowMs + (isTemplate ? record.templateTimeoutMs : ConnectionTimeouts.NEW_ENTRY_MS));
    }

    private boolean insertReply(
        final SlotRegion primary, final int primarySlot, final int primaryGen, final int primaryOff)
    {
        final SlotRegion r = reply;
        final long hash = replyHash(primary, primaryOff);
        final int tag = tagOf(hash);
        final int home = (int)hash & r.mask;
        final long pointer = SlotLayout.target(primary.regionId, primaryGen, primarySlot);
        restart:
        while (true)
        {
            int pos = -1;
            long held = 0;
            int i = 0;
            while (i < r.maxProbe)
            {
                final int off = ((home + i) & r.mask) << r.slotShift;
                final long ctrl = r.getLongVolatile(off);
                final int kind = kind(ctrl);
                if (!isBusy(ctrl) && (kind == EMPTY || kind == TOMB))
                {
                    held = claimFree(r, off, ctrl, tag, i);
                    if (held != 0)
                    {
                        pos = i;
                        break;
                    }
                    continue;
                }
                i++;
            }
            if (pos < 0)
            {
                return false;
            }
            final int off = ((home + pos) & r.mask) << r.slotShift;
            r.putLong(off + REPLY_TARGET, pointer);
            // reply keys may repeat, so no uniqueness check; only make sure no EMPTY cut our chain meanwhile
            for (int j = 0; j < pos;)
            {
                final int o = ((home + j) & r.mask) << r.slotShift;
                final long ctrl = r.getLongVolatile(o);
                if (isBusy(ctrl) && kind(ctrl) == TOMB)
                {
                    r.awaitNotBusy(o);
                    continue;
                }
                if (kind(ctrl) == EMPTY)
                {
                    r.release(off, held, TOMB);
                    r.tombstones.incrementAndGet();
                    continue restart;
                }
                j++;
            }
            r.release(off, held, LIVE);
            return true;
        }
    }

    private void removeReply(
        final SlotRegion primary, final int primarySlot, final int primaryGen, final int primaryOff)
    {
        final SlotRegion r = reply;
        final long hash = replyHash(primary, primaryOff);
        final int tag = tagOf(hash);
        final long pointer = SlotLayout.target(primary.regionId, primaryGen, primarySlot);
        int slot = (int)hash & r.mask;
        int i = 0;
        final int limit = r.probeLimit();
        while (i < limit)
        {
            final int off = slot << r.slotShift;
            final long ctrl = r.getLongVolatile(off);
            final int kind = kind(ctrl);
            if (kind == EMPTY)
            {
                return;
            }
            if (kind == LIVE && tag(ctrl) == tag && r.getLong(off + REPLY_TARGET) == pointer)
            {
                if (r.compareAndSetLong(off, ctrl, released(ctrl, TOMB)))
                {
                    r.tombstones.incrementAndGet();
                    r.cleanTombstones(slot);
                    return;
                }
                continue;
            }
            i++;
            slot = (slot + 1) & r.mask;
        }
    }

    private long replyHash(final SlotRegion r, final int off)
    {
        final long k2 = r.getLong(off + r.key2Offset);
        final int protocol = (int)(k2 >>> 24) & 0xFF;
        final int clientPort = (int)(k2 >>> 48);
        final int destPort = (int)k2 & 0xFFFF;
        if (r.v6)
        {
            return FlowKey.hashOf(
                seed, FlowKey.AF_INET6, protocol,
                r.getLong(off + SlotLayout.V6_DEST_HI), r.getLong(off + SlotLayout.V6_DEST_LO), destPort,
                r.getLong(off + SlotLayout.V6_CLIENT_HI), r.getLong(off + SlotLayout.V6_CLIENT_LO), clientPort);
        }
        return FlowKey.hashOf(
            seed, FlowKey.AF_INET, protocol,
            0, r.getInt(off + SlotLayout.V4_DEST) & 0xFFFF_FFFFL, destPort,
            0, r.getLong(off + SlotLayout.V4_KEY1) >>> 32, clientPort);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Packet accounting and the life-cycle
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     * <p>
     * An entry found expired here (no packet within its timeout, controlling nothing) is freed on the spot and
     * the call answers {@link #STALE}. Calling it on a template re-arms the template's persistence timer.
     */
    @Override
    public int onPacket(
        final ConnectionCursor cursor, final boolean reply, final int tcpFlags, final int bytes, final long nowMs)
    {
        final OffHeapConnectionCursor cur = cursor(cursor);
        final SlotRegion r = cur.region;
        if (r == null)
        {
            return STALE;
        }
        final int off = r.offset(cur.slot);
        final long held = r.claimLive(off, cur.gen);
        if (held == 0)
        {
            cur.reset();
            return STALE;
        }
        final int meta = r.getInt(off + r.metaOffset);
        int flags = meta & 0xFFFF;
        final int state = (meta >>> 16) & 0xFF;
        final int profile = meta >>> 24;
        final long expires = r.getLong(off + r.expiresOffset);
        final int controlCount = r.getInt(off + r.controlOffset);
        if (controlCount == 0 && nowMs >= expires)
        {
            free(r, cur.slot, off, held, false);
            stats.onExpire();
            cur.reset();
            return STALE;
        }
        final int link = r.getInt(off + r.linkOffset);
        final int newState;
        final long timeoutMs;
        boolean assure = false;
        if ((flags & ConnectionFlags.TEMPLATE) != 0)
        {
            newState = state;
            timeoutMs = link & 0xFFFF_FFFFL;
        }
        else
        {
            final int protocol = (int)(r.getLong(off + r.key2Offset) >>> 24) & 0xFF;
            if (protocol == IpProtocol.TCP)
            {
                // ip_vs_proto_tcp.c:set_tcp_state: NOOUTPUT selects INPUT-ONLY; the first reply clears it
                final int table;
                if ((flags & ConnectionFlags.NOOUTPUT) != 0)
                {
                    if (reply)
                    {
                        flags &= ~ConnectionFlags.NOOUTPUT;
                        table = TcpStateMachine.OUTPUT;
                    }
                    else
                    {
                        table = TcpStateMachine.INPUT_ONLY;
                    }
                }
                else
                {
                    table = reply ? TcpStateMachine.OUTPUT : TcpStateMachine.INPUT;
                }
                newState = TcpStateMachine.next(table, state, tcpFlags);
                if (newState != state)
                {
                    final int destinationId = r.getInt(off + r.destIdOffset);
                    if ((flags & ConnectionFlags.INACTIVE) == 0 && newState != TcpState.ESTABLISHED)
                    {
                        counters.transition(destinationId, false);
                        flags |= ConnectionFlags.INACTIVE;
                    }
                    else if ((flags & ConnectionFlags.INACTIVE) != 0 && newState == TcpState.ESTABLISHED)
                    {
                        counters.transition(destinationId, true);
                        flags &= ~ConnectionFlags.INACTIVE;
                    }
                    assure = newState == TcpState.ESTABLISHED;
                }
            }
            else
            {
                // ip_vs_proto_udp.c: one state; a reply assures the controlling template
                newState = TcpState.UDP;
                assure = reply;
            }
            timeoutMs = profiles.timeoutMs(profile, newState);
        }
        final long newExpires = nowMs + timeoutMs;
        final long packets = r.packets(off) + 1;
        final long totalBytes = r.getLong(off + r.bytesOffset) + (bytes & 0xFFFF_FFFFL);
        r.putInt(off + r.metaOffset, (meta & 0xFF00_0000) | newState << 16 | flags);
        r.putLong(off + r.expiresOffset, newExpires);
        r.packets(off, packets);
        r.putLong(off + r.bytesOffset, totalBytes);
        if (assure && link != 0)
        {
            // still holding this entry, so its controller cannot go away (lock order: connection, then controller)
            assureController(r, (link - 1) & r.mask);
        }
        r.release(off, held, LIVE);

        final ConnectionRecord record = cur.record;
        record.flags = flags;
        record.state = newState;
        record.expiresAtMs = newExpires;
        record.packets = r.v6 ? packets : packets & 0xFFFF_FFFFL;
        record.bytes = totalBytes;
        return newState;
    }

    private void assureController(final SlotRegion r, final int slot)
    {
        final int off = r.offset(slot);
        final long ctrl = r.getLongVolatile(off);
        if (!isBusy(ctrl) && kind(ctrl) == LIVE)
        {
            final int meta = r.getInt(off + r.metaOffset);
            VarHandle.acquireFence();
            if (r.getLongVolatile(off) == ctrl &&
                ((meta & ConnectionFlags.TEMPLATE) == 0 || ((meta >>> 16) & 0xFF) == TcpState.ASSURED))
            {
                return; // the common case: nothing to do, no write
            }
        }
        final long held = r.claimLive(off, -1);
        if (held == 0)
        {
            return;
        }
        final int meta = r.getInt(off + r.metaOffset);
        if ((meta & ConnectionFlags.TEMPLATE) != 0)
        {
            r.putInt(off + r.metaOffset, (meta & 0xFF00_FFFF) | TcpState.ASSURED << 16);
        }
        r.release(off, held, LIVE);
    }

    private boolean linkController(final OffHeapConnectionCursor tc, final long nowMs)
    {
        final SlotRegion r = tc.region;
        final int off = r.offset(tc.slot);
        final long held = r.claimLive(off, tc.gen);
        if (held == 0)
        {
            return false;
        }
        final int controlCount = r.getInt(off + r.controlOffset);
        if (controlCount == 0 && nowMs >= r.getLong(off + r.expiresOffset))
        {
            r.release(off, held, LIVE);
            return false;
        }
        r.putInt(off + r.controlOffset, controlCount + 1);
        if ((r.getInt(off + r.metaOffset) & ConnectionFlags.TEMPLATE) != 0)
        {
            // ip_vs_sched_persist: the template's timer restarts from its persistence timeout on every new connection
            r.putLong(off + r.expiresOffset, nowMs + (r.getInt(off + r.linkOffset) & 0xFFFF_FFFFL));
        }
        r.release(off, held, LIVE);
        return true;
    }

    private void releaseController(final SlotRegion r, final int slot, final boolean early)
    {
        final int off = r.offset(slot);
        final long held = r.claimLive(off, -1);
        if (held == 0)
        {
            return; // cannot happen while the count pinned it; nothing to release
        }
        final int controlCount = Math.max(0, r.getInt(off + r.controlOffset) - 1);
        r.putInt(off + r.controlOffset, controlCount);
        final int meta = r.getInt(off + r.metaOffset);
        // ip_vs_conn_expire: a connection deleted early drops its controller with it when that was a control
        // connection or a template that never became ASSURED, and nothing else holds it
        if (early && controlCount == 0 &&
            ((meta & ConnectionFlags.TEMPLATE) == 0 || ((meta >>> 16) & 0xFF) != TcpState.ASSURED))
        {
            free(r, slot, off, held, false);
            stats.onRemove();
            return;
        }
        r.release(off, held, LIVE);
    }

    private void invalidateTemplate(final OffHeapConnectionCursor cur)
    {
        final SlotRegion r = cur.region;
        final int off = r.offset(cur.slot);
        final long held = r.claimLive(off, cur.gen);
        if (held == 0)
        {
            return;
        }
        final long k2 = r.getLong(off + r.key2Offset);
        r.putLong(off + r.key2Offset, (k2 & ~(0xFFL << 16)) | (long)SlotLayout.TYPE_INVALID_TEMPLATE << 16);
        r.release(off, held, LIVE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Removal and expiry
    // ---------------------------------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     * <p>
     * An entry that still controls others is not removed (IPVS never frees a controlling entry; it expires
     * after the last one it controls): the call answers false. Removing a connection early drops its template
     * too when the template never became ASSURED and controls nothing else, as IPVS does.
     */
    @Override
    public boolean remove(final ConnectionCursor cursor)
    {
        final OffHeapConnectionCursor cur = cursor(cursor);
        final SlotRegion r = cur.region;
        if (r == null)
        {
            return false;
        }
        final int off = r.offset(cur.slot);
        final long held = r.claimLive(off, cur.gen);
        if (held == 0)
        {
            cur.reset();
            return false;
        }
        if (r.getInt(off + r.controlOffset) > 0)
        {
            r.release(off, held, LIVE);
            return false;
        }
        free(r, cur.slot, off, held, true);
        stats.onRemove();
        cur.reset();
        return true;
    }

    /**
     * Frees a held LIVE entry: unbinds its destination, drops its reply index entry, turns it into a tombstone and
     * releases its controller. Only the thread that holds the slot gets here, so each of these happens once.
     */
    private void free(final SlotRegion r, final int slot, final int off, final long held, final boolean early)
    {
        final int flags = r.getInt(off + r.metaOffset) & 0xFFFF;
        final boolean isTemplate = (flags & ConnectionFlags.TEMPLATE) != 0;
        final int link = r.getInt(off + r.linkOffset);
        counters.unbind(r.getInt(off + r.destIdOffset), flags);
        if (!isTemplate && ConnectionFlags.method(flags) == ConnectionFlags.MASQ)
        {
            removeReply(r, slot, gen(held), off);
        }
        r.release(off, held, TOMB);
        r.tombstones.incrementAndGet();
        // Clean at once rather than wait for the sweep: under insert/remove churn, tombstones would otherwise
        // fill every free slot and stretch each insert's uniqueness scan to the probe limit.
        r.cleanTombstones(slot);
        size.decrementAndGet();
        if (!isTemplate && link != 0)
        {
            releaseController(r, (link - 1) & r.mask, early);
        }
    }

    private void reclaim(final SlotRegion r, final int slot, final int off, final long ctrl, final long nowMs)
    {
        if (!r.compareAndSetLong(off, ctrl, ctrl | BUSY))
        {
            return;
        }
        final long held = ctrl | BUSY;
        if (r.getInt(off + r.controlOffset) != 0 || nowMs < r.getLong(off + r.expiresOffset))
        {
            r.release(off, held, LIVE);
            return;
        }
        free(r, slot, off, held, false);
        stats.onReclaim();
    }

    /** {@inheritDoc} */
    @Override
    public int sweep(final long nowMs, final int maxSlots)
    {
        final long total = (long)v4.slots + v6.slots + reply.slots;
        final int n = (int)Math.min(Math.max(maxSlots, 0), total);
        if (n == 0)
        {
            return 0;
        }
        // concurrent sweepers take disjoint ranges
        final long start = sweepPosition.getAndAdd(n);
        int removed = 0;
        for (int k = 0; k < n; k++)
        {
            long index = (start + k) % total;
            if (index < v4.slots)
            {
                removed += sweepEntry(v4, (int)index, nowMs);
                continue;
            }
            index -= v4.slots;
            if (index < v6.slots)
            {
                removed += sweepEntry(v6, (int)index, nowMs);
                continue;
            }
            sweepReply((int)(index - v6.slots));
        }
        return removed;
    }

    private int sweepEntry(final SlotRegion r, final int slot, final long nowMs)
    {
        final int off = r.offset(slot);
        final long ctrl = r.getLongVolatile(off);
        int removed = 0;
        if (kind(ctrl) == LIVE && !isBusy(ctrl) && nowMs >= r.getLong(off + r.expiresOffset) &&
            r.compareAndSetLong(off, ctrl, ctrl | BUSY))
        {
            final long held = ctrl | BUSY;
            if (nowMs < r.getLong(off + r.expiresOffset))
            {
                r.release(off, held, LIVE);
            }
            else if (r.getInt(off + r.controlOffset) > 0)
            {
                // ip_vs_conn_expire: an entry that controls others is retried in 60 s, never freed
                r.putLong(off + r.expiresOffset, nowMs + ConnectionTimeouts.CONTROL_RETRY_MS);
                r.release(off, held, LIVE);
            }
            else
            {
                free(r, slot, off, held, false);
                stats.onExpire();
                removed = 1;
            }
        }
        r.cleanTombstones(slot);
        return removed;
    }

    private void sweepReply(final int slot)
    {
        final SlotRegion r = reply;
        final int off = r.offset(slot);
        final long ctrl = r.getLongVolatile(off);
        if (kind(ctrl) == LIVE)
        {
            // a safety net: freeing an entry removes its reply entry, so a dangling one should never be found
            final long pointer = r.getLong(off + REPLY_TARGET);
            VarHandle.acquireFence();
            if (r.getLongVolatile(off) == ctrl)
            {
                final SlotRegion target = (int)(pointer >>> 56) == SlotLayout.REGION_V6 ? v6 : v4;
                final int targetSlot = (int)pointer;
                final long targetCtrl = targetSlot >= 0 && targetSlot < target.slots ?
                    target.getLongVolatile(target.offset(targetSlot)) : 0;
                final int targetKind = kind(targetCtrl);
                final boolean targetAlive = targetKind == LIVE || targetKind == PENDING;
                if (gen(targetCtrl) != ((int)(pointer >>> 32) & 0xFFFF) || !targetAlive)
                {
                    if (r.compareAndSetLong(off, ctrl, released(ctrl, TOMB)))
                    {
                        r.tombstones.incrementAndGet();
                    }
                }
            }
        }
        r.cleanTombstones(slot);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Listing, sizes, life of the table
    // ---------------------------------------------------------------------------------------------------------

    /** {@inheritDoc} */
    @Override
    public void forEach(final long nowMs, final Consumer<ConnectionRecord> consumer)
    {
        final ConnectionRecord record = new ConnectionRecord();
        forEachIn(v4, nowMs, record, consumer);
        forEachIn(v6, nowMs, record, consumer);
    }

    private void forEachIn(
        final SlotRegion r, final long nowMs, final ConnectionRecord record, final Consumer<ConnectionRecord> consumer)
    {
        for (int slot = 0; slot < r.slots; slot++)
        {
            final int off = r.offset(slot);
            while (true)
            {
                final long ctrl = r.getLongAcquire(off);
                if (kind(ctrl) != LIVE)
                {
                    break;
                }
                if (isBusy(ctrl))
                {
                    r.awaitNotBusy(off);
                    continue;
                }
                readEntry(r, off, record);
                VarHandle.acquireFence();
                if (r.getLongVolatile(off) != ctrl)
                {
                    continue;
                }
                if (!isExpired(record, nowMs))
                {
                    consumer.accept(record);
                }
                break;
            }
        }
    }

    /** {@inheritDoc} */
    @Override
    public long size()
    {
        return size.get();
    }

    /** {@inheritDoc} */
    @Override
    public long capacity()
    {
        return (long)v4.slots + v6.slots;
    }

    /** {@inheritDoc} */
    @Override
    public ConnectionTableStats stats()
    {
        return stats;
    }

    /** @return tombstones in the IPv4 and IPv6 regions (freed slots the sweep has not turned back into EMPTY). */
    public long tombstones()
    {
        return v4.tombstones.get() + v6.tombstones.get();
    }

    /** @return tombstones in the reply index. */
    public long replyTombstones()
    {
        return reply.tombstones.get();
    }

    /** @return IPv4 slots. */
    public int v4Slots()
    {
        return v4.slots;
    }

    /** @return IPv6 slots. */
    public int v6Slots()
    {
        return v6.slots;
    }

    /** @return reply index slots. */
    public int replySlots()
    {
        return reply.slots;
    }

    /** @return the longest probe chain. */
    public int maxProbe()
    {
        return v4.maxProbe;
    }

    /** {@inheritDoc} */
    @Override
    public void close()
    {
        if (ownedMemory != null)
        {
            for (final ByteBuffer b : ownedMemory)
            {
                BufferUtil.free(b);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    private OffHeapConnectionCursor cursor(final ConnectionCursor cursor)
    {
        final OffHeapConnectionCursor cur = (OffHeapConnectionCursor)cursor;
        if (cur.table != this)
        {
            throw new IllegalArgumentException("cursor belongs to another table");
        }
        return cur;
    }

    private static boolean keyMatches(
        final SlotRegion r, final int off, final long a, final long b, final long c, final long d, final long k2)
    {
        if ((r.getLong(off + r.key2Offset) & KEY2_MASK) != k2)
        {
            return false;
        }
        if (!r.v6)
        {
            return r.getLong(off + SlotLayout.V4_KEY1) == a;
        }
        return r.getLong(off + SlotLayout.V6_CLIENT_LO) == b && r.getLong(off + SlotLayout.V6_VIRTUAL_LO) == d &&
            r.getLong(off + SlotLayout.V6_CLIENT_HI) == a && r.getLong(off + SlotLayout.V6_VIRTUAL_HI) == c;
    }

    /** Reads a LIVE entry consistently and positions the cursor on it; false when it is gone or expired meanwhile. */
    private boolean readPositioned(
        final SlotRegion r, final int slot, final int off, final int gen, final OffHeapConnectionCursor cur)
    {
        while (true)
        {
            final long ctrl = r.getLongAcquire(off);
            if (kind(ctrl) != LIVE || gen(ctrl) != gen)
            {
                return false;
            }
            if (isBusy(ctrl))
            {
                r.awaitNotBusy(off);
                continue;
            }
            readEntry(r, off, cur.record);
            VarHandle.acquireFence();
            if (r.getLongVolatile(off) == ctrl)
            {
                cur.position(r, slot, gen);
                return true;
            }
        }
    }

    /** Copies an entry into a record (plain reads: the caller validates them against the control word). */
    private static void readEntry(final SlotRegion r, final int off, final ConnectionRecord record)
    {
        // split by family so that each half is small enough for the JIT to inline into the lookup
        if (r.v6)
        {
            readEntryV6(r, off, record);
        }
        else
        {
            readEntryV4(r, off, record);
        }
    }

    private static void readEntryV4(final SlotRegion r, final int off, final ConnectionRecord record)
    {
        final long k1 = r.getLong(off + SlotLayout.V4_KEY1);
        final long k2 = r.getLong(off + SlotLayout.V4_KEY2);
        record.family = FlowKey.AF_INET;
        record.clientHi = 0;
        record.clientLo = k1 >>> 32;
        record.virtualHi = 0;
        record.virtualLo = k1 & 0xFFFF_FFFFL;
        record.destHi = 0;
        record.destLo = r.getInt(off + SlotLayout.V4_DEST) & 0xFFFF_FFFFL;
        record.packets = r.getInt(off + SlotLayout.V4_PACKETS) & 0xFFFF_FFFFL;
        readCommon(r, off, k2, record);
    }

    private static void readEntryV6(final SlotRegion r, final int off, final ConnectionRecord record)
    {
        record.family = FlowKey.AF_INET6;
        record.clientHi = r.getLong(off + SlotLayout.V6_CLIENT_HI);
        record.clientLo = r.getLong(off + SlotLayout.V6_CLIENT_LO);
        record.virtualHi = r.getLong(off + SlotLayout.V6_VIRTUAL_HI);
        record.virtualLo = r.getLong(off + SlotLayout.V6_VIRTUAL_LO);
        record.destHi = r.getLong(off + SlotLayout.V6_DEST_HI);
        record.destLo = r.getLong(off + SlotLayout.V6_DEST_LO);
        record.packets = r.getLong(off + SlotLayout.V6_PACKETS);
        readCommon(r, off, r.getLong(off + SlotLayout.V6_KEY2), record);
    }

    private static void readCommon(final SlotRegion r, final int off, final long k2, final ConnectionRecord record)
    {
        record.protocol = (int)(k2 >>> 24) & 0xFF;
        record.clientPort = (int)(k2 >>> 48);
        record.virtualPort = (int)(k2 >>> 32) & 0xFFFF;
        record.destPort = (int)k2 & 0xFFFF;
        final int meta = r.getInt(off + r.metaOffset);
        record.flags = meta & 0xFFFF;
        record.state = (meta >>> 16) & 0xFF;
        record.timeoutProfile = meta >>> 24;
        record.destinationId = r.getInt(off + r.destIdOffset);
        record.controlCount = r.getInt(off + r.controlOffset);
        record.templateTimeoutMs =
            (meta & ConnectionFlags.TEMPLATE) != 0 ? r.getInt(off + r.linkOffset) & 0xFFFF_FFFFL : 0;
        record.expiresAtMs = r.getLong(off + r.expiresOffset);
        record.bytes = r.getLong(off + r.bytesOffset);
    }

    private static boolean isExpired(final ConnectionRecord record, final long nowMs)
    {
        // an entry that controls others lives on whatever its timer says
        return record.controlCount == 0 && nowMs >= record.expiresAtMs;
    }

    private static int meta(final int flags, final int state, final int profile)
    {
        return (flags & 0xFFFF) | (state & 0xFF) << 16 | (profile & 0xFF) << 24;
    }
}
