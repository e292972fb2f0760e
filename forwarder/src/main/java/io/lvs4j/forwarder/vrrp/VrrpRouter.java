package io.lvs4j.forwarder.vrrp;

import java.util.Objects;

/**
 * One virtual router's state machine (RFC 5798 §6.4, RFC 3768 §6.4, with keepalived's FAULT): timers as
 * deadlines on a caller-supplied clock (nanoseconds), actions through a {@link Listener}, no threads and no I/O,
 * so it runs on the engine's thread and under a fake clock in tests. The caller hands it only adverts that passed
 * every receive check.
 */
public final class VrrpRouter
{
    /** A deadline that never comes. */
    public static final long NEVER = Long.MAX_VALUE;
    /** The address owner's priority. */
    public static final int OWNER_PRIORITY = 255;

    private static final long SECOND_NS = 1_000_000_000L;
    private static final long CENTISECOND_NS = 10_000_000L;

    /**
     * What the state machine asks of its engine.
     */
    public interface Listener
    {
        /**
         * Sends an advert now.
         *
         * @param router   the router.
         * @param priority the priority to advertise (0 when releasing).
         */
        void sendAdvert(VrrpRouter router, int priority);

        /**
         * The router changed state.
         *
         * @param router the router.
         * @param from   the old state.
         * @param to     the new state.
         */
        void stateChanged(VrrpRouter router, VrrpState from, VrrpState to);

        /**
         * A master answered a lower-priority master's advert (a split brain healing): keepalived follows its answer
         * with {@code garp_lower_prio_repeat} gratuitous ARPs, so hosts that learnt the other side's MAC come back.
         *
         * @param router the router.
         */
        default void lowerPriorityAnswered(final VrrpRouter router)
        {
        }
    }

    private final String name;
    private final int vrid;
    private final int version;
    private final int basePriority;
    /** The least time between two answers to adverts a master receives (lower priority or priority 0). */
    static final long ANSWER_SPACING_NS = 100_000_000L;

    private final long advertIntervalNs;
    private final boolean preempt;
    private final long preemptDelayNs;
    private final int primaryAddress;
    private final Listener listener;
    /** Written by the engine's thread only; volatile for the admin thread that lists it. */
    private volatile VrrpState state = VrrpState.INIT;
    private int priority;
    private long masterAdvertIntervalNs;
    private long masterDownDeadline = NEVER;
    private long advertDeadline = NEVER;
    private long lastAnswer = Long.MIN_VALUE / 2;
    private long preemptDeadline = NEVER;

    /**
     * A router in INIT.
     *
     * @param name             the instance's name (for notifies and logs).
     * @param vrid             the virtual router id.
     * @param version          2 or 3.
     * @param priority         the configured priority (255: address owner).
     * @param advertIntervalNs the advert interval.
     * @param nopreempt        {@code nopreempt}: a backup never takes over from a live lower-priority master.
     * @param preemptDelayNs   {@code preempt_delay}: how long a backup keeps accepting a lower-priority master.
     * @param primaryAddress   the address adverts are sent from (ties between equal priorities).
     * @param listener         where actions go.
     */
    public VrrpRouter(
        final String name, final int vrid, final int version, final int priority, final long advertIntervalNs,
        final boolean nopreempt, final long preemptDelayNs, final int primaryAddress, final Listener listener)
    {
        if (version != 2 && version != 3)
        {
            throw new IllegalArgumentException("VRRP version " + version);
        }
        if (advertIntervalNs <= 0)
        {
            throw new IllegalArgumentException("advert interval " + advertIntervalNs);
        }
        this.name = Objects.requireNonNull(name);
        this.vrid = vrid;
        this.version = version;
        this.basePriority = priority;
        this.priority = priority;
        this.advertIntervalNs = advertIntervalNs;
        this.masterAdvertIntervalNs = advertIntervalNs;
        this.preempt = !nopreempt;
        this.preemptDelayNs = preemptDelayNs;
        this.primaryAddress = primaryAddress;
        this.listener = Objects.requireNonNull(listener);
    }

    /**
     * Startup (RFC §6.4.1): the owner (priority 255) becomes master at once, advertising; anyone else becomes
     * backup and waits one master-down interval (keepalived does the same with {@code state MASTER}: it starts as
     * backup, which is why its master owns the VIP ~3.6 s after start).
     *
     * @param now the clock.
     */
    public void start(final long now)
    {
        if (state != VrrpState.INIT)
        {
            return;
        }
        if (basePriority == OWNER_PRIORITY)
        {
            becomeMaster(now);
        }
        else
        {
            becomeBackup(now, advertIntervalNs);
        }
    }

