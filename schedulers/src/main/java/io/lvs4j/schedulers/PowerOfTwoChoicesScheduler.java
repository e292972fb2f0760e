package io.lvs4j.schedulers;

/**
 * {@code twos}, power of two choices ({@code ip_vs_twos.c}): draws two servers at random in proportion to their
 * weights and keeps the less loaded by {@code overhead / weight}, the first draw on a tie. Two draws
 * {@code r1, r2} uniform in {@code [0, total weight]}; walking the eligible servers in list order and subtracting
 * each weight, the first server that brings a draw to {@code <= 0} is that draw's choice.
 * <p>
 * Deviation: the kernel compares {@code weight2 * overhead1 > weight1 * overhead2} in 32-bit ints, which overflows
 * with large weights and loads; this compares in 64 bits, as wlc does.
 * <p>
 * The draws descend a tree of eligible-weight sums kept current by the destination counters' notifications instead
 * of walking the list; with the same draws the choice is the kernel walk's.
 */
public final class PowerOfTwoChoicesScheduler extends LoadTreeScheduler
{
    /** The name the kernel registers (ipvsadm 1.31 accepts it by name though its help does not list it). */
    public static final String NAME = "twos";

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options the random source, and where the scheduler switches from walking the list to its tree.
     */
    public PowerOfTwoChoicesScheduler(final SchedulerOptions options)
    {
        super(LoadTree.TWO_CHOICES, options);
    }

    @Override
    public String name()
    {
        return NAME;
    }
}
