package io.lvs4j.forwarder.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one short external command (ip, sysctl, ethtool, kill) for the lab harness, bounded by a timeout, and
 * keeps its exit code and output so that a failure can say exactly what went wrong.
 * Long-lived children (servers, captures, streaming clients) are managed by their own classes.
 */
public final class Shell
{
    /** The timeout used when a caller does not give one: generous, because two shared cores can be slow. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(20);

    private Shell()
    {
    }

    /**
     * What one command did.
     *
     * @param command  the command line as run
     * @param exitCode the exit code, or -1 when it timed out and was killed
     * @param stdout   everything it wrote to standard output
     * @param stderr   everything it wrote to standard error
     * @param timedOut whether it was killed for running past its timeout
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr, boolean timedOut)
    {
        /** @return whether the command finished in time with exit code 0. */
        public boolean ok()
        {
            return !timedOut && exitCode == 0;
        }

        /**
         * Throws unless the command succeeded.
         *
         * @return this, for chaining
         */
        public Result check()
        {
            if (!ok())
            {
                throw new ShellException(this);
            }
            return this;
        }
    }

    /** A command that failed or timed out; the message carries the command, the exit code and stderr. */
    public static final class ShellException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        private final transient Result result;

        /**
         * Describes a failed command.
         *
         * @param result what the command did
         */
        public ShellException(final Result result)
        {
            super(describe(result));
            this.result = result;
        }

        /** @return what the failed command did. */
        public Result result()
        {
            return result;
        }

        private static String describe(final Result r)
        {
            return "command " + (r.timedOut() ? "timed out" : "failed with exit code " + r.exitCode()) + ": "
                + String.join(" ", r.command())
                + (r.stderr().isBlank() ? "" : "\n  stderr: " + r.stderr().strip())
                + (r.stdout().isBlank() ? "" : "\n  stdout: " + abbreviate(r.stdout().strip()));
        }

        private static String abbreviate(final String s)
        {
            return s.length() <= 2000 ? s : s.substring(0, 2000) + "...";
        }
    }

    /**
     * Runs a command with the default timeout and throws unless it succeeds.
     *
     * @param command program and arguments (the program is looked up on PATH)
     * @return what it did
     * @throws ShellException when it exits non-zero or times out
     */
    public static Result run(final String... command)
    {
        return exec(DEFAULT_TIMEOUT, Arrays.asList(command)).check();
    }

    /**
     * Runs a command and throws unless it succeeds.
     *
     * @param timeout how long it may run before it is killed
     * @param command program and arguments
     * @return what it did
     * @throws ShellException when it exits non-zero or times out
     */
    public static Result run(final Duration timeout, final List<String> command)
    {
        return exec(timeout, command).check();
    }

    /**
     * Runs a command with the default timeout and returns whatever happened, failure included.
     *
     * @param command program and arguments
     * @return what it did
     */
    public static Result tryRun(final String... command)
    {
        return exec(DEFAULT_TIMEOUT, Arrays.asList(command));
    }

    /**
     * Runs a command and returns whatever happened; never throws for a non-zero exit or a timeout.
     *
     * @param timeout how long it may run before it is killed
     * @param command program and arguments
     * @return what it did
     */
    public static Result exec(final Duration timeout, final List<String> command)
    {
        final List<String> cmd = List.copyOf(command);
        Path out = null;
        Path err = null;
        try
        {
            // Files rather than pipes: a grandchild that keeps a pipe open (a daemon started by the command)
            // can never make us hang reading it.
            out = Files.createTempFile("lab-shell-", ".out");
            err = Files.createTempFile("lab-shell-", ".err");
            final Process p = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile())
                .redirectError(err.toFile())
                .start();
            boolean timedOut = false;
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                timedOut = true;
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
            return new Result(cmd, timedOut ? -1 : p.exitValue(),
                Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8), timedOut);
        }
        catch (final IOException ex)
        {
            // Typically the program is missing: report it like a failed command so callers have one path.
            return new Result(cmd, 127, "", "cannot run: " + ex.getMessage(), false);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return new Result(cmd, -1, "", "interrupted", true);
        }
        finally
        {
            deleteQuietly(out);
            deleteQuietly(err);
        }
    }

    private static void deleteQuietly(final Path file)
    {
        if (file != null)
        {
            try
            {
                Files.deleteIfExists(file);
            }
            catch (final IOException ex)
            {
                // a temp file left in /tmp is harmless; the command's result matters more
            }
        }
    }
}