    /**
     * Fires due timers: a backup whose master-down timer expired becomes master; a master whose advert timer
     * expired advertises.
     *
     * @param now the clock.
     * @return the next deadline, {@link #NEVER} if none.
     */
    public long poll(final long now)
    {
        if (state == VrrpState.BACKUP && now >= masterDownDeadline)
        {
            becomeMaster(now);
        }
        else if (state == VrrpState.MASTER && now >= advertDeadline)
        {
            listener.sendAdvert(this, priority);
            advertDeadline = now + advertIntervalNs;
        }
        return nextDeadline();
    }

    /** @return the earliest pending deadline, {@link #NEVER} if none. */
    public long nextDeadline()
    {
        return state == VrrpState.BACKUP ? masterDownDeadline : state == VrrpState.MASTER ? advertDeadline : NEVER;
    }

    /**
     * An advert that passed the receive checks (RFC §6.4.2, §6.4.3).
     *
     * @param now              the clock.
     * @param advertPriority   its priority.
     * @param source           its IPv4 source (the sender's primary address).
     * @param advertIntervalNs its interval (v3: learnt by backups; v2: equal to ours, checked before).
     * @return false when the router ignores adverts in its state (INIT, FAULT).
     */
    public boolean onAdvert(final long now, final int advertPriority, final int source, final long advertIntervalNs)
    {
        switch (state)
        {
            case BACKUP:
                if (advertPriority == 0)
                {
                    // the master released: take over after skew time only, so the best backup wins
                    masterDownDeadline = now + skewNs();
                }
                else if (!preempt || advertPriority >= priority)
                {
                    preemptDeadline = NEVER;
                    acceptMaster(now, advertIntervalNs);
                }
                else if (preemptDelayNs > 0)
                {
                    // keepalived's preempt_delay: a lower-priority master is tolerated for this long after first seen
                    if (preemptDeadline == NEVER)
                    {
                        preemptDeadline = now + preemptDelayNs;
                    }
                    if (now < preemptDeadline)
                    {
                        acceptMaster(now, advertIntervalNs);
                    }
                }
                // else: lower priority with preempt on: discarded, so our master-down timer takes over
                return true;
            case MASTER:
                if (advertPriority == 0)
                {
                    answer(now);
                }
                else if (advertPriority > priority ||
                    (advertPriority == priority && Integer.compareUnsigned(source, primaryAddress) > 0))
                {
                    becomeBackup(now, version == 3 ? advertIntervalNs : this.advertIntervalNs);
                }
                else
                {
                    // keepalived (without lower_prio_no_advert) answers a lower-priority master at once, so the
                    // other side steps down without waiting for our next advert
                    if (answer(now))
                    {
                        listener.lowerPriorityAnswered(this);
                    }
                }
                return true;
            default:
                return false;
        }
    }

    private boolean answer(final long now)
    {
        // one answer per ANSWER_SPACING_NS: a flood of adverts must not become a flood of ours (and fill the
        // control queue the gratuitous ARPs share); a real peer advertises once per interval, far slower
        if (now - lastAnswer < ANSWER_SPACING_NS)
        {
            return false;
        }
        lastAnswer = now;
        listener.sendAdvert(this, priority);
        advertDeadline = now + this.advertIntervalNs;
        return true;
    }

    /**
     * Shutdown (RFC §6.4.3): a master sends a priority-0 advert so the backup takes over after its skew time;
     * every state goes to INIT.
     *
     * @param now the clock.
     */
    public void stop(final long now)
    {
        if (state == VrrpState.INIT)
        {
            return;
        }
        if (state == VrrpState.MASTER)
        {
            listener.sendAdvert(this, 0);
        }
        transition(VrrpState.INIT);
    }

    /**
     * A tracked object with weight 0 went down (FAULT: a master releases with priority 0) or came back (to
     * BACKUP, or straight to MASTER for the owner).
     *
     * @param now   the clock.
     * @param fault whether it is in fault.
     */
    public void fault(final long now, final boolean fault)
    {
        if (fault && state != VrrpState.FAULT)
        {
            if (state == VrrpState.MASTER)
            {
                listener.sendAdvert(this, 0);
            }
            // from INIT too (keepalived's vrrp_init_state): an instance that starts in fault never takes the VIPs,
            // not even for an instant as the owner would
            transition(VrrpState.FAULT);
        }
        else if (!fault && state == VrrpState.FAULT)
        {
            if (basePriority == OWNER_PRIORITY)
            {
                becomeMaster(now);
            }
            else
            {
                becomeBackup(now, advertIntervalNs);
            }
        }
    }

