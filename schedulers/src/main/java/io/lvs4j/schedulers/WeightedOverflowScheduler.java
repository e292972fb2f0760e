package io.lvs4j.schedulers;

/**
 * {@code ovf}, weighted overflow ({@code ip_vs_ovf.c}): the highest-weight server whose active connections do not
 * exceed its weight, so the weight acts as a connection limit and traffic overflows to the next server when the
 * first fills. Only active (ESTABLISHED) connections count, so it does not suit UDP, whose entries never become
 * active.
 * <p>
 * Picks come from a {@link LoadTree} kept current by the destination counters' load notifications instead of
 * the kernel's scan of every server; the choice is the scan's.
 */
public final class WeightedOverflowScheduler extends LoadTreeScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "ovf";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options where the scheduler switches from scanning to its load tree.
     */
    public WeightedOverflowScheduler(final SchedulerOptions options)
    {
        super(LoadTree.WEIGHTED_OVERFLOW, options);
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
