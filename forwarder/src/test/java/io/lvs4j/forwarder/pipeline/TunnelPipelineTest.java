package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.IPIP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.inet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.l3;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.onesSum;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapIp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_SERVER_SIDE;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP_TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.TcpPacket;

import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * TUN: the outer IPv4 header IPVS builds (lvs-keepalived.md §5.4, §12.1: RFC 2003 with IPVS's deltas) and the inner
 * packet left as it came, TTL aside.
 */
@Timeout(20)
class TunnelPipelineTest
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

    private void start()
    {
        h = PipelineHarness.start();
        final VirtualService web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.tunnel(RS1_TEXT, 80, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
    }

    private static boolean isIpip(final byte[] f)
    {
        return isIpv4Proto(f, IPIP);
    }

    /**
     * @param innerTos the inner DS byte.
     * @param outerTos the outer DS byte IPVS writes (ECN copied, CE becomes ECT(0)).
     * @param df       the inner DF.
     * @param ttl      the inner TTL as sent by the client.
     */
    @ParameterizedTest(name = "tos {0} -> {1}, df {2}, ttl {3}")
    @CsvSource({
        "0x00, 0x00, true, 64",
        "0xB8, 0xB8, true, 64",
        "0xBB, 0xBA, true, 17",
        "0x03, 0x02, false, 2",
        "0x01, 0x01, false, 255",
        "0x02, 0x02, true, 128",
        "0x2B, 0x2A, false, 33"})
    void outerHeaderAsIpvsBuildsItAndInnerPacketUnchangedButTtl(
        final String innerTos, final String outerTos, final boolean df, final int ttl)
    {
        start();
        final int tos = Integer.decode(innerTos);
        final byte[] frame = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 44000, VIP, 80, TcpView.SYN, ttl, tos, df,
            payload(91, ttl));
        final byte[] input = l3(frame);
        h.inject(frame);
        final byte[] out = h.awaitOne(TunnelPipelineTest::isIpip, "the IP-in-IP packet");
        assertEquals(RS1_MAC, mac(out, 0), "to the real server's MAC");
        assertEquals(DIRECTOR_MAC, mac(out, 6));
        assertEquals(0x0800, getShort(out, 12));
        assertEquals(14 + 20 + input.length, out.length, "frame = Ethernet + outer 20 + inner");

        final IpV4Packet outer = pcapIp(out);
        final IpV4Packet.IpV4Header oh = outer.getHeader();
        assertEquals(4, oh.getVersion().value() & 0xFF, "outer version 4");
        assertEquals(5, oh.getIhlAsInt(), "outer IHL 5, no options");
        assertEquals(IPIP, oh.getProtocol().value() & 0xFF, "protocol 4 (IPIP)");
        assertEquals(Integer.decode(outerTos), oh.getTos().value() & 0xFF,
            "outer TOS = inner DS with ECN encapsulated (CE -> ECT(0))");
        assertEquals(df, oh.getDontFragmentFlag(), "DF copied from the inner header (pmtu_disc=1)");
        assertEquals(false, oh.getMoreFragmentFlag());
        assertEquals(0, oh.getFragmentOffset());
        assertEquals(ttl - 1, oh.getTtlAsInt(), "outer TTL = inner TTL, already decremented");
        assertEquals(20 + input.length, oh.getTotalLengthAsInt(), "outer total length");
        assertEquals(0xFFFF, onesSum(l3(out), 0, 20, 0), "outer header checksum (by hand)");
        assertEquals(inet(DIRECTOR_SERVER_SIDE), oh.getSrcAddr(), "source = the director's address on the route");
        assertEquals(inet(RS1), oh.getDstAddr(), "destination = the real server");

        final byte[] inner = Arrays.copyOfRange(out, 34, out.length);
        final byte[] expected = input.clone();
        expected[8] = (byte)(ttl - 1);
        System.arraycopy(inner, 10, expected, 10, 2);
        assertArrayEquals(expected, inner, "inner packet byte-equal to the input except TTL and IP checksum");
        assertEquals(0xFFFF, onesSum(inner, 0, 20, 0), "inner header checksum refreshed");
        final IpV4Packet innerIp;
        try
        {
            // pcap4j leaves an IPIP payload unparsed: parse the inner packet on its own
            innerIp = IpV4Packet.newPacket(inner, 0, inner.length);
        }
        catch (final IllegalRawDataException ex)
        {
            throw new AssertionError("pcap4j cannot parse the inner packet", ex);
        }
        assertTrue(innerIp.getHeader().hasValidChecksum(false), "inner header checksum (pcap4j)");
        assertEquals(inet(VIP), innerIp.getHeader().getDstAddr(), "inner destination is still the VIP");
        assertEquals(tos, innerIp.getHeader().getTos().value() & 0xFF, "inner TOS untouched (CE stays inside)");
        final TcpPacket tcp = innerIp.get(TcpPacket.class);
        assertTrue(tcp.hasValidChecksum(inet(CLIENT), inet(VIP), false), "inner TCP checksum (pcap4j)");
    }

    @Test
    void nonDfPacketTooBigForTheTunnelIsDroppedTooBig()
    {
        start();
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 44100, VIP, 80, TcpView.SYN));
        h.awaitOne(TunnelPipelineTest::isIpip, "SYN");
        // 1500 bytes inner + 20 outer > MTU 1500; no DF: the director does not fragment
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 44100, VIP, 80, TcpView.ACK, 64, 0, false,
            payload(1460, 1)));
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "neither the packet nor an ICMP error");
        assertEquals(1, h.drops(DropReason.TOO_BIG));
        assertEquals(0, h.drops(DropReason.TOO_BIG_DF));

        // the largest that fits still goes
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 44100, VIP, 80, TcpView.ACK, 64, 0, false,
            payload(1440, 2)));
        final byte[] out = h.awaitOne(TunnelPipelineTest::isIpip, "1480-byte inner packet");
        assertEquals(1500, getShort(out, 16));
        assertTrue(isIpv4(out));
    }
}
