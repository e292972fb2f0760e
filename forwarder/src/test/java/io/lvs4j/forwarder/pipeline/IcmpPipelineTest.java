package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.ICMP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.NO_OPTIONS;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.TCP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ethernet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getInt;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.icmpErrorFrame;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.icmpMessage;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.inet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ipv4Packet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.l3;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.onesSum;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapIcmp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapIp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpSegment;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_CLIENT_SIDE;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.ROUTER;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.ROUTER_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP_TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IpV4Packet;

import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * TTL expiry (lvs-keepalived.md §5.1: TTL ≤ 1 -> ICMP time exceeded, drop) and the relay of ICMP errors that belong
 * to a connection (§5.6), for DR and NAT, with checksums verified by pcap4j and by hand.
 */
@Timeout(20)
class IcmpPipelineTest
{
    private PipelineHarness h;

    @AfterEach
    void close()
    {
        if (h != null)
        {
            h.close();
        }
    }

    private void start(final boolean nat)
    {
        h = PipelineHarness.start();
        final VirtualService web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, nat ? RealServers.nat(RS1_TEXT, 8080, 1) : RealServers.direct(RS1_TEXT, 80, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
    }

    private static boolean isTcp(final byte[] f)
    {
        return isIpv4Proto(f, TCP);
    }

    private static boolean isIcmp(final byte[] f)
    {
        return isIpv4Proto(f, ICMP);
    }

    private void open(final int cport)
    {
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, cport, VIP, 80, TcpView.SYN));
        h.awaitOne(IcmpPipelineTest::isTcp, "SYN");
    }

    // ------------------------------------------------------------------------------------------ TTL

    private void ttlOneIsAnsweredWithTimeExceeded(final boolean nat)
    {
        start(nat);
        final byte[] frame = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 45000, VIP, 80, TcpView.SYN, 1, 0, true,
            payload(12, 1));
        final byte[] original = l3(frame);
        h.inject(frame);
        final byte[] icmp = h.awaitOne(IcmpPipelineTest::isIcmp, "ICMP time exceeded");
        h.barrier();
        h.assertNothingSent(IcmpPipelineTest::isTcp, "a TTL-1 packet is not forwarded");
        assertEquals(1, h.drops(DropReason.TTL_EXCEEDED));

        assertEquals(CLIENT_MAC, mac(icmp, 0), "back to the client's MAC");
        assertEquals(DIRECTOR_MAC, mac(icmp, 6));
        final IpV4Packet ip = pcapIp(icmp);
        assertEquals(inet(CLIENT), ip.getHeader().getDstAddr());
        assertEquals(inet(DIRECTOR_CLIENT_SIDE), ip.getHeader().getSrcAddr(), "from the director's own address");
        final IcmpV4CommonPacket common = pcapIcmp(icmp);
        assertEquals(11, common.getHeader().getType().value() & 0xFF, "type 11 time exceeded");
        assertEquals(0, common.getHeader().getCode().value() & 0xFF, "code 0 TTL exceeded in transit");
        final byte[] message = Arrays.copyOfRange(l3(icmp), 20, l3(icmp).length);
        assertEquals(0, getInt(message, 4), "unused word is 0");
        assertArrayEquals(Arrays.copyOf(original, 28), Arrays.copyOfRange(message, 8, message.length),
            "quotes the original IP header (TTL 1, as received) and its first 8 data bytes");
    }

    @Test
    void drTtlOneIsAnsweredWithTimeExceeded()
    {
        ttlOneIsAnsweredWithTimeExceeded(false);
    }

    @Test
    void natTtlOneIsAnsweredWithTimeExceeded()
    {
        ttlOneIsAnsweredWithTimeExceeded(true);
    }

    @Test
    void ttlTwoIsForwardedWithTtlOne()
    {
        start(false);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 45100, VIP, 80, TcpView.SYN, 2, 0, true, NO_OPTIONS));
        final byte[] out = h.awaitOne(IcmpPipelineTest::isTcp, "SYN");
        assertEquals(1, out[22] & 0xFF);
        assertEquals(0, h.drops(DropReason.TTL_EXCEEDED));
    }

    @Test
    void ttlZeroIsNotForwardedEither()
    {
        start(false);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 45200, VIP, 80, TcpView.SYN, 0, 0, true, NO_OPTIONS));
        h.barrier();
        h.assertNothingSent(IcmpPipelineTest::isTcp, "TTL 0 must not be forwarded");
        assertEquals(1, h.drops(DropReason.TTL_EXCEEDED));
    }

    // ------------------------------------------------------------------------------------------ relay

    /** What the real server sent back to the client (source VIP:80 in DR; the router quotes it). */
    private static byte[] serverToClient(final int cport, final int ttl)
    {
        return ipv4Packet(0, 0x1111, 0x4000, ttl, TCP, VIP, CLIENT, NO_OPTIONS,
            tcpSegment(VIP, CLIENT, 80, cport, TcpView.ACK | TcpView.PSH, 777, 1001, payload(1400, 5)));
    }

    @Test
    void drRelaysFragmentationNeededAboutAConnectionToItsRealServer()
    {
        start(false);
        open(45300);
        final byte[] error = icmpErrorFrame(ROUTER_MAC, DIRECTOR_MAC, ROUTER, VIP, 3, 4, 1400,
            serverToClient(45300, 60));
        final byte[] sentIp = l3(error);
        h.inject(error);
        final byte[] out = h.awaitOne(IcmpPipelineTest::isIcmp, "the relayed ICMP error");
        assertEquals(RS1_MAC, mac(out, 0), "to the connection's real server");
        assertEquals(DIRECTOR_MAC, mac(out, 6));
        pcapIcmp(out);
        final byte[] got = l3(out);
        final byte[] expected = sentIp.clone();
        expected[8]--;
        System.arraycopy(got, 10, expected, 10, 2);
        assertArrayEquals(expected, got, "DR relays the error unchanged but TTL (outer destination stays the VIP)");
        assertEquals(VIP, getInt(got, 16));
    }

    @Test
    void tunRelaysErrorsAboutAConnectionEncapsulated()
    {
        h = PipelineHarness.start();
        final VirtualService web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.tunnel(RS1_TEXT, 80, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 45350, VIP, 80, TcpView.SYN));
        h.awaitOne(f -> isIpv4Proto(f, PipelineFrames.IPIP), "SYN");
        final byte[] error = icmpErrorFrame(ROUTER_MAC, DIRECTOR_MAC, ROUTER, VIP, 3, 4, 1400,
            serverToClient(45350, 60));
        final byte[] sentIp = l3(error);
        h.inject(error);
        final byte[] out = h.awaitOne(f -> isIpv4Proto(f, PipelineFrames.IPIP), "the encapsulated ICMP error");
        assertEquals(RS1_MAC, mac(out, 0));
        final IpV4Packet outer = pcapIp(out);
        assertEquals(inet(RS1), outer.getHeader().getDstAddr());
        final byte[] inner = Arrays.copyOfRange(out, 34, out.length);
        final byte[] expected = sentIp.clone();
        expected[8]--;
        System.arraycopy(inner, 10, expected, 10, 2);
        assertArrayEquals(expected, inner, "§5.6: TUN relays the error encapsulated, unchanged but TTL");
        assertEquals(0xFFFF, onesSum(inner, 0, 20, 0));
    }

    @Test
    void natRelaysClientSideErrorsTranslatedToTheRealServer()
    {
        start(true);
        open(45400);
        final byte[] offending = serverToClient(45400, 60);
        h.inject(icmpErrorFrame(ROUTER_MAC, DIRECTOR_MAC, ROUTER, VIP, 3, 4, 1400, offending));
        final byte[] out = h.awaitOne(IcmpPipelineTest::isIcmp, "the translated ICMP error");
        assertEquals(RS1_MAC, mac(out, 0));
        final IpV4Packet ip = pcapIp(out);
        pcapIcmp(out);
        assertEquals(inet(ROUTER), ip.getHeader().getSrcAddr(), "outer source is the reporting router");
        assertEquals(inet(RS1), ip.getHeader().getDstAddr(), "outer destination VIP -> real server");
        final byte[] msg = Arrays.copyOfRange(l3(out), 20, l3(out).length);
        assertEquals(3, msg[0]);
        assertEquals(4, msg[1]);
        assertEquals(1400, getShort(msg, 6), "next-hop MTU kept");
        final byte[] quoted = Arrays.copyOfRange(msg, 8, msg.length);
        assertEquals(28, quoted.length);
        assertEquals(RS1, getInt(quoted, 12), "quoted source VIP -> real server");
        assertEquals(CLIENT, getInt(quoted, 16), "quoted destination still the client");
        assertEquals(8080, getShort(quoted, 20), "quoted source port 80 -> 8080");
        assertEquals(45400, getShort(quoted, 22));
        assertEquals(0xFFFF, onesSum(quoted, 0, 20, 0), "quoted IP header checksum fixed");
        // everything else in the quote is as the router sent it
        final byte[] expectedQuote = Arrays.copyOf(offending, 28);
        System.arraycopy(quoted, 10, expectedQuote, 10, 6);
        System.arraycopy(quoted, 20, expectedQuote, 20, 2);
        assertArrayEquals(expectedQuote, quoted);
    }

    @Test
    void natRelaysRealServerSideErrorsTranslatedToTheVip()
    {
        start(true);
        open(45500);
        // the client's packet as the real server (or a router on its side) saw it: CLIENT:45500 -> RS1:8080
        final byte[] offending = ipv4Packet(0, 0x2222, 0x4000, 63, TCP, CLIENT, RS1, NO_OPTIONS,
            tcpSegment(CLIENT, RS1, 45500, 8080, TcpView.ACK, 1001, 777, payload(100, 1)));
        h.inject(icmpErrorFrame(RS1_MAC, DIRECTOR_MAC, RS1, CLIENT, 3, 3, 0, offending));
        final byte[] out = h.awaitOne(IcmpPipelineTest::isIcmp, "the translated ICMP error");
        assertEquals(CLIENT_MAC, mac(out, 0), "to the client's MAC (learned from its request)");
        final IpV4Packet ip = pcapIp(out);
        pcapIcmp(out);
        assertEquals(inet(VIP), ip.getHeader().getSrcAddr(), "outer source RIP -> VIP");
        assertEquals(inet(CLIENT), ip.getHeader().getDstAddr());
        final byte[] msg = Arrays.copyOfRange(l3(out), 20, l3(out).length);
        final byte[] quoted = Arrays.copyOfRange(msg, 8, msg.length);
        assertEquals(CLIENT, getInt(quoted, 12));
        assertEquals(VIP, getInt(quoted, 16), "quoted destination RIP -> VIP");
        assertEquals(45500, getShort(quoted, 20));
        assertEquals(80, getShort(quoted, 22), "quoted destination port 8080 -> 80");
        assertEquals(0xFFFF, onesSum(quoted, 0, 20, 0), "quoted IP header checksum fixed");
    }

    @Test
    void icmpErrorAboutAnUnknownConnectionIsDropped()
    {
        start(true);
        open(45600);
        // client side, but another client port
        h.inject(icmpErrorFrame(ROUTER_MAC, DIRECTOR_MAC, ROUTER, VIP, 3, 4, 1400, serverToClient(45601, 60)));
        // real-server side, unknown connection
        h.inject(icmpErrorFrame(RS1_MAC, DIRECTOR_MAC, RS1, CLIENT, 3, 3, 0,
            ipv4Packet(0, 1, 0, 63, TCP, CLIENT, RS1, NO_OPTIONS,
                tcpSegment(CLIENT, RS1, 45602, 8080, TcpView.ACK, 1, 1, NO_OPTIONS))));
        // time exceeded quoting the VIP to a third party
        h.inject(icmpErrorFrame(ROUTER_MAC, DIRECTOR_MAC, ROUTER, VIP, 11, 0, 0,
            ipv4Packet(0, 1, 0, 1, TCP, VIP, PipelineHarness.CLIENT2, NO_OPTIONS,
                tcpSegment(VIP, PipelineHarness.CLIENT2, 80, 45600, TcpView.ACK, 1, 1, NO_OPTIONS))));
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "ICMP errors without a connection are not relayed");
        assertEquals(3, h.drops(DropReason.ICMP_UNRELATED));
    }

    @Test
    void echoRequestToTheVipIsNotAnswered()
    {
        start(false);
        final long notOurs = h.drops(DropReason.NOT_OURS);
        h.inject(ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 9, 0, 64, ICMP, CLIENT, VIP, NO_OPTIONS,
            icmpMessage(8, 0, 0x12340001, payload(56, 1)))));
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "no echo reply from the VIP (and nothing forwarded)");
        assertEquals(notOurs + 1, h.drops(DropReason.NOT_OURS));
    }
}
