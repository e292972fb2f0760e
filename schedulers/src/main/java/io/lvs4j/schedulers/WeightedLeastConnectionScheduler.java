package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code wlc}, weighted least connection ({@code ip_vs_wlc.c}), ipvsadm's default: the eligible server with the
 * smallest {@code (activeconns * 256 + inactconns) / weight}, compared by 64-bit cross-multiplication; the first
 * in list order wins ties.
 */
public final class WeightedLeastConnectionScheduler extends StatelessScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "wlc";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: wlc has no tunables.
     */
    public WeightedLeastConnectionScheduler(final SchedulerOptions options)
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
        return LoadScan.weightedLeastConnection(list);
    }
}
