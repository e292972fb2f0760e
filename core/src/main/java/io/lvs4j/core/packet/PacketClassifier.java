package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.flow.IpProtocol;
import org.agrona.DirectBuffer;

/**
 * Classifies an Ethernet frame in one pass: Ethernet and up to two VLAN tags, ARP, IPv4 (options, fragments),
 * IPv6 (extension headers), TCP, UDP, SCTP, ICMP/ICMPv6 (with the quoted packet of errors), VRRP and IP-in-IP, and
 * fills a caller-owned {@link ClassifiedFrame}.
 * <p>
 * It never throws on any input and never reads a byte outside {@code [offset, offset + length)}: every read is
 * preceded by a length check, and Agrona's bounds checks prove it in the tests. The capture length may exceed the
 * IP packet (Ethernet pads short frames to 60 bytes): the transport layer is bounded by the IP total length (IPv6:
 * payload length), and trailing padding is fine; an IP length beyond the capture is {@link
 * Malformation#BAD_TOTAL_LENGTH} (IPv4) or {@link Malformation#BAD_PAYLOAD_LENGTH} (IPv6).
 * <p>
 * Checks run in protocol order and the first failure decides the {@link Malformation}. Checksums of the transport
 * layer are not verified (a forwarder preserves them, incrementally); the IPv4 header checksum is verified when
 * configured to, as a router's input path does.
 * <p>
 * Holds scratch views: not thread-safe. Each worker owns one.
 */
public final class PacketClassifier
{
    /** IP protocol number of VRRP. */
    public static final int PROTOCOL_VRRP = 112;
    /** Fixed part of a VRRP (v2 and v3) header checked before classifying as VRRP. */
    public static final int VRRP_MIN_LENGTH = 8;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    private static final int ICMP_HEADER_LENGTH = 8;
    private static final int PORTS_LENGTH = 4;

    private final int maxExtensionHeaders;
    private final boolean verifyIpv4HeaderChecksum;
    private final Ipv6View ipv6 = new Ipv6View();

    /**
     * A classifier that walks up to {@link Ipv6View#DEFAULT_MAX_EXTENSION_HEADERS} IPv6 extension headers and
     * verifies IPv4 header checksums.
     */
    public PacketClassifier()
    {
        this(Ipv6View.DEFAULT_MAX_EXTENSION_HEADERS, true);
    }

    /**
     * A configured classifier.
     *
     * @param maxExtensionHeaders      the most IPv6 extension headers to walk before rejecting the packet with
     *                                 {@link Malformation#IPV6_EXTENSION_CHAIN_TOO_LONG}.
     * @param verifyIpv4HeaderChecksum whether to reject IPv4 headers whose checksum does not verify.
     */
    public PacketClassifier(final int maxExtensionHeaders, final boolean verifyIpv4HeaderChecksum)
    {
        this.maxExtensionHeaders = maxExtensionHeaders;
        this.verifyIpv4HeaderChecksum = verifyIpv4HeaderChecksum;
    }

