package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code ovf}, weighted overflow ({@code ip_vs_ovf.c}): the highest-weight server whose active connections do not
 * exceed its weight, so the weight acts as a connection limit and traffic overflows to the next server when the
 * first fills. Only active (ESTABLISHED) connections count, so it does not suit UDP, whose entries never become
 * active.
 */
public final class WeightedOverflowScheduler extends StatelessScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "ovf";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: ovf has no tunables.
     */
    public WeightedOverflowScheduler(final SchedulerOptions options)
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
        int highest = LoadScan.NONE;
        int highestWeight = 0;
        for (int i = 0, n = list.size(); i < n; i++)
        {
            final int weight = list.weight(i);
            final int id = list.id(i);
            if (weight == 0 || counters.isOverloaded(id) || counters.active(id) > weight)
            {
                continue;
            }
            if (highest == LoadScan.NONE || weight > highestWeight)
            {
                highest = i;
                highestWeight = weight;
            }
        }
        return highest;
    }
}
