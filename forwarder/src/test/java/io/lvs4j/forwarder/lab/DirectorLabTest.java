package io.lvs4j.forwarder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.ServiceStatus;
import io.lvs4j.forwarder.stats.DropReason;
import io.lvs4j.forwarder.pipeline.ForwardingOptions;
import io.lvs4j.forwarder.tunnel.IpIpTunnelEndpoint;

/**
 * The seed's tests with real traffic: a client, an lvs4j director on AF_PACKET rings, two real servers answering
 * HTTP with their own name, in network namespaces, for DR, NAT (one- and two-armed) and TUN, with offloads off and
 * with the kernel's defaults. Per mode: rr splits 100 requests 50/50; wrr 1:2 splits them 1/3 and 2/3; a
 * long-lived connection keeps its real server while new ones rotate, and keeps it while that server drains
 * (weight 0) and gets no new connections; a deleted real server gets no new connections; and the director's
 * kernel never sent a RST or an ICMP message (captured on the director's interfaces).
 */
@Tag("lab")
@Timeout(240)
class DirectorLabTest
{
    /** All modes; {@code -Dlvs4j.lab.mode=TUN} runs one mode while working on it. */
    static List<Arguments> modes()
    {
        final String only = System.getProperty("lvs4j.lab.mode");
        return all().stream().filter(a -> only == null || a.get()[0].toString().equals(only)).toList();
    }

    private static List<Arguments> all()
    {
        return List.of(
            Arguments.of(LabNetwork.Mode.DR, false),
            Arguments.of(LabNetwork.Mode.NAT_TWO_ARMED, false),
            Arguments.of(LabNetwork.Mode.NAT_ONE_ARMED, false),
            Arguments.of(LabNetwork.Mode.TUN, false),
            Arguments.of(LabNetwork.Mode.DR, true),
            Arguments.of(LabNetwork.Mode.NAT_TWO_ARMED, true),
            Arguments.of(LabNetwork.Mode.TUN, true));
    }

