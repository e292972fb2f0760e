package io.lvs4j.core.packet;

import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.SplittableRandom;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.flow.FlowKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.Dot1qVlanTagPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.FragmentedPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IcmpV4EchoPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6EchoRequestPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV6ExtFragmentPacket;
import org.pcap4j.packet.IpV6ExtUnknownPacket;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.SctpPacket;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.factory.PacketFactories;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.util.MacAddress;

/**
 * Our views, classifier and checksums against pcap4j's parser, on random frames that pcap4j's builders made with
 * lengths and checksums corrected: every field must agree, and every checksum we compute must equal the one pcap4j
 * computed.
 */
class Pcap4jAgreementTest
{
    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();
    private final EthernetView ethernet = new EthernetView();
    private final ArpView arp = new ArpView();
    private final Ipv4View ipv4 = new Ipv4View();
    private final Ipv6View ipv6 = new Ipv6View();
    private final TcpView tcp = new TcpView();
    private final UdpView udp = new UdpView();
    private final SctpView sctp = new SctpView();
    private final Icmpv4View icmpv4 = new Icmpv4View();
    private final Icmpv6View icmpv6 = new Icmpv6View();

    @Test
    void viewsAndChecksumsAgreeWithPcap4j()
    {
        PropertyCheck.forAll("viewsAndChecksumsAgreeWithPcap4j", 1000, random ->
        {
            final long seed = random.nextLong();
            final RandomFrames.Frame generated = RandomFrames.any(new SplittableRandom(seed));
            final byte[] bytes = generated.bytes;
            // at an odd offset in a larger buffer, as frames lie in a ring
            final byte[] backing = new byte[bytes.length + 11];
            System.arraycopy(bytes, 0, backing, 7, bytes.length);
            final UnsafeBuffer buffer = new UnsafeBuffer(backing);
            final int base = 7;
            final EthernetPacket parsed = EthernetPacket.newPacket(bytes, 0, bytes.length);

            final FrameKind kind = classifier.classify(buffer, base, bytes.length, frame);
            assertEquals(expectedKind(generated), kind, generated::toString);
            assertEquals(Malformation.NONE, frame.malformation());

            ethernet.wrap(buffer, base, bytes.length);
            assertEquals(mac(parsed.getHeader().getDstAddr()), ethernet.destinationMac());
            assertEquals(mac(parsed.getHeader().getSrcAddr()), ethernet.sourceMac());
            assertEquals(generated.vlanTags, ethernet.vlanTagCount());
            assertEquals(generated.vlanTags, frame.vlanCount());
            Packet payload = parsed.getPayload();
            for (int i = 0; payload instanceof Dot1qVlanTagPacket; i++)
            {
                final Dot1qVlanTagPacket.Dot1qVlanTagHeader tag = ((Dot1qVlanTagPacket)payload).getHeader();
                final int tci = tag.getPriority() << 13 | (tag.getCfi() ? 1 << 12 : 0) | tag.getVidAsInt();
                assertEquals(tci, frame.vlanTci(i));
                assertEquals(tci, ethernet.vlanTci(i));
                assertEquals(tag.getVidAsInt(), frame.vlanId(i));
                assertEquals(EthernetView.ETHERTYPE_VLAN, frame.vlanTpid(i));
                payload = payload.getPayload();
            }
            assertEquals(base + ethernet.headerLength(), frame.l3Offset());
            assertEquals(ethernet.etherType(), frame.etherType());

            if (generated.transport == RandomFrames.Transport.ARP)
            {
                checkArp((ArpPacket)payload, buffer);
                return;
            }
            final IpPacket ip = (IpPacket)payload;
            final FlowKey flow = frame.flow();
            assertEquals(addressText(ip.getHeader().getSrcAddr()), address(flow.family(), flow.srcHi(), flow.srcLo()));
            assertEquals(addressText(ip.getHeader().getDstAddr()), address(flow.family(), flow.dstHi(), flow.dstLo()));
            final int l3 = frame.l3Offset();
            if (generated.ipVersion == 4)
            {
                checkIpv4((IpV4Packet)ip, buffer, l3);
            }
            else
            {
                checkIpv6((IpV6Packet)ip, buffer, l3, generated);
            }

            final int l4 = frame.l4Offset();
            final Packet transport = transport(parsed);
            switch (generated.transport)
            {
                case TCP:
                    checkTcp(transport.get(TcpPacket.class), buffer, l3, l4, generated.ipVersion);
                    break;
                case UDP:
                    checkUdp(transport.get(UdpPacket.class), buffer, l3, l4, generated.ipVersion);
                    break;
                case SCTP:
                    checkSctp(transport.get(SctpPacket.class), buffer, l4);
                    break;
                case ICMP_ECHO:
                case ICMP_ERROR:
                    checkIcmp(transport, generated, buffer, l3, l4);
                    break;
                case IPIP:
                    if (generated.ipVersion == 4)
                    {
                        checkIpIp(generated, buffer, l3);
                        break;
                    }
                    assertEquals(4, flow.protocol());
                    assertEquals(ipPayloadLength(ip, transport), frame.payloadLength());
                    break;
                default:
                    assertEquals(47, flow.protocol());
                    assertEquals(ipPayloadLength(ip, transport), frame.payloadLength());
                    break;
            }
        });
    }

