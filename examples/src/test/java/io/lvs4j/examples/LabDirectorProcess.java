package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lvs4j.forwarder.admin.AdminClient;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabNetwork;

/**
 * {@code lvs4j director -f CONF -n -l --netns NS --interface IF...} as a JVM of its own, for the process lab tests
 * with long-lived streams (sync fail-over, hot restart): its admin socket's {@code ipvsadm -Lnc} and
 * {@code -Ln --stats}, and {@link #close()} as {@code kill -9}.
 */
final class LabDirectorProcess implements AutoCloseable
{
    /** Exit status of a JVM ended by SIGKILL as {@link Process#exitValue()} reports it (128 + 9). */
    static final int SIGKILLED = 137;

    final Path socket;
    final Path log;
    final Process process;

    /**
     * Starts the director.
     *
     * @param namespace  the director's namespace.
     * @param interfaces the interfaces it serves.
     * @param dir        a directory for its files.
     * @param name       a name for its files (a restarted director takes a new one: a killed JVM leaves its
     *                   socket file behind).
     * @param config     the keepalived.conf text.
     * @param extra      further arguments (e.g. {@code --state-dir DIR}).
     */
    LabDirectorProcess(final String namespace, final List<String> interfaces, final Path dir, final String name,
        final String config, final String... extra) throws IOException
    {
        final Path conf = dir.resolve(name + ".conf");
        Files.writeString(conf, config);
        socket = dir.resolve(name + ".sock");
        log = dir.resolve(name + ".log");
        Files.deleteIfExists(socket);
        final List<String> command = new ArrayList<>(List.of(
            ProcessHandle.current().info().command().orElse("java")));
        ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native")).forEach(command::add);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Lvs4j.class.getName(),
            "director", "-f", conf.toString(), "-n", "-l", "--netns", namespace,
            "--admin-socket", socket.toString(), "--stats-file", dir.resolve(name + ".stats").toString()));
        for (final String iface : interfaces)
        {
            command.addAll(List.of("--interface", iface));
        }
        command.addAll(List.of(extra));
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits (30 s at most) until the admin socket exists; fails with the log otherwise. */
    void awaitSocket() throws Exception
    {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!Files.exists(socket) && process.isAlive() && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
        }
        assertTrue(Files.exists(socket), "the director listens: " + log());
    }

    /** @return {@code ipvsadm -Lnc}'s entries for the lab's client, ESTABLISHED ones only. */
    long established()
    {
        return connections().size();
    }

    /**
     * @return the ESTABLISHED entries of the lab's client in {@code ipvsadm -Lnc}: client address:port to real
     *         server address:port; empty when the socket does not answer.
     */
    Map<String, String> connections()
    {
        try
        {
            return listConnections();
        }
        catch (final IOException ex)
        {
            // not answering: no entries
            return Map.of();
        }
    }

    /**
     * @return the ESTABLISHED entries of the lab's client in {@code ipvsadm -Lnc}: client address:port to real
     *         server address:port.
     * @throws IOException when the admin socket does not answer.
     */
    Map<String, String> listConnections() throws IOException
    {
        final Map<String, String> map = new LinkedHashMap<>();
        final AdminResponse r = AdminClient.call(socket, List.of("-L", "-n", "-c"));
        r.out().lines().filter(l -> l.startsWith("TCP ") && l.contains(" ESTABLISHED ") &&
            l.contains(LabNetwork.CLIENT_ADDRESS + ":")).forEach(l ->
            {
                // pro expire state source virtual destination
                final String[] w = l.trim().split("\\s+");
                map.put(w[3], w.length > 5 ? w[5] : "?");
            });
        return map;
    }

    /** @return {@code ipvsadm -Lnc} as it answers, or why it did not (for failure messages). */
    String rawConnections()
    {
        try
        {
            final AdminResponse r = AdminClient.call(socket, List.of("-L", "-n", "-c"));
            return r.out() + r.err();
        }
        catch (final IOException ex)
        {
            return "(no answer: " + ex + ")";
        }
    }

    /** @return the service's InPkts and OutPkts from {@code ipvsadm -Ln --stats}, -1 each when unknown. */
    long[] packets()
    {
        try
        {
            final AdminResponse r = AdminClient.call(socket, List.of("-L", "-n", "--stats"));
            for (final String line : r.out().split("\n"))
            {
                final String[] w = line.trim().split("\\s+");
                if (w.length >= 7 && w[0].equals("TCP") && w[1].equals(LabNetwork.VIP + ":80"))
                {
                    return new long[] {parse(w[3]), parse(w[4])};
                }
            }
        }
        catch (final IOException ex)
        {
            // unknown
        }
        return new long[] {-1, -1};
    }

    /** ipvsadm's --stats numbers, with its K/M/G suffixes. */
    private static long parse(final String n)
    {
        final char unit = n.charAt(n.length() - 1);
        final long scale = unit == 'K' ? 1_000 : unit == 'M' ? 1_000_000 : unit == 'G' ? 1_000_000_000 : 1;
        return Long.parseLong(scale == 1 ? n : n.substring(0, n.length() - 1)) * scale;
    }

    String log()
    {
        try
        {
            return Files.readString(log);
        }
        catch (final IOException ex)
        {
            return "(no log: " + ex + ")";
        }
    }

    /**
     * {@code kill -9}: {@link Process#destroyForcibly()} sends SIGKILL on Linux (no shutdown hook runs, nothing is
     * flushed or closed), then waits for the JVM to be gone.
     *
     * @return the exit status, {@link #SIGKILLED} when SIGKILL ended it; -1 when it did not end in 10 s.
     */
    int kill9() throws InterruptedException
    {
        process.destroyForcibly();
        return process.waitFor(10, TimeUnit.SECONDS) ? process.exitValue() : -1;
    }

    @Override
    public void close() throws InterruptedException
    {
        kill9();
    }

    /**
     * How 20-odd long-lived streams ended: those that completed (curl exit 0), with at least {@code minLines}
     * lines, all from the real server that sent the first, survived; the others are described.
     *
     * @param survived how many survived.
     * @param failures the others, {@code [owner: exit, lines, curl's error]} each.
     */
    record Tally(int survived, String failures)
    {
        /**
         * Waits for each stream to end and counts.
         *
         * @param streams  the streams.
         * @param minLines the lines a complete stream has (less a few at the edges).
         * @param wait     how long to wait for each stream to end.
         * @return the tally.
         */
        static Tally of(final List<LabClient.Stream> streams, final int minLines, final Duration wait)
        {
            int survived = 0;
            final StringBuilder failures = new StringBuilder();
            for (final LabClient.Stream s : streams)
            {
                s.awaitExit(wait);
                final List<String> lines = s.lines();
                final String owner = lines.isEmpty() ? "?" : lines.get(0).split(" ")[0];
                final boolean oneServer = lines.stream().allMatch(l -> l.startsWith(owner + " "));
                if (s.exitCode().orElse(-1) == 0 && lines.size() >= minLines && oneServer)
                {
                    survived++;
                }
                else
                {
                    failures.append(" [").append(owner).append(": exit ").append(s.exitCode()).append(", ")
                        .append(lines.size()).append(" lines, ").append(s.error().strip()).append(']');
                }
            }
            return new Tally(survived, failures.toString());
        }
    }
}
