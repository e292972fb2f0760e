package io.lvs4j.core.config.keepalived;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code vrrp_script <NAME> { }}: a command run periodically for instances that track it; exit 0 is OK.
 *
 * @param name     the name instances track it by.
 * @param script   {@code script}, the command line.
 * @param interval {@code interval}, 1 s by default.
 * @param timeout  {@code timeout}, the interval by default.
 * @param weight   {@code weight}, -253..253, 0 by default (failure means FAULT).
 * @param reverse  {@code weight N reverse}.
 * @param rise     {@code rise}: successes needed to become OK, 1 by default.
 * @param fall     {@code fall}: failures needed to become KO, 1 by default.
 * @param user     {@code user}, null for the default script user.
 * @param group    the user's group, null for the user's own.
 * @param initFail {@code init_fail}: start in the failed state.
 */
public record VrrpScript(
    String name, String script, Duration interval, Duration timeout, int weight, boolean reverse, int rise,
    int fall, String user, String group, boolean initFail)
{
    /** {@code interval}'s default. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    /**
     * Checks the fields.
     *
     * @param name     name.
     * @param script   command.
     * @param interval interval.
     * @param timeout  timeout.
     * @param weight   weight.
     * @param reverse  reverse.
     * @param rise     rise.
     * @param fall     fall.
     * @param user     user or null.
     * @param group    group or null.
     * @param initFail init_fail.
     */
    public VrrpScript
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
    }
}
