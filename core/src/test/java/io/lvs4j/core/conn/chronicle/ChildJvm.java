package io.lvs4j.core.conn.chronicle;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Starts a test's main class in a fresh JVM with this JVM's module flags and class path. */
final class ChildJvm
{
    /** Test frameworks on the class path make Chronicle mute its analytics, which a control must not rely on. */
    private static final Pattern TEST_FRAMEWORKS = Pattern.compile(".*(junit|opentest4j|apiguardian).*");

    private ChildJvm()
    {
    }

    /**
     * The command line for a child JVM.
     *
     * @param prefix           commands to run the JVM under (e.g. {@code unshare -n}), may be empty.
     * @param systemProperties extra {@code -D} options.
     * @param main             the main class.
     * @param args             its arguments.
     * @return the command.
     */
    static List<String> command(
        final List<String> prefix, final List<String> systemProperties, final Class<?> main, final List<String> args)
    {
        final List<String> cmd = new ArrayList<>(prefix);
        cmd.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        // Only the module flags: no -D from the parent (in particular not chronicle.analytics.disable), no agents.
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments())
        {
            if (arg.startsWith("--add-opens") || arg.startsWith("--add-exports") ||
                arg.startsWith("--enable-native-access"))
            {
                cmd.add(arg);
            }
        }
        cmd.addAll(systemProperties);
        cmd.add("-cp");
        cmd.add(classPathWithoutTestFrameworks());
        cmd.add(main.getName());
        cmd.addAll(args);
        return cmd;
    }

    static String classPathWithoutTestFrameworks()
    {
        final StringBuilder sb = new StringBuilder();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            if (!TEST_FRAMEWORKS.matcher(Paths.get(entry).getFileName().toString()).matches())
            {
                sb.append(sb.length() == 0 ? "" : File.pathSeparator).append(entry);
            }
        }
        return sb.toString();
    }

    /**
     * Runs a command to completion.
     *
     * @param cmd            the command.
     * @param workDir        its working directory.
     * @param timeoutSeconds how long it may take.
     * @return its exit code and output (stdout and stderr merged).
     * @throws IOException          when it cannot start.
     * @throws InterruptedException when interrupted.
     */
    static Result run(final List<String> cmd, final Path workDir, final long timeoutSeconds)
        throws IOException, InterruptedException
    {
        final Path log = workDir.resolve("child-" + System.nanoTime() + ".log");
        final Process process = new ProcessBuilder(cmd)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
        try
        {
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS))
            {
                process.destroyForcibly().waitFor();
                return new Result(-1, read(log) + "\n(timed out after " + timeoutSeconds + " s)");
            }
            return new Result(process.exitValue(), read(log));
        }
        finally
        {
            if (process.isAlive())
            {
                process.destroyForcibly();
            }
        }
    }

    private static String read(final Path log) throws IOException
    {
        return new String(java.nio.file.Files.readAllBytes(log), StandardCharsets.UTF_8);
    }

    /** A finished child. */
    static final class Result
    {
        final int exitCode;
        final String output;

        Result(final int exitCode, final String output)
        {
            this.exitCode = exitCode;
            this.output = output;
        }

        List<String> linesStartingWith(final String prefix)
        {
            final List<String> lines = new ArrayList<>();
            for (final String line : output.split("\\R"))
            {
                if (line.startsWith(prefix))
                {
                    lines.add(line.substring(prefix.length()));
                }
            }
            return lines;
        }

        @Override
        public String toString()
        {
            return "exit " + exitCode + ":\n" + output;
        }
    }
}
