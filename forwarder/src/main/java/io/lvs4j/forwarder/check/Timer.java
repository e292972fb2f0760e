package io.lvs4j.forwarder.check;

/**
 * An entry of the {@link TimerQueue}: a reusable object that knows its place in the heap, so scheduling and
 * cancelling allocate nothing and cost {@code O(log n)}.
 */
abstract class Timer
{
    int heapIndex = -1;
    long deadlineNs;

    /**
     * Called by {@link TimerQueue#poll} once the deadline has passed; the timer is no longer queued.
     *
     * @param nowNs the time of the poll.
     */
    abstract void onExpiry(long nowNs);

    /**
     * @return whether the timer is queued.
     */
    final boolean isScheduled()
    {
        return heapIndex >= 0;
    }
}
