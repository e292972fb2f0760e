package io.lvs4j.core.packet;

import static io.lvs4j.core.packet.TestPackets.CLIENT;
import static io.lvs4j.core.packet.TestPackets.CLIENT6_LO;
import static io.lvs4j.core.packet.TestPackets.CLIENT_MAC;
import static io.lvs4j.core.packet.TestPackets.DIRECTOR_MAC;
import static io.lvs4j.core.packet.TestPackets.REAL_SERVER;
import static io.lvs4j.core.packet.TestPackets.V6_PREFIX;
import static io.lvs4j.core.packet.TestPackets.VIP;
import static io.lvs4j.core.packet.TestPackets.VIP6_LO;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.Dot1qVlanTagPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6PacketTooBigPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IpNumber;

/**
 * The frames we originate, checked by pcap4j's parser: ARP request, reply and gratuitous ARP; ICMP and ICMPv6
 * errors with their quotes; the IP-in-IP outer header.
 */
class BuildersTest
{
    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();
    private final UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);

    private byte[] written(final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        out.getBytes(offset, bytes);
        return bytes;
    }

    // --------------------------------------------------------------------------------------------------- ARP

    @Test
    void arpRequestIsABroadcastWhoHas() throws IllegalRawDataException
    {
        final int length = ArpBuilder.writeRequest(out, 3, EthernetView.NO_VLAN, DIRECTOR_MAC, VIP, REAL_SERVER);
        assertEquals(ArpBuilder.FRAME_LENGTH, length);
        final EthernetPacket eth = EthernetPacket.newPacket(written(3, length), 0, length);
        assertEquals("ff:ff:ff:ff:ff:ff", eth.getHeader().getDstAddr().toString());
        assertEquals(MacAddresses.toString(DIRECTOR_MAC), eth.getHeader().getSrcAddr().toString());
        assertEquals(EtherType.ARP, eth.getHeader().getType());
        final ArpPacket.ArpHeader arp = eth.get(ArpPacket.class).getHeader();
        assertEquals(ArpHardwareType.ETHERNET, arp.getHardwareType());
        assertEquals(EtherType.IPV4, arp.getProtocolType());
        assertEquals(6, arp.getHardwareAddrLengthAsInt());
        assertEquals(4, arp.getProtocolAddrLengthAsInt());
        assertEquals(ArpOperation.REQUEST, arp.getOperation());
        assertEquals(MacAddresses.toString(DIRECTOR_MAC), arp.getSrcHardwareAddr().toString());
        assertEquals(VIP, Pcap4jAgreementTest.address(arp.getSrcProtocolAddr()));
        assertEquals("00:00:00:00:00:00", arp.getDstHardwareAddr().toString());
        assertEquals(REAL_SERVER, Pcap4jAgreementTest.address(arp.getDstProtocolAddr()));
    }

    @Test
    void arpReplyToAClassifiedRequestOnItsVlan() throws IllegalRawDataException
    {
        final byte[] request = TestPackets.pad(TestPackets.ethernet(EthernetView.ETHERTYPE_ARP,
            TestPackets.arp(ArpView.OPERATION_REQUEST, CLIENT_MAC, CLIENT, VIP), EthernetView.ETHERTYPE_VLAN, 0x0064),
            60);
        final UnsafeBuffer in = new UnsafeBuffer(request);
        assertEquals(FrameKind.ARP, classifier.classify(in, 0, request.length, frame));
        final long vrrpMac = MacAddresses.vrrpVirtualMac(51, false);
        final int length = ArpBuilder.writeReplyTo(out, 0, in, frame, vrrpMac);
        assertEquals(ArpBuilder.FRAME_LENGTH + 4, length);

        final EthernetPacket eth = EthernetPacket.newPacket(written(0, length), 0, length);
        assertEquals(MacAddresses.toString(CLIENT_MAC), eth.getHeader().getDstAddr().toString());
        assertEquals("00:00:5e:00:01:33", eth.getHeader().getSrcAddr().toString());
        assertEquals(100, eth.get(Dot1qVlanTagPacket.class).getHeader().getVidAsInt());
        final ArpPacket.ArpHeader arp = eth.get(ArpPacket.class).getHeader();
        assertEquals(ArpOperation.REPLY, arp.getOperation());
        assertEquals("00:00:5e:00:01:33", arp.getSrcHardwareAddr().toString());
        assertEquals(VIP, Pcap4jAgreementTest.address(arp.getSrcProtocolAddr()));
        assertEquals(MacAddresses.toString(CLIENT_MAC), arp.getDstHardwareAddr().toString());
        assertEquals(CLIENT, Pcap4jAgreementTest.address(arp.getDstProtocolAddr()));

        // and our own classifier reads it back
        assertEquals(FrameKind.ARP, classifier.classify(out, 0, length, frame));
        final ArpView view = new ArpView().wrap(out, frame.l3Offset(), 28);
        assertEquals(ArpView.OPERATION_REPLY, view.operation());
        assertFalse(view.isGratuitous());
    }

    @Test
    void arpReplyOnlyAnswersRequests()
    {
        final byte[] reply = TestPackets.ethernet(EthernetView.ETHERTYPE_ARP,
            TestPackets.arp(ArpView.OPERATION_REPLY, CLIENT_MAC, CLIENT, VIP));
        final UnsafeBuffer in = new UnsafeBuffer(reply);
        classifier.classify(in, 0, reply.length, frame);
        assertEquals(-1, ArpBuilder.writeReplyTo(out, 0, in, frame, DIRECTOR_MAC));
        final byte[] ip = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
            TestPackets.ipv4(17, CLIENT, VIP, TestPackets.udp(1, 2, 0)));
        classifier.classify(new UnsafeBuffer(ip), 0, ip.length, frame);
        assertEquals(-1, ArpBuilder.writeReplyTo(out, 0, new UnsafeBuffer(ip), frame, DIRECTOR_MAC));
    }

    @Test
    void explicitArpReplyWithATag() throws IllegalRawDataException
    {
        final int length = ArpBuilder.writeReply(out, 0, 0x2007, DIRECTOR_MAC, VIP, CLIENT_MAC, CLIENT);
        final EthernetPacket eth = EthernetPacket.newPacket(written(0, length), 0, length);
        assertEquals(7, eth.get(Dot1qVlanTagPacket.class).getHeader().getVidAsInt());
        assertEquals(1, eth.get(Dot1qVlanTagPacket.class).getHeader().getPriority());
        assertEquals(ArpOperation.REPLY, eth.get(ArpPacket.class).getHeader().getOperation());
    }

    @Test
    void gratuitousArpAnnouncesAnAddress() throws IllegalRawDataException
    {
        final long mac = MacAddresses.vrrpVirtualMac(7, false);
        final int length = ArpBuilder.writeGratuitous(out, 0, EthernetView.NO_VLAN, mac, VIP);
        final int padded = EthernetView.padToMinimum(out, 0, length);
        assertEquals(60, padded);
        final EthernetPacket eth = EthernetPacket.newPacket(written(0, padded), 0, padded);
        assertEquals("ff:ff:ff:ff:ff:ff", eth.getHeader().getDstAddr().toString());
        final ArpPacket.ArpHeader arp = eth.get(ArpPacket.class).getHeader();
        assertEquals(ArpOperation.REQUEST, arp.getOperation());
        assertEquals(VIP, Pcap4jAgreementTest.address(arp.getSrcProtocolAddr()));
        assertEquals(VIP, Pcap4jAgreementTest.address(arp.getDstProtocolAddr()));
        assertEquals("00:00:5e:00:01:07", arp.getSrcHardwareAddr().toString());
        assertEquals("00:00:00:00:00:00", arp.getDstHardwareAddr().toString());
        classifier.classify(out, 0, padded, frame);
        assertTrue(new ArpView().wrap(out, frame.l3Offset(), 28).isGratuitous());
    }

    // ---------------------------------------------------------------------------------------------- ICMPv4

    private byte[] offendingTcp(final int payload)
    {
        return TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
            TestPackets.ipv4(6, CLIENT, VIP, TestPackets.tcp(40000, 80, TcpView.SYN | TcpView.ACK, payload)),
            EthernetView.ETHERTYPE_VLAN, 0x0009);
    }

    @Test
    void portUnreachableQuotesHeaderAndEightBytes() throws IllegalRawDataException
    {
        final byte[] offending = offendingTcp(100);
        final UnsafeBuffer in = new UnsafeBuffer(offending);
        classifier.classify(in, 0, offending.length, frame);
        assertTrue(Icmpv4ErrorBuilder.mayReplyTo(in, frame));
        final int length = Icmpv4ErrorBuilder.portUnreachable(out, 5, in, frame, DIRECTOR_MAC, VIP, 0x4321);
        assertEquals(18 + 20 + 8 + 28, length);

        final EthernetPacket eth = EthernetPacket.newPacket(written(5, length), 0, length);
        assertEquals(MacAddresses.toString(CLIENT_MAC), eth.getHeader().getDstAddr().toString());
        assertEquals(MacAddresses.toString(DIRECTOR_MAC), eth.getHeader().getSrcAddr().toString());
        assertEquals(9, eth.get(Dot1qVlanTagPacket.class).getHeader().getVidAsInt());
        final IpV4Packet.IpV4Header ip = eth.get(IpV4Packet.class).getHeader();
        assertTrue(ip.hasValidChecksum(false));
        assertEquals(IpNumber.ICMPV4, ip.getProtocol());
        assertEquals(VIP, Pcap4jAgreementTest.address(ip.getSrcAddr()));
        assertEquals(CLIENT, Pcap4jAgreementTest.address(ip.getDstAddr()));
        assertEquals(0x4321, ip.getIdentificationAsInt());
        assertEquals(64, ip.getTtlAsInt());
        assertEquals(0xC0, ip.getTos().value() & 0xFF);
        assertFalse(ip.getDontFragmentFlag());
        final IcmpV4CommonPacket icmp = eth.get(IcmpV4CommonPacket.class);
        assertEquals(3, icmp.getHeader().getType().value() & 0xFF);
        assertEquals(3, icmp.getHeader().getCode().value() & 0xFF);
        assertTrue(icmp.hasValidChecksum(false));
        // the quote: the offending IP header and the first 8 bytes of its data, byte for byte
        final byte[] quote = Arrays.copyOfRange(written(5, length), 18 + 28, length);
        assertArrayEquals(Arrays.copyOfRange(offending, 18, 18 + 28), quote);

        // read back by our classifier: an error about the original flow
        assertEquals(FrameKind.IPV4_ICMP, classifier.classify(out, 5, length, frame));
        assertTrue(frame.isIcmpError());
        assertEquals(40000, frame.innerFlow().srcPort());
        assertEquals(VIP, frame.innerFlow().dstV4());
        assertFalse(Icmpv4ErrorBuilder.mayReplyTo(out, frame), "never an error about an error");
    }

    @Test
    void fragmentationNeededCarriesTheNextHopMtu() throws IllegalRawDataException
    {
        final byte[] offending = offendingTcp(1400);
        final UnsafeBuffer in = new UnsafeBuffer(offending);
        classifier.classify(in, 0, offending.length, frame);
        final int length = Icmpv4ErrorBuilder.fragmentationNeeded(out, 0, in, frame, DIRECTOR_MAC, VIP, 1, 1480);
        final EthernetPacket eth = EthernetPacket.newPacket(written(0, length), 0, length);
        final IcmpV4CommonPacket icmp = eth.get(IcmpV4CommonPacket.class);
        assertEquals(3, icmp.getHeader().getType().value() & 0xFF);
        assertEquals(4, icmp.getHeader().getCode().value() & 0xFF);
        assertTrue(icmp.hasValidChecksum(false));
        classifier.classify(out, 0, length, frame);
        final Icmpv4View view = new Icmpv4View().wrap(out, frame.l4Offset(), frame.l4Length());
        assertEquals(1480, view.nextHopMtu());
        assertEquals(28, view.quoteLength());
    }

    @Test
    void timeExceededAndShortDatagrams() throws IllegalRawDataException
    {
        // a 20-byte header and 4 bytes of data: the quote is the whole datagram, not the Ethernet padding
        final byte[] offending = TestPackets.pad(TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
            TestPackets.ipv4(253, CLIENT, VIP, new byte[] {1, 2, 3, 4})), 60);
        final UnsafeBuffer in = new UnsafeBuffer(offending);
        classifier.classify(in, 0, offending.length, frame);
        final int length = Icmpv4ErrorBuilder.timeExceeded(out, 0, in, frame, DIRECTOR_MAC, VIP, 2);
        assertEquals(14 + 20 + 8 + 24, length);
        final EthernetPacket eth = EthernetPacket.newPacket(written(0, length), 0, length);
        final IcmpV4CommonPacket icmp = eth.get(IcmpV4CommonPacket.class);
        assertEquals(11, icmp.getHeader().getType().value() & 0xFF);
        assertEquals(0, icmp.getHeader().getCode().value() & 0xFF);
        assertTrue(icmp.hasValidChecksum(false));

        classifier.classify(out, 0, length, frame);
        assertEquals(FrameKind.IPV4_ICMP, frame.kind());
        assertTrue(frame.hasInnerFlow());
        assertEquals(253, frame.innerFlow().protocol());
    }

    @Test
    void destinationUnreachableWithOptionsQuotesTheOptions()
    {
        final byte[] offending = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4, TestPackets.ipv4(17, CLIENT, VIP,
            new byte[] {1, 1, 1, 1, 1, 1, 1, 0}, TestPackets.udp(1, 2, 30)));
        final UnsafeBuffer in = new UnsafeBuffer(offending);
        classifier.classify(in, 0, offending.length, frame);
        final int length = Icmpv4ErrorBuilder.destinationUnreachable(out, 0, in, frame, DIRECTOR_MAC, VIP, 3,
            Icmpv4View.CODE_HOST_UNREACHABLE);
        assertEquals(14 + 20 + 8 + 28 + 8, length);
    }

    @Test
    void icmpErrorsAreNotSentAboutWhatRfc1812Excludes()
    {
        final UnsafeBuffer in = new UnsafeBuffer(offendingTcp(0));
        classifier.classify(in, 0, in.capacity(), frame);
        assertTrue(Icmpv4ErrorBuilder.mayReplyTo(in, frame));
        in.putByte(0, (byte)0x01); // group MAC
        assertFalse(Icmpv4ErrorBuilder.mayReplyTo(in, frame));

        for (final int destination : new int[] {0xFFFF_FFFF, 0xE000_0001})
        {
            final byte[] bytes = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
                TestPackets.ipv4(17, CLIENT, destination, TestPackets.udp(1, 2, 0)));
            classifier.classify(new UnsafeBuffer(bytes), 0, bytes.length, frame);
            assertFalse(Icmpv4ErrorBuilder.mayReplyTo(new UnsafeBuffer(bytes), frame));
        }
        for (final int source : new int[] {0, 0x7F00_0001, 0xE000_0001, 0xF000_0001})
        {
            final byte[] bytes = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
                TestPackets.ipv4(17, source, VIP, TestPackets.udp(1, 2, 0)));
            classifier.classify(new UnsafeBuffer(bytes), 0, bytes.length, frame);
            assertFalse(Icmpv4ErrorBuilder.mayReplyTo(new UnsafeBuffer(bytes), frame));
        }
        final byte[] later = TestPackets.ipv4(17, CLIENT, VIP, new byte[16]);
        new Ipv4View().wrap(new UnsafeBuffer(later), 0, later.length).flagsAndFragmentOffset(100).updateChecksum();
        final byte[] bytes = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4, later);
        classifier.classify(new UnsafeBuffer(bytes), 0, bytes.length, frame);
        assertFalse(Icmpv4ErrorBuilder.mayReplyTo(new UnsafeBuffer(bytes), frame));
    }

    @Test
    void icmpBuildersRefuseWhatCannotBeQuoted()
    {
        final UnsafeBuffer garbage = new UnsafeBuffer(new byte[64]);
        assertEquals(-1, Icmpv4ErrorBuilder.quoteLength(garbage, 0, 19));
        assertEquals(-1, Icmpv4ErrorBuilder.quoteLength(garbage, 0, 64)); // version 0
        garbage.putByte(0, (byte)0x4F);
        assertEquals(-1, Icmpv4ErrorBuilder.quoteLength(garbage, 0, 40)); // 60-byte header in 40 bytes
        assertEquals(-1, Icmpv4ErrorBuilder.writePacket(out, 0, VIP, CLIENT, 1, 3, 3, 0, garbage, 0, 40));
        assertEquals(-1, Icmpv6ErrorBuilder.writePacket(out, 0, 0, 1, 0, 2, 1, 4, 0, garbage, 0, 64));
        final byte[] arp = TestPackets.ethernet(EthernetView.ETHERTYPE_ARP, TestPackets.arp(1, CLIENT_MAC, CLIENT, VIP));
        classifier.classify(new UnsafeBuffer(arp), 0, arp.length, frame);
        assertEquals(-1, Icmpv4ErrorBuilder.timeExceeded(out, 0, new UnsafeBuffer(arp), frame, DIRECTOR_MAC, VIP, 1));
        assertEquals(-1, Icmpv6ErrorBuilder.timeExceeded(out, 0, new UnsafeBuffer(arp), frame, DIRECTOR_MAC, 0, 1));
    }

    // ---------------------------------------------------------------------------------------------- ICMPv6

    @Test
    void packetTooBigQuotesAsMuchAsFitsIn1280Bytes() throws IllegalRawDataException
    {
        final byte[] offending = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV6,
            TestPackets.ipv6(6, CLIENT6_LO, VIP6_LO, TestPackets.tcp(40000, 443, TcpView.ACK, 1400)));
        final UnsafeBuffer in = new UnsafeBuffer(offending);
        classifier.classify(in, 0, offending.length, frame);
        assertTrue(Icmpv6ErrorBuilder.mayReplyTo(in, frame, Icmpv6View.TYPE_PACKET_TOO_BIG));
        final int length = Icmpv6ErrorBuilder.packetTooBig(out, 0, in, frame, DIRECTOR_MAC, V6_PREFIX, VIP6_LO, 1400);
        assertEquals(14 + 1280, length);
        assertEquals(1232, Icmpv6ErrorBuilder.MAX_QUOTE_LENGTH);

        final EthernetPacket eth = EthernetPacket.newPacket(written(0, length), 0, length);
        final IpV6Packet.IpV6Header ip = eth.get(IpV6Packet.class).getHeader();
        assertEquals(IpNumber.ICMPV6, ip.getNextHeader());
        assertEquals(1280 - 40, ip.getPayloadLengthAsInt());
        assertEquals(64, ip.getHopLimitAsInt());
        assertEquals(address(V6_PREFIX, VIP6_LO), ip.getSrcAddr());
        assertEquals(address(V6_PREFIX, CLIENT6_LO), ip.getDstAddr());
        final IcmpV6CommonPacket icmp = eth.get(IcmpV6CommonPacket.class);
        assertEquals(2, icmp.getHeader().getType().value() & 0xFF);
        assertTrue(icmp.hasValidChecksum(ip.getSrcAddr(), ip.getDstAddr(), false));
        final IcmpV6PacketTooBigPacket tooBig = eth.get(IcmpV6PacketTooBigPacket.class);
        assertNotNull(tooBig);
        assertEquals(1400, tooBig.getHeader().getMtu());
        assertArrayEquals(Arrays.copyOfRange(offending, 14, 14 + 1232), Arrays.copyOfRange(written(0, length), 62,
            length));

        classifier.classify(out, 0, length, frame);
        assertEquals(FrameKind.IPV6_ICMP, frame.kind());
        assertEquals(new Icmpv6View().wrap(out, frame.l4Offset(), frame.l4Length()).computeChecksum(frame.l3Offset()),
            new Icmpv6View().wrap(out, frame.l4Offset(), frame.l4Length()).checksum());
        assertEquals(443, frame.innerFlow().dstPort());
    }

    @Test
    void smallPacketsAreQuotedWhole() throws IllegalRawDataException
    {
        final byte[] offending = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV6,
            TestPackets.ipv6(17, CLIENT6_LO, VIP6_LO, TestPackets.udp(5000, 53, 11)), EthernetView.ETHERTYPE_VLAN, 3);
        final UnsafeBuffer in = new UnsafeBuffer(offending);
        classifier.classify(in, 0, offending.length, frame);
        final int unreachable = Icmpv6ErrorBuilder.destinationUnreachable(out, 0, in, frame, DIRECTOR_MAC,
            V6_PREFIX, VIP6_LO, Icmpv6View.CODE_PORT_UNREACHABLE);
        assertEquals(18 + 40 + 8 + 59, unreachable);
        EthernetPacket eth = EthernetPacket.newPacket(written(0, unreachable), 0, unreachable);
        assertEquals(3, eth.get(Dot1qVlanTagPacket.class).getHeader().getVidAsInt());
        IcmpV6CommonPacket icmp = eth.get(IcmpV6CommonPacket.class);
        IpV6Packet.IpV6Header ip = eth.get(IpV6Packet.class).getHeader();
        assertEquals(1, icmp.getHeader().getType().value() & 0xFF);
        assertEquals(4, icmp.getHeader().getCode().value() & 0xFF);
        assertTrue(icmp.hasValidChecksum(ip.getSrcAddr(), ip.getDstAddr(), false));

        final int exceeded = Icmpv6ErrorBuilder.timeExceeded(out, 0, in, frame, DIRECTOR_MAC, V6_PREFIX, VIP6_LO);
        eth = EthernetPacket.newPacket(written(0, exceeded), 0, exceeded);
        icmp = eth.get(IcmpV6CommonPacket.class);
        ip = eth.get(IpV6Packet.class).getHeader();
        assertEquals(3, icmp.getHeader().getType().value() & 0xFF);
        assertEquals(0, icmp.getHeader().getCode().value() & 0xFF);
        assertTrue(icmp.hasValidChecksum(ip.getSrcAddr(), ip.getDstAddr(), false));
    }

    @Test
    void icmpv6ErrorsAreNotSentAboutWhatRfc4443Excludes()
    {
        final long multicastHi = 0xFF02_0000_0000_0000L;
        final byte[] toMulticast = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV6,
            TestPackets.ipv6(17, CLIENT6_LO, 1, TestPackets.udp(1, 2, 0)));
        final UnsafeBuffer in = new UnsafeBuffer(toMulticast);
        new Ipv6View().wrap(in, 14, 48).destination(multicastHi, 1);
        classifier.classify(in, 0, toMulticast.length, frame);
        assertFalse(Icmpv6ErrorBuilder.mayReplyTo(in, frame, Icmpv6View.TYPE_DESTINATION_UNREACHABLE));
        assertTrue(Icmpv6ErrorBuilder.mayReplyTo(in, frame, Icmpv6View.TYPE_PACKET_TOO_BIG));
        new Ipv6View().wrap(in, 14, 48).source(0, 0);
        classifier.classify(in, 0, toMulticast.length, frame);
        assertFalse(Icmpv6ErrorBuilder.mayReplyTo(in, frame, Icmpv6View.TYPE_PACKET_TOO_BIG));

        final byte[] error = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV6, TestPackets.ipv6(58, CLIENT6_LO,
            VIP6_LO, TestPackets.icmp(1, 0, 0, TestPackets.ipv6(17, VIP6_LO, CLIENT6_LO, TestPackets.udp(1, 2, 0)))));
        classifier.classify(new UnsafeBuffer(error), 0, error.length, frame);
        assertFalse(Icmpv6ErrorBuilder.mayReplyTo(new UnsafeBuffer(error), frame, Icmpv6View.TYPE_PACKET_TOO_BIG));
        final byte[] v4 = offendingTcp(0);
        classifier.classify(new UnsafeBuffer(v4), 0, v4.length, frame);
        assertFalse(Icmpv6ErrorBuilder.mayReplyTo(new UnsafeBuffer(v4), frame, Icmpv6View.TYPE_PACKET_TOO_BIG));
    }

    // ------------------------------------------------------------------------------------------------ IPIP

    @Test
    void ipInIpOuterHeaderFollowsRfc2003AndIpvs() throws IllegalRawDataException
    {
        // inner: DF set, DSCP AF41 with ECN CE, TTL already decremented to 63
        final byte[] inner = TestPackets.ipv4(6, CLIENT, VIP, TestPackets.tcp(40000, 80, TcpView.SYN, 0));
        final UnsafeBuffer innerBuffer = new UnsafeBuffer(inner);
        new Ipv4View().wrap(innerBuffer, 0, inner.length).tos(0x88 | 3).ttl(63).updateChecksum();

        final UnsafeBuffer frameBuffer = new UnsafeBuffer(new byte[14 + 20 + inner.length]);
        final int l2 = EthernetView.writeHeader(frameBuffer, 0, TestPackets.REAL_SERVER_MAC, DIRECTOR_MAC,
            EthernetView.ETHERTYPE_IPV4);
        assertEquals(IpIpEncapsulator.OVERHEAD, IpIpEncapsulator.writeOuterHeader(frameBuffer, l2, innerBuffer, 0,
            inner.length, 0xC000_02FE, REAL_SERVER, 63, 0x7777, true));
        frameBuffer.putBytes(l2 + 20, inner);

        final EthernetPacket eth = EthernetPacket.newPacket(frameBuffer.byteArray(), 0, frameBuffer.capacity());
        final IpV4Packet outer = eth.get(IpV4Packet.class);
        final IpV4Packet.IpV4Header h = outer.getHeader();
        assertEquals(IpNumber.IPV4, h.getProtocol());
        assertEquals(5, h.getIhlAsInt());
        assertEquals(20 + inner.length, h.getTotalLengthAsInt());
        assertEquals(0x88 | 2, h.getTos().value() & 0xFF, "DSCP copied, CE encapsulated as ECT(0)");
        assertTrue(h.getDontFragmentFlag());
        assertEquals(63, h.getTtlAsInt());
        assertEquals(0x7777, h.getIdentificationAsInt());
        assertEquals(0xC000_02FE, Pcap4jAgreementTest.address(h.getSrcAddr()));
        assertEquals(REAL_SERVER, Pcap4jAgreementTest.address(h.getDstAddr()));
        assertTrue(h.hasValidChecksum(false));
        // pcap4j leaves protocol 4 payloads unparsed: parse the tunnelled packet explicitly
        final byte[] payload = outer.getPayload().getRawData();
        final IpV4Packet tunnelled = IpV4Packet.newPacket(payload, 0, payload.length);
        assertTrue(tunnelled.getHeader().hasValidChecksum(false));
        assertEquals(CLIENT, Pcap4jAgreementTest.address(tunnelled.getHeader().getSrcAddr()));
        assertEquals(80, tunnelled.get(TcpPacket.class).getHeader().getDstPort().valueAsInt());

        assertEquals(FrameKind.IPV4_IPIP, classifier.classify(frameBuffer, 0, frameBuffer.capacity(), frame));
        assertEquals(40000, frame.innerFlow().srcPort());
    }

    @Test
    void ipInIpCopiesDfOnlyWithPmtuDiscoveryAndOtherTosUnchanged() throws IllegalRawDataException
    {
        final byte[] inner = TestPackets.ipv4(17, CLIENT, VIP, TestPackets.udp(1, 2, 3));
        final UnsafeBuffer innerBuffer = new UnsafeBuffer(inner);
        new Ipv4View().wrap(innerBuffer, 0, inner.length).tos(0xB9).updateChecksum(); // EF, ECT(1)
        final UnsafeBuffer o = new UnsafeBuffer(new byte[20]);
        IpIpEncapsulator.writeOuterHeader(o, 0, innerBuffer, 0, inner.length, 1, 2, 9, 0, false);
        final Ipv4View outer = new Ipv4View().wrap(o, 0, 20);
        assertFalse(outer.dontFragment());
        assertEquals(0xB9, outer.tos());
        assertTrue(outer.isChecksumValid());

        new Ipv4View().wrap(innerBuffer, 0, inner.length).flagsAndFragmentOffset(0).updateChecksum();
        IpIpEncapsulator.writeOuterHeader(o, 0, innerBuffer, 0, inner.length, 1, 2, 9, 0, true);
        assertFalse(outer.dontFragment(), "no DF when the inner packet has none");
        assertEquals(0, outer.flagsAndFragmentOffset());
    }

    @Test
    void ipInIpInPlaceMovesThePacketAndKeepsTheEthernetHeader() throws IllegalRawDataException
    {
        final byte[] original = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
            TestPackets.ipv4(6, CLIENT, VIP, TestPackets.tcp(40000, 80, TcpView.ACK, 37)));
        final byte[] room = Arrays.copyOf(original, original.length + 20);
        final UnsafeBuffer b = new UnsafeBuffer(room);
        classifier.classify(b, 0, original.length, frame);
        final int l3Length = IpIpEncapsulator.encapsulateInPlace(b, frame.l3Offset(), frame.l3Length(),
            0xC000_02FE, REAL_SERVER, 5, true);
        assertEquals(original.length - 14 + 20, l3Length);
        Rewrites.setMacs(b, frame, TestPackets.REAL_SERVER_MAC, DIRECTOR_MAC);

        final EthernetPacket eth = EthernetPacket.newPacket(room, 0, room.length);
        final IpV4Packet outer = eth.get(IpV4Packet.class);
        assertEquals(IpNumber.IPV4, outer.getHeader().getProtocol());
        assertEquals(64, outer.getHeader().getTtlAsInt(), "the inner TTL");
        assertTrue(outer.getHeader().hasValidChecksum(false));
        final byte[] innerBytes = Arrays.copyOfRange(room, 34, room.length);
        assertArrayEquals(Arrays.copyOfRange(original, 14, original.length), innerBytes);
        assertEquals(FrameKind.IPV4_IPIP, classifier.classify(b, 0, room.length, frame));

        // no room, or no IPv4 packet: nothing written
        final byte[] tight = original.clone();
        assertEquals(-1, IpIpEncapsulator.encapsulateInPlace(new UnsafeBuffer(tight), 14, tight.length - 14, 1, 2,
            3, true));
        assertArrayEquals(original, tight);
        final byte[] v6 = Arrays.copyOf(TestPackets.ipv6(6, 1, 2, TestPackets.tcp(1, 2, 0, 0)), 100);
        assertEquals(-1, IpIpEncapsulator.encapsulateInPlace(new UnsafeBuffer(v6), 0, 60, 1, 2, 3, true));
        assertEquals(-1, IpIpEncapsulator.writeOuterHeader(out, 0, new UnsafeBuffer(v6), 0, 60, 1, 2, 3, 4, true));
        assertEquals(-1, IpIpEncapsulator.writeOuterHeader(out, 0, new UnsafeBuffer(original), 14, 65_520, 1, 2, 3, 4,
            true));
    }

    private static Inet6Address address(final long hi, final long lo)
    {
        return (Inet6Address)RandomFrames.address(ByteBuffer.allocate(16).putLong(hi).putLong(lo).array());
    }
}
