package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Test fixtures: records, keys and tables with the documentation address ranges. */
final class ChronicleTables
{
    static final int CLIENT = 0xC6336401;   // 198.51.100.1
    static final int VIP = 0xCB007101;      // 203.0.113.1
    static final int REAL = 0xC0000201;     // 192.0.2.1
    static final int DESTINATIONS = 16;

    private ChronicleTables()
    {
    }

    static DestinationCounters counters()
    {
        final DestinationCounters counters = new DestinationCounters(DESTINATIONS);
        for (int i = 0; i < DESTINATIONS; i++)
        {
            counters.reset(i, 0, 0);
        }
        return counters;
    }

    static ChronicleConnectionTable open(final Path file, final long capacity, final DestinationCounters counters)
    {
        try
        {
            return ChronicleConnectionTable.createOrRecover(file, capacity, counters, new ConnectionTimeoutProfiles());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static FlowKey in(final int protocol, final int client, final int clientPort)
    {
        return new FlowKey().setV4(protocol, client, clientPort, VIP, 80);
    }

    static FlowKey out(final int protocol, final int client, final int clientPort)
    {
        return new FlowKey().setV4(protocol, REAL, 8080, client, clientPort);
    }

    /** A new connection as a worker would insert it: INACTIVE, NOOUTPUT, state NONE. */
    static ConnectionRecord connection(final FlowKey in, final int method, final int destinationId)
    {
        final ConnectionRecord r = new ConnectionRecord().fromInbound(in);
        r.destHi = 0;
        r.destLo = REAL & 0xFFFF_FFFFL;
        r.destPort = 8080;
        r.destinationId = destinationId;
        r.flags = method | ConnectionFlags.INACTIVE | ConnectionFlags.NOOUTPUT;
        r.state = TcpState.NONE;
        return r;
    }

    static FlowKey templateKey(final int protocol, final int clientNet)
    {
        return new FlowKey().setV4(protocol, clientNet, 0, VIP, 80);
    }

    static ConnectionRecord template(final FlowKey key, final int destinationId, final long timeoutMs)
    {
        final ConnectionRecord r = new ConnectionRecord().fromInbound(key);
        r.destLo = REAL & 0xFFFF_FFFFL;
        r.destPort = 8080;
        r.destinationId = destinationId;
        r.flags = ConnectionFlags.TEMPLATE | ConnectionFlags.DROUTE;
        r.state = TcpState.NONE;
        r.templateTimeoutMs = timeoutMs;
        return r;
    }

    static int tcp()
    {
        return IpProtocol.TCP;
    }
}
