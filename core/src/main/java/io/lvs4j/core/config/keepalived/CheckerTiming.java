package io.lvs4j.core.config.keepalived;

import java.time.Duration;
import java.util.Objects;

/**
 * When a checker runs and how it counts failures (§10.4): every {@code delay_loop}, first run delayed by up to
 * {@code warmup}; down after {@code retry + 1} consecutive failures spaced by {@code delay_before_retry}.
 *
 * @param retry            further attempts after a failure before the checker is declared down.
 * @param delayBeforeRetry spacing of those attempts.
 * @param warmup           the first run is delayed by a random time up to this; 0 disables.
 * @param delayLoop        the period of the check.
 * @param alpha            start down rather than up.
 * @param logAllFailures   log every failure, not only state changes.
 */
public record CheckerTiming(
    int retry, Duration delayBeforeRetry, Duration warmup, Duration delayLoop, boolean alpha, boolean logAllFailures)
{
    /**
     * Checks the fields.
     *
     * @param retry            retries.
     * @param delayBeforeRetry retry spacing.
     * @param warmup           warmup.
     * @param delayLoop        period.
     * @param alpha            alpha mode.
     * @param logAllFailures   log all failures.
     */
    public CheckerTiming
    {
        Objects.requireNonNull(delayBeforeRetry, "delayBeforeRetry");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(delayLoop, "delayLoop");
        if (retry < 0)
        {
            throw new IllegalArgumentException("retry " + retry);
        }
    }
}
