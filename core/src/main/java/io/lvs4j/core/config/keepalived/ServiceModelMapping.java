package io.lvs4j.core.config.keepalived;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;

/**
 * Turns the keepalived model into the service model the director runs, as keepalived's {@code ipvswrapper.c}
 * turns it into IPVS commands: {@code lb_algo} is the scheduler, {@code persistence_timeout} and
 * {@code persistence_granularity} are {@code -p} and {@code -M}, {@code ops} and the scheduler flags are the
 * service flags, {@code lb_kind} is the real servers' forwarding method.
 */
public final class ServiceModelMapping
{
    /** The most services one {@code virtual_server group} may expand to, so a /8 range cannot exhaust memory. */
    public static final int MAX_GROUP_SERVICES = 65_536;

    private ServiceModelMapping()
    {
    }

    /**
     * The IPVS services of a virtual server: one for an address or fwmark, one per address (or fwmark) of its
     * group for a group service.
     *
     * @param vs     the virtual server.
     * @param config the configuration (for its groups).
     * @return the services.
     * @throws IllegalArgumentException when the group is missing, too large, or a member makes an invalid service
     *                                  (port 0 without persistence).
     */
    public static List<VirtualService> virtualServices(final VirtualServerConfig vs, final KeepalivedConfig config)
    {
        if (vs.kind() != VirtualServerConfig.Kind.GROUP)
        {
            return List.of(virtualService(vs));
        }
        final VirtualServerGroup group = config.virtualServerGroup(vs.group())
            .orElseThrow(() -> new IllegalArgumentException("no virtual_server_group " + vs.group()));
        BigInteger total = BigInteger.ZERO;
        for (final VirtualServerGroup.Entry e : group.entries())
        {
            total = total.add(e.size());
        }
        if (total.compareTo(BigInteger.valueOf(MAX_GROUP_SERVICES)) > 0)
        {
            throw new IllegalArgumentException("virtual_server_group " + vs.group() + " holds " + total +
                " services, more than " + MAX_GROUP_SERVICES);
        }
        final List<VirtualService> services = new ArrayList<>();
        for (final VirtualServerGroup.Entry e : group.entries())
        {
            if (e.isFwmark())
            {
                final int family = e.family() != 0 ? e.family() : vs.ipFamily() != 0 ? vs.ipFamily() : FlowKey.AF_INET;
                services.add(service(vs, family, 0, 0, 0, e.fwmark()));
                continue;
            }
            final int bytes = e.first().getAddress().length;
            final BigInteger last = VirtualServerGroup.Entry.number(e.last());
            for (BigInteger a = VirtualServerGroup.Entry.number(e.first()); a.compareTo(last) <= 0;
                a = a.add(BigInteger.ONE))
            {
                final InetAddress address = address(a, bytes);
                services.add(service(vs, Addresses.family(address), Addresses.hi(address), Addresses.lo(address),
                    e.port(), 0));
            }
        }
        return services;
    }

    /**
     * The IPVS service of an address or fwmark virtual server.
     *
     * @param vs the virtual server (not a group).
     * @return the service.
     * @throws IllegalArgumentException for a group service.
     */
    public static VirtualService virtualService(final VirtualServerConfig vs)
    {
        return switch (vs.kind())
        {
            case ADDRESS -> service(vs, Addresses.family(vs.address()), Addresses.hi(vs.address()),
                Addresses.lo(vs.address()), vs.port(), 0);
            case FWMARK -> service(vs, vs.ipFamily() != 0 ? vs.ipFamily() : FlowKey.AF_INET, 0, 0, 0, vs.fwmark());
            case GROUP -> throw new IllegalArgumentException("virtual_server group " + vs.group() +
                " names several services: use virtualServices");
        };
    }

    /**
     * The director's real server for a configured one; id 0, since the director assigns ids.
     *
     * @param rs the real server.
     * @return the real server value.
     */
    public static RealServer realServer(final RealServerConfig rs)
    {
        return new RealServer(0, Addresses.family(rs.address()), Addresses.hi(rs.address()), Addresses.lo(rs.address()),
            rs.port(), rs.weight(), rs.weight(), rs.method().connectionFlags(), rs.upperThreshold(),
            rs.lowerThreshold());
    }

    /**
     * The real servers of a virtual server, in configuration order.
     *
     * @param vs the virtual server.
     * @return the real server values, ids 0.
     */
    public static List<RealServer> realServers(final VirtualServerConfig vs)
    {
        return vs.realServers().stream().map(ServiceModelMapping::realServer).toList();
    }

    private static VirtualService service(
        final VirtualServerConfig vs, final int family, final long hi, final long lo, final int port, final int fwmark)
    {
        final int netmask = vs.persistenceGranularity() != null ? vs.persistenceGranularity()
            : family == FlowKey.AF_INET ? 0xFFFF_FFFF : 128;
        final int protocol = fwmark != 0 ? IpProtocol.IP : vs.protocol();
        return new VirtualService(family, protocol, hi, lo, port, fwmark, vs.scheduler(),
            vs.flags() & ~ServiceFlags.PERSISTENT, vs.persistenceTimeoutS(), netmask);
    }

    private static InetAddress address(final BigInteger value, final int bytes)
    {
        final byte[] raw = value.toByteArray();
        final byte[] b = new byte[bytes];
        final int n = Math.min(raw.length, bytes);
        System.arraycopy(raw, raw.length - n, b, bytes - n, n);
        try
        {
            return InetAddress.getByAddress(b);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
