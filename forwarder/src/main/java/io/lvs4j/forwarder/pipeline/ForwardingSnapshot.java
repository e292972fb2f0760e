package io.lvs4j.forwarder.pipeline;

import java.util.List;

import org.agrona.collections.IntHashSet;
import org.agrona.collections.LongHashSet;
import org.agrona.collections.Long2ObjectHashMap;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.forwarder.neighbour.RouteTable;

/**
 * Everything the workers need to forward, frozen: the services by (protocol, VIP, port), the VIPs the director
 * answers ARP for, where each real server is (interface, next hop, our address on that route), the routes back
 * to clients and whether the director is master. The control plane builds a new snapshot for every change and
 * publishes it with one volatile write; workers read the reference once per batch and never wait.
 * <p>
 * Agrona's maps are safe to read from many threads once published and never written again, which is the
 * contract here: a snapshot is never modified after {@link #ForwardingSnapshot construction}.
 */
public final class ForwardingSnapshot
{
    private final Long2ObjectHashMap<ActiveService> services;
    private final IntHashSet vips;
    private IntHashSet arpAddresses;
    private final LongHashSet natServers = new LongHashSet();
    private final boolean hasPortZero;
    private final boolean hasNat;
    private final List<DirectorInterface> interfaces;
    private final RouteTable routes;
    private final int[] destinationIface;
    private final int[] destinationNextHop;
    private final int[] destinationSource;
    private final int[] destinationService;
    private final boolean master;
    private final long[] announceMacs;
    private final long version;

    /**
     * Freezes a forwarding state.
     *
     * @param services           services by {@link ActiveService#key}; not copied, must not change afterwards.
     * @param interfaces         the director's interfaces, by index.
     * @param routes             the routing table.
     * @param destinationIface   per real server id: its interface index, -1 when unroutable.
     * @param destinationNextHop per real server id: the next hop's address.
     * @param destinationSource  per real server id: our address on its route (TUN's outer source).
     * @param destinationService per real server id: the id of the service it belongs to.
     * @param master             whether the director owns the VIPs now.
     * @param version            increases with every snapshot.
     */
    public ForwardingSnapshot(
        final Long2ObjectHashMap<ActiveService> services,
        final List<DirectorInterface> interfaces,
        final RouteTable routes,
        final int[] destinationIface,
        final int[] destinationNextHop,
        final int[] destinationSource,
        final int[] destinationService,
        final boolean master,
        final long version)
    {
        this.services = services;
        this.interfaces = List.copyOf(interfaces);
        this.routes = routes;
        this.destinationIface = destinationIface;
        this.destinationNextHop = destinationNextHop;
        this.destinationSource = destinationSource;
        this.destinationService = destinationService;
        this.master = master;
        this.version = version;
        this.announceMacs = new long[interfaces.size()];
        for (int i = 0; i < announceMacs.length; i++)
        {
            announceMacs[i] = interfaces.get(i).mac();
        }
        final IntHashSet vipSet = new IntHashSet();
        boolean portZero = false;
        boolean nat = false;
        for (final ActiveService s : services.values())
        {
            vipSet.add(s.config().addressV4());
            portZero |= s.config().port() == 0;
            final var list = s.scheduler().servers();
            for (int i = 0; i < list.size(); i++)
            {
                if (list.get(i).method() == ConnectionFlags.MASQ)
                {
                    nat = true;
                    natServers.add(((long)list.get(i).addressV4() << 16) | list.get(i).port());
                }
            }
        }
        this.vips = vipSet;
        this.arpAddresses = vipSet;
        this.hasPortZero = portZero;
        this.hasNat = nat;
    }

    /**
     * The service a packet is for: exact (protocol, VIP, port), else the VIP's port-0 catch-all.
     *
     * @param protocol the packet's protocol.
     * @param address  its IPv4 destination.
     * @param port     its destination port.
     * @return the service, or null.
     */
    public ActiveService service(final int protocol, final int address, final int port)
    {
        final ActiveService exact = services.get(ActiveService.key(protocol, address, port));
        if (exact != null || !hasPortZero)
        {
            return exact;
        }
        return services.get(ActiveService.key(protocol, address, 0));
    }

    /**
     * @param address an IPv4 address.
     * @return true when it is the VIP of some service.
     */
    public boolean isVip(final int address)
    {
        return vips.contains(address);
    }

    /**
     * @param address an IPv4 address.
     * @return true when the director answers ARP for it: a VIP or an {@link #withAnnouncedAddresses announced}
     *     address.
     */
    public boolean answersArpFor(final int address)
    {
        return arpAddresses.contains(address);
    }

    /**
     * The snapshot with addresses answered in ARP besides the VIPs (VRRP addresses such as a NAT gateway).
     *
     * @param addresses IPv4 addresses.
     * @return this snapshot (call before publishing).
     */
    public ForwardingSnapshot withAnnouncedAddresses(final int[] addresses)
    {
        if (addresses.length > 0)
        {
            final IntHashSet all = new IntHashSet();
            all.addAll(vips);
            for (final int address : addresses)
            {
                all.add(address);
            }
            arpAddresses = all;
        }
        return this;
    }

    /**
     * @param address an IPv4 address.
     * @param port    a port.
     * @return true when they are a NAT real server of some service ({@code ip_vs_has_real_service}).
     */
    public boolean isNatRealServer(final int address, final int port)
    {
        return natServers.contains(((long)address << 16) | port);
    }

    /** @return true when some real server is reached by NAT, so replies must be looked for. */
    public boolean hasNat()
    {
        return hasNat;
    }

    /** @return the director's interfaces by index. */
    public List<DirectorInterface> interfaces()
    {
        return interfaces;
    }

    /** @return the routing table. */
    public RouteTable routes()
    {
        return routes;
    }

    /**
     * @param destinationId a real server id.
     * @return the interface index it is reached on, -1 when unroutable.
     */
    public int destinationIface(final int destinationId)
    {
        return destinationId < destinationIface.length ? destinationIface[destinationId] : -1;
    }

    /**
     * @param destinationId a real server id.
     * @return the next hop towards it.
     */
    public int destinationNextHop(final int destinationId)
    {
        return destinationNextHop[destinationId];
    }

    /**
     * @param destinationId a real server id.
     * @return our address on the route to it.
     */
    public int destinationSource(final int destinationId)
    {
        return destinationSource[destinationId];
    }

    /**
     * @param destinationId a real server id.
     * @return the id of the service it serves.
     */
    public int destinationService(final int destinationId)
    {
        return destinationService[destinationId];
    }

    /**
     * The snapshot with the MAC the director answers ARP for its VIPs with on each interface: the VRRP virtual MAC
     * while HA runs, else the interface's own.
     *
     * @param macs per interface index; null entries keep the interface's MAC.
     * @return this snapshot (its announce MACs replaced; call before publishing).
     */
    public ForwardingSnapshot withAnnounceMacs(final long[] macs)
    {
        for (int i = 0; i < announceMacs.length && i < macs.length; i++)
        {
            if (macs[i] != 0)
            {
                announceMacs[i] = macs[i];
            }
        }
        return this;
    }

    /**
     * @param iface an interface index.
     * @return the MAC ARP replies for the VIPs carry on it.
     */
    public long announceMac(final int iface)
    {
        return announceMacs[iface];
    }

    /** @return whether the director owns the VIPs (always true without HA). */
    public boolean isMaster()
    {
        return master;
    }

    /** @return the services, for the control plane. */
    public Long2ObjectHashMap<ActiveService> services()
    {
        return services;
    }

    /** @return this snapshot's version. */
    public long version()
    {
        return version;
    }
}