    /**
     * Sets the effective priority (tracking weights applied and clamped by the caller); the owner's never changes.
     * A master advertises the new value from its next advert; a backup uses it from its next timer reset.
     *
     * @param priority the priority, 1..254.
     */
    public void priority(final int priority)
    {
        if (basePriority != OWNER_PRIORITY)
        {
            this.priority = priority;
        }
    }

    /**
     * Makes a backup master now (a sync group's member went master).
     *
     * @param now the clock.
     */
    public void forceMaster(final long now)
    {
        if (state == VrrpState.BACKUP)
        {
            becomeMaster(now);
        }
    }

    /**
     * Makes a master backup now (a sync group's member went backup).
     *
     * @param now the clock.
     */
    public void forceBackup(final long now)
    {
        if (state == VrrpState.MASTER)
        {
            becomeBackup(now, masterAdvertIntervalNs);
        }
    }

    private void acceptMaster(final long now, final long advertIntervalNs)
    {
        if (version == 3)
        {
            masterAdvertIntervalNs = advertIntervalNs;
        }
        masterDownDeadline = now + masterDownIntervalNs();
    }

    private void becomeMaster(final long now)
    {
        listener.sendAdvert(this, priority);
        advertDeadline = now + advertIntervalNs;
        masterDownDeadline = NEVER;
        preemptDeadline = NEVER;
        transition(VrrpState.MASTER);
    }

    private void becomeBackup(final long now, final long masterInterval)
    {
        masterAdvertIntervalNs = masterInterval;
        advertDeadline = NEVER;
        // keepalived's vrrp_state_leave_fault / leave_master: a preempt_delay starts afresh in a new backup period
        preemptDeadline = NEVER;
        masterDownDeadline = now + masterDownIntervalNs();
        transition(VrrpState.BACKUP);
    }

    private void transition(final VrrpState to)
    {
        final VrrpState from = state;
        state = to;
        if (to != VrrpState.BACKUP)
        {
            masterDownDeadline = NEVER;
        }
        if (to != VrrpState.MASTER)
        {
            advertDeadline = NEVER;
        }
        if (from != to)
        {
            listener.stateChanged(this, from, to);
        }
    }

    /**
     * Skew time: v2 {@code (256 - priority) / 256} s (RFC 3768, keepalived), v3
     * {@code (256 - priority) * Master_Adver_Interval / 256} in whole centiseconds (RFC 5798, keepalived).
     *
     * @return the skew in nanoseconds.
     */
    public long skewNs()
    {
        if (version == 2)
        {
            return (256L - priority) * SECOND_NS / 256;
        }
        final long intervalCs = masterAdvertIntervalNs / CENTISECOND_NS;
        return (256L - priority) * intervalCs / 256 * CENTISECOND_NS;
    }

    /** @return {@code 3 * Master_Adver_Interval + Skew_Time} in nanoseconds. */
    public long masterDownIntervalNs()
    {
        return 3 * masterAdvertIntervalNs + skewNs();
    }

    /** @return the instance's name. */
    public String name()
    {
        return name;
    }

    /** @return the virtual router id. */
    public int vrid()
    {
        return vrid;
    }

    /** @return 2 or 3. */
    public int version()
    {
        return version;
    }

    /** @return the current state. */
    public VrrpState state()
    {
        return state;
    }

    /** @return the effective priority. */
    public int priority()
    {
        return priority;
    }

    /** @return the configured priority. */
    public int basePriority()
    {
        return basePriority;
    }

    /** @return the configured advert interval in nanoseconds. */
    public long advertIntervalNs()
    {
        return advertIntervalNs;
    }

    /** @return the master's advert interval in nanoseconds (v3 learns it). */
    public long masterAdvertIntervalNs()
    {
        return masterAdvertIntervalNs;
    }

    /** @return the master-down deadline, {@link #NEVER} unless backup. */
    public long masterDownDeadline()
    {
        return masterDownDeadline;
    }

    /** @return the primary address (adverts' source). */
    public int primaryAddress()
    {
        return primaryAddress;
    }

    @Override
    public String toString()
    {
        return name + "(vrid " + vrid + ", " + state + ", priority " + priority + ")";
    }
}
