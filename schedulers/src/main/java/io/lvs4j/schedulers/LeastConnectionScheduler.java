package io.lvs4j.schedulers;


/**
 * {@code lc}, least connection ({@code ip_vs_lc.c}): the eligible server with the smallest
 * {@code activeconns * 256 + inactconns}, weights ignored except that 0 quiesces; the first in list order wins ties.
 * <p>
 * Picks come from a {@link LoadTree} kept current by the destination counters' load notifications, so a pick
 * costs a few comparisons per changed server instead of a scan of all of them; the choice is the scan's.
 */
public final class LeastConnectionScheduler extends LoadTreeScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "lc";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options where the scheduler switches from scanning to its load tree.
     */
    public LeastConnectionScheduler(final SchedulerOptions options)
    {
        super(LoadTree.LEAST_CONNECTION, options);
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
