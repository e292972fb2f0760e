package io.lvs4j.forwarder.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.packet.ArpView;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.Icmpv4View;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * The director end to end over memory channels: frames in, frames out, compared field by field.
 */
@Timeout(30)
class DirectorPipelineTest
{
    static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    static final long DIRECTOR_MAC = MacAddresses.parse("02:00:00:00:00:01");
    static final long CLIENT_MAC = MacAddresses.parse("02:00:00:00:00:c1");
    static final long RS1_MAC = MacAddresses.parse("02:00:00:00:00:a1");
    static final long RS2_MAC = MacAddresses.parse("02:00:00:00:00:a2");
    static final int DIRECTOR_CLIENT_SIDE = Ipv4Text.parse("198.51.100.1");
    static final int DIRECTOR_SERVER_SIDE = Ipv4Text.parse("192.0.2.1");
    static final int CLIENT = Ipv4Text.parse("198.51.100.2");
    static final int RS1 = Ipv4Text.parse("192.0.2.11");
    static final int RS2 = Ipv4Text.parse("192.0.2.12");
    static final int VIP = Ipv4Text.parse("203.0.113.10");

    private final MemoryChannel eth0 = new MemoryChannel("eth0");
    private Director director;

    @AfterEach
    void close()
    {
        if (director != null)
        {
            director.close();
        }
    }

    private Director start()
    {
        return start(1500);
    }

    private Director start(final int mtu)
    {
        return start(mtu, ForwardingOptions.defaults());
    }

