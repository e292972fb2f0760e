package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.DestinationLoadListener;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

/**
 * Base of the least-connection schedulers that answer from a {@link LoadTree} instead of scanning: it builds a
 * tree per list and listens to the destination counters so that every bind, unbind, state change and flag change
 * of its servers reaches the tree.
 */
abstract class LoadTreeScheduler implements Scheduler, DestinationLoadListener
{
    private final int metric;
    private final RandomSource random;
    private final int treeAbove;
    private volatile LoadTree tree;

    LoadTreeScheduler(final int metric, final SchedulerOptions options)
    {
        this.metric = metric;
        this.random = options.random();
        this.treeAbove = options.loadTreeAbove();
    }

    @Override
    public final void update(final RealServerList servers)
    {
        final LoadTree old = tree;
        // A short list is scanned: below the crossover the tree's upkeep (atomic writes per load change) costs
        // more than the scan it saves, and without listeners the counters pay nothing for this service.
        final boolean scanOnly = servers.size() <= treeAbove;
        // Listen first, publish second. A change made before the new tree is published is seen by its rebuild,
        // which reads live counts on the first pick; a change made after reaches the new tree as a dirty leaf.
        // Publishing first would let a pick rebuild before a new server is listened to, and that server's next
        // change would be lost for good.
        final DestinationCounters counters = servers.counters();
        for (int i = 0; i < servers.size() && !scanOnly; i++)
        {
            counters.listen(servers.id(i), this);
        }
        tree = new LoadTree(servers, metric, random, scanOnly);
        if (old != null)
        {
            final RealServerList before = old.servers();
            for (int i = 0; i < before.size(); i++)
            {
                if (scanOnly || servers.byId(before.id(i)) == null)
                {
                    before.counters().unlisten(before.id(i), this);
                }
            }
        }
    }

    @Override
    public final RealServerList servers()
    {
        final LoadTree t = tree;
        return t == null ? null : t.servers();
    }

    @Override
    public final RealServer pick(final FlowKey flow, final long nowMs)
    {
        final LoadTree t = tree;
        if (t == null)
        {
            return null;
        }
        final int position = t.pick();
        return position < 0 ? null : t.servers().get(position);
    }

    @Override
    public final void onLoadChanged(final int dest)
    {
        final LoadTree t = tree;
        if (t != null)
        {
            t.markDirty(dest);
        }
    }

    @Override
    public final void close()
    {
        final LoadTree t = tree;
        if (t != null)
        {
            final RealServerList servers = t.servers();
            for (int i = 0; i < servers.size(); i++)
            {
                servers.counters().unlisten(servers.id(i), this);
            }
        }
    }

    /** @return picks that found the tree owned by another worker and scanned instead. */
    long treeFallbacks()
    {
        final LoadTree t = tree;
        return t == null ? 0 : t.fallbacks();
    }

    @Override
    public String toString()
    {
        return name() + " " + servers();
    }
}
