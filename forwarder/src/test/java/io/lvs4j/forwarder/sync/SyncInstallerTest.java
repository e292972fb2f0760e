package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.RealServerStatus;
import io.lvs4j.forwarder.ServiceStatus;

/**
 * What the backup makes of received entries ({@code ip_vs_proc_conn}, reference section 6.5), on a real table:
 * the entry is bound to our own real server found by VIP, port and address, with our forwarding method, SYNC,
 * the sender's state and INACTIVE bit; a repeat re-arms the timer, a new state or an active message for another
 * real server updates it, an inactive one for another real server is ignored; unknown real servers and states are
 * counted; fwmark services match by mark (real server port 0 for non-NAT); templates keep the sent timeout.
 */
class SyncInstallerTest
{
    private static final long CLIENT = 0xC6336402L;
    private static final long VIP = 0xCB00710AL;
    private static final long RS1 = 0xC000020BL;
    private static final long RS2 = 0xC000020CL;
    private static final long RS3 = 0xC000020DL;
    private static final int RS1_ID = 3;
    private static final int RS2_ID = 4;
    private static final int RS3_ID = 5;
    private static final int MARK = 7;
    private static final long T0 = 5_000_000L;

    private final DestinationCounters counters = new DestinationCounters(8);
    private final OffHeapConnectionTable table =
        new OffHeapConnectionTable(1024, counters, new ConnectionTimeoutProfiles());
    private final SyncStats stats = new SyncStats();
    private SyncInstaller installer;
    private List<ServiceStatus> services;