    private void checkArp(final ArpPacket packet, final UnsafeBuffer buffer)
    {
        final ArpPacket.ArpHeader h = packet.getHeader();
        assertEquals(ArpView.LENGTH, frame.l3Length());
        arp.wrap(buffer, frame.l3Offset(), frame.l3Length());
        assertTrue(arp.isEthernetIpv4());
        assertEquals(h.getHardwareType().value() & 0xFFFF, arp.hardwareType());
        assertEquals(h.getProtocolType().value() & 0xFFFF, arp.protocolType());
        assertEquals(h.getHardwareAddrLengthAsInt(), arp.hardwareLength());
        assertEquals(h.getProtocolAddrLengthAsInt(), arp.protocolLength());
        assertEquals(h.getOperation().value() & 0xFFFF, arp.operation());
        assertEquals(mac(h.getSrcHardwareAddr()), arp.senderHardwareAddress());
        assertEquals(address(h.getSrcProtocolAddr()), arp.senderProtocolAddress());
        assertEquals(mac(h.getDstHardwareAddr()), arp.targetHardwareAddress());
        assertEquals(address(h.getDstProtocolAddr()), arp.targetProtocolAddress());
    }

    private void checkIpIp(final RandomFrames.Frame generated, final UnsafeBuffer buffer, final int l3)
    {
        final IpV4Packet.IpV4Header inner = ((IpV4Packet)generated.quoted).getHeader();
        final IpIpView ipip = new IpIpView().wrap(buffer, l3, frame.l3Length());
        assertTrue(ipip.isIpIp());
        assertEquals(4, ipip.outer().protocol());
        assertEquals(address(inner.getSrcAddr()), ipip.inner().sourceAddress());
        assertEquals(address(inner.getDstAddr()), ipip.inner().destinationAddress());
        assertEquals(inner.getTotalLengthAsInt(), ipip.inner().totalLength());
        assertEquals(inner.getHeaderChecksum() & 0xFFFF, ipip.inner().computeChecksum());
        assertEquals(ipip.inner().offset(), frame.innerL3Offset());
        assertTrue(frame.hasInnerFlow(), frame.innerMalformation()::toString);
        assertEquals(inner.getProtocol().value() & 0xFF, frame.innerFlow().protocol());
        assertEquals(address(inner.getSrcAddr()), frame.innerFlow().srcV4());
        assertEquals(address(inner.getDstAddr()), frame.innerFlow().dstV4());
        final TcpPacket tcpInner = generated.quoted.get(TcpPacket.class);
        final UdpPacket udpInner = generated.quoted.get(UdpPacket.class);
        assertEquals(tcpInner != null ? tcpInner.getHeader().getSrcPort().valueAsInt() :
            udpInner.getHeader().getSrcPort().valueAsInt(), frame.innerFlow().srcPort());
        assertEquals(tcpInner != null ? tcpInner.getHeader().getDstPort().valueAsInt() :
            udpInner.getHeader().getDstPort().valueAsInt(), frame.innerFlow().dstPort());
    }

