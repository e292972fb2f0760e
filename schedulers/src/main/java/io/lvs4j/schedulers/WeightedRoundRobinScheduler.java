package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code wrr}, weighted round robin ({@code ip_vs_wrr.c}): passes over the list at a falling current weight
 * {@code cw}, from the maximum weight down in steps of the weights' gcd, choosing every eligible server whose
 * weight reaches {@code cw}. With weights A 4, B 3, C 2 a cycle is A A B A B C A B C: exact 4:3:2 shares per
 * cycle, heavier servers front-loaded.
 * <p>
 * The kernel keeps {@code (cl, cw)} under a spin lock. Here both live in one {@code long} (position in the high
 * half, -1 for the list head; {@code cw} in the low half) replaced by compare-and-set after each scan, so
 * concurrent picks are lock-free and their sequence is exactly one the kernel could produce. The gcd {@code di} and
 * {@code mw = max weight - (di - 1)} are derived once per list; a list change resets the position to the head and
 * carries {@code cw} over by the kernel's rule ({@code ip_vs_wrr_dest_changed}). A pick that races an update
 * advances the old state after the new one copied its {@code cw}; the kernel's {@code sched_lock} would serialise
 * them, here the step is repeated once around the change.
 */
public final class WeightedRoundRobinScheduler implements Scheduler
{
    /** The ipvsadm name. */
    public static final String NAME = "wrr";

    private static final int HEAD = -1;
    private static final int NO_STOP = -2;

    private volatile State state;

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: wrr has no tunables.
     */
    public WeightedRoundRobinScheduler(final SchedulerOptions options)
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
        int gcd = 0;
        int max = 0;
        for (int i = 0; i < servers.size(); i++)
        {
            final int w = servers.weight(i);
            if (w > 0)
            {
                gcd = gcd > 0 ? gcd(w, gcd) : w;
            }
            max = Math.max(max, w);
        }
        final int di = gcd > 0 ? gcd : 1;
        final int mw = max - (di - 1);
        int cw = old == null ? 0 : currentWeight(old.mark.get());
        if (cw > mw || cw == 0)
        {
            cw = mw;
        }
        else if (di > 1)
        {
            cw = (cw / di) * di + 1;
        }
        state = new State(servers, di, mw, pack(HEAD, cw));
    }

    static int gcd(final int a, final int b)
    {
        int x = a;
        int y = b;
        while (y != 0)
        {
            final int t = x % y;
            x = y;
            y = t;
        }
        return x;
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
        final int di = s.di;
        final int mw = s.mw;
        while (true)
        {
            final long mark = s.mark.get();
            final int last = position(mark);
            int cw = currentWeight(mark);
            if (mw == 0)
            {
                return null;
            }
            int dest = last;
            int chosen = LoadScan.NONE;
            int stop = NO_STOP;
            boolean lastPass = false;
            boolean restarted = false;
            scan:
            while (true)
            {
                for (int i = dest + 1; i < n; i++)
                {
                    if (list.weight(i) >= cw && !counters.isOverloaded(list.id(i)))
                    {
                        chosen = i;
                        dest = i;
                        break scan;
                    }
                    if (i == stop)
                    {
                        dest = i;
                        break scan;
                    }
                }
                dest = HEAD;
                cw -= di;
                if (cw <= 0)
                {
                    cw = mw;
                    // Everything was tried at weight >= 1: after a last pass, or from the head in one traversal.
                    if (lastPass || last == HEAD)
                    {
                        break;
                    }
                    restarted = true;
                }
                lastPass = cw <= di;
                if (lastPass && restarted && last != HEAD)
                {
                    // The first pass at weight >= 1 only covered the servers after 'last': finish at 'last'.
                    stop = last;
                }
            }
            if (s.mark.compareAndSet(mark, pack(dest, cw)))
            {
                return chosen == LoadScan.NONE ? null : list.get(chosen);
            }
        }
    }

    private static long pack(final int position, final int cw)
    {
        return ((long)position << 32) | (cw & 0xFFFF_FFFFL);
    }

    private static int position(final long mark)
    {
        return (int)(mark >> 32);
    }

    private static int currentWeight(final long mark)
    {
        return (int)mark;
    }

    @Override
    public String toString()
    {
        final State s = state;
        if (s == null)
        {
            return NAME + " (no servers)";
        }
        final long mark = s.mark.get();
        return NAME + " cl=" + position(mark) + " cw=" + currentWeight(mark) + " mw=" + s.mw + " di=" + s.di + " " +
            s.servers;
    }

    private static final class State
    {
        final RealServerList servers;
        final int di;
        final int mw;
        final AtomicLong mark;

        State(final RealServerList servers, final int di, final int mw, final long mark)
        {
            this.servers = servers;
            this.di = di;
            this.mw = mw;
            this.mark = new AtomicLong(mark);
        }
    }
}
