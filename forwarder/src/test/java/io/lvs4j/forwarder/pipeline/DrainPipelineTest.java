package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * Draining and removing a real server at run time (lvs-keepalived.md §3.2: weight 0 = quiesced, existing
 * connections keep flowing; §2.2 step 9: a connection whose destination is gone is dropped).
 */
@Timeout(20)
class DrainPipelineTest
{
    private PipelineHarness h;
    private VirtualService web;

    @AfterEach
    void close()
    {
        if (h != null)
        {
            h.close();
        }
    }

    private void start(final String scheduler)
    {
        h = PipelineHarness.start();
        web = VirtualService.tcp(VIP_TEXT, 80).withScheduler(scheduler);
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.direct(RS1_TEXT, 80, 1));
        h.director.addRealServer(web, RealServers.direct(RS2_TEXT, 80, 1));
        h.resolveRealServers();
        h.barrier();
        h.clearSent();
    }

    private static boolean isTcp(final byte[] f)
    {
        return isIpv4Proto(f, PipelineFrames.TCP);
    }

    /** Opens flows until one lands on RS1; returns its client port. */
    private int openFlowOnRs1(final int firstPort)
    {
        for (int port = firstPort; port < firstPort + 10; port++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, port, VIP, 80, TcpView.SYN));
            final byte[] out = h.awaitOne(DrainPipelineTest::isTcp, "SYN forwarded");
            if (mac(out, 0) == RS1_MAC)
            {
                return port;
            }
        }
        throw new AssertionError("rr never chose RS1");
    }

    private long sendAck(final int port, final int round)
    {
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, port, VIP, 80, TcpView.ACK | TcpView.PSH, 64, 0, true,
            payload(20, round)));
        final byte[] out = h.awaitOne(DrainPipelineTest::isTcp, "segment of flow " + port);
        assertEquals(port, getShort(out, 34));
        return mac(out, 0);
    }

    @Test
    void weightZeroKeepsExistingConnectionsAndSendsNewOnesElsewhere()
    {
        start("wrr");
        final int old = openFlowOnRs1(50000);
        h.director.editRealServer(web, RealServers.direct(RS1_TEXT, 80, 0));
        h.barrier();
        for (int i = 0; i < 20; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 51000 + i, VIP, 80, TcpView.SYN));
            assertEquals(RS2_MAC, mac(h.awaitOne(DrainPipelineTest::isTcp, "new SYN"), 0),
                "a quiesced (weight 0) real server gets no new connection");
            assertEquals(RS1_MAC, sendAck(old, i),
                "the existing connection keeps flowing to its quiesced real server (weight 0 = drain)");
        }
        assertEquals(0, h.drops(DropReason.DESTINATION_UNAVAILABLE));
        assertEquals(0, h.director.service(web).realServer(RS1_TEXT, 80).server().weight());
    }

    @Test
    void weightZeroWithRrAlsoDrains()
    {
        start("rr");
        final int old = openFlowOnRs1(50100);
        h.director.editRealServer(web, RealServers.direct(RS1_TEXT, 80, 0));
        h.barrier();
        for (int i = 0; i < 10; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 51100 + i, VIP, 80, TcpView.SYN));
            assertEquals(RS2_MAC, mac(h.awaitOne(DrainPipelineTest::isTcp, "new SYN"), 0));
        }
        assertEquals(RS1_MAC, sendAck(old, 0));
        // and back: weight 1 again takes new connections
        h.director.editRealServer(web, RealServers.direct(RS1_TEXT, 80, 1));
        h.barrier();
        int onRs1 = 0;
        for (int i = 0; i < 10; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 51200 + i, VIP, 80, TcpView.SYN));
            onRs1 += mac(h.awaitOne(DrainPipelineTest::isTcp, "new SYN"), 0) == RS1_MAC ? 1 : 0;
        }
        assertEquals(5, onRs1, "rr over two servers again after the weight is restored");
    }

    @Test
    void deletedRealServerGetsNoNewConnectionsAndItsOldConnectionsAreDropped()
    {
        start("rr");
        final int old = openFlowOnRs1(50200);
        assertEquals(RS1_MAC, sendAck(old, 0));
        h.director.deleteRealServer(web, RealServers.direct(RS1_TEXT, 80, 1));
        h.barrier();
        assertNull(h.director.service(web).realServer(RS1_TEXT, 80), "RS1 is gone from the status");
        for (int i = 0; i < 20; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 52000 + i, VIP, 80, TcpView.SYN));
            assertEquals(RS2_MAC, mac(h.awaitOne(DrainPipelineTest::isTcp, "new SYN"), 0),
                "a deleted real server never gets a new connection");
        }
        h.clearSent();
        for (int i = 0; i < 3; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, old, VIP, 80, TcpView.ACK | TcpView.PSH, 64, 0, true,
                payload(10, i)));
        }
        h.barrier();
        h.assertNothingSent(DrainPipelineTest::isTcp,
            "packets of a deleted real server's connection are dropped (IPVS: dest not AVAILABLE -> drop)");
        assertEquals(3, h.drops(DropReason.DESTINATION_UNAVAILABLE));
    }
}
