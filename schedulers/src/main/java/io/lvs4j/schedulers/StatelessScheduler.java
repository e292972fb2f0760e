package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

/**
 * Base of the schedulers that derive nothing from the list and keep no state between picks (the kernel's lc,
 * wlc, sed, nq, fo, ovf, twos have no {@code sched_data}): they only need the current list, published in one
 * volatile write.
 */
abstract class StatelessScheduler implements Scheduler
{
    private volatile RealServerList servers;

    StatelessScheduler(final SchedulerOptions options)
    {
        servers = null;
    }

    @Override
    public final void update(final RealServerList servers)
    {
        this.servers = servers;
    }

    @Override
    public final RealServerList servers()
    {
        return servers;
    }

    @Override
    public final RealServer pick(final FlowKey flow, final long nowMs)
    {
        final RealServerList list = servers;
        if (list == null)
        {
            return null;
        }
        final int index = choose(list, flow);
        return index < 0 ? null : list.get(index);
    }

    /**
     * Chooses among {@code list}.
     *
     * @param list the list read once for this pick.
     * @param flow the packet's flow.
     * @return the position, or {@link LoadScan#NONE}.
     */
    abstract int choose(RealServerList list, FlowKey flow);

    @Override
    public String toString()
    {
        return name() + " " + servers;
    }
}
