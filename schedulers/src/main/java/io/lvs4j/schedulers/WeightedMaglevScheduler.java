package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

import java.util.Arrays;

/**
 * {@code maglev}, weighted Maglev consistent hashing (beyond IPVS): the flow's full 5-tuple indexes a lookup table
 * of prime size M (default 65537, the paper's), built as Katran's {@code MaglevV2} does, so that a server's share of
 * the table follows its weight and a change of the list moves close to the minimum of flows.
 * <p>
 * Each server's preference list (offset, skip) comes from a fixed hash of its family, address and port, so any two
 * directors with the same list build the same table. Population runs in rounds; in each round every server adds its
 * weight to an accumulator and claims its next free preferred slot when the accumulator reaches the largest
 * weight, which then is subtracted. A server of weight 0 claims nothing. Servers are taken in list order.
 * <p>
 * A flow whose slot belongs to an overloaded server goes to the server of the first following slot that is not
 * overloaded, so that the displaced flows spread like the table does.
 */
public final class WeightedMaglevScheduler extends TableScheduler<TableScheduler.PositionTable>
{
    /** The scheduler's name. */
    public static final String NAME = "maglev";

    /** Seed of the flow hash for the lookup, fixed so that every director maps a flow alike. */
    public static final long FLOW_SEED = 0x6D61_676C_6576_3031L;

    private static final long OFFSET_SEED = 0x243F_6A88_85A3_08D3L;
    private static final long SKIP_SEED = 0x1319_8A2E_0370_7344L;

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options {@link SchedulerOptions#maglevTableSize()}.
     * @throws IllegalArgumentException when the table size is not a prime.
     */
    public WeightedMaglevScheduler(final SchedulerOptions options)
    {
        super(checkTableSize(options.maglevTableSize()), new PositionTable(null, null));
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Builds the table for the list and publishes it.
     *
     * @param servers the new list.
     */
    @Override
    public void update(final RealServerList servers)
    {
        publish(new PositionTable(servers, buildTable(servers, tableSize())));
    }

    /**
     * The server of the flow's slot, or of the first following slot whose server is not overloaded.
     *
     * @param flow  the packet's flow.
     * @param nowMs unused.
     * @return the server, or null when the table is empty or every server in it is overloaded.
     */
    @Override
    public RealServer pick(final FlowKey flow, final long nowMs)
    {
        final PositionTable s = state();
        final int[] table = s.table;
        if (table == null)
        {
            return null;
        }
        final RealServerList list = s.list;
        final DestinationCounters counters = list.counters();
        final int m = table.length;
        int slot = slotOf(flow.hash(FLOW_SEED), m);
        // bounded: one lap of the table at most, and that only when every server in it is overloaded
        for (int probes = 0; probes < m; probes++)
        {
            final int position = table[slot];
            if (!counters.isOverloaded(list.id(position)))
            {
                return list.get(position);
            }
            if (++slot == m)
            {
                slot = 0;
            }
        }
        return null;
    }

    /**
     * Maps a 64-bit flow hash to a slot by multiply-shift of its high half (Lemire's reduction): uniform and
     * without a division.
     *
     * @param hash the flow hash.
     * @param m    the table size.
     * @return the slot, {@code 0 <= slot < m}.
     */
    static int slotOf(final long hash, final int m)
    {
        return (int)(((hash >>> 32) * m) >>> 32);
    }

    /**
     * Builds the lookup table for a list (also usable on its own, for benchmarks and offline checks).
     *
     * @param servers the list, in its order.
     * @param m       the table size, a prime.
     * @return list positions by slot; null when no server has a positive weight.
     * @throws IllegalArgumentException when {@code m} is not a prime.
     */
    public static int[] buildTable(final RealServerList servers, final int m)
    {
        checkTableSize(m);
        final int n = servers.size();
        long maxWeight = 0;
        for (int i = 0; i < n; i++)
        {
            maxWeight = Math.max(maxWeight, servers.weight(i));
        }
        if (maxWeight == 0)
        {
            return null;
        }
        final int[] table = new int[m];
        Arrays.fill(table, EMPTY);
        final int[] next = new int[n];
        final int[] skip = new int[n];
        final long[] weight = new long[n];
        final long[] cumulative = new long[n];
        for (int i = 0; i < n; i++)
        {
            final RealServer server = servers.get(i);
            next[i] = (int)Long.remainderUnsigned(serverHash(server, OFFSET_SEED), m);
            skip[i] = (int)Long.remainderUnsigned(serverHash(server, SKIP_SEED), m - 1) + 1;
            weight[i] = servers.weight(i);
        }
        int filled = 0;
        while (filled < m)
        {
            for (int i = 0; i < n && filled < m; i++)
            {
                final long acc = cumulative[i] + weight[i];
                if (acc < maxWeight)
                {
                    cumulative[i] = acc;
                    continue;
                }
                cumulative[i] = acc - maxWeight;
                int c = next[i];
                final int step = skip[i];
                while (table[c] != EMPTY)
                {
                    c += step;
                    if (c >= m)
                    {
                        c -= m;
                    }
                }
                table[c] = i;
                c += step;
                next[i] = c >= m ? c - m : c;
                filled++;
            }
        }
        return table;
    }

    /**
     * The fixed hash of a server's identity (family, address, port) under a seed: chained SplitMix64 finalisers,
     * each a bijection, so distinct identities collide only by chance.
     *
     * @param server the server.
     * @param seed   {@link #OFFSET_SEED} or {@link #SKIP_SEED}.
     * @return the hash.
     */
    static long serverHash(final RealServer server, final long seed)
    {
        long h = FlowKey.mix(seed ^ server.family());
        h = FlowKey.mix(h ^ server.addressHi());
        h = FlowKey.mix(h ^ server.addressLo());
        return FlowKey.mix(h ^ server.port());
    }

    /**
     * @param m a table size.
     * @return {@code m} when it is a prime.
     * @throws IllegalArgumentException otherwise.
     */
    static int checkTableSize(final int m)
    {
        if (!isPrime(m))
        {
            throw new IllegalArgumentException("maglev table size " + m + " is not a prime");
        }
        return m;
    }

    /**
     * Trial division, enough for table sizes.
     *
     * @param m a number.
     * @return true when {@code m} is a prime.
     */
    static boolean isPrime(final int m)
    {
        if (m < 2)
        {
            return false;
        }
        for (int d = 2; (long)d * d <= m; d++)
        {
            if (m % d == 0)
            {
                return false;
            }
        }
        return true;
    }
}
