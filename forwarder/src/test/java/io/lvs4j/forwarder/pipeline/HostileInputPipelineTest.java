package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.NO_OPTIONS;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.TCP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.UDP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.checksum;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ethernet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ipv4Packet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.l3;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapTcp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.putShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpSegment;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.udpDatagram;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP_TEXT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.pcap4j.packet.TcpPacket;

import io.lvs4j.core.packet.Malformation;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * Malformed and hostile input (DESIGN.md "Testing": a counted drop, nothing crashes): the worker never dies, every
 * frame is counted, and a good flow sent afterwards is still forwarded and rewritten correctly. The service is NAT
 * with port translation so that the "good flow" check exercises the deepest rewrite.
 */
@Timeout(30)
class HostileInputPipelineTest
{
    private PipelineHarness h;
    private VirtualService web;
    private int goodPort = 60000;

    @BeforeEach
    void start()
    {
        h = PipelineHarness.start();
        web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.nat(RS1_TEXT, 8080, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
    }

    @AfterEach
    void close()
    {
        h.close();
    }

    private static boolean isTcp(final byte[] f)
    {
        return isIpv4Proto(f, TCP);
    }

    /**
     * Every frame handed over is accounted for: a drop (malformed frames count as {@link DropReason#MALFORMED} and
     * under their malformation) or something sent; the harness's barriers (answered ARP) are taken out.
     */
    private long accounted()
    {
        assertEquals(h.drops(DropReason.MALFORMED), h.totalMalformed(), "malformations add up to MALFORMED drops");
        return h.totalDrops() + h.director.forwarded() - h.barriers();
    }

    /** A fresh connection through the director, both ways, checked with pcap4j. */
    private void assertGoodFlowStillWorks()
    {
        h.barrier();
        h.clearSent();
        final int port = goodPort++;
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, port, VIP, 80, TcpView.SYN, 64, 0, true, payload(5, 1)));
        final byte[] in = h.awaitOne(HostileInputPipelineTest::isTcp, "the good flow's SYN after the hostile input");
        assertEquals(RS1_MAC, mac(in, 0));
        final TcpPacket tcpIn = pcapTcp(in);
        assertEquals(8080, tcpIn.getHeader().getDstPort().valueAsInt());
        assertEquals(port, tcpIn.getHeader().getSrcPort().valueAsInt());
        h.inject(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, port, TcpView.SYN | TcpView.ACK));
        final byte[] out = h.awaitOne(HostileInputPipelineTest::isTcp, "the good flow's reply");
        assertEquals(80, pcapTcp(out).getHeader().getSrcPort().valueAsInt());
        assertEquals(VIP, PipelineFrames.getInt(out, 26));
    }

    @Test
    void everyTruncationOfAValidSynIsCountedAndNothingIsSent()
    {
        final byte[] syn = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 50000, VIP, 80, TcpView.SYN, 64, 0, true,
            payload(100, 1));
        assertEquals(154, syn.length, "no Ethernet padding: every prefix is a truncation");
        final long before = accounted();
        for (int length = 0; length < syn.length; length++)
        {
            h.inject(Arrays.copyOf(syn, length));
        }
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "a truncated frame is never forwarded");
        assertEquals(14, h.malformed(Malformation.TRUNCATED_L2), "lengths 0..13");
        assertEquals(20, h.malformed(Malformation.TRUNCATED_L3), "lengths 14..33");
        assertEquals(120, h.malformed(Malformation.BAD_TOTAL_LENGTH), "lengths 34..153: total length beyond capture");
        assertEquals(before + syn.length, accounted(), "every frame counted once");
        assertEquals(0, h.director.service(web).connections(), "no connection from a truncated SYN");
        assertGoodFlowStillWorks();
    }

    private static byte[] synPacket(final int cport)
    {
        return ipv4Packet(0, 1, 0x4000, 64, TCP, CLIENT, VIP, NO_OPTIONS,
            tcpSegment(CLIENT, VIP, cport, 80, TcpView.SYN, 1, 0, payload(8, 2)));
    }

    private static byte[] withHeaderChecksum(final byte[] frame)
    {
        final int ihl = Math.max(20, (frame[14] & 0xF) * 4);
        putShort(frame, 24, 0);
        putShort(frame, 24, checksum(frame, 14, Math.min(ihl, frame.length - 14), 0));
        return frame;
    }

    @Test
    void badHeaderLengthsAreCountedAsMalformed()
    {
        final long before = accounted();
        // IHL 4 (< 20 bytes)
        byte[] f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50100));
        f[14] = 0x44;
        h.inject(withHeaderChecksum(f));
        // IHL 0
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50101));
        f[14] = 0x40;
        h.inject(f);
        // IHL 15 (60 bytes) on a 48-byte packet: total length below the header length
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50102));
        f[14] = 0x4F;
        h.inject(withHeaderChecksum(f));
        // version 6 in an IPv4 ethertype
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50103));
        f[14] = 0x65;
        h.inject(f);
        // total length 19
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50104));
        putShort(f, 16, 19);
        h.inject(withHeaderChecksum(f));
        // total length beyond the frame
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50105));
        putShort(f, 16, 1000);
        h.inject(withHeaderChecksum(f));
        // total length 30: the IP header is fine, the TCP header is cut short
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50106));
        putShort(f, 16, 30);
        h.inject(withHeaderChecksum(f));
        // bad IPv4 header checksum
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50107));
        f[24] ^= 0x01;
        h.inject(f);
        // TCP data offset 4 (< 20 bytes) and 15 (beyond the segment)
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50108));
        f[14 + 20 + 12] = 0x40;
        h.inject(f);
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, synPacket(50109));
        f[14 + 20 + 12] = (byte)0xF0;
        h.inject(f);
        // UDP length beyond the datagram
        f = ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 1, 0, 64, UDP, CLIENT, VIP, NO_OPTIONS,
            udpDatagram(CLIENT, VIP, 50110, 80, payload(4, 1), true)));
        putShort(f, 14 + 20 + 4, 200);
        h.inject(f);
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "malformed packets are never forwarded");
        assertEquals(2, h.malformed(Malformation.BAD_IHL), "IHL 4 and IHL 0");
        assertEquals(2, h.malformed(Malformation.TOTAL_LENGTH_TOO_SHORT), "IHL 15 on a short packet, total 19");
        assertEquals(1, h.malformed(Malformation.BAD_VERSION));
        assertEquals(1, h.malformed(Malformation.BAD_TOTAL_LENGTH));
        assertEquals(1, h.malformed(Malformation.TRUNCATED_L4), "total length 30");
        assertEquals(1, h.malformed(Malformation.BAD_IPV4_CHECKSUM));
        assertEquals(2, h.malformed(Malformation.BAD_TCP_DATA_OFFSET));
        assertEquals(1, h.malformed(Malformation.BAD_UDP_LENGTH));
        assertEquals(before + 11, accounted(), "every frame counted once: " + h.dropSummary());
        assertEquals(0, h.director.service(web).connections());
        assertGoodFlowStillWorks();
    }

    @Test
    void ipOptionsAreCarriedThroughAndTheTransportHeaderFoundBehindThem()
    {
        // NOP, NOP, NOP, EOL and a timestamp-like 8 bytes of NOPs: 12 bytes of options (IHL 8)
        final byte[] options = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0};
        final byte[] seg = tcpSegment(CLIENT, VIP, 50200, 80, TcpView.SYN, 1, 0, payload(9, 3));
        final byte[] frame = ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 5, 0x4000, 64, TCP, CLIENT, VIP,
            options, seg));
        h.inject(frame);
        final byte[] out = h.awaitOne(HostileInputPipelineTest::isTcp, "the SYN with IP options");
        final byte[] ip = l3(out);
        assertEquals(0x48, ip[0] & 0xFF, "IHL 8 kept");
        assertArrayEquals(options, Arrays.copyOfRange(ip, 20, 32), "options carried unchanged");
        assertEquals(8080, getShort(ip, 32 + 2), "the port behind the options is translated");
        assertEquals(RS1, PipelineFrames.getInt(ip, 16));
        final TcpPacket tcp = pcapTcp(out);
        assertEquals(50200, tcp.getHeader().getSrcPort().valueAsInt());
        assertGoodFlowStillWorks();
    }

    @Test
    void fragmentsToTheVipAreDroppedAsFragments()
    {
        final byte[] seg = tcpSegment(CLIENT, VIP, 50300, 80, TcpView.SYN, 1, 0, payload(64, 4));
        // first fragment (MF), a middle one, the last one (offset, no MF)
        h.inject(ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 77, 0x2000, 64, TCP, CLIENT, VIP, NO_OPTIONS,
            Arrays.copyOf(seg, 48))));
        h.inject(ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 77, 0x2000 | 6, 64, TCP, CLIENT, VIP, NO_OPTIONS,
            Arrays.copyOfRange(seg, 48, 64))));
        h.inject(ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 77, 8, 64, TCP, CLIENT, VIP, NO_OPTIONS,
            Arrays.copyOfRange(seg, 64, seg.length))));
        // a UDP fragment too
        h.inject(ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 78, 0x2000, 64, UDP, CLIENT, VIP, NO_OPTIONS,
            payload(40, 1))));
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "fragments are neither forwarded nor answered");
        assertEquals(4, h.drops(DropReason.FRAGMENT));
        assertGoodFlowStillWorks();
    }

    @Test
    void thousandsOfRandomFramesAreCountedAndNothingBreaks()
    {
        final SplittableRandom random = new SplittableRandom(20261124);
        final long before = accounted();
        final int n = 5000;
        for (int i = 0; i < n; i++)
        {
            final byte[] f = new byte[random.nextInt(0, 1515)];
            for (int j = 0; j < f.length; j++)
            {
                f[j] = (byte)random.nextInt(256);
            }
            if (i % 3 == 0 && f.length >= 34)
            {
                // an IPv4 ethertype with a plausible first byte, so the IPv4 parser sees most of them
                putShort(f, 12, 0x0800);
                f[14] = (byte)(0x40 | random.nextInt(16));
                if (i % 6 == 0)
                {
                    PipelineFrames.putInt(f, 30, VIP);
                    withHeaderChecksum(f);
                }
            }
            h.inject(f);
            if (i % 500 == 0)
            {
                h.clearSent();
            }
        }
        h.barrier();
        assertTrue(accounted() - before >= n, "every random frame counted (" + (accounted() - before) + " of " + n +
            "): " + h.dropSummary());
        assertGoodFlowStillWorks();
    }

    @Test
    void mutatedValidFramesNeverKillTheWorker()
    {
        final SplittableRandom random = new SplittableRandom(42);
        final byte[][] seeds = {
            tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 50400, VIP, 80, TcpView.SYN, 64, 0, true, payload(20, 1)),
            tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 50400, TcpView.ACK, 64, 0, true, payload(20, 2)),
            PipelineFrames.udpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 50401, VIP, 80, payload(30, 3), true),
            PipelineFrames.icmpErrorFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, VIP, 3, 4, 1400,
                ipv4Packet(0, 1, 0, 64, TCP, VIP, CLIENT, NO_OPTIONS,
                    tcpSegment(VIP, CLIENT, 80, 50400, TcpView.ACK, 1, 1, payload(8, 1)))),
            TestFrames.arpRequest(CLIENT_MAC, CLIENT, VIP),
            TestFrames.arpReply(RS1_MAC, RS1, DIRECTOR_MAC, PipelineHarness.DIRECTOR_SERVER_SIDE)};
        final long before = accounted();
        final int n = 5000;
        for (int i = 0; i < n; i++)
        {
            final byte[] f = seeds[random.nextInt(seeds.length)].clone();
            final int flips = 1 + random.nextInt(4);
            for (int k = 0; k < flips; k++)
            {
                f[random.nextInt(f.length)] ^= (byte)random.nextInt(1, 256);
            }
            if (random.nextBoolean() && isIpv4(f) && (f[14] & 0xF0) == 0x40)
            {
                withHeaderChecksum(f);
            }
            h.inject(random.nextInt(10) == 0 ? Arrays.copyOf(f, random.nextInt(f.length)) : f);
            if (i % 200 == 0)
            {
                h.clearSent();
            }
        }
        h.barrier();
        assertTrue(accounted() - before >= n, "every mutated frame counted: " + h.dropSummary());
        // a mutated ARP reply from RS1 may legitimately have changed its MAC (as it would in the kernel): restore
        h.resolve(RS1, RS1_MAC);
        assertGoodFlowStillWorks();
    }

    @Test
    void synFloodToPortsThatAreNoServiceIsNotOurs()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final long notOurs = h.drops(DropReason.NOT_OURS);
        final int n = 3000;
        for (int i = 0; i < n; i++)
        {
            int port = random.nextInt(1, 65536);
            if (port == 80)
            {
                port = 81;
            }
            final int client = 0xC6336400 | random.nextInt(2, 254);
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, client, random.nextInt(1024, 65536), VIP, port, TcpView.SYN));
        }
        h.barrier();
        h.assertNothingSent(PipelineFrames::isIpv4, "no forwarding, no RST, no ICMP for ports that are no service");
        assertEquals(notOurs + n, h.drops(DropReason.NOT_OURS));
        assertEquals(0, h.director.service(web).connections());
        assertEquals(0, h.drops(DropReason.TABLE_FULL));
        assertGoodFlowStillWorks();
    }
}
