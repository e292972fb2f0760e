package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.nio.channels.SelectionKey;

/**
 * One run of one checker: opens what it needs, reacts to readiness on the engine's selector (or to the engine's
 * polls for processes and ICMP), and finishes exactly once with a pass or a failure. Every step is non-blocking;
 * a timer bounds each step by {@code connect_timeout}.
 */
abstract class Probe
{
    /** A result that carries no weight adjustment. */
    static final long NO_WEIGHT = Long.MIN_VALUE;

    final HealthChecker host;
    final Checker checker;
    private boolean done;
    private final Timer timeout = new Timer()
    {
        void onExpiry(final long nowNs)
        {
            onTimeout();
        }
    };

    Probe(final HealthChecker host, final Checker checker)
    {
        this.host = host;
        this.checker = checker;
    }

    /**
     * Starts the run; may finish it at once.
     *
     * @throws IOException when a socket cannot be opened; the engine turns it into a failure.
     */
    abstract void start() throws IOException;

    /**
     * The selector found this probe's channel ready.
     *
     * @param key the channel's key.
     * @throws IOException on a socket error; the engine turns it into a failure.
     */
    void onSelected(final SelectionKey key) throws IOException
    {
    }

    /**
     * Closes what the run opened; called once, when it finishes or is aborted.
     */
    abstract void release();

    /**
     * The current step took longer than allowed; most checks fail, a UDP check without {@code require_reply} passes.
     */
    void onTimeout()
    {
        fail("timeout after " + checker.connectTimeoutNs / 1_000_000 + " ms");
    }

    /**
     * (Re)starts the step timer.
     *
     * @param ns how long the step may take.
     */
    final void armTimeout(final long ns)
    {
        host.timers().schedule(timeout, host.nowNs() + ns);
    }

    /**
     * (Re)starts the step timer with {@code connect_timeout}.
     */
    final void armTimeout()
    {
        armTimeout(checker.connectTimeoutNs);
    }

    final boolean isDone()
    {
        return done;
    }

    final void pass(final String message)
    {
        finish(true, message, NO_WEIGHT);
    }

    final void fail(final String message)
    {
        finish(false, message, NO_WEIGHT);
    }

    /**
     * Ends the run and hands the result to the checker's state machine.
     *
     * @param ok      pass or failure.
     * @param message what was found.
     * @param weight  the checker's new weight adjustment, or {@link #NO_WEIGHT}.
     */
    final void finish(final boolean ok, final String message, final long weight)
    {
        if (done)
        {
            return;
        }
        done = true;
        host.timers().cancel(timeout);
        release();
        checker.onResult(this, ok, message, weight);
    }

    /**
     * Ends the run without a result (its real server was removed or the engine closed).
     */
    final void abort()
    {
        if (!done)
        {
            done = true;
            host.timers().cancel(timeout);
            release();
        }
    }

    /**
     * @param ex an exception from a socket call.
     * @return a short description for the stats page, e.g. {@code "ConnectException: Connection refused"}.
     */
    static String describe(final Throwable ex)
    {
        return ex.getClass().getSimpleName() + (ex.getMessage() != null ? ": " + ex.getMessage() : "");
    }
}
