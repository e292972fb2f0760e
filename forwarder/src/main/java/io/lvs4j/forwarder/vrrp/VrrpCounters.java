package io.lvs4j.forwarder.vrrp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The VRRP engine's counters: drops per {@link VrrpDropReason}, adverts received and sent, and state transitions;
 * written by the engine's one thread, read by any (tests, admin).
 */
public final class VrrpCounters
{
    private final AtomicLongArray drops = new AtomicLongArray(VrrpDropReason.values().length);
    private final AtomicLongArray totals = new AtomicLongArray(4);
    private static final int RECEIVED = 0;
    private static final int SENT = 1;
    private static final int TRANSITIONS = 2;
    private static final int SEND_REFUSED = 3;

    /**
     * Counts a drop.
     *
     * @param reason why.
     */
    public void drop(final VrrpDropReason reason)
    {
        drops.incrementAndGet(reason.ordinal());
    }

    /**
     * @param reason the reason.
     * @return frames dropped for it.
     */
    public long drops(final VrrpDropReason reason)
    {
        return drops.get(reason.ordinal());
    }

    /** @return drops of every reason, in a map (allocates). */
    public Map<VrrpDropReason, Long> dropsByReason()
    {
        final Map<VrrpDropReason, Long> map = new EnumMap<>(VrrpDropReason.class);
        for (final VrrpDropReason reason : VrrpDropReason.values())
        {
            map.put(reason, drops(reason));
        }
        return map;
    }

    /** @return total drops. */
    public long totalDrops()
    {
        long total = 0;
        for (int i = 0; i < drops.length(); i++)
        {
            total += drops.get(i);
        }
        return total;
    }

    void received()
    {
        totals.incrementAndGet(RECEIVED);
    }

    void sent()
    {
        totals.incrementAndGet(SENT);
    }

    void sendRefused()
    {
        totals.incrementAndGet(SEND_REFUSED);
    }

    void transition()
    {
        totals.incrementAndGet(TRANSITIONS);
    }

    /** @return adverts accepted (passed every check). */
    public long advertsReceived()
    {
        return totals.get(RECEIVED);
    }

    /** @return adverts handed to the director to send. */
    public long advertsSent()
    {
        return totals.get(SENT);
    }

    /** @return frames the director's control queue refused (full). */
    public long sendsRefused()
    {
        return totals.get(SEND_REFUSED);
    }

    /** @return state transitions of all instances. */
    public long transitions()
    {
        return totals.get(TRANSITIONS);
    }
}
