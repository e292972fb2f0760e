package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code lblcr}, locality-based least connection with replication ({@code ip_vs_lblcr.c}, reference section 3.3):
 * like {@code lblc}, but each packet destination address maps to a <em>set</em> of real servers that grows when its
 * members are busy and shrinks when it has not changed for {@code lblcr_expiration}.
 * <p>
 * On a pick with an entry ({@code ip_vs_lblcr_schedule}): touch {@code lastuse}; choose the member of least
 * weighted overhead among those not OVERLOADed, AVAILABLE (still in the list) and of weight above zero
 * ({@code ip_vs_dest_set_min}, ties to the earlier member, members newest first); then, if the set has more than
 * one member and {@code now > lastmod + expiration}, remove the member of greatest weighted overhead among those of
 * weight above zero ({@code ip_vs_dest_set_max}; a deleted member counts with its last known weight) and set
 * {@code lastmod}; then return the chosen member unless there is none or it is "overloaded" (the lblc test), in
 * which case wlc over all servers chooses and its choice joins the set at the front ({@code lastmod = now}) if it
 * is not already in it. Without an entry, wlc chooses and a one-member set is created.
 * <p>
 * Deviation: a set holds at most {@value #MAX_MEMBERS} members (the kernel's list is unbounded, in practice bounded
 * by the service's servers). When a full set must take a new server, the oldest member no longer in the list is
 * replaced; if every member is still in the list the server is returned without joining, counted by
 * {@link #setFull()}. The table, its limits and the garbage collection are {@code lblc}'s (see
 * {@link LocalityBasedLeastConnectionScheduler}); entries whose bucket is full are not cached
 * ({@link #tableFull()}) and changes to a set another worker is changing at that instant are skipped
 * ({@link #contended()}), where the kernel would wait on its spin lock. The table costs about 8.5 MiB of heap
 * per service, allocated up front.
 * <p>
 * {@link #pick} allocates nothing, takes no lock and may run on many threads at once, and with
 * {@link #update} and {@link #tick}.
 */
public final class ReplicatedLocalityBasedLeastConnectionScheduler
    extends LocalityScheduler<ReplicatedLocalityBasedLeastConnectionScheduler.WeightedView>
{
    /** The ipvsadm name. */
    public static final String NAME = "lblcr";

    /** Most servers one destination's set holds. */
    public static final int MAX_MEMBERS = 16;

    private static final int LAST_MOD = LocalityTable.PAYLOAD;
    private static final int MEMBERS = LocalityTable.PAYLOAD + 1;
    private static final int STRIDE = 16;
    private static final int SIZE_SHIFT = 16;
    private static final int READ_ATTEMPTS = 8;

    /** A list with the last known weight of every id it ever held, published together. */
    static final class WeightedView extends LocalityScheduler.View
    {
        final int[] lastWeights;

        WeightedView(final RealServerList list, final int[] lastWeights)
        {
            super(list);
            this.lastWeights = lastWeights;
        }
    }

    private final long expirationMs;
    private final AtomicLong setFull = new AtomicLong();

    /**
     * Creates the scheduler with the kernel's table limits.
     *
     * @param options {@link SchedulerOptions#lblcExpirationMs()} is the {@code lblcr_expiration} sysctl.
     */
    public ReplicatedLocalityBasedLeastConnectionScheduler(final SchedulerOptions options)
    {
        this(options, LocalityTable.DEFAULT_CAPACITY, LocalityTable.DEFAULT_MAX_SIZE);
    }

    /**
     * Creates the scheduler with other table limits (tests).
     *
     * @param options  options.
     * @param capacity slots, a power of two.
     * @param maxSize  the kernel's {@code max_size}.
     */
    ReplicatedLocalityBasedLeastConnectionScheduler(
        final SchedulerOptions options, final int capacity, final int maxSize)
    {
        super(new LocalityTable(capacity, STRIDE, maxSize, options.lblcExpirationMs()),
            new WeightedView(LocalityTable.NO_SERVERS, new int[0]));
        expirationMs = options.lblcExpirationMs();
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Takes the new list. Sets keep their members; a deleted member is skipped by the choice and removed by the
     * shrink rule (or replaced when its set is full), as the kernel keeps the deleted dest in the set.
     *
     * @param servers the new list.
     */
    @Override
    public void update(final RealServerList servers)
    {
        final WeightedView old = view();
        final int capacity = servers.counters().capacity();
        final int[] weights = old.list.counters() == servers.counters() ?
            Arrays.copyOf(old.lastWeights, capacity) : new int[capacity];
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            weights[servers.id(i)] = servers.weight(i);
        }
        publish(new WeightedView(servers, weights));
    }

    /**
     * Chooses by the packet's destination address ({@code ip_vs_lblcr_schedule}).
     *
     * @param flow  the flow; its destination address is the key.
     * @param nowMs the clock in milliseconds.
     * @return the least loaded usable member of the address's set, else the wlc choice; null when no server is
     * eligible.
     */
    @Override
    public RealServer pick(final FlowKey flow, final long nowMs)
    {
        final WeightedView v = view();
        final RealServerList list = v.list;
        final int family = flow.family();
        final long hi = flow.dstHi();
        final long lo = flow.dstLo();
        final int fold = RealServer.fold(family, hi, lo);

        final int slot = table.find(family, hi, lo, fold);
        if (slot == LocalityTable.BUSY)
        {
            return wlc(list);
        }
        if (slot >= 0)
        {
            final long found = readSetMin(slot, family, hi, lo, list);
            if (found == LocalityTable.BUSY)
            {
                return wlc(list);
            }
            if (found != LocalityTable.ABSENT)
            {
                table.touch(slot, nowMs);
                final int leastId = (int)found;
                final int size = (int)(found >>> 32) & 0xFF;
                final long lastMod = table.get(slot, LAST_MOD);
                if (size > 1 && nowMs - (lastMod + expirationMs) > 0)
                {
                    shrink(slot, family, hi, lo, v, nowMs);
                }
                if (leastId >= 0)
                {
                    final RealServer least = list.byId(leastId);
                    if (least != null && !LocalityBasedLeastConnectionScheduler.isOverloaded(
                        list, leastId, least.weight()))
                    {
                        return least;
                    }
                }
                final RealServer dest = wlc(list);
                if (dest != null && table.claimMatching(slot, family, hi, lo) == LocalityTable.CLAIMED)
                {
                    try
                    {
                        insertMember(slot, dest.id(), list, nowMs);
                    }
                    finally
                    {
                        table.release(slot);
                    }
                }
                return dest;
            }
        }

        final RealServer dest = wlc(list);
        if (dest != null)
        {
            final int free = table.claimFree(family, hi, lo, fold);
            if (free >= 0)
            {
                try
                {
                    putMember(free, 0, dest.id());
                    table.put(free, LAST_MOD, nowMs);
                    table.publish(free, family, hi, lo, fold, 1L << SIZE_SHIFT, nowMs);
                }
                finally
                {
                    table.release(free);
                }
            }
        }
        return dest;
    }

    /**
     * Diagnostics: the set of a destination address, read consistently. Like a pick, it never waits for a writer:
     * it makes at most {@value #READ_ATTEMPTS} attempts at a consistent read and reports the entry busy when the
     * slot was being written (or changed under it) every time, rather than spinning for as long as a writer holds
     * the slot.
     *
     * @param flow the flow whose destination address is the key.
     * @param into receives the member ids, newest first; at least {@link #MAX_MEMBERS} long. Its content is
     *             undefined unless the result is a size.
     * @return the set's size; -1 ({@link LocalityTable#ABSENT}) when there is no entry; -2
     * ({@link LocalityTable#BUSY}) when the entry's slot was being written for every attempt, in {@code find} or
     * here.
     */
    int members(final FlowKey flow, final int[] into)
    {
        final int family = flow.family();
        final long hi = flow.dstHi();
        final long lo = flow.dstLo();
        final int slot = table.find(family, hi, lo, RealServer.fold(family, hi, lo));
        if (slot < 0)
        {
            return slot;
        }
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++)
        {
            final long version = table.readBegin(slot);
            if (version < 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final boolean matches = table.keyMatches(slot, family, hi, lo);
            final int size = Math.min(size(slot), MAX_MEMBERS);
            for (int k = 0; k < size; k++)
            {
                into[k] = member(slot, k);
            }
            if (table.readValidate(slot, version))
            {
                return matches ? size : LocalityTable.ABSENT;
            }
        }
        return LocalityTable.BUSY;
    }

    private static RealServer wlc(final RealServerList list)
    {
        final int position = LoadScan.weightedLeastConnection(list);
        return position == LoadScan.NONE ? null : list.get(position);
    }

    /**
     * Reads the set consistently and runs {@code ip_vs_dest_set_min} over it.
     *
     * @return {@code size << 32 | (leastId & 0xFFFFFFFF)} with leastId -1 when no member is usable;
     * {@link LocalityTable#ABSENT} when the slot no longer holds the address; {@link LocalityTable#BUSY}.
     */
    private long readSetMin(
        final int slot, final int family, final long hi, final long lo, final RealServerList list)
    {
        for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++)
        {
            final long version = table.readBegin(slot);
            if (version < 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final boolean matches = table.keyMatches(slot, family, hi, lo);
            final int size = Math.min(size(slot), MAX_MEMBERS);
            final int least = matches ? setMin(slot, size, list) : -1;
            if (table.readValidate(slot, version))
            {
                return matches ? ((long)size << 32) | (least & 0xFFFF_FFFFL) : LocalityTable.ABSENT;
            }
        }
        return LocalityTable.BUSY;
    }

    /** {@code ip_vs_dest_set_min}; members are read without validation, the caller validates. */
    private int setMin(final int slot, final int size, final RealServerList list)
    {
        final DestinationCounters counters = list.counters();
        int least = -1;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (int k = 0; k < size; k++)
        {
            final int id = member(slot, k);
            final RealServer server = list.byId(id);
            if (server == null)
            {
                continue; // deleted: not AVAILABLE, never chosen
            }
            if (counters.isOverloaded(id))
            {
                continue;
            }
            final int weight = server.weight();
            final boolean available = counters.isAvailable(id);
            if (least < 0)
            {
                if (weight > 0 && available)
                {
                    least = id;
                    leastOverhead = counters.overhead(id);
                    leastWeight = weight;
                }
                continue;
            }
            final long overhead = counters.overhead(id);
            if (leastOverhead * weight > overhead * leastWeight && available)
            {
                least = id;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }
        return least;
    }

    /**
     * Removes the most loaded member when the set still has more than one ({@code ip_vs_dest_set_max},
     * {@code ip_vs_dest_set_erase}); skipped when another thread is writing the slot.
     */
    private void shrink(
        final int slot, final int family, final long hi, final long lo, final WeightedView v, final long nowMs)
    {
        if (table.claimMatching(slot, family, hi, lo) != LocalityTable.CLAIMED)
        {
            return;
        }
        try
        {
            final int size = size(slot);
            if (size > 1)
            {
                final int most = setMax(slot, size, v);
                if (most >= 0)
                {
                    for (int k = most; k < size - 1; k++)
                    {
                        putMember(slot, k, member(slot, k + 1));
                    }
                    setSize(slot, size - 1);
                    table.put(slot, LAST_MOD, nowMs);
                }
            }
        }
        finally
        {
            table.release(slot);
        }
    }

    /**
     * {@code ip_vs_dest_set_max}: the first member of weight above zero, replaced by a later one of weight above
     * zero when {@code moh * w(d) < doh * w(most)}. Weights are the last known ones, so a deleted member still
     * takes part, as the kernel's held dest does.
     *
     * @return the member's index in the set, or -1.
     */
    private int setMax(final int slot, final int size, final WeightedView v)
    {
        final DestinationCounters counters = v.list.counters();
        final int[] lastWeights = v.lastWeights;
        int most = -1;
        long mostOverhead = 0;
        long mostWeight = 0;
        for (int k = 0; k < size; k++)
        {
            final int id = member(slot, k);
            final int weight = id < lastWeights.length && id < counters.capacity() ? lastWeights[id] : 0;
            if (weight <= 0)
            {
                continue;
            }
            final long overhead = counters.overhead(id);
            if (most < 0 || mostOverhead * weight < overhead * mostWeight)
            {
                most = k;
                mostOverhead = overhead;
                mostWeight = weight;
            }
        }
        return most;
    }

    /**
     * {@code ip_vs_dest_set_insert} with {@code check}: nothing when already a member; else the server joins at the
     * front and {@code lastmod} is set. Called under a claim.
     */
    private void insertMember(final int slot, final int id, final RealServerList list, final long nowMs)
    {
        final int size = size(slot);
        for (int k = 0; k < size; k++)
        {
            if (member(slot, k) == id)
            {
                return;
            }
        }
        int last = size;
        if (size == MAX_MEMBERS)
        {
            last = -1;
            for (int k = size - 1; k >= 0; k--)
            {
                if (list.byId(member(slot, k)) == null)
                {
                    last = k;
                    break;
                }
            }
            if (last < 0)
            {
                setFull.incrementAndGet();
                return;
            }
        }
        for (int k = last; k > 0; k--)
        {
            putMember(slot, k, member(slot, k - 1));
        }
        putMember(slot, 0, id);
        if (last == size)
        {
            setSize(slot, size + 1);
        }
        table.put(slot, LAST_MOD, nowMs);
    }

    private int size(final int slot)
    {
        return (int)(table.get(slot, LocalityTable.META) >>> SIZE_SHIFT) & 0xFF;
    }

    private void setSize(final int slot, final int size)
    {
        final long meta = table.get(slot, LocalityTable.META);
        table.put(slot, LocalityTable.META, (meta & ((1L << SIZE_SHIFT) - 1)) | ((long)size << SIZE_SHIFT));
    }

    private int member(final int slot, final int k)
    {
        final long word = table.get(slot, MEMBERS + (k >> 1));
        return (k & 1) == 0 ? (int)word : (int)(word >>> 32);
    }

    private void putMember(final int slot, final int k, final int id)
    {
        final int index = MEMBERS + (k >> 1);
        final long word = table.get(slot, index);
        final long updated = (k & 1) == 0 ?
            (word & 0xFFFF_FFFF_0000_0000L) | (id & 0xFFFF_FFFFL) :
            (word & 0xFFFF_FFFFL) | ((long)id << 32);
        table.put(slot, index, updated);
    }

    /** @return servers that could not join a set because it was full of servers still in the list. */
    public long setFull()
    {
        return setFull.get();
    }
}
