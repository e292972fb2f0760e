package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.getInt;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.getShort;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isArp;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isArpRequestFor;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.isIpv4Proto;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.mac;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.pcapTcp;
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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * VIP ownership (HA: only the master answers ARP for the VIPs and forwards; DESIGN.md "Owning the VIP",
 * lvs-keepalived.md §5.8 backup_only) and neighbour resolution for real servers.
 */
@Timeout(20)
class MasterAndNeighbourPipelineTest
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

    private void start(final boolean nat)
    {
        h = PipelineHarness.start();
        web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, nat ? RealServers.nat(RS1_TEXT, 8080, 1) : RealServers.direct(RS1_TEXT, 80, 1));
        h.resolve(RS1, RS1_MAC);
        h.barrier();
        h.clearSent();
    }

    private static boolean isTcp(final byte[] f)
    {
        return isIpv4Proto(f, PipelineFrames.TCP);
    }

    private static boolean isGratuitousFor(final byte[] f, final int address)
    {
        return isArp(f) && mac(f, 0) == MacAddresses.BROADCAST && getInt(f, 28) == address &&
            getInt(f, 38) == address;
    }

    @Test
    void aBackupNeitherAnswersArpForTheVipNorForwardsAndResumesAsMaster()
    {
        start(false);
        h.director.master(false);
        h.inject(TestFrames.arpRequest(CLIENT_MAC, CLIENT, VIP));
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53000, VIP, 80, TcpView.SYN));
        h.awaitDrops(DropReason.NOT_MASTER, 2);
        h.quiet();
        h.assertNothingSent(f -> PipelineFrames.isArpReplyTo(f, CLIENT_MAC), "a backup must not answer ARP for the VIP");
        h.assertNothingSent(MasterAndNeighbourPipelineTest::isTcp, "a backup must not forward");
        assertEquals(0, h.director.service(web).connections(), "and schedules nothing");

        h.director.master(true);
        final byte[] garp = h.awaitOne(f -> isGratuitousFor(f, VIP), "a gratuitous ARP for the VIP on becoming master");
        assertEquals(DIRECTOR_MAC, mac(garp, 6));
        assertEquals(DIRECTOR_MAC, mac(garp, 22), "announces the director's MAC");
        h.inject(TestFrames.arpRequest(CLIENT_MAC, CLIENT, VIP));
        final byte[] reply = h.awaitOne(f -> PipelineFrames.isArpReplyTo(f, CLIENT_MAC), "ARP reply as master");
        assertEquals(VIP, getInt(reply, 28));
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53001, VIP, 80, TcpView.SYN));
        assertEquals(RS1_MAC, mac(h.awaitOne(MasterAndNeighbourPipelineTest::isTcp, "forwarding resumed"), 0));
    }

    @Test
    void aDirectorLaunchedAsBackupDoesNotForwardUntilMaster()
    {
        h = PipelineHarness.start(c -> c.master(false));
        web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.direct(RS1_TEXT, 80, 1));
        h.resolve(RS1, RS1_MAC);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53100, VIP, 80, TcpView.SYN));
        h.awaitDrops(DropReason.NOT_MASTER, 1);
        h.quiet();
        h.assertNothingSent(MasterAndNeighbourPipelineTest::isTcp, "a backup must not forward");
        h.director.master(true);
        h.awaitOne(f -> isGratuitousFor(f, VIP), "gratuitous ARP");
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53100, VIP, 80, TcpView.SYN));
        h.awaitOne(MasterAndNeighbourPipelineTest::isTcp, "forwarding as master");
    }

    @Test
    void aBackupDoesNotForwardNatReplies()
    {
        start(true);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53200, VIP, 80, TcpView.SYN));
        h.awaitOne(MasterAndNeighbourPipelineTest::isTcp, "SYN as master");
        h.director.master(false);
        // a request proves the workers use the new snapshot
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53201, VIP, 80, TcpView.SYN));
        h.awaitDrops(DropReason.NOT_MASTER, 1);
        h.inject(tcpFrame(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 53200, TcpView.SYN | TcpView.ACK));
        h.quiet();
        h.assertNothingSent(MasterAndNeighbourPipelineTest::isTcp,
            "a director that is not master must not forward NAT replies either (IPVS backup_only=1 disables " +
            "ip_vs_out as well as ip_vs_in; lvs-keepalived.md §5.8; the NAT reply path has no NOT_MASTER check)");
        assertEquals(2, h.drops(DropReason.NOT_MASTER), "the reply is counted NOT_MASTER");
    }

    @Test
    void anAnnouncedGatewayIsAnsweredWithTheVirtualMacOnlyByTheMasterAndNatRepliesSentToItAreForwarded()
    {
        // NAT behind a VRRP pair: the real servers' gateway is a virtual_ipaddress that must follow the master
        final int gateway = Ipv4Text.parse("192.0.2.254");
        final long vmac = MacAddresses.vrrpVirtualMac(51, false);
        start(true);
        h.director.virtualMac(0, vmac);
        h.director.announcedAddresses(gateway);
        h.director.master(false);
        h.inject(TestFrames.arpRequest(RS1_MAC, RS1, gateway));
        h.awaitDrops(DropReason.NOT_MASTER, 1);
        h.quiet();
        h.assertNothingSent(f -> PipelineFrames.isArpReplyTo(f, RS1_MAC), "a backup must not answer for the gateway");

        h.director.master(true);
        h.barrier();
        h.clearSent();
        h.inject(TestFrames.arpRequest(RS1_MAC, RS1, gateway));
        final byte[] reply = h.awaitOne(f -> PipelineFrames.isArpReplyTo(f, RS1_MAC), "the master answers");
        assertEquals(gateway, getInt(reply, 28), "for the gateway");
        assertEquals(vmac, mac(reply, 22), "with the virtual MAC");
        h.inject(TestFrames.arpRequest(RS1_MAC, RS1, Ipv4Text.parse("192.0.2.253")));
        h.quiet();
        h.assertNothingSent(f -> PipelineFrames.isArpReplyTo(f, RS1_MAC), "no answer for an address nobody announced");

        h.inject(tcpFrame(CLIENT_MAC, vmac, CLIENT, 53400, VIP, 80, TcpView.SYN));
        final byte[] in = h.awaitOne(MasterAndNeighbourPipelineTest::isTcp, "the SYN, sent to the virtual MAC");
        assertEquals(RS1, getInt(in, 30));
        h.clearSent();
        h.inject(tcpFrame(RS1_MAC, vmac, RS1, 8080, CLIENT, 53400, TcpView.SYN | TcpView.ACK));
        final byte[] out = h.awaitOne(MasterAndNeighbourPipelineTest::isTcp, "the reply, sent to the gateway's MAC");
        assertEquals(VIP, getInt(out, 26), "source is the VIP again");
        assertEquals(80, getShort(out, 34));
        assertEquals(CLIENT_MAC, mac(out, 0));
    }

    @Test
    void unknownRealServerMacIsResolvedAndTrafficFlowsAfterTheReply()
    {
        h = PipelineHarness.start();
        web = VirtualService.tcp(VIP_TEXT, 80).withScheduler("rr");
        h.director.addService(web);
        h.director.addRealServer(web, RealServers.direct(RS1_TEXT, 80, 1));
        h.barrier();
        h.clearSent();
        assertEquals(NeighbourTable.NONE, h.director.neighbours().lookup(RS1));

        final byte[] syn = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53300, VIP, 80, TcpView.SYN);
        h.inject(syn.clone());
        final byte[] request = h.awaitOne(f -> isArpRequestFor(f, RS1), "an ARP request for the real server");
        h.barrier();
        h.assertNothingSent(MasterAndNeighbourPipelineTest::isTcp, "the SYN cannot be sent without the MAC");
        assertEquals(1, h.drops(DropReason.NO_NEIGHBOUR));
        assertEquals(MacAddresses.BROADCAST, mac(request, 0));
        assertEquals(DIRECTOR_MAC, mac(request, 6));
        assertEquals(1, getShort(request, 20), "ARP request");
        assertEquals(DIRECTOR_MAC, mac(request, 22), "sender MAC");
        assertEquals(DIRECTOR_SERVER_SIDE, getInt(request, 28), "sender address: ours on the server network");

        h.inject(TestFrames.arpReply(RS1_MAC, RS1, DIRECTOR_MAC, DIRECTOR_SERVER_SIDE));
        h.barrier();
        assertEquals(RS1_MAC, h.director.neighbours().lookup(RS1), "learned from the reply");
        // the client retransmits its SYN
        h.inject(syn.clone());
        final byte[] out = h.awaitOne(MasterAndNeighbourPipelineTest::isTcp, "the retransmitted SYN");
        assertEquals(RS1_MAC, mac(out, 0));
        pcapTcp(out);
        h.inject(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 53301, VIP, 80, TcpView.SYN));
        assertEquals(RS1_MAC, mac(h.awaitOne(MasterAndNeighbourPipelineTest::isTcp, "a new SYN"), 0));
    }

    @Test
    void arpFromAddressesNobodyAskedForDoesNotEnterTheTable()
    {
        start(false);
        final int stranger = Ipv4Text.parse("192.0.2.99");
        final int strangerOnClientSide = Ipv4Text.parse("198.51.100.77");
        final long strangerMac = MacAddresses.parse("02:00:00:00:00:99");
        h.inject(TestFrames.arpReply(strangerMac, stranger, DIRECTOR_MAC, DIRECTOR_SERVER_SIDE));
        h.inject(TestFrames.arpReply(strangerMac, strangerOnClientSide, MacAddresses.BROADCAST, 0));
        h.inject(TestFrames.arpRequest(strangerMac, Ipv4Text.parse("192.0.2.98"), DIRECTOR_SERVER_SIDE));
        // a flood of unsolicited replies
        for (int i = 0; i < 500; i++)
        {
            h.inject(TestFrames.arpReply(strangerMac + i, Ipv4Text.parse("10.0.0.0") + i, DIRECTOR_MAC,
                DIRECTOR_SERVER_SIDE));
        }
        h.barrier();
        assertEquals(NeighbourTable.NONE, h.director.neighbours().lookup(stranger), "unsolicited reply ignored");
        assertEquals(NeighbourTable.NONE, h.director.neighbours().lookup(strangerOnClientSide));
        assertEquals(NeighbourTable.NONE, h.director.neighbours().lookup(Ipv4Text.parse("192.0.2.98")),
            "a request's sender is not learned either");
        final int[] count = {0};
        h.director.neighbours().forEach((address, m, confirmed, wanted) -> count[0]++);
        assertTrue(count[0] < 10, "the neighbour table holds only what the director asked for: " + count[0]);
        assertFalse(h.knows(Ipv4Text.parse("10.0.0.17")));
        assertEquals(RS1_MAC, h.director.neighbours().lookup(RS1), "RS1 still known");
        final List<byte[]> answered = h.take(f -> isArp(f) && getShort(f, 20) == 2);
        assertTrue(answered.isEmpty(), "no ARP answered for the director's own addresses (the kernel does that)");
    }
}
