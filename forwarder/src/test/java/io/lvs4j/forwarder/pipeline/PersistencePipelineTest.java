package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT2;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS1_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS2_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.RS2_TEXT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.VIP_TEXT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;

/**
 * Persistent services (lvs-keepalived.md §3.4): the template {@code <proto, client & netmask, 0, VIP, vport>} pins
 * a client (network) to one real server; the scheduler is not asked again while the template lives.
 */
@Timeout(20)
class PersistencePipelineTest
{
    private static final int OTHER_NET_CLIENT = Ipv4Text.parse("198.51.101.7");

    private PipelineHarness h;

    @AfterEach
    void close()
    {
        if (h != null)
        {
            h.close();
        }
    }

    private VirtualService start(final VirtualService web)
    {
        h = PipelineHarness.start();
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.direct(RS1_TEXT, 80, 1));
        h.director.addRealServer(web, RealServers.direct(RS2_TEXT, 80, 1));
        h.resolveRealServers();
        h.barrier();
        h.clearSent();
        return web;
    }

    /** Opens 20 connections from a client (different source ports); asserts they share one server and returns it. */
    private long twentyConnections(final int client, final int firstPort)
    {
        long server = -1;
        for (int i = 0; i < 20; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, client, firstPort + i * 7, VIP, 80, TcpView.SYN));
            final long mac = mac(h.awaitOne(f -> isIpv4Proto(f, PipelineFrames.TCP), "SYN " + i), 0);
            assertTrue(mac == RS1_MAC || mac == RS2_MAC);
            if (server < 0)
            {
                server = mac;
            }
            assertEquals(server, mac, "persistence: connection " + i + " of " + Ipv4Text.format(client) +
                " lands on the client's real server");
        }
        return server;
    }

    @Test
    void oneClientAlwaysLandsOnTheSameRealServer()
    {
        final VirtualService web = start(VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr").withPersistence(300));
        final long first = twentyConnections(CLIENT, 46000);
        final long second = twentyConnections(CLIENT2, 47000);
        // rr picks once per template: the second client's template gets the other server
        assertNotEquals(first, second, "rr schedules the second client's template on the other server");
        // the first client again, interleaved
        assertEquals(first, twentyConnections(CLIENT, 48000));
        final var status = h.director.service(web);
        assertEquals(60, status.connections());
        assertEquals(1, status.realServer(RS1_TEXT, 80).persistent() , "one template per client on RS1");
        assertEquals(1, status.realServer(RS2_TEXT, 80).persistent(), "one template per client on RS2");
    }

    @Test
    void netmaskMakesAWholeSubnetShareItsRealServer()
    {
        start(VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr").withPersistence(300).withNetmask(0xFFFF_FF00));
        final long first = twentyConnections(CLIENT, 46000);
        assertEquals(first, twentyConnections(CLIENT2, 47000), "198.51.100.2 and .3 share the /24's template");
        final long other = twentyConnections(OTHER_NET_CLIENT, 48000);
        assertNotEquals(first, other, "a client of another /24 gets its own template (rr: the other server)");
    }

    @Test
    void withoutPersistenceTheSameClientIsSpread()
    {
        start(VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr"));
        int onRs1 = 0;
        for (int i = 0; i < 20; i++)
        {
            h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 49000 + i, VIP, 80, TcpView.SYN));
            onRs1 += mac(h.awaitOne(f -> isIpv4Proto(f, PipelineFrames.TCP), "SYN " + i), 0) == RS1_MAC ? 1 : 0;
        }
        assertEquals(10, onRs1);
    }
}
