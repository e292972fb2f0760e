package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.TestFrames;

/**
 * Two directors over memory channels syncing their connection tables over unicast UDP on 127.0.0.1: what
 * the master makes appears on the backup with the same real server, state and timeout; after the roles
 * switch, the new master forwards the synced connections to the same real servers; bad datagrams are
 * counted and dropped.
 */
@Timeout(60)
class SyncPipelineTest
{
    static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    static final long MAC_A = MacAddresses.parse("02:00:00:00:00:01");
    static final long MAC_B = MacAddresses.parse("02:00:00:00:00:02");
    static final long CLIENT_MAC = MacAddresses.parse("02:00:00:00:00:c1");
    static final long RS1_MAC = MacAddresses.parse("02:00:00:00:00:a1");
    static final long RS2_MAC = MacAddresses.parse("02:00:00:00:00:a2");
    static final int CLIENT = Ipv4Text.parse("198.51.100.2");
    static final int RS1 = Ipv4Text.parse("192.0.2.11");
    static final int RS2 = Ipv4Text.parse("192.0.2.12");
    static final int VIP = Ipv4Text.parse("203.0.113.10");
    static final int CONNECTIONS = 10;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    private Director director(final MemoryChannel channel, final long mac, final int address, final boolean master,
        final boolean reverseOrder)
    {
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, mac, 1500, List.of(
            new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24), new DirectorInterface.Prefix(address, 24)));
        final Director d = Director.launch(new Director.Context()
            .interfaces(List.of(iface))
            .channels((i, w, n) -> channel)
            .workers(1)
            .connectionCapacity(1 << 12)
            .neighbour("192.0.2.11", "02:00:00:00:00:a1")
            .neighbour("192.0.2.12", "02:00:00:00:00:a2")
            .master(master)
            .pollTimeoutMs(1));
        open.add(d);
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        d.addService(web);
        // the backup adds its real servers in the other order, so their ids differ from the master's
        final String first = reverseOrder ? "192.0.2.12" : "192.0.2.11";
        final String second = reverseOrder ? "192.0.2.11" : "192.0.2.12";
        d.addRealServer(web, RealServers.direct(first, 80, 1));
        d.addRealServer(web, RealServers.direct(second, 80, 1));
        return d;
    }

    static int freePort() throws Exception
    {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    static void await(final BooleanSupplier condition, final long timeoutMs, final String what)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            try
            {
                Thread.sleep(10);
            }
            catch (final InterruptedException ex)
            {
                throw new AssertionError(ex);
            }
        }
    }

    static Map<Integer, ConnectionRecord> byClientPort(final Director d)
    {
        final Map<Integer, ConnectionRecord> out = new HashMap<>();
        d.connections().forEach(System.currentTimeMillis(), r ->
        {
            if (!r.isTemplate())
            {
                out.put(r.clientPort, new ConnectionRecord().set(r));
            }
        });
        return out;
    }

    static List<byte[]> awaitTcp(final MemoryChannel channel, final int count, final long timeoutMs)
    {
        final List<byte[]> got = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (got.size() < count && System.currentTimeMillis() < deadline)
        {
            for (final byte[] f : channel.drainSent())
            {
                final UnsafeBuffer b = new UnsafeBuffer(f);
                if ((b.getShort(12, BIG) & 0xFFFF) == EthernetView.ETHERTYPE_IPV4 && b.getByte(23) == 6)
                {
                    got.add(f);
                }
            }
            Thread.onSpinWait();
        }
        return got;
    }

    @Test
    void connectionsReachTheBackupAndSurviveARoleSwitch() throws Exception
    {
        final MemoryChannel ethA = new MemoryChannel("eth0");
        final MemoryChannel ethB = new MemoryChannel("eth0");
        final Director a = director(ethA, MAC_A, Ipv4Text.parse("192.0.2.1"), true, false);
        final Director b = director(ethB, MAC_B, Ipv4Text.parse("192.0.2.2"), false, true);
        final InetAddress lo = InetAddress.getLoopbackAddress();
        final int portA = freePort();
        final int portB = freePort();
        final SyncDaemon syncA = SyncDaemon.following(a, new SyncOptions().syncId(7).scanIntervalMs(50)
            .unicast(new InetSocketAddress(lo, portB), new InetSocketAddress(lo, portA)), 20);
        open.add(syncA);
        final SyncDaemon syncB = SyncDaemon.following(b, new SyncOptions().syncId(7).scanIntervalMs(50)
            .unicast(new InetSocketAddress(lo, portA), new InetSocketAddress(lo, portB)), 20);
        open.add(syncB);
        assertTrue(syncA.isMasterRunning());
        assertTrue(syncB.isBackupRunning());

        // SYN, ACK and one data segment: ESTABLISHED at packet 2, synced at packet 3 (sync_threshold 3 50)
        for (int i = 0; i < CONNECTIONS; i++)
        {
            ethA.inject(TestFrames.tcp(CLIENT_MAC, MAC_A, CLIENT, 40000 + i, VIP, 80, TcpView.SYN, 64, true, 0));
            ethA.inject(TestFrames.tcp(CLIENT_MAC, MAC_A, CLIENT, 40000 + i, VIP, 80, TcpView.ACK, 64, true, 0));
            ethA.inject(TestFrames.tcp(CLIENT_MAC, MAC_A, CLIENT, 40000 + i, VIP, 80, TcpView.ACK, 64, true, 10));
        }
        assertEquals(3 * CONNECTIONS, awaitTcp(ethA, 3 * CONNECTIONS, 5000).size());
        await(() -> byClientPort(b).values().stream().filter(r -> r.state == TcpState.ESTABLISHED).count() ==
            CONNECTIONS, 5000, "the backup to learn every connection");

        final Map<Integer, ConnectionRecord> onA = byClientPort(a);
        final Map<Integer, ConnectionRecord> onB = byClientPort(b);
        final long now = System.currentTimeMillis();
        for (int i = 0; i < CONNECTIONS; i++)
        {
            final ConnectionRecord ra = onA.get(40000 + i);
            final ConnectionRecord rb = onB.get(40000 + i);
            assertNotNull(rb, "connection " + i + " on the backup");
            assertEquals(ra.destLo, rb.destLo, "same real server by address");
            assertEquals(ra.destPort, rb.destPort);
            assertEquals(TcpState.ESTABLISHED, rb.state);
            assertEquals(ConnectionFlags.SYNC, rb.flags & ConnectionFlags.SYNC);
            assertEquals(0, rb.flags & ConnectionFlags.INACTIVE, "as sent: active");
            assertEquals(ConnectionFlags.DROUTE, rb.flags & ConnectionFlags.FWD_MASK);
            assertTrue(Math.abs(rb.expiresAtMs - now - 900_000) < 5_000, "900 s timeout: " + (rb.expiresAtMs - now));
            // the ids differ (real servers added in the other order), the address decides
            assertTrue(ra.destinationId != rb.destinationId);
        }
        assertEquals(0, syncB.stats().totalDrops(), syncB.stats().toString());

        // switch roles: B takes over, A steps down
        a.master(false);
        b.master(true);
        await(() -> syncB.isMasterRunning() && syncA.isBackupRunning(), 5000, "the sync roles to follow");
        ethB.drainSent();
        for (int i = 0; i < CONNECTIONS; i++)
        {
            ethB.inject(TestFrames.tcp(CLIENT_MAC, MAC_B, CLIENT, 40000 + i, VIP, 80, TcpView.ACK, 64, true, 10));
        }
        final List<byte[]> out = awaitTcp(ethB, CONNECTIONS, 5000);
        assertEquals(CONNECTIONS, out.size());
        for (final byte[] f : out)
        {
            final UnsafeBuffer buf = new UnsafeBuffer(f);
            final int clientPort = buf.getShort(34, BIG) & 0xFFFF;
            final int rs = (int)onA.get(clientPort).destLo;
            assertEquals(rs == RS1 ? RS1_MAC : RS2_MAC, MacAddresses.get(buf, 0),
                "connection from port " + clientPort + " stays on " + Ipv4Text.format(rs));
        }
        // the new master's first scan hands everything back to the returning node, now backup
        await(() -> syncA.stats().refreshed() + syncA.stats().updated() >= CONNECTIONS, 5000,
            "the old master to hear from the new one");
        assertEquals(0, syncA.stats().totalDrops(), syncA.stats().toString());
    }

    @Test
    void badDatagramsAreCountedAndDropped() throws Exception
    {
        final MemoryChannel eth = new MemoryChannel("eth0");
        final Director d = director(eth, MAC_B, Ipv4Text.parse("192.0.2.2"), false, false);
        final InetAddress lo = InetAddress.getLoopbackAddress();
        final int port = freePort();
        final SyncDaemon sync = SyncDaemon.following(d, new SyncOptions().syncId(7)
            .unicast(new InetSocketAddress(lo, freePort()), new InetSocketAddress(lo, port)), 0);
        open.add(sync);
        final SyncStats stats = sync.stats();

        final SyncEntry e = new SyncEntry();
        e.family = FlowKey.AF_INET;
        e.protocol = 6;
        e.flags = ConnectionFlags.DROUTE;
        e.state = TcpState.ESTABLISHED;
        e.clientPort = 50000;
        e.virtualPort = 80;
        e.destPort = 80;
        e.timeoutS = 900;
        e.clientLo = CLIENT & 0xFFFF_FFFFL;
        e.virtualLo = VIP & 0xFFFF_FFFFL;
        e.destLo = RS2 & 0xFFFF_FFFFL;
        final SyncMessageWriter w = new SyncMessageWriter(1472);
        final List<byte[]> bad = new ArrayList<>();
        w.reset(8).append(e);
        bad.add(java.util.Arrays.copyOf(w.array(), w.length())); // wrong syncid
        w.reset(7).append(e);
        final byte[] good = java.util.Arrays.copyOf(w.array(), w.length());
        bad.add(java.util.Arrays.copyOf(good, good.length - 4)); // truncated
        final byte[] moreCounted = good.clone();
        moreCounted[4] = 3;
        bad.add(moreCounted);
        final byte[] unknownProtocol = good.clone();
        unknownProtocol[9] = 47;
        bad.add(unknownProtocol);
        final byte[] unknownServer = good.clone();
        unknownServer[8 + 35] = 99;
        bad.add(unknownServer);
        final Random random = new Random(1);
        for (int i = 0; i < 50; i++)
        {
            final byte[] junk = new byte[1 + random.nextInt(300)];
            random.nextBytes(junk);
            bad.add(junk);
        }
        try (DatagramChannel ch = DatagramChannel.open())
        {
            for (final byte[] m : bad)
            {
                ch.send(ByteBuffer.wrap(m), new InetSocketAddress(lo, port));
            }
            await(() -> stats.receivedDatagrams() == bad.size(), 5000, "every datagram to arrive");
            assertEquals(bad.size(), stats.totalDrops(), stats.toString());
            assertEquals(1, stats.drops(SyncDropReason.WRONG_SYNCID));
            assertTrue(stats.drops(SyncDropReason.SIZE_MISMATCH) >= 1);
            assertEquals(1, stats.drops(SyncDropReason.COUNT_EXCEEDS_DATA), stats.toString());
            assertEquals(1, stats.drops(SyncDropReason.UNSUPPORTED_PROTOCOL));
            assertEquals(1, stats.drops(SyncDropReason.NO_DESTINATION));
            assertEquals(0, stats.installed());

            // and the receiver still works
            ch.send(ByteBuffer.wrap(good), new InetSocketAddress(lo, port));
            await(() -> stats.installed() == 1, 5000, "the good datagram to be installed");
        }
        final ConnectionRecord r = byClientPort(d).get(50000);
        assertNotNull(r);
        assertEquals(RS2 & 0xFFFF_FFFFL, r.destLo & 0xFFFF_FFFFL);
    }
}
