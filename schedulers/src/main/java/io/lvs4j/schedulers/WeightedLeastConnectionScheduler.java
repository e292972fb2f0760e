package io.lvs4j.schedulers;


/**
 * {@code wlc}, weighted least connection ({@code ip_vs_wlc.c}), ipvsadm's default: the eligible server with the
 * smallest {@code (activeconns * 256 + inactconns) / weight}, compared by 64-bit cross-multiplication; the first
 * in list order wins ties.
 * <p>
 * Picks come from a {@link LoadTree} kept current by the destination counters' load notifications, so a pick
 * costs a few comparisons per changed server instead of a scan of all of them; the choice is the scan's.
 */
public final class WeightedLeastConnectionScheduler extends LoadTreeScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "wlc";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options where the scheduler switches from scanning to its load tree.
     */
    public WeightedLeastConnectionScheduler(final SchedulerOptions options)
    {
        super(LoadTree.WEIGHTED_LEAST_CONNECTION, options);
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