    private void checkIpv4(final IpV4Packet packet, final UnsafeBuffer buffer, final int l3)
    {
        final IpV4Packet.IpV4Header h = packet.getHeader();
        ipv4.wrap(buffer, l3, frame.l3Length());
        assertEquals(4, ipv4.version());
        assertEquals(h.getIhlAsInt(), ipv4.ihl());
        assertEquals(h.getTos().value() & 0xFF, ipv4.tos());
        assertEquals(ipv4.tos(), frame.tos());
        assertEquals(h.getTotalLengthAsInt(), ipv4.totalLength());
        assertEquals(h.getTotalLengthAsInt(), frame.l3Length());
        assertEquals(h.getIdentificationAsInt(), ipv4.identification());
        assertEquals(h.getIdentificationAsInt(), frame.ipIdentification());
        assertEquals(h.getDontFragmentFlag(), ipv4.dontFragment());
        assertEquals(h.getDontFragmentFlag(), frame.dontFragment());
        assertEquals(h.getMoreFragmentFlag(), ipv4.moreFragments());
        assertEquals(h.getFragmentOffset(), ipv4.fragmentOffset());
        assertFalse(ipv4.isFragment());
        assertEquals(h.getTtlAsInt(), ipv4.ttl());
        assertEquals(h.getTtlAsInt(), frame.ttl());
        assertEquals(h.getProtocol().value() & 0xFF, ipv4.protocol());
        assertEquals(ipv4.protocol(), frame.flow().protocol());
        assertEquals(h.getHeaderChecksum() & 0xFFFF, ipv4.checksum());
        assertEquals(ipv4.checksum(), ipv4.computeChecksum(), "our IPv4 header checksum vs pcap4j's");
        assertTrue(ipv4.isChecksumValid());
        assertEquals(address(h.getSrcAddr()), ipv4.sourceAddress());
        assertEquals(address(h.getDstAddr()), ipv4.destinationAddress());
        assertEquals(l3 + h.length(), frame.l4Offset());
    }

    private void checkIpv6(
        final IpV6Packet packet, final UnsafeBuffer buffer, final int l3, final RandomFrames.Frame generated)
    {
        final IpV6Packet.IpV6Header h = packet.getHeader();
        ipv6.wrap(buffer, l3, frame.l3Length());
        assertEquals(6, ipv6.version());
        assertEquals(h.getTrafficClass().value() & 0xFF, ipv6.trafficClass());
        assertEquals(ipv6.trafficClass(), frame.tos());
        assertEquals(h.getFlowLabel().value(), ipv6.flowLabel());
        assertEquals(h.getPayloadLengthAsInt(), ipv6.payloadLength());
        assertEquals(40 + h.getPayloadLengthAsInt(), frame.l3Length());
        assertEquals(h.getNextHeader().value() & 0xFF, ipv6.nextHeader());
        assertEquals(h.getHopLimitAsInt(), ipv6.hopLimit());
        assertEquals(h.getHopLimitAsInt(), frame.ttl());
        assertEquals(Malformation.NONE, ipv6.walkExtensionHeaders(8));
        assertEquals(generated.extensionHeaders, ipv6.extensionHeaderCount());
        assertEquals(generated.extensionHeaders, frame.extensionHeaderCount());
        assertEquals(ipv6.upperLayerOffset(), frame.l4Offset());
        assertEquals(ipv6.upperLayerProtocol(), frame.flow().protocol());
        assertFalse(ipv6.isFragment());
        final byte[] src = h.getSrcAddr().getAddress();
        final byte[] dst = h.getDstAddr().getAddress();
        assertEquals(ByteBuffer.wrap(src).getLong(0), ipv6.sourceHi());
        assertEquals(ByteBuffer.wrap(src).getLong(8), ipv6.sourceLo());
        assertEquals(ByteBuffer.wrap(dst).getLong(0), ipv6.destinationHi());
        assertEquals(ByteBuffer.wrap(dst).getLong(8), ipv6.destinationLo());
    }

