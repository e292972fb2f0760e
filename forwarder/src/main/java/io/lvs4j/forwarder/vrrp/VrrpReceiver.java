package io.lvs4j.forwarder.vrrp;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntHashSet;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.Ipv4View;
import io.lvs4j.core.packet.PacketClassifier;

/**
 * The receive checks of RFC 3768/5798 §7.1 as keepalived applies them ({@code vrrp.c:vrrp_check_packet}), over a
 * whole Ethernet frame: every failure returns its {@link VrrpDropReason} and is counted; an accepted advert leaves
 * its instance, priority, source and interval in this object's fields for the state machine.
 */
public final class VrrpReceiver
{
    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    private static final int ETHERTYPE_IPV6 = 0x86DD;

    private final Int2ObjectHashMap<VrrpInstanceSpec> byInterfaceAndVrid = new Int2ObjectHashMap<>();
    private final Int2ObjectHashMap<IntHashSet> ownAddresses = new Int2ObjectHashMap<>();
    private final VrrpCounters counters;
    private VrrpInstanceSpec instance;
    private int priority;
    private int source;
    private long advertIntervalNs;

    /**
     * A receiver counting into {@code counters}.
     *
     * @param counters the counters.
     */
    public VrrpReceiver(final VrrpCounters counters)
    {
        this.counters = counters;
    }

    /**
     * Adds an instance whose adverts this receiver accepts.
     *
     * @param spec the instance.
     */
    public void add(final VrrpInstanceSpec spec)
    {
        if (byInterfaceAndVrid.put(key(spec.iface(), spec.vrid()), spec) != null)
        {
            throw new IllegalArgumentException("two instances with virtual_router_id " + spec.vrid() +
                " on one interface");
        }
    }

    /**
     * Adds an address of the director on an interface: adverts from it are our own, looped back.
     *
     * @param iface   the interface index.
     * @param address the IPv4 address.
     */
    public void ownAddress(final int iface, final int address)
    {
        ownAddresses.computeIfAbsent(iface, i -> new IntHashSet()).add(address);
    }

    /**
     * Checks a received frame.
     *
     * @param iface  the interface it came in on.
     * @param buffer the frame's buffer.
     * @param offset the start of its Ethernet header.
     * @param length its length.
     * @return null when accepted (see {@link #instance()} and the other accessors), else why it was dropped (and
     * counted).
     */
    public VrrpDropReason check(final int iface, final DirectBuffer buffer, final int offset, final int length)
    {
        final VrrpDropReason reason = evaluate(iface, buffer, offset, length);
        if (reason != null)
        {
            counters.drop(reason);
            instance = null;
        }
        else
        {
            counters.received();
        }
        return reason;
    }

