package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.LabPreconditions;
import io.lvs4j.forwarder.lab.Shell;

/**
 * Fail-over with connection sync in the DR lab: a second director in its own namespace on the same segment,
 * multicast sync (224.0.0.81:8848, TTL 1) both ways; 20 long-lived HTTP streams through the master; the roles
 * switch (the new master announces the VIP with gratuitous ARP) and the streams go on through the other
 * director to the same real servers, without a reset.
 */
@Tag("lab")
@Timeout(120)
class SyncLabTest
{
    private static final int STREAMS = 20;

    @Test
    void streamsSurviveAFailOver() throws Exception
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            final String dir2 = net.prefix() + "dir2";
            final String port = net.prefix().replace("-", "") + "d2";
            final List<AutoCloseable> resources = new ArrayList<>();
            try
            {
                Shell.run("ip", "netns", "add", dir2);
                Shell.run("ip", "-n", dir2, "link", "set", "lo", "up");
                Shell.run("ip", "-n", dir2, "link", "add", "eth0", "type", "veth", "peer", "name", port, "netns",
                    net.bridgeNamespace());
                Shell.run("ip", "-n", net.bridgeNamespace(), "link", "set", port, "master", "br0");
                for (final String[] ns : new String[][] {{dir2, "eth0"}, {net.bridgeNamespace(), port}})
                {
                    Shell.tryRun("ip", "netns", "exec", ns[0], "ethtool", "-K", ns[1], "gro", "off", "gso", "off",
                        "tso", "off", "tx", "off", "rx", "off");
                }
                Shell.run("ip", "-n", net.bridgeNamespace(), "link", "set", port, "up");
                Shell.run("ip", "-n", dir2, "link", "set", "eth0", "up");
                Shell.run("ip", "-n", dir2, "addr", "add", "198.51.100.3/24", "dev", "eth0");
                Shell.run("ip", "-n", dir2, "addr", "add", "192.0.2.3/24", "dev", "eth0");
                Shell.run("ip", "netns", "exec", dir2, "sysctl", "-qw", "net.ipv4.ip_forward=0");

                resources.add(LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80));
                resources.add(LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80));
                final String dir1 = net.namespace(LabNetwork.Node.DIR);
                final Director a = director(dir1, net.interfaces(LabNetwork.Node.DIR).get(0), true);
                resources.add(a);
                final Director b = director(dir2, "eth0", false);
                resources.add(b);
                final SyncDaemon syncA = SyncDaemon.following(a, new SyncOptions().syncId(1).scanIntervalMs(100)
                    .networkNamespace(dir1).multicast(net.interfaces(LabNetwork.Node.DIR).get(0)), 20);
                resources.add(syncA);
                final SyncDaemon syncB = SyncDaemon.following(b, new SyncOptions().syncId(1).scanIntervalMs(100)
                    .networkNamespace(dir2).multicast("eth0"), 20);
                resources.add(syncB);

                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "first request through the master");
                final List<LabClient.Stream> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++)
                {
                    final LabClient.Stream s = client.stream(url + "stream?seconds=8&interval=100",
                        Duration.ofSeconds(30));
                    streams.add(s);
                    resources.add(s);
                }
                for (final LabClient.Stream s : streams)
                {
                    assertTrue(s.awaitLines(3, Duration.ofSeconds(10)), "stream started: " + s.error());
                }
                // streams pass packet 3 at once; give the scan and the backup time to install them
                final long deadline = System.currentTimeMillis() + 5_000;
                while (syncB.stats().installed() < STREAMS && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(20);
                }
                assertTrue(syncB.stats().installed() >= STREAMS, "backup learned the streams: " + syncB.stats());

                final long forwardedByB = b.forwarded();
                a.master(false);
                b.master(true);

                int survived = 0;
                final StringBuilder failures = new StringBuilder();
                for (final LabClient.Stream s : streams)
                {
                    s.awaitExit(Duration.ofSeconds(30));
                    final List<String> lines = s.lines();
                    final String owner = lines.isEmpty() ? "?" : lines.get(0).split(" ")[0];
                    final boolean sameOwner = lines.stream().allMatch(l -> l.startsWith(owner + " "));
                    if (s.exitCode().orElse(-1) == 0 && lines.size() >= 70 && sameOwner)
                    {
                        survived++;
                    }
                    else
                    {
                        failures.append(" [exit ").append(s.exitCode()).append(", ").append(lines.size())
                            .append(" lines, ").append(s.error()).append(']');
                    }
                }
                // the streams' client segments went through the new master after the switch
                assertTrue(b.forwarded() - forwardedByB >= STREAMS * 10L, "new master forwarded " +
                    (b.forwarded() - forwardedByB));
                assertTrue(survived >= STREAMS - 1, survived + " of " + STREAMS + " survived:" + failures +
                    " sync A " + syncA.stats() + " sync B " + syncB.stats());
            }
            finally
            {
                for (int i = resources.size() - 1; i >= 0; i--)
                {
                    try
                    {
                        resources.get(i).close();
                    }
                    catch (final Exception ignored)
                    {
                        // best effort: deleting the namespaces removes the rest
                    }
                }
                Shell.tryRun("ip", "netns", "del", dir2);
            }
        }
    }

    private static Director director(final String ns, final String iface, final boolean master)
    {
        final Director d = Director.launch(new Director.Context()
            .networkNamespace(ns)
            .interfaces(iface)
            .workers(1)
            .connectionCapacity(1 << 14)
            .master(master)
            .channels(new AfPacketChannels(ns, b -> b.retireTimeoutMs(1))));
        final VirtualService web = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
        d.addService(web);
        d.addRealServer(web, RealServers.of(LabNetwork.RS1_ADDRESS, 80, 1, ConnectionFlags.DROUTE));
        d.addRealServer(web, RealServers.of(LabNetwork.RS2_ADDRESS, 80, 1, ConnectionFlags.DROUTE));
        return d;
    }
}
