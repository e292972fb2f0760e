package io.lvs4j.forwarder;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.forwarder.nativeio.Commands;
import io.lvs4j.forwarder.nativeio.NetworkInterfaceInfo;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.neighbour.RouteTable;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * Learns about interfaces from the running system: index, MAC and MTU by ioctl (in the director's network
 * namespace), IPv4 addresses and routes from iproute2, and turns receive offloads off with ethtool when asked.
 * Runs once at start, on the control plane; nothing here is near the hot path.
 */
public final class SystemInterfaceDiscovery implements InterfaceDiscovery
{
    private static final Logger LOG = LoggerFactory.getLogger(SystemInterfaceDiscovery.class);
    private static final Pattern INET = Pattern.compile("\\binet (\\d+\\.\\d+\\.\\d+\\.\\d+)/(\\d+)");

    @Override
    public DirectorInterface describe(final String name, final int index, final Director.Context context)
    {
        final String ns = context.networkNamespace();
        final NetworkInterfaceInfo info;
        try
        {
            info = ns == null ? NetworkInterfaceInfo.query(name) : NetworkNamespace.call(ns,
                () -> NetworkInterfaceInfo.query(name));
        }
        catch (final Exception ex)
        {
            throw new IllegalArgumentException("interface " + name + (ns == null ? "" : " in netns " + ns) + ": " +
                ex.getMessage(), ex);
        }
        if (info.hardwareType() != NetworkInterfaceInfo.ARPHRD_ETHER)
        {
            throw new IllegalArgumentException("interface " + name + " is not Ethernet (type " + info.hardwareType() +
                ")");
        }
        final List<DirectorInterface.Prefix> addresses = new ArrayList<>();
        final Matcher m = INET.matcher(Commands.run(ns, "ip", "-o", "-4", "addr", "show", "dev", name));
        while (m.find())
        {
            addresses.add(new DirectorInterface.Prefix(Ipv4Text.parse(m.group(1)), Integer.parseInt(m.group(2))));
        }
        if (context.disableReceiveOffloads())
        {
            disableReceiveOffloads(ns, name);
        }
        return new DirectorInterface(index, name, info.index(), info.mac(), info.mtu(), addresses);
    }

    @Override
    public RouteTable routes(final List<DirectorInterface> interfaces, final Director.Context context)
    {
        final List<RouteTable.Route> routes = new ArrayList<>();
        for (final String line : Commands.run(context.networkNamespace(), "ip", "-4", "route", "show", "table", "main")
            .split("\n"))
        {
            final RouteTable.Route route = parseRoute(line.trim(), interfaces);
            if (route != null)
            {
                routes.add(route);
            }
        }
        return new RouteTable(routes);
    }

    /**
     * Parses one line of {@code ip -4 route show}: {@code DEST [via GW] dev IF [... src ADDR]}; routes of other
     * types or over other interfaces are skipped.
     *
     * @param line       the line.
     * @param interfaces the director's interfaces.
     * @return the route, or null.
     */
    static RouteTable.Route parseRoute(final String line, final List<DirectorInterface> interfaces)
    {
        final String[] t = line.split("\\s+");
        if (t.length < 3 || !(t[0].equals("default") || Character.isDigit(t[0].charAt(0))))
        {
            return null;
        }
        int prefix = 0;
        int length = 0;
        if (!t[0].equals("default"))
        {
            final int slash = t[0].indexOf('/');
            prefix = Ipv4Text.parse(slash < 0 ? t[0] : t[0].substring(0, slash));
            length = slash < 0 ? 32 : Integer.parseInt(t[0].substring(slash + 1));
        }
        int gateway = 0;
        int source = 0;
        DirectorInterface iface = null;
        for (int i = 1; i + 1 < t.length; i++)
        {
            switch (t[i])
            {
                case "via" -> gateway = Ipv4Text.parse(t[++i]);
                case "src" -> source = Ipv4Text.parse(t[++i]);
                case "dev" ->
                {
                    final String dev = t[++i];
                    for (final DirectorInterface d : interfaces)
                    {
                        if (d.name().equals(dev))
                        {
                            iface = d;
                        }
                    }
                }
                default ->
                {
                }
            }
        }
        if (iface == null)
        {
            return null;
        }
        return new RouteTable.Route(prefix, length, gateway, iface.index(),
            source != 0 ? source : iface.sourceFor(gateway != 0 ? gateway : prefix));
    }

    @Override
    public ChannelFactory defaultChannels(final Director.Context context)
    {
        return new AfPacketChannels(context.networkNamespace());
    }

    private static void disableReceiveOffloads(final String ns, final String name)
    {
        try
        {
            Commands.run(ns, "ethtool", "-K", name, "gro", "off");
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("could not turn GRO off on {}: {}; frames larger than the MTU will be dropped and counted as " +
                "OVERSIZED", name, ex.getMessage());
            return;
        }
        try
        {
            Commands.run(ns, "ethtool", "-K", name, "lro", "off");
        }
        catch (final RuntimeException ex)
        {
            // most virtual NICs have no LRO to turn off ("fixed"): nothing to do
            LOG.debug("lro on {}: {}", name, ex.getMessage());
        }
        LOG.info("turned GRO/LRO off on {}: an aggregated frame larger than the MTU cannot be forwarded as it is",
            name);
    }
}
