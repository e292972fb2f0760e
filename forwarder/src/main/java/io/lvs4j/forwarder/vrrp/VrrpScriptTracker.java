package io.lvs4j.forwarder.vrrp;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.config.keepalived.VrrpScript;

/**
 * Runs one {@code vrrp_script} every interval without blocking the engine's thread: the process is started, then
 * polled on later passes; one past its timeout is killed and counts as a failure. {@code rise} successes in a row
 * make it up, {@code fall} failures in a row make it down (keepalived's hysteresis).
 */
public final class VrrpScriptTracker
{
    private static final Logger LOG = LoggerFactory.getLogger(VrrpScriptTracker.class);

    private final VrrpScript script;
    private final List<String> command;
    private final VrrpEngine.ProcessLauncher launcher;
    private final long intervalNs;
    private final long timeoutNs;
    private Process running;
    private long startedAt;
    private long nextRun = Long.MIN_VALUE;
    private boolean up;
    private int successes;
    private int failures;
    private long runs;

    /**
     * A tracker, up at first unless {@code init_fail}.
     *
     * @param script   the script.
     * @param command  the command to run (the script's line, wrapped for the director's namespace).
     * @param launcher starts processes.
     */
    public VrrpScriptTracker(final VrrpScript script, final List<String> command, final VrrpEngine.ProcessLauncher launcher)
    {
        this.script = script;
        this.command = List.copyOf(command);
        this.launcher = launcher;
        this.intervalNs = Math.max(1, script.interval().toNanos());
        this.timeoutNs = Math.max(1, script.timeout().toNanos());
        this.up = !script.initFail();
    }

    /**
     * Starts the script when due, collects a finished run, kills an overdue one.
     *
     * @param now the clock (nanoseconds).
     */
    public void poll(final long now)
    {
        if (running != null)
        {
            if (!running.isAlive())
            {
                result(running.exitValue() == 0);
                running = null;
            }
            else if (now - startedAt >= timeoutNs)
            {
                running.descendants().forEach(ProcessHandle::destroyForcibly);
                running.destroyForcibly();
                running = null;
                LOG.warn("vrrp_script {} timed out", script.name());
                result(false);
            }
        }
        if (running == null && now >= nextRun)
        {
            nextRun = now + intervalNs;
            startedAt = now;
            runs++;
            try
            {
                running = launcher.start(command);
            }
            catch (final IOException ex)
            {
                LOG.warn("vrrp_script {} cannot start: {}", script.name(), ex.getMessage());
                result(false);
            }
        }
    }

    private void result(final boolean ok)
    {
        if (ok)
        {
            failures = 0;
            if (++successes >= Math.max(1, script.rise()) && !up)
            {
                up = true;
                LOG.info("vrrp_script {} succeeded", script.name());
            }
        }
        else
        {
            successes = 0;
            if (++failures >= Math.max(1, script.fall()) && up)
            {
                up = false;
                LOG.info("vrrp_script {} failed", script.name());
            }
        }
    }

    /** @return whether the script counts as succeeding. */
    public boolean up()
    {
        return up;
    }

    /** @return runs started. */
    public long runs()
    {
        return runs;
    }

    /** @return the script. */
    public VrrpScript script()
    {
        return script;
    }

    /** Kills a running process (engine closing). */
    public void close()
    {
        if (running != null)
        {
            running.destroyForcibly();
            try
            {
                running.waitFor(1, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            running = null;
        }
    }
}
