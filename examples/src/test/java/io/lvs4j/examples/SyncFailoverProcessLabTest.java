package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.lvs4j.forwarder.admin.AdminClient;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;

/**
 * The acceptance test for connection sync, with VRRP and sync together as keepalived runs them: two
 * {@code lvs4j director -f keepalived.conf} processes, one per director namespace of an HA lab, each with the
 * {@code vrrp_instance} and {@code global_defs { lvs_sync_daemon eth0 VI_1 }}; 20 long-lived HTTP streams through
 * the master (DR; NAT one-armed and two-armed, where the real servers' gateway 192.0.2.1 is a
 * {@code virtual_ipaddress} of the instance, {@code dev eth1} on the two-armed director's inside segment); the backup's connection listing ({@code ipvsadm -Lnc} over its admin socket) shows them within a
 * bound; {@code kill -9} of the master; the backup takes over and at least 19 of 20 streams finish on the real
 * server they started on, without a reset.
 * <p>
 * {@code -Dlvs4j.lab.syncOff=true} runs the negative control by hand: the same without {@code lvs_sync_daemon}, where
 * the streams must die (the test then asserts that at most one survives).
 */
@Tag("lab")
@Timeout(240)
class SyncFailoverProcessLabTest
{
    private static final int STREAMS = 20;
    private static final int STREAM_SECONDS = 14;
    private static final int LINES = STREAM_SECONDS * 10;
    private static final String URL = "http://" + LabNetwork.VIP + "/";

    @TempDir
    Path dir;

    private static String config(final boolean master, final LabNetwork.Mode mode, final boolean sync)
    {
        final boolean nat = !mode.serversHoldVip();
        // the real servers' gateway floats with the VIP; on its own segment it is announced there ('dev eth1')
        final String gateway = !nat ? "" : mode.twoArmed() ? "        192.0.2.1/24 dev eth1\n" : "        192.0.2.1\n";
        return """
            global_defs {
                router_id %s
            %s}
            vrrp_instance VI_1 {
                state %s
                interface eth0
                virtual_router_id 51
                priority %d
                advert_int 1
                authentication {
                    auth_type PASS
                    auth_pass 1111
                }
                virtual_ipaddress {
                    203.0.113.10
            %s    }
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
            """.formatted(master ? "LVS_A" : "LVS_B", sync ? "    lvs_sync_daemon eth0 VI_1\n" : "",
            master ? "MASTER" : "BACKUP", master ? 150 : 100, gateway, nat ? "NAT" : "DR");
    }

