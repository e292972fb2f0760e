package io.lvs4j.schedulers;

/**
 * {@code nq}, never queue ({@code ip_vs_nq.c}): the first eligible server in list order with no active
 * connection, whatever its weight; when every one is busy, the {@code sed} choice.
 * <p>
 * Picks come from a {@link LoadTree} kept current by the destination counters' load notifications instead of
 * the kernel's scan of every server; the choice is the scan's.
 */
public final class NeverQueueScheduler extends LoadTreeScheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "nq";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options where the scheduler switches from scanning to its load tree.
     */
    public NeverQueueScheduler(final SchedulerOptions options)
    {
        super(LoadTree.NEVER_QUEUE, options);
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
