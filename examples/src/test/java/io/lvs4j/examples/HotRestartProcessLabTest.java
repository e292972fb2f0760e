package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;

/**
 * The hot restart for real: the bundled director process ({@code lvs4j director -f keepalived.conf
 * --state-dir DIR}, no {@code vrrp_instance}, so master at once) carries 20 long-lived HTTP streams (DR; NAT
 * one-armed and two-armed); its JVM is killed with SIGKILL ({@code kill -9}: no shutdown hook, the Chronicle Map
 * file is left as the crash leaves it); a second later a new director process starts on the same configuration and
 * state directory. Its {@code ipvsadm -Lnc} lists the 20 connections with the real servers they had, and at least
 * 19 of 20 streams finish on the real server they started on, without a reset. The gap (kill to the streams' first
 * line after their longest stall) is printed.
 * <p>
 * The negative control restarts on a fresh, empty state directory: the new director knows none of the streams
 * (its listing is empty) and at most one survives; this is what proves that the survival above comes from the
 * recovered table.
 */
@Tag("lab")
@Timeout(180)
class HotRestartProcessLabTest
{
    private static final int STREAMS = 20;
    private static final int STREAM_SECONDS = 14;
    private static final int LINES = STREAM_SECONDS * 10;
    /** curl's bound: long enough for a stream that stalls for the restart, short enough for the dead ones. */
    private static final Duration MAX_TIME = Duration.ofSeconds(STREAM_SECONDS + 14);
    private static final String URL = "http://" + LabNetwork.VIP + "/";

    @TempDir
    Path dir;

    private static String config(final LabNetwork.Mode mode)
    {
        // no vrrp_instance: the director is master at once; in a single-director lab its kernel holds 192.0.2.1
        return """
            global_defs {
                router_id LVS_HOT
            }
            virtual_server 203.0.113.10 80 {
                lb_algo rr
                lb_kind %s
                protocol TCP
                real_server 192.0.2.11 80 {
                    weight 1
                }
                real_server 192.0.2.12 80 {
                    weight 1
                }
            }
            """.formatted(mode.serversHoldVip() ? "DR" : "NAT");
    }

