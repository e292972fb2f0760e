package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code fo}, weighted failover ({@code ip_vs_fo.c}): every new connection goes to the eligible server with the
 * highest weight, the first in list order among equals; load is not considered. Lowering a server's weight (or its
 * health check quiescing it) fails over to the next.
 */
public final class WeightedFailoverScheduler extends StatelessScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "fo";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: fo has no tunables.
     */
    public WeightedFailoverScheduler(final SchedulerOptions options)
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
        int highest = LoadScan.NONE;
        int highestWeight = 0;
        for (int i = 0, n = list.size(); i < n; i++)
        {
            final int weight = list.weight(i);
            if (weight > highestWeight && !list.counters().isOverloaded(list.id(i)))
            {
                highest = i;
                highestWeight = weight;
            }
        }
        return highest;
    }
}
