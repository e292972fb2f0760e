package io.lvs4j.forwarder.check;

/**
 * One checker of one real server and its state machine, keepalived's {@code tcp_epilog} pattern plus lvs4j's
 * {@code rise}/{@code fall}:
 * <ul>
 *     <li>A success of an up checker, or of a down one that reaches {@code rise} consecutive successes, schedules
 *     the next run after {@code delay_loop}; the latter declares the checker up.</li>
 *     <li>A success of a down checker short of {@code rise} retries after {@code delay_before_retry}.</li>
 *     <li>A failure of an up checker (or one that has not run yet, alpha or not) retries after
 *     {@code delay_before_retry} until {@code retry + 1} (or {@code fall}) consecutive failures, which declare it
 *     down and go back to {@code delay_loop}.</li>
 *     <li>A failure of a down checker that has run waits {@code delay_loop}.</li>
 * </ul>
 */
final class Checker
{
    final HealthChecker host;
    final RealServerState server;
    final CheckSpec spec;
    final int index;
    final long connectTimeoutNs;
    final long delayLoopNs;
    final long delayBeforeRetryNs;
    final int failuresToDown;
    final int rise;

    boolean up;
    boolean hasRun;
    int consecutiveFailures;
    int consecutiveSuccesses;
    long weightAdjust;

    Probe probe;
    long startedNs;
    long runs;
    long failures;
    boolean lastOk;
    long lastLatencyNs;
    String lastMessage = "";
    long lastResultNs;

    final Timer runTimer = new Timer()
    {
        void onExpiry(final long nowNs)
        {
            run(nowNs);
        }
    };

    Checker(final HealthChecker host, final RealServerState server, final CheckSpec spec, final int index)
    {
        this.host = host;
        this.server = server;
        this.spec = spec;
        this.index = index;
        final CheckOptions options = spec.options();
        this.connectTimeoutNs = options.connectTimeout().toNanos();
        this.delayLoopNs = options.delayLoop().toNanos();
        this.delayBeforeRetryNs = options.delayBeforeRetryNs();
        // FILE_CHECK has no retries and no alpha in keepalived: the file's content is the state
        final boolean file = spec instanceof FileCheckSpec;
        this.failuresToDown = file ? 1 : options.failuresToDown();
        this.rise = file ? 1 : options.rise();
        this.up = file || !options.alpha();
    }

    void run(final long nowNs)
    {
        startedNs = nowNs;
        final Probe probe = host.newProbe(this);
        this.probe = probe;
        try
        {
            probe.start();
        }
        catch (final Exception ex)
        {
            probe.fail(Probe.describe(ex));
        }
    }

    void onResult(final Probe finished, final boolean ok, final String message, final long weight)
    {
        if (finished != probe)
        {
            return;
        }
        probe = null;
        final long nowNs = host.nowNs();
        runs++;
        lastOk = ok;
        lastLatencyNs = nowNs - startedNs;
        lastMessage = message;
        lastResultNs = nowNs;
        if (!ok)
        {
            failures++;
        }
        if (weight != Probe.NO_WEIGHT && weight != weightAdjust)
        {
            weightAdjust = weight;
            host.onWeightAdjusted(server);
        }

        final long delayNs = apply(ok, message);
        // a listener may have removed the real server while hearing about this result
        if (server.registered)
        {
            host.timers().schedule(runTimer, nowNs + delayNs);
        }
    }

    /**
     * Applies one result to the state machine.
     *
     * @param ok      the result.
     * @param message what was found, for the transition's reason.
     * @return the delay before the next run.
     */
    private long apply(final boolean ok, final String message)
    {
        if (ok)
        {
            consecutiveFailures = 0;
            hasRun = true;
            if (up)
            {
                return delayLoopNs;
            }
            if (++consecutiveSuccesses >= rise)
            {
                consecutiveSuccesses = 0;
                up = true;
                host.onCheckerUp(this, message);
                return delayLoopNs;
            }
            return delayBeforeRetryNs;
        }

        consecutiveSuccesses = 0;
        if (up || !hasRun)
        {
            if (++consecutiveFailures >= failuresToDown)
            {
                consecutiveFailures = 0;
                hasRun = true;
                if (up)
                {
                    up = false;
                    host.onCheckerDown(this, message);
                }
                return delayLoopNs;
            }
            return delayBeforeRetryNs;
        }
        return delayLoopNs;
    }

    String name()
    {
        return spec.type() + "#" + index;
    }

    CheckerStatus status()
    {
        return new CheckerStatus(
            server.rs, spec.type(), index, up, runs, failures, lastOk, lastLatencyNs, lastMessage, lastResultNs);
    }
}
