package io.lvs4j.schedulers;

/**
 * {@code fo}, weighted failover ({@code ip_vs_fo.c}): every new connection goes to the eligible server with the
 * highest weight, the first in list order among equals; load is not considered. Lowering a server's weight (or its
 * health check quiescing it) fails over to the next.
 * <p>
 * Picks come from a {@link LoadTree} kept current by the destination counters' load notifications instead of
 * the kernel's scan of every server; the choice is the scan's.
 */
public final class WeightedFailoverScheduler extends LoadTreeScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "fo";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options where the scheduler switches from scanning to its load tree.
     */
    public WeightedFailoverScheduler(final SchedulerOptions options)
    {
        super(LoadTree.WEIGHTED_FAILOVER, options);
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