    @ParameterizedTest
    @EnumSource(value = LabNetwork.Mode.class, names = {"DR", "NAT_ONE_ARMED", "NAT_TWO_ARMED"})
    void streamsSurviveAKilledMasterThroughTheSyncedBackup(final LabNetwork.Mode mode) throws Exception
    {
        final boolean root = "root".equals(System.getProperty("user.name")) &&
            Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of("/usr/bin/curl"));
        if (!root)
        {
            System.out.println("[lab] skipped: the sync fail-over lab needs root, iproute2 and curl");
        }
        Assumptions.assumeTrue(root, "not root");
        final boolean sync = !Boolean.getBoolean("lvs4j.lab.syncOff");
        final String tag = "[sync-lab " + mode + (sync ? "" : ", sync off") + "] ";
        try (LabNetwork net = LabNetwork.of(mode).backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
            LabDirectorProcess a = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR),
                net.interfaces(LabNetwork.Node.DIR), dir, "a", config(true, mode, sync));
            LabDirectorProcess b = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR2),
                net.interfaces(LabNetwork.Node.DIR2), dir, "b", config(false, mode, sync)))
        {
            final List<LabClient.Stream> streams = new ArrayList<>();
            try
            {
                a.awaitSocket();
                b.awaitSocket();
                final LabClient client = LabClient.on(net);
                final long up = System.currentTimeMillis() + 20_000;
                while (!client.get(URL, 500).ok() && System.currentTimeMillis() < up)
                {
                    Thread.sleep(100);
                }
                assertTrue(client.get(URL, 2000).ok(), "the master serves the VIP: " + a.log());

                for (int i = 0; i < STREAMS; i++)
                {
                    streams.add(client.stream(URL + "stream?seconds=" + STREAM_SECONDS + "&interval=100",
                        Duration.ofSeconds(60)));
                }
                for (final LabClient.Stream s : streams)
                {
                    assertTrue(s.awaitLines(3, Duration.ofSeconds(10)), "stream started: " + s.error());
                }
                assertTrue(a.established() >= STREAMS, "the master holds the streams");
                final long syncStart = System.nanoTime();
                final long syncDeadline = System.currentTimeMillis() + 5_000;
                while (sync && b.established() < STREAMS && System.currentTimeMillis() < syncDeadline)
                {
                    Thread.sleep(20);
                }
                final long onBackup = b.established();
                System.out.printf("%sbackup lists %d of %d streams ESTABLISHED (%d ms after the streams started)%n",
                    tag, onBackup, STREAMS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - syncStart));
                if (sync)
                {
                    assertTrue(onBackup >= STREAMS, "the backup's -Lnc lists the streams within 5 s: " + onBackup);
                }

                Thread.sleep(1_000);
                final long[] before = b.packets();
                final long killed = System.nanoTime();
                a.close();
                final long deadline = System.currentTimeMillis() + 15_000;
                while (!client.get(URL, 300).ok() && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(50);
                }
                final long takeoverMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                System.out.printf("%sthe backup answers new requests %d ms after kill -9 of the master%n", tag,
                    takeoverMs);
                assertTrue(takeoverMs < 3_610 + 3_000, "takeover within the master-down interval + slack: " +
                    takeoverMs + " ms; " + b.log());

                final LabDirectorProcess.Tally tally =
                    LabDirectorProcess.Tally.of(streams, LINES - 5, Duration.ofSeconds(60));
                final int survived = tally.survived();
                final String failures = tally.failures();
                final long[] after = b.packets();
                System.out.printf("%s%d of %d streams survived the kill%s; the backup carried %d packets in, %d out%n",
                    tag, survived, STREAMS, failures, after[0] - before[0], after[1] - before[1]);
                if (sync)
                {
                    assertTrue(survived >= STREAMS - 1, survived + " of " + STREAMS + " survived:" + failures +
                        "\nbackup log:\n" + b.log());
                    // they went on through the backup: the clients' segments, and for NAT the servers' replies
                    assertTrue(after[0] - before[0] >= STREAMS * 10L, "the backup forwarded the streams");
                    if (!mode.serversHoldVip())
                    {
                        assertTrue(after[1] - before[1] >= STREAMS * 10L, "and their replies");
                    }
                }
                else
                {
                    assertTrue(survived <= 1, "without sync the streams die, yet " + survived + " survived");
                }
            }
            finally
            {
                streams.forEach(LabClient.Stream::close);
            }
        }
    }

    /**
     * Sync both ways: after the fail-over the killed master is started again; as backup it announces itself, the
     * new master sends it every connection, and when it preempts (priority 150 over 100) the streams go on through
     * it. Started 4 s after the takeover, it is past the new master's start-up dumps: only the announcement gives
     * it the connections in time.
     */
    @ParameterizedTest
    @EnumSource(value = LabNetwork.Mode.class, names = {"DR", "NAT_ONE_ARMED"})
    void aReturningMasterPreemptsWithTheConnections(final LabNetwork.Mode mode) throws Exception
    {
        final boolean root = "root".equals(System.getProperty("user.name")) &&
            Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of("/usr/bin/curl"));
        if (!root)
        {
            System.out.println("[lab] skipped: the sync fail-over lab needs root, iproute2 and curl");
        }
        Assumptions.assumeTrue(root, "not root");
        final String tag = "[sync-lab " + mode + ", return] ";
        final int seconds = 30;
        try (LabNetwork net = LabNetwork.of(mode).backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
            LabDirectorProcess a = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR),
                net.interfaces(LabNetwork.Node.DIR), dir, "a", config(true, mode, true));
            LabDirectorProcess b = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR2),
                net.interfaces(LabNetwork.Node.DIR2), dir, "b", config(false, mode, true)))
        {
            final List<LabClient.Stream> streams = new ArrayList<>();
            LabDirectorProcess again = null;
            try
            {
                a.awaitSocket();
                b.awaitSocket();
                final LabClient client = LabClient.on(net);
                final long up = System.currentTimeMillis() + 20_000;
                while (!client.get(URL, 500).ok() && System.currentTimeMillis() < up)
                {
                    Thread.sleep(100);
                }
                assertTrue(client.get(URL, 2000).ok(), "the master serves the VIP: " + a.log());
                for (int i = 0; i < STREAMS; i++)
                {
                    streams.add(client.stream(URL + "stream?seconds=" + seconds + "&interval=100",
                        Duration.ofSeconds(90)));
                }
                for (final LabClient.Stream s : streams)
                {
                    assertTrue(s.awaitLines(3, Duration.ofSeconds(10)), "stream started: " + s.error());
                }
                final long synced = System.currentTimeMillis() + 5_000;
                while (b.established() < STREAMS && System.currentTimeMillis() < synced)
                {
                    Thread.sleep(20);
                }
                assertTrue(b.established() >= STREAMS, "the backup has the streams");
                a.close();
                final long deadline = System.currentTimeMillis() + 15_000;
                while (!client.get(URL, 300).ok() && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(50);
                }
                assertTrue(client.get(URL, 2000).ok(), "the backup took over: " + b.log());
                // past the new master's start-up dumps (0, 1 and 3 s)
                Thread.sleep(4_000);

                final long restarted = System.nanoTime();
                again = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR), net.interfaces(LabNetwork.Node.DIR),
                    dir, "a2", config(true, mode, true));
                again.awaitSocket();
                final long learnedBy = System.currentTimeMillis() + 10_000;
                while (again.established() < STREAMS && System.currentTimeMillis() < learnedBy)
                {
                    Thread.sleep(20);
                }
                final long learned = again.established();
                System.out.printf("%sthe restarted master lists %d of %d streams %d ms after it was started%n", tag,
                    learned, STREAMS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
                assertTrue(learned >= STREAMS, "the returning master learned the streams: " + learned);
                // it preempts: the streams' packets come through it again
                final long preemptBy = System.currentTimeMillis() + 25_000;
                while (again.packets()[0] < STREAMS && System.currentTimeMillis() < preemptBy)
                {
                    Thread.sleep(50);
                }
                System.out.printf("%sthe restarted master forwards again %d ms after it was started%n", tag,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - restarted));
                final long[] before = again.packets();

                final LabDirectorProcess.Tally tally =
                    LabDirectorProcess.Tally.of(streams, seconds * 10 - 5, Duration.ofSeconds(90));
                final int survived = tally.survived();
                final String failures = tally.failures();
                final long[] after = again.packets();
                System.out.printf("%s%d of %d streams survived the kill and the return%s; the returned master " +
                    "carried %d packets in after preempting%n", tag, survived, STREAMS, failures,
                    after[0] - before[0]);
                assertTrue(survived >= STREAMS - 1, survived + " of " + STREAMS + " survived:" + failures +
                    "\nreturned master's log:\n" + again.log());
                assertTrue(after[0] - before[0] >= STREAMS * 10L, "the returned master carried them to the end");
            }
            finally
            {
                streams.forEach(LabClient.Stream::close);
                if (again != null)
                {
                    again.close();
                }
            }
        }
    }

    /**
     * IPVS's own way, without {@code lvs_sync_daemon}: {@code ipvsadm --start-daemon master} on one director and
     * {@code --start-daemon backup} on the other, through their admin sockets; the backup's table fills the same.
     */
    @org.junit.jupiter.api.Test
    void ipvsadmStartDaemonSyncsTheSame() throws Exception
    {
        final boolean root = "root".equals(System.getProperty("user.name")) &&
            Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of("/usr/bin/curl"));
        if (!root)
        {
            System.out.println("[lab] skipped: the sync fail-over lab needs root, iproute2 and curl");
        }
        Assumptions.assumeTrue(root, "not root");
        final LabNetwork.Mode mode = LabNetwork.Mode.DR;
        try (LabNetwork net = LabNetwork.of(mode).backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
            LabDirectorProcess a = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR),
                net.interfaces(LabNetwork.Node.DIR), dir, "a", config(true, mode, false));
            LabDirectorProcess b = new LabDirectorProcess(net.namespace(LabNetwork.Node.DIR2),
                net.interfaces(LabNetwork.Node.DIR2), dir, "b", config(false, mode, false)))
        {
            final List<LabClient.Stream> streams = new ArrayList<>();
            try
            {
                a.awaitSocket();
                b.awaitSocket();
                final AdminResponse started = AdminClient.call(a.socket,
                    List.of("--start-daemon", "master", "--mcast-interface", "eth0", "--syncid", "9"));
                assertTrue(started.exitCode() == 0, started.err());
                final AdminResponse backup = AdminClient.call(b.socket,
                    List.of("--start-daemon", "backup", "--mcast-interface", "eth0", "--syncid", "9"));
                assertTrue(backup.exitCode() == 0, backup.err());
                final String listed = AdminClient.call(b.socket, List.of("-L", "--daemon")).out();
                assertTrue(listed.equals("backup sync daemon (mcast=eth0, syncid=9, maxlen=1472, group=224.0.0.81, " +
                    "port=8848, ttl=1)\n"), listed);
                final LabClient client = LabClient.on(net);
                final long up = System.currentTimeMillis() + 20_000;
                while (!client.get(URL, 500).ok() && System.currentTimeMillis() < up)
                {
                    Thread.sleep(100);
                }
                for (int i = 0; i < STREAMS; i++)
                {
                    streams.add(client.stream(URL + "stream?seconds=6&interval=100", Duration.ofSeconds(30)));
                }
                final long deadline = System.currentTimeMillis() + 5_000;
                while (b.established() < STREAMS && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(20);
                }
                System.out.printf("[sync-lab ipvsadm] the backup lists %d of %d streams%n", b.established(), STREAMS);
                assertTrue(b.established() >= STREAMS, "ipvsadm's daemons sync the streams");
                assertTrue(AdminClient.call(a.socket, List.of("--stop-daemon", "master")).exitCode() == 0);
            }
            finally
            {
                streams.forEach(LabClient.Stream::close);
            }
        }
    }
}
