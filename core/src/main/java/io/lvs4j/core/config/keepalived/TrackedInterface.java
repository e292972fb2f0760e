package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * A {@code track_interface} entry: {@code <IF> [weight <-253..253>] [reverse]}. Weight 0 puts the instance into
 * FAULT while the interface is down; otherwise the weight adjusts the priority (§10.6).
 *
 * @param name    the interface.
 * @param weight  the weight, 0 by default.
 * @param reverse {@code reverse}.
 */
public record TrackedInterface(String name, int weight, boolean reverse)
{
    /**
     * Checks the fields.
     *
     * @param name    interface.
     * @param weight  weight.
     * @param reverse reversed.
     */
    public TrackedInterface
    {
        Objects.requireNonNull(name, "name");
    }
}
