package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.service.RealServerList;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The destination-address table of {@code lblc} and {@code lblcr} ({@code ip_vs_lblc_table},
 * {@code ip_vs_lblcr_table}) and its garbage collection ({@code ip_vs_lblc_check_expire}), rebuilt so that
 * workers can use it concurrently without allocating or locking.
 * <p>
 * The kernel chains entries it allocates with {@code GFP_ATOMIC} in 1024 buckets under a spin lock. Here the table
 * is preallocated: {@code capacity} slots of {@code stride} longs in one {@code long[]}, grouped set-associatively
 * in buckets of {@link #WAYS} slots; an address lives in one of the ways of bucket
 * {@code hash_32(addr_fold, bucketBits)} (the kernel's current hash, over more bits). There are no probe chains, so
 * a removal just frees its slot. A full bucket is the table-full case: the scheduler keeps the wlc choice without
 * caching it and {@link #tableFull()} counts it (the kernel likewise "just uses the valid dest" when its
 * allocation fails).
 * <p>
 * Each slot is a seqlock: word {@link #VERSION} is even while stable and odd while a writer owns it. A writer
 * claims a slot by a single compare-and-set from even to odd and never waits: when another writer holds it the
 * change is skipped ({@link #contended()}). A reader takes the version, reads the key and payload, and keeps what
 * it read only if the version is unchanged, so it can never pair the address of one entry with the server of
 * another. A per-slot tag (folded address, family, occupied bit) in a separate compact array lets a lookup skip
 * unrelated ways without touching their slots; it is only a hint, the versioned slot is authoritative.
 * {@link #LAST_USE} is touched by readers without claiming, as the kernel does ("we only hold a read lock, but
 * this is atomic").
 * <p>
 * Garbage collection runs on the control plane's {@link #tick} and matches the kernel's timer: every
 * {@link #CHECK_EXPIRE_INTERVAL_MS}; every {@link #COUNT_FOR_FULL_EXPIRATION}th run without an over-full table a
 * full sweep drops entries unused for the expiration; otherwise, only when there are more than {@code maxSize}
 * entries, entries idle for {@link #ENTRY_TIMEOUT_MS} are dropped bucket by bucket from a rotating rover until
 * {@code goal = min((entries - maxSize) * 4 / 3, maxSize / 2)} are gone.
 */
final class LocalityTable
{
    /** Slots per bucket. */
    static final int WAYS = 16;
    /** Slots of the production table: four times the kernel's {@code max_size}. */
    static final int DEFAULT_CAPACITY = 65536;
    /** The kernel's {@code max_size}: {@code IP_VS_LBLC_TAB_SIZE * 16}. */
    static final int DEFAULT_MAX_SIZE = 16 * 1024;
    /** {@code CHECK_EXPIRE_INTERVAL}: 60 s. */
    static final long CHECK_EXPIRE_INTERVAL_MS = 60_000L;
    /** {@code ENTRY_TIMEOUT}: 6 min. */
    static final long ENTRY_TIMEOUT_MS = 6 * 60_000L;
    /** {@code COUNT_FOR_FULL_EXPIRATION}. */
    static final int COUNT_FOR_FULL_EXPIRATION = 30;

    /** Slot word: the seqlock version. */
    static final int VERSION = 0;
    /** Slot word: address, high 64 bits. */
    static final int KEY_HI = 1;
    /** Slot word: address, low 64 bits. */
    static final int KEY_LO = 2;
    /** Slot word: family (bits 0..7), {@link #OCCUPIED}, and the caller's bits from 16 up. */
    static final int META = 3;
    /** Slot word: last use in milliseconds. */
    static final int LAST_USE = 4;
    /** First slot word the caller owns. */
    static final int PAYLOAD = 5;

    /** {@link #META} bit of a slot holding an entry. */
    static final long OCCUPIED = 0x100;

    /** Lookup result: no entry for the address. */
    static final int ABSENT = -1;
    /** Lookup result: the address's slot was being written for every attempt; treat as not cached. */
    static final int BUSY = -2;
    /** {@link #claimMatching} result: claimed. */
    static final int CLAIMED = 1;
    /** {@link #claimMatching} result: the slot no longer holds the address. */
    static final int GONE = 0;

    private static final int READ_ATTEMPTS = 8;
    private static final int GOLDEN_RATIO_32 = 0x61C88647;
    private static final VarHandle LONGS = MethodHandles.arrayElementVarHandle(long[].class);

    /** Empty list a scheduler picks from before its first update. */
    static final RealServerList NO_SERVERS = RealServerList.empty(new DestinationCounters(1));

    private final long[] data;
    private final long[] tags;
    private final int stride;
    private final int ways;
    private final int buckets;
    private final int bucketBits;
    private final int maxSize;
    private final long expirationMs;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong tableFull = new AtomicLong();
    private final AtomicLong contended = new AtomicLong();

    private boolean gcArmed;
    private long lastGcMs;
    private int rover;
    private int counter = 1;
    private volatile long gcRuns;

    /**
     * @param capacity     slots, a power of two.
     * @param stride       longs per slot, at least {@link #PAYLOAD}.
     * @param maxSize      the kernel's {@code max_size}.
     * @param expirationMs {@code lblc_expiration}.
     */
    LocalityTable(final int capacity, final int stride, final int maxSize, final long expirationMs)
    {
        if (capacity <= 0 || Integer.bitCount(capacity) != 1)
        {
            throw new IllegalArgumentException("capacity " + capacity + " is not a power of two");
        }
        if (stride < PAYLOAD || maxSize <= 0 || expirationMs < 0)
        {
            throw new IllegalArgumentException("stride " + stride + " maxSize " + maxSize + " expiration " +
                expirationMs);
        }
        this.stride = stride;
        this.ways = Math.min(WAYS, capacity);
        this.buckets = capacity / ways;
        this.bucketBits = Integer.numberOfTrailingZeros(buckets);
        this.maxSize = maxSize;
        this.expirationMs = expirationMs;
        data = new long[capacity * stride];
        tags = new long[capacity];
    }

    /** @return entries in the table now. */
    long entries()
    {
        return entries.get();
    }

    /** @return how many times an entry could not be created because its bucket was full. */
    long tableFull()
    {
        return tableFull.get();
    }

    /**
     * @return how many table changes were skipped because another thread was writing the same slot, or had just
     * added (or was adding) the same address.
     */
    long contended()
    {
        return contended.get();
    }

    /** @return garbage-collection runs so far. */
    long gcRuns()
    {
        return gcRuns;
    }

    /**
     * @param family address family.
     * @param fold   the folded address.
     * @return the tag a slot holding that address carries.
     */
    static long tag(final int family, final int fold)
    {
        return ((long)fold << 32) | ((long)family << 1) | 1L;
    }

    private int firstSlot(final int fold)
    {
        final long hash = (fold * GOLDEN_RATIO_32) & 0xFFFF_FFFFL;
        return (int)(hash >>> (32 - bucketBits)) * ways;
    }

    private int base(final int slot)
    {
        return slot * stride;
    }

    /**
     * @param slot  slot.
     * @param index word within the slot.
     * @return the word, read opaquely (for use between {@link #readBegin} and {@link #readValidate}).
     */
    long get(final int slot, final int index)
    {
        return (long)LONGS.getOpaque(data, base(slot) + index);
    }

    /**
     * @param slot  a slot this thread has claimed.
     * @param index word within the slot.
     * @param value the value.
     */
    void put(final int slot, final int index, final long value)
    {
        LONGS.setOpaque(data, base(slot) + index, value);
    }

    /**
     * @param slot slot.
     * @return the stable version to validate against, or -1 while a writer owns the slot.
     */
    long readBegin(final int slot)
    {
        final long version = (long)LONGS.getAcquire(data, base(slot) + VERSION);
        return (version & 1) == 0 ? version : -1;
    }

    /**
     * @param slot    slot.
     * @param version what {@link #readBegin} returned.
     * @return true when nothing changed the slot since, so what was read in between is consistent.
     */
    boolean readValidate(final int slot, final long version)
    {
        VarHandle.acquireFence();
        return (long)LONGS.getOpaque(data, base(slot) + VERSION) == version;
    }

    /**
     * Whether the slot holds the address; valid as part of a read validated by {@link #readValidate} or under a
     * claim.
     */
    boolean keyMatches(final int slot, final int family, final long hi, final long lo)
    {
        final int b = base(slot);
        final long meta = (long)LONGS.getOpaque(data, b + META);
        return (meta & OCCUPIED) != 0 && (int)(meta & 0xFF) == family &&
            (long)LONGS.getOpaque(data, b + KEY_HI) == hi && (long)LONGS.getOpaque(data, b + KEY_LO) == lo;
    }

    /**
     * Tries to take the slot for writing; never waits.
     *
     * @param slot slot.
     * @return true when this thread now owns it and must {@link #release} it.
     */
    boolean claim(final int slot)
    {
        final int index = base(slot) + VERSION;
        final long version = (long)LONGS.getVolatile(data, index);
        if ((version & 1) != 0 || !LONGS.compareAndSet(data, index, version, version + 1))
        {
            return false;
        }
        VarHandle.releaseFence();
        return true;
    }

    /**
     * Ends a claim and publishes what was written.
     *
     * @param slot a claimed slot.
     */
    void release(final int slot)
    {
        final int index = base(slot) + VERSION;
        final long version = (long)LONGS.get(data, index);
        LONGS.setRelease(data, index, version + 1);
    }

    /**
     * Claims the slot if it still holds the address.
     *
     * @return {@link #CLAIMED} (the caller must {@link #release} it), {@link #GONE} when the slot holds another
     * address or none, or {@link #BUSY} when another writer held it (counted as contended).
     */
    int claimMatching(final int slot, final int family, final long hi, final long lo)
    {
        if (!claim(slot))
        {
            contended.incrementAndGet();
            return BUSY;
        }
        if (keyMatches(slot, family, hi, lo))
        {
            return CLAIMED;
        }
        release(slot);
        return GONE;
    }

    /**
     * @param slot  slot.
     * @param nowMs the clock.
     */
    void touch(final int slot, final long nowMs)
    {
        LONGS.setOpaque(data, base(slot) + LAST_USE, nowMs);
    }

    /**
     * The slot holding the address ({@code ip_vs_lblc_get}), checked by a consistent read at the time of the call.
     *
     * @return the slot, {@link #ABSENT} or {@link #BUSY}.
     */
    int find(final int family, final long hi, final long lo, final int fold)
    {
        final long tag = tag(family, fold);
        final int first = firstSlot(fold);
        boolean busy = false;
        for (int slot = first, end = first + ways; slot < end; slot++)
        {
            if ((long)LONGS.getOpaque(tags, slot) != tag)
            {
                continue;
            }
            boolean settled = false;
            for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++)
            {
                final long version = readBegin(slot);
                if (version < 0)
                {
                    Thread.onSpinWait();
                    continue;
                }
                final boolean matches = keyMatches(slot, family, hi, lo);
                if (readValidate(slot, version))
                {
                    if (matches)
                    {
                        return slot;
                    }
                    settled = true;
                    break;
                }
            }
            busy |= !settled;
        }
        return busy ? BUSY : ABSENT;
    }

    /**
     * Claims a free slot in the address's bucket for a new entry: the first free way, so that two threads adding
     * the same address race for the same slot and one of them gives up. On success the caller writes the payload,
     * calls {@link #publish} and then {@link #release}, the release in a {@code finally} so that the slot is freed
     * whatever happens in between.
     * <p>
     * A caller's {@link #find} may be stale: another thread may have added the address since, in the first free
     * way of that moment, so that this call finds a later way free. Having claimed its way, the call therefore
     * looks at the bucket's other ways again and gives up (releasing the way untouched) when one of them holds the
     * address, or could be receiving it from another thread right now (see {@code raced}); otherwise the address
     * would be cached twice, the second copy wasting a way until the full sweep and counting in {@link #entries()}
     * towards the collection's goal.
     *
     * @param family address family.
     * @param hi     address, high 64 bits.
     * @param lo     address, low 64 bits.
     * @param fold   the folded address.
     * @return the claimed slot, {@link #ABSENT} when the bucket is full (counted in {@link #tableFull()}), or
     * {@link #BUSY} when another writer got there first or the address is, or is being, cached in another way
     * (counted in {@link #contended()}).
     */
    int claimFree(final int family, final long hi, final long lo, final int fold)
    {
        final int first = firstSlot(fold);
        for (int slot = first, end = first + ways; slot < end; slot++)
        {
            if ((long)LONGS.getOpaque(tags, slot) != 0)
            {
                continue;
            }
            if (claim(slot))
            {
                if ((get(slot, META) & OCCUPIED) == 0 && !raced(slot, family, hi, lo, fold))
                {
                    return slot;
                }
                release(slot);
            }
            contended.incrementAndGet();
            return BUSY;
        }
        tableFull.incrementAndGet();
        return ABSENT;
    }

    /**
     * With {@code claimed} (a free way of the address's bucket) claimed by this thread: whether another way of the
     * bucket holds the address, or may be about to. It checks every other way, starting with a volatile read of its
     * version, taken after this thread's claim:
     * <ul>
     * <li>a way tagged for another address is skipped;</li>
     * <li>a way being written that is untagged or tagged like the address is a possible concurrent insert (or an
     * update of the address's entry), so true;</li>
     * <li>a stable way tagged like the address is true when a validated read finds the address in it (true also
     * when it kept changing for every attempt).</li>
     * </ul>
     * Two threads adding the same address in different ways (possible when a collection freed a way between their
     * scans) both claim before they look, so by the order of volatile accesses at least one of them sees the
     * other's way odd, or published with the address: at most one of them goes on. Lock-free and allocation-free.
     */
    private boolean raced(final int claimed, final int family, final long hi, final long lo, final int fold)
    {
        final long tag = tag(family, fold);
        final int first = firstSlot(fold);
        for (int slot = first, end = first + ways; slot < end; slot++)
        {
            if (slot == claimed)
            {
                continue;
            }
            final int index = base(slot) + VERSION;
            boolean settled = false;
            for (int attempt = 0; attempt < READ_ATTEMPTS && !settled; attempt++)
            {
                final long version = (long)LONGS.getVolatile(data, index);
                final long slotTag = (long)LONGS.getOpaque(tags, slot);
                if (slotTag != 0 && slotTag != tag)
                {
                    settled = true;
                }
                else if ((version & 1) != 0)
                {
                    return true;
                }
                else if (slotTag == 0)
                {
                    settled = true;
                }
                else
                {
                    final boolean matches = keyMatches(slot, family, hi, lo);
                    if (readValidate(slot, version))
                    {
                        if (matches)
                        {
                            return true;
                        }
                        settled = true;
                    }
                }
            }
            if (!settled)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the key of a slot claimed by {@link #claimFree}, marks it occupied and counts it; the caller then
     * {@link #release releases} the slot, which makes the entry visible.
     *
     * @param metaBits the caller's {@link #META} bits (16 and up).
     */
    void publish(
        final int slot, final int family, final long hi, final long lo, final int fold, final long metaBits,
        final long nowMs)
    {
        put(slot, KEY_HI, hi);
        put(slot, KEY_LO, lo);
        put(slot, LAST_USE, nowMs);
        put(slot, META, metaBits | OCCUPIED | (family & 0xFF));
        LONGS.setOpaque(tags, slot, tag(family, fold));
        entries.incrementAndGet();
    }

    private void free(final int slot)
    {
        put(slot, META, 0);
        LONGS.setOpaque(tags, slot, 0L);
        entries.decrementAndGet();
    }

    /**
     * Drops every entry ({@code ip_vs_lblc_flush}); slots a worker is writing at that moment are retried briefly
     * and left if still busy.
     */
    void flush()
    {
        for (int slot = 0, n = tags.length; slot < n; slot++)
        {
            for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++)
            {
                if (claim(slot))
                {
                    if ((get(slot, META) & OCCUPIED) != 0)
                    {
                        free(slot);
                    }
                    release(slot);
                    break;
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * The control plane's periodic call: the first call starts the timer ({@code init_service}), then the
     * collection runs once {@link #CHECK_EXPIRE_INTERVAL_MS} have passed since the previous run.
     *
     * @param nowMs the clock.
     */
    void tick(final long nowMs)
    {
        if (!gcArmed)
        {
            gcArmed = true;
            lastGcMs = nowMs;
            return;
        }
        if (nowMs - lastGcMs < CHECK_EXPIRE_INTERVAL_MS)
        {
            return;
        }
        lastGcMs = nowMs;
        checkExpire(nowMs);
        gcRuns = gcRuns + 1;
    }

    /**
     * One run of {@code ip_vs_lblc_check_expire}.
     *
     * @param nowMs the clock.
     */
    void checkExpire(final long nowMs)
    {
        if (counter % COUNT_FOR_FULL_EXPIRATION == 0)
        {
            fullCheck(nowMs);
            counter = 1;
            return;
        }
        final long count = entries.get();
        if (count <= maxSize)
        {
            counter++;
            return;
        }
        long goal = (count - maxSize) * 4 / 3;
        if (goal > maxSize / 2)
        {
            goal = maxSize / 2;
        }
        int j = rover;
        for (int i = 0; i < buckets; i++)
        {
            j = (j + 1) & (buckets - 1);
            goal -= expireBucket(j, nowMs, ENTRY_TIMEOUT_MS);
            if (goal <= 0)
            {
                break;
            }
        }
        rover = j;
    }

    /**
     * {@code ip_vs_lblc_full_check}: drops every entry unused for the expiration.
     *
     * @param nowMs the clock.
     */
    private void fullCheck(final long nowMs)
    {
        int j = rover;
        for (int i = 0; i < buckets; i++)
        {
            j = (j + 1) & (buckets - 1);
            expireBucket(j, nowMs, expirationMs);
        }
        rover = j;
    }

    private int expireBucket(final int bucket, final long nowMs, final long idleMs)
    {
        int removed = 0;
        for (int slot = bucket * ways, end = slot + ways; slot < end; slot++)
        {
            if ((long)LONGS.getOpaque(tags, slot) == 0 || nowMs - get(slot, LAST_USE) < idleMs)
            {
                continue;
            }
            if (!claim(slot))
            {
                contended.incrementAndGet();
                continue;
            }
            if ((get(slot, META) & OCCUPIED) != 0 && nowMs - get(slot, LAST_USE) >= idleMs)
            {
                free(slot);
                removed++;
            }
            release(slot);
        }
        return removed;
    }
}
