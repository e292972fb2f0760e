package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * A {@code track_script} entry: {@code <SCRIPT> [weight <W>] [reverse|noreverse]}; without a weight the
 * script's own weight applies.
 *
 * @param name    the {@code vrrp_script} name.
 * @param weight  the weight override, null for the script's.
 * @param reverse {@code reverse} (true), {@code noreverse} (false) or null for the script's.
 */
public record TrackedScript(String name, Integer weight, Boolean reverse)
{
    /**
     * Checks the fields.
     *
     * @param name    script name.
     * @param weight  weight or null.
     * @param reverse reverse or null.
     */
    public TrackedScript
    {
        Objects.requireNonNull(name, "name");
    }
}
