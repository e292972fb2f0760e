package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.LabPreconditions;

/**
 * The backup's side of sync in the HA DR lab (two directors on one segment, multicast 224.0.0.81:8848 with TTL 1 on
 * eth0): the master's connections appear in the backup's table within a bound, and, as IPVS has no delete
 * messages, they leave it only by expiring. The master is set to send each entry once ({@code sync_threshold 3 0})
 * and the backup runs short timeouts ({@code ipvsadm --set 4 3 4}), so the backup's copies expire while the
 * streams, and the master's entries, are still alive.
 */
@Tag("lab")
@Timeout(120)
class SyncExpiryLabTest
{
    private static final int STREAMS = 20;

    private static Director director(final LabNetwork net, final LabNetwork.Node node, final boolean master)
    {
        final String ns = net.namespace(node);
        final Director d = Director.launch(new Director.Context()
            .networkNamespace(ns)
            .interfaces(net.interfaces(node).toArray(String[]::new))
            .workers(1)
            .connectionCapacity(1 << 12)
            .master(master)
            .channels(new AfPacketChannels(ns)));
        final VirtualService web = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
        d.addService(web);
        d.addRealServer(web, RealServers.of(LabNetwork.RS1_ADDRESS, 80, 1, ConnectionFlags.DROUTE));
        d.addRealServer(web, RealServers.of(LabNetwork.RS2_ADDRESS, 80, 1, ConnectionFlags.DROUTE));
        return d;
    }

    /** What {@code ipvsadm -Lnc} would list: ESTABLISHED entries of the lab's client, and how many are synced. */
    private static long[] established(final Director d)
    {
        final long[] n = new long[2];
        d.connections().forEach(System.currentTimeMillis(), r ->
        {
            if (!r.isTemplate() && r.state == TcpState.ESTABLISHED)
            {
                n[0]++;
                n[1] += (r.flags & ConnectionFlags.SYNC) != 0 ? 1 : 0;
            }
        });
        return n;
    }

    @Test
    void entriesAppearOnTheBackupWithinABoundAndExpireThere() throws Exception
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
            Director a = director(net, LabNetwork.Node.DIR, true);
            Director b = director(net, LabNetwork.Node.DIR2, false))
        {
            b.setTimeouts(4, 3, 4);
            final List<LabClient.Stream> streams = new ArrayList<>();
            try (SyncDaemon syncA = SyncDaemon.following(a, new SyncOptions().threshold(3, 0).scanIntervalMs(100)
                    .networkNamespace(net.namespace(LabNetwork.Node.DIR)).multicast("eth0"), 20);
                SyncDaemon syncB = SyncDaemon.following(b, new SyncOptions()
                    .networkNamespace(net.namespace(LabNetwork.Node.DIR2)).multicast("eth0"), 20))
            {
                assertTrue(syncA.isMasterRunning() && syncB.isBackupRunning());
                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "the master serves the VIP");
                // past the master's start-up dumps (0, 1 and 3 s): from now on each entry is sent once
                Thread.sleep(3_500);
                final long started = System.currentTimeMillis();
                for (int i = 0; i < STREAMS; i++)
                {
                    streams.add(client.stream(url + "stream?seconds=14&interval=100", Duration.ofSeconds(30)));
                }
                while (established(b)[1] < STREAMS && System.currentTimeMillis() - started < 3_000)
                {
                    Thread.sleep(5);
                }
                final long appeared = System.currentTimeMillis() - started;
                final long[] onBackup = established(b);
                System.out.printf("[sync-expiry-lab] the backup lists %d synced ESTABLISHED entries %d ms after the " +
                    "20 clients started%n", onBackup[1], appeared);
                assertEquals(STREAMS, onBackup[1], "every stream on the backup within 3 s: " + syncB.stats());
                for (final LabClient.Stream s : streams)
                {
                    assertTrue(s.awaitLines(3, Duration.ofSeconds(10)), "stream started: " + s.error());
                }
                assertEquals(STREAMS, onBackup[0], "all of them synced, none of the backup's own");

                while (established(b)[0] > 0 && System.currentTimeMillis() - started < 10_000)
                {
                    Thread.sleep(50);
                }
                final long expired = System.currentTimeMillis() - started;
                System.out.printf("[sync-expiry-lab] the backup's copies expired %d ms after the streams started " +
                    "(timeout 4 s after each was installed); the master still holds %d%n", expired, established(a)[0]);
                assertEquals(0, established(b)[0], "expired on the backup with its 4 s timeout");
                assertTrue(expired >= 4_000, "not before the timeout: " + expired + " ms");
                assertEquals(STREAMS, established(a)[0], "the master's own entries live on with the streams");
                assertTrue(streams.stream().allMatch(LabClient.Stream::isAlive), "the streams still run");
                assertEquals(0, syncB.stats().totalDrops(), syncB.stats().toString());
            }
            finally
            {
                streams.forEach(LabClient.Stream::close);
            }
        }
    }
}
