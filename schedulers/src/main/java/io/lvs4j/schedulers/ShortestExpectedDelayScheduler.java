package io.lvs4j.schedulers;


/**
 * {@code sed}, shortest expected delay ({@code ip_vs_sed.c}): the eligible server with the smallest
 * {@code (activeconns + 1) / weight}; inactive connections are ignored. Cross-multiplied in 64 bits; the first in
 * list order wins ties.
 * <p>
 * Picks come from a {@link LoadTree} kept current by the destination counters' load notifications, so a pick
 * costs a few comparisons per changed server instead of a scan of all of them; the choice is the scan's.
 */
public final class ShortestExpectedDelayScheduler extends LoadTreeScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "sed";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options where the scheduler switches from scanning to its load tree.
     */
    public ShortestExpectedDelayScheduler(final SchedulerOptions options)
    {
        super(LoadTree.SHORTEST_EXPECTED_DELAY, options);
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
