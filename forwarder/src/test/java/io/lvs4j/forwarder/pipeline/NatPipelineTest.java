package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.NO_OPTIONS;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.UDP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.assertUdpChecksumVerifies;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ethernet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.inet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ipv4Packet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.l3;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.onesSum;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapIp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapTcp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapUdp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pseudoHeader;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.putShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.udpDatagram;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.udpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
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

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.neighbour.RouteTable;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * NAT (masquerading) both ways, checked with pcap4j (lvs-keepalived.md §5.3, §2.3, §12.2).
 */
@Timeout(20)
class NatPipelineTest
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

    private VirtualService startTcp()
    {
        h = PipelineHarness.start();
        final VirtualService web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.nat(RS1_TEXT, 8080, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
        return web;
    }

    private VirtualService startUdp()
    {
        h = PipelineHarness.start();
        final VirtualService dns = VirtualService.udp(VIP_TEXT, 53).withScheduler("rr");
        h.director.addService(dns);
        h.director.addRealServer(dns, RealServers.nat(RS1_TEXT, 5353, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
        return dns;
    }

    private static boolean isTcp(final byte[] f)
    {
        return isIpv4Proto(f, PipelineFrames.TCP);
    }

    private static boolean isUdp(final byte[] f)
    {
        return isIpv4Proto(f, UDP);
    }

    @Test
    void tcpPortTranslationBothWaysWithValidChecksums()
    {
        final VirtualService web = startTcp();
        final int[] payloadLengths = {0, 1, 13, 512, 1400};
        for (int i = 0; i < payloadLengths.length; i++)
        {
            final int cport = 41000 + i;
            final byte[] body = payload(payloadLengths[i], i);
            final int flags = i == 0 ? TcpView.SYN : TcpView.ACK | TcpView.PSH;
            if (i > 0)
            {
                h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, cport, VIP, 80, TcpView.SYN));
                h.awaitOne(NatPipelineTest::isTcp, "SYN");
            }
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, cport, VIP, 80, flags, 64, 0, true, body));
            final byte[] in = h.awaitOne(NatPipelineTest::isTcp, "request " + i);
            assertEquals(RS1_MAC, mac(in, 0));
            assertEquals(DIRECTOR_MAC, mac(in, 6));
            final TcpPacket tcpIn = pcapTcp(in);
            final IpV4Packet ipIn = pcapIp(in);
            assertEquals(inet(CLIENT), ipIn.getHeader().getSrcAddr(), "client address kept");
            assertEquals(inet(RS1), ipIn.getHeader().getDstAddr(), "destination VIP -> RIP");
            assertEquals(cport, tcpIn.getHeader().getSrcPort().valueAsInt());
            assertEquals(8080, tcpIn.getHeader().getDstPort().valueAsInt(), "port 80 -> 8080");
            assertEquals(63, ipIn.getHeader().getTtlAsInt());
            assertArrayEquals(body, tcpIn.getPayload() == null ? new byte[0] : tcpIn.getPayload().getRawData());

            final byte[] replyBody = payload(payloadLengths[i] / 2 + 1, 100 + i);
            h.inject(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, cport, TcpView.ACK | TcpView.PSH, 64, 0, true,
                replyBody));
            final byte[] out = h.awaitOne(NatPipelineTest::isTcp, "reply " + i);
            assertEquals(CLIENT_MAC, mac(out, 0), "reply to the client's MAC");
            assertEquals(DIRECTOR_MAC, mac(out, 6));
            final TcpPacket tcpOut = pcapTcp(out);
            final IpV4Packet ipOut = pcapIp(out);
            assertEquals(inet(VIP), ipOut.getHeader().getSrcAddr(), "source RIP -> VIP");
            assertEquals(inet(CLIENT), ipOut.getHeader().getDstAddr());
            assertEquals(80, tcpOut.getHeader().getSrcPort().valueAsInt(), "port 8080 -> 80");
            assertEquals(cport, tcpOut.getHeader().getDstPort().valueAsInt());
            assertEquals(63, ipOut.getHeader().getTtlAsInt());
            assertArrayEquals(replyBody, tcpOut.getPayload().getRawData());
        }
        assertEquals(payloadLengths.length, h.director.service(web).outPackets());
    }

    @Test
    void udpTranslationBothWaysWithChecksum()
    {
        startUdp();
        for (int i = 0; i < 20; i++)
        {
            final int cport = 42000 + i;
            final byte[] q = payload(17 + i, i);
            h.inject(udpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, cport, VIP, 53, q, true));
            final byte[] in = h.awaitOne(NatPipelineTest::isUdp, "query " + i);
            final UdpPacket udpIn = pcapUdp(in);
            assertUdpChecksumVerifies(in);
            assertEquals(inet(RS1), pcapIp(in).getHeader().getDstAddr());
            assertEquals(5353, udpIn.getHeader().getDstPort().valueAsInt());
            assertArrayEquals(q, udpIn.getPayload().getRawData());

            h.inject(udpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 5353, CLIENT, cport, payload(40 + i, i), true));
            final byte[] out = h.awaitOne(NatPipelineTest::isUdp, "answer " + i);
            final UdpPacket udpOut = pcapUdp(out);
            assertUdpChecksumVerifies(out);
            assertEquals(inet(VIP), pcapIp(out).getHeader().getSrcAddr());
            assertEquals(53, udpOut.getHeader().getSrcPort().valueAsInt());
            assertEquals(cport, udpOut.getHeader().getDstPort().valueAsInt());
        }
    }

    @Test
    void udpWithoutChecksumKeepsAZeroChecksumBothWays()
    {
        startUdp();
        h.inject(udpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 42100, VIP, 53, payload(21, 3), false));
        final byte[] in = h.awaitOne(NatPipelineTest::isUdp, "query without checksum");
        assertEquals(5353, getShort(in, 36));
        assertEquals(0, getShort(in, 40),
            "§12.2: an all-zero UDP checksum means 'none' and must be left untouched by NAT");
        pcapUdp(in);

        h.inject(udpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 5353, CLIENT, 42100, payload(30, 4), false));
        final byte[] out = h.awaitOne(NatPipelineTest::isUdp, "answer without checksum");
        assertEquals(53, getShort(out, 34));
        assertEquals(0, getShort(out, 40), "§12.2: a zero UDP checksum stays zero on the reply path too");
        pcapUdp(out);
    }

    /**
     * A datagram whose checksum after translation would compute to 0 must carry 0xFFFF (§12.2: "must emit 0xFFFF
     * instead of 0"; RFC 768). The payload is chosen so that the translated datagram sums to exactly 0xFFFF.
     */
    @Test
    void udpChecksumThatBecomesZeroIsSentAsAllOnes()
    {
        startUdp();
        final int cport = 42200;
        final byte[] body = new byte[16];
        // the datagram as it will leave: CLIENT:cport -> RS1:5353, with the last payload word chosen
        final byte[] after = udpDatagram(CLIENT, RS1, cport, 5353, body, false);
        final int partial = onesSum(after, 0, after.length, pseudoHeader(CLIENT, RS1, UDP, after.length));
        putShort(body, 14, 0xFFFF - partial);
        final byte[] check = udpDatagram(CLIENT, RS1, cport, 5353, body, false);
        assertEquals(0xFFFF, onesSum(check, 0, check.length, pseudoHeader(CLIENT, RS1, UDP, check.length)),
            "test setup: the translated datagram's checksum computes to 0");

        h.inject(ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 7, 0, 64, UDP, CLIENT, VIP, NO_OPTIONS,
            udpDatagram(CLIENT, VIP, cport, 53, body, true))));
        final byte[] in = h.awaitOne(NatPipelineTest::isUdp, "query");
        assertEquals(0xFFFF, getShort(in, 40),
            "a UDP checksum that computes to 0 after NAT must be sent as 0xFFFF (0 would mean 'no checksum')");
        assertUdpChecksumVerifies(in);

        // and the reply direction: RS1:5353 -> CLIENT:cport, translated to VIP:53 -> CLIENT:cport
        final byte[] replyBody = new byte[16];
        final byte[] replyAfter = udpDatagram(VIP, CLIENT, 53, cport, replyBody, false);
        final int replyPartial = onesSum(replyAfter, 0, replyAfter.length,
            pseudoHeader(VIP, CLIENT, UDP, replyAfter.length));
        putShort(replyBody, 14, 0xFFFF - replyPartial);
        h.inject(ethernet(RS1_MAC, DIRECTOR_MAC, ipv4Packet(0, 8, 0, 64, UDP, RS1, CLIENT, NO_OPTIONS,
            udpDatagram(RS1, CLIENT, 5353, cport, replyBody, true))));
        final byte[] out = h.awaitOne(NatPipelineTest::isUdp, "answer");
        assertEquals(0xFFFF, getShort(out, 40), "reply path: a computed 0 is sent as 0xFFFF");
        assertUdpChecksumVerifies(out);
    }

    @Test
    void repliesForConnectionsThatDoNotExistAreNotForwarded()
    {
        startTcp();
        final long notOurs = h.drops(DropReason.NOT_OURS);
        // no connection at all
        h.inject(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 43000, TcpView.SYN | TcpView.ACK));
        // a connection exists, but the reply comes from the wrong port or goes to the wrong client port
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 43001, VIP, 80, TcpView.SYN));
        h.awaitOne(NatPipelineTest::isTcp, "SYN");
        h.inject(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 9999, CLIENT, 43001, TcpView.SYN | TcpView.ACK));
        h.inject(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 43002, TcpView.SYN | TcpView.ACK));
        h.inject(udpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 43001, payload(8, 1), true));
        h.barrier();
        h.assertNothingSent(NatPipelineTest::isTcp, "replies of unknown connections must not be forwarded");
        h.assertNothingSent(NatPipelineTest::isUdp, "replies of unknown connections must not be forwarded");
        assertEquals(notOurs + 4, h.drops(DropReason.NOT_OURS));

        // the real connection's reply still works
        h.inject(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 43001, TcpView.SYN | TcpView.ACK));
        final byte[] out = h.awaitOne(NatPipelineTest::isTcp, "real reply");
        assertEquals(VIP, PipelineFrames.getInt(out, 26));
        pcapTcp(out);
    }

    @Test
    void replyToAClientBehindARouterGoesToTheGatewaysMacOnceResolved()
    {
        final int remote = Ipv4Text.parse("100.64.0.5");
        h = PipelineHarness.start(c -> c.routes(new RouteTable(List.of(
            new RouteTable.Route(PipelineHarness.DIRECTOR_CLIENT_SIDE, 24, 0, 0, PipelineHarness.DIRECTOR_CLIENT_SIDE),
            new RouteTable.Route(PipelineHarness.DIRECTOR_SERVER_SIDE, 24, 0, 0, PipelineHarness.DIRECTOR_SERVER_SIDE),
            new RouteTable.Route(0, 0, ROUTER, 0, PipelineHarness.DIRECTOR_CLIENT_SIDE)))));
        final VirtualService web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.nat(RS1_TEXT, 8080, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
        h.inject(tcpFrame(ROUTER_MAC, DIRECTOR_MAC, remote, 43200, VIP, 80, TcpView.SYN));
        h.awaitOne(NatPipelineTest::isTcp, "SYN from the remote client");
        final byte[] synAck = tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, remote, 43200, TcpView.SYN | TcpView.ACK);
        h.inject(synAck.clone());
        final byte[] arp = h.awaitOne(f -> PipelineFrames.isArpRequestFor(f, ROUTER),
            "an ARP request for the gateway (not for the off-link client)");
        assertEquals(PipelineHarness.DIRECTOR_CLIENT_SIDE, PipelineFrames.getInt(arp, 28));
        h.barrier();
        h.assertNothingSent(NatPipelineTest::isTcp, "the reply waits for the gateway's MAC");
        assertEquals(1, h.drops(DropReason.NO_NEIGHBOUR));
        h.inject(TestFrames.arpReply(ROUTER_MAC, ROUTER, DIRECTOR_MAC, PipelineHarness.DIRECTOR_CLIENT_SIDE));
        h.barrier();
        h.inject(synAck.clone());
        final byte[] out = h.awaitOne(NatPipelineTest::isTcp, "the reply via the gateway");
        assertEquals(ROUTER_MAC, mac(out, 0), "to the gateway's MAC");
        assertEquals(inet(VIP), pcapIp(out).getHeader().getSrcAddr());
        assertEquals(inet(remote), pcapIp(out).getHeader().getDstAddr());
        pcapTcp(out);
        assertEquals(NeighbourTable.NONE, h.director.neighbours().lookup(remote), "off-link client never learned");
    }

    @Test
    void natRequestKeepsEverythingButAddressPortTtlAndChecksums()
    {
        startTcp();
        final byte[] frame = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 43100, VIP, 80, TcpView.SYN, 64, 0x10, true,
            payload(33, 9));
        final byte[] expected = l3(frame);
        h.inject(frame);
        final byte[] actual = l3(h.awaitOne(NatPipelineTest::isTcp, "SYN"));
        expected[8]--;
        PipelineFrames.putInt(expected, 16, RS1);
        putShort(expected, 22, 8080);
        // checksums are checked by pcap4j elsewhere: take them over
        System.arraycopy(actual, 10, expected, 10, 2);
        System.arraycopy(actual, 36, expected, 36, 2);
        assertArrayEquals(expected, actual, "nothing else changes");
        pcapTcp(ethernet(RS1_MAC, DIRECTOR_MAC, actual));
    }
}
