package io.lvs4j.examples.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.agrona.concurrent.UnsafeBuffer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.ipvsadm.IpvsSnapshot;
import io.lvs4j.core.ipvsadm.IpvsadmListing;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.CaptureReplay;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.afpacket.RingVersion;
import io.lvs4j.forwarder.channel.pcap.PcapFileChannel;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.ForwardingOptions;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.tunnel.IpIpTunnelEndpoint;

/**
 * {@code lvs4j demo}: the seed's test, run for real. As root it builds the seed's lab in network namespaces (a
 * client, an lvs4j director, two web servers answering with their name), sends requests through the VIP for DR,
 * NAT and TUN, and prints where they went the way the seed's {@code sort | uniq -c} does, then the director's
 * {@code ipvsadm -Ln} table; then it removes the lab. Without root it says so and replays a bundled capture of the same requests
 * through the pipeline instead, printing the same distribution.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = "Build the seed's lab (as root) and show rr over DR, NAT and TUN; without root, replay a capture.")
public final class DemoCommand implements Callable<Integer>
{
    /** The bundled capture: an ARP request for the VIP, then 100 SYNs from 100 client ports. */
    public static final String CAPTURE = "/io/lvs4j/examples/demo/seed-clients.pcap";

    @Option(names = "--requests", defaultValue = "100", description = "Requests per method (default ${DEFAULT-VALUE}).")
    int requests;

    @Option(names = "--replay", description = "Replay the bundled capture even as root.")
    boolean replay;

    private final PrintStream out;

    /** A demo printing to standard output. */
    public DemoCommand()
    {
        this(System.out);
    }

    /**
     * A demo printing elsewhere (tests).
     *
     * @param out where to print.
     */
    public DemoCommand(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public Integer call() throws Exception
    {
        if (replay || !"root".equals(System.getProperty("user.name")))
        {
            if (!replay)
            {
                out.println("lvs4j demo: not root, so no network namespaces: replaying a capture of the seed's " +
                    "requests through the director's pipeline instead.");
            }
            return replayCapture();
        }
        for (final LabNetwork.Mode mode : List.of(LabNetwork.Mode.DR, LabNetwork.Mode.NAT_TWO_ARMED,
            LabNetwork.Mode.TUN))
        {
            runLab(mode);
        }
        return 0;
    }

    private void runLab(final LabNetwork.Mode mode) throws Exception
    {
        final int method = switch (mode)
        {
            case DR -> ConnectionFlags.DROUTE;
            case TUN -> ConnectionFlags.TUNNEL;
            default -> ConnectionFlags.MASQ;
        };
        final String name = switch (mode)
        {
            case DR -> "DR";
            case TUN -> "TUN";
            default -> "NAT";
        };
        out.println();
        out.println("== " + name + ": building the lab (client, director, rs1, rs2) ==");
        try (LabNetwork net = LabNetwork.of(mode).build())
        {
            final List<AutoCloseable> running = new ArrayList<>();
            try
            {
                running.add(LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80));
                running.add(LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80));
                if (mode == LabNetwork.Mode.TUN)
                {
                    for (final LabNetwork.Node rs : List.of(LabNetwork.Node.RS1, LabNetwork.Node.RS2))
                    {
                        running.add(IpIpTunnelEndpoint.open(net.namespace(rs), "eth0", LabNetwork.address(rs),
                            "lvs4jtun0"));
                    }
                }
                final String ns = net.namespace(LabNetwork.Node.DIR);
                final Director director = Director.launch(new Director.Context()
                    .networkNamespace(ns)
                    .interfaces(net.interfaces(LabNetwork.Node.DIR).toArray(String[]::new))
                    .workers(1)
                    .connectionCapacity(1 << 14)
                    .forwardingOptions(ForwardingOptions.defaults().withExpireNodestConn(true))
                    .channels(new AfPacketChannels(ns, b -> b.ringVersion(RingVersion.V2))));
                running.add(director);
                final VirtualService web = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
                director.addService(web);
                director.addRealServer(web, RealServers.of(LabNetwork.RS1_ADDRESS, 80, 1, method));
                director.addRealServer(web, RealServers.of(LabNetwork.RS2_ADDRESS, 80, 1, method));

                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                client.get(url, 5000);   // ARP both ways; not counted
                out.print("   " + requests + " requests through " + url + " ");
                final Map<String, Integer> counts = new TreeMap<>();
                for (int i = 0; i < requests; i++)
                {
                    final LabClient.Response r = client.get(url, LabClient.DEFAULT_TIMEOUT_MS);
                    counts.merge(r.ok() ? r.text() : "failed (curl " + r.exitCode() + ")", 1, Integer::sum);
                    if (i % 10 == 9)
                    {
                        out.print('.');
                    }
                }
                out.println();
                printUniqC(counts);
                printTable(director.ipvsSnapshot());
                out.println("   (InActConn also counts the first, uncounted request that warmed up ARP)");
            }
            finally
            {
                for (int i = running.size() - 1; i >= 0; i--)
                {
                    running.get(i).close();
                }
            }
        }
        out.println("   lab removed");
    }

    private int replayCapture() throws IOException
    {
        final Path dir = Files.createTempDirectory("lvs4j-demo");
        try
        {
            final Path in = dir.resolve("seed-clients.pcap");
            try (InputStream capture = DemoCommand.class.getResourceAsStream(CAPTURE))
            {
                if (capture == null)
                {
                    throw new IllegalStateException("the bundled capture " + CAPTURE + " is missing from the jar");
                }
                Files.copy(capture, in, StandardCopyOption.REPLACE_EXISTING);
            }
            final Path output = dir.resolve("out.pcap");
            final VirtualService web = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
            final CaptureReplay.Result result = CaptureReplay.replay(in, output, new Director.Context()
                .interfaces(List.of(new DirectorInterface(0, "eth0", 0, DemoCapture.DIRECTOR_MAC, 1500, List.of(
                    new DirectorInterface.Prefix(Ipv4Text.parse(LabNetwork.DIRECTOR_CLIENT_ADDRESS), 24),
                    new DirectorInterface.Prefix(Ipv4Text.parse(LabNetwork.DIRECTOR_SERVER_ADDRESS), 24)))))
                .neighbour(LabNetwork.RS1_ADDRESS, MacAddresses.toString(DemoCapture.RS1_MAC))
                .neighbour(LabNetwork.RS2_ADDRESS, MacAddresses.toString(DemoCapture.RS2_MAC))
                .connectionCapacity(1 << 12)
                .onStart(director ->
                {
                    director.addService(web);
                    director.addRealServer(web, RealServers.direct(LabNetwork.RS1_ADDRESS, 80, 1));
                    director.addRealServer(web, RealServers.direct(LabNetwork.RS2_ADDRESS, 80, 1));
                }));
            final Map<String, Integer> counts = new TreeMap<>();
            for (final byte[] frame : PcapFileChannel.readFrames(output))
            {
                final long mac = MacAddresses.get(new UnsafeBuffer(frame), 0);
                if (mac == DemoCapture.RS1_MAC)
                {
                    counts.merge("rs1", 1, Integer::sum);
                }
                else if (mac == DemoCapture.RS2_MAC)
                {
                    counts.merge("rs2", 1, Integer::sum);
                }
            }
            out.println("== DR (replayed): " + result.framesIn() + " frames in, " + result.framesOut() + " out ==");
            printUniqC(counts);
            printTable(result.table());
            return 0;
        }
        finally
        {
            try (var files = Files.walk(dir))
            {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** As {@code sort | uniq -c}: the count right-aligned in 7 columns, a space, the line. */
    private void printUniqC(final Map<String, Integer> counts)
    {
        counts.forEach((name, n) -> out.printf("%7d %s%n", n, name));
    }

    /** What {@code ipvsadm -Ln} prints for the director's state. */
    private void printTable(final IpvsSnapshot table)
    {
        out.println("   # ipvsadm -Ln");
        for (final String line : IpvsadmListing.numeric().list(table, IpvsadmListing.numericFormat()).split("\n"))
        {
            out.println("   " + line);
        }
    }
}
