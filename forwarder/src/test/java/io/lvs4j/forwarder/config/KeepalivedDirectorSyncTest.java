package io.lvs4j.forwarder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.conn.TcpStateMachine;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.sync.SyncDaemon;

/**
 * {@code lvs_sync_daemon} run by the keepalived director: two directors over memory channels whose configurations
 * name the loopback interface as the sync interface (multicast on a random port, so parallel runs do not meet);
 * the instance's role, driven by the test as the VRRP engine would, picks master or backup; the master's
 * connections reach the other director's table; a reload that changes the setting restarts the daemon, one that
 * keeps it leaves it alone, one that removes it stops it; close stops it.
 */
@Timeout(60)
class KeepalivedDirectorSyncTest
{
    private static final long CLIENT = 0xC6336402L;
    private static final long VIP = 0xCB00710AL;
    private static final long RS1 = 0xC000020BL;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    private static int freePort() throws Exception
    {
        try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    private static KeepalivedConfig config(final String sync)
    {
        return new KeepalivedParser().parse("sync.conf", "global_defs {\n" + sync + "}\n" +
            "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100\n" +
            "  virtual_ipaddress {\n    203.0.113.10\n  }\n}\n" +
            "virtual_server 203.0.113.10 80 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n" +
            "  real_server 192.0.2.11 80 {\n    weight 1\n  }\n}\n", Path.of("."));
    }

    private Director director(final long mac)
    {
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, mac, 1500,
            List.of(new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24)));
        final MemoryChannel channel = new MemoryChannel("eth0");
        final Director d = Director.launch(new Director.Context()
            .interfaces(List.of(iface))
            .channels((i, w, n) -> channel)
            .workers(1)
            .connectionCapacity(1 << 10)
            .master(false)
            .pollTimeoutMs(1));
        open.add(d);
        return d;
    }

    private KeepalivedDirector keepalived(final KeepalivedConfig config, final Director d, final AtomicBoolean vi1)
    {
        final KeepalivedDirector kd = KeepalivedDirector.start(config, d, new KeepalivedDirector.Context()
            .startThread(false)
            .vrrpRole(name -> name.equals("VI_1") && vi1.get()));
        open.add(kd);
        return kd;
    }

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

    private static boolean has(final Director d, final int clientPort)
    {
        final boolean[] found = {false};
        d.connections().forEach(System.currentTimeMillis(), r ->
            found[0] |= r.clientPort == clientPort && r.state == TcpState.ESTABLISHED &&
                (r.flags & ConnectionFlags.SYNC) != 0);
        return found[0];
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 5_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void theInstancesMasterSyncsToTheOtherDirectorAndReloadsRestartOrStopIt() throws Exception
    {
        final int port = freePort();
        final String line = "  lvs_sync_daemon lo VI_1 id 9 port " + port + "\n";
        final AtomicBoolean aMaster = new AtomicBoolean(true);
        final AtomicBoolean bMaster = new AtomicBoolean(false);
        final Director a = director(MacAddresses.parse("02:00:00:00:00:01"));
        final Director b = director(MacAddresses.parse("02:00:00:00:00:02"));
        final KeepalivedDirector ka = keepalived(config(line), a, aMaster);
        final KeepalivedDirector kb = keepalived(config(line), b, bMaster);
        final SyncDaemon syncA = ka.connectionSync();
        final SyncDaemon syncB = kb.connectionSync();
        assertNotNull(syncA);
        assertEquals(9, ka.connectionSyncSetting().syncId());
        assertEquals("VI_1", ka.connectionSyncSetting().instance());
        assertTrue(syncA.isMasterRunning() && !syncA.isBackupRunning(), "VI_1 is master on a");
        assertTrue(syncB.isBackupRunning() && !syncB.isMasterRunning(), "VI_1 is backup on b");

        establish(a, 40000);
        await(() -> has(b, 40000), "b to learn a's connection");

        // the instance moves: the daemons follow it (the directors' own roles are not involved)
        aMaster.set(false);
        bMaster.set(true);
        await(() -> syncB.isMasterRunning() && syncA.isBackupRunning(), "the daemons to follow VI_1");
        establish(b, 40001);
        await(() -> has(a, 40001), "a to learn b's connection");
        assertEquals(0, syncA.stats().totalDrops(), syncA.stats().toString());

        // the same setting: nothing restarts; another port: a new daemon; none: stopped
        kb.reload(config(line));
        assertSame(syncB, kb.connectionSync());
        final int other = freePort();
        kb.reload(config("  lvs_sync_daemon lo VI_1 id 9 port " + other + "\n"));
        final SyncDaemon restarted = kb.connectionSync();
        assertNotNull(restarted);
        assertTrue(restarted != syncB, "restarted");
        assertFalse(syncB.isMasterRunning(), "the old daemon stopped");
        assertEquals(other, kb.connectionSyncSetting().port());
        kb.reload(config(""));
        assertNull(kb.connectionSync());
        assertFalse(restarted.isMasterRunning() || restarted.isBackupRunning());

        ka.close();
        assertNull(ka.connectionSync());
        assertFalse(syncA.isBackupRunning(), "close stops it");
    }

    @Test
    void withoutAnInstanceBothDaemonsRunAndASocketFailureLeavesTheDirectorRunning() throws Exception
    {
        final Director a = director(MacAddresses.parse("02:00:00:00:00:01"));
        final AtomicBoolean never = new AtomicBoolean(false);
        final KeepalivedDirector ka = keepalived(config("  lvs_sync_daemon lo port " + freePort() + "\n"), a,
            never);
        assertTrue(ka.connectionSync().isMasterRunning() && ka.connectionSync().isBackupRunning());
        assertEquals(0, ka.connectionSyncSetting().syncId());

        final KeepalivedDirector kb = keepalived(config("  lvs_sync_daemon no-such-if0 VI_1\n"),
            director(MacAddresses.parse("02:00:00:00:00:02")), never);
        assertNull(kb.connectionSync(), "no such interface: logged, no sync");
        assertEquals(1, kb.config().virtualServers().size(), "the services are served all the same");
    }
}
