package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code rr}, round robin ({@code ip_vs_rr.c}): from the server after the last one chosen, in list order and
 * wrapping, the first eligible server; weights are ignored except that 0 quiesces.
 * <p>
 * The kernel keeps a pointer to the last chosen list node under a spin lock. Here the pointer is a position in
 * the current list (-1 for the list head) advanced by compare-and-set, so concurrent picks are lock-free and
 * still take turns exactly as one picker would: every successful pick moves the pointer from the value its scan
 * started from. When a list change removes the pointed-to server, the pointer moves to the nearest earlier
 * server that remains (the kernel's {@code ip_vs_rr_del_dest}); adding a server leaves it where it is. A pick that
 * races an update advances the old state, which the new one has already copied, so around a configuration change a
 * server can be chosen twice in a row where the kernel's {@code sched_lock} would have serialised the two.
 */
public final class RoundRobinScheduler implements Scheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "rr";

    private static final int HEAD = -1;

    private volatile State state;

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: rr has no tunables.
     */
    public RoundRobinScheduler(final SchedulerOptions options)
    {
        state = null;
    }

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public void update(final RealServerList servers)
    {
        final State old = state;
        int pointer = HEAD;
        if (old != null)
        {
            pointer = carryPointer(old.servers, old.pointer.get(), servers);
        }
        state = new State(servers, pointer);
    }

    /**
     * Where the pointer lands in the new list: on the same server if it is still there, else on the nearest
     * earlier server of the old list that is (several deletions in one change behave as one deletion at a time).
     */
    private static int carryPointer(final RealServerList before, final int pointer, final RealServerList after)
    {
        for (int i = pointer; i >= 0; i--)
        {
            final int index = after.indexOf(before.id(i));
            if (index >= 0)
            {
                return index;
            }
        }
        return HEAD;
    }

    @Override
    public RealServerList servers()
    {
        final State s = state;
        return s == null ? null : s.servers;
    }

    @Override
    public RealServer pick(final FlowKey flow, final long nowMs)
    {
        final State s = state;
        if (s == null)
        {
            return null;
        }
        final RealServerList list = s.servers;
        final DestinationCounters counters = list.counters();
        final int n = list.size();
        while (true)
        {
            final int last = s.pointer.get();
            int chosen = LoadScan.NONE;
            // Candidates in the kernel's order: after the pointer to the end, then from the head up to and
            // including the pointer; from the head (-1) that is the whole list once.
            for (int k = 0, i = last; k < n; k++)
            {
                i = i + 1 == n ? 0 : i + 1;
                if (list.weight(i) > 0 && !counters.isOverloaded(list.id(i)))
                {
                    chosen = i;
                    break;
                }
            }
            if (chosen == LoadScan.NONE)
            {
                return null;
            }
            if (s.pointer.compareAndSet(last, chosen))
            {
                return list.get(chosen);
            }
        }
    }

    @Override
    public String toString()
    {
        final State s = state;
        return NAME + (s == null ? " (no servers)" : " after " + s.pointer.get() + " of " + s.servers);
    }

    private static final class State
    {
        final RealServerList servers;
        final AtomicInteger pointer;

        State(final RealServerList servers, final int pointer)
        {
            this.servers = servers;
            this.pointer = new AtomicInteger(pointer);
        }
    }
}