    private void checkTcp(
        final TcpPacket packet, final UnsafeBuffer buffer, final int l3, final int l4, final int ipVersion)
    {
        final TcpPacket.TcpHeader h = packet.getHeader();
        tcp.wrap(buffer, l4, frame.l4Length());
        assertEquals(h.getSrcPort().valueAsInt(), tcp.sourcePort());
        assertEquals(h.getDstPort().valueAsInt(), tcp.destinationPort());
        assertEquals(tcp.sourcePort(), frame.flow().srcPort());
        assertEquals(tcp.destinationPort(), frame.flow().dstPort());
        assertEquals(h.getSequenceNumber(), tcp.sequenceNumber());
        assertEquals(h.getAcknowledgmentNumber(), tcp.acknowledgementNumber());
        assertEquals(h.getDataOffsetAsInt(), tcp.dataOffset());
        final int flags = (h.getUrg() ? TcpView.URG : 0) | (h.getAck() ? TcpView.ACK : 0) |
            (h.getPsh() ? TcpView.PSH : 0) | (h.getRst() ? TcpView.RST : 0) | (h.getSyn() ? TcpView.SYN : 0) |
            (h.getFin() ? TcpView.FIN : 0);
        assertEquals(flags, tcp.flags());
        assertEquals(flags, frame.tcpFlags());
        assertTrue(tcp.hasFlags(flags));
        assertEquals(h.getWindowAsInt(), tcp.window());
        assertEquals(h.getUrgentPointerAsInt(), tcp.urgentPointer());
        assertEquals(h.getChecksum() & 0xFFFF, tcp.checksum());
        final int ours = ipVersion == 4 ? tcp.computeChecksumV4(l3) : tcp.computeChecksumV6(l3);
        assertEquals(tcp.checksum(), ours, "our TCP checksum vs pcap4j's");
        assertEquals(l4 + h.length(), frame.payloadOffset());
        assertEquals(packet.getPayload() == null ? 0 : packet.getPayload().length(), frame.payloadLength());
    }

    private void checkUdp(
        final UdpPacket packet, final UnsafeBuffer buffer, final int l3, final int l4, final int ipVersion)
    {
        final UdpPacket.UdpHeader h = packet.getHeader();
        udp.wrap(buffer, l4, frame.l4Length());
        assertEquals(h.getSrcPort().valueAsInt(), udp.sourcePort());
        assertEquals(h.getDstPort().valueAsInt(), udp.destinationPort());
        assertEquals(udp.sourcePort(), frame.flow().srcPort());
        assertEquals(udp.destinationPort(), frame.flow().dstPort());
        assertEquals(h.getLengthAsInt(), udp.udpLength());
        assertEquals(h.getLengthAsInt(), frame.l4Length());
        assertEquals(h.getChecksum() & 0xFFFF, udp.checksum());
        final int ours = ipVersion == 4 ? udp.computeChecksumV4(l3) : udp.computeChecksumV6(l3);
        // pcap4j stores a computed 0 as is; we emit 0xFFFF, its one's-complement equal
        assertEquals(Checksums.udpNonZero(udp.checksum()), ours, "our UDP checksum vs pcap4j's");
        assertEquals(packet.getPayload() == null ? 0 : packet.getPayload().length(), frame.payloadLength());
    }

    private void checkSctp(final SctpPacket packet, final UnsafeBuffer buffer, final int l4)
    {
        final SctpPacket.SctpHeader h = packet.getHeader();
        sctp.wrap(buffer, l4, frame.l4Length());
        assertEquals(h.getSrcPort().valueAsInt(), sctp.sourcePort());
        assertEquals(h.getDstPort().valueAsInt(), sctp.destinationPort());
        assertEquals(sctp.sourcePort(), frame.flow().srcPort());
        assertEquals(sctp.destinationPort(), frame.flow().dstPort());
        assertEquals(h.getVerificationTag(), sctp.verificationTag());
        // pcap4j writes the CRC least significant byte first and reads the field big-endian
        assertEquals(Integer.reverseBytes(h.getChecksum()), sctp.checksum());
        assertEquals(sctp.checksum(), sctp.computeChecksum(), "our CRC-32C vs pcap4j's");
    }