    @BeforeEach
    void setUp()
    {
        for (final int id : new int[] {RS1_ID, RS2_ID, RS3_ID})
        {
            counters.reset(id, 0, 0);
        }
        // our rs1 is NAT and rs2 DR: the master may run them otherwise, ours decide
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80);
        final VirtualService dns = VirtualService.udp("203.0.113.10", 53);
        final VirtualService marked = new VirtualService(FlowKey.AF_INET, IpProtocol.IP, 0, 0, 0, MARK, "rr", 0, 0,
            0xFFFF_FFFF);
        services = List.of(
            new ServiceStatus(web, List.of(status(RS1_ID, RS1, 80, ConnectionFlags.MASQ),
                status(RS2_ID, RS2, 80, ConnectionFlags.DROUTE)), 0, 0, 0, 0, 0),
            new ServiceStatus(dns, List.of(status(RS1_ID, RS1, 53, ConnectionFlags.MASQ)), 0, 0, 0, 0, 0),
            new ServiceStatus(marked, List.of(status(RS3_ID, RS3, 0, ConnectionFlags.DROUTE)), 0, 0, 0, 0, 0));
        installer = new SyncInstaller(table, () -> services, stats);
    }

    @AfterEach
    void tearDown()
    {
        table.close();
    }

    private static RealServerStatus status(final int id, final long address, final int port, final int method)
    {
        return new RealServerStatus(new RealServer(id, FlowKey.AF_INET, 0, address, port, 1, 1, method, 0, 0),
            0, 0, 0, false, 0, 0, 0, 0, 0);
    }

    private static SyncEntry tcp(final int clientPort, final int state, final int flags, final long dest)
    {
        final SyncEntry e = new SyncEntry();
        e.family = FlowKey.AF_INET;
        e.protocol = IpProtocol.TCP;
        e.clientLo = CLIENT;
        e.clientPort = clientPort;
        e.virtualLo = VIP;
        e.virtualPort = 80;
        e.destLo = dest;
        e.destPort = 80;
        e.state = state;
        e.flags = flags;
        e.timeoutS = state == TcpState.ESTABLISHED ? 900 : 120;
        return e;
    }

    private List<ConnectionRecord> entries(final long now)
    {
        final List<ConnectionRecord> out = new ArrayList<>();
        table.forEach(now, r -> out.add(new ConnectionRecord().set(r)));
        return out;
    }

    private ConnectionRecord connection(final int clientPort, final long now)
    {
        for (final ConnectionRecord r : entries(now))
        {
            if (!r.isTemplate() && r.clientPort == clientPort)
            {
                return r;
            }
        }
        return null;
    }

    @Test
    void createsEntriesOnOurRealServerWithOurMethodSyncFlagAndTheSentState()
    {
        // the master runs rs1 as DR and rs2 as NAT; we run them the other way round
        assertNull(installer.install(tcp(40000, TcpState.ESTABLISHED, ConnectionFlags.DROUTE, RS1), 1, T0));
        assertNull(installer.install(tcp(40001, TcpState.ESTABLISHED, ConnectionFlags.MASQ, RS2), 1, T0));
        final ConnectionRecord a = connection(40000, T0);
        final ConnectionRecord b = connection(40001, T0);
        assertNotNull(a);
        assertNotNull(b);
        assertEquals(RS1_ID, a.destinationId);
        assertEquals(ConnectionFlags.MASQ, a.flags & ConnectionFlags.FWD_MASK);
        assertEquals(RS2_ID, b.destinationId);
        assertEquals(ConnectionFlags.DROUTE, b.flags & ConnectionFlags.FWD_MASK);
        assertTrue((a.flags & ConnectionFlags.SYNC) != 0);
        assertEquals(TcpState.ESTABLISHED, a.state);
        assertEquals(T0 + 900_000, a.expiresAtMs, "the ESTABLISHED timeout, armed now");
        assertEquals(1, counters.active(RS1_ID));
        assertEquals(0, counters.inactive(RS1_ID));
        assertEquals(2, stats.installed());
        assertEquals(0, stats.totalDrops());
    }

    @Test
    void aMasterKeepsItsOwnConnectionsAgainstEchoesButABackupTakesThePeersWord()
    {
        // our own connection, made by our workers: no SYNC flag
        final ConnectionRecord own = new ConnectionRecord();
        own.fromInbound(new FlowKey().setV4(IpProtocol.TCP, (int)CLIENT, 40000, (int)VIP, 80));
        own.destLo = RS1;
        own.destPort = 80;
        own.destinationId = RS1_ID;
        own.flags = ConnectionFlags.MASQ;
        own.state = TcpState.ESTABLISHED;
        table.insert(own, null, T0, table.newCursor());
        final java.util.concurrent.atomic.AtomicBoolean master = new java.util.concurrent.atomic.AtomicBoolean(true);
        final SyncInstaller echoed = new SyncInstaller(table, () -> services, master::get, stats);
        final SyncEntry stale = tcp(40000, TcpState.FIN_WAIT, ConnectionFlags.DROUTE | ConnectionFlags.INACTIVE, RS1);
        assertNull(echoed.install(stale, 1, T0));
        ConnectionRecord r = connection(40000, T0);
        assertEquals(TcpState.ESTABLISHED, r.state, "the live entry stays as the master has it");
        assertEquals(RS1_ID, r.destinationId);
        assertEquals(0, r.flags & ConnectionFlags.SYNC);
        assertEquals(1, stats.ownKept());
        master.set(false);
        assertNull(echoed.install(stale, 1, T0));
        r = connection(40000, T0);
        assertEquals(RS1_ID, r.destinationId);
        assertEquals(TcpState.FIN_WAIT, r.state, "as backup the peer's newer state applies");
        assertEquals(1, stats.ownKept());
        assertEquals(1, stats.updated());
    }

    @Test
    void inactiveBitAndClosingStatesAreKept()
    {
        assertNull(installer.install(tcp(40000, TcpState.FIN_WAIT,
            ConnectionFlags.DROUTE | ConnectionFlags.INACTIVE, RS2), 1, T0));
        final ConnectionRecord r = connection(40000, T0);
        assertEquals(TcpState.FIN_WAIT, r.state);
        assertTrue((r.flags & ConnectionFlags.INACTIVE) != 0);
        assertEquals(0, counters.active(RS2_ID));
        assertEquals(1, counters.inactive(RS2_ID));
        assertEquals(T0 + 120_000, r.expiresAtMs, "FIN_WAIT's timeout");
    }

    @Test
    void repeatsReArmStateChangesUpdateAndOnlyActiveMessagesMoveAConnection()
    {
        final SyncEntry e = tcp(40000, TcpState.ESTABLISHED, ConnectionFlags.DROUTE, RS1);
        assertNull(installer.install(e, 1, T0));
        assertNull(installer.install(e, 1, T0 + 100_000));
        assertEquals(T0 + 100_000 + 900_000, connection(40000, T0 + 100_000).expiresAtMs, "re-armed");
        assertEquals(1, stats.refreshed());
        assertEquals(1, stats.installed());

        final long t1 = T0 + 200_000;
        assertNull(installer.install(tcp(40000, TcpState.FIN_WAIT,
            ConnectionFlags.DROUTE | ConnectionFlags.INACTIVE, RS1), 1, t1));
        ConnectionRecord r = connection(40000, t1);
        assertEquals(TcpState.FIN_WAIT, r.state);
        assertEquals(1, stats.updated());
        assertEquals(0, counters.active(RS1_ID));
        assertEquals(1, counters.inactive(RS1_ID));

        // an inactive message naming another real server does not move it
        assertNull(installer.install(tcp(40000, TcpState.FIN_WAIT,
            ConnectionFlags.DROUTE | ConnectionFlags.INACTIVE, RS2), 1, t1));
        assertEquals(RS1_ID, connection(40000, t1).destinationId);
        // an active one does: the old entry goes, a new one on rs2 comes
        assertNull(installer.install(tcp(40000, TcpState.ESTABLISHED, ConnectionFlags.DROUTE, RS2), 1, t1));
        r = connection(40000, t1);
        assertEquals(RS2_ID, r.destinationId);
        assertEquals(TcpState.ESTABLISHED, r.state);
        assertEquals(0, counters.inactive(RS1_ID));
        assertEquals(1, counters.active(RS2_ID));
        assertEquals(1, entries(t1).size());
    }

    @Test
    void entriesExpireWithTheirTimeoutUnlessRefreshed()
    {
        assertNull(installer.install(tcp(40000, TcpState.FIN_WAIT,
            ConnectionFlags.DROUTE | ConnectionFlags.INACTIVE, RS1), 1, T0));
        assertNotNull(connection(40000, T0 + 119_000));
        assertNull(connection(40000, T0 + 120_001), "gone after FIN_WAIT's 120 s");
    }

    @Test
    void unknownRealServersAndStatesAreCountedNotInstalled()
    {
        assertEquals(SyncDropReason.NO_DESTINATION,
            installer.install(tcp(40000, TcpState.ESTABLISHED, ConnectionFlags.DROUTE, 0xC0000263L), 1, T0));
        final SyncEntry otherPort = tcp(40001, TcpState.ESTABLISHED, ConnectionFlags.DROUTE, RS1);
        otherPort.virtualPort = 8080;
        assertEquals(SyncDropReason.NO_DESTINATION, installer.install(otherPort, 1, T0));
        assertEquals(SyncDropReason.INVALID_STATE,
            installer.install(tcp(40002, 99, ConnectionFlags.DROUTE, RS1), 1, T0));
        final SyncEntry udp = tcp(40003, 1, 0, RS1);
        udp.protocol = IpProtocol.UDP;
        udp.virtualPort = 53;
        udp.destPort = 53;
        assertEquals(SyncDropReason.INVALID_STATE, installer.install(udp, 1, T0), "UDP has only state 0");
        final SyncEntry icmp = tcp(0, 0, 0, RS1);
        icmp.protocol = 1;
        assertEquals(SyncDropReason.UNSUPPORTED_PROTOCOL, installer.install(icmp, 1, T0));
        assertEquals(2, stats.drops(SyncDropReason.NO_DESTINATION));
        assertEquals(2, stats.drops(SyncDropReason.INVALID_STATE));
        assertEquals(1, stats.drops(SyncDropReason.UNSUPPORTED_PROTOCOL));
        assertTrue(entries(T0).isEmpty());
        assertEquals(0, stats.installed());
    }

    @Test
    void udpGetsItsOneState()
    {
        final SyncEntry udp = tcp(5353, 0, ConnectionFlags.MASQ, RS1);
        udp.protocol = IpProtocol.UDP;
        udp.virtualPort = 53;
        udp.destPort = 53;
        udp.timeoutS = 300;
        assertNull(installer.install(udp, 1, T0));
        final ConnectionRecord r = connection(5353, T0);
        assertEquals(TcpState.UDP, r.state);
        assertEquals(RS1_ID, r.destinationId);
        assertEquals(T0 + 300_000, r.expiresAtMs);
    }

    @Test
    void fwmarkEntriesFindTheRealServerByMarkAndPortZero()
    {
        final SyncEntry e = tcp(40000, TcpState.ESTABLISHED, ConnectionFlags.DROUTE, RS3);
        e.virtualPort = 443;
        e.destPort = 443;
        e.fwmark = MARK;
        assertNull(installer.install(e, 1, T0));
        assertEquals(RS3_ID, connection(40000, T0).destinationId);
        final SyncEntry other = tcp(40001, TcpState.ESTABLISHED, ConnectionFlags.DROUTE, RS3);
        other.fwmark = MARK + 1;
        assertEquals(SyncDropReason.NO_DESTINATION, installer.install(other, 1, T0), "another mark");
    }

    @Test
    void templatesKeepTheSentTimeoutAndV0TemplatesGetThreeMinutes()
    {
        final SyncEntry t = tcp(0, SyncEntry.TEMPLATE_STATE_ASSURED, ConnectionFlags.DROUTE |
            ConnectionFlags.TEMPLATE, RS2);
        t.clientLo = 0xC6336400L;
        t.timeoutS = 360;
        assertNull(installer.install(t, 1, T0));
        final SyncEntry v0 = tcp(0, SyncEntry.TEMPLATE_STATE_NONE, ConnectionFlags.DROUTE |
            ConnectionFlags.TEMPLATE, RS1);
        v0.clientLo = 0xC6336500L;
        v0.timeoutS = 0;
        assertNull(installer.install(v0, 0, T0));
        ConnectionRecord a = null;
        ConnectionRecord b = null;
        for (final ConnectionRecord r : entries(T0))
        {
            assertTrue(r.isTemplate());
            if (r.destinationId == RS2_ID)
            {
                a = r;
            }
            else
            {
                b = r;
            }
        }
        assertNotNull(a);
        assertNotNull(b);
        assertEquals(360_000, a.templateTimeoutMs);
        assertEquals(TcpState.ASSURED, a.state);
        assertEquals(T0 + 360_000, a.expiresAtMs);
        assertEquals(180_000, b.templateTimeoutMs);
        assertEquals(RS1_ID, b.destinationId);
        assertEquals(1, counters.persistent(RS2_ID));
        // a repeat pushes the template's timer
        assertNull(installer.install(t, 1, T0 + 60_000));
        for (final ConnectionRecord r : entries(T0 + 60_000))
        {
            if (r.destinationId == RS2_ID)
            {
                assertEquals(T0 + 60_000 + 360_000, r.expiresAtMs);
            }
        }
    }
}