    /**
     * Classifies one Ethernet frame.
     *
     * @param buffer the bytes.
     * @param offset start of the frame (its destination MAC).
     * @param length bytes of the frame captured.
     * @param frame  where to put the result; overwritten entirely.
     * @return the kind, also in {@code frame}; {@link FrameKind#MALFORMED} with {@link ClassifiedFrame#malformation()}.
     */
    public FrameKind classify(
        final DirectBuffer buffer, final int offset, final int length, final ClassifiedFrame frame)
    {
        frame.reset(offset, length);
        if (length < EthernetView.HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L2);
        }
        final int end = offset + length;
        int p = offset + EthernetView.ETHER_TYPE_OFFSET;
        int etherType = buffer.getShort(p, BIG) & 0xFFFF;
        while (EthernetView.isVlanTpid(etherType))
        {
            if (frame.vlanCount == EthernetView.MAX_VLAN_TAGS)
            {
                // a third tag: nothing we forward is stacked that deep
                frame.etherType = etherType;
                return frame.accept(FrameKind.OTHER);
            }
            if (end - p < 6)
            {
                return frame.reject(Malformation.TRUNCATED_L2);
            }
            final int tci = buffer.getShort(p + 2, BIG) & 0xFFFF;
            if (frame.vlanCount == 0)
            {
                frame.vlanTpid0 = etherType;
                frame.vlanTci0 = tci;
            }
            else
            {
                frame.vlanTpid1 = etherType;
                frame.vlanTci1 = tci;
            }
            frame.vlanCount++;
            p += EthernetView.VLAN_TAG_LENGTH;
            etherType = buffer.getShort(p, BIG) & 0xFFFF;
        }
        frame.etherType = etherType;
        final int l3 = p + 2;
        frame.l3Offset = l3;
        switch (etherType)
        {
            case EthernetView.ETHERTYPE_IPV4:
                return classifyIpv4(buffer, l3, end - l3, frame);
            case EthernetView.ETHERTYPE_IPV6:
                return classifyIpv6(buffer, l3, end - l3, frame);
            case EthernetView.ETHERTYPE_ARP:
                return classifyArp(buffer, l3, end - l3, frame);
            default:
                return frame.accept(FrameKind.OTHER);
        }
    }

    private static FrameKind classifyArp(
        final DirectBuffer buffer, final int l3, final int available, final ClassifiedFrame frame)
    {
        if (available < ArpView.LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_ARP);
        }
        frame.l3Length = ArpView.LENGTH;
        final boolean ethernetIpv4 =
            (buffer.getShort(l3 + ArpView.HARDWARE_TYPE_OFFSET, BIG) & 0xFFFF) == ArpView.HARDWARE_TYPE_ETHERNET &&
            (buffer.getShort(l3 + ArpView.PROTOCOL_TYPE_OFFSET, BIG) & 0xFFFF) == ArpView.PROTOCOL_TYPE_IPV4 &&
            buffer.getByte(l3 + ArpView.HARDWARE_LENGTH_OFFSET) == MacAddresses.LENGTH &&
            buffer.getByte(l3 + ArpView.PROTOCOL_LENGTH_OFFSET) == 4;
        return frame.accept(ethernetIpv4 ? FrameKind.ARP : FrameKind.OTHER);
    }

    // --------------------------------------------------------------------------------------------------- IPv4

    private FrameKind classifyIpv4(
        final DirectBuffer buffer, final int l3, final int available, final ClassifiedFrame frame)
    {
        if (available < Ipv4View.MIN_HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L3);
        }
        final int versionIhl = buffer.getByte(l3) & 0xFF;
        if (versionIhl >>> 4 != 4)
        {
            return frame.reject(Malformation.BAD_VERSION);
        }
        final int headerLength = (versionIhl & 0xF) << 2;
        if (headerLength < Ipv4View.MIN_HEADER_LENGTH)
        {
            return frame.reject(Malformation.BAD_IHL);
        }
        final int totalLength = buffer.getShort(l3 + Ipv4View.TOTAL_LENGTH_OFFSET, BIG) & 0xFFFF;
        if (totalLength < headerLength)
        {
            return frame.reject(Malformation.TOTAL_LENGTH_TOO_SHORT);
        }
        if (totalLength > available)
        {
            return frame.reject(Malformation.BAD_TOTAL_LENGTH);
        }
        if (verifyIpv4HeaderChecksum && !Checksums.isIpv4HeaderValid(buffer, l3, headerLength))
        {
            return frame.reject(Malformation.BAD_IPV4_CHECKSUM);
        }

        final int protocol = buffer.getByte(l3 + Ipv4View.PROTOCOL_OFFSET) & 0xFF;
        final int flagsFragment = buffer.getShort(l3 + Ipv4View.FLAGS_FRAGMENT_OFFSET, BIG) & 0xFFFF;
        frame.l3Length = totalLength;
        frame.tos = buffer.getByte(l3 + Ipv4View.TOS_OFFSET) & 0xFF;
        frame.ttl = buffer.getByte(l3 + Ipv4View.TTL_OFFSET) & 0xFF;
        frame.ipIdentification = buffer.getShort(l3 + Ipv4View.IDENTIFICATION_OFFSET, BIG) & 0xFFFF;
        frame.dontFragment = (flagsFragment & Ipv4View.FLAG_DF) != 0;
        frame.moreFragments = (flagsFragment & Ipv4View.FLAG_MF) != 0;
        frame.fragmentOffset = (flagsFragment & Ipv4View.FRAGMENT_OFFSET_MASK) << 3;
        frame.flow.setV4(
            protocol,
            buffer.getInt(l3 + Ipv4View.SOURCE_OFFSET, BIG), 0,
            buffer.getInt(l3 + Ipv4View.DESTINATION_OFFSET, BIG), 0);

        final int l4 = l3 + headerLength;
        final int l4Length = totalLength - headerLength;
        frame.l4Offset = l4;
        frame.l4Length = l4Length;
        frame.payloadOffset = l4;
        frame.payloadLength = l4Length;
        if ((flagsFragment & (Ipv4View.FLAG_MF | Ipv4View.FRAGMENT_OFFSET_MASK)) != 0)
        {
            return frame.accept(FrameKind.IPV4_FRAGMENT);
        }

        switch (protocol)
        {
            case IpProtocol.TCP:
                return classifyTcp(buffer, l4, l4Length, frame, FrameKind.IPV4_TCP);
            case IpProtocol.UDP:
                return classifyUdp(buffer, l4, l4Length, frame, FrameKind.IPV4_UDP);
            case IpProtocol.SCTP:
                return classifySctp(buffer, l4, l4Length, frame, FrameKind.IPV4_SCTP);
            case IpProtocol.ICMP:
                return classifyIcmpv4(buffer, l4, l4Length, frame);
            case PROTOCOL_VRRP:
                return classifyVrrp(l4, l4Length, frame, FrameKind.IPV4_VRRP);
            case IpProtocol.IPIP:
                innerIpv4(buffer, l4, l4Length, frame, false);
                return frame.accept(FrameKind.IPV4_IPIP);
            default:
                return frame.accept(FrameKind.IPV4_OTHER);
        }
    }

    private static FrameKind classifyIcmpv4(
        final DirectBuffer buffer, final int l4, final int l4Length, final ClassifiedFrame frame)
    {
        if (l4Length < ICMP_HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L4);
        }
        final int type = buffer.getByte(l4) & 0xFF;
        frame.icmpType = type;
        frame.icmpCode = buffer.getByte(l4 + 1) & 0xFF;
        frame.payloadOffset = l4 + ICMP_HEADER_LENGTH;
        frame.payloadLength = l4Length - ICMP_HEADER_LENGTH;
        if (Icmpv4View.isErrorType(type))
        {
            frame.icmpError = true;
            innerIpv4(buffer, frame.payloadOffset, frame.payloadLength, frame, true);
        }
        return frame.accept(FrameKind.IPV4_ICMP);
    }

    /**
     * Parses an inner IPv4 packet (an ICMP error's quote, or an IP-in-IP payload) down to its ports. A quote is
     * cut short by design, so its total length is not checked against what is there.
     */
    private static void innerIpv4(
        final DirectBuffer buffer, final int l3, final int available, final ClassifiedFrame frame,
        final boolean quoted)
    {
        frame.innerL3Offset = l3;
        frame.innerL3Length = available;
        if (available < Ipv4View.MIN_HEADER_LENGTH)
        {
            frame.innerMalformation = Malformation.TRUNCATED_L3;
            return;
        }
        final int versionIhl = buffer.getByte(l3) & 0xFF;
        if (versionIhl >>> 4 != 4)
        {
            frame.innerMalformation = Malformation.BAD_VERSION;
            return;
        }
        final int headerLength = (versionIhl & 0xF) << 2;
        if (headerLength < Ipv4View.MIN_HEADER_LENGTH)
        {
            frame.innerMalformation = Malformation.BAD_IHL;
            return;
        }
        if (headerLength > available)
        {
            frame.innerMalformation = Malformation.TRUNCATED_L3;
            return;
        }
        int l4Available = available - headerLength;
        if (!quoted)
        {
            final int totalLength = buffer.getShort(l3 + Ipv4View.TOTAL_LENGTH_OFFSET, BIG) & 0xFFFF;
            if (totalLength < headerLength)
            {
                frame.innerMalformation = Malformation.TOTAL_LENGTH_TOO_SHORT;
                return;
            }
            if (totalLength > available)
            {
                frame.innerMalformation = Malformation.BAD_TOTAL_LENGTH;
                return;
            }
            frame.innerL3Length = totalLength;
            l4Available = totalLength - headerLength;
        }
        final int protocol = buffer.getByte(l3 + Ipv4View.PROTOCOL_OFFSET) & 0xFF;
        final int flagsFragment = buffer.getShort(l3 + Ipv4View.FLAGS_FRAGMENT_OFFSET, BIG) & 0xFFFF;
        final int l4 = l3 + headerLength;
        frame.innerL4Offset = l4;
        frame.innerFragment = (flagsFragment & (Ipv4View.FLAG_MF | Ipv4View.FRAGMENT_OFFSET_MASK)) != 0;
        final boolean firstFragment = (flagsFragment & Ipv4View.FRAGMENT_OFFSET_MASK) == 0;
        int sourcePort = 0;
        int destinationPort = 0;
        if (firstFragment && hasPorts(protocol))
        {
            if (l4Available < PORTS_LENGTH)
            {
                frame.innerMalformation = Malformation.TRUNCATED_L4;
                return;
            }
            sourcePort = buffer.getShort(l4, BIG) & 0xFFFF;
            destinationPort = buffer.getShort(l4 + 2, BIG) & 0xFFFF;
        }
        frame.innerFlow.setV4(
            protocol,
            buffer.getInt(l3 + Ipv4View.SOURCE_OFFSET, BIG), sourcePort,
            buffer.getInt(l3 + Ipv4View.DESTINATION_OFFSET, BIG), destinationPort);
    }

    // --------------------------------------------------------------------------------------------------- IPv6

    private FrameKind classifyIpv6(
        final DirectBuffer buffer, final int l3, final int available, final ClassifiedFrame frame)
    {
        if (available < Ipv6View.HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L3);
        }
        if ((buffer.getByte(l3) & 0xF0) != 0x60)
        {
            return frame.reject(Malformation.BAD_VERSION);
        }
        final int payloadLength = buffer.getShort(l3 + Ipv6View.PAYLOAD_LENGTH_OFFSET, BIG) & 0xFFFF;
        final int l3Length = Ipv6View.HEADER_LENGTH + payloadLength;
        if (l3Length > available)
        {
            return frame.reject(Malformation.BAD_PAYLOAD_LENGTH);
        }
        final Ipv6View ipv6 = this.ipv6.wrap(buffer, l3, l3Length);
        final Malformation walk = ipv6.walkExtensionHeaders(maxExtensionHeaders);
        if (walk != Malformation.NONE)
        {
            return frame.reject(walk);
        }

        final int protocol = ipv6.upperLayerProtocol();
        frame.l3Length = l3Length;
        frame.tos = ipv6.trafficClass();
        frame.ttl = ipv6.hopLimit();
        frame.extensionHeaderCount = ipv6.extensionHeaderCount();
        frame.flow.setV6(
            protocol, ipv6.sourceHi(), ipv6.sourceLo(), 0, ipv6.destinationHi(), ipv6.destinationLo(), 0);

        final int l4 = ipv6.upperLayerOffset();
        final int l4Length = l3 + l3Length - l4;
        frame.l4Offset = l4;
        frame.l4Length = l4Length;
        frame.payloadOffset = l4;
        frame.payloadLength = l4Length;
        if (ipv6.isFragment())
        {
            frame.ipIdentification = ipv6.fragmentIdentification();
            frame.fragmentOffset = ipv6.fragmentOffsetBytes();
            frame.moreFragments = ipv6.moreFragments();
            return frame.accept(FrameKind.IPV6_FRAGMENT);
        }

        switch (protocol)
        {
            case IpProtocol.TCP:
                return classifyTcp(buffer, l4, l4Length, frame, FrameKind.IPV6_TCP);
            case IpProtocol.UDP:
                return classifyUdp(buffer, l4, l4Length, frame, FrameKind.IPV6_UDP);
            case IpProtocol.SCTP:
                return classifySctp(buffer, l4, l4Length, frame, FrameKind.IPV6_SCTP);
            case IpProtocol.ICMPV6:
                return classifyIcmpv6(buffer, l4, l4Length, frame);
            case PROTOCOL_VRRP:
                return classifyVrrp(l4, l4Length, frame, FrameKind.IPV6_VRRP);
            default:
                return frame.accept(FrameKind.IPV6_OTHER);
        }
    }

    private FrameKind classifyIcmpv6(
        final DirectBuffer buffer, final int l4, final int l4Length, final ClassifiedFrame frame)
    {
        if (l4Length < ICMP_HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L4);
        }
        final int type = buffer.getByte(l4) & 0xFF;
        frame.icmpType = type;
        frame.icmpCode = buffer.getByte(l4 + 1) & 0xFF;
        frame.payloadOffset = l4 + ICMP_HEADER_LENGTH;
        frame.payloadLength = l4Length - ICMP_HEADER_LENGTH;
        if (Icmpv6View.isErrorType(type))
        {
            frame.icmpError = true;
            innerIpv6(buffer, frame.payloadOffset, frame.payloadLength, frame);
        }
        return frame.accept(FrameKind.IPV6_ICMP);
    }

    /** Parses the IPv6 packet quoted in an ICMPv6 error down to its ports. */
    private void innerIpv6(
        final DirectBuffer buffer, final int l3, final int available, final ClassifiedFrame frame)
    {
        frame.innerL3Offset = l3;
        frame.innerL3Length = available;
        if (available < Ipv6View.HEADER_LENGTH)
        {
            frame.innerMalformation = Malformation.TRUNCATED_L3;
            return;
        }
        if ((buffer.getByte(l3) & 0xF0) != 0x60)
        {
            frame.innerMalformation = Malformation.BAD_VERSION;
            return;
        }
        // the quote is usually cut short: walk what is there
        final Ipv6View ipv6 = this.ipv6.wrap(buffer, l3, available);
        final Malformation walk = ipv6.walkExtensionHeaders(maxExtensionHeaders);
        if (walk != Malformation.NONE)
        {
            frame.innerMalformation = walk;
            return;
        }
        final int protocol = ipv6.upperLayerProtocol();
        final int l4 = ipv6.upperLayerOffset();
        frame.innerL4Offset = l4;
        frame.innerFragment = ipv6.isFragment();
        final boolean firstFragment = !ipv6.isFragment() || ipv6.fragmentOffsetBytes() == 0;
        int sourcePort = 0;
        int destinationPort = 0;
        if (firstFragment && hasPorts(protocol))
        {
            if (l3 + available - l4 < PORTS_LENGTH)
            {
                frame.innerMalformation = Malformation.TRUNCATED_L4;
                return;
            }
            sourcePort = buffer.getShort(l4, BIG) & 0xFFFF;
            destinationPort = buffer.getShort(l4 + 2, BIG) & 0xFFFF;
        }
        frame.innerFlow.setV6(
            protocol,
            ipv6.sourceHi(), ipv6.sourceLo(), sourcePort,
            ipv6.destinationHi(), ipv6.destinationLo(), destinationPort);
    }

    // ------------------------------------------------------------------------------------------------ transport

    private static FrameKind classifyTcp(
        final DirectBuffer buffer, final int l4, final int l4Length, final ClassifiedFrame frame,
        final FrameKind kind)
    {
        if (l4Length < TcpView.MIN_HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L4);
        }
        final int headerLength = ((buffer.getByte(l4 + TcpView.DATA_OFFSET_OFFSET) >>> 4) & 0xF) << 2;
        if (headerLength < TcpView.MIN_HEADER_LENGTH || headerLength > l4Length)
        {
            return frame.reject(Malformation.BAD_TCP_DATA_OFFSET);
        }
        frame.tcpFlags = buffer.getByte(l4 + TcpView.FLAGS_OFFSET) & 0xFF;
        frame.payloadOffset = l4 + headerLength;
        frame.payloadLength = l4Length - headerLength;
        setPorts(buffer, l4, frame);
        return frame.accept(kind);
    }

    private static FrameKind classifyUdp(
        final DirectBuffer buffer, final int l4, final int l4Length, final ClassifiedFrame frame,
        final FrameKind kind)
    {
        if (l4Length < UdpView.HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L4);
        }
        final int udpLength = buffer.getShort(l4 + UdpView.LENGTH_OFFSET, BIG) & 0xFFFF;
        if (udpLength < UdpView.HEADER_LENGTH || udpLength > l4Length)
        {
            return frame.reject(Malformation.BAD_UDP_LENGTH);
        }
        // bytes between the UDP length and the end of the IP payload are not the datagram's
        frame.l4Length = udpLength;
        frame.payloadOffset = l4 + UdpView.HEADER_LENGTH;
        frame.payloadLength = udpLength - UdpView.HEADER_LENGTH;
        setPorts(buffer, l4, frame);
        return frame.accept(kind);
    }

    private static FrameKind classifySctp(
        final DirectBuffer buffer, final int l4, final int l4Length, final ClassifiedFrame frame,
        final FrameKind kind)
    {
        if (l4Length < SctpView.HEADER_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L4);
        }
        frame.payloadOffset = l4 + SctpView.HEADER_LENGTH;
        frame.payloadLength = l4Length - SctpView.HEADER_LENGTH;
        setPorts(buffer, l4, frame);
        return frame.accept(kind);
    }

    private static FrameKind classifyVrrp(
        final int l4, final int l4Length, final ClassifiedFrame frame, final FrameKind kind)
    {
        if (l4Length < VRRP_MIN_LENGTH)
        {
            return frame.reject(Malformation.TRUNCATED_L4);
        }
        frame.payloadOffset = l4;
        frame.payloadLength = l4Length;
        return frame.accept(kind);
    }

    private static void setPorts(final DirectBuffer buffer, final int l4, final ClassifiedFrame frame)
    {
        frame.flow
            .srcPort(buffer.getShort(l4, BIG) & 0xFFFF)
            .dstPort(buffer.getShort(l4 + 2, BIG) & 0xFFFF);
    }

    private static boolean hasPorts(final int protocol)
    {
        return protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == IpProtocol.SCTP;
    }
}
