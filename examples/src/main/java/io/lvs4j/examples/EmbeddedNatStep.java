package io.lvs4j.examples;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.packet.ClassifiedFrame;
import io.lvs4j.core.packet.FrameKind;
import io.lvs4j.core.packet.PacketClassifier;
import io.lvs4j.core.packet.Rewrites;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.schedulers.Scheduler;
import io.lvs4j.schedulers.SchedulerOptions;
import io.lvs4j.schedulers.SchedulerRegistry;
import org.agrona.MutableDirectBuffer;

/**
 * The per-frame steps of a NAT director written with lvs4j's core pieces and a scheduler, as the README shows
 * them: classify the frame, find its connection or let the scheduler pick a real server for a new one, account
 * the packet in IPVS's state machine, rewrite the destination to the real server with incremental checksums.
 * One instance per worker thread; nothing here allocates per frame.
 */
public final class EmbeddedNatStep implements AutoCloseable
{
    private final DestinationCounters counters = new DestinationCounters(16);
    private final ConnectionTable table =
        new OffHeapConnectionTable(1 << 16, counters, new ConnectionTimeoutProfiles());
    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();
    private final ConnectionCursor cursor = table.newCursor();
    private final ConnectionRecord newEntry = new ConnectionRecord();
    private final Scheduler scheduler;

    /**
     * Creates the step for a service of equally weighted real servers on one port.
     *
     * @param schedulerName an ipvsadm scheduler name ({@code rr}, {@code wlc}, {@code maglev}, ...).
     * @param realPort      the real servers' port.
     * @param realServers   their IPv4 addresses, big-endian; destination ids 0, 1, ... in this order.
     */
    public EmbeddedNatStep(final String schedulerName, final int realPort, final int... realServers)
    {
        RealServerList servers = RealServerList.empty(counters);
        for (int id = 0; id < realServers.length; id++)   // in configuration order: the last added is listed first
        {
            counters.reset(id, 0, 0);
            servers = servers.withAdded(RealServer.ipv4(id, realServers[id], realPort, 1));
        }
        scheduler = SchedulerRegistry.load().create(schedulerName, new SchedulerOptions());
        scheduler.update(servers);                       // on every change of servers or weights
    }

    /**
     * Handles one client-to-VIP frame in place.
     *
     * @param buffer the frame's memory (a ring slot, or any buffer).
     * @param offset where the frame starts.
     * @param length its captured length.
     * @param nowMs  the clock, read once per batch.
     * @return the connection's new state, or -1 when the frame is not IPv4 TCP/UDP, no real server is available
     *         (a director answers ICMP port unreachable) or the table is full.
     */
    public int onRequest(final MutableDirectBuffer buffer, final int offset, final int length, final long nowMs)
    {
        final FrameKind kind = classifier.classify(buffer, offset, length, frame);
        if (kind != FrameKind.IPV4_TCP && kind != FrameKind.IPV4_UDP)
        {
            return -1;
        }
        if (!table.findIn(frame.flow(), nowMs, cursor))
        {
            final RealServer server = scheduler.pick(frame.flow(), nowMs);
            if (server == null)
            {
                return -1;
            }
            newEntry.clear();
            newEntry.fromInbound(frame.flow());
            newEntry.destLo = server.addressLo();
            newEntry.destPort = server.port();
            newEntry.destinationId = server.id();
            newEntry.flags = ConnectionFlags.MASQ | ConnectionFlags.INACTIVE | ConnectionFlags.NOOUTPUT;
            newEntry.state = TcpState.NONE;
            if (table.insert(newEntry, null, nowMs, cursor) == ConnectionTable.REFUSED_FULL)
            {
                return -1;
            }
        }
        final int state = table.onPacket(cursor, false, frame.tcpFlags(), frame.l3Length(), nowMs);
        final ConnectionRecord entry = cursor.record();
        Rewrites.setIpv4Destination(buffer, frame, (int)entry.destLo);
        Rewrites.setDestinationPort(buffer, frame, entry.destPort);
        return state;
    }

    /**
     * @param id a real server's destination id.
     * @return the counts IPVS would show for it: active and inactive connections.
     */
    public String realServerCounts(final int id)
    {
        return "ActiveConn " + counters.active(id) + " InActConn " + counters.inactive(id);
    }

    /** @return the connection table. */
    public ConnectionTable table()
    {
        return table;
    }

    /** Frees the table's memory and lets go of the scheduler. */
    @Override
    public void close()
    {
        scheduler.close();
        table.close();
    }
}
