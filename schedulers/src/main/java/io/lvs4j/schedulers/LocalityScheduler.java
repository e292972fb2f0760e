package io.lvs4j.schedulers;

import io.lvs4j.core.service.RealServerList;

/**
 * Base of the locality-based schedulers (lblc, lblcr): both map packet destination addresses to servers in a
 * {@link LocalityTable}, collected by {@link #tick}, and publish the list with what they derive from it in one
 * volatile write, so a pick sees both from the same update.
 * <p>
 * The choice of server stays in the subclasses; this class holds the table and the published {@link View} and
 * answers {@link #servers()} and the table's housekeeping and counters for both.
 *
 * @param <V> what a subclass publishes on each update: a {@link View}, or one extending it.
 */
abstract class LocalityScheduler<V extends LocalityScheduler.View> implements Scheduler
{
    /** The destination addresses and what each maps to; picks of every worker share it. */
    final LocalityTable table;

    private volatile V view;

    /**
     * @param table the subclass's table, its slot stride fitting what an entry holds.
     * @param empty what picks see before the first update, over {@link LocalityTable#NO_SERVERS}.
     */
    LocalityScheduler(final LocalityTable table, final V empty)
    {
        this.table = table;
        this.view = empty;
    }

    /**
     * @return the view last published; a pick reads it once and uses only that.
     */
    final V view()
    {
        return view;
    }

    /**
     * Makes a view the one picks see from now.
     *
     * @param view the list and what was derived from it.
     */
    final void publish(final V view)
    {
        this.view = view;
    }

    /** {@inheritDoc} */
    @Override
    public final RealServerList servers()
    {
        return view.list;
    }

    /**
     * Runs the garbage collection when {@value LocalityTable#CHECK_EXPIRE_INTERVAL_MS} ms have passed since the
     * previous run (the first call starts the timer).
     *
     * @param nowMs the clock in milliseconds.
     */
    @Override
    public final void tick(final long nowMs)
    {
        table.tick(nowMs);
    }

    /**
     * Drops every entry, as {@code ip_vs_lblc_flush} and {@code ip_vs_lblcr_flush} do when the service goes away or
     * changes scheduler.
     */
    public final void flush()
    {
        table.flush();
    }

    /** @return entries (destination addresses) in the table. */
    public final long entries()
    {
        return table.entries();
    }

    /** @return picks whose choice could not be cached because the address's bucket was full. */
    public final long tableFull()
    {
        return table.tableFull();
    }

    /**
     * @return table changes skipped because another thread was writing the same slot, or had just cached (or was
     * caching) the same address.
     */
    public final long contended()
    {
        return table.contended();
    }

    /** @return garbage-collection runs so far. */
    public final long gcRuns()
    {
        return table.gcRuns();
    }

    /**
     * The list a pick chooses from, immutable once published; subclasses add what they derive from it.
     */
    static class View
    {
        /** The service's servers. */
        final RealServerList list;

        View(final RealServerList list)
        {
            this.list = list;
        }
    }
}
