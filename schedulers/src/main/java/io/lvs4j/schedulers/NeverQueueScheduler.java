package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code nq}, never queue ({@code ip_vs_nq.c}): the first eligible server in list order with no active
 * connection, whatever its weight; when every one is busy, the {@code sed} choice.
 */
public final class NeverQueueScheduler extends StatelessScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "nq";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: nq has no tunables.
     */
    public NeverQueueScheduler(final SchedulerOptions options)
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
        return LoadScan.shortestExpectedDelay(list, true);
    }
}
