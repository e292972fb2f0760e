package io.lvs4j.core.packet;

import static io.lvs4j.core.packet.TestPackets.CLIENT;
import static io.lvs4j.core.packet.TestPackets.CLIENT6_LO;
import static io.lvs4j.core.packet.TestPackets.REAL_SERVER;
import static io.lvs4j.core.packet.TestPackets.V6_PREFIX;
import static io.lvs4j.core.packet.TestPackets.VIP;
import static io.lvs4j.core.packet.TestPackets.VIP6_LO;
import static io.lvs4j.core.packet.TestPackets.arp;
import static io.lvs4j.core.packet.TestPackets.concat;
import static io.lvs4j.core.packet.TestPackets.ethernet;
import static io.lvs4j.core.packet.TestPackets.extension;
import static io.lvs4j.core.packet.TestPackets.fragment;
import static io.lvs4j.core.packet.TestPackets.icmp;
import static io.lvs4j.core.packet.TestPackets.ipv4;
import static io.lvs4j.core.packet.TestPackets.ipv6;
import static io.lvs4j.core.packet.TestPackets.pad;
import static io.lvs4j.core.packet.TestPackets.tcp;
import static io.lvs4j.core.packet.TestPackets.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * The classifier on hand-made frames: every kind, and every malformation with a frame that breaks exactly the
 * check that reports it.
 */
class PacketClassifierTest
{
    private static final int ETH_IPV4 = EthernetView.ETHERTYPE_IPV4;
    private static final int ETH_IPV6 = EthernetView.ETHERTYPE_IPV6;
    private static final int ETH_ARP = EthernetView.ETHERTYPE_ARP;
    private static final int QINQ = EthernetView.ETHERTYPE_QINQ;
    private static final int VLAN = EthernetView.ETHERTYPE_VLAN;

    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();

    private FrameKind classify(final byte[] bytes)
    {
        return classify(classifier, bytes);
    }

    private FrameKind classify(final PacketClassifier c, final byte[] bytes)
    {
        final FrameKind kind = c.classify(new UnsafeBuffer(bytes), 0, bytes.length, frame);
        assertEquals(kind, frame.kind());
        ClassifierRobustnessTest.assertWithinFrame(frame, 0, bytes.length);
        return kind;
    }

    private void assertMalformed(final Malformation expected, final byte[] bytes)
    {
        assertEquals(FrameKind.MALFORMED, classify(bytes));
        assertEquals(expected, frame.malformation());
    }

    // ------------------------------------------------------------------------------------------------- kinds