    private void checkIcmp(
        final Packet parsed, final RandomFrames.Frame generated, final UnsafeBuffer buffer, final int l3,
        final int l4)
    {
        final int type;
        final int code;
        final int checksum;
        if (generated.ipVersion == 4)
        {
            final IcmpV4CommonPacket.IcmpV4CommonHeader h = parsed.get(IcmpV4CommonPacket.class).getHeader();
            icmpv4.wrap(buffer, l4, frame.l4Length());
            type = h.getType().value() & 0xFF;
            code = h.getCode().value() & 0xFF;
            checksum = h.getChecksum() & 0xFFFF;
            assertEquals(type, icmpv4.type());
            assertEquals(code, icmpv4.code());
            assertEquals(checksum, icmpv4.checksum());
            assertEquals(checksum, icmpv4.computeChecksum(), "our ICMP checksum vs pcap4j's");
            assertEquals(generated.transport == RandomFrames.Transport.ICMP_ERROR, icmpv4.isError());
            if (generated.transport == RandomFrames.Transport.ICMP_ECHO)
            {
                final IcmpV4EchoPacket.IcmpV4EchoHeader echo = parsed.get(IcmpV4EchoPacket.class).getHeader();
                assertEquals(echo.getIdentifierAsInt(), icmpv4.identifier());
                assertEquals(echo.getSequenceNumberAsInt(), icmpv4.sequenceNumber());
            }
        }
        else
        {
            final IcmpV6CommonPacket.IcmpV6CommonHeader h = parsed.get(IcmpV6CommonPacket.class).getHeader();
            icmpv6.wrap(buffer, l4, frame.l4Length());
            type = h.getType().value() & 0xFF;
            code = h.getCode().value() & 0xFF;
            checksum = h.getChecksum() & 0xFFFF;
            assertEquals(type, icmpv6.type());
            assertEquals(code, icmpv6.code());
            assertEquals(checksum, icmpv6.checksum());
            assertEquals(checksum, icmpv6.computeChecksum(l3), "our ICMPv6 checksum vs pcap4j's");
            assertEquals(generated.transport == RandomFrames.Transport.ICMP_ERROR, icmpv6.isError());
            if (generated.transport == RandomFrames.Transport.ICMP_ECHO)
            {
                final IcmpV6EchoRequestPacket.IcmpV6EchoRequestHeader echo =
                    parsed.get(IcmpV6EchoRequestPacket.class).getHeader();
                assertEquals(echo.getIdentifierAsInt(), icmpv6.identifier());
                assertEquals(echo.getSequenceNumberAsInt(), icmpv6.sequenceNumber());
            }
        }
        assertEquals(type, frame.icmpType());
        assertEquals(code, frame.icmpCode());
        assertEquals(0, frame.flow().srcPort());
        if (generated.transport == RandomFrames.Transport.ICMP_ERROR)
        {
            assertTrue(frame.isIcmpError());
            assertTrue(frame.hasInnerFlow(), frame.innerMalformation()::toString);
            assertEquals(l4 + 8, frame.innerL3Offset());
            assertEquals(generated.quoteLength, frame.innerL3Length());
            final IpPacket quoted = generated.quoted;
            final FlowKey inner = frame.innerFlow();
            assertEquals(addressText(quoted.getHeader().getSrcAddr()), address(inner.family(), inner.srcHi(), inner.srcLo()));
            assertEquals(addressText(quoted.getHeader().getDstAddr()), address(inner.family(), inner.dstHi(), inner.dstLo()));
            assertEquals(quoted.getHeader().getProtocol().value() & 0xFF, inner.protocol());
            final TcpPacket quotedTcp = quoted.get(TcpPacket.class);
            final UdpPacket quotedUdp = quoted.get(UdpPacket.class);
            assertNotNull(quotedTcp != null ? quotedTcp : quotedUdp);
            final int srcPort = quotedTcp != null ?
                quotedTcp.getHeader().getSrcPort().valueAsInt() : quotedUdp.getHeader().getSrcPort().valueAsInt();
            final int dstPort = quotedTcp != null ?
                quotedTcp.getHeader().getDstPort().valueAsInt() : quotedUdp.getHeader().getDstPort().valueAsInt();
            assertEquals(srcPort, inner.srcPort());
            assertEquals(dstPort, inner.dstPort());
            // the quoted flow is the reverse of the one the error is about
            assertEquals(frame.flow().dstLo(), inner.srcLo());
        }
        else
        {
            assertFalse(frame.isIcmpError());
            assertFalse(frame.hasInnerFlow());
        }
    }

