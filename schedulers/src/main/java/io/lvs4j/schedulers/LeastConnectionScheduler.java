package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code lc}, least connection ({@code ip_vs_lc.c}): the eligible server with the smallest
 * {@code activeconns * 256 + inactconns}, weights ignored except that 0 quiesces; the first in list order wins ties.
 */
public final class LeastConnectionScheduler extends StatelessScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "lc";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: lc has no tunables.
     */
    public LeastConnectionScheduler(final SchedulerOptions options)
    {
        super(options);
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
        int least = LoadScan.NONE;
        long leastOverhead = 0;
        for (int i = 0, n = list.size(); i < n; i++)
        {
            final int id = list.id(i);
            if (list.weight(i) == 0 || counters.isOverloaded(id))
            {
                continue;
            }
            final long overhead = LoadScan.overhead(counters, id);
            if (least == LoadScan.NONE || overhead < leastOverhead)
            {
                least = i;
                leastOverhead = overhead;
            }
        }
        return least;
    }
}
