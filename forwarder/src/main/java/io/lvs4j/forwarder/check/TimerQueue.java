package io.lvs4j.forwarder.check;

import java.util.Arrays;

/**
 * A binary min-heap of {@link Timer}s keyed by deadline. Chosen over a hashed timer wheel because a fake clock may
 * jump hours in one step (a wheel advances one tick per poll) and deadlines are exact.
 */
final class TimerQueue
{
    private Timer[] heap = new Timer[64];
    private int size;

    /**
     * Schedules a timer, moving it if it is already queued.
     *
     * @param timer      the timer.
     * @param deadlineNs when it expires.
     */
    void schedule(final Timer timer, final long deadlineNs)
    {
        if (timer.isScheduled())
        {
            cancel(timer);
        }
        if (size == heap.length)
        {
            heap = Arrays.copyOf(heap, size * 2);
        }
        timer.deadlineNs = deadlineNs;
        timer.heapIndex = size;
        heap[size++] = timer;
        siftUp(timer.heapIndex);
    }

    /**
     * Removes a timer if it is queued.
     *
     * @param timer the timer.
     */
    void cancel(final Timer timer)
    {
        final int index = timer.heapIndex;
        if (index < 0)
        {
            return;
        }
        timer.heapIndex = -1;
        final Timer last = heap[--size];
        heap[size] = null;
        if (index != size)
        {
            heap[index] = last;
            last.heapIndex = index;
            siftDown(index);
            siftUp(last.heapIndex);
        }
    }

    /**
     * Expires every timer whose deadline is at or before {@code nowNs}, earliest first. Timers a handler schedules
     * for the same instant also expire in this call.
     *
     * @param nowNs the current time.
     * @return timers expired.
     */
    int poll(final long nowNs)
    {
        int expired = 0;
        while (size > 0 && heap[0].deadlineNs <= nowNs)
        {
            final Timer timer = heap[0];
            cancel(timer);
            timer.onExpiry(nowNs);
            expired++;
        }
        return expired;
    }

    /**
     * @return the earliest deadline, or {@link Long#MAX_VALUE} when empty.
     */
    long nextDeadlineNs()
    {
        return size == 0 ? Long.MAX_VALUE : heap[0].deadlineNs;
    }

    /**
     * @return timers queued.
     */
    int size()
    {
        return size;
    }

    private void siftUp(final int start)
    {
        int index = start;
        final Timer timer = heap[index];
        while (index > 0)
        {
            final int parent = (index - 1) >>> 1;
            if (heap[parent].deadlineNs <= timer.deadlineNs)
            {
                break;
            }
            heap[index] = heap[parent];
            heap[index].heapIndex = index;
            index = parent;
        }
        heap[index] = timer;
        timer.heapIndex = index;
    }

    private void siftDown(final int start)
    {
        int index = start;
        final Timer timer = heap[index];
        while (true)
        {
            int child = 2 * index + 1;
            if (child >= size)
            {
                break;
            }
            if (child + 1 < size && heap[child + 1].deadlineNs < heap[child].deadlineNs)
            {
                child++;
            }
            if (heap[child].deadlineNs >= timer.deadlineNs)
            {
                break;
            }
            heap[index] = heap[child];
            heap[index].heapIndex = index;
            index = child;
        }
        heap[index] = timer;
        timer.heapIndex = index;
    }
}
