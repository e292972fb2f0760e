package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.service.ServiceFlags;

import java.util.Arrays;

/**
 * {@code mh}, IPVS's Maglev hashing ({@code ip_vs_mh.c}), slot for slot: a lookup table of a prime size M maps the
 * client's address (and port with {@code mh-port}) to a real server, with the consistent-hashing property that a
 * change moves few clients.
 * <p>
 * Each server's preference list (offset and skip) comes from {@code hsiphash} of its address and port under fixed
 * keys, so every director computes the same table; servers claim slots in list order, {@code turns} slots per round,
 * from their last non-zero weight reduced by the weights' gcd and shifted right to fit the table. Because the table
 * is built from the last non-zero weight, setting a weight to 0 does not move slots: clients of a quiesced server get
 * no server (or, with {@code mh-fallback}, the kernel's probe sequence's first usable one).
 */
public final class MaglevHashingScheduler extends TableScheduler<MaglevHashingScheduler.State>
{
    /** The ipvsadm name. */
    public static final String NAME = "mh";

    /** The table sizes the kernel offers ({@code CONFIG_IP_VS_MH_TAB_INDEX} 8..17 picks one). */
    static final int[] PRIMES = {251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071};

    /** {@code hsiphash} key of the offsets and the lookups: both words 2654435761. */
    static final long HASH1 = 2654435761L;
    /** {@code hsiphash} key of the skips: both words 2654446892. */
    static final long HASH2 = 2654446892L;

    private final int tableBits;
    private final boolean fallback;
    private final boolean usePort;
    private final long sizeMultiplier;

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options {@link SchedulerOptions#mhTableSize()} and the {@code mh-fallback}/{@code mh-port} flags.
     * @throws IllegalArgumentException when the table size is not one of the kernel's primes.
     */
    public MaglevHashingScheduler(final SchedulerOptions options)
    {
        super(options.mhTableSize(), new State(null, null, 0, 0));
        // IP_VS_MH_TAB_BITS = CONFIG_IP_VS_MH_TAB_INDEX / 2, where the config index is the prime's index + 8
        tableBits = (primeIndex(tableSize()) + 8) / 2;
        fallback = (options.serviceFlags() & ServiceFlags.MH_FALLBACK) != 0;
        usePort = (options.serviceFlags() & ServiceFlags.MH_PORT) != 0;
        sizeMultiplier = FastModulo.multiplier(tableSize());
    }

    /**
     * @param m a table size.
     * @return its index in {@link #PRIMES}.
     * @throws IllegalArgumentException when {@code m} is not one of the kernel's primes.
     */
    private static int primeIndex(final int m)
    {
        for (int i = 0; i < PRIMES.length; i++)
        {
            if (PRIMES[i] == m)
            {
                return i;
            }
        }
        throw new IllegalArgumentException("mh table size " + m + " is not one of the kernel's primes");
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Recomputes gcd and shift and repopulates the table ({@code ip_vs_mh_dest_changed}), then publishes it.
     *
     * @param servers the new list.
     * @throws IllegalArgumentException when the list has more servers than the table has slots (the kernel's
     *                                  {@code -EINVAL}); the previous table stays.
     */
    @Override
    public void update(final RealServerList servers)
    {
        final int n = servers.size();
        final int size = tableSize();
        if (n > size)
        {
            throw new IllegalArgumentException(n + " real servers exceed the mh table size " + size);
        }
        final int gcd = gcdWeight(servers);
        final int rshift = shiftWeight(servers, gcd, tableBits);
        publish(new State(servers, populate(servers, size, gcd, rshift), gcd, rshift));
    }

    /**
     * {@code ip_vs_mh_gcd_weight}: gcd of the positive last weights, 0 when there is none.
     *
     * @param servers the list.
     * @return the gcd or 0.
     */
    static int gcdWeight(final RealServerList servers)
    {
        int g = 0;
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            final int weight = servers.get(i).lastWeight();
            if (weight > 0)
            {
                g = g > 0 ? WeightedRoundRobinScheduler.gcd(weight, g) : weight;
            }
        }
        return g;
    }

    /**
     * {@code ip_vs_mh_shift_weight}: how far to shift {@code last_weight / gcd} so the largest fits the table's
     * bits, keeping rounds short for big weights.
     *
     * @param servers   the list.
     * @param gcd       from {@link #gcdWeight}.
     * @param tableBits {@code IP_VS_MH_TAB_BITS}.
     * @return the shift, {@code >= 0}.
     */
    static int shiftWeight(final RealServerList servers, final int gcd, final int tableBits)
    {
        if (gcd < 1)
        {
            return 0;
        }
        int weight = 0;
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            weight = Math.max(weight, servers.get(i).lastWeight());
        }
        final int mw = weight / gcd;
        final int fls = 32 - Integer.numberOfLeadingZeros(mw);
        return Math.max(0, fls - tableBits);
    }

