package io.lvs4j.forwarder.check;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * One virtual service's reaction to its real servers' health, keepalived's {@code ipwrapper.c}: turns the
 * {@link HealthChecker}'s transitions into {@link HealthDecision}s (add, remove, set weight, notifications, quorum).
 * <ul>
 *     <li>A real server that fails is removed; with {@code inhibit_on_failure} its weight is set to 0 instead
 *     (connections drain) and restored on recovery.</li>
 *     <li>At registration an up real server is added; a down (alpha) one is not, unless inhibited, when it is added
 *     with weight 0.</li>
 *     <li>Quorum: {@code weight_sum} is the sum of the up real servers' effective weights; quorum is gained when it
 *     reaches {@code quorum + hysteresis} and lost when it drops below {@code quorum - hysteresis} or to 0.</li>
 *     <li>On quorum loss with a {@code sorry_server}: the up real servers leave the pool and the sorry server enters
 *     it; while it is active real servers' transitions change nothing in the director. On gain: the sorry server
 *     leaves (or is set to weight 0 with {@code sorry_server_inhibit}) and the up real servers come back.</li>
 *     <li>{@code omega}: {@link #shutdown()} notifies every up real server down and the quorum loss.</li>
 * </ul>
 * Quorum is evaluated from {@link #start()} on, so the service's first registrations do not flap it. Runs on the
 * health checker's thread.
 */
public final class VirtualServiceHealthPolicy implements RealServerHealthListener
{
    private static final class Member
    {
        boolean alive;
        int weight;
        boolean inPool;
        int poolWeight;
        boolean inhibit;
    }

    private final Map<RealServerRef, Boolean> inhibitOverrides = new HashMap<>();

    private final String service;
    private final ServicePolicySpec spec;
    private final Consumer<HealthDecision> decisions;
    private final RealServerRef sorry;
    private final RealServerRef quorumRef;
    private final Map<RealServerRef, Member> members = new LinkedHashMap<>();
    private boolean started;
    private boolean quorumUp = true;
    private boolean sorryActive;
    private boolean sorryInPool;

    /**
     * @param service   the virtual service's name, as in the {@link RealServerRef}s it will hear about.
     * @param spec      its policy.
     * @param decisions where decisions go, in order.
     */
    public VirtualServiceHealthPolicy(
        final String service, final ServicePolicySpec spec, final Consumer<HealthDecision> decisions)
    {
        this.service = Objects.requireNonNull(service);
        this.spec = Objects.requireNonNull(spec);
        this.decisions = Objects.requireNonNull(decisions);
        this.sorry = spec.sorryServer() != null ?
            new RealServerRef(service, spec.sorryServer(), spec.sorryServerPort()) : null;
        this.quorumRef = new RealServerRef(service, anyAddress(), 0);
    }

    /**
     * Starts quorum evaluation, once the service's real servers are registered.
     */
    public void start()
    {
        started = true;
        updateQuorum("start");
    }

    /**
     * The service is being shut down: with {@code omega}, notify every up real server down and the quorum loss.
     */
    public void shutdown()
    {
        if (!spec.omega())
        {
            return;
        }
        for (final Map.Entry<RealServerRef, Member> entry : members.entrySet())
        {
            if (entry.getValue().alive)
            {
                emit(HealthDecision.Kind.NOTIFY_DOWN, entry.getKey(), 0, "omega: shutdown");
            }
        }
        if (quorumUp)
        {
            quorumUp = false;
            emit(HealthDecision.Kind.QUORUM_DOWN, quorumRef, 0, "omega: shutdown");
        }
    }

    /**
     * @return whether the service holds quorum.
     */
    public boolean isQuorumUp()
    {
        return quorumUp;
    }

    /**
     * @return whether the sorry server is serving in place of the real servers.
     */
    public boolean isSorryServerActive()
    {
        return sorryActive;
    }

    /**
     * @return {@code weight_sum}: the sum of the up real servers' effective weights.
     */
    public long weightSum()
    {
        long sum = 0;
        for (final Member member : members.values())
        {
            if (member.alive)
            {
                sum += member.weight;
            }
        }
        return sum;
    }

    /**
     * Sets {@code inhibit_on_failure} for one real server, as keepalived allows in a {@code real_server} block;
     * call before the real server registers. Real servers without a setting follow the service's.
     *
     * @param rs      the real server.
     * @param inhibit whether a failure sets its weight to 0 instead of removing it.
     */
    public void inhibitOnFailure(final RealServerRef rs, final boolean inhibit)
    {
        inhibitOverrides.put(rs, inhibit);
    }

    /** {@inheritDoc} */
    public void onRegistered(final RealServerRef rs, final boolean up, final int weight)
    {
        checkService(rs);
        final Member member = new Member();
        member.alive = up;
        member.weight = weight;
        member.inhibit = inhibitOverrides.getOrDefault(rs, spec.inhibitOnFailure());
        members.put(rs, member);
        if (!sorryActive)
        {
            if (up)
            {
                add(rs, member, "registered up");
            }
            else if (member.inhibit)
            {
                member.inPool = true;
                member.poolWeight = 0;
                emit(HealthDecision.Kind.ADD, rs, 0, "registered down (alpha), inhibited");
            }
        }
        updateQuorum("real server registered");
    }

    /** {@inheritDoc} */
    public void onUp(final RealServerRef rs, final String reason)
    {
        final Member member = member(rs);
        if (member == null || member.alive)
        {
            return;
        }
        member.alive = true;
        if (!sorryActive)
        {
            add(rs, member, reason);
        }
        emit(HealthDecision.Kind.NOTIFY_UP, rs, member.weight, reason);
        updateQuorum(reason);
    }

    /** {@inheritDoc} */
    public void onDown(final RealServerRef rs, final String reason)
    {
        final Member member = member(rs);
        if (member == null || !member.alive)
        {
            return;
        }
        member.alive = false;
        if (!sorryActive)
        {
            remove(rs, member, reason);
        }
        emit(HealthDecision.Kind.NOTIFY_DOWN, rs, 0, reason);
        updateQuorum(reason);
    }

    /** {@inheritDoc} */
    public void onWeightChanged(final RealServerRef rs, final int weight)
    {
        final Member member = member(rs);
        if (member == null)
        {
            return;
        }
        member.weight = weight;
        // keepalived pushes a weight only to a real server that is alive and in the pool
        if (member.alive && member.inPool && !sorryActive && member.poolWeight != weight)
        {
            member.poolWeight = weight;
            emit(HealthDecision.Kind.SET_WEIGHT, rs, weight, "dynamic weight");
        }
        updateQuorum("weight change");
    }

    /** {@inheritDoc} */
    public void onUnregistered(final RealServerRef rs)
    {
        final Member member = members.remove(rs);
        if (member == null)
        {
            return;
        }
        if (member.inPool)
        {
            emit(HealthDecision.Kind.REMOVE, rs, 0, "unregistered");
        }
        updateQuorum("real server unregistered");
    }

    private void add(final RealServerRef rs, final Member member, final String reason)
    {
        if (member.inPool)
        {
            if (member.poolWeight != member.weight)
            {
                member.poolWeight = member.weight;
                emit(HealthDecision.Kind.SET_WEIGHT, rs, member.weight, reason);
            }
        }
        else
        {
            member.inPool = true;
            member.poolWeight = member.weight;
            emit(HealthDecision.Kind.ADD, rs, member.weight, reason);
        }
    }

    private void remove(final RealServerRef rs, final Member member, final String reason)
    {
        if (!member.inPool)
        {
            return;
        }
        if (member.inhibit)
        {
            if (member.poolWeight != 0)
            {
                member.poolWeight = 0;
                emit(HealthDecision.Kind.SET_WEIGHT, rs, 0, reason + " (inhibit_on_failure)");
            }
        }
        else
        {
            member.inPool = false;
            emit(HealthDecision.Kind.REMOVE, rs, 0, reason);
        }
    }

    private void updateQuorum(final String reason)
    {
        if (!started)
        {
            return;
        }
        final long sum = weightSum();
        if (!quorumUp && sum >= spec.quorum() + spec.hysteresis())
        {
            quorumUp = true;
            emit(HealthDecision.Kind.QUORUM_UP, quorumRef, 0, "weight sum " + sum + " >= " +
                (spec.quorum() + spec.hysteresis()) + ": " + reason);
            if (sorryActive)
            {
                sorryActive = false;
                if (spec.sorryServerInhibit())
                {
                    emit(HealthDecision.Kind.SET_WEIGHT, sorry, 0, "quorum gained (sorry_server_inhibit)");
                }
                else
                {
                    sorryInPool = false;
                    emit(HealthDecision.Kind.REMOVE, sorry, 0, "quorum gained");
                }
                for (final Map.Entry<RealServerRef, Member> entry : members.entrySet())
                {
                    if (entry.getValue().alive)
                    {
                        add(entry.getKey(), entry.getValue(), "quorum gained");
                    }
                }
            }
        }
        else if (quorumUp && (sum < spec.quorum() - spec.hysteresis() || sum == 0))
        {
            quorumUp = false;
            emit(HealthDecision.Kind.QUORUM_DOWN, quorumRef, 0, "weight sum " + sum + " < " +
                (spec.quorum() - spec.hysteresis()) + ": " + reason);
            if (sorry != null)
            {
                for (final Map.Entry<RealServerRef, Member> entry : members.entrySet())
                {
                    if (entry.getValue().alive)
                    {
                        remove(entry.getKey(), entry.getValue(), "quorum lost, sorry server");
                    }
                }
                if (sorryInPool)
                {
                    emit(HealthDecision.Kind.SET_WEIGHT, sorry, spec.sorryServerWeight(), "quorum lost");
                }
                else
                {
                    sorryInPool = true;
                    emit(HealthDecision.Kind.ADD, sorry, spec.sorryServerWeight(), "quorum lost");
                }
                sorryActive = true;
            }
        }
    }

    private Member member(final RealServerRef rs)
    {
        checkService(rs);
        return members.get(rs);
    }

    private void checkService(final RealServerRef rs)
    {
        if (!rs.service().equals(service))
        {
            throw new IllegalArgumentException(rs + " is not of " + service);
        }
    }

    private void emit(final HealthDecision.Kind kind, final RealServerRef target, final int weight, final String reason)
    {
        decisions.accept(new HealthDecision(kind, target, weight, reason));
    }

    private static InetAddress anyAddress()
    {
        try
        {
            return InetAddress.getByAddress(new byte[4]);
        }
        catch (final java.net.UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
