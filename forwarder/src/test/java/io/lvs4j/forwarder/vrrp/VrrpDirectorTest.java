package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * The engine on a director over memory channels, its clock faked: the seed's {@code vrrp_instance} unchanged
 * starts as backup, becomes master after the master-down interval, advertises from 00:00:5e:00:01:33 to
 * 01:00:5e:00:00:12 / 224.0.0.18 with TTL 255, sends gratuitous ARP, drives {@link Director#master}; a
 * higher-priority advert makes it backup again; bad adverts are counted; tracking weights and sync groups.
 */
@Timeout(30)
class VrrpDirectorTest
{
    static final long S = 1_000_000_000L;
    static final long DIRECTOR_MAC = MacAddresses.parse("02:00:00:00:00:01");
    static final int DIRECTOR_ADDRESS = Ipv4Text.parse("192.168.20.10");
    static final int PEER = Ipv4Text.parse("192.168.20.11");
    static final int VIP = Ipv4Text.parse("192.168.20.50");
    static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    final MemoryChannel eth0 = new MemoryChannel("eth0");
    final AtomicLong clock = new AtomicLong(1000 * S);
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

    void start(final KeepalivedConfig config, final VrrpEngine.Context context)
    {
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, DIRECTOR_MAC, 1500,
            List.of(new DirectorInterface.Prefix(DIRECTOR_ADDRESS, 24)));
        director = Director.launch(new Director.Context().interfaces(List.of(iface)).channels((i, w, n) -> eth0)
            .workers(1).connectionCapacity(1 << 12).pollTimeoutMs(1));
        engine = VrrpEngine.launch(director, config, context.clock(clock::get).startThread(false)
            .interfaceAlias("eno16777736", "eth0").linkState(name -> true));
    }

    static KeepalivedConfig seed()
    {
        return new KeepalivedParser().parse(Path.of("/work/shared/seed-keepalived/lvs-dr-master.conf"));
    }

    static KeepalivedConfig parse(final String text)
    {
        return new KeepalivedParser().parse("test.conf", text, Path.of("."));
    }

    final List<byte[]> captured = new ArrayList<>();

    /** Frames of one ethertype sent since the last call for it (others are kept for their own call). */
    List<byte[]> sent(final int etherType)
    {
        final long deadline = System.currentTimeMillis() + 300;
        while (System.currentTimeMillis() < deadline)
        {
            captured.addAll(eth0.drainSent());
        }
        final List<byte[]> out = new ArrayList<>();
        captured.removeIf(f -> (new UnsafeBuffer(f).getShort(12, BIG) & 0xFFFF) == etherType && out.add(f));
        return out;
    }

    void until(final BooleanSupplier condition)
    {
        until(condition, () -> "condition");
    }

    void until(final BooleanSupplier condition, final java.util.function.Supplier<String> message)
    {
        final long deadline = System.currentTimeMillis() + 5000;
        while (!condition.getAsBoolean() && System.currentTimeMillis() < deadline)
        {
            engine.doWork();
            Thread.onSpinWait();
        }
        assertTrue(condition.getAsBoolean(), message);
    }

    static byte[] advert(final int priority, final int source, final int ttl, final byte[] pass)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[80]);
        final int len = VrrpPacket.writeV2(b, 34, 51, priority, 1, VrrpPacket.AUTH_PASS, pass, new int[] {VIP});
        final int frame = VrrpPacket.writeFrameHeaders(b, 0, VrrpPacket.MULTICAST_MAC,
            MacAddresses.parse("02:00:00:00:00:99"), source, VrrpPacket.MULTICAST_GROUP, 7, ttl, len);
        final byte[] out = new byte[Math.max(60, frame)];
        b.getBytes(0, out, 0, frame);
        return out;
    }

    @Test
    void seedInstanceBecomesMasterAdvertisesFromTheVirtualMacAndStepsDown()
    {
        start(seed(), new VrrpEngine.Context());
        assertEquals(VrrpState.BACKUP, engine.state("VI_1"));
        assertFalse(director.isMaster(), "a backup director does not own the VIPs");

        clock.addAndGet(3 * S + 609 * S / 1000);
        engine.doWork();
        assertEquals(VrrpState.BACKUP, engine.state("VI_1"), "3.609 s < 3.609375 s");
        clock.addAndGet(S / 1000);
        engine.doWork();
        assertEquals(VrrpState.MASTER, engine.state("VI_1"));
        assertTrue(director.isMaster());

        final List<byte[]> adverts = sent(0x0800);
        assertEquals(1, adverts.size());
        final UnsafeBuffer a = new UnsafeBuffer(adverts.get(0));
        assertEquals(VrrpPacket.MULTICAST_MAC, MacAddresses.get(a, 0));
        assertEquals(MacAddresses.vrrpVirtualMac(51, false), MacAddresses.get(a, 6));
        assertEquals(255, a.getByte(14 + 8) & 0xFF, "TTL");
        assertEquals(112, a.getByte(14 + 9) & 0xFF);
        assertEquals(DIRECTOR_ADDRESS, a.getInt(14 + 12, BIG));
        assertEquals(VrrpPacket.MULTICAST_GROUP, a.getInt(14 + 16, BIG));
        assertEquals(0x21, a.getByte(34) & 0xFF);
        assertEquals(51, VrrpPacket.vrid(a, 34));
        assertEquals(100, VrrpPacket.priority(a, 34));
        assertEquals(VIP, VrrpPacket.address(a, 34, 0));
        assertEquals("1111", new String(adverts.get(0), 34 + 12, 4, StandardCharsets.US_ASCII));
        assertEquals(0, VrrpPacketTest.rfc1071(adverts.get(0), 34, 34 + 20, 0));

        // garp_master_repeat 5 on takeover, for the VIP, from the virtual MAC (the director adds its own for
        // service VIPs; this config's director has no services)
        final List<byte[]> arps = sent(0x0806);
        final long garps = arps.stream().filter(f -> new UnsafeBuffer(f).getInt(14 + 24, BIG) == VIP &&
            MacAddresses.get(new UnsafeBuffer(f), 6) == MacAddresses.vrrpVirtualMac(51, false)).count();
        assertEquals(5, garps);

        clock.addAndGet(S);
        engine.doWork();
        assertEquals(1, sent(0x0800).size(), "next advert after advert_int");

        // bad adverts are dropped and counted, and change nothing
        eth0.inject(advert(200, PEER, 64, "1111".getBytes(StandardCharsets.US_ASCII)));
        eth0.inject(advert(200, PEER, 255, "2222".getBytes(StandardCharsets.US_ASCII)));
        until(() -> engine.counters().totalDrops() == 2);
        assertEquals(1, engine.counters().drops(VrrpDropReason.TTL));
        assertEquals(1, engine.counters().drops(VrrpDropReason.AUTH_PASSWORD));
        assertEquals(VrrpState.MASTER, engine.state("VI_1"));

        eth0.inject(advert(200, PEER, 255, "1111".getBytes(StandardCharsets.US_ASCII)));
        until(() -> engine.state("VI_1") == VrrpState.BACKUP);
        assertFalse(director.isMaster(), "a higher-priority master took over");
    }

    @Test
    void excludedAddressesAreAnnouncedButNotAdvertised()
    {
        final int excluded = Ipv4Text.parse("192.168.20.51");
        start(parse("""
            vrrp_instance VI_1 {
              state MASTER
              interface eth0
              virtual_router_id 51
              priority 150
              virtual_ipaddress {
                192.168.20.50
              }
              virtual_ipaddress_excluded {
                192.168.20.51
              }
            }
            """), new VrrpEngine.Context());
        clock.addAndGet(4 * S);
        engine.doWork();
        assertEquals(VrrpState.MASTER, engine.state("VI_1"));
        final UnsafeBuffer a = new UnsafeBuffer(sent(0x0800).get(0));
        assertEquals(1, a.getByte(34 + 3) & 0xFF, "the advert counts only virtual_ipaddress");
        assertEquals(VIP, VrrpPacket.address(a, 34, 0));
        // keepalived manages the excluded address like the others: 5 gratuitous ARPs each on takeover
        final List<byte[]> arps = sent(0x0806);
        for (final int address : new int[] {VIP, excluded})
        {
            assertEquals(5, arps.stream().filter(f -> new UnsafeBuffer(f).getInt(14 + 24, BIG) == address).count(),
                Ipv4Text.format(address));
        }
    }

    @Test
    void closeReleasesWithPriorityZero()
    {
        start(parse("vrrp_instance OWN { interface eth0\n virtual_router_id 51\n priority 255\n advert_int 1\n" +
            " virtual_ipaddress { 192.168.20.50 }\n}\n"), new VrrpEngine.Context());
        assertEquals(VrrpState.MASTER, engine.state("OWN"), "the owner is master at once");
        assertTrue(director.isMaster());
        assertEquals(255, VrrpPacket.priority(new UnsafeBuffer(sent(0x0800).get(0)), 34));
        engine.close();
        final List<byte[]> release = sent(0x0800);
        assertEquals(1, release.size());
        assertEquals(0, VrrpPacket.priority(new UnsafeBuffer(release.get(0)), 34));
        engine = null;
    }

    @Test
    void trackingWeightsAndSyncGroups()
    {
        final Set<String> down = ConcurrentHashMap.newKeySet();
        final String text = """
            vrrp_script chk {
              script "/bin/true"
              interval 1
              weight 20
            }
            vrrp_sync_group G { group { A B } }
            vrrp_instance A { interface eth0
              virtual_router_id 1
              priority 100
              virtual_ipaddress { 192.168.20.51 }
              track_interface { eth9 }
            }
            vrrp_instance B { interface eth0
              virtual_router_id 2
              priority 100
              virtual_ipaddress { 192.168.20.52 }
            }
            vrrp_instance C { interface eth0
              virtual_router_id 3
              priority 240
              virtual_ipaddress { 192.168.20.53 }
              track_interface { eth8 weight -30 }
              track_script { chk }
            }
            """;
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, DIRECTOR_MAC, 1500,
            List.of(new DirectorInterface.Prefix(DIRECTOR_ADDRESS, 24)));
        director = Director.launch(new Director.Context().interfaces(List.of(iface)).channels((i, w, n) -> eth0)
            .workers(1).connectionCapacity(1 << 12).pollTimeoutMs(1));
        try
        {
            engine = VrrpEngine.launch(director, parse(text), new VrrpEngine.Context().clock(clock::get)
                .startThread(false).linkState(name -> !down.contains(name)));
        }
        catch (final IllegalArgumentException ex)
        {
            // two instances on one interface need distinct VRIDs; these have them
            throw ex;
        }
        // C: 240 + 20 (script up) = 260, clamped to 254
        until(() -> engine.priority("C") == 254, () -> "C at " + engine.priority("C"));
        down.add("eth8");
        clock.addAndGet(S);
        until(() -> engine.priority("C") == 240 + 20 - 30);

        clock.addAndGet(4 * S);
        engine.doWork();
        assertEquals(VrrpState.MASTER, engine.state("A"));
        assertEquals(VrrpState.MASTER, engine.state("B"));

        // A's tracked interface (weight 0) goes down: A faults, and its sync group with it
        down.add("eth9");
        clock.addAndGet(S);
        engine.doWork();
        assertEquals(VrrpState.FAULT, engine.state("A"));
        assertEquals(VrrpState.FAULT, engine.state("B"));
        down.remove("eth9");
        clock.addAndGet(S);
        engine.doWork();
        assertEquals(VrrpState.BACKUP, engine.state("A"));
        assertEquals(VrrpState.BACKUP, engine.state("B"));
    }
}
