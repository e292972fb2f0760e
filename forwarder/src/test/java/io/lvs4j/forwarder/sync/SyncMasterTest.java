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
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.conn.TcpStateMachine;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;

/**
 * What the master sends and when: IPVS's threshold/period rule and state-change rule applied per scan, with a
 * fake clock driving the scans and a UDP socket on 127.0.0.1 as the backup.
 */
@Timeout(20)
class SyncMasterTest
{
    private final DestinationCounters counters = new DestinationCounters(8);
    private final OffHeapConnectionTable table = new OffHeapConnectionTable(1024, counters, new ConnectionTimeoutProfiles());
    private final ConnectionCursor cursor = table.newCursor();
    private DatagramChannel receiver;
    private SyncMaster master;
    private final SyncStats stats = new SyncStats();

    @BeforeEach
    void open() throws Exception
    {
        counters.reset(1, 0, 0);
        receiver = DatagramChannel.open();
        receiver.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        receiver.configureBlocking(false);
        master = new SyncMaster(table, new SyncOptions().syncId(5).unicast(
            (InetSocketAddress)receiver.getLocalAddress(), new InetSocketAddress(0)), stats);
        master.open();
    }

    @AfterEach
    void close() throws Exception
    {
        master.close();
        receiver.close();
        table.close();
    }

    private List<SyncEntry> received() throws Exception
    {
        final List<SyncEntry> out = new ArrayList<>();
        final ByteBuffer buf = ByteBuffer.allocate(65_535);
        final SyncMessageReader reader = new SyncMessageReader();
        final long deadline = System.currentTimeMillis() + 200;
        while (System.currentTimeMillis() < deadline)
        {
            buf.clear();
            if (receiver.receive(buf) == null)
            {
                Thread.sleep(5);
                continue;
            }
            assertNull(reader.read(new UnsafeBuffer(buf.array()), 0, buf.position(), 5));
            for (int i = 0; i < reader.count(); i++)
            {
                out.add(new SyncEntry().set(reader.entry(i)));
            }
        }
        return out;
    }

    private void connection(final int protocol, final int clientPort, final long now)
    {
        final ConnectionRecord r = new ConnectionRecord();
        r.fromInbound(new FlowKey().setV4(protocol, 0xC6336402, clientPort, 0xCB00710A, 80));
        r.destLo = 0xC000020BL;
        r.destPort = 80;
        r.destinationId = 1;
        r.flags = ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT | ConnectionFlags.INACTIVE;
        r.state = TcpState.NONE;
        table.insert(r, null, now, cursor);
    }

    private void packet(final int protocol, final int clientPort, final int tcpFlags, final long now)
    {
        assertTrue(table.findIn(new FlowKey().setV4(protocol, 0xC6336402, clientPort, 0xCB00710A, 80), now, cursor));
        table.onPacket(cursor, false, tcpFlags, 60, now);
    }

    @Test
    void thresholdRuleAsAScanSeesIt()
    {
        assertFalse(SyncMaster.crossed(0, 2, 3, 50));
        assertTrue(SyncMaster.crossed(0, 3, 3, 50));
        assertTrue(SyncMaster.crossed(2, 3, 3, 50));
        assertFalse(SyncMaster.crossed(3, 52, 3, 50));
        assertTrue(SyncMaster.crossed(52, 53, 3, 50));
        assertTrue(SyncMaster.crossed(4, 200, 3, 50));
        assertFalse(SyncMaster.crossed(5, 5, 3, 50));
        assertTrue(SyncMaster.crossed(0, 5, 3, 0), "period 0: once, at the threshold");
        assertFalse(SyncMaster.crossed(5, 100, 3, 0));
    }

    @Test
    void sendsEstablishedConnectionsAtTheThresholdAndStateChangesAtOnce() throws Exception
    {
        long now = 1_000_000;
        connection(IpProtocol.TCP, 40000, now);
        packet(IpProtocol.TCP, 40000, TcpStateMachine.TCP_SYN, now);
        assertEquals(0, master.scan(now), "SYN_RECV is not synced");
        packet(IpProtocol.TCP, 40000, TcpStateMachine.TCP_ACK, now);
        assertEquals(0, master.scan(now += 100), "ESTABLISHED at packet 2: waits for the threshold");
        packet(IpProtocol.TCP, 40000, TcpStateMachine.TCP_ACK, now);
        assertEquals(1, master.scan(now += 100), "packet 3");
        List<SyncEntry> got = received();
        assertEquals(1, got.size());
        final SyncEntry e = got.get(0);
        assertEquals(TcpState.ESTABLISHED, e.state);
        assertEquals(900, e.timeoutS);
        assertEquals(40000, e.clientPort);
        assertEquals(0xC000020BL, e.destLo);
        assertEquals(ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT, e.flags & 0xFFFF);
        for (int i = 0; i < 49; i++)
        {
            packet(IpProtocol.TCP, 40000, TcpStateMachine.TCP_ACK, now);
        }
        assertEquals(0, master.scan(now += 100), "packet 52");
        packet(IpProtocol.TCP, 40000, TcpStateMachine.TCP_ACK, now);
        assertEquals(1, master.scan(now += 100), "packet 53");
        packet(IpProtocol.TCP, 40000, TcpStateMachine.TCP_FIN, now);
        assertEquals(1, master.scan(now += 100), "FIN_WAIT is sent at once");
        assertEquals(0, master.scan(now += 100));
        received();
        assertEquals(1, master.scan(now += 1_000), "the second full dump");
        got = received();
        assertEquals(TcpState.FIN_WAIT, got.get(0).state);
        assertEquals(120, got.get(0).timeoutS);
    }

