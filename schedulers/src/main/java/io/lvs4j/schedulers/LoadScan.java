package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.service.RealServerList;

/**
 * The least-connection family's scans over a real-server list, shared by {@code lc}, {@code wlc}, {@code sed},
 * {@code nq} and the {@code lblc}/{@code lblcr} fallbacks. Each walks the list once in its order, reads live
 * counts and returns a position (or -1), keeping the kernel's exact choice: strict comparisons so ties keep the
 * earlier server, weights cross-multiplied in 64 bits.
 */
final class LoadScan
{
    /** Position returned when no server is eligible. */
    static final int NONE = -1;

    private LoadScan()
    {
    }

    /**
     * {@code wlc} ({@code ip_vs_wlc_schedule}, also {@code lblc}'s and {@code lblcr}'s fallback): the first
     * eligible server, replaced by a later non-overloaded one when
     * {@code overhead(least) * w(d) > overhead(d) * w(least)}.
     *
     * @param servers the list.
     * @return position of the least loaded server by weight, or {@link #NONE}.
     */
    static int weightedLeastConnection(final RealServerList servers)
    {
        final DestinationCounters counters = servers.counters();
        final int n = servers.size();
        int least = NONE;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (int i = 0; i < n; i++)
        {
            final int weight = servers.weight(i);
            final int id = servers.id(i);
            if (weight <= 0 || counters.isOverloaded(id))
            {
                continue;
            }
            final long overhead = counters.overhead(id);
            if (least == NONE || leastOverhead * weight > overhead * leastWeight)
            {
                least = i;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }
        return least;
    }

    /**
     * {@code sed} ({@code ip_vs_sed_schedule}) and, with {@code neverQueue}, {@code nq} ({@code ip_vs_nq_schedule}):
     * minimise {@code (activeconns + 1) / weight} by 64-bit cross-multiplication, ties to the earlier server; nq
     * returns the first eligible server with no active connection at once.
     *
     * @param servers    the list.
     * @param neverQueue true for nq.
     * @return the position, or {@link #NONE}.
     */
    static int shortestExpectedDelay(final RealServerList servers, final boolean neverQueue)
    {
        final DestinationCounters counters = servers.counters();
        int least = NONE;
        long leastOverhead = 0;
        long leastWeight = 0;
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            final int weight = servers.weight(i);
            final int id = servers.id(i);
            if (weight <= 0 || counters.isOverloaded(id))
            {
                continue;
            }
            final int active = counters.active(id);
            if (neverQueue && active == 0)
            {
                return i;
            }
            final long overhead = active + 1L;
            if (least == NONE || leastOverhead * weight > overhead * leastWeight)
            {
                least = i;
                leastOverhead = overhead;
                leastWeight = weight;
            }
        }
        return least;
    }

    /**
     * {@code lc} ({@code ip_vs_lc_schedule}): the eligible server with the smallest overhead, weights ignored
     * except 0, the earlier server on ties.
     *
     * @param servers the list.
     * @return the position, or {@link #NONE}.
     */
    static int leastConnection(final RealServerList servers)
    {
        final DestinationCounters counters = servers.counters();
        int least = NONE;
        long leastOverhead = 0;
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            final int id = servers.id(i);
            if (servers.weight(i) == 0 || counters.isOverloaded(id))
            {
                continue;
            }
            final long overhead = counters.overhead(id);
            if (least == NONE || overhead < leastOverhead)
            {
                least = i;
                leastOverhead = overhead;
            }
        }
        return least;
    }

    /**
     * {@code fo} ({@code ip_vs_fo_schedule}): the highest weight among servers not OVERLOADed, the earlier on ties.
     *
     * @param servers the list.
     * @return the position, or {@link #NONE}.
     */
    static int weightedFailover(final RealServerList servers)
    {
        int highest = NONE;
        int highestWeight = 0;
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            final int weight = servers.weight(i);
            if (weight > highestWeight && !servers.counters().isOverloaded(servers.id(i)))
            {
                highest = i;
                highestWeight = weight;
            }
        }
        return highest;
    }

    /**
     * {@code ovf} ({@code ip_vs_ovf_schedule}): the highest weight among servers not OVERLOADed whose active
     * connections do not exceed their weight, the earlier on ties.
     *
     * @param servers the list.
     * @return the position, or {@link #NONE}.
     */
    static int weightedOverflow(final RealServerList servers)
    {
        final DestinationCounters counters = servers.counters();
        int highest = NONE;
        int highestWeight = 0;
        for (int i = 0, n = servers.size(); i < n; i++)
        {
            final int weight = servers.weight(i);
            final int id = servers.id(i);
            if (weight == 0 || counters.isOverloaded(id) || counters.active(id) > weight)
            {
                continue;
            }
            if (highest == NONE || weight > highestWeight)
            {
                highest = i;
                highestWeight = weight;
            }
        }
        return highest;
    }

    /**
     * {@code twos} ({@code ip_vs_twos_schedule}): two weighted draws over the eligible servers, the second kept only
     * when less loaded by weight (compared in 64 bits).
     *
     * @param list   the list.
     * @param random the draws.
     * @return the position, or {@link #NONE}.
     */
    static int twoChoices(final RealServerList list, final RandomSource random)
    {
        final DestinationCounters counters = list.counters();
        final int n = list.size();
        long total = 0;
        int last = NONE;
        for (int i = 0; i < n; i++)
        {
            final int weight = list.weight(i);
            if (weight > 0 && !counters.isOverloaded(list.id(i)))
            {
                total += weight;
                last = i;
            }
        }
        if (last == NONE)
        {
            return NONE;
        }
        long r1 = random.nextLong(total + 1);
        long r2 = random.nextLong(total + 1);
        int choice1 = last;
        int choice2 = NONE;
        long weight1 = -1;
        long weight2 = -1;
        long overhead1 = 0;
        long overhead2 = 0;
        for (int i = 0; i < n; i++)
        {
            final int weight = list.weight(i);
            final int id = list.id(i);
            if (weight <= 0 || counters.isOverloaded(id))
            {
                continue;
            }
            r1 -= weight;
            r2 -= weight;
            if (r1 <= 0 && weight1 == -1)
            {
                choice1 = i;
                weight1 = weight;
                overhead1 = counters.overhead(id);
            }
            if (r2 <= 0 && weight2 == -1)
            {
                choice2 = i;
                weight2 = weight;
                overhead2 = counters.overhead(id);
            }
            if (weight1 != -1 && weight2 != -1)
            {
                break;
            }
        }
        if (choice2 != NONE && weight2 * overhead1 > weight1 * overhead2)
        {
            return choice2;
        }
        return choice1;
    }
}