    private VrrpDropReason evaluate(final int iface, final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < EthernetView.HEADER_LENGTH + Ipv4View.MIN_HEADER_LENGTH)
        {
            return VrrpDropReason.TRUNCATED;
        }
        final int etherType = buffer.getShort(offset + EthernetView.ETHER_TYPE_OFFSET, BIG) & 0xFFFF;
        if (etherType == ETHERTYPE_IPV6)
        {
            return VrrpDropReason.UNSUPPORTED_FAMILY;
        }
        final int ip = offset + EthernetView.HEADER_LENGTH;
        final int versionIhl = buffer.getByte(ip + Ipv4View.VERSION_IHL_OFFSET) & 0xFF;
        final int ihl = (versionIhl & 0x0F) * 4;
        if (etherType != EthernetView.ETHERTYPE_IPV4 || versionIhl >> 4 != 4 || ihl < Ipv4View.MIN_HEADER_LENGTH)
        {
            return VrrpDropReason.IP_HEADER;
        }
        final int available = length - EthernetView.HEADER_LENGTH;
        final int totalLength = buffer.getShort(ip + Ipv4View.TOTAL_LENGTH_OFFSET, BIG) & 0xFFFF;
        if (available < ihl || totalLength > available || totalLength < ihl + VrrpPacket.HEADER_LENGTH)
        {
            return VrrpDropReason.TRUNCATED;
        }
        if (!Checksums.isIpv4HeaderValid(buffer, ip, ihl) ||
            (buffer.getByte(ip + Ipv4View.PROTOCOL_OFFSET) & 0xFF) != PacketClassifier.PROTOCOL_VRRP)
        {
            return VrrpDropReason.IP_HEADER;
        }
        final int vrrp = ip + ihl;
        final int vrrpLength = totalLength - ihl;
        final VrrpInstanceSpec spec = byInterfaceAndVrid.get(key(iface, VrrpPacket.vrid(buffer, vrrp)));
        if (spec == null)
        {
            return VrrpDropReason.UNKNOWN_VRID;
        }
        final int ttl = buffer.getByte(ip + Ipv4View.TTL_OFFSET) & 0xFF;
        final int src = buffer.getInt(ip + Ipv4View.SOURCE_OFFSET, BIG);
        final int dst = buffer.getInt(ip + Ipv4View.DESTINATION_OFFSET, BIG);
        // keepalived checks the TTL of multicast adverts only; unicast ones may cross routers (min/max_ttl)
        if (!spec.unicast() && ttl != VrrpPacket.TTL)
        {
            return VrrpDropReason.TTL;
        }
        final int version = VrrpPacket.version(buffer, vrrp);
        if (version != spec.version())
        {
            return VrrpDropReason.VERSION;
        }
        if (VrrpPacket.type(buffer, vrrp) != VrrpPacket.TYPE_ADVERTISEMENT)
        {
            return VrrpDropReason.TYPE;
        }
        final int count = VrrpPacket.count(buffer, vrrp);
        if (vrrpLength < VrrpPacket.length(version, count))
        {
            return VrrpDropReason.TRUNCATED;
        }
        final int expected = version == 2 ? VrrpPacket.checksumV2(buffer, vrrp, vrrpLength) :
            VrrpPacket.checksumV3(buffer, vrrp, vrrpLength, src, dst);
        if (expected != VrrpPacket.checksum(buffer, vrrp))
        {
            return VrrpDropReason.CHECKSUM;
        }
        final IntHashSet own = ownAddresses.get(iface);
        if ((own != null && own.contains(src)) || src == spec.sourceAddress())
        {
            return VrrpDropReason.OWN_ADVERT;
        }
        if (spec.unicast() && !contains(spec.unicastPeers(), src))
        {
            return VrrpDropReason.NOT_A_PEER;
        }
        if (version == 2)
        {
            if (VrrpPacket.authType(buffer, vrrp) != spec.authType())
            {
                return VrrpDropReason.AUTH_TYPE;
            }
            if (spec.authType() == VrrpPacket.AUTH_PASS)
            {
                final int authAt = vrrp + VrrpPacket.HEADER_LENGTH + 4 * count;
                final byte[] password = spec.authData();
                for (int i = 0; i < VrrpPacket.AUTH_DATA_LENGTH; i++)
                {
                    if (buffer.getByte(authAt + i) != password[i])
                    {
                        return VrrpDropReason.AUTH_PASSWORD;
                    }
                }
            }
            if (VrrpPacket.advertIntSeconds(buffer, vrrp) * 100 != spec.advertIntervalCs())
            {
                return VrrpDropReason.ADVERT_INTERVAL;
            }
        }
        final int[] addresses = spec.addresses();
        // keepalived's vrrp_in_chk compares the count even with skip_check_adv_addr; only the list is skipped
        if (count != addresses.length)
        {
            return VrrpDropReason.ADDRESS_COUNT;
        }
        if (!spec.skipCheckAdvAddr())
        {
            for (final int address : addresses)
            {
                if (!advertHas(buffer, vrrp, count, address))
                {
                    return VrrpDropReason.ADDRESS_LIST;
                }
            }
        }
        instance = spec;
        priority = VrrpPacket.priority(buffer, vrrp);
        source = src;
        advertIntervalNs = version == 2 ? spec.advertIntervalNs() : VrrpPacket.maxAdvertIntCs(buffer, vrrp) * 10_000_000L;
        return null;
    }

    private static boolean advertHas(final DirectBuffer buffer, final int vrrp, final int count, final int address)
    {
        for (int i = 0; i < count; i++)
        {
            if (VrrpPacket.address(buffer, vrrp, i) == address)
            {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(final int[] values, final int value)
    {
        for (final int v : values)
        {
            if (v == value)
            {
                return true;
            }
        }
        return false;
    }

    private static int key(final int iface, final int vrid)
    {
        return iface << 8 | vrid;
    }

    /** @return the accepted advert's instance (null after a drop). */
    public VrrpInstanceSpec instance()
    {
        return instance;
    }

    /** @return the accepted advert's priority. */
    public int priority()
    {
        return priority;
    }

    /** @return the accepted advert's IPv4 source. */
    public int source()
    {
        return source;
    }

    /** @return the accepted advert's interval in nanoseconds (v3: its max advert interval). */
    public long advertIntervalNs()
    {
        return advertIntervalNs;
    }
}
