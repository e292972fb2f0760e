package io.lvs4j.core.packet;

import static io.lvs4j.core.packet.TestPackets.CLIENT;
import static io.lvs4j.core.packet.TestPackets.CLIENT6_LO;
import static io.lvs4j.core.packet.TestPackets.CLIENT_MAC;
import static io.lvs4j.core.packet.TestPackets.DIRECTOR_MAC;
import static io.lvs4j.core.packet.TestPackets.REAL_SERVER;
import static io.lvs4j.core.packet.TestPackets.V6_PREFIX;
import static io.lvs4j.core.packet.TestPackets.VIP;
import static io.lvs4j.core.packet.TestPackets.VIP6_LO;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Each view's accessors and setters, at non-zero offsets, and the checksum-keeping setters against full
 * recomputes.
 */
class ViewsTest
{
    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();

    /** A frame copied to offset 11 of a larger buffer, as in a ring. */
    private static UnsafeBuffer at11(final byte[] bytes)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[bytes.length + 20]);
        b.putBytes(11, bytes);
        return b;
    }

    @Test
    void ethernetMacsTagsAndHeaders()
    {
        final byte[] bytes = TestPackets.ethernet(0x0800, new byte[20], EthernetView.ETHERTYPE_QINQ, 0x0010,
            EthernetView.ETHERTYPE_VLAN, 0x3020);
        final UnsafeBuffer b = at11(bytes);
        final EthernetView eth = new EthernetView().wrap(b, 11, bytes.length);
        assertEquals(DIRECTOR_MAC, eth.destinationMac());
        assertEquals(CLIENT_MAC, eth.sourceMac());
        assertEquals(EthernetView.ETHERTYPE_QINQ, eth.outerEtherType());
        assertEquals(2, eth.vlanTagCount());
        assertEquals(EthernetView.ETHERTYPE_QINQ, eth.vlanTpid(0));
        assertEquals(EthernetView.ETHERTYPE_VLAN, eth.vlanTpid(1));
        assertEquals(0x10, eth.vlanId(0));
        assertEquals(0x3020, eth.vlanTci(1));
        assertEquals(0x020, eth.vlanId(1));
        assertEquals(22, eth.headerLength());
        assertEquals(0x0800, eth.etherType());

        eth.swapMacs();
        assertEquals(CLIENT_MAC, eth.destinationMac());
        assertEquals(DIRECTOR_MAC, eth.sourceMac());
        eth.destinationMac(MacAddresses.BROADCAST).sourceMac(0x0A0B_0C0D_0E0FL).vlanTci(1, 0x0FFF);
        assertEquals(MacAddresses.BROADCAST, eth.destinationMac());
        assertEquals(0x0A0B_0C0D_0E0FL, eth.sourceMac());
        assertEquals(4095, eth.vlanId(1));

        // tags that do not fit in the wrapped length are not counted
        eth.wrap(b, 11, 17);
        assertEquals(0, eth.vlanTagCount());
        eth.wrap(b, 11, 20);
        assertEquals(1, eth.vlanTagCount());
        assertEquals(18, eth.headerLength());
    }

    @Test
    void ethernetHeaderWriters()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[64]);
        assertEquals(14, EthernetView.writeHeader(b, 2, 1L, 2L, 0x86DD));
        final EthernetView eth = new EthernetView().wrap(b, 2, 62);
        assertEquals(0, eth.vlanTagCount());
        assertEquals(0x86DD, eth.etherType());
        assertEquals(18, EthernetView.writeHeader(b, 2, 1L, 2L, 0xA064, 0x0800));
        assertEquals(1, eth.vlanTagCount());
        assertEquals(100, eth.vlanId(0));
        assertEquals(0x0800, eth.etherType());

        final byte[] qinq = TestPackets.ethernet(0x0806, TestPackets.arp(1, CLIENT_MAC, CLIENT, VIP),
            EthernetView.ETHERTYPE_QINQ, 5, EthernetView.ETHERTYPE_VLAN, 6);
        classifier.classify(new UnsafeBuffer(qinq), 0, qinq.length, frame);
        assertEquals(22, EthernetView.writeHeader(b, 0, 3L, 4L, frame, 0x0806));
        eth.wrap(b, 0, 64);
        assertEquals(2, eth.vlanTagCount());
        assertEquals(EthernetView.ETHERTYPE_QINQ, eth.vlanTpid(0));
        assertEquals(6, eth.vlanId(1));
        assertEquals(3L, eth.destinationMac());

        final UnsafeBuffer dirty = new UnsafeBuffer(new byte[64]);
        dirty.setMemory(0, 64, (byte)0x55);
        assertEquals(60, EthernetView.padToMinimum(dirty, 0, 42));
        assertEquals(0, dirty.getByte(42));
        assertEquals(0, dirty.getByte(59));
        assertEquals(0x55, dirty.getByte(60));
        assertEquals(61, EthernetView.padToMinimum(dirty, 0, 61));
    }

    @Test
    void macAddresses()
    {
        assertEquals(0x0000_5E00_0133L, MacAddresses.vrrpVirtualMac(0x33, false));
        assertEquals(0x0000_5E00_0201L, MacAddresses.vrrpVirtualMac(1, true));
        assertEquals("00:00:5e:00:01:33", MacAddresses.toString(0x0000_5E00_0133L));
        assertEquals(0xAABB_CCDD_EEFFL, MacAddresses.parse("aa:bb:cc:dd:ee:ff"));
        assertEquals(0x0102_0304_0506L, MacAddresses.parse("01-02-03-04-05-06"));
        assertThrows(IllegalArgumentException.class, () -> MacAddresses.parse("01:02:03:04:05"));
        assertThrows(IllegalArgumentException.class, () -> MacAddresses.parse("01:02:03:04:05:0g"));
        assertThrows(IllegalArgumentException.class, () -> MacAddresses.parse("01:02:03:04:05;06"));
        assertTrue(MacAddresses.isMulticast(MacAddresses.BROADCAST));
        assertTrue(MacAddresses.isMulticast(0x0100_5E00_0012L));
        assertFalse(MacAddresses.isMulticast(CLIENT_MAC));
    }

    @Test
    void arpSetters()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[40]);
        final ArpView arp = new ArpView().wrap(b, 5, 28);
        arp.ethernetIpv4().operation(ArpView.OPERATION_REPLY).senderHardwareAddress(DIRECTOR_MAC)
            .senderProtocolAddress(VIP).targetHardwareAddress(CLIENT_MAC).targetProtocolAddress(CLIENT);
        assertTrue(arp.isEthernetIpv4());
        assertEquals(1, arp.hardwareType());
        assertEquals(0x0800, arp.protocolType());
        assertEquals(6, arp.hardwareLength());
        assertEquals(4, arp.protocolLength());
        assertEquals(ArpView.OPERATION_REPLY, arp.operation());
        assertEquals(DIRECTOR_MAC, arp.senderHardwareAddress());
        assertEquals(VIP, arp.senderProtocolAddress());
        assertEquals(CLIENT_MAC, arp.targetHardwareAddress());
        assertEquals(CLIENT, arp.targetProtocolAddress());
        assertFalse(arp.isGratuitous());
        arp.targetProtocolAddress(VIP);
        assertTrue(arp.isGratuitous());
    }

    @Test
    void ipv4AccessorsAndChecksumKeepingSetters()
    {
        final byte[] packet = TestPackets.ipv4(17, CLIENT, VIP, new byte[] {1, 1, 1, 0}, TestPackets.udp(1, 2, 3));
        final UnsafeBuffer b = at11(packet);
        final Ipv4View ip = new Ipv4View().wrap(b, 11, packet.length);
        assertEquals(4, ip.version());
        assertEquals(6, ip.ihl());
        assertEquals(24, ip.headerLength());
        assertEquals(0x10, ip.tos());
        assertEquals(4, ip.dscp());
        assertEquals(0, ip.ecn());
        assertEquals(packet.length, ip.totalLength());
        assertEquals(11 + 24, ip.payloadOffset());
        assertEquals(11, ip.payloadLength());
        assertTrue(ip.dontFragment());
        assertFalse(ip.moreFragments());
        assertFalse(ip.isFragment());
        assertEquals(Ipv4View.FLAG_DF, ip.flagsAndFragmentOffset());
        assertEquals(17, ip.protocol());
        assertTrue(ip.isChecksumValid());
        assertEquals("198.51.100.1", Ipv4View.toString(ip.sourceAddress()));

        ip.tosUpdatingChecksum(0xB8);
        assertTrue(ip.isChecksumValid());
        assertEquals(0xB8, ip.tos());
        ip.ttlUpdatingChecksum(3);
        assertTrue(ip.isChecksumValid());
        assertEquals(3, ip.ttl());
        assertEquals(2, ip.decrementTtl());
        assertEquals(1, ip.decrementTtl());
        assertEquals(0, ip.decrementTtl());
        assertEquals(1, ip.ttl());
        assertTrue(ip.isChecksumValid());
        ip.sourceAddressUpdatingChecksum(REAL_SERVER).destinationAddressUpdatingChecksum(0xFFFF_FFFF);
        assertTrue(ip.isChecksumValid());
        assertEquals(REAL_SERVER, ip.sourceAddress());
        assertEquals(0xFFFF_FFFF, ip.destinationAddress());
        assertEquals(ip.computeChecksum(), ip.checksum());

        ip.flagsAndFragmentOffset(Ipv4View.FLAG_MF | 3).identification(0xBEEF).protocol(6).totalLength(30);
        assertTrue(ip.isFragment());
        assertTrue(ip.moreFragments());
        assertEquals(3, ip.fragmentOffset());
        assertEquals(0xBEEF, ip.identification());
        assertFalse(ip.isChecksumValid());
        ip.updateChecksum();
        assertTrue(ip.isChecksumValid());
    }

    @Test
    void ipv6AccessorsSettersAndWalk()
    {
        final byte[] packet = TestPackets.ipv6(0, CLIENT6_LO, VIP6_LO, TestPackets.concat(
            TestPackets.extension(44, 1), TestPackets.fragment(17, 2048, true, 0x1234_5678), new byte[8]));
        final UnsafeBuffer b = at11(packet);
        final Ipv6View ip = new Ipv6View().wrap(b, 11, packet.length);
        assertEquals(6, ip.version());
        assertEquals(0x20, ip.trafficClass());
        assertEquals(0x12345, ip.flowLabel());
        assertEquals(24, ip.payloadLength());
        assertEquals(0, ip.nextHeader());
        assertEquals(64, ip.hopLimit());
        assertEquals(V6_PREFIX, ip.sourceHi());
        assertEquals(CLIENT6_LO, ip.sourceLo());
        assertEquals(V6_PREFIX, ip.destinationHi());
        assertEquals(VIP6_LO, ip.destinationLo());

        assertEquals(Malformation.NONE, ip.walkExtensionHeaders(8));
        assertTrue(ip.isFragment());
        assertEquals(2, ip.extensionHeaderCount());
        assertEquals(17, ip.upperLayerProtocol());
        assertEquals(11 + 40 + 16, ip.upperLayerOffset());
        assertEquals(11 + 48, ip.fragmentHeaderOffset());
        assertEquals(2048, ip.fragmentOffsetBytes());
        assertTrue(ip.moreFragments());
        assertEquals(0x1234_5678, ip.fragmentIdentification());
        assertEquals(Malformation.IPV6_EXTENSION_CHAIN_TOO_LONG, ip.walkExtensionHeaders(1));

        ip.trafficClass(0xFF);
        assertEquals(0xFF, ip.trafficClass());
        assertEquals(0x12345, ip.flowLabel());
        assertEquals(6, ip.version());
        ip.flowLabel(0xABCDE);
        assertEquals(0xFF, ip.trafficClass());
        assertEquals(0xABCDE, ip.flowLabel());
        ip.source(1, 2).destination(3, 4).nextHeader(59).payloadLength(0).hopLimit(2);
        assertEquals(1, ip.sourceHi());
        assertEquals(4, ip.destinationLo());
        assertEquals(1, ip.decrementHopLimit());
        assertEquals(0, ip.decrementHopLimit());
        assertEquals(1, ip.hopLimit());
        ip.wrap(b, 11, 40);
        assertEquals(-1, ip.upperLayerOffset());
        assertFalse(ip.isFragment());
        assertEquals(Malformation.NONE, ip.walkExtensionHeaders(8));
        assertEquals(59, ip.upperLayerProtocol());
    }

    @Test
    void tcpAndUdpChecksumKeepingSettersMatchFullRecompute()
    {
        final byte[] bytes = TestPackets.ethernet(0x0800, TestPackets.ipv4(6, CLIENT, VIP,
            TestPackets.tcp(40000, 80, TcpView.SYN | TcpView.ECE | TcpView.CWR, 13)));
        final UnsafeBuffer b = at11(bytes);
        classifier.classify(b, 11, bytes.length, frame);
        TestPackets.fixChecksums(b, frame);
        final TcpView tcp = new TcpView().wrap(b, frame.l4Offset(), frame.l4Length());
        assertEquals(0x0102_0304, tcp.sequenceNumber());
        assertEquals(0x0506_0708, tcp.acknowledgementNumber());
        assertEquals(5, tcp.dataOffset());
        assertEquals(20, tcp.headerLength());
        assertTrue(tcp.hasFlags(TcpView.SYN | TcpView.ECE));
        assertFalse(tcp.hasFlags(TcpView.ACK));
        assertEquals(65535, tcp.window());
        assertEquals(0, tcp.urgentPointer());
        tcp.sourcePortUpdatingChecksum(1).destinationPortUpdatingChecksum(65535)
            .adjustChecksumForAddress(VIP, REAL_SERVER);
        new Ipv4View().wrap(b, frame.l3Offset(), frame.l3Length()).destinationAddress(REAL_SERVER);
        assertEquals(tcp.computeChecksumV4(frame.l3Offset()), tcp.checksum());
        assertEquals(1, tcp.sourcePort());
        assertEquals(65535, tcp.destinationPort());

        final byte[] v6 = TestPackets.ethernet(0x86DD, TestPackets.ipv6(17, CLIENT6_LO, VIP6_LO,
            TestPackets.udp(5000, 53, 9)));
        final UnsafeBuffer b6 = at11(v6);
        classifier.classify(b6, 11, v6.length, frame);
        TestPackets.fixChecksums(b6, frame);
        final UdpView udp = new UdpView().wrap(b6, frame.l4Offset(), frame.l4Length());
        assertEquals(17, udp.udpLength());
        udp.sourcePortUpdatingChecksum(7).destinationPortUpdatingChecksum(8)
            .adjustChecksumForAddress(V6_PREFIX, VIP6_LO, V6_PREFIX, 0x99);
        new Ipv6View().wrap(b6, frame.l3Offset(), frame.l3Length()).destination(V6_PREFIX, 0x99);
        assertEquals(udp.computeChecksumV6(frame.l3Offset()), udp.checksum());

        // TCP over IPv6 and UDP over IPv4 through the same views
        final TcpView tcp6 = new TcpView();
        final byte[] t6 = TestPackets.ethernet(0x86DD, TestPackets.ipv6(6, CLIENT6_LO, VIP6_LO,
            TestPackets.tcp(1, 2, TcpView.ACK, 1)));
        final UnsafeBuffer bt6 = new UnsafeBuffer(t6);
        classifier.classify(bt6, 0, t6.length, frame);
        TestPackets.fixChecksums(bt6, frame);
        tcp6.wrap(bt6, frame.l4Offset(), frame.l4Length()).adjustChecksumForAddress(V6_PREFIX, CLIENT6_LO, 5, 6);
        new Ipv6View().wrap(bt6, frame.l3Offset(), 40).source(5, 6);
        assertEquals(tcp6.computeChecksumV6(frame.l3Offset()), tcp6.checksum());

        final byte[] u4 = TestPackets.ethernet(0x0800, TestPackets.ipv4(17, CLIENT, VIP, TestPackets.udp(1, 2, 1)));
        final UnsafeBuffer bu4 = new UnsafeBuffer(u4);
        classifier.classify(bu4, 0, u4.length, frame);
        final UdpView udp4 = new UdpView().wrap(bu4, frame.l4Offset(), frame.l4Length());
        udp4.checksum(0).sourcePortUpdatingChecksum(9).adjustChecksumForAddress(CLIENT, 1);
        assertEquals(0, udp4.checksum(), "no checksum stays no checksum");
        udp4.checksum(udp4.computeChecksumV4(frame.l3Offset())).udpLength(9).sourcePort(3).destinationPort(4);
        assertEquals(9, udp4.udpLength());
        assertEquals(3, udp4.sourcePort());
        assertEquals(4, udp4.destinationPort());
    }

    @Test
    void sctpAndIcmpViews()
    {
        final byte[] sctpBytes = new byte[28];
        final UnsafeBuffer s = new UnsafeBuffer(sctpBytes);
        final SctpView sctp = new SctpView().wrap(s, 0, 28);
        sctp.sourcePort(3868).destinationPort(2905);
        s.putInt(4, 0xDEAD_BEEF, ByteOrder.BIG_ENDIAN);
        sctp.updateChecksum();
        assertEquals(3868, sctp.sourcePort());
        assertEquals(2905, sctp.destinationPort());
        assertEquals(0xDEAD_BEEF, sctp.verificationTag());
        assertEquals(sctp.computeChecksum(), sctp.checksum());
        assertEquals(Checksums.sctpChecksum(s, 0, 28), s.getInt(8, ByteOrder.LITTLE_ENDIAN));

        final UnsafeBuffer i4 = new UnsafeBuffer(new byte[16]);
        final Icmpv4View icmp = new Icmpv4View().wrap(i4, 0, 16);
        icmp.typeAndCode(Icmpv4View.TYPE_ECHO_REQUEST, 0).restOfHeader(0x0042_0007).updateChecksum();
        assertEquals(8, icmp.type());
        assertEquals(0, icmp.code());
        assertEquals(0x42, icmp.identifier());
        assertEquals(7, icmp.sequenceNumber());
        assertEquals(0x0042_0007, icmp.restOfHeader());
        assertFalse(icmp.isError());
        assertEquals(0xFFFF, Checksums.fold(Checksums.sum(i4, 0, 16)));
        icmp.typeAndCode(Icmpv4View.TYPE_DESTINATION_UNREACHABLE, Icmpv4View.CODE_FRAGMENTATION_NEEDED)
            .restOfHeader(1400).checksum(1);
        assertTrue(icmp.isError());
        assertEquals(1400, icmp.nextHopMtu());
        assertEquals(8, icmp.quoteOffset());
        assertEquals(8, icmp.quoteLength());
        assertEquals(1, icmp.checksum());
        assertTrue(Icmpv4View.isErrorType(Icmpv4View.TYPE_PARAMETER_PROBLEM));
        assertTrue(Icmpv4View.isErrorType(Icmpv4View.TYPE_SOURCE_QUENCH));
        assertTrue(Icmpv4View.isErrorType(Icmpv4View.TYPE_REDIRECT));
        assertFalse(Icmpv4View.isErrorType(Icmpv4View.TYPE_ECHO_REPLY));

        final byte[] v6 = TestPackets.ethernet(0x86DD,
            TestPackets.ipv6(58, CLIENT6_LO, VIP6_LO, TestPackets.icmp(128, 0, 0x0001_0002, new byte[5])));
        final UnsafeBuffer b6 = new UnsafeBuffer(v6);
        classifier.classify(b6, 0, v6.length, frame);
        final Icmpv6View icmp6 = new Icmpv6View().wrap(b6, frame.l4Offset(), frame.l4Length());
        icmp6.updateChecksum(frame.l3Offset());
        assertEquals(icmp6.computeChecksum(frame.l3Offset()), icmp6.checksum());
        assertEquals(1, icmp6.identifier());
        assertEquals(2, icmp6.sequenceNumber());
        assertFalse(icmp6.isError());
        icmp6.adjustChecksumForAddress(V6_PREFIX, VIP6_LO, 7, 8);
        new Ipv6View().wrap(b6, frame.l3Offset(), 40).destination(7, 8);
        assertEquals(icmp6.computeChecksum(frame.l3Offset()), icmp6.checksum());
        icmp6.typeAndCode(Icmpv6View.TYPE_PACKET_TOO_BIG, 0).restOfHeader(1280).checksum(0);
        assertEquals(1280, icmp6.mtu());
        assertTrue(icmp6.isError());
        assertEquals(frame.l4Offset() + 8, icmp6.quoteOffset());
        assertEquals(5, icmp6.quoteLength());
        assertEquals(0, icmp6.checksum());
    }

    @Test
    void ipInIpView()
    {
        final byte[] inner = TestPackets.ipv4(17, CLIENT, VIP, TestPackets.udp(1, 2, 0));
        final byte[] outer = TestPackets.ipv4(4, 1, REAL_SERVER, new byte[] {1, 1, 1, 0}, inner);
        final IpIpView view = new IpIpView().wrap(at11(outer), 11, outer.length);
        assertTrue(view.isIpIp());
        assertEquals(REAL_SERVER, view.outer().destinationAddress());
        assertEquals(11 + 24, view.inner().offset());
        assertEquals(inner.length, view.inner().length());
        assertEquals(CLIENT, view.inner().sourceAddress());
        final byte[] notIpIp = TestPackets.ipv4(17, 1, 2, inner);
        assertFalse(new IpIpView().wrap(new UnsafeBuffer(notIpIp), 0, notIpIp.length).isIpIp());
        final byte[] empty = TestPackets.ipv4(4, 1, 2, new byte[0]);
        assertFalse(new IpIpView().wrap(new UnsafeBuffer(empty), 0, empty.length).isIpIp());
    }

    @Test
    void viewsReadAnyDirectBufferButWriteOnlyMutableOnes()
    {
        final byte[] bytes = TestPackets.ethernet(0x0800, new byte[20]);
        final UnsafeBuffer delegate = new UnsafeBuffer(bytes);
        // a DirectBuffer that is not a MutableDirectBuffer
        final DirectBuffer readOnly = (DirectBuffer)Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {DirectBuffer.class}, (proxy, method, args) -> method.invoke(delegate, args));
        final EthernetView eth = new EthernetView().wrap(readOnly, 0, bytes.length);
        assertEquals(DIRECTOR_MAC, eth.destinationMac());
        assertTrue(readOnly == eth.buffer());
        assertEquals(0, eth.offset());
        assertEquals(bytes.length, eth.length());
        assertThrows(NullPointerException.class, () -> eth.destinationMac(1));
        assertEquals(FrameKind.MALFORMED, classifier.classify(readOnly, 0, bytes.length, frame));
        assertEquals(Malformation.BAD_VERSION, frame.malformation());
        assertEquals("MALFORMED BAD_VERSION", frame.toString());
    }
}