    @Test
    void ipv4TcpSynPaddedToMinimumFrame()
    {
        final byte[] bytes = pad(ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, tcp(40000, 80, TcpView.SYN, 0))), 60);
        assertEquals(60, bytes.length);
        assertEquals(FrameKind.IPV4_TCP, classify(bytes));
        assertEquals(Malformation.NONE, frame.malformation());
        assertEquals(0, frame.vlanCount());
        assertEquals(ETH_IPV4, frame.etherType());
        assertEquals(14, frame.l3Offset());
        assertEquals(40, frame.l3Length());
        assertEquals(20, frame.l3HeaderLength());
        assertEquals(34, frame.l4Offset());
        assertEquals(20, frame.l4Length());
        assertEquals(54, frame.payloadOffset());
        assertEquals(0, frame.payloadLength(), "Ethernet padding is not payload");
        assertEquals(TcpView.SYN, frame.tcpFlags());
        assertEquals(64, frame.ttl());
        assertEquals(0x10, frame.tos());
        assertEquals(0x1234, frame.ipIdentification());
        assertTrue(frame.dontFragment());
        assertFalse(frame.moreFragments());
        final FlowKey flow = frame.flow();
        assertEquals(FlowKey.AF_INET, flow.family());
        assertEquals(IpProtocol.TCP, flow.protocol());
        assertEquals(CLIENT, flow.srcV4());
        assertEquals(VIP, flow.dstV4());
        assertEquals(40000, flow.srcPort());
        assertEquals(80, flow.dstPort());
        assertFalse(frame.hasInnerFlow());
        assertEquals(-1, frame.icmpType());
    }

    @Test
    void ipv4OptionsMoveTheTransportHeader()
    {
        final byte[] options = {1, 1, 1, 0}; // NOP NOP NOP EOL
        final byte[] bytes = ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, options, tcp(1, 2, TcpView.ACK, 10)));
        assertEquals(FrameKind.IPV4_TCP, classify(bytes));
        assertEquals(24, frame.l3HeaderLength());
        assertEquals(14 + 24, frame.l4Offset());
        assertEquals(10, frame.payloadLength());
        assertEquals(1, frame.flow().srcPort());
    }

    @Test
    void udpLengthBoundsTheDatagramInsideALongerIpPayload()
    {
        final byte[] datagram = concat(udp(5353, 53, 5), new byte[3]);
        final byte[] bytes = ethernet(ETH_IPV4, ipv4(17, CLIENT, VIP, datagram));
        assertEquals(FrameKind.IPV4_UDP, classify(bytes));
        assertEquals(13, frame.l4Length());
        assertEquals(5, frame.payloadLength());
        assertEquals(53, frame.flow().dstPort());
    }

    @Test
    void vlanTagsSingleAndDouble()
    {
        final byte[] ip = ipv4(17, CLIENT, VIP, udp(1, 2, 0));
        assertEquals(FrameKind.IPV4_UDP, classify(ethernet(ETH_IPV4, ip, VLAN, 0x2064)));
        assertEquals(1, frame.vlanCount());
        assertEquals(VLAN, frame.vlanTpid(0));
        assertEquals(0x2064, frame.vlanTci(0));
        assertEquals(100, frame.vlanId(0));
        assertEquals(18, frame.l3Offset());

        assertEquals(FrameKind.IPV4_UDP, classify(ethernet(ETH_IPV4, ip, QINQ, 0x0010, VLAN, 0xE0C8)));
        assertEquals(2, frame.vlanCount());
        assertEquals(QINQ, frame.vlanTpid(0));
        assertEquals(16, frame.vlanId(0));
        assertEquals(VLAN, frame.vlanTpid(1));
        assertEquals(200, frame.vlanId(1));
        assertEquals(0xE0C8, frame.vlanTci(1));
        assertEquals(22, frame.l3Offset());
        assertEquals(22, frame.l2HeaderLength());
    }

    @Test
    void aThirdVlanTagIsNotOurs()
    {
        final byte[] ip = ipv4(17, CLIENT, VIP, udp(1, 2, 0));
        assertEquals(FrameKind.OTHER, classify(ethernet(ETH_IPV4, ip, QINQ, 1, VLAN, 2, VLAN, 3)));
        assertEquals(2, frame.vlanCount());
        assertEquals(VLAN, frame.etherType());
    }

    @Test
    void otherEthertypesAndLengthFramesAreOther()
    {
        assertEquals(FrameKind.OTHER, classify(ethernet(0x88CC, new byte[46])));
        assertEquals(0x88CC, frame.etherType());
        assertEquals(FrameKind.OTHER, classify(ethernet(46, new byte[46])));
        assertEquals(Malformation.NONE, frame.malformation());
    }

    @Test
    void arpForEthernetIpv4AndOtherwise()
    {
        final byte[] request = arp(ArpView.OPERATION_REQUEST, TestPackets.CLIENT_MAC, CLIENT, VIP);
        assertEquals(FrameKind.ARP, classify(pad(ethernet(ETH_ARP, request), 60)));
        assertEquals(28, frame.l3Length());
        assertEquals(FrameKind.ARP, classify(ethernet(ETH_ARP, request, VLAN, 5)));
        assertEquals(5, frame.vlanId(0));

        final byte[] otherHardware = request.clone();
        otherHardware[1] = 6; // IEEE 802 networks
        assertEquals(FrameKind.OTHER, classify(ethernet(ETH_ARP, otherHardware)));
        final byte[] otherLength = request.clone();
        otherLength[5] = 16;
        assertEquals(FrameKind.OTHER, classify(ethernet(ETH_ARP, otherLength)));
    }

    @Test
    void ipv4FragmentsExposeAddressesNotPorts()
    {
        final byte[] first = ipv4(17, CLIENT, VIP, udp(1000, 53, 100));
        final UnsafeBuffer b = new UnsafeBuffer(first);
        new Ipv4View().wrap(b, 0, first.length).flagsAndFragmentOffset(Ipv4View.FLAG_MF).updateChecksum();
        assertEquals(FrameKind.IPV4_FRAGMENT, classify(ethernet(ETH_IPV4, first)));
        assertTrue(frame.moreFragments());
        assertEquals(0, frame.fragmentOffset());
        assertEquals(CLIENT, frame.flow().srcV4());
        assertEquals(VIP, frame.flow().dstV4());
        assertEquals(IpProtocol.UDP, frame.flow().protocol());
        assertEquals(0, frame.flow().srcPort());
        assertEquals(0x1234, frame.ipIdentification());

        final byte[] later = ipv4(17, CLIENT, VIP, new byte[40]);
        new Ipv4View().wrap(new UnsafeBuffer(later), 0, later.length).flagsAndFragmentOffset(185).updateChecksum();
        assertEquals(FrameKind.IPV4_FRAGMENT, classify(ethernet(ETH_IPV4, later)));
        assertFalse(frame.moreFragments());
        assertEquals(1480, frame.fragmentOffset());
    }

    @Test
    void ipv6FragmentHeaderMakesAFragmentUnlessAtomic()
    {
        final byte[] fragmented = ipv6(44, CLIENT6_LO, VIP6_LO, concat(fragment(6, 0, true, 0xCAFE), tcp(1, 2, 0, 8)));
        assertEquals(FrameKind.IPV6_FRAGMENT, classify(ethernet(ETH_IPV6, fragmented)));
        assertEquals(0xCAFE, frame.ipIdentification());
        assertTrue(frame.moreFragments());
        assertEquals(IpProtocol.TCP, frame.flow().protocol());
        assertEquals(VIP6_LO, frame.flow().dstLo());
        assertEquals(V6_PREFIX, frame.flow().dstHi());
        assertEquals(0, frame.flow().dstPort());

        final byte[] later = ipv6(44, CLIENT6_LO, VIP6_LO, concat(fragment(6, 1448, false, 7), new byte[16]));
        assertEquals(FrameKind.IPV6_FRAGMENT, classify(ethernet(ETH_IPV6, later)));
        assertEquals(1448, frame.fragmentOffset());
        assertFalse(frame.moreFragments());

        // RFC 6946: an atomic fragment is processed as a whole packet
        final byte[] atomic = ipv6(44, CLIENT6_LO, VIP6_LO, concat(fragment(6, 0, false, 9), tcp(1, 2, 0, 8)));
        assertEquals(FrameKind.IPV6_TCP, classify(ethernet(ETH_IPV6, atomic)));
        assertEquals(2, frame.flow().dstPort());
        assertEquals(1, frame.extensionHeaderCount());
    }

    @Test
    void ipv6ExtensionHeaderWalkReachesTheTransport()
    {
        final byte[] ah = new byte[16]; // AH: length field 2 means (2 + 2) * 4 = 16 bytes
        ah[0] = 6;
        ah[1] = 2;
        final byte[] chain = concat(extension(43, 1), extension(60, 2), extension(51, 1), ah, tcp(4000, 443, 0x18, 3));
        final byte[] bytes = ethernet(ETH_IPV6, ipv6(0, CLIENT6_LO, VIP6_LO, chain));
        assertEquals(FrameKind.IPV6_TCP, classify(bytes));
        assertEquals(4, frame.extensionHeaderCount());
        assertEquals(14 + 40 + 8 + 16 + 8 + 16, frame.l4Offset());
        assertEquals(40 + 48, frame.l3HeaderLength());
        assertEquals(443, frame.flow().dstPort());
        assertEquals(0x18, frame.tcpFlags());
        assertEquals(3, frame.payloadLength());
        assertEquals(0x20, frame.tos());
        assertEquals(64, frame.ttl());
    }

    @Test
    void ipv6UdpSctpAndOthers()
    {
        assertEquals(FrameKind.IPV6_UDP, classify(ethernet(ETH_IPV6, ipv6(17, CLIENT6_LO, VIP6_LO, udp(9, 53, 1)))));
        assertEquals(1, frame.payloadLength());
        final byte[] sctp = new byte[12 + 16];
        sctp[1] = 7;
        sctp[3] = 9;
        assertEquals(FrameKind.IPV6_SCTP, classify(ethernet(ETH_IPV6, ipv6(132, CLIENT6_LO, VIP6_LO, sctp))));
        assertEquals(7, frame.flow().srcPort());
        assertEquals(9, frame.flow().dstPort());
        assertEquals(16, frame.payloadLength());
        assertEquals(FrameKind.IPV6_OTHER, classify(ethernet(ETH_IPV6, ipv6(59, CLIENT6_LO, VIP6_LO, new byte[0]))));
        assertEquals(59, frame.flow().protocol());
        assertEquals(FrameKind.IPV6_OTHER, classify(ethernet(ETH_IPV6, ipv6(50, CLIENT6_LO, VIP6_LO, new byte[24]))));
        assertEquals(FrameKind.IPV4_SCTP, classify(ethernet(ETH_IPV4, ipv4(132, CLIENT, VIP, sctp))));
        assertEquals(FrameKind.IPV4_OTHER, classify(ethernet(ETH_IPV4, ipv4(47, CLIENT, VIP, new byte[8]))));
        assertEquals(47, frame.flow().protocol());
        assertEquals(8, frame.payloadLength());
    }

    @Test
    void vrrpOverIpv4AndIpv6()
    {
        final byte[] advert = {0x31, 51, 100, 1, 0, 100, 0, 0, (byte)203, 0, 113, 1};
        assertEquals(FrameKind.IPV4_VRRP, classify(ethernet(ETH_IPV4, ipv4(112, CLIENT, 0xE000_0012, advert))));
        assertEquals(112, frame.flow().protocol());
        assertEquals(12, frame.payloadLength());
        assertEquals(FrameKind.IPV6_VRRP, classify(ethernet(ETH_IPV6, ipv6(112, CLIENT6_LO, VIP6_LO, advert))));
    }

    @Test
    void ipInIpExposesTheTunnelledFlow()
    {
        final byte[] inner = ipv4(6, CLIENT, VIP, tcp(33000, 80, TcpView.SYN, 0));
        final byte[] bytes = ethernet(ETH_IPV4, ipv4(4, 0xC000_02FE, REAL_SERVER, inner));
        assertEquals(FrameKind.IPV4_IPIP, classify(bytes));
        assertEquals(IpProtocol.IPIP, frame.flow().protocol());
        assertEquals(REAL_SERVER, frame.flow().dstV4());
        assertTrue(frame.hasInnerFlow());
        assertEquals(14 + 20, frame.innerL3Offset());
        assertEquals(14 + 40, frame.innerL4Offset());
        assertEquals(40, frame.innerL3Length());
        assertEquals(CLIENT, frame.innerFlow().srcV4());
        assertEquals(VIP, frame.innerFlow().dstV4());
        assertEquals(33000, frame.innerFlow().srcPort());
        assertEquals(80, frame.innerFlow().dstPort());

        // an inner packet that claims more than the tunnel carries is reported, the outer frame still classified
        final byte[] lying = inner.clone();
        lying[3] = 100;
        assertEquals(FrameKind.IPV4_IPIP, classify(ethernet(ETH_IPV4, ipv4(4, 0xC000_02FE, REAL_SERVER, lying))));
        assertFalse(frame.hasInnerFlow());
        assertEquals(Malformation.BAD_TOTAL_LENGTH, frame.innerMalformation());
        lying[3] = 10;
        assertEquals(FrameKind.IPV4_IPIP, classify(ethernet(ETH_IPV4, ipv4(4, 0xC000_02FE, REAL_SERVER, lying))));
        assertEquals(Malformation.TOTAL_LENGTH_TOO_SHORT, frame.innerMalformation());
    }

    @Test
    void icmpEchoIsNotAnError()
    {
        final byte[] bytes = ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(8, 0, 0x0042_0001, new byte[56])));
        assertEquals(FrameKind.IPV4_ICMP, classify(bytes));
        assertEquals(8, frame.icmpType());
        assertEquals(0, frame.icmpCode());
        assertFalse(frame.isIcmpError());
        assertFalse(frame.hasInnerFlow());
        assertEquals(56, frame.payloadLength());
        assertEquals(0, frame.flow().srcPort());
    }

    @Test
    void icmpErrorQuotesTheOffendingFlow()
    {
        // a router tells the director that the real server's reply could not reach the client
        final byte[] offending = ipv4(6, VIP, CLIENT, tcp(80, 33000, TcpView.SYN | TcpView.ACK, 0));
        final byte[] quote = Arrays.copyOf(offending, 28);
        final byte[] bytes = ethernet(ETH_IPV4, ipv4(1, 0xC633_64FE, VIP, icmp(3, 1, 0, quote)));
        assertEquals(FrameKind.IPV4_ICMP, classify(bytes));
        assertTrue(frame.isIcmpError());
        assertEquals(3, frame.icmpType());
        assertEquals(1, frame.icmpCode());
        assertTrue(frame.hasInnerFlow());
        assertEquals(14 + 28, frame.innerL3Offset());
        assertEquals(28, frame.innerL3Length());
        assertEquals(14 + 48, frame.innerL4Offset());
        final FlowKey inner = frame.innerFlow();
        assertEquals(VIP, inner.srcV4());
        assertEquals(CLIENT, inner.dstV4());
        assertEquals(80, inner.srcPort());
        assertEquals(33000, inner.dstPort());
        assertEquals(IpProtocol.TCP, inner.protocol());
    }

    @Test
    void icmpErrorQuoteProblemsAreReportedOnTheInnerFlow()
    {
        final byte[] offending = ipv4(17, VIP, CLIENT, udp(53, 5353, 20));
        // ports need 4 bytes of the transport header
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(3, 3, 0, Arrays.copyOf(offending, 24)))));
        assertTrue(frame.hasInnerFlow());
        assertEquals(5353, frame.innerFlow().dstPort());
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(3, 3, 0, Arrays.copyOf(offending, 23)))));
        assertEquals(Malformation.TRUNCATED_L4, frame.innerMalformation());
        assertFalse(frame.hasInnerFlow());
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(11, 0, 0, Arrays.copyOf(offending, 19)))));
        assertEquals(FrameKind.IPV4_ICMP, frame.kind());
        assertEquals(Malformation.TRUNCATED_L3, frame.innerMalformation());
        final byte[] v6 = offending.clone();
        v6[0] = 0x65;
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(3, 3, 0, v6))));
        assertEquals(Malformation.BAD_VERSION, frame.innerMalformation());
        final byte[] shortIhl = offending.clone();
        shortIhl[0] = 0x44;
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(3, 3, 0, shortIhl))));
        assertEquals(Malformation.BAD_IHL, frame.innerMalformation());
        final byte[] longIhl = Arrays.copyOf(offending, 28);
        longIhl[0] = 0x48; // 32-byte header, 28 quoted
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(3, 3, 0, longIhl))));
        assertEquals(Malformation.TRUNCATED_L3, frame.innerMalformation());

        // a quoted non-first fragment has no ports, and that is no fault
        final byte[] laterFragment = offending.clone();
        laterFragment[6] = 0;
        laterFragment[7] = 10;
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(3, 3, 0, Arrays.copyOf(laterFragment, 28)))));
        assertTrue(frame.hasInnerFlow());
        assertTrue(frame.isInnerFragment());
        assertEquals(0, frame.innerFlow().srcPort());
    }

    @Test
    void icmpv6ErrorQuotesTheOffendingFlow()
    {
        final byte[] offending = ipv6(17, VIP6_LO, CLIENT6_LO, udp(53, 40000, 100));
        final byte[] bytes = ethernet(ETH_IPV6, ipv6(58, 0xFEL, VIP6_LO, icmp(1, 4, 0, offending)));
        assertEquals(FrameKind.IPV6_ICMP, classify(bytes));
        assertTrue(frame.isIcmpError());
        assertEquals(1, frame.icmpType());
        assertEquals(4, frame.icmpCode());
        assertTrue(frame.hasInnerFlow());
        assertEquals(VIP6_LO, frame.innerFlow().srcLo());
        assertEquals(CLIENT6_LO, frame.innerFlow().dstLo());
        assertEquals(53, frame.innerFlow().srcPort());
        assertEquals(40000, frame.innerFlow().dstPort());

        // echo is informational
        classify(ethernet(ETH_IPV6, ipv6(58, CLIENT6_LO, VIP6_LO, icmp(128, 0, 1, new byte[8]))));
        assertFalse(frame.isIcmpError());

        // a quote cut inside an extension header
        final byte[] withExtension = ipv6(60, VIP6_LO, CLIENT6_LO, concat(extension(17, 2), udp(1, 2, 0)));
        classify(ethernet(ETH_IPV6, ipv6(58, 0xFEL, VIP6_LO, icmp(2, 0, 1280, Arrays.copyOf(withExtension, 50)))));
        assertEquals(Malformation.TRUNCATED_IPV6_EXTENSION, frame.innerMalformation());
        classify(ethernet(ETH_IPV6, ipv6(58, 0xFEL, VIP6_LO, icmp(2, 0, 1280, Arrays.copyOf(offending, 39)))));
        assertEquals(Malformation.TRUNCATED_L3, frame.innerMalformation());
        classify(ethernet(ETH_IPV6, ipv6(58, 0xFEL, VIP6_LO, icmp(2, 0, 1280, Arrays.copyOf(offending, 43)))));
        assertEquals(Malformation.TRUNCATED_L4, frame.innerMalformation());
        final byte[] v4 = offending.clone();
        v4[0] = 0x45;
        classify(ethernet(ETH_IPV6, ipv6(58, 0xFEL, VIP6_LO, icmp(1, 4, 0, v4))));
        assertEquals(Malformation.BAD_VERSION, frame.innerMalformation());
    }

    @Test
    void theResultIsResetBetweenFrames()
    {
        classify(ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, icmp(3, 3, 0, ipv4(17, VIP, CLIENT, udp(1, 2, 0)))), VLAN, 7));
        assertTrue(frame.hasInnerFlow());
        classify(ethernet(ETH_ARP, arp(1, TestPackets.CLIENT_MAC, CLIENT, VIP)));
        assertEquals(FrameKind.ARP, frame.kind());
        assertEquals(0, frame.vlanCount());
        assertEquals(0, frame.flow().family());
        assertEquals(0, frame.innerFlow().family());
        assertFalse(frame.hasInnerFlow());
        assertFalse(frame.isIcmpError());
        assertEquals(-1, frame.l4Offset());
    }

    // ------------------------------------------------------------------------------------------ malformations

    @Test
    void truncatedL2()
    {
        assertMalformed(Malformation.TRUNCATED_L2, new byte[13]);
        assertEquals(-1, frame.l2HeaderLength());
        assertMalformed(Malformation.TRUNCATED_L2, new byte[0]);
        // a tag whose TCI and inner ethertype are cut off
        final byte[] tagged = ethernet(ETH_IPV4, new byte[0], VLAN, 1);
        assertMalformed(Malformation.TRUNCATED_L2, Arrays.copyOf(tagged, 17));
        assertEquals(FrameKind.IPV4_TCP, classify(ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, tcp(1, 2, 0, 0)), VLAN, 1)));
    }

    @Test
    void truncatedArp()
    {
        final byte[] request = arp(ArpView.OPERATION_REQUEST, TestPackets.CLIENT_MAC, CLIENT, VIP);
        assertMalformed(Malformation.TRUNCATED_ARP, ethernet(ETH_ARP, Arrays.copyOf(request, 27)));
    }

    @Test
    void truncatedL3()
    {
        assertMalformed(Malformation.TRUNCATED_L3, ethernet(ETH_IPV4, new byte[19]));
        assertMalformed(Malformation.TRUNCATED_L3, ethernet(ETH_IPV6, new byte[39]));
    }

    @Test
    void badVersion()
    {
        assertMalformed(Malformation.BAD_VERSION, ethernet(ETH_IPV4, ipv6(6, 1, 2, tcp(1, 2, 0, 0))));
        assertMalformed(Malformation.BAD_VERSION, ethernet(ETH_IPV6, pad(ipv4(6, CLIENT, VIP, tcp(1, 2, 0, 0)), 40)));
    }

    @Test
    void badIhl()
    {
        final byte[] ip = ipv4(6, CLIENT, VIP, tcp(1, 2, 0, 0));
        ip[0] = 0x44;
        assertMalformed(Malformation.BAD_IHL, ethernet(ETH_IPV4, ip));
    }

    @Test
    void totalLengthTooShort()
    {
        final byte[] ip = ipv4(6, CLIENT, VIP, tcp(1, 2, 0, 0));
        final UnsafeBuffer b = new UnsafeBuffer(ip);
        new Ipv4View().wrap(b, 0, ip.length).totalLength(19).updateChecksum();
        assertMalformed(Malformation.TOTAL_LENGTH_TOO_SHORT, ethernet(ETH_IPV4, ip));
    }

    @Test
    void badTotalLength()
    {
        final byte[] frameBytes = ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, tcp(1, 2, 0, 10)));
        assertMalformed(Malformation.BAD_TOTAL_LENGTH, Arrays.copyOf(frameBytes, frameBytes.length - 1));
        // trailing bytes after the IP packet are padding, not an error
        assertEquals(FrameKind.IPV4_TCP, classify(Arrays.copyOf(frameBytes, frameBytes.length + 30)));
        assertEquals(10, frame.payloadLength());
    }

    @Test
    void badIpv4Checksum()
    {
        final byte[] bytes = ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, tcp(1, 2, 0, 0)));
        bytes[14 + 10] ^= 1;
        assertMalformed(Malformation.BAD_IPV4_CHECKSUM, bytes);
        assertEquals(FrameKind.IPV4_TCP, classify(new PacketClassifier(8, false), bytes));
    }

    @Test
    void badPayloadLength()
    {
        final byte[] bytes = ethernet(ETH_IPV6, ipv6(6, 1, 2, tcp(1, 2, 0, 4)));
        assertMalformed(Malformation.BAD_PAYLOAD_LENGTH, Arrays.copyOf(bytes, bytes.length - 1));
        assertEquals(FrameKind.IPV6_TCP, classify(Arrays.copyOf(bytes, bytes.length + 8)));
    }

    @Test
    void truncatedIpv6Extension()
    {
        // a destination options header that claims 16 bytes where 8 remain
        assertMalformed(Malformation.TRUNCATED_IPV6_EXTENSION,
            ethernet(ETH_IPV6, ipv6(60, 1, 2, Arrays.copyOf(extension(6, 2), 8))));
        // a fragment header cut short
        assertMalformed(Malformation.TRUNCATED_IPV6_EXTENSION,
            ethernet(ETH_IPV6, ipv6(44, 1, 2, Arrays.copyOf(fragment(6, 0, true, 1), 6))));
        // not even the length byte of an option header
        assertMalformed(Malformation.TRUNCATED_IPV6_EXTENSION, ethernet(ETH_IPV6, ipv6(43, 1, 2, new byte[1])));
        assertMalformed(Malformation.TRUNCATED_IPV6_EXTENSION, ethernet(ETH_IPV6, ipv6(51, 1, 2, new byte[0])));
    }

    @Test
    void ipv6ExtensionChainTooLong()
    {
        byte[] chain = tcp(1, 2, 0, 0);
        int next = 6;
        for (int i = 0; i < 8; i++)
        {
            chain = concat(extension(next, 1), chain);
            next = 60;
        }
        assertEquals(FrameKind.IPV6_TCP, classify(ethernet(ETH_IPV6, ipv6(60, 1, 2, chain))));
        assertEquals(8, frame.extensionHeaderCount());
        chain = concat(extension(60, 1), chain);
        assertMalformed(Malformation.IPV6_EXTENSION_CHAIN_TOO_LONG, ethernet(ETH_IPV6, ipv6(60, 1, 2, chain)));
    }

    @Test
    void hopByHopNotFirst()
    {
        final byte[] chain = concat(extension(0, 1), extension(6, 1), tcp(1, 2, 0, 0));
        assertMalformed(Malformation.IPV6_HOP_BY_HOP_NOT_FIRST, ethernet(ETH_IPV6, ipv6(60, 1, 2, chain)));
        final byte[] first = concat(extension(6, 1), tcp(1, 2, 0, 0));
        assertEquals(FrameKind.IPV6_TCP, classify(ethernet(ETH_IPV6, ipv6(0, 1, 2, first))));
    }

    @Test
    void truncatedL4()
    {
        assertMalformed(Malformation.TRUNCATED_L4, ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, new byte[19])));
        assertMalformed(Malformation.TRUNCATED_L4, ethernet(ETH_IPV4, ipv4(17, CLIENT, VIP, new byte[7])));
        assertMalformed(Malformation.TRUNCATED_L4, ethernet(ETH_IPV4, ipv4(132, CLIENT, VIP, new byte[11])));
        assertMalformed(Malformation.TRUNCATED_L4, ethernet(ETH_IPV4, ipv4(1, CLIENT, VIP, new byte[7])));
        assertMalformed(Malformation.TRUNCATED_L4, ethernet(ETH_IPV4, ipv4(112, CLIENT, VIP, new byte[7])));
        assertMalformed(Malformation.TRUNCATED_L4, ethernet(ETH_IPV6, ipv6(58, 1, 2, new byte[7])));
        assertMalformed(Malformation.TRUNCATED_L4, ethernet(ETH_IPV6, ipv6(6, 1, 2, new byte[19])));
        // the Ethernet padding after a short IP packet does not count as transport bytes
        assertMalformed(Malformation.TRUNCATED_L4, pad(ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, new byte[4])), 60));
    }

    @Test
    void badTcpDataOffset()
    {
        final byte[] low = tcp(1, 2, 0, 0);
        low[12] = 0x40;
        assertMalformed(Malformation.BAD_TCP_DATA_OFFSET, ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, low)));
        final byte[] high = tcp(1, 2, 0, 20);
        high[12] = 0x60; // 24 bytes of header in a 40-byte segment: fine
        assertEquals(FrameKind.IPV4_TCP, classify(ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, high))));
        assertEquals(16, frame.payloadLength());
        high[12] = (byte)0xF0; // 60 bytes of header in a 40-byte segment
        assertMalformed(Malformation.BAD_TCP_DATA_OFFSET, ethernet(ETH_IPV4, ipv4(6, CLIENT, VIP, high)));
    }

    @Test
    void badUdpLength()
    {
        final byte[] tooShort = udp(1, 2, 4);
        tooShort[5] = 7;
        assertMalformed(Malformation.BAD_UDP_LENGTH, ethernet(ETH_IPV4, ipv4(17, CLIENT, VIP, tooShort)));
        final byte[] tooLong = udp(1, 2, 4);
        tooLong[5] = 13;
        assertMalformed(Malformation.BAD_UDP_LENGTH, ethernet(ETH_IPV6, ipv6(17, 1, 2, tooLong)));
        final byte[] jumbo = udp(1, 2, 4);
        jumbo[5] = 0;
        assertMalformed(Malformation.BAD_UDP_LENGTH, ethernet(ETH_IPV6, ipv6(17, 1, 2, jumbo)));
    }
}
