package io.lvs4j.forwarder.nativeio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the system's tools (iproute2, ethtool, sysctl, nft) for the control plane, optionally inside a named
 * network namespace ({@code ip netns exec}), with a timeout that holds even when the tool hangs: output goes to a
 * file, never to a pipe the caller would have to drain first. Never used on the hot path.
 */
public final class Commands
{
    private static final long TIMEOUT_S = 10;

    private Commands()
    {
    }

    /**
     * Runs a command and returns its output.
     *
     * @param networkNamespace the namespace to run it in, or null for the JVM's own.
     * @param command          the command and its arguments.
     * @return standard output and error, together.
     * @throws IllegalStateException when it cannot start, times out (10 s) or exits non-zero; the message holds the
     *                               command and its output.
     */
    public static String run(final String networkNamespace, final String... command)
    {
        final List<String> argv = new ArrayList<>();
        if (networkNamespace != null)
        {
            argv.addAll(List.of("ip", "netns", "exec", networkNamespace));
        }
        argv.addAll(List.of(command));
        final String line = String.join(" ", argv);
        Path output = null;
        try
        {
            output = Files.createTempFile("lvs4j-cmd", ".out");
            final Process p = new ProcessBuilder(argv).redirectErrorStream(true)
                .redirectOutput(output.toFile()).start();
            if (!p.waitFor(TIMEOUT_S, TimeUnit.SECONDS))
            {
                p.destroyForcibly();
                throw new IllegalStateException(line + ": no answer within " + TIMEOUT_S + " s");
            }
            final String text = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0)
            {
                throw new IllegalStateException(line + ": exit " + p.exitValue() + ": " + text.trim());
            }
            return text;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(line + ": " + ex.getMessage(), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(line + ": interrupted", ex);
        }
        finally
        {
            if (output != null)
            {
                try
                {
                    Files.deleteIfExists(output);
                }
                catch (final IOException ignored)
                {
                    // a leftover temporary file is harmless
                }
            }
        }
    }
}
