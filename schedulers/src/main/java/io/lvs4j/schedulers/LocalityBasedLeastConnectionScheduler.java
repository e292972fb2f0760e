package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code lblc}, locality-based least connection ({@code ip_vs_lblc.c}, reference section 3.3): remembers which
 * real server each packet <em>destination</em> address went to (cache clusters) and keeps sending it there.
 * <p>
 * On a pick, an entry for the destination address is touched ({@code lastuse}) and its server reused when it is
 * still in the list and AVAILABLE, has weight above zero and is not "overloaded" in lblc's sense: more active
 * connections than its weight <em>while</em> some server of the service has {@code activeconns * 2 < weight}.
 * Otherwise wlc over all servers chooses, and the entry is created or pointed at the choice. As in the kernel, the
 * cached server's OVERLOAD (upper threshold) flag is <em>not</em> consulted on reuse; only the wlc fallback skips
 * OVERLOADed servers. A deleted server (no longer in the list, or no longer AVAILABLE) is never returned; its
 * entries are rescheduled on their next use.
 * <p>
 * Entries live in a preallocated {@link LocalityTable} of {@value LocalityTable#DEFAULT_CAPACITY} slots (four times
 * the kernel's {@code max_size} of {@value LocalityTable#DEFAULT_MAX_SIZE}), collected by {@link #tick} exactly as
 * the kernel's timer does. When an address's bucket is full, or another worker is writing the same slot, the wlc
 * choice is returned without being cached ({@link #tableFull()}, {@link #contended()}); the kernel does the same
 * when its {@code GFP_ATOMIC} allocation fails. The table costs about 4.5 MiB of heap per
 * service, allocated up front.
 * <p>
 * {@link #pick} allocates nothing, takes no lock and may run on many threads at once, and with
 * {@link #update} and {@link #tick}.
 */
public final class LocalityBasedLeastConnectionScheduler extends LocalityScheduler<LocalityScheduler.View>
{
    /** The ipvsadm name. */
    public static final String NAME = "lblc";

    private static final int SERVER = LocalityTable.PAYLOAD;
    private static final int STRIDE = 8;

    /**
     * Creates the scheduler with the kernel's table limits.
     *
     * @param options {@link SchedulerOptions#lblcExpirationMs()} is the {@code lblc_expiration} sysctl.
     */
    public LocalityBasedLeastConnectionScheduler(final SchedulerOptions options)
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
    LocalityBasedLeastConnectionScheduler(final SchedulerOptions options, final int capacity, final int maxSize)
    {
        super(new LocalityTable(capacity, STRIDE, maxSize, options.lblcExpirationMs()),
            new View(LocalityTable.NO_SERVERS));
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Takes the new list. The table is kept as the kernel keeps it: entries of a deleted server stay until they
     * are next used (and rescheduled) or collected.
     *
     * @param servers the new list.
     */
    @Override
    public void update(final RealServerList servers)
    {
        publish(new View(servers));
    }

    /**
     * Chooses by the packet's destination address ({@code ip_vs_lblc_schedule}).
     *
     * @param flow  the flow; its destination address is the key.
     * @param nowMs the clock in milliseconds.
     * @return the cached server when still usable, else the wlc choice; null when no server is eligible.
     */
    @Override
    public RealServer pick(final FlowKey flow, final long nowMs)
    {
        final RealServerList list = view().list;
        final int family = flow.family();
        final long hi = flow.dstHi();
        final long lo = flow.dstLo();
        final int fold = RealServer.fold(family, hi, lo);

        final int slot = table.find(family, hi, lo, fold);
        if (slot >= 0)
        {
            final int cachedId = readServer(slot, family, hi, lo);
            if (cachedId >= 0)
            {
                table.touch(slot, nowMs);
                final RealServer cached = list.byId(cachedId);
                if (cached != null && cached.weight() > 0 && list.counters().isAvailable(cachedId) &&
                    !isOverloaded(list, cachedId, cached.weight()))
                {
                    return cached;
                }
            }
        }

        final int position = LoadScan.weightedLeastConnection(list);
        if (position == LoadScan.NONE)
        {
            return null;
        }
        final RealServer dest = list.get(position);
        int claim = LocalityTable.GONE;
        if (slot >= 0)
        {
            claim = table.claimMatching(slot, family, hi, lo);
            if (claim == LocalityTable.CLAIMED)
            {
                try
                {
                    if (table.get(slot, SERVER) != dest.id())
                    {
                        table.put(slot, SERVER, dest.id());
                        table.put(slot, LocalityTable.LAST_USE, nowMs);
                    }
                }
                finally
                {
                    table.release(slot);
                }
            }
        }
        if (slot != LocalityTable.BUSY && claim == LocalityTable.GONE)
        {
            final int free = table.claimFree(family, hi, lo, fold);
            if (free >= 0)
            {
                try
                {
                    table.put(free, SERVER, dest.id());
                    table.publish(free, family, hi, lo, fold, 0, nowMs);
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
     * @return the server id of the slot if it still holds the address, read consistently; -1 otherwise.
     */
    private int readServer(final int slot, final int family, final long hi, final long lo)
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            final long version = table.readBegin(slot);
            if (version < 0)
            {
                Thread.onSpinWait();
                continue;
            }
            final boolean matches = table.keyMatches(slot, family, hi, lo);
            final long id = table.get(slot, SERVER);
            if (table.readValidate(slot, version))
            {
                return matches ? (int)id : -1;
            }
        }
        return -1;
    }

    /**
     * lblc's and lblcr's {@code is_overloaded}: the server has more active connections than its weight and some
     * server of the service has {@code activeconns * 2 < weight}.
     *
     * @param list   the service's servers.
     * @param id     the server's id.
     * @param weight its weight.
     * @return true when the server should give way.
     */
    static boolean isOverloaded(final RealServerList list, final int id, final int weight)
    {
        final DestinationCounters counters = list.counters();
        if (counters.active(id) <= weight)
        {
            return false;
        }
        for (int i = 0, n = list.size(); i < n; i++)
        {
            if ((long)counters.active(list.id(i)) * 2 < list.weight(i))
            {
                return true;
            }
        }
        return false;
    }
}