    @ParameterizedTest(name = "{0}, offloads {1}")
    @MethodSource("modes")
    void seedScenario(final LabNetwork.Mode mode, final boolean offloads) throws Exception
    {
        LabPreconditions.assumeLab();
        final int method = switch (mode)
        {
            case DR -> ConnectionFlags.DROUTE;
            case TUN -> ConnectionFlags.TUNNEL;
            default -> ConnectionFlags.MASQ;
        };
        try (LabNetwork net = LabNetwork.of(mode).offloads(offloads).build())
        {
            final List<AutoCloseable> resources = new ArrayList<>();
            try
            {
                final LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
                resources.add(rs1);
                final LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
                resources.add(rs2);
                if (mode == LabNetwork.Mode.TUN)
                {
                    for (final LabNetwork.Node node : List.of(LabNetwork.Node.RS1, LabNetwork.Node.RS2))
                    {
                        resources.add(IpIpTunnelEndpoint.open(net.namespace(node), "eth0", LabNetwork.address(node),
                            "l4jtun0"));
                    }
                }
                final String dirNs = net.namespace(LabNetwork.Node.DIR);
                final List<LabCapture> captures = new ArrayList<>();
                for (final String iface : net.interfaces(LabNetwork.Node.DIR))
                {
                    // what the director's kernel sends: the director's own transmissions bypass the taps
                    final LabCapture capture = LabCapture.start(dirNs, iface, "ether src " +
                        net.mac(LabNetwork.Node.DIR, iface) + " and (icmp or (tcp[tcpflags] & tcp-rst != 0))");
                    captures.add(capture);
                    resources.add(capture);
                }
                final Director director = Director.launch(new Director.Context()
                    .networkNamespace(dirNs)
                    .interfaces(net.interfaces(LabNetwork.Node.DIR).toArray(String[]::new))
                    .workers(2)
                    .connectionCapacity(1 << 16)
                    // a client port that once led to the deleted server would otherwise stay dropped until its old
                    // entry times out, exactly as with IPVS's default: expire_nodest_conn lets the retransmitted
                    // SYN be scheduled afresh
                    .forwardingOptions(ForwardingOptions.defaults().withExpireNodestConn(true))
                    .channels(new AfPacketChannels(dirNs, b -> b.retireTimeoutMs(1))));
                resources.add(director);

                final VirtualService rr = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
                director.addService(rr);
                final RealServer one = director.addRealServer(rr,
                    RealServers.of(LabNetwork.RS1_ADDRESS, 80, 1, method));
                final RealServer two = director.addRealServer(rr,
                    RealServers.of(LabNetwork.RS2_ADDRESS, 80, 1, method));

                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                // the first request also waits for ARP both ways
                assertTrue(client.get(url, 5000).ok(), "first request through the VIP: " + client.get(url, 5000));

                final Map<String, Integer> rrCounts = client.getMany(url, 100);
                assertEquals(Map.of("rs1", 50, "rs2", 50), rrCounts, "rr over 100 requests; drops: " +
                    drops(director));

                director.editService(rr.withScheduler("wrr"));
                director.editRealServer(rr, weighted(one, 1));
                director.editRealServer(rr, weighted(two, 2));
                final Map<String, Integer> wrr = client.getMany(url, 100);
                assertEquals(100 / 3.0, wrr.getOrDefault("rs1", 0), 1.0, "wrr 1:2 -> 1/3 (+-1): " + wrr);
                assertEquals(200 / 3.0, wrr.getOrDefault("rs2", 0), 1.0, "wrr 1:2 -> 2/3 (+-1): " + wrr);

                // a long-lived connection keeps its real server while new ones rotate, and through a drain
                director.editService(rr.withScheduler("rr"));
                director.editRealServer(rr, weighted(one, 1));
                director.editRealServer(rr, weighted(two, 1));
                final String streamUrl = url + "stream?seconds=6&interval=100";
                try (LabClient.Stream stream = client.stream(streamUrl, Duration.ofSeconds(20)))
                {
                    assertTrue(stream.awaitLines(3, Duration.ofSeconds(5)), "stream started: " + stream.error());
                    final String owner = stream.lines().get(0).split(" ")[0];
                    final Map<String, Integer> during = client.getMany(url, 20);
                    assertEquals(Map.of("rs1", 10, "rs2", 10), during, "new connections rotate during the stream");

                    final RealServer ownerServer = owner.equals("rs1") ? one : two;
                    final String other = owner.equals("rs1") ? "rs2" : "rs1";
                    director.editRealServer(rr, weighted(ownerServer, 0));
                    final Map<String, Integer> drained = client.getMany(url, 10);
                    assertEquals(Map.of(other, 10), drained, "a drained server gets no new connections");

                    assertTrue(stream.awaitExit(Duration.ofSeconds(15)).isPresent(), "stream ends");
                    assertEquals(0, stream.exitCode().getAsInt(), "stream completed without reset: " + stream.error());
                    final int lines = stream.lines().size();
                    assertTrue(lines >= 55, "the drained server finished its connection: " + lines + " lines");
                    for (final String line : stream.lines())
                    {
                        assertTrue(line.startsWith(owner + " "), "every line from " + owner + ": " + line);
                    }
                    director.editRealServer(rr, weighted(ownerServer, 1));
                }

                director.deleteRealServer(rr, one);
                final Map<String, Integer> afterDelete = client.getMany(url, 20);
                assertEquals(Map.of("rs2", 20), afterDelete, "a removed server gets no new connections; drops: " +
                    drops(director));

                final ServiceStatus status = director.service(rr);
                assertTrue(status.connections() >= 250, "connections counted: " + status);
                if (!mode.serversHoldVip())
                {
                    assertTrue(status.outPackets() > 0, "NAT counts replies: " + status);
                }
                for (final LabCapture capture : captures)
                {
                    final List<LabCapture.Frame> frames = capture.stop();
                    assertEquals(List.of(), frames, "no RST and no ICMP on the director's links (" + capture + ")");
                }
                assertIdleWorkersSleep();
                assertEquals(0, director.drops(DropReason.TX_FULL));
                assertEquals(0, director.drops(DropReason.OVERSIZED), "no frame larger than the MTU reached us");
            }
            finally
            {
                // servers, endpoints, captures and the director go before their namespaces do
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
            }
        }
    }

    /** An idle director must not spin: on a 2-core machine it would starve the clients and servers it serves. */
    private static void assertIdleWorkersSleep() throws InterruptedException
    {
        final java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        final List<Long> ids = new ArrayList<>();
        for (final Thread t : Thread.getAllStackTraces().keySet())
        {
            if (t.getName().startsWith("lvs4j-worker-"))
            {
                ids.add(t.getId());
            }
        }
        assertTrue(!ids.isEmpty(), "worker threads found");
        Thread.sleep(300);
        final long cpuBefore = ids.stream().mapToLong(mx::getThreadCpuTime).sum();
        final long wallBefore = System.nanoTime();
        Thread.sleep(1000);
        final long cpu = ids.stream().mapToLong(mx::getThreadCpuTime).sum() - cpuBefore;
        final long wall = System.nanoTime() - wallBefore;
        assertTrue(cpu < wall / 20, "idle workers used " + cpu / 1_000_000 + " ms of CPU in " + wall / 1_000_000 +
            " ms (must be under 5%)");
    }

    private static RealServer weighted(final RealServer server, final int weight)
    {
        return server.withWeight(weight);
    }

    private static String drops(final Director director)
    {
        final StringBuilder sb = new StringBuilder();
        for (final DropReason r : DropReason.values())
        {
            final long n = director.drops(r);
            if (n != 0)
            {
                sb.append(r).append('=').append(n).append(' ');
            }
        }
        return sb.toString();
    }
}
