package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code sed}, shortest expected delay ({@code ip_vs_sed.c}): the eligible server with the smallest
 * {@code (activeconns + 1) / weight}; inactive connections are ignored. Cross-multiplied in 64 bits; the first in
 * list order wins ties.
 */
public final class ShortestExpectedDelayScheduler extends StatelessScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "sed";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: sed has no tunables.
     */
    public ShortestExpectedDelayScheduler(final SchedulerOptions options)
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
        return LoadScan.shortestExpectedDelay(list, false);
    }
}
