package io.lvs4j.forwarder.check;

import java.io.File;
import java.io.IOException;

/**
 * MISC_CHECK: starts the command and polls it for exit from the engine's loop (never {@code waitFor}); a command
 * still running after its timeout is killed with its descendants and counts as down. Output is discarded, so a
 * chatty script cannot block on a full pipe.
 */
final class MiscProbe extends Probe
{
    private static final File NULL_FILE = new File("/dev/null");

    private final MiscCheckSpec spec;
    private Process process;

    MiscProbe(final HealthChecker host, final Checker checker, final MiscCheckSpec spec)
    {
        super(host, checker);
        this.spec = spec;
    }

    void start() throws IOException
    {
        process = new ProcessBuilder(spec.command())
            .redirectInput(NULL_FILE)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
        armTimeout(spec.timeoutNs());
        host.addProcess(this);
    }

    /**
     * @return whether the process had exited and the run finished.
     */
    boolean poll()
    {
        if (process.isAlive())
        {
            return false;
        }
        final int exit = process.exitValue();
        if (exit == 0)
        {
            pass("exit 0");
        }
        else if (spec.dynamic() && exit >= 2 && exit <= 255)
        {
            final int weight = exit - 2;
            finish(true, "exit " + exit + ": weight " + weight, (long)weight - checker.server.configuredWeight);
        }
        else
        {
            fail("exit " + exit);
        }
        return true;
    }

    void onTimeout()
    {
        fail("timed out after " + spec.timeoutNs() / 1_000_000 + " ms, killed");
    }

    void release()
    {
        host.removeProcess(this);
        if (process != null && process.isAlive())
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}
