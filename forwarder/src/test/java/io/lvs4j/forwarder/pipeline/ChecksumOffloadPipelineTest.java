package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.TCP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.UDP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.assertUdpChecksumVerifies;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getInt;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.onesSum;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapTcp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapUdp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pseudoHeader;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.putShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.udpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP_TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.FrameFlags;

/**
 * Frames received with {@link FrameFlags#CHECKSUM_NOT_READY} (AF_PACKET's {@code TP_STATUS_CSUMNOTREADY}: a local
 * sender left the transport checksum to offload, the field holds only the pseudo-header sum) must leave the
 * director with a complete, valid checksum, whatever the method.
 */
@Timeout(20)
class ChecksumOffloadPipelineTest
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
        final VirtualService dns = VirtualService.udp(VIP_TEXT, 53).withScheduler("rr");
        h.director.addService(web);
        h.director.addService(dns);
        h.director.addRealServer(web, nat ? RealServers.nat(RS1_TEXT, 8080, 1) : RealServers.direct(RS1_TEXT, 80, 1));
        h.director.addRealServer(dns, nat ? RealServers.nat(RS1_TEXT, 5353, 1) : RealServers.direct(RS1_TEXT, 53, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
    }

    /**
     * Replaces the transport checksum of a frame with what a CHECKSUM_PARTIAL sender leaves there: the folded
     * pseudo-header sum (Linux: {@code ~csum_tcpudp_magic(saddr, daddr, len, proto, 0)}).
     */
    private static byte[] partial(final byte[] frame, final int protocol)
    {
        final byte[] f = frame.clone();
        final int l3 = 14;
        final int ihl = (f[l3] & 0xF) * 4;
        final int total = getShort(f, l3 + 2);
        final int l4Length = total - ihl;
        final int field = l3 + ihl + (protocol == TCP ? 16 : 6);
        final int pseudo = onesSum(new byte[0], 0, 0,
            pseudoHeader(getInt(f, l3 + 12), getInt(f, l3 + 16), protocol, l4Length));
        final int valid = getShort(f, field);
        putShort(f, field, pseudo);
        assertNotEquals(valid, pseudo, "test setup: the partial checksum differs from the full one");
        return f;
    }

    private byte[] through(final byte[] frame, final int protocol)
    {
        h.inject(frame, FrameFlags.CHECKSUM_NOT_READY);
        return h.awaitOne(f -> isIpv4Proto(f, protocol), "the forwarded frame");
    }

    @Test
    void directRoutingCompletesTcpAndUdpChecksums()
    {
        start(false);
        final byte[] tcp = through(partial(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 47000, VIP, 80, TcpView.SYN,
            64, 0, true, payload(301, 1)), TCP), TCP);
        pcapTcp(tcp);
        final byte[] udp = through(partial(udpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 47001, VIP, 53,
            payload(77, 2), true), UDP), UDP);
        pcapUdp(udp);
        assertUdpChecksumVerifies(udp);
    }

    @Test
    void natCompletesChecksumsInBothDirections()
    {
        start(true);
        final byte[] request = through(partial(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 47100, VIP, 80,
            TcpView.SYN, 64, 0, true, payload(99, 3)), TCP), TCP);
        assertEquals(8080, getShort(request, 36));
        pcapTcp(request);
        final byte[] reply = through(partial(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 47100,
            TcpView.SYN | TcpView.ACK, 64, 0, true, payload(1001, 4)), TCP), TCP);
        assertEquals(VIP, getInt(reply, 26));
        assertEquals(80, getShort(reply, 34));
        pcapTcp(reply);

        final byte[] query = through(partial(udpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 47101, VIP, 53,
            payload(33, 5), true), UDP), UDP);
        assertEquals(5353, getShort(query, 36));
        assertUdpChecksumVerifies(query);
        final byte[] answer = through(partial(udpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 5353, CLIENT, 47101,
            payload(200, 6), true), UDP), UDP);
        assertEquals(53, getShort(answer, 34));
        assertUdpChecksumVerifies(answer);
    }

    @Test
    void framesWithoutTheFlagKeepTheirChecksumAsIs()
    {
        start(false);
        // a frame whose checksum is wrong and that does not say CHECKSUM_NOT_READY is forwarded as it is: a
        // forwarder preserves checksums, it does not launder them
        final byte[] bad = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 47200, VIP, 80, TcpView.SYN, 64, 0, true,
            payload(10, 7));
        bad[14 + 20 + 16] ^= 0x5A;
        h.inject(bad);
        final byte[] out = h.awaitOne(f -> isIpv4Proto(f, TCP), "forwarded");
        assertEquals(getShort(bad, 50), getShort(out, 50), "TCP checksum untouched in DR");
    }
}
