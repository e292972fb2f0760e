package io.lvs4j.forwarder.check;

import java.util.ArrayList;
import java.util.List;

/**
 * A real server as the health checker sees it: its checkers, how many are down (keepalived's
 * {@code num_failed_checkers}) and its effective weight.
 */
final class RealServerState
{
    final RealServerRef rs;
    final int configuredWeight;
    final List<Checker> checkers = new ArrayList<>();
    int failedCheckers;
    int effectiveWeight;
    boolean registered;

    RealServerState(final RealServerRef rs, final int configuredWeight)
    {
        this.rs = rs;
        this.configuredWeight = configuredWeight;
        this.effectiveWeight = configuredWeight;
    }

    boolean isUp()
    {
        return failedCheckers == 0;
    }

    /**
     * keepalived's {@code real_weight}: configured weight plus every checker's adjustment, clamped to
     * {@code [0, Integer.MAX_VALUE]}.
     *
     * @return the effective weight.
     */
    int computeWeight()
    {
        long weight = configuredWeight;
        for (final Checker checker : checkers)
        {
            weight += checker.weightAdjust;
        }
        return (int)Math.max(0, Math.min(Integer.MAX_VALUE, weight));
    }
}
