package io.lvs4j.schedulers;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Random numbers for the randomised schedulers ({@code twos}). The default draws from the calling thread's
 * {@link ThreadLocalRandom}, which allocates nothing after the thread's first call; tests pass a fixed sequence.
 */
@FunctionalInterface
public interface RandomSource
{
    /** The calling thread's {@link ThreadLocalRandom}. */
    RandomSource THREAD_LOCAL = bound -> ThreadLocalRandom.current().nextLong(bound);

    /**
     * @param bound exclusive upper bound, positive.
     * @return a number uniformly drawn from {@code [0, bound)}.
     */
    long nextLong(long bound);
}
