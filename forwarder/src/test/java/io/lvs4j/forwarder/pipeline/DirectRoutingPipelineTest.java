package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.l3;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapTcp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS2_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS2_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP_TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.TcpPacket;

import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * DR over memory channels: weighted scheduling, connection affinity, and IPVS's rule that only a SYN (without RST)
 * creates a TCP connection entry (lvs-keepalived.md §3.1, §5.2).
 */
@Timeout(20)
class DirectRoutingPipelineTest
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

    private VirtualService start(final String scheduler, final int w1, final int w2)
    {
        h = PipelineHarness.start();
        final VirtualService web = VirtualService.tcp(VIP_TEXT, 80).withScheduler(scheduler);
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.direct(RS1_TEXT, 80, w1));
        h.director.addRealServer(web, RealServers.direct(RS2_TEXT, 80, w2));
        h.resolveRealServers();
        h.barrier();
        h.clearSent();
        return web;
    }

    private static boolean isTcp(final byte[] f)
    {
        return isIpv4Proto(f, PipelineFrames.TCP);
    }

    @Test
    void wrrWithWeightsOneAndTwoSplitsThreeHundredConnectionsExactly()
    {
        final VirtualService web = start("wrr", 1, 2);
        final Map<Long, Integer> byMac = new HashMap<>();
        for (int i = 0; i < 300; i++)
        {
            final byte[] syn = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 20000 + i, VIP, 80, TcpView.SYN);
            h.inject(syn);
            if (i % 50 == 49)
            {
                for (final byte[] f : h.awaitExactly(PipelineFrames::isIpv4, 50, "50 SYNs forwarded"))
                {
                    byMac.merge(mac(f, 0), 1, Integer::sum);
                }
            }
        }
        assertEquals(Map.of(RS1_MAC, 100, RS2_MAC, 200), byMac, "wrr 1:2 over 300 new connections");
        final var status = h.director.service(web);
        assertEquals(300, status.connections());
        assertEquals(100, status.realServer(RS1_TEXT, 80).connections());
        assertEquals(200, status.realServer(RS2_TEXT, 80).connections());
    }

    @Test
    void drOutputIsTheInputWithNewMacsAndTtlMinusOneAndValidChecksums()
    {
        start("rr", 1, 1);
        final byte[] data = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 20001, VIP, 80, TcpView.SYN, 64, 0x28, true,
            payload(37, 1));
        final byte[] in = data.clone();
        h.inject(data);
        final byte[] out = h.awaitOne(DirectRoutingPipelineTest::isTcp, "the SYN, forwarded");
        assertTrue(mac(out, 0) == RS1_MAC || mac(out, 0) == RS2_MAC, "to a real server's MAC");
        assertEquals(DIRECTOR_MAC, mac(out, 6), "L2 source is the director's egress interface");
        final TcpPacket tcp = pcapTcp(out);
        final IpV4Packet ip = (IpV4Packet)PipelineFrames.pcap(out).getPayload();
        assertEquals(PipelineFrames.inet(VIP), ip.getHeader().getDstAddr(), "DR keeps the VIP as destination");
        assertEquals(PipelineFrames.inet(CLIENT), ip.getHeader().getSrcAddr());
        assertEquals(63, ip.getHeader().getTtlAsInt(), "TTL decremented (IPVS ≥ 4.10 decrements for DR)");
        assertEquals(0x28, ip.getHeader().getTos().value() & 0xFF, "TOS untouched");
        assertEquals(80, tcp.getHeader().getDstPort().valueAsInt());
        final byte[] expected = l3(in);
        final byte[] actual = l3(out);
        expected[8]--;
        System.arraycopy(actual, 10, expected, 10, 2);
        assertArrayEquals(expected, actual, "only TTL and the IP checksum change");
    }

    @Test
    void packetsOfAnEstablishedFlowStayOnTheirRealServerWhileNewFlowsRotate()
    {
        start("rr", 1, 1);
        final int flows = 10;
        final long[] server = new long[flows];
        for (int i = 0; i < flows; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 30000 + i, VIP, 80, TcpView.SYN));
            server[i] = mac(h.awaitOne(DirectRoutingPipelineTest::isTcp, "SYN of flow " + i), 0);
            if (i > 0)
            {
                assertNotEquals(server[i - 1], server[i], "rr: consecutive new flows go to different servers");
            }
        }
        for (int round = 0; round < 5; round++)
        {
            for (int i = 0; i < flows; i++)
            {
                final int flags = round == 0 ? TcpView.ACK : TcpView.ACK | TcpView.PSH;
                h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 30000 + i, VIP, 80, flags, 64, 0, true,
                    payload(round * 10, i)));
                final byte[] out = h.awaitOne(DirectRoutingPipelineTest::isTcp, "segment of flow " + i);
                assertEquals(30000 + i, getShort(out, 34));
                assertEquals(server[i], mac(out, 0), "flow " + i + " round " + round + " stays on its server");
                pcapTcp(out);
            }
            // a new flow between the rounds still rotates
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 31000 + round, VIP, 80, TcpView.SYN));
            h.awaitOne(DirectRoutingPipelineTest::isTcp, "SYN of a new flow");
        }
        assertEquals(0, h.drops(DropReason.NO_CONNECTION));
    }

    @Test
    void aSegmentWithoutSynForAnUnknownFlowIsDroppedAndNothingIsSent()
    {
        final VirtualService web = start("rr", 1, 1);
        final int[] flagSets = {TcpView.ACK, TcpView.ACK | TcpView.PSH, TcpView.FIN | TcpView.ACK, 0};
        for (int i = 0; i < flagSets.length; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40000 + i, VIP, 80, flagSets[i], 64, 0, true,
                payload(i * 5, i)));
        }
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "no IPVS connection for a non-SYN segment");
        assertEquals(flagSets.length, h.drops(DropReason.NO_CONNECTION));
        assertEquals(0, h.director.service(web).connections());
    }

    @Test
    void rstForAnUnknownFlowIsNotScheduled()
    {
        final VirtualService web = start("rr", 1, 1);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40100, VIP, 80, TcpView.RST));
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40101, VIP, 80, TcpView.RST | TcpView.ACK));
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40102, VIP, 80, TcpView.SYN | TcpView.RST));
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "RST for an unknown flow must not be scheduled (§3.1)");
        assertEquals(3, h.drops(DropReason.NO_CONNECTION));
        assertEquals(0, h.director.service(web).connections());
        assertEquals(0, h.drops(DropReason.NO_DESTINATION), "and no ICMP port unreachable either");
    }

    @Test
    void synAckCreatesAConnectionAsIpvsDoes()
    {
        final VirtualService web = start("rr", 1, 1);
        // §3.1: "SYN+ACK is not excluded (needed for active FTP)"
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40200, VIP, 80, TcpView.SYN | TcpView.ACK));
        h.awaitOne(DirectRoutingPipelineTest::isTcp, "SYN+ACK scheduled");
        assertEquals(1, h.director.service(web).connections());
    }

    @Test
    void trafficToAnotherPortOfTheVipIsNotOurs()
    {
        final VirtualService web = start("rr", 1, 1);
        final long notOurs = h.drops(DropReason.NOT_OURS);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40300, VIP, 81, TcpView.SYN));
        h.inject(PipelineFrames.udpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40300, VIP, 80, payload(4, 1), true));
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "no service on VIP:81 nor UDP VIP:80");
        assertEquals(notOurs + 2, h.drops(DropReason.NOT_OURS));
        assertEquals(0, h.director.service(web).connections());
    }

    @Test
    void retransmittedSynOfAnExistingFlowKeepsItsServer()
    {
        start("rr", 1, 1);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40400, VIP, 80, TcpView.SYN));
        final long first = mac(h.awaitOne(DirectRoutingPipelineTest::isTcp, "SYN"), 0);
        for (int i = 0; i < 3; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40400, VIP, 80, TcpView.SYN));
            assertEquals(first, mac(h.awaitOne(DirectRoutingPipelineTest::isTcp, "retransmitted SYN"), 0));
        }
        final List<byte[]> none = h.take(f -> true);
        assertEquals(0, none.stream().filter(DirectRoutingPipelineTest::isTcp).count());
    }
}
