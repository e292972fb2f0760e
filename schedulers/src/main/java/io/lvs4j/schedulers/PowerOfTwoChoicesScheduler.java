package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code twos}, power of two choices ({@code ip_vs_twos.c}): draws two servers at random in proportion to their
 * weights and keeps the less loaded by {@code overhead / weight}, the first draw on a tie. Two draws
 * {@code r1, r2} uniform in {@code [0, total weight]}; walking the eligible servers in list order and subtracting
 * each weight, the first server that brings a draw to {@code <= 0} is that draw's choice.
 * <p>
 * Deviation: the kernel compares {@code weight2 * overhead1 > weight1 * overhead2} in 32-bit ints, which overflows
 * with large weights and loads; this compares in 64 bits, as wlc does.
 */
public final class PowerOfTwoChoicesScheduler extends StatelessScheduler
{
    /** The name the kernel registers (ipvsadm 1.31 accepts it by name though its help does not list it). */
    public static final String NAME = "twos";

    private final RandomSource random;

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options the random source.
     */
    public PowerOfTwoChoicesScheduler(final SchedulerOptions options)
    {
        super(options);
        random = options.random();
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    int choose(final RealServerList list, final FlowKey flow)
    {
        final DestinationCounters counters = list.counters();
        final int n = list.size();
        long total = 0;
        int last = LoadScan.NONE;
        for (int i = 0; i < n; i++)
        {
            final int weight = list.weight(i);
            if (weight > 0 && !counters.isOverloaded(list.id(i)))
            {
                total += weight;
                last = i;
            }
        }
        if (last == LoadScan.NONE)
        {
            return LoadScan.NONE;
        }
        long r1 = random.nextLong(total + 1);
        long r2 = random.nextLong(total + 1);
        int choice1 = last;
        int choice2 = LoadScan.NONE;
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
                overhead1 = LoadScan.overhead(counters, id);
            }
            if (r2 <= 0 && weight2 == -1)
            {
                choice2 = i;
                weight2 = weight;
                overhead2 = LoadScan.overhead(counters, id);
            }
            if (weight1 != -1 && weight2 != -1)
            {
                break;
            }
        }
        if (choice2 != LoadScan.NONE && weight2 * overhead1 > weight1 * overhead2)
        {
            return choice2;
        }
        return choice1;
    }
}
