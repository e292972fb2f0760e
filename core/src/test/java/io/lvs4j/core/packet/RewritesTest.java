package io.lvs4j.core.packet;

import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.SplittableRandom;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.flow.FlowKey;
import org.agrona.concurrent.UnsafeBuffer;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

/**
 * In-place rewrites keep every checksum right: after any sequence of address, port, TTL and TOS rewrites, the
 * incrementally updated checksums equal full recomputes (and pcap4j's verification agrees), for IPv4 and IPv6,
 * TCP, UDP (with its zero rules), SCTP and ICMPv6, with payloads of any length, odd included.
 */
class RewritesTest
{
    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();
    private final ClassifiedFrame after = new ClassifiedFrame();

    @Test
    void incrementalChecksumsEqualFullRecomputeAfterRandomRewrites()
    {
        PropertyCheck.forAll("incrementalChecksumsEqualFullRecomputeAfterRandomRewrites", 1000, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final RandomFrames.Transport[] transports = {
                RandomFrames.Transport.TCP, RandomFrames.Transport.UDP, RandomFrames.Transport.SCTP,
                RandomFrames.Transport.ICMP_ECHO};
            final int ipVersion = r.nextBoolean() ? 4 : 6;
            final RandomFrames.Frame generated = RandomFrames.frame(r, ipVersion, transports[r.nextInt(transports.length)]);
            final int base = r.nextInt(0, 9);
            final byte[] backing = new byte[base + generated.bytes.length];
            System.arraycopy(generated.bytes, 0, backing, base, generated.bytes.length);
            final UnsafeBuffer buffer = new UnsafeBuffer(backing);
            final int length = generated.bytes.length;
            classifier.classify(buffer, base, length, frame);
            final FrameKind kind = frame.kind();

            // UDP starts out with a regular checksum, "none" (IPv4 only), or a computed 0 sent as 0xFFFF
            final boolean udp = kind == FrameKind.IPV4_UDP || kind == FrameKind.IPV6_UDP;
            final int udpCase = udp ? r.nextInt(3) : 0;
            if (udpCase == 1 && kind == FrameKind.IPV4_UDP)
            {
                buffer.putShort(frame.l4Offset() + 6, (short)0, BIG);
            }
            else if (udpCase == 2 && frame.payloadLength() >= 2)
            {
                makeUdpChecksumComputeToZero(buffer, frame);
            }
            final int udpBefore = udp ? buffer.getShort(frame.l4Offset() + 6, BIG) & 0xFFFF : -1;

            final FlowKey expected = new FlowKey().set(frame.flow());
            int expectedTtl = frame.ttl();
            int expectedTos = frame.tos();
            for (int i = 0, n = r.nextInt(1, 6); i < n; i++)
            {
                switch (r.nextInt(5))
                {
                    case 0:
                        if (ipVersion == 4)
                        {
                            final int address = r.nextInt();
                            assertTrue(Rewrites.setIpv4Destination(buffer, frame, address));
                            expected.setV4(expected.protocol(), expected.srcV4(), expected.srcPort(), address,
                                expected.dstPort());
                        }
                        else
                        {
                            final long hi = r.nextLong();
                            final long lo = r.nextLong();
                            assertTrue(Rewrites.setIpv6Destination(buffer, frame, hi, lo));
                            expected.setV6(expected.protocol(), expected.srcHi(), expected.srcLo(), expected.srcPort(),
                                hi, lo, expected.dstPort());
                        }
                        break;
                    case 1:
                        if (ipVersion == 4)
                        {
                            final int address = r.nextInt();
                            assertTrue(Rewrites.setIpv4Source(buffer, frame, address));
                            expected.setV4(expected.protocol(), address, expected.srcPort(), expected.dstV4(),
                                expected.dstPort());
                        }
                        else
                        {
                            final long hi = r.nextLong();
                            final long lo = r.nextLong();
                            assertTrue(Rewrites.setIpv6Source(buffer, frame, hi, lo));
                            expected.setV6(expected.protocol(), hi, lo, expected.srcPort(),
                                expected.dstHi(), expected.dstLo(), expected.dstPort());
                        }
                        break;
                    case 2:
                    {
                        final boolean source = r.nextBoolean();
                        final int port = udp && r.nextInt(3) == 0 ?
                            portMakingChecksumZero(buffer, frame, source) : r.nextInt(65536);
                        final boolean done = source ? Rewrites.setSourcePort(buffer, frame, port) :
                            Rewrites.setDestinationPort(buffer, frame, port);
                        assertEquals(kind.hasPorts(), done);
                        if (done)
                        {
                            if (source)
                            {
                                expected.srcPort(port);
                            }
                            else
                            {
                                expected.dstPort(port);
                            }
                        }
                        break;
                    }
                    case 3:
                    {
                        final int ttl = Rewrites.decrementTtl(buffer, frame);
                        if (expectedTtl <= 1)
                        {
                            assertEquals(0, ttl);
                        }
                        else
                        {
                            assertEquals(--expectedTtl, ttl);
                        }
                        break;
                    }
                    default:
                        expectedTos = r.nextInt(256);
                        assertTrue(Rewrites.setTos(buffer, frame, expectedTos));
                        break;
                }
            }

            assertEquals(kind, classifier.classify(buffer, base, length, after), "IPv4 header checksum still valid");
            assertTrue(after.flow().sameAs(expected), () -> after.flow() + " vs " + expected);
            assertEquals(expectedTtl, after.ttl());
            assertEquals(expectedTos, after.tos());

            final int l3 = after.l3Offset();
            final int l4 = after.l4Offset();
            switch (kind)
            {
                case IPV4_TCP:
                    assertEquals(Checksums.tcpChecksumV4(buffer, l3, l4, after.l4Length()), stored(buffer, l4 + 16));
                    break;
                case IPV6_TCP:
                    assertEquals(Checksums.tcpChecksumV6(buffer, l3, l4, after.l4Length()), stored(buffer, l4 + 16));
                    break;
                case IPV4_UDP:
                case IPV6_UDP:
                    if (udpBefore == 0)
                    {
                        assertEquals(0, stored(buffer, l4 + 6), "a zero UDP checksum stays zero");
                    }
                    else
                    {
                        final int full = kind == FrameKind.IPV4_UDP ?
                            Checksums.udpChecksumV4(buffer, l3, l4, after.l4Length()) :
                            Checksums.udpChecksumV6(buffer, l3, l4, after.l4Length());
                        assertEquals(full, stored(buffer, l4 + 6));
                    }
                    break;
                case IPV4_SCTP:
                case IPV6_SCTP:
                    assertEquals(Checksums.sctpChecksum(buffer, l4, after.l4Length()),
                        buffer.getInt(l4 + 8, ByteOrder.LITTLE_ENDIAN));
                    break;
                case IPV4_ICMP:
                    assertEquals(Checksums.icmpv4Checksum(buffer, l4, after.l4Length()), stored(buffer, l4 + 2));
                    break;
                case IPV6_ICMP:
                    assertEquals(Checksums.icmpv6Checksum(buffer, l3, l4, after.l4Length()), stored(buffer, l4 + 2));
                    break;
                default:
                    throw new AssertionError(kind);
            }
            verifyWithPcap4j(backing, base, length, udpBefore == 0);
        });
    }

    /** pcap4j's own verification of what we wrote, where pcap4j parses the transport. */
    private static void verifyWithPcap4j(
        final byte[] backing, final int base, final int length, final boolean udpZero) throws IllegalRawDataException
    {
        final EthernetPacket parsed = EthernetPacket.newPacket(backing, base, length);
        final IpV4Packet ipv4 = parsed.get(IpV4Packet.class);
        if (ipv4 != null)
        {
            assertTrue(ipv4.getHeader().hasValidChecksum(false));
        }
        final IpPacket ip = parsed.get(IpPacket.class);
        final TcpPacket tcp = parsed.get(TcpPacket.class);
        if (tcp != null)
        {
            assertTrue(tcp.hasValidChecksum(ip.getHeader().getSrcAddr(), ip.getHeader().getDstAddr(), false));
        }
        final UdpPacket udp = parsed.get(UdpPacket.class);
        if (udp != null)
        {
            assertTrue(udp.hasValidChecksum(ip.getHeader().getSrcAddr(), ip.getHeader().getDstAddr(), udpZero));
        }
    }

    /** Changes a payload word so that the UDP checksum computes to 0, then stores it as 0xFFFF. */
    private static void makeUdpChecksumComputeToZero(final UnsafeBuffer buffer, final ClassifiedFrame f)
    {
        final int l4 = f.l4Offset();
        final int word = l4 + 8;
        buffer.putShort(word, (short)0, BIG);
        final long pseudo = f.kind().isIpv4() ?
            Checksums.pseudoHeaderSumV4(buffer, f.l3Offset(), 17, f.l4Length()) :
            Checksums.pseudoHeaderSumV6(buffer, f.l3Offset(), 17, f.l4Length());
        final int raw = Checksums.finish(pseudo + Checksums.sumSkippingField(buffer, l4, f.l4Length(), 6));
        buffer.putShort(word, (short)raw, BIG);
        buffer.putShort(l4 + 6, (short)0xFFFF, BIG);
        assertEquals(0xFFFF, f.kind().isIpv4() ?
            Checksums.udpChecksumV4(buffer, f.l3Offset(), l4, f.l4Length()) :
            Checksums.udpChecksumV6(buffer, f.l3Offset(), l4, f.l4Length()));
    }

    /**
     * The port that makes the UDP checksum come out as 0 (so that it must be sent as 0xFFFF): with
     * {@code s = ~C + ~m}, the new port {@code ~s} makes the sum all ones.
     */
    private static int portMakingChecksumZero(final UnsafeBuffer buffer, final ClassifiedFrame f, final boolean source)
    {
        final int checksum = stored(buffer, f.l4Offset() + 6);
        final int old = stored(buffer, f.l4Offset() + (source ? 0 : 2));
        return ~Checksums.fold((~checksum & 0xFFFF) + (~old & 0xFFFF)) & 0xFFFF;
    }

    private static int stored(final UnsafeBuffer buffer, final int at)
    {
        return buffer.getShort(at, BIG) & 0xFFFF;
    }

    // --------------------------------------------------------------------------------------- unit examples

    @Test
    void natInboundRewritesDestinationAddressAndPort()
    {
        final byte[] bytes = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
            TestPackets.ipv4(6, TestPackets.CLIENT, TestPackets.VIP, TestPackets.tcp(40000, 80, TcpView.SYN, 5)));
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        classifier.classify(buffer, 0, bytes.length, frame);
        TestPackets.fixChecksums(buffer, frame);

        assertTrue(Rewrites.setIpv4Destination(buffer, frame, TestPackets.REAL_SERVER));
        assertTrue(Rewrites.setDestinationPort(buffer, frame, 8080));
        assertEquals(63, Rewrites.decrementTtl(buffer, frame));
        Rewrites.setMacs(buffer, frame, TestPackets.REAL_SERVER_MAC, TestPackets.DIRECTOR_MAC);

        classifier.classify(buffer, 0, bytes.length, after);
        assertEquals(FrameKind.IPV4_TCP, after.kind());
        assertEquals(TestPackets.REAL_SERVER, after.flow().dstV4());
        assertEquals(8080, after.flow().dstPort());
        final TcpView tcp = new TcpView().wrap(buffer, after.l4Offset(), after.l4Length());
        assertEquals(tcp.computeChecksumV4(after.l3Offset()), tcp.checksum());
        final EthernetView eth = new EthernetView().wrap(buffer, 0, bytes.length);
        assertEquals(TestPackets.REAL_SERVER_MAC, eth.destinationMac());
        assertEquals(TestPackets.DIRECTOR_MAC, eth.sourceMac());
    }

    @Test
    void ttlOfOneIsNotDecremented()
    {
        final byte[] bytes = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
            TestPackets.ipv4(17, TestPackets.CLIENT, TestPackets.VIP, TestPackets.udp(1, 2, 0)));
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        new Ipv4View().wrap(buffer, 14, 28).ttl(1).updateChecksum();
        classifier.classify(buffer, 0, bytes.length, frame);
        final byte[] before = bytes.clone();
        assertEquals(0, Rewrites.decrementTtl(buffer, frame));
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(bytes));

        final byte[] v6 = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV6,
            TestPackets.ipv6(17, 1, 2, TestPackets.udp(1, 2, 0)));
        final UnsafeBuffer b6 = new UnsafeBuffer(v6);
        classifier.classify(b6, 0, v6.length, frame);
        assertEquals(63, Rewrites.decrementTtl(b6, frame));
        new Ipv6View().wrap(b6, 14, 48).hopLimit(1);
        assertEquals(0, Rewrites.decrementTtl(b6, frame));
    }

    @Test
    void rewritesRefuseFieldsTheFrameDoesNotHave()
    {
        final byte[] bytes = TestPackets.ethernet(EthernetView.ETHERTYPE_ARP,
            TestPackets.arp(1, TestPackets.CLIENT_MAC, TestPackets.CLIENT, TestPackets.VIP));
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        classifier.classify(buffer, 0, bytes.length, frame);
        final byte[] before = bytes.clone();
        assertFalse(Rewrites.setIpv4Destination(buffer, frame, 1));
        assertFalse(Rewrites.setIpv6Source(buffer, frame, 1, 2));
        assertFalse(Rewrites.setDestinationPort(buffer, frame, 1));
        assertFalse(Rewrites.setTos(buffer, frame, 1));
        assertEquals(-1, Rewrites.decrementTtl(buffer, frame));
        assertEquals(java.util.Arrays.toString(before), java.util.Arrays.toString(bytes));

        final byte[] icmp = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4,
            TestPackets.ipv4(1, TestPackets.CLIENT, TestPackets.VIP, TestPackets.icmp(8, 0, 1, new byte[4])));
        classifier.classify(new UnsafeBuffer(icmp), 0, icmp.length, frame);
        assertFalse(Rewrites.setSourcePort(new UnsafeBuffer(icmp), frame, 1));
        assertFalse(Rewrites.setIpv6Destination(new UnsafeBuffer(icmp), frame, 1, 2));
    }

    @Test
    void firstFragmentKeepsItsTransportChecksumRightForReassembly()
    {
        // a UDP datagram split in two: the first fragment carries the header and checksum of the whole
        final byte[] whole = TestPackets.ipv4(17, TestPackets.CLIENT, TestPackets.VIP, TestPackets.udp(5, 53, 40));
        final UnsafeBuffer w = new UnsafeBuffer(whole);
        w.putShort(20 + 6, (short)Checksums.udpChecksumV4(w, 0, 20, 48), BIG);

        final byte[] first = TestPackets.ipv4(17, TestPackets.CLIENT, TestPackets.VIP, java.util.Arrays.copyOfRange(
            whole, 20, 20 + 24));
        new Ipv4View().wrap(new UnsafeBuffer(first), 0, first.length).flagsAndFragmentOffset(Ipv4View.FLAG_MF)
            .updateChecksum();
        final byte[] bytes = TestPackets.ethernet(EthernetView.ETHERTYPE_IPV4, first);
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertEquals(FrameKind.IPV4_FRAGMENT, classifier.classify(buffer, 0, bytes.length, frame));
        assertTrue(Rewrites.setIpv4Destination(buffer, frame, TestPackets.REAL_SERVER));
        assertFalse(Rewrites.setDestinationPort(buffer, frame, 1));

        // reassemble by hand and check the datagram's checksum
        new Ipv4View().wrap(w, 0, whole.length).destinationAddressUpdatingChecksum(TestPackets.REAL_SERVER);
        w.putBytes(20, buffer, 14 + 20, 24);
        assertEquals(Checksums.udpChecksumV4(w, 0, 20, 48), w.getShort(26, BIG) & 0xFFFF);
    }
}