    @Test
    void sendsUdpAtTheThresholdAndTemplatesWhenNew() throws Exception
    {
        final long now = 2_000_000;
        master.scan(now);
        connection(IpProtocol.UDP, 5000, now);
        for (int i = 0; i < 3; i++)
        {
            packet(IpProtocol.UDP, 5000, 0, now);
        }
        final ConnectionRecord t = new ConnectionRecord();
        t.fromInbound(new FlowKey().setV4(IpProtocol.TCP, 0xC6336400, 0, 0xCB00710A, 80));
        t.destLo = 0xC000020BL;
        t.destPort = 80;
        t.destinationId = 1;
        t.flags = ConnectionFlags.DROUTE | ConnectionFlags.TEMPLATE;
        t.templateTimeoutMs = 360_000;
        table.insert(t, null, now, cursor);
        assertEquals(2, master.scan(now + 100));
        final List<SyncEntry> got = received();
        final SyncEntry udp = got.stream().filter(x -> !x.isTemplate()).findFirst().orElseThrow();
        final SyncEntry tpl = got.stream().filter(SyncEntry::isTemplate).findFirst().orElseThrow();
        assertEquals(0, udp.state, "IP_VS_UDP_S_NORMAL");
        assertEquals(300, udp.timeoutS);
        assertEquals(SyncEntry.TEMPLATE_STATE_NONE, tpl.state);
        assertEquals(360, tpl.timeoutS);
        assertEquals(0, tpl.clientPort);
        assertEquals(0, master.scan(now + 200));
        assertEquals(2, stats.sentEntries());
    }

    @Test
    void neverSendsOnePacketEntriesOrUnsyncableTcpStatesNotEvenInADump() throws Exception
    {
        final long now = 3_000_000;
        connection(IpProtocol.TCP, 41000, now);
        packet(IpProtocol.TCP, 41000, TcpStateMachine.TCP_SYN, now);
        final ConnectionRecord ops = new ConnectionRecord();
        ops.fromInbound(new FlowKey().setV4(IpProtocol.UDP, 0xC6336402, 41001, 0xCB00710A, 53));
        ops.destLo = 0xC000020BL;
        ops.destPort = 53;
        ops.destinationId = 1;
        ops.flags = ConnectionFlags.MASQ | ConnectionFlags.ONE_PACKET;
        ops.state = TcpState.UDP;
        table.insert(ops, null, now, cursor);
        assertEquals(0, master.scan(now), "the first scan dumps, but not SYN_RECV nor one-packet entries");
        assertTrue(received().isEmpty());
        packet(IpProtocol.TCP, 41000, TcpStateMachine.TCP_ACK, now);
        packet(IpProtocol.TCP, 41000, TcpStateMachine.TCP_ACK, now);
        assertEquals(1, master.scan(now + 100), "ESTABLISHED at packet 3");
        assertEquals(41000, received().get(0).clientPort);
    }

    @Test
    void aTemplateIsSentAgainWhenItsTimerMovedByHalfItsTimeout() throws Exception
    {
        long now = 4_000_000;
        // past the start-up dumps at 0, 1 and 3 s
        master.scan(now);
        master.scan(now += 1_000);
        master.scan(now += 2_000);
        final ConnectionRecord t = new ConnectionRecord();
        t.fromInbound(new FlowKey().setV4(IpProtocol.TCP, 0xC6336400, 0, 0xCB00710A, 80));
        t.destLo = 0xC000020BL;
        t.destPort = 80;
        t.destinationId = 1;
        t.flags = ConnectionFlags.DROUTE | ConnectionFlags.TEMPLATE;
        t.templateTimeoutMs = 60_000;
        final ConnectionCursor tc = table.newCursor();
        table.insert(t, null, now, tc);
        assertEquals(1, master.scan(now += 100), "new");
        received();
        table.onPacket(tc, false, 0, 0, now += 29_000);
        assertEquals(0, master.scan(now), "pushed by 29 s: not yet");
        table.onPacket(tc, false, 0, 0, now += 1_100);
        assertEquals(1, master.scan(now), "pushed by 30.1 s, half of 60 s: again");
        final SyncEntry e = received().get(0);
        assertTrue(e.isTemplate());
        assertEquals(60, e.timeoutS);
        assertEquals(0, master.scan(now += 100));
    }

    @Test
    void aConnectionMovedToAnotherRealServerIsSentAtOnce() throws Exception
    {
        long now = 5_000_000;
        master.scan(now);
        connection(IpProtocol.TCP, 42000, now);
        packet(IpProtocol.TCP, 42000, TcpStateMachine.TCP_SYN, now);
        packet(IpProtocol.TCP, 42000, TcpStateMachine.TCP_ACK, now);
        packet(IpProtocol.TCP, 42000, TcpStateMachine.TCP_ACK, now);
        assertEquals(1, master.scan(now += 100));
        received();
        // the same client tuple, now bound elsewhere (the entry expired and the tuple was scheduled again)
        assertTrue(table.findIn(new FlowKey().setV4(IpProtocol.TCP, 0xC6336402, 42000, 0xCB00710A, 80), now, cursor));
        assertTrue(table.remove(cursor));
        counters.reset(2, 0, 0);
        final ConnectionRecord r = new ConnectionRecord();
        r.fromInbound(new FlowKey().setV4(IpProtocol.TCP, 0xC6336402, 42000, 0xCB00710A, 80));
        r.destLo = 0xC000020CL;
        r.destPort = 80;
        r.destinationId = 2;
        r.flags = ConnectionFlags.DROUTE;
        r.state = TcpState.ESTABLISHED;
        table.insert(r, null, now, cursor);
        table.onPacket(cursor, false, TcpStateMachine.TCP_ACK, 60, now);
        assertEquals(1, master.scan(now += 100), "another real server: sent without waiting for the count");
        assertEquals(0xC000020CL, received().get(0).destLo);
    }
}
