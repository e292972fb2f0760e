package io.lvs4j.bench;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.schedulers.Scheduler;

/**
 * The kernel's way to pick for lc, wlc and sed, kept as a benchmark baseline: one scan over every real server per
 * new connection ({@code ip_vs_lc_schedule}, {@code ip_vs_wlc_schedule}, {@code ip_vs_sed_schedule}). lvs4j's own
 * schedulers answer from a tournament tree; measuring both in one run gives the saving as a ratio.
 */
final class ScanningLeastConnection implements Scheduler
{
    private final String name;
    private final boolean unweighted;
    private final boolean expectedDelay;
    private volatile RealServerList servers;

    ScanningLeastConnection(final String name)
    {
        this.name = name;
        unweighted = name.startsWith("lc");
        expectedDelay = name.startsWith("sed");
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void update(final RealServerList servers)
    {
        this.servers = servers;
    }

    @Override
    public RealServerList servers()
    {
        return servers;
    }

    @Override
    public RealServer pick(final FlowKey flow, final long nowMs)
    {
        final RealServerList list = servers;
        final DestinationCounters counters = list.counters();
        int least = -1;
        long leastLoad = 0;
        long leastWeight = 0;
        for (int i = 0, n = list.size(); i < n; i++)
        {
            final int weight = list.weight(i);
            final int id = list.id(i);
            if (weight <= 0 || counters.isOverloaded(id))
            {
                continue;
            }
            final long load = expectedDelay ? counters.active(id) + 1L : counters.overhead(id);
            final boolean better = unweighted ? load < leastLoad : leastLoad * weight > load * leastWeight;
            if (least < 0 || better)
            {
                least = i;
                leastLoad = load;
                leastWeight = weight;
            }
        }
        return least < 0 ? null : list.get(least);
    }
}
