package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.conn.TcpStateMachine;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * The daemon's role switching with a role the test drives (as a VRRP instance would): backup listens and
 * installs, master sends a full dump when it starts and then what is due, and each switch closes the other side's
 * socket; master to backup to master again; both sides at once for keepalived's instance-less
 * {@code lvs_sync_daemon}. Real UDP sockets on 127.0.0.1 stand in for the peer.
 */
@Timeout(60)
class SyncDaemonTest
{
    private static final long CLIENT = 0xC6336402L;
    private static final long VIP = 0xCB00710AL;
    private static final long RS1 = 0xC000020BL;

    private final List<AutoCloseable> open = new ArrayList<>();
    private final InetAddress lo = InetAddress.getLoopbackAddress();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    private Director director()
    {
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, 0x020000000001L, 1500,
            List.of(new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24)));
        final MemoryChannel channel = new MemoryChannel("eth0");
        final Director d = Director.launch(new Director.Context()
            .interfaces(List.of(iface))
            .channels((i, w, n) -> channel)
            .workers(1)
            .connectionCapacity(1 << 10)
            .master(false)
            .pollTimeoutMs(1));
        open.add(d);
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80);
        d.addService(web);
        d.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
        return d;
    }

    /** An ESTABLISHED DR connection made on this director's table as its workers would. */
    private static void establish(final Director d, final int clientPort)
    {
        final ConnectionTable table = d.connections();
        final ConnectionCursor cursor = table.newCursor();
        final ConnectionRecord r = new ConnectionRecord();
        r.fromInbound(new FlowKey().setV4(IpProtocol.TCP, (int)CLIENT, clientPort, (int)VIP, 80));
        r.destLo = RS1;
        r.destPort = 80;
        r.destinationId = d.services().get(0).realServers().get(0).server().id();
        r.flags = ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT | ConnectionFlags.INACTIVE;
        r.state = TcpState.NONE;
        final long now = System.currentTimeMillis();
        assertEquals(ConnectionTable.INSERTED, table.insert(r, null, now, cursor));
        table.onPacket(cursor, false, TcpStateMachine.TCP_SYN, 60, now);
        table.onPacket(cursor, false, TcpStateMachine.TCP_ACK, 60, now);
        table.onPacket(cursor, false, TcpStateMachine.TCP_ACK, 60, now);
    }

    private DatagramChannel peer() throws Exception
    {
        final DatagramChannel ch = DatagramChannel.open();
        ch.bind(new InetSocketAddress(lo, 0));
        ch.configureBlocking(false);
        open.add(ch);
        return ch;
    }

    /** Client ports of the entries received within {@code ms}. */
    private static List<Integer> receive(final DatagramChannel ch, final long ms) throws Exception
    {
        final List<Integer> ports = new ArrayList<>();
        final ByteBuffer buf = ByteBuffer.allocate(65_535);
        final SyncMessageReader reader = new SyncMessageReader();
        final long deadline = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < deadline)
        {
            buf.clear();
            if (ch.receive(buf) == null)
            {
                Thread.sleep(5);
                continue;
            }
            assertNull(reader.read(new UnsafeBuffer(buf.array()), 0, buf.position(), 0));
            for (int i = 0; i < reader.count(); i++)
            {
                ports.add(reader.entry(i).clientPort);
            }
        }
        return ports;
    }

    private static byte[] message(final int syncId, final int clientPort)
    {
        final SyncEntry e = new SyncEntry();
        e.family = FlowKey.AF_INET;
        e.protocol = IpProtocol.TCP;
        e.flags = ConnectionFlags.DROUTE;
        e.state = TcpState.ESTABLISHED;
        e.clientLo = CLIENT;
        e.clientPort = clientPort;
        e.virtualLo = VIP;
        e.virtualPort = 80;
        e.destLo = RS1;
        e.destPort = 80;
        e.timeoutS = 900;
        final SyncMessageWriter w = new SyncMessageWriter(1472);
        w.reset(syncId).append(e);
        return Arrays.copyOf(w.array(), w.length());
    }

    /** Whether the port is free: our socket binds it only when the daemon's backup socket is closed. */
    private boolean portFree(final int port)
    {
        try (DatagramChannel ch = DatagramChannel.open())
        {
            ch.bind(new InetSocketAddress(lo, port));
            return true;
        }
        catch (final Exception ex)
        {
            return false;
        }
    }

    @Test
    void followsADrivenRoleMasterToBackupToMaster() throws Exception
    {
        final Director d = director();
        final DatagramChannel peer = peer();
        final int listen = SyncPipelineTest.freePort();
        final AtomicBoolean role = new AtomicBoolean(false);
        final SyncDaemon sync = SyncDaemon.following(d, new SyncOptions().syncId(3).scanIntervalMs(50)
            .unicast((InetSocketAddress)peer.getLocalAddress(), new InetSocketAddress(lo, listen)), role::get, 10);
        open.add(sync);
        assertTrue(sync.isBackupRunning());
        assertFalse(sync.isMasterRunning());
        assertFalse(portFree(listen), "the backup listens");

        // as backup it installs what a master sends, with our syncid only
        try (DatagramChannel sender = DatagramChannel.open())
        {
            sender.send(ByteBuffer.wrap(message(4, 41000)), new InetSocketAddress(lo, listen));
            sender.send(ByteBuffer.wrap(message(3, 41001)), new InetSocketAddress(lo, listen));
            // received() counts before the entries are applied: wait for the outcome itself
            SyncPipelineTest.await(() -> sync.stats().installed() == 1 &&
                sync.stats().drops(SyncDropReason.WRONG_SYNCID) == 1, 5000, "two datagrams applied");
        }
        assertEquals(1, sync.stats().installed());
        assertEquals(1, sync.stats().drops(SyncDropReason.WRONG_SYNCID));
        assertTrue(receive(peer, 200).isEmpty(), "a backup sends nothing");
        establish(d, 40000);

        role.set(true);
        SyncPipelineTest.await(() -> sync.isMasterRunning() && !sync.isBackupRunning(), 5000, "master");
        final List<Integer> dump = receive(peer, 500);
        // the address now belongs to the master's ear for announcements: data sent there is not installed
        try (DatagramChannel sender = DatagramChannel.open())
        {
            sender.send(ByteBuffer.wrap(message(3, 41005)), new InetSocketAddress(lo, listen));
        }
        Thread.sleep(300);
        assertEquals(1, sync.stats().installed(), "no backup listens while master");
        assertTrue(dump.contains(40000) && dump.contains(41001),
            "the first scan sends everything, learned entries too: " + dump);

        role.set(false);
        SyncPipelineTest.await(() -> !sync.isMasterRunning() && sync.isBackupRunning(), 5000, "backup again");
        receive(peer, 200);
        assertTrue(receive(peer, 1_500).isEmpty(), "no more sending: the master's later dumps did not come");
        try (DatagramChannel sender = DatagramChannel.open())
        {
            sender.send(ByteBuffer.wrap(message(3, 41002)), new InetSocketAddress(lo, listen));
            SyncPipelineTest.await(() -> sync.stats().installed() == 2, 5000, "listening again");
        }

        role.set(true);
        SyncPipelineTest.await(sync::isMasterRunning, 5000, "master again");
        final List<Integer> again = receive(peer, 500);
        assertTrue(again.containsAll(List.of(40000, 41001, 41002)), "a new master dumps again: " + again);
    }

    @Test
    void roleCallsSwitchWithoutAPollerAndCloseStopsBoth() throws Exception
    {
        final Director d = director();
        final DatagramChannel peer = peer();
        final int listen = SyncPipelineTest.freePort();
        final SyncDaemon sync = SyncDaemon.following(d, new SyncOptions().scanIntervalMs(50)
            .unicast((InetSocketAddress)peer.getLocalAddress(), new InetSocketAddress(lo, listen)), 0);
        assertTrue(sync.isBackupRunning(), "the director is not master");
        d.master(true);
        Thread.sleep(100);
        assertTrue(sync.isBackupRunning(), "no poller: the role stays until role() is called");
        sync.role(true);
        assertTrue(sync.isMasterRunning());
        assertFalse(sync.isBackupRunning());
        sync.role(true);
        assertTrue(sync.isMasterRunning(), "idempotent");
        sync.close();
        assertFalse(sync.isMasterRunning());
        assertFalse(sync.isBackupRunning());
        assertTrue(portFree(listen));
        sync.role(false);
        assertFalse(sync.isBackupRunning(), "closed for good");
    }

    @Test
    void bothSidesRunTogetherWhateverTheRole() throws Exception
    {
        final Director d = director();
        final DatagramChannel peer = peer();
        final int listen = SyncPipelineTest.freePort();
        establish(d, 40000);
        final SyncDaemon sync = SyncDaemon.both(d, new SyncOptions().scanIntervalMs(50)
            .unicast((InetSocketAddress)peer.getLocalAddress(), new InetSocketAddress(lo, listen)));
        open.add(sync);
        assertTrue(sync.isMasterRunning());
        assertTrue(sync.isBackupRunning());
        sync.role(false);
        assertTrue(sync.isMasterRunning(), "role() does not apply");
        assertTrue(receive(peer, 500).contains(40000));
        try (DatagramChannel sender = DatagramChannel.open())
        {
            // syncid 0 accepts every sender's id
            sender.send(ByteBuffer.wrap(message(200, 41000)), new InetSocketAddress(lo, listen));
            SyncPipelineTest.await(() -> sync.stats().installed() == 1, 5000, "the backup side installs");
        }
    }

    @Test
    void aBackupThatStartsLaterAnnouncesItselfAndTheListeningMasterDumpsForIt() throws Exception
    {
        final Director d = director();
        establish(d, 40000);
        final DatagramChannel peer = peer();
        final int listen = SyncPipelineTest.freePort();
        final SyncStats stats = new SyncStats();
        final SyncMaster master = new SyncMaster(d.connections(), new SyncOptions().syncId(3)
            .unicast((InetSocketAddress)peer.getLocalAddress(), new InetSocketAddress(lo, listen)), stats)
            .listenForDumpRequests();
        open.add(master);
        master.open();
        final long t0 = 7_000_000_000L;
        assertEquals(1, master.scan(t0), "the first dump");
        master.scan(t0 + 1_000);
        master.scan(t0 + 3_000);
        receive(peer, 100);
        assertEquals(0, master.scan(t0 + 3_100), "the start-up dumps are over");

        // what is not an announcement (data, another syncid) asks for nothing
        try (DatagramChannel sender = DatagramChannel.open())
        {
            sender.send(ByteBuffer.wrap(message(3, 41000)), new InetSocketAddress(lo, listen));
            final byte[] otherId = new SyncMessageWriter(1472).reset(4).array();
            sender.send(ByteBuffer.wrap(otherId, 0, SyncMessageWriter.HEADER_LENGTH), new InetSocketAddress(lo, listen));
        }
        Thread.sleep(100);
        assertEquals(0, master.scan(t0 + 3_200));
        assertEquals(0, stats.dumpRequests());

        // a backup starting now announces itself to its peer, the master's listening address
        final SyncBackup late = new SyncBackup(new SyncInstaller(d, new SyncStats()), new SyncOptions().syncId(3)
            .unicast(new InetSocketAddress(lo, listen), new InetSocketAddress(lo, SyncPipelineTest.freePort())),
            new SyncStats());
        open.add(late);
        late.start();
        Thread.sleep(100);
        assertEquals(1, master.scan(t0 + 3_300), "a full dump for the newcomer");
        assertTrue(receive(peer, 200).contains(40000));
        assertEquals(2, stats.dumpRequests(), "announced twice");
        assertEquals(0, master.scan(t0 + 3_400), "once");
    }

    @Test
    void withBothSidesTheBackupSocketPassesAnnouncementsToTheMaster() throws Exception
    {
        final Director d = director();
        final DatagramChannel peer = peer();
        final int listen = SyncPipelineTest.freePort();
        final SyncDaemon sync = SyncDaemon.both(d, new SyncOptions().syncId(3).scanIntervalMs(50)
            .unicast((InetSocketAddress)peer.getLocalAddress(), new InetSocketAddress(lo, listen)));
        open.add(sync);
        // our own backup announced itself to the peer when it started
        final ByteBuffer buf = ByteBuffer.allocate(100);
        final long deadline = System.currentTimeMillis() + 2_000;
        boolean announced = false;
        while (!announced && System.currentTimeMillis() < deadline)
        {
            buf.clear();
            if (peer.receive(buf) == null)
            {
                Thread.sleep(5);
                continue;
            }
            announced = SyncBackup.isDumpRequest(buf.array(), buf.position(), 3);
        }
        assertTrue(announced, "an 8-byte v1 header with syncid 3 and no entry");
        try (DatagramChannel sender = DatagramChannel.open())
        {
            sender.send(ByteBuffer.wrap(new SyncMessageWriter(1472).reset(3).array(), 0,
                SyncMessageWriter.HEADER_LENGTH), new InetSocketAddress(lo, listen));
        }
        SyncPipelineTest.await(() -> sync.stats().dumpRequests() == 1, 5000, "the master to be asked");
        assertEquals(0, sync.stats().totalDrops(), "an announcement is no bad datagram");
    }

    @Test
    void theMasterAnnouncesTheTimeoutsIpvsadmSetGaveTheDirector() throws Exception
    {
        final Director d = director();
        d.setTimeouts(4, 3, 5);
        final DatagramChannel peer = peer();
        establish(d, 40000);
        final SyncDaemon sync = SyncDaemon.following(d, new SyncOptions().scanIntervalMs(50)
            .unicast((InetSocketAddress)peer.getLocalAddress(), new InetSocketAddress(lo, SyncPipelineTest.freePort())),
            () -> true, 10);
        open.add(sync);
        final ByteBuffer buf = ByteBuffer.allocate(65_535);
        final SyncMessageReader reader = new SyncMessageReader();
        final long deadline = System.currentTimeMillis() + 5_000;
        long timeoutS = -1;
        while (timeoutS < 0 && System.currentTimeMillis() < deadline)
        {
            buf.clear();
            if (peer.receive(buf) == null)
            {
                Thread.sleep(5);
                continue;
            }
            assertNull(reader.read(new UnsafeBuffer(buf.array()), 0, buf.position(), 0));
            for (int i = 0; i < reader.count(); i++)
            {
                if (reader.entry(i).clientPort == 40000)
                {
                    timeoutS = reader.entry(i).timeoutS;
                }
            }
        }
        assertEquals(4, timeoutS, "ESTABLISHED after --set 4 3 5, not IPVS's 900 s");
    }
}