    /**
     * {@code ip_vs_mh_permutate} and {@code ip_vs_mh_populate}: list positions by slot.
     *
     * @param servers the list.
     * @param m       the table size.
     * @param gcd     the last weights' gcd, 0 when all are 0 (the table is then empty).
     * @param rshift  the weight shift.
     * @return positions, {@code -1} for an empty slot.
     */
    static int[] populate(final RealServerList servers, final int m, final int gcd, final int rshift)
    {
        final int[] lookup = new int[m];
        Arrays.fill(lookup, EMPTY);
        if (gcd < 1)
        {
            return lookup;
        }
        final int n = servers.size();
        final int[] skip = new int[n];
        final int[] perm = new int[n];
        final int[] turns = new int[n];
        for (int i = 0; i < n; i++)
        {
            final RealServer server = servers.get(i);
            final int key = server.port() + server.addressFold();
            perm[i] = Integer.remainderUnsigned(HsipHash.hash32(HASH1, HASH1, key), m);
            skip[i] = Integer.remainderUnsigned(HsipHash.hash32(HASH2, HASH2, key), m - 1) + 1;
            final int lw = server.lastWeight();
            final int t = (lw / gcd) >> rshift;
            turns[i] = t != 0 ? t : (lw != 0 ? 1 : 0);
        }
        final boolean[] taken = new boolean[m];
        int filled = 0;
        while (true)
        {
            int i = 0;
            int count = 0;
            while (i < n)
            {
                if (turns[i] < 1)
                {
                    i++;
                    continue;
                }
                int c = perm[i];
                while (taken[c])
                {
                    c += skip[i];
                    if (c >= m)
                    {
                        c -= m;
                    }
                }
                perm[i] = c;
                taken[c] = true;
                lookup[c] = i;
                if (++filled == m)
                {
                    return lookup;
                }
                if (++count >= turns[i])
                {
                    count = 0;
                    i++;
                }
            }
        }
    }

    /**
     * The server of the client's slot ({@code ip_vs_mh_get}), or with {@code mh-fallback} the first usable one of
     * the kernel's probe sequence ({@code ip_vs_mh_get_fallback}).
     *
     * @param flow  the packet's flow, client to virtual service (reversed by the caller for the inverse cases).
     * @param nowMs unused.
     * @return the server, or null when none may take the connection.
     */
    @Override
    public RealServer pick(final FlowKey flow, final long nowMs)
    {
        final State s = state();
        final int[] lookup = s.table;
        if (lookup == null)
        {
            return null;
        }
        final int size = lookup.length;
        final int port = usePort ? SourceHashingScheduler.portOf(flow) : 0;
        final int key = port + RealServer.fold(flow.family(), flow.srcHi(), flow.srcLo());
        final long multiplier = sizeMultiplier;
        final int ihash = FastModulo.remainder(hashKey(key, 0), multiplier, size);
        int position = lookup[ihash];
        if (position == EMPTY)
        {
            return null;
        }
        final RealServerList list = s.list;
        if (isUsable(list, position))
        {
            return list.get(position);
        }
        if (!fallback)
        {
            return null;
        }
        for (int offset = 0; offset < size; offset++)
        {
            final int roffset = (offset + ihash) % size;
            position = lookup[FastModulo.remainder(hashKey(key, roffset), multiplier, size)];
            if (position == EMPTY)
            {
                break;
            }
            if (isUsable(list, position))
            {
                return list.get(position);
            }
        }
        return null;
    }

    /**
     * {@code ip_vs_mh_hashkey(..., &hash1, offset) % M}.
     *
     * @param portPlusAddress {@code ntohs(port) + ntohl(addr_fold)}.
     * @param offset          probe offset, 0 for the first try.
     * @param m               table size.
     * @return the slot.
     */
    static int slot(final int portPlusAddress, final int offset, final int m)
    {
        return Integer.remainderUnsigned(hashKey(portPlusAddress, offset), m);
    }

    private static int hashKey(final int portPlusAddress, final int offset)
    {
        return HsipHash.hash32(HASH1, HASH1, offset + portPlusAddress);
    }

    private static boolean isUsable(final RealServerList list, final int position)
    {
        // is_unavailable(): weight <= 0 or OVERLOAD
        return list.weight(position) > 0 && !list.counters().isOverloaded(list.id(position));
    }

    /** @return the gcd of the current list's last weights (0 when none is positive), for tests. */
    int gcd()
    {
        return state().gcd;
    }

    /** @return the current weight shift, for tests. */
    int rshift()
    {
        return state().rshift;
    }

    /**
     * The lookup table (list positions by slot, null before the first update) with the gcd and shift it was built
     * with.
     */
    static final class State extends TableScheduler.PositionTable
    {
        final int gcd;
        final int rshift;

        State(final RealServerList list, final int[] lookup, final int gcd, final int rshift)
        {
            super(list, lookup);
            this.gcd = gcd;
            this.rshift = rshift;
        }
    }
}