    private static void assumeLab()
    {
        final boolean root = "root".equals(System.getProperty("user.name")) &&
            Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of("/usr/bin/curl"));
        if (!root)
        {
            System.out.println("[lab] skipped: the hot restart process lab needs root, iproute2 and curl");
        }
        Assumptions.assumeTrue(root, "not root");
    }

    @ParameterizedTest
    @EnumSource(value = LabNetwork.Mode.class, names = {"DR", "NAT_ONE_ARMED", "NAT_TWO_ARMED"})
    void streamsSurviveAKill9AndRestartOfTheDirectorProcess(final LabNetwork.Mode mode) throws Exception
    {
        assumeLab();
        final Result r = run(mode, false);
        assertTrue(r.listed.size() >= STREAMS, "the restarted director's -Lnc lists the streams: " + r.listed +
            "\nits log:\n" + r.log);
        assertEquals(r.before, r.listed, "each connection with the real server it had before the kill");
        assertTrue(r.survived >= STREAMS - 1, r.survived + " of " + STREAMS + " survived:" + r.failures +
            "\nrestarted director's log:\n" + r.log);
        // they went on through the restarted director: the clients' segments, and for NAT the servers' replies (a
        // director on a fresh state directory forwards none; how many depends on how much of the streams was left
        // after the gap, and on a loaded machine the server sends what piled up in few segments)
        assertTrue(r.packets[0] >= STREAMS, "the restarted director forwarded the streams: " + r.packets[0]);
        if (!mode.serversHoldVip())
        {
            assertTrue(r.packets[1] >= STREAMS, "and their replies: " + r.packets[1]);
        }
        assertTrue(r.gapMs < 15_000, "the streams flow again within 15 s of the kill: " + r.gapMs + " ms");
    }

    @ParameterizedTest
    @EnumSource(value = LabNetwork.Mode.class, names = {"DR", "NAT_TWO_ARMED"})
    void aFreshStateDirectoryLosesTheStreams(final LabNetwork.Mode mode) throws Exception
    {
        assumeLab();
        final Result r = run(mode, true);
        assertTrue(r.listed.isEmpty(), "a fresh state directory knows no connection: " + r.listed);
        assertTrue(r.survived <= 1, "without the recovered table the streams die, yet " + r.survived + " survived");
        assertEquals(0, r.packets[0], "and the fresh director forwards none of their packets");
    }

    /**
     * The restarted director's listing, asked again (5 s at most) while its admin socket does not answer yet (the
     * socket file may be there a moment before it accepts); an answer, empty or not, is final.
     */
    private static Map<String, String> listing(final LabDirectorProcess director) throws Exception
    {
        final long deadline = System.currentTimeMillis() + 5_000;
        while (true)
        {
            try
            {
                return director.listConnections();
            }
            catch (final java.io.IOException ex)
            {
                System.out.println("[hot-restart-process] the admin socket does not answer yet: " + ex);
                if (System.currentTimeMillis() > deadline)
                {
                    throw ex;
                }
                Thread.sleep(50);
            }
        }
    }

    /** What one kill and restart showed. */
    private record Result(Map<String, String> before, Map<String, String> listed, int survived, String failures,
        long[] packets, long gapMs, String log)
    {
    }

    private Result run(final LabNetwork.Mode mode, final boolean fresh) throws Exception
    {
        final String tag = "[hot-restart-process " + mode + (fresh ? ", fresh state" : "") + "] ";
        final Path state = dir.resolve("state");
        try (LabNetwork net = LabNetwork.of(mode).build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
            LabDirectorProcess a = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR),
                net.interfaces(LabNetwork.Node.DIR), dir, "a", config(mode), "--state-dir", state.toString()))
        {
            final List<LabClient.Stream> streams = new ArrayList<>();
            LabDirectorProcess again = null;
            LineSampler sampler = null;
            try
            {
                a.awaitSocket();
                final LabClient client = LabClient.on(net);
                final long up = System.currentTimeMillis() + 20_000;
                while (!client.get(URL, 500).ok() && System.currentTimeMillis() < up)
                {
                    Thread.sleep(100);
                }
                assertTrue(client.get(URL, 2000).ok(), "the director serves the VIP: " + a.log());
                for (int i = 0; i < STREAMS; i++)
                {
                    streams.add(client.stream(URL + "stream?seconds=" + STREAM_SECONDS + "&interval=100", MAX_TIME));
                }
                for (final LabClient.Stream s : streams)
                {
                    assertTrue(s.awaitLines(3, Duration.ofSeconds(10)), "stream started: " + s.error());
                }
                final Map<String, String> before = a.connections();
                assertTrue(before.size() >= STREAMS, "the director holds the streams: " + before);
                sampler = new LineSampler(streams);
                Thread.sleep(1_000);

                final long killed = System.nanoTime();
                final int status = a.kill9();
                assertEquals(LabDirectorProcess.SIGKILLED, status, "the director JVM died of SIGKILL");
                Thread.sleep(1_000);
                final Path restartState = fresh ? dir.resolve("fresh-state") : state;
                final long launched = System.nanoTime();
                again = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR),
                    net.interfaces(LabNetwork.Node.DIR), dir, "a2", config(mode), "--state-dir",
                    restartState.toString());
                again.awaitSocket();
                final long listening = System.nanoTime();
                final Map<String, String> listed = listing(again);
                if (!fresh && listed.size() < STREAMS)
                {
                    System.out.printf("%s-Lnc lists %d streams; the whole listing:%n%s%nand again now:%n%s%n", tag,
                        listed.size(), again.rawConnections(), again.rawConnections());
                }
                System.out.printf("%skill -9 (exit %d); restarted director listens %d ms after its launch, " +
                    "%d ms after the kill; its -Lnc lists %d of %d streams%n", tag, status,
                    TimeUnit.NANOSECONDS.toMillis(listening - launched),
                    TimeUnit.NANOSECONDS.toMillis(listening - killed), listed.size(), STREAMS);
                // the first packet the new director forwards for the service
                final LabDirectorProcess forwarder = again;
                final long forwarding = VrrpProcessLab.awaitSince(killed, () -> forwarder.packets()[0] > 0, 15_000);
                System.out.printf("%sthe restarted director forwards its first packet %s after the kill%n", tag,
                    VrrpProcessLab.seconds(forwarding));

                final LabDirectorProcess.Tally tally = LabDirectorProcess.Tally.of(streams, LINES - 5,
                    MAX_TIME.plusSeconds(5));
                sampler.close();
                final long[] packets = again.packets();
                final long[] gap = sampler.gapAfter(killed);
                final long gapMs = gap[0];
                System.out.printf("%s%d of %d streams survived%s; gap (kill to the first line after the longest " +
                    "stall, %d ms long; -1: never) %d ms; the restarted director carried %d packets in, %d out%n", tag,
                    tally.survived(), STREAMS, tally.failures(), gap[1], gapMs, packets[0], packets[1]);
                return new Result(before, listed, tally.survived(), tally.failures(), packets, gapMs, again.log());
            }
            finally
            {
                streams.forEach(LabClient.Stream::close);
                if (sampler != null)
                {
                    sampler.close();
                }
                if (again != null)
                {
                    again.close();
                }
            }
        }
    }

    /**
     * Samples the streams' total line count every 5 ms, keeping the times it grew: the longest stall after the
     * kill and its end are the gap the restart left in the streams.
     */
    private static final class LineSampler implements AutoCloseable
    {
        private final List<LabClient.Stream> streams;
        private final List<Long> growth = new ArrayList<>();
        private final Thread thread;
        private volatile boolean running = true;
        private volatile long stopped;

        LineSampler(final List<LabClient.Stream> streams)
        {
            this.streams = streams;
            thread = new Thread(this::sample, "line-sampler");
            thread.setDaemon(true);
            thread.start();
        }

        private void sample()
        {
            long last = -1;
            while (running)
            {
                long total = 0;
                for (final LabClient.Stream s : streams)
                {
                    total += s.lines().size();
                }
                if (total != last)
                {
                    synchronized (growth)
                    {
                        growth.add(System.nanoTime());
                    }
                    last = total;
                }
                VrrpProcessLab.sleep(5);
            }
        }

        /**
         * @param killed when the director was killed (System.nanoTime()).
         * @return milliseconds from the kill to the end of the longest interval without a new line that ends after
         *         it, and that interval's length; -1 each when the streams did not flow again after the kill.
         */
        long[] gapAfter(final long killed)
        {
            final List<Long> times;
            synchronized (growth)
            {
                times = List.copyOf(growth);
            }
            long longest = -1;
            long end = -1;
            for (int i = 1; i < times.size(); i++)
            {
                final long stall = times.get(i) - times.get(i - 1);
                if (times.get(i) > killed && stall > longest)
                {
                    longest = stall;
                    end = times.get(i);
                }
            }
            // streams that never flowed again: the longest stall is the one still open
            final long open = times.isEmpty() ? 0 : stopped - times.get(times.size() - 1);
            if (end < 0 || open > longest)
            {
                return new long[] {-1, -1};
            }
            return new long[] {TimeUnit.NANOSECONDS.toMillis(end - killed), TimeUnit.NANOSECONDS.toMillis(longest)};
        }

        @Override
        public void close() throws InterruptedException
        {
            if (running)
            {
                stopped = System.nanoTime();
            }
            running = false;
            thread.join(1_000);
        }
    }
}