    private Director start(final int mtu, final ForwardingOptions options)
    {
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, DIRECTOR_MAC, mtu, List.of(
            new DirectorInterface.Prefix(DIRECTOR_CLIENT_SIDE, 24), new DirectorInterface.Prefix(DIRECTOR_SERVER_SIDE, 24)));
        director = Director.launch(new Director.Context()
            .interfaces(List.of(iface))
            .channels((i, w, n) -> eth0)
            .workers(1)
            .connectionCapacity(1 << 12)
            .forwardingOptions(options)
            .pollTimeoutMs(1));
        return director;
    }

    /** Answers the director's ARP requests for the real servers, as they would. */
    private void answerArp(final int servers)
    {
        // requests for the real servers, not the gratuitous ARP announcing the VIP
        final List<byte[]> requests = awaitSent(f -> isArpRequest(f) &&
            new UnsafeBuffer(f).getInt(14 + ArpView.TARGET_PROTOCOL_OFFSET, BIG) != VIP, servers);
        final List<Integer> answered = new ArrayList<>();
        for (final byte[] f : requests)
        {
            final int target = new UnsafeBuffer(f).getInt(14 + ArpView.TARGET_PROTOCOL_OFFSET, BIG);
            final long mac = target == RS1 ? RS1_MAC : target == RS2 ? RS2_MAC : -1;
            if (mac >= 0)
            {
                eth0.inject(TestFrames.arpReply(mac, target, DIRECTOR_MAC, DIRECTOR_SERVER_SIDE));
                answered.add(target);
            }
        }
        final long deadline = System.currentTimeMillis() + 5000;
        while (answered.stream().anyMatch(a -> director.neighbours().lookup(a) < 0) &&
            System.currentTimeMillis() < deadline)
        {
            Thread.onSpinWait();
        }
    }

    private static boolean isArpRequest(final byte[] f)
    {
        final UnsafeBuffer b = new UnsafeBuffer(f);
        return (b.getShort(12, BIG) & 0xFFFF) == EthernetView.ETHERTYPE_ARP &&
            (b.getShort(14 + ArpView.OPERATION_OFFSET, BIG) & 0xFFFF) == ArpView.OPERATION_REQUEST;
    }

    private List<byte[]> awaitSent(final Predicate<byte[]> wanted, final int count)
    {
        return awaitSent(wanted, count, 5000);
    }

    private List<byte[]> awaitSent(final Predicate<byte[]> wanted, final int count, final long timeoutMs)
    {
        final List<byte[]> got = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (got.size() < count && System.currentTimeMillis() < deadline)
        {
            for (final byte[] f : eth0.drainSent())
            {
                if (wanted.test(f))
                {
                    got.add(f);
                }
            }
            Thread.onSpinWait();
        }
        return got;
    }

    private static boolean isTcp(final byte[] f)
    {
        final UnsafeBuffer b = new UnsafeBuffer(f);
        return (b.getShort(12, BIG) & 0xFFFF) == EthernetView.ETHERTYPE_IPV4 && b.getByte(23) == 6;
    }

    private static void assertChecksumsValid(final byte[] f, final int l3)
    {
        final UnsafeBuffer b = new UnsafeBuffer(f);
        assertTrue(Checksums.isIpv4HeaderValid(b, l3, 20), "IPv4 header checksum");
        final int total = b.getShort(l3 + 2, BIG) & 0xFFFF;
        final int stored = b.getShort(l3 + 20 + 16, BIG) & 0xFFFF;
        assertEquals(Checksums.tcpChecksumV4(b, l3, l3 + 20, total - 20), stored, "TCP checksum");
    }

    @Test
    void answersArpForTheVipOnlyAndWithItsOwnMac()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        eth0.drainSent();
        eth0.inject(TestFrames.arpRequest(CLIENT_MAC, CLIENT, VIP));
        final List<byte[]> replies = awaitSent(f -> !isArpRequest(f), 1);
        assertEquals(1, replies.size());
        final UnsafeBuffer b = new UnsafeBuffer(replies.get(0));
        assertEquals(CLIENT_MAC, MacAddresses.get(b, 0));
        assertEquals(DIRECTOR_MAC, MacAddresses.get(b, 6));
        assertEquals(ArpView.OPERATION_REPLY, b.getShort(14 + ArpView.OPERATION_OFFSET, BIG) & 0xFFFF);
        assertEquals(DIRECTOR_MAC, MacAddresses.get(b, 14 + ArpView.SENDER_HARDWARE_OFFSET));
        assertEquals(VIP, b.getInt(14 + ArpView.SENDER_PROTOCOL_OFFSET, BIG));
        assertEquals(CLIENT, b.getInt(14 + ArpView.TARGET_PROTOCOL_OFFSET, BIG));

        eth0.inject(TestFrames.arpRequest(CLIENT_MAC, CLIENT, Ipv4Text.parse("203.0.113.99")));
        assertEquals(0, awaitSent(f -> !isArpRequest(f), 1, 300).size(), "no reply for an address that is no VIP");
    }

    @Test
    void directRoutingRoundRobinSplitsExactlyAndOnlyChangesMacsAndTtl()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
        answerArp(2);
        for (int i = 0; i < 100; i++)
        {
            eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40000 + i, VIP, 80, TcpView.SYN, 64, true, 0));
        }
        final List<byte[]> out = awaitSent(DirectorPipelineTest::isTcp, 100);
        assertEquals(100, out.size());
        final Map<Long, Integer> byMac = new HashMap<>();
        for (final byte[] f : out)
        {
            final UnsafeBuffer b = new UnsafeBuffer(f);
            byMac.merge(MacAddresses.get(b, 0), 1, Integer::sum);
            assertEquals(DIRECTOR_MAC, MacAddresses.get(b, 6));
            assertEquals(VIP, b.getInt(30, BIG), "DR keeps the VIP as destination");
            assertEquals(80, b.getShort(36, BIG) & 0xFFFF);
            assertEquals(63, b.getByte(22) & 0xFF, "TTL decremented");
            assertChecksumsValid(f, 14);
        }
        assertEquals(Map.of(RS1_MAC, 50, RS2_MAC, 50), byMac);
        final var status = director.service(web);
        assertNotNull(status);
        assertEquals(100, status.connections());
        assertEquals(100, status.inPackets());
    }

    @Test
    void natRewritesBothWaysWithValidChecksums()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.nat("192.0.2.11", 8080, 1));
        answerArp(1);
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40001, VIP, 80, TcpView.SYN, 64, true, 0));
        final byte[] in = awaitSent(DirectorPipelineTest::isTcp, 1).get(0);
        UnsafeBuffer b = new UnsafeBuffer(in);
        assertEquals(RS1_MAC, MacAddresses.get(b, 0));
        assertEquals(CLIENT, b.getInt(26, BIG));
        assertEquals(RS1, b.getInt(30, BIG));
        assertEquals(40001, b.getShort(34, BIG) & 0xFFFF);
        assertEquals(8080, b.getShort(36, BIG) & 0xFFFF);
        assertChecksumsValid(in, 14);

        eth0.inject(TestFrames.tcp(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 40001, TcpView.SYN | TcpView.ACK, 64,
            true, 0));
        final byte[] reply = awaitSent(DirectorPipelineTest::isTcp, 1).get(0);
        b = new UnsafeBuffer(reply);
        assertEquals(CLIENT_MAC, MacAddresses.get(b, 0), "learned from the client's request");
        assertEquals(VIP, b.getInt(26, BIG));
        assertEquals(80, b.getShort(34, BIG) & 0xFFFF);
        assertEquals(CLIENT, b.getInt(30, BIG));
        assertChecksumsValid(reply, 14);
        assertEquals(1, director.service(web).outPackets());
    }

    @Test
    void tunnelWrapsInIpIpAndAnswersFragmentationNeeded()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.tunnel("192.0.2.11", 80, 1));
        answerArp(1);
        final byte[] syn = TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40002, VIP, 80, TcpView.SYN, 64, true, 0);
        eth0.inject(syn);
        final byte[] out = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 4, 1).get(0);
        final UnsafeBuffer b = new UnsafeBuffer(out);
        assertEquals(RS1_MAC, MacAddresses.get(b, 0));
        assertEquals(14 + 20 + 40, out.length);
        assertEquals(DIRECTOR_SERVER_SIDE, b.getInt(26, BIG));
        assertEquals(RS1, b.getInt(30, BIG));
        assertEquals(60, b.getShort(16, BIG) & 0xFFFF, "outer total length");
        assertTrue((b.getShort(20, BIG) & 0x4000) != 0, "DF copied (pmtu_disc)");
        assertEquals(63, b.getByte(22) & 0xFF, "outer TTL = decremented inner TTL");
        assertTrue(Checksums.isIpv4HeaderValid(b, 14, 20));
        assertEquals(VIP, b.getInt(34 + 16, BIG), "inner destination is still the VIP");
        assertChecksumsValid(out, 34);

        // 1500 - 20 bytes of tunnel header: a full-size DF packet no longer fits
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40002, VIP, 80, TcpView.ACK, 64, true, 1460));
        final byte[] icmp = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 1, 1).get(0);
        final UnsafeBuffer ib = new UnsafeBuffer(icmp);
        assertEquals(CLIENT_MAC, MacAddresses.get(ib, 0));
        assertEquals(CLIENT, ib.getInt(30, BIG));
        assertEquals(Icmpv4View.TYPE_DESTINATION_UNREACHABLE, ib.getByte(34));
        assertEquals(Icmpv4View.CODE_FRAGMENTATION_NEEDED, ib.getByte(35));
        assertEquals(1480, ib.getShort(34 + 6, BIG) & 0xFFFF);
        assertEquals(1, director.drops(DropReason.TOO_BIG_DF));
    }

    @Test
    void noRealServerAnswersPortUnreachableFromTheVip()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("wlc");
        director.addService(web);
        eth0.drainSent();
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 40003, VIP, 80, TcpView.SYN, 64, true, 0));
        final byte[] icmp = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 1, 1).get(0);
        final UnsafeBuffer b = new UnsafeBuffer(icmp);
        assertEquals(VIP, b.getInt(26, BIG));
        assertEquals(CLIENT, b.getInt(30, BIG));
        assertEquals(Icmpv4View.CODE_PORT_UNREACHABLE, b.getByte(35));
        assertEquals(1, director.drops(DropReason.NO_DESTINATION));
    }

    @Test
    void fragmentationNeededGoesToTheClientAndQuotesWhatItSentForDrAndNat()
    {
        start(1400);
        final VirtualService dr = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        final VirtualService nat = VirtualService.tcp("203.0.113.10", 81).withScheduler("rr");
        director.addService(dr);
        director.addService(nat);
        director.addRealServer(dr, RealServers.direct("192.0.2.11", 80, 1));
        director.addRealServer(nat, RealServers.nat("192.0.2.12", 8080, 1));
        answerArp(2);
        for (final int port : new int[] {80, 81})
        {
            eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 41000 + port, VIP, port, TcpView.SYN, 64,
                true, 0));
            assertEquals(1, awaitSent(DirectorPipelineTest::isTcp, 1).size(), "the SYN fits");
            eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 41000 + port, VIP, port, TcpView.ACK, 64,
                true, 1410));
            final byte[] icmp = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 1, 1).get(0);
            final UnsafeBuffer b = new UnsafeBuffer(icmp);
            assertEquals(CLIENT_MAC, MacAddresses.get(b, 0), "to the client's MAC, not our own");
            assertEquals(Icmpv4View.CODE_FRAGMENTATION_NEEDED, b.getByte(35));
            assertEquals(1400, b.getShort(40, BIG) & 0xFFFF);
            assertEquals(VIP, b.getInt(42 + 16, BIG), "the quote holds the VIP the client sent to");
            assertEquals(port, b.getShort(42 + 20 + 2, BIG) & 0xFFFF, "and the port");
        }
        assertEquals(2, director.drops(DropReason.TOO_BIG_DF));
    }

    @Test
    void aSynOnAClosedConnectionIsANewConnection()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
        answerArp(2);
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 42000, VIP, 80, TcpView.SYN, 64, true, 0));
        final long first = TestFrames.dstMac(awaitSent(DirectorPipelineTest::isTcp, 1).get(0));
        // ESTABLISHED, then a RST: CLOSE in the INPUT-ONLY table (a RST in SYN_RECV would leave it there)
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 42000, VIP, 80, TcpView.ACK, 64, true, 0));
        assertEquals(first, TestFrames.dstMac(awaitSent(DirectorPipelineTest::isTcp, 1).get(0)));
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 42000, VIP, 80, TcpView.RST, 64, true, 0));
        assertEquals(first, TestFrames.dstMac(awaitSent(DirectorPipelineTest::isTcp, 1).get(0)));
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 42000, VIP, 80, TcpView.SYN, 64, true, 0));
        final long second = TestFrames.dstMac(awaitSent(DirectorPipelineTest::isTcp, 1).get(0));
        assertTrue(first != second, "rescheduled (conn_reuse_mode 1): rr moved on to the other server");
        assertEquals(2, director.service(web).connections());
    }

    @Test
    void reAddingADeletedRealServerRevivesItsConnections()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        final var rs1 = director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        answerArp(1);
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 43000, VIP, 80, TcpView.SYN, 64, true, 0));
        assertEquals(1, awaitSent(DirectorPipelineTest::isTcp, 1).size());
        director.deleteRealServer(web, rs1);
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 43000, VIP, 80, TcpView.ACK, 64, true, 0));
        assertEquals(0, awaitSent(DirectorPipelineTest::isTcp, 1, 300).size(), "dropped while deleted");
        final var back = director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        assertEquals(rs1.id(), back.id(), "the same destination, back from the trash");
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 43000, VIP, 80, TcpView.ACK, 64, true, 0));
        assertEquals(1, awaitSent(DirectorPipelineTest::isTcp, 1).size(), "its connection resumes");
        assertEquals(1, director.drops(DropReason.DESTINATION_UNAVAILABLE));
    }

    @Test
    void taggedFramesAreNotServedAndRedirectsAreNotRelated()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        answerArp(1);
        final byte[] untagged = TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 44000, VIP, 80, TcpView.SYN, 64, true,
            0);
        final byte[] tagged = new byte[untagged.length + 4];
        System.arraycopy(untagged, 0, tagged, 0, 12);
        final UnsafeBuffer t = new UnsafeBuffer(tagged);
        t.putShort(12, (short)0x8100, BIG);
        t.putShort(14, (short)7, BIG);
        System.arraycopy(untagged, 12, tagged, 16, untagged.length - 12);
        eth0.inject(tagged);
        eth0.inject(new UnsafeBuffer(untagged), 0, untagged.length, io.lvs4j.forwarder.channel.FrameFlags.VLAN_TAGGED);
        assertEquals(0, awaitSent(DirectorPipelineTest::isTcp, 1, 300).size(), "neither is forwarded");
        assertEquals(2, director.drops(DropReason.VLAN));
    }

    @Test
    void anAggregatedFrameTooBigIsCountedWithoutIcmp()
    {
        start(1400);
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        answerArp(1);
        eth0.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 45000, VIP, 80, TcpView.SYN, 64, true, 0));
        assertEquals(1, awaitSent(DirectorPipelineTest::isTcp, 1).size());
        final byte[] big = TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 45000, VIP, 80, TcpView.ACK, 64, true,
            2800);
        eth0.inject(new UnsafeBuffer(big), 0, big.length, io.lvs4j.forwarder.channel.FrameFlags.CHECKSUM_NOT_READY);
        assertEquals(0, awaitSent(f -> true, 1, 300).size(), "nothing sent: no ICMP about a frame nobody sent");
        assertEquals(1, director.drops(DropReason.OVERSIZED));
    }

    @Test
    void sctpAssociationsStartWithInit()
    {
        start();
        final VirtualService sctp = VirtualService.of(132, "203.0.113.10", 3868).withScheduler("rr");
        director.addService(sctp);
        director.addRealServer(sctp, RealServers.direct("192.0.2.11", 3868, 1));
        answerArp(1);
        eth0.inject(sctpFrame(0));
        assertEquals(0, awaitSent(f -> new UnsafeBuffer(f).getByte(23) == (byte)132, 1, 300).size(),
            "a DATA chunk without an association is not scheduled");
        eth0.inject(sctpFrame(1));
        assertEquals(1, awaitSent(f -> new UnsafeBuffer(f).getByte(23) == (byte)132, 1).size(), "INIT is");
        eth0.inject(sctpFrame(0));
        assertEquals(1, awaitSent(f -> new UnsafeBuffer(f).getByte(23) == (byte)132, 1).size(), "then DATA follows");
        assertEquals(1, director.drops(DropReason.NO_CONNECTION));
    }

    private static byte[] sctpFrame(final int chunkType)
    {
        final byte[] bytes = new byte[14 + 20 + 12 + 20];
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        io.lvs4j.core.packet.EthernetView.writeHeader(b, 0, DIRECTOR_MAC, CLIENT_MAC,
            io.lvs4j.core.packet.EthernetView.NO_VLAN, io.lvs4j.core.packet.EthernetView.ETHERTYPE_IPV4);
        io.lvs4j.core.packet.Icmpv4ErrorBuilder.writeIpv4Header(b, 14, 0, 52, 1, 0x4000, 64, 132, CLIENT, VIP);
        b.putShort(34, (short)46000, BIG);
        b.putShort(36, (short)3868, BIG);
        b.putInt(38, chunkType == 1 ? 0 : 0x1234_5678, BIG);
        b.putByte(46, (byte)chunkType);
        b.putShort(48, (short)20, BIG);
        b.putInt(50, 0x0A0B_0C0D, BIG);
        b.putInt(42, Checksums.sctpChecksum(b, 34, 32), java.nio.ByteOrder.LITTLE_ENDIAN);
        return bytes;
    }

    @Test
    void expireNodestConnLetsTheRetransmittedSynFindALiveServer()
    {
        start(1500, ForwardingOptions.defaults().withExpireNodestConn(true));
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        final var rs1 = director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
        answerArp(2);
        final byte[] syn = TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 46000, VIP, 80, TcpView.SYN, 64, true, 0);
        eth0.inject(syn);
        final long first = TestFrames.dstMac(awaitSent(DirectorPipelineTest::isTcp, 1).get(0));
        director.deleteRealServer(web, first == RS1_MAC ? rs1 : director.service(web).realServers().get(0).server());
        eth0.inject(syn);
        assertEquals(0, awaitSent(DirectorPipelineTest::isTcp, 1, 300).size(), "dropped, and the entry expired");
        eth0.inject(syn);
        final long second = TestFrames.dstMac(awaitSent(DirectorPipelineTest::isTcp, 1).get(0));
        assertTrue(second != first, "the retransmission is scheduled to the live server");
    }

    @Test
    void natIcmpSendAnswersARealServerTalkingOutOfTurn()
    {
        start(1500, new ForwardingOptions(true, false, true, true, false));
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.nat("192.0.2.11", 8080, 1));
        answerArp(1);
        eth0.inject(TestFrames.tcp(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 47000, TcpView.ACK, 64, true, 0));
        final byte[] icmp = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 1, 1).get(0);
        final UnsafeBuffer b = new UnsafeBuffer(icmp);
        assertEquals(RS1_MAC, MacAddresses.get(b, 0));
        assertEquals(RS1, b.getInt(30, BIG));
        assertEquals(Icmpv4View.CODE_PORT_UNREACHABLE, b.getByte(35));
        eth0.inject(TestFrames.tcp(RS1_MAC, DIRECTOR_MAC, RS1, 8080, CLIENT, 47001, TcpView.RST, 64, true, 0));
        assertEquals(0, awaitSent(f -> true, 1, 300).size(), "never about a RST");
    }

    @Test
    void aRoutersFragmentationNeededAboutOurTunnelReachesTheClientMinusTheTunnel()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.tunnel("192.0.2.11", 80, 1));
        answerArp(1);
        final byte[] syn = TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 48000, VIP, 80, TcpView.SYN, 64, true, 0);
        eth0.inject(syn);
        final byte[] tunnelled = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 4, 1).get(0);

        // a router on the way to the real server quotes our IPIP packet: outer header + the client's header + 8
        final int quote = 20 + 20 + 8;
        final byte[] icmp = new byte[14 + 20 + 8 + quote];
        final UnsafeBuffer b = new UnsafeBuffer(icmp);
        final long routerMac = MacAddresses.parse("02:00:00:00:00:fe");
        io.lvs4j.core.packet.EthernetView.writeHeader(b, 0, DIRECTOR_MAC, routerMac,
            io.lvs4j.core.packet.EthernetView.NO_VLAN, io.lvs4j.core.packet.EthernetView.ETHERTYPE_IPV4);
        io.lvs4j.core.packet.Icmpv4ErrorBuilder.writeIpv4Header(b, 14, 0, 20 + 8 + quote, 9, 0, 64, 1,
            Ipv4Text.parse("192.0.2.254"), DIRECTOR_SERVER_SIDE);
        b.putByte(34, (byte)3);
        b.putByte(35, (byte)4);
        b.putShort(40, (short)1400, BIG);
        b.putBytes(42, new UnsafeBuffer(tunnelled), 14, quote);
        b.putShort(36, (short)Checksums.icmpv4Checksum(b, 34, 8 + quote), BIG);
        eth0.inject(icmp);

        final byte[] relayed = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 1, 1).get(0);
        final UnsafeBuffer r = new UnsafeBuffer(relayed);
        assertEquals(CLIENT_MAC, MacAddresses.get(r, 0));
        assertEquals(VIP, r.getInt(26, BIG), "from the VIP the client talks to");
        assertEquals(CLIENT, r.getInt(30, BIG));
        assertEquals(3, r.getByte(34));
        assertEquals(4, r.getByte(35));
        assertEquals(1380, r.getShort(40, BIG) & 0xFFFF, "the router's MTU minus the tunnel's 20 bytes");
        assertEquals(CLIENT, r.getInt(42 + 12, BIG), "quoting the client's own packet");
        assertEquals(VIP, r.getInt(42 + 16, BIG));
        assertEquals(48000, r.getShort(42 + 20, BIG) & 0xFFFF);
        final int icmpLength = (r.getShort(16, BIG) & 0xFFFF) - 20;
        assertEquals(Checksums.icmpv4Checksum(r, 34, icmpLength), r.getShort(36, BIG) & 0xFFFF, "ICMP checksum");
    }

    private static byte[] vrrpAdvert(final int seq)
    {
        final byte[] f = new byte[14 + 20 + 20];
        final UnsafeBuffer b = new UnsafeBuffer(f);
        io.lvs4j.core.packet.EthernetView.writeHeader(b, 0, MacAddresses.parse("01:00:5e:00:00:12"),
            MacAddresses.vrrpVirtualMac(51, false), io.lvs4j.core.packet.EthernetView.NO_VLAN,
            io.lvs4j.core.packet.EthernetView.ETHERTYPE_IPV4);
        io.lvs4j.core.packet.Icmpv4ErrorBuilder.writeIpv4Header(b, 14, 0xC0, 40, seq, 0, 255, 112,
            DIRECTOR_SERVER_SIDE + 1, Ipv4Text.parse("224.0.0.18"));
        b.putByte(34, (byte)0x21);   // version 2, advertisement
        b.putByte(35, (byte)51);     // VRID
        b.putByte(36, (byte)100);    // priority
        return f;
    }

    @Test
    void vrrpFramesReachTheControlPlaneOnlyWhenAskedAndAFloodIsCounted()
    {
        start();
        eth0.inject(vrrpAdvert(1));
        final long deadline = System.currentTimeMillis() + 2000;
        while (director.drops(DropReason.NOT_OURS) < 1 && System.currentTimeMillis() < deadline)
        {
            Thread.onSpinWait();
        }
        assertEquals(1, director.drops(DropReason.NOT_OURS), "no HA: left to the kernel");
        director.receiveVrrp();
        final List<Integer> seen = new ArrayList<>();
        eth0.inject(vrrpAdvert(2));
        final long until = System.currentTimeMillis() + 2000;
        while (seen.isEmpty() && System.currentTimeMillis() < until)
        {
            director.drainVrrp((type, buffer, index, length) ->
            {
                assertEquals(1, type, "interface 0, plus one");
                seen.add(buffer.getShort(index + 18, BIG) & 0xFFFF);
            }, 10);
        }
        assertEquals(List.of(2), seen, "the advert, as it came");
        // a flood larger than the inbox: counted, forwarding unaffected
        for (int i = 0; i < 20_000; i++)
        {
            while (!eth0.inject(vrrpAdvert(i)))
            {
                Thread.onSpinWait();
            }
        }
        final long flood = System.currentTimeMillis() + 10_000;
        while (director.drops(DropReason.CONTROL_QUEUE_FULL) == 0 && System.currentTimeMillis() < flood)
        {
            Thread.onSpinWait();
        }
        assertTrue(director.drops(DropReason.CONTROL_QUEUE_FULL) > 0);
    }

    @Test
    void aVirtualMacAnswersArpAndIsAnnouncedAndFramesCanBeSent()
    {
        start();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        director.master(false);
        director.addService(web);
        final long vmac = MacAddresses.vrrpVirtualMac(51, false);
        director.virtualMac(0, vmac);
        eth0.drainSent();
        director.master(true);
        final byte[] garp = awaitSent(f -> isArpRequest(f), 1).get(0);
        assertEquals(vmac, MacAddresses.get(new UnsafeBuffer(garp), 6), "gratuitous ARP from the virtual MAC");
        eth0.inject(TestFrames.arpRequest(CLIENT_MAC, CLIENT, VIP));
        final byte[] reply = awaitSent(f -> !isArpRequest(f), 1).get(0);
        assertEquals(vmac, MacAddresses.get(new UnsafeBuffer(reply), 14 + ArpView.SENDER_HARDWARE_OFFSET));
        final byte[] advert = vrrpAdvert(7);
        assertTrue(director.sendFrame(0, new UnsafeBuffer(advert), 0, advert.length));
        final byte[] sent = awaitSent(f -> new UnsafeBuffer(f).getByte(23) == 112, 1).get(0);
        assertEquals(advert.length, sent.length);
    }
}
