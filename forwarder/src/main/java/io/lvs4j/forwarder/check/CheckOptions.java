package io.lvs4j.forwarder.check;

import java.time.Duration;
import java.util.Objects;

/**
 * The timing and counting knobs every checker has, keepalived's names and defaults (section 10.3 of the reference),
 * plus lvs4j's {@code rise}/{@code fall} extension.
 * <p>
 * With the defaults ({@code rise} 1, {@code fall} 0) the state machine is keepalived's exactly: an up checker is
 * declared down after {@code retry + 1} consecutive failures, the retries spaced by {@code delay_before_retry}, and a
 * down checker comes up on its first success. Values are validated here so the engine never sees a negative delay.
 *
 * @param connectTimeout   {@code connect_timeout}: how long each network step of a check may take (default 5 s).
 * @param retry            {@code retry} / {@code nb_get_retry}: further attempts after a failure of an up checker
 *                         before it is declared down (default 1; DNS 3, MISC 0).
 * @param delayBeforeRetry {@code delay_before_retry}: the gap before such a retry (default 1 s; HTTP/SSL 3 s);
 *                         {@code null} means "the same as delay_loop", keepalived's DNS_CHECK default.
 * @param delayLoop        {@code delay_loop}: the gap between regular checks (default 60 s).
 * @param warmup           {@code warmup}: the first check runs after a random delay in {@code [0, warmup]};
 *                         {@code null} means "the same as delay_loop" (keepalived's default), zero disables.
 * @param alpha            {@code alpha}: the checker starts down, so its real server is not in the pool until the
 *                         first success.
 * @param rise             lvs4j: consecutive successes a down checker needs to come up (default 1 = keepalived).
 * @param fall             lvs4j: consecutive failures that take an up checker down; 0 (default) means
 *                         {@code retry + 1} = keepalived.
 */
public record CheckOptions(
    Duration connectTimeout,
    int retry,
    Duration delayBeforeRetry,
    Duration delayLoop,
    Duration warmup,
    boolean alpha,
    int rise,
    int fall)
{
    /** keepalived's defaults for TCP, SMTP, UDP, PING and FILE checks. */
    public static final CheckOptions DEFAULTS = new CheckOptions(
        Duration.ofSeconds(5), 1, Duration.ofSeconds(1), Duration.ofSeconds(60), null, false, 1, 0);

    /**
     * Validates the values.
     */
    public CheckOptions
    {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(delayLoop, "delayLoop");
        if (connectTimeout.isNegative() || connectTimeout.isZero())
        {
            throw new IllegalArgumentException("connect_timeout must be positive: " + connectTimeout);
        }
        if (delayLoop.isNegative() || delayLoop.isZero())
        {
            throw new IllegalArgumentException("delay_loop must be positive: " + delayLoop);
        }
        if (delayBeforeRetry != null && delayBeforeRetry.isNegative())
        {
            throw new IllegalArgumentException("delay_before_retry must not be negative: " + delayBeforeRetry);
        }
        if (warmup != null && warmup.isNegative())
        {
            throw new IllegalArgumentException("warmup must not be negative: " + warmup);
        }
        if (retry < 0)
        {
            throw new IllegalArgumentException("retry must not be negative: " + retry);
        }
        if (rise < 1)
        {
            throw new IllegalArgumentException("rise must be at least 1: " + rise);
        }
        if (fall < 0)
        {
            throw new IllegalArgumentException("fall must not be negative: " + fall);
        }
    }

    /**
     * @return consecutive failures that take an up checker down: {@code fall}, or {@code retry + 1} when 0.
     */
    public int failuresToDown()
    {
        return fall > 0 ? fall : retry + 1;
    }

    /**
     * @return {@code delay_before_retry} in nanoseconds, {@code delay_loop} when unset.
     */
    public long delayBeforeRetryNs()
    {
        return (delayBeforeRetry == null ? delayLoop : delayBeforeRetry).toNanos();
    }

    /**
     * @return {@code warmup} in nanoseconds, {@code delay_loop} when unset.
     */
    public long warmupNs()
    {
        return (warmup == null ? delayLoop : warmup).toNanos();
    }

    /**
     * @param timeout {@code connect_timeout}.
     * @return these options with it set.
     */
    public CheckOptions withConnectTimeout(final Duration timeout)
    {
        return new CheckOptions(timeout, retry, delayBeforeRetry, delayLoop, warmup, alpha, rise, fall);
    }

    /**
     * @param retries {@code retry}.
     * @return these options with it set.
     */
    public CheckOptions withRetry(final int retries)
    {
        return new CheckOptions(connectTimeout, retries, delayBeforeRetry, delayLoop, warmup, alpha, rise, fall);
    }

    /**
     * @param delay {@code delay_before_retry}, {@code null} for "same as delay_loop".
     * @return these options with it set.
     */
    public CheckOptions withDelayBeforeRetry(final Duration delay)
    {
        return new CheckOptions(connectTimeout, retry, delay, delayLoop, warmup, alpha, rise, fall);
    }

    /**
     * @param delay {@code delay_loop}.
     * @return these options with it set.
     */
    public CheckOptions withDelayLoop(final Duration delay)
    {
        return new CheckOptions(connectTimeout, retry, delayBeforeRetry, delay, warmup, alpha, rise, fall);
    }

    /**
     * @param delay {@code warmup}, {@code null} for "same as delay_loop", zero to start at once.
     * @return these options with it set.
     */
    public CheckOptions withWarmup(final Duration delay)
    {
        return new CheckOptions(connectTimeout, retry, delayBeforeRetry, delayLoop, delay, alpha, rise, fall);
    }

    /**
     * @param startDown {@code alpha}.
     * @return these options with it set.
     */
    public CheckOptions withAlpha(final boolean startDown)
    {
        return new CheckOptions(connectTimeout, retry, delayBeforeRetry, delayLoop, warmup, startDown, rise, fall);
    }

    /**
     * @param successes lvs4j's {@code rise}.
     * @param failures  lvs4j's {@code fall}, 0 for {@code retry + 1}.
     * @return these options with them set.
     */
    public CheckOptions withRiseFall(final int successes, final int failures)
    {
        return new CheckOptions(connectTimeout, retry, delayBeforeRetry, delayLoop, warmup, alpha, successes, failures);
    }
}
