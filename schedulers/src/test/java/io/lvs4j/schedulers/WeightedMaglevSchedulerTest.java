package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.lvs4j.schedulers.HashSchedulerTesting.list;
import static io.lvs4j.schedulers.HashSchedulerTesting.overload;
import static io.lvs4j.schedulers.HashSchedulerTesting.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Weighted Maglev: balance, weights, disruption (the Maglev paper's figure 12 measure), determinism and lookup.
 */
class WeightedMaglevSchedulerTest
{
    private static final int M = SchedulerOptions.DEFAULT_MAGLEV_TABLE_SIZE;
    private static final long OFFSET_SEED = 0x243F_6A88_85A3_08D3L;
    private static final long SKIP_SEED = 0x1319_8A2E_0370_7344L;

    private static WeightedMaglevScheduler maglev(final int size)
    {
        return new WeightedMaglevScheduler(new SchedulerOptions().maglevTableSize(size));
    }

    private static RealServerList equal(final DestinationCounters counters, final int n)
    {
        final int[] weights = new int[n];
        Arrays.fill(weights, 1);
        return list(counters, weights);
    }

    private static int[] counts(final int[] table, final int n)
    {
        final int[] counts = new int[n];
        for (final int position : table)
        {
            counts[position]++;
        }
        return counts;
    }

    /** The table as server ids rather than positions, to compare tables of different lists. */
    private static int[] ids(final int[] table, final RealServerList servers)
    {
        final int[] ids = new int[table.length];
        for (int i = 0; i < table.length; i++)
        {
            ids[i] = servers.id(table[i]);
        }
        return ids;
    }

    @Test
    void equalWeightsBalanceWithinOnePercent()
    {
        for (final int n : new int[]{1, 2, 3, 10, 57, 100})
        {
            final RealServerList servers = equal(new DestinationCounters(128), n);
            final int[] c = counts(WeightedMaglevScheduler.buildTable(servers, M), n);
            final int max = Arrays.stream(c).max().getAsInt();
            final int min = Arrays.stream(c).min().getAsInt();
            assertTrue(min > 0 && (double)max / min <= 1.01, "n " + n + " max " + max + " min " + min);
            assertEquals(M, Arrays.stream(c).sum());
        }
    }

    @Test
    void weightsSetTheShares()
    {
        final int[] c = counts(WeightedMaglevScheduler.buildTable(list(new DestinationCounters(8), 1, 2, 3), M), 3);
        for (int i = 0; i < 3; i++)
        {
            final double share = (double)c[i] / M;
            final double expected = (i + 1) / 6.0;
            assertTrue(Math.abs(share - expected) <= 0.01 * expected, "server " + i + " share " + share);
        }
    }

    @Test
    void weightZeroGetsNoEntries()
    {
        final RealServerList servers = list(new DestinationCounters(8), 3, 0, 1);
        final int[] c = counts(WeightedMaglevScheduler.buildTable(servers, M), 3);
        assertEquals(0, c[1]);
        assertEquals(M, c[0] + c[2]);
        assertNull(WeightedMaglevScheduler.buildTable(list(new DestinationCounters(8), 0, 0), M));
    }

    @Test
    void removingServersMovesFewOtherEntries()
    {
        final DestinationCounters counters = new DestinationCounters(1024);
        final RealServerList before = equal(counters, 1000);
        final int[] oldIds = ids(WeightedMaglevScheduler.buildTable(before, M), before);
        for (final int removed : new int[]{1, 10})
        {
            RealServerList after = before;
            final boolean[] gone = new boolean[1000];
            for (int k = 0; k < removed; k++)
            {
                final int id = 17 + k * 97;
                gone[id] = true;
                after = after.withRemoved(id);
            }
            final int[] newIds = ids(WeightedMaglevScheduler.buildTable(after, M), after);
            int own = 0;
            int moved = 0;
            for (int i = 0; i < M; i++)
            {
                if (gone[oldIds[i]])
                {
                    own++;
                }
                else if (oldIds[i] != newIds[i])
                {
                    moved++;
                }
            }
            final double disruption = (double)moved / M;
            System.out.printf("maglev N=1000 M=%d: %d removed, %d own entries, %.3f%% of the others moved%n",
                M, removed, own, disruption * 100);
            assertTrue(disruption <= (removed == 1 ? 0.01 : 0.05), removed + " removed: " + disruption);
        }
    }

    @Test
    void buildsAreDeterministicAndIndependentOfIdsAndInstances()
    {
        final RealServerList a = list(new DestinationCounters(16), 1, 2, 3);
        // same endpoints and weights in the same order, other ids and counters
        final DestinationCounters other = new DestinationCounters(64);
        final RealServerList b = RealServerList.of(other,
            RealServer.ipv4(40, 0xC000_0201, 80, 1),
            RealServer.ipv4(41, 0xC000_0202, 80, 2),
            RealServer.ipv4(42, 0xC000_0203, 80, 3));
        for (int i = 0; i < 3; i++)
        {
            other.reset(40 + i, 0, 0);
        }
        final int[] t1 = WeightedMaglevScheduler.buildTable(a, M);
        assertArrayEquals(t1, WeightedMaglevScheduler.buildTable(a, M));
        assertArrayEquals(t1, WeightedMaglevScheduler.buildTable(b, M));

        final WeightedMaglevScheduler s1 = maglev(M);
        final WeightedMaglevScheduler s2 = maglev(M);
        s1.update(a);
        s2.update(b);
        assertArrayEquals(t1, s1.tableSnapshot());
        assertArrayEquals(s1.tableSnapshot(), s2.tableSnapshot());
        for (int c = 0; c < 1000; c++)
        {
            final FlowKey flow = tcp(HashSchedulerTesting.CLIENT_NET + c * 31, 1024 + c);
            assertEquals(s1.pick(flow, 0).port(), s2.pick(flow, 0).port());
            assertEquals(s1.pick(flow, 0).addressV4(), s2.pick(flow, 0).addressV4());
        }
    }

    /**
     * Rebuilds the table the slow way Katran's MaglevV2 writes it, preference lists as {@code (offset + j * skip) mod
     * M}, from the scheduler's server hash alone: the table is a function of the hash, weights and order only.
     */
    private static int[] referenceBuild(final RealServerList servers, final int m)
    {
        final int n = servers.size();
        final long[] offset = new long[n];
        final long[] skip = new long[n];
        final long[] next = new long[n];
        final long[] cum = new long[n];
        long max = 0;
        for (int i = 0; i < n; i++)
        {
            final RealServer server = servers.get(i);
            offset[i] = Long.remainderUnsigned(WeightedMaglevScheduler.serverHash(server, OFFSET_SEED), m);
            skip[i] = Long.remainderUnsigned(WeightedMaglevScheduler.serverHash(server, SKIP_SEED), m - 1) + 1;
            max = Math.max(max, servers.weight(i));
        }
        final int[] table = new int[m];
        Arrays.fill(table, -1);
        int runs = 0;
        while (runs < m)
        {
            for (int i = 0; i < n && runs < m; i++)
            {
                cum[i] += servers.weight(i);
                if (cum[i] >= max)
                {
                    cum[i] -= max;
                    int cur = (int)((offset[i] + next[i] * skip[i]) % m);
                    while (table[cur] >= 0)
                    {
                        next[i]++;
                        cur = (int)((offset[i] + next[i] * skip[i]) % m);
                    }
                    table[cur] = i;
                    next[i]++;
                    runs++;
                }
            }
        }
        return table;
    }

    @Test
    void tableFollowsThePreferenceListsAndPinnedHashes()
    {
        final RealServerList servers = list(new DestinationCounters(64), 1, 2, 3, 1, 5, 1, 1, 4);
        for (final int m : new int[]{251, 4093, M})
        {
            assertArrayEquals(referenceBuild(servers, m), WeightedMaglevScheduler.buildTable(servers, m), "m " + m);
        }

        // regression values, pinned so that a change of the hash (which would remap every flow in a cluster) shows
        final RealServer s = RealServer.ipv4(0, 0xC000_0201, 80, 1);
        assertEquals(PINNED_OFFSET_HASH, WeightedMaglevScheduler.serverHash(s, OFFSET_SEED));
        assertEquals(PINNED_FLOW_HASH, tcp(0xC633_6401, 40000).hash(WeightedMaglevScheduler.FLOW_SEED));
        final int[] small = WeightedMaglevScheduler.buildTable(list(new DestinationCounters(8), 1, 1, 1), 251);
        assertArrayEquals(PINNED_HEAD, Arrays.copyOf(small, PINNED_HEAD.length));
    }

    // from src/test/python/maglev_reference.py, an independent re-implementation (SplitMix64 chain, FlowKey.hashOf,
    // Katran MaglevV2 loop); the full 251-slot table there has 84, 84, 83 entries per server
    private static final long PINNED_OFFSET_HASH = -3174692158743953481L;
    private static final long PINNED_FLOW_HASH = 1988483519547841147L;
    private static final int[] PINNED_HEAD = {
        2, 1, 2, 2, 1, 0, 1, 2, 2, 1, 2, 2, 1, 1, 2, 1, 1, 0, 2, 2, 2, 1, 2, 2, 1, 0, 2, 2, 2, 0, 1, 2, 1, 1, 0, 1,
        0, 0, 1, 2,
    };

    @Test
    void sameFlowSameServerAndFlowsSpreadByWeight()
    {
        final WeightedMaglevScheduler maglev = maglev(M);
        final RealServerList servers = list(new DestinationCounters(8), 1, 3);
        maglev.update(servers);
        final int[] picked = new int[2];
        for (int c = 0; c < 40_000; c++)
        {
            final FlowKey flow =
                new FlowKey().setV4(IpProtocol.UDP, 0x0A00_0000 + c, 5000 + (c & 1023), 0xCB00_710A, 53);
            final RealServer first = maglev.pick(flow, 0);
            assertSame(first, maglev.pick(flow, 1));
            picked[servers.indexOf(first.id())]++;
        }
        final double share = picked[1] / 40_000.0;
        assertTrue(Math.abs(share - 0.75) < 0.02, "share " + share);
    }

    @Test
    void overloadedServerIsSkippedToTheNextSlots()
    {
        final DestinationCounters counters = new DestinationCounters(8);
        final WeightedMaglevScheduler maglev = maglev(M);
        final RealServerList servers = list(counters, 1, 1, 1);
        maglev.update(servers);
        final int[] table = maglev.tableSnapshot();
        overload(counters, servers.id(1));
        int checked = 0;
        for (int c = 0; c < 2000; c++)
        {
            final FlowKey flow = tcp(HashSchedulerTesting.CLIENT_NET + c, 2000 + c);
            int slot = WeightedMaglevScheduler.slotOf(flow.hash(WeightedMaglevScheduler.FLOW_SEED), M);
            final RealServer picked = maglev.pick(flow, 0);
            if (table[slot] != 1)
            {
                assertSame(servers.get(table[slot]), picked);
                continue;
            }
            while (table[slot] == 1)
            {
                slot = slot + 1 == M ? 0 : slot + 1;
            }
            assertSame(servers.get(table[slot]), picked);
            checked++;
        }
        assertTrue(checked > 500);

        overload(counters, servers.id(0));
        overload(counters, servers.id(2));
        assertNull(maglev.pick(tcp(HashSchedulerTesting.CLIENT_NET, 1), 0));
    }

    @Test
    void emptyAndAllWeightZeroGiveNull()
    {
        final WeightedMaglevScheduler maglev = maglev(M);
        assertNull(maglev.pick(tcp(HashSchedulerTesting.CLIENT_NET, 1), 0));
        assertNull(maglev.servers());
        final DestinationCounters counters = new DestinationCounters(8);
        maglev.update(RealServerList.empty(counters));
        assertNull(maglev.pick(tcp(HashSchedulerTesting.CLIENT_NET, 1), 0));
        maglev.update(list(counters, 0, 0, 0));
        assertNull(maglev.pick(tcp(HashSchedulerTesting.CLIENT_NET, 1), 0));
        maglev.update(list(counters, 0, 1, 0));
        assertNotNull(maglev.pick(tcp(HashSchedulerTesting.CLIENT_NET, 1), 0));
    }

    @Test
    void rejectsNonPrimeTableSizes()
    {
        assertThrows(IllegalArgumentException.class, () -> maglev(65536));
        assertThrows(IllegalArgumentException.class, () -> maglev(1));
        assertThrows(IllegalArgumentException.class,
            () -> WeightedMaglevScheduler.buildTable(list(new DestinationCounters(8), 1), 100));
        assertEquals(251, maglev(251).tableSnapshot().length);
    }

    @Test
    void buildsAThousandServersQuickly()
    {
        final RealServerList servers = equal(new DestinationCounters(1024), 1000);
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 30; i++)
        {
            final long start = System.nanoTime();
            final int[] table = WeightedMaglevScheduler.buildTable(servers, M);
            best = Math.min(best, System.nanoTime() - start);
            assertEquals(M, table.length);
        }
        System.out.printf("maglev build, 1000 servers, M=%d: best %.2f ms%n", M, best / 1e6);
        assertTrue(best <= 5_000_000L, "best build " + best + " ns");
    }

    @Test
    void picksDoNotAllocate()
    {
        final DestinationCounters counters = new DestinationCounters(8);
        final WeightedMaglevScheduler maglev = maglev(M);
        final RealServerList servers = list(counters, 1, 2, 3);
        maglev.update(servers);
        overload(counters, servers.id(1));
        HashSchedulerTesting.assertPicksDoNotAllocate(maglev);
        assertEquals(WeightedMaglevScheduler.NAME, maglev.name());
    }
}
