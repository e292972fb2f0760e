package io.lvs4j.examples;

import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.lvs4j.core.config.keepalived.ConfigCheck;
import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.RealServerConfig;
import io.lvs4j.core.config.keepalived.ServiceModelMapping;
import io.lvs4j.core.config.keepalived.VirtualIpAddress;
import io.lvs4j.core.config.keepalived.VirtualServerConfig;
import io.lvs4j.core.config.keepalived.VrrpInstance;
import io.lvs4j.core.ipvsadm.IpvsadmListing;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.CaptureReplay;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * {@code lvs4j replay IN.pcap OUT.pcap -f FILE}: a keepalived configuration's services (all real servers up; no
 * checks run) applied to a capture through the director's pipeline, without privileges: frames in, frames out, and
 * the {@code ipvsadm -Ln} table at the end. The one interface has the director's MAC ({@code --mac}) and the
 * addresses of {@code --address}, by default the VRRP instances' virtual addresses and a /24 around each real
 * server; {@code --neighbour IP=MAC} gives the real servers' MACs (otherwise the director ARPs and waits).
 */
@Command(name = "replay", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Replay a capture through a director running a keepalived.conf's services.")
public final class ReplayCommand implements Callable<Integer>
{
    @Parameters(index = "0", description = "The capture to replay (Ethernet pcap).")
    Path input;

    @Parameters(index = "1", description = "Where the frames the director sends are written.")
    Path output;

    @Option(names = {"-f", "--use-file"}, required = true, description = "The keepalived configuration.")
    Path file;

    @Option(names = "--mac", description = "The director's MAC (default ${DEFAULT-VALUE}).")
    String mac = "02:00:5e:10:00:01";

    @Option(names = "--mtu", description = "The interface's MTU (default ${DEFAULT-VALUE}).")
    int mtu = 1500;

    @Option(names = "--address", description = "An address of the director's interface, IP/LEN (repeatable).")
    List<String> addresses = new ArrayList<>();

    @Option(names = "--neighbour", description = "A static neighbour, IP=MAC (repeatable).")
    List<String> neighbours = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;

    /** The command printing to standard output and error. */
    public ReplayCommand()
    {
        this(System.out, System.err);
    }

    /**
     * The command printing elsewhere (tests).
     *
     * @param out standard output.
     * @param err standard error.
     */
    public ReplayCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call()
    {
        final ConfigCheck.Verdict verdict = ConfigCheck.check(file, null);
        if (!verdict.ok())
        {
            err.println("lvs4j replay: " + verdict.errors().get(0));
            return 1;
        }
        try
        {
            final KeepalivedConfig config = verdict.config();
            final Map<VirtualService, List<RealServer>> services = new LinkedHashMap<>();
            for (final VirtualServerConfig vs : config.virtualServers())
            {
                for (final VirtualService service : ServiceModelMapping.virtualServices(vs, config))
                {
                    services.put(service, ServiceModelMapping.realServers(vs));
                }
            }
            final Director.Context context = new Director.Context()
                .interfaces(List.of(new DirectorInterface(0, "eth0", 0, MacAddresses.parse(mac), mtu,
                    prefixes(config))))
                .connectionCapacity(1 << 16)
                .onStart(director -> services.forEach((service, servers) ->
                {
                    director.addService(service);
                    servers.forEach(rs -> director.addRealServer(service, rs));
                }));
            for (final String n : neighbours)
            {
                final int eq = n.indexOf('=');
                if (eq < 0)
                {
                    throw new IllegalArgumentException("--neighbour " + n + ": expected IP=MAC");
                }
                context.neighbour(n.substring(0, eq), n.substring(eq + 1));
            }
            final CaptureReplay.Result result = CaptureReplay.replay(input, output, context,
                frames -> System.err.printf("lvs4j replay: %,d frames%n", frames));
            out.println("frames in:  " + result.framesIn());
            out.println("frames out: " + result.framesOut() + " (" + output + ")");
            out.println("# ipvsadm -Ln");
            out.print(IpvsadmListing.numeric().list(result.table(), IpvsadmListing.numericFormat()));
            out.flush();
            return 0;
        }
        catch (final RuntimeException ex)
        {
            err.println("lvs4j replay: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
            return 1;
        }
    }

    private List<DirectorInterface.Prefix> prefixes(final KeepalivedConfig config)
    {
        final List<DirectorInterface.Prefix> prefixes = new ArrayList<>();
        for (final String a : addresses)
        {
            final int slash = a.indexOf('/');
            prefixes.add(new DirectorInterface.Prefix(Ipv4Text.parse(slash < 0 ? a : a.substring(0, slash)),
                slash < 0 ? 32 : Integer.parseInt(a.substring(slash + 1))));
        }
        if (!prefixes.isEmpty())
        {
            return prefixes;
        }
        for (final VrrpInstance instance : config.vrrpInstances())
        {
            for (final VirtualIpAddress vip : instance.virtualIpAddresses())
            {
                if (vip.address() instanceof Inet4Address)
                {
                    prefixes.add(new DirectorInterface.Prefix(v4(vip.address()), vip.prefixLength()));
                }
            }
        }
        for (final VirtualServerConfig vs : config.virtualServers())
        {
            for (final RealServerConfig rs : vs.realServers())
            {
                if (rs.address() instanceof Inet4Address)
                {
                    // the director's own address on the real servers' /24: .1, or .254 when a real server is .1
                    final int net = v4(rs.address()) & 0xFFFF_FF00;
                    final int self = (v4(rs.address()) & 0xFF) == 1 ? net | 254 : net | 1;
                    if (prefixes.stream().noneMatch(p -> (p.address() & 0xFFFF_FF00) == net))
                    {
                        prefixes.add(new DirectorInterface.Prefix(self, 24));
                    }
                }
            }
        }
        return prefixes;
    }

    private static int v4(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }
}
