package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.TestFrames;

/**
 * keepalived's rules for what an instance announces and when it may run, on a director over memory channels with
 * a fake clock: addresses announced on their own device, instances sharing an interface's virtual MAC, tracked
 * interfaces in sync groups, {@code weight 0 reverse}, an owner that starts in fault, VRRPv2 intervals rounded.
 */
@Timeout(30)
class VrrpInstanceRulesTest
{
    static final long S = 1_000_000_000L;
    static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    static final long ETH0_MAC = MacAddresses.parse("02:00:00:00:00:01");
    static final long ETH1_MAC = MacAddresses.parse("02:00:00:00:01:01");
    static final int VIP = Ipv4Text.parse("203.0.113.10");
    static final int GATEWAY = Ipv4Text.parse("192.0.2.1");

    final MemoryChannel eth0 = new MemoryChannel("eth0");
    final MemoryChannel eth1 = new MemoryChannel("eth1");
    final AtomicLong clock = new AtomicLong(1000 * S);
    final Set<String> down = ConcurrentHashMap.newKeySet();
    Director director;
    VrrpEngine engine;

    @AfterEach
    void close()
    {
        if (engine != null)
        {
            engine.close();
        }
        if (director != null)
        {
            director.close();
        }
    }

    void start(final String config)
    {
        final DirectorInterface if0 = new DirectorInterface(0, "eth0", 2, ETH0_MAC, 1500,
            List.of(new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.2"), 24)));
        final DirectorInterface if1 = new DirectorInterface(1, "eth1", 3, ETH1_MAC, 1500,
            List.of(new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.2"), 24)));
        director = Director.launch(new Director.Context().interfaces(List.of(if0, if1))
            .channels((i, w, n) -> i.index() == 0 ? eth0 : eth1).workers(1).connectionCapacity(1 << 12)
            .pollTimeoutMs(1));
        engine = VrrpEngine.launch(director, new KeepalivedParser().parse("test.conf", config, Path.of(".")),
            new VrrpEngine.Context().clock(clock::get).startThread(false).linkState(name -> !down.contains(name)));
    }

    final Map<MemoryChannel, List<byte[]>> captured = new HashMap<>();

    /** Frames of one ethertype sent on a channel since the last call for it; others wait for their own call. */
    List<byte[]> drain(final MemoryChannel channel, final int etherType)
    {
        final List<byte[]> kept = captured.computeIfAbsent(channel, c -> new ArrayList<>());
        final long deadline = System.currentTimeMillis() + 300;
        while (System.currentTimeMillis() < deadline)
        {
            kept.addAll(channel.drainSent());
        }
        final List<byte[]> out = new ArrayList<>();
        kept.removeIf(f -> (new UnsafeBuffer(f).getShort(12, BIG) & 0xFFFF) == etherType && out.add(f));
        return out;
    }

    static long sourceMac(final byte[] frame)
    {
        return MacAddresses.get(new UnsafeBuffer(frame), 6);
    }

    static int garpAddress(final byte[] frame)
    {
        return new UnsafeBuffer(frame).getInt(14 + 24, BIG);
    }

    @Test
    void anAddressOnAnotherDeviceIsAnnouncedOnThatDeviceWithItsMac()
    {
        // LVS-NAT behind a pair: the VIP outside, the real servers' gateway inside, one instance
        start("""
            vrrp_instance VI_1 { interface eth0
              virtual_router_id 51
              priority 255
              advert_int 1
              virtual_ipaddress {
                203.0.113.10
                192.0.2.1/24 dev eth1
              }
            }
            """);
        assertEquals(VrrpState.MASTER, engine.state("VI_1"));
        final long vmac = MacAddresses.vrrpVirtualMac(51, false);
        final List<byte[]> outside = drain(eth0, 0x0806);
        final List<byte[]> inside = drain(eth1, 0x0806);
        assertEquals(5, outside.stream().filter(f -> garpAddress(f) == VIP && sourceMac(f) == vmac).count(),
            "garp_master_repeat 5 for the VIP on eth0 from the virtual MAC");
        assertEquals(0, outside.stream().filter(f -> garpAddress(f) == GATEWAY).count(),
            "the gateway is not announced outside");
        assertEquals(5, inside.stream().filter(f -> garpAddress(f) == GATEWAY && sourceMac(f) == ETH1_MAC).count(),
            "the gateway on eth1 with eth1's MAC, the MAC the director answers ARP with there");
    }

    @Test
    void instancesOnOneInterfaceAdvertiseAndAnnounceTheMacTheDirectorAnswersWith()
    {
        start("""
            vrrp_instance A { interface eth0
              virtual_router_id 1
              priority 255
              virtual_ipaddress { 203.0.113.10 }
            }
            vrrp_instance B { interface eth0
              virtual_router_id 2
              priority 255
              virtual_ipaddress { 203.0.113.11 }
            }
            """);
        final long first = MacAddresses.vrrpVirtualMac(1, false);
        final List<byte[]> adverts = drain(eth0, 0x0800);
        assertEquals(2, adverts.size());
        assertTrue(adverts.stream().allMatch(f -> sourceMac(f) == first), "both adverts from VRID 1's MAC");
        final List<byte[]> garps = drain(eth0, 0x0806);
        assertEquals(10, garps.size());
        assertTrue(garps.stream().allMatch(f -> sourceMac(f) == first), "every GARP with the MAC ARP is answered with");
    }

    @Test
    void aTrackedInterfaceInASyncGroupFaultsTheGroupWhateverItsWeight()
    {
        start("""
            vrrp_sync_group G { group { A B } }
            vrrp_instance A { interface eth0
              virtual_router_id 1
              priority 100
              virtual_ipaddress { 203.0.113.10 }
              track_interface { eth9 weight -30 }
            }
            vrrp_instance B { interface eth0
              virtual_router_id 2
              priority 100
              virtual_ipaddress { 203.0.113.11 }
            }
            """);
        clock.addAndGet(4 * S);
        engine.doWork();
        assertEquals(VrrpState.MASTER, engine.state("A"));
        down.add("eth9");
        clock.addAndGet(S);
        engine.doWork();
        assertEquals(VrrpState.FAULT, engine.state("A"), "keepalived drops the weight of a grouped interface");
        assertEquals(VrrpState.FAULT, engine.state("B"));
        assertEquals(100, engine.priority("A"), "and the priority is untouched");
    }

    @Test
    void weightZeroReverseFaultsWhileTheObjectIsUp()
    {
        start("""
            vrrp_instance A { interface eth0
              virtual_router_id 1
              priority 100
              virtual_ipaddress { 203.0.113.10 }
              track_interface { eth9 weight 0 reverse }
            }
            """);
        engine.doWork();
        assertEquals(VrrpState.FAULT, engine.state("A"), "eth9 is up: reverse makes that the fault");
        down.add("eth9");
        clock.addAndGet(S);
        engine.doWork();
        assertEquals(VrrpState.BACKUP, engine.state("A"));
    }

    @Test
    void anOwnerThatStartsInFaultNeverTakesTheAddresses()
    {
        down.add("eth9");
        start("""
            vrrp_instance OWN { interface eth0
              virtual_router_id 51
              priority 255
              virtual_ipaddress { 203.0.113.10 }
              track_interface { eth9 }
            }
            """);
        assertEquals(VrrpState.FAULT, engine.state("OWN"));
        assertFalse(director.isMaster());
        assertTrue(drain(eth0, 0x0800).isEmpty(), "no advert at all, not a 255 followed by a 0");
        assertTrue(drain(eth0, 0x0806).stream().noneMatch(f -> garpAddress(f) == VIP), "no gratuitous ARP");
        down.remove("eth9");
        clock.addAndGet(S);
        engine.doWork();
        assertEquals(VrrpState.MASTER, engine.state("OWN"), "the owner takes over once the link is back");
    }

    @Test
    void aMasterHearingALowerPriorityMasterAnswersAndReannouncesItsAddresses()
    {
        start("""
            vrrp_instance OWN { interface eth0
              virtual_router_id 51
              priority 255
              virtual_ipaddress { 203.0.113.10 }
            }
            """);
        // past the takeover's second GARP burst (garp_master_delay 5 s)
        clock.addAndGet(6 * S);
        engine.doWork();
        drain(eth0, 0x0800);
        drain(eth0, 0x0806);
        // a split brain heals: the other side (priority 100) still advertises as master
        final UnsafeBuffer b = new UnsafeBuffer(new byte[80]);
        final int len = VrrpPacket.writeV2(b, 34, 51, 100, 1, VrrpPacket.AUTH_NONE, new byte[0], new int[] {VIP});
        final int frame = VrrpPacket.writeFrameHeaders(b, 0, VrrpPacket.MULTICAST_MAC,
            MacAddresses.parse("02:00:00:00:00:99"), Ipv4Text.parse("198.51.100.3"), VrrpPacket.MULTICAST_GROUP, 7,
            VrrpPacket.TTL, len);
        final byte[] advert = new byte[Math.max(60, frame)];
        b.getBytes(0, advert, 0, frame);
        eth0.inject(advert);
        final long deadline = System.currentTimeMillis() + 5000;
        while (engine.counters().advertsReceived() == 0 && System.currentTimeMillis() < deadline)
        {
            engine.doWork();
        }
        assertEquals(1, drain(eth0, 0x0800).size(), "the master answers at once");
        assertEquals(5, drain(eth0, 0x0806).stream().filter(f -> garpAddress(f) == VIP).count(),
            "garp_lower_prio_repeat (default garp_master_repeat, 5) gratuitous ARPs");
        clock.addAndGet(5 * S);
        engine.doWork();
        assertEquals(5, drain(eth0, 0x0806).stream().filter(f -> garpAddress(f) == VIP).count(),
            "and again after garp_lower_prio_delay (default garp_master_delay, 5 s)");
        assertEquals(VrrpState.MASTER, engine.state("OWN"));
    }

    @Test
    void aFractionalVersionTwoIntervalIsRoundedToWholeSeconds()
    {
        start("""
            vrrp_instance A { interface eth0
              virtual_router_id 1
              priority 100
              advert_int 1.6
              virtual_ipaddress { 203.0.113.10 }
            }
            """);
        // master down = 3 x 2 s + (256 - 100) / 256 s = 6.609 s
        clock.addAndGet(6 * S + 600_000_000L);
        engine.doWork();
        assertEquals(VrrpState.BACKUP, engine.state("A"));
        clock.addAndGet(10_000_000L);
        engine.doWork();
        assertEquals(VrrpState.MASTER, engine.state("A"));
        final List<byte[]> adverts = drain(eth0, 0x0800);
        assertEquals(1, adverts.size());
        assertEquals(2, new UnsafeBuffer(adverts.get(0)).getByte(34 + 5) & 0xFF, "Adver Int 2 on the wire");
    }

    @Test
    void unicastAdvertsGoToThePeersMacOnceTheDirectorHasResolvedIt() throws Exception
    {
        final int self = Ipv4Text.parse("198.51.100.2");
        final int peer = Ipv4Text.parse("198.51.100.3");
        final long peerMac = MacAddresses.parse("02:00:00:00:00:03");
        start("""
            vrrp_instance A { interface eth0
              virtual_router_id 1
              priority 255
              unicast_src_ip 198.51.100.2
              unicast_peer { 198.51.100.3 }
              virtual_ipaddress { 203.0.113.10 }
            }
            """);
        assertEquals(VrrpState.MASTER, engine.state("A"));
        final List<byte[]> first = drain(eth0, 0x0800);
        assertFalse(first.isEmpty());
        assertEquals(peer, new UnsafeBuffer(first.get(0)).getInt(30, BIG));
        assertEquals(MacAddresses.BROADCAST, MacAddresses.get(new UnsafeBuffer(first.get(0)), 0),
            "the peer's MAC is not known yet");

        // the advert asked for the peer: the director's control plane ARPs for it
        final long deadline = System.currentTimeMillis() + 5_000;
        boolean asked = false;
        while (!asked && System.currentTimeMillis() < deadline)
        {
            asked = drain(eth0, 0x0806).stream().anyMatch(f -> garpAddress(f) == peer);
        }
        assertTrue(asked, "an ARP request for the peer");
        eth0.inject(TestFrames.arpReply(peerMac, peer, ETH0_MAC, self));
        while (director.neighbours().lookup(peer) != peerMac && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(peerMac, director.neighbours().lookup(peer));

        clock.addAndGet(S);
        engine.doWork();
        final List<byte[]> next = drain(eth0, 0x0800);
        assertFalse(next.isEmpty());
        assertEquals(peerMac, MacAddresses.get(new UnsafeBuffer(next.get(next.size() - 1)), 0),
            "then to the peer's MAC");
    }

    @Test
    void aBackupResolvesItsUnicastPeersAtStartSoItsFirstAdvertAsMasterReachesThem() throws Exception
    {
        final int self = Ipv4Text.parse("198.51.100.2");
        final int peer = Ipv4Text.parse("198.51.100.3");
        final long peerMac = MacAddresses.parse("02:00:00:00:00:03");
        start("""
            vrrp_instance A { interface eth0
              virtual_router_id 1
              priority 100
              advert_int 1
              unicast_src_ip 198.51.100.2
              unicast_peer { 198.51.100.3 }
              virtual_ipaddress { 203.0.113.10 }
            }
            """);
        assertEquals(VrrpState.BACKUP, engine.state("A"));
        assertTrue(drain(eth0, 0x0806).stream().anyMatch(f -> garpAddress(f) == peer),
            "an ARP request for the peer before any advert");
        assertTrue(drain(eth0, 0x0800).isEmpty(), "a backup sends no advert");
        eth0.inject(TestFrames.arpReply(peerMac, peer, ETH0_MAC, self));
        final long deadline = System.currentTimeMillis() + 5_000;
        while (director.neighbours().lookup(peer) != peerMac && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        // no advert heard: master after 3 x 1 s + (256 - 100) / 256 s
        clock.addAndGet(4 * S);
        engine.doWork();
        assertEquals(VrrpState.MASTER, engine.state("A"));
        final List<byte[]> adverts = drain(eth0, 0x0800);
        assertFalse(adverts.isEmpty());
        assertEquals(peerMac, MacAddresses.get(new UnsafeBuffer(adverts.get(0)), 0),
            "the first advert as master goes to the peer's MAC");
    }
}
