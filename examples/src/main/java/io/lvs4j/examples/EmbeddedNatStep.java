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
import org.agrona.MutableDirectBuffer;

/**
 * The per-frame steps of a NAT director written with lvs4j's core pieces, as the README shows them: classify
 * the frame, find (or create) its connection, account the packet in IPVS's state machine, rewrite the
 * destination to the real server with incremental checksums. One instance per worker thread; nothing here
 * allocates per frame.
 */
public final class EmbeddedNatStep implements AutoCloseable
{
    /** Destination id of the one real server in this example. */
    public static final int REAL_SERVER_ID = 0;

    private final DestinationCounters counters = new DestinationCounters(16);
    private final ConnectionTable table =
        new OffHeapConnectionTable(1 << 16, counters, new ConnectionTimeoutProfiles());
    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();
    private final ConnectionCursor cursor = table.newCursor();
    private final ConnectionRecord newEntry = new ConnectionRecord();
    private final int realServer;
    private final int realPort;

    /**
     * Creates the step for one real server.
     *
     * @param realServer the real server's IPv4 address, big-endian.
     * @param realPort   its port.
     */
    public EmbeddedNatStep(final int realServer, final int realPort)
    {
        this.realServer = realServer;
        this.realPort = realPort;
        counters.reset(REAL_SERVER_ID, 0, 0);
    }

    /**
     * Handles one client-to-VIP frame in place.
     *
     * @param buffer the frame's memory (a ring slot, or any buffer).
     * @param offset where the frame starts.
     * @param length its captured length.
     * @param nowMs  the clock, read once per batch.
     * @return the connection's new state, or -1 when the frame is not IPv4 TCP/UDP or the table is full.
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
            // a scheduler would pick the real server here
            newEntry.clear();
            newEntry.fromInbound(frame.flow());
            newEntry.destLo = realServer & 0xFFFF_FFFFL;
            newEntry.destPort = realPort;
            newEntry.destinationId = REAL_SERVER_ID;
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

    /** @return the counts IPVS would show for the real server: active and inactive connections. */
    public String realServerCounts()
    {
        return "ActiveConn " + counters.active(REAL_SERVER_ID) + " InActConn " + counters.inactive(REAL_SERVER_ID);
    }

    /** @return the connection table. */
    public ConnectionTable table()
    {
        return table;
    }

    /** Frees the table's memory. */
    @Override
    public void close()
    {
        table.close();
    }
}