    /**
     * The packet to look for transport headers in. pcap4j takes an atomic IPv6 fragment header (offset 0, M 0) for
     * a fragment and stops parsing there; RFC 6946 says to process such packets as whole, as we do, so parse what
     * follows it ourselves with pcap4j's transport parsers.
     */
    private static Packet transport(final Packet parsed)
    {
        final FragmentedPacket fragment = parsed.get(FragmentedPacket.class);
        if (fragment == null)
        {
            return parsed;
        }
        final IpNumber next = parsed.get(IpV6ExtFragmentPacket.class).getHeader().getNextHeader();
        final byte[] raw = fragment.getRawData();
        return PacketFactories.getFactory(Packet.class, IpNumber.class).newInstance(raw, 0, raw.length, next);
    }

    /**
     * The bytes after the IP header and its extension headers, by pcap4j's headers (pcap4j counts Ethernet padding
     * behind a VLAN tag as data, so the data packet's own length will not do).
     */
    private static int ipPayloadLength(final IpPacket ip, final Packet transport)
    {
        if (ip instanceof IpV4Packet)
        {
            final IpV4Packet.IpV4Header h = ((IpV4Packet)ip).getHeader();
            return h.getTotalLengthAsInt() - h.length();
        }
        int length = ((IpV6Packet)ip).getHeader().getPayloadLengthAsInt();
        for (Packet p = ip.getPayload(); isExtensionHeader(p);
            p = p.getPayload())
        {
            length -= p.getHeader().length();
        }
        // past an atomic fragment header, pcap4j's chain continues in the re-parsed transport packet
        for (Packet p = transport; isExtensionHeader(p);
            p = p.getPayload())
        {
            length -= p.getHeader().length();
        }
        return length;
    }

    /** pcap4j takes any next header it does not know (GRE here) for an extension header: we do not. */
    private static boolean isExtensionHeader(final Packet p)
    {
        return p != null && p.getClass().getSimpleName().startsWith("IpV6Ext") &&
            !(p instanceof IpV6ExtUnknownPacket);
    }

    static FrameKind expectedKind(final RandomFrames.Frame generated)
    {
        final boolean v4 = generated.ipVersion == 4;
        switch (generated.transport)
        {
            case TCP: return v4 ? FrameKind.IPV4_TCP : FrameKind.IPV6_TCP;
            case UDP: return v4 ? FrameKind.IPV4_UDP : FrameKind.IPV6_UDP;
            case SCTP: return v4 ? FrameKind.IPV4_SCTP : FrameKind.IPV6_SCTP;
            case ICMP_ECHO:
            case ICMP_ERROR: return v4 ? FrameKind.IPV4_ICMP : FrameKind.IPV6_ICMP;
            case ARP: return FrameKind.ARP;
            case IPIP: return v4 ? FrameKind.IPV4_IPIP : FrameKind.IPV6_OTHER;
            default: return v4 ? FrameKind.IPV4_OTHER : FrameKind.IPV6_OTHER;
        }
    }

    static long mac(final MacAddress mac)
    {
        long value = 0;
        for (final byte b : mac.getAddress())
        {
            value = value << 8 | (b & 0xFF);
        }
        return value;
    }

    static int address(final InetAddress address)
    {
        return ByteBuffer.wrap(address.getAddress()).getInt();
    }

    static String address(final int family, final long hi, final long lo)
    {
        return FlowKey.appendAddress(new StringBuilder(), family, hi, lo).toString();
    }

    static String addressText(final InetAddress address)
    {
        final ByteBuffer b = ByteBuffer.wrap(address.getAddress());
        return address.getAddress().length == 4 ?
            address(FlowKey.AF_INET, 0, b.getInt(0) & 0xFFFF_FFFFL) :
            address(FlowKey.AF_INET6, b.getLong(0), b.getLong(8));
    }
}
