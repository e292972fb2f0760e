package io.lvs4j.forwarder.sync;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.conn.TcpStateMachine;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServerStatus;
import io.lvs4j.forwarder.ServiceStatus;

/**
 * Applies received sync entries to a director's connection table, as {@code ip_vs_proc_conn} does (reference
 * section 6.5): the real server is found among the director's own services by VIP, port, protocol (or fwmark)
 * and the real server's address and port; the entry is created with {@link ConnectionFlags#SYNC}, the sender's
 * state and INACTIVE bit, the forwarding method of our own real server; an existing entry moves to the sent
 * state or real server, or has its timer re-armed.
 * <p>
 * Deviations: an entry whose real server we do not have is dropped and counted ({@link
 * SyncDropReason#NO_DESTINATION}) where IPVS keeps it unbound. The table offers no way to set an entry's
 * expiry, so a connection's timer is armed by accounting one zero-length packet whose TCP flags keep its state
 * (ACK for ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT, TIME_WAIT): the entry then expires after this director's
 * own timeout for the state (the same as the sender's when both run the same timeouts; v0 messages carry none
 * anyway), not after the timeout in the message; its packet count is 1. Templates do get the sent timeout.
 * Synced connections are not linked to synced templates (IPVS's backup does not link them either).
 * <p>
 * An entry this director made itself (no {@link ConnectionFlags#SYNC}) is left alone while the director is master
 * and forwards it: a peer can only be echoing what this node sent it, older than the live entry (with both daemons
 * running, a peer re-sends what it learned, see {@link SyncMaster}); IPVS would apply it, but its peers never send
 * such entries (they have no traffic on them). Counted as {@link SyncStats#ownKept()}. As backup (a returning node
 * learning what the other one did with its old connections) every message applies.
 * Not thread safe: one receiving thread.
 */
public final class SyncInstaller
{
    private static final int ACCEPTED_FLAGS = ConnectionFlags.FWD_MASK | ConnectionFlags.NOOUTPUT |
        ConnectionFlags.INACTIVE | ConnectionFlags.IN_SEQ | ConnectionFlags.OUT_SEQ | ConnectionFlags.NO_CPORT |
        ConnectionFlags.TEMPLATE;
    private static final int[] KEEP_STATE_FLAGS =
    {
        TcpStateMachine.TCP_ACK, TcpStateMachine.TCP_FIN, TcpStateMachine.TCP_SYN, TcpStateMachine.TCP_RST
    };
    private static final long INDEX_MAX_AGE_MS = 1_000;
    private static final long INDEX_MISS_REBUILD_MS = 100;
    /** IPVS's timeout for templates from v0 messages, which carry none: 3 minutes. */
    private static final long V0_TEMPLATE_TIMEOUT_MS = 180_000;

    private final ConnectionTable table;
    private final Supplier<java.util.List<ServiceStatus>> services;
    private final BooleanSupplier forwarding;
    private final SyncStats stats;
    private final ConnectionCursor cursor;
    private final ConnectionRecord record = new ConnectionRecord();
    private final FlowKey key = new FlowKey();
    private final DestinationKey probe = new DestinationKey();
    private Map<DestinationKey, RealServer> index = new HashMap<>();
    private long indexBuiltAtMs = Long.MIN_VALUE / 2;

    /**
     * @param director the director whose table and services are used.
     * @param stats    where to count.
     */
    public SyncInstaller(final Director director, final SyncStats stats)
    {
        this(director.connections(), director::services, director::isMaster, stats);
    }

    /**
     * @param table    the connection table.
     * @param services the services with their real servers (ids, addresses, methods).
     * @param stats    where to count.
     */
    public SyncInstaller(
        final ConnectionTable table, final Supplier<java.util.List<ServiceStatus>> services, final SyncStats stats)
    {
        this(table, services, () -> false, stats);
    }

    /**
     * @param table      the connection table.
     * @param services   the services with their real servers (ids, addresses, methods).
     * @param forwarding whether the director is master now (its own entries are then kept as they are).
     * @param stats      where to count.
     */
    public SyncInstaller(
        final ConnectionTable table, final Supplier<java.util.List<ServiceStatus>> services,
        final BooleanSupplier forwarding, final SyncStats stats)
    {
        this.table = Objects.requireNonNull(table);
        this.services = Objects.requireNonNull(services);
        this.forwarding = Objects.requireNonNull(forwarding);
        this.stats = Objects.requireNonNull(stats);
        this.cursor = table.newCursor();
    }

    /**
     * Applies one entry.
     *
     * @param e        the entry.
     * @param version  the message version (0 carries no timeout).
     * @param nowMs    the table clock.
     * @return null when applied, else why not (also counted).
     */
    public SyncDropReason install(final SyncEntry e, final int version, final long nowMs)
    {
        final SyncDropReason reason = apply(e, version, nowMs);
        if (reason != null)
        {
            stats.drop(reason);
        }
        return reason;
    }

    private SyncDropReason apply(final SyncEntry e, final int version, final long nowMs)
    {
        final int state = e.tableState();
        if (state < 0)
        {
            return e.isTemplate() || e.protocol == IpProtocol.TCP || e.protocol == IpProtocol.UDP ?
                SyncDropReason.INVALID_STATE : SyncDropReason.UNSUPPORTED_PROTOCOL;
        }
        final RealServer server = destination(e, nowMs);
        if (server == null)
        {
            return SyncDropReason.NO_DESTINATION;
        }
        final ConnectionRecord r = record;
        r.clear();
        r.family = e.family;
        r.protocol = e.protocol;
        r.clientHi = e.clientHi;
        r.clientLo = e.clientLo;
        r.clientPort = e.clientPort;
        r.virtualHi = e.virtualHi;
        r.virtualLo = e.virtualLo;
        r.virtualPort = e.virtualPort;
        r.destHi = e.destHi;
        r.destLo = e.destLo;
        r.destPort = e.destPort;
        r.destinationId = server.id();
        // ip_vs_proc_conn: sent flags masked, SYNC added; the method is our own real server's
        r.flags = (e.flags & ACCEPTED_FLAGS & ~ConnectionFlags.FWD_MASK) | server.method() | ConnectionFlags.SYNC;
        r.state = state;
        r.timeoutProfile = ConnectionTimeoutProfiles.DEFAULT_PROFILE;
        if (e.isTemplate())
        {
            r.templateTimeoutMs = version == 0 || e.timeoutS == 0 ? V0_TEMPLATE_TIMEOUT_MS :
                Math.min(0xFFFF_FFFFL, e.timeoutS * 1000);
        }
        r.inboundKey(key);
        final boolean found = r.isTemplate() ? table.findTemplate(key, nowMs, cursor) :
            table.findIn(key, nowMs, cursor);
        if (found)
        {
            final ConnectionRecord existing = cursor.record();
            if ((existing.flags & ConnectionFlags.SYNC) == 0 && forwarding.getAsBoolean())
            {
                // our own live connection: what a peer says of it is an echo, older than what we hold
                stats.onOwnKept();
                return null;
            }
            if (existing.destinationId != r.destinationId)
            {
                // an inactive message does not move a connection to another real server (ip_vs_proc_conn)
                if (!r.isTemplate() && (r.flags & ConnectionFlags.INACTIVE) != 0)
                {
                    return null;
                }
                return replace(r, nowMs);
            }
            if (existing.state != state)
            {
                return replace(r, nowMs);
            }
            rearm(r, nowMs);
            stats.onRefreshed();
            return null;
        }
        return insert(r, nowMs, true);
    }

    private SyncDropReason replace(final ConnectionRecord r, final long nowMs)
    {
        if (!table.remove(cursor))
        {
            // it still controls connections: keep it, only push its timer
            rearm(r, nowMs);
            stats.onRefreshed();
            return null;
        }
        final SyncDropReason reason = insert(r, nowMs, false);
        if (reason == null)
        {
            stats.onUpdated();
        }
        return reason;
    }

    private SyncDropReason insert(final ConnectionRecord r, final long nowMs, final boolean count)
    {
        final int result = table.insert(r, null, nowMs, cursor);
        if (result == ConnectionTable.REFUSED_FULL)
        {
            return SyncDropReason.TABLE_FULL;
        }
        if (!r.isTemplate())
        {
            rearm(r, nowMs);
        }
        if (count && result == ConnectionTable.INSERTED)
        {
            stats.onInstalled();
        }
        return null;
    }

    /** Re-arms the timer of the entry under the cursor without changing its state (see the class comment). */
    private void rearm(final ConnectionRecord r, final long nowMs)
    {
        if (r.isTemplate() || r.protocol != IpProtocol.TCP)
        {
            // templates re-arm to their persistence timeout; UDP has one state
            table.onPacket(cursor, false, 0, 0, nowMs);
            return;
        }
        final int current = cursor.record().state;
        final int t = TcpStateMachine.table(false, cursor.record().flags);
        for (final int flags : KEEP_STATE_FLAGS)
        {
            if (TcpStateMachine.next(t, current, flags) == current)
            {
                table.onPacket(cursor, false, flags, 0, nowMs);
                return;
            }
        }
    }

    private RealServer destination(final SyncEntry e, final long nowMs)
    {
        if (nowMs - indexBuiltAtMs > INDEX_MAX_AGE_MS)
        {
            rebuild(nowMs);
        }
        RealServer s = lookup(e);
        if (s == null && nowMs - indexBuiltAtMs > INDEX_MISS_REBUILD_MS)
        {
            rebuild(nowMs);
            s = lookup(e);
        }
        return s;
    }

    private RealServer lookup(final SyncEntry e)
    {
        final long fwmark = e.fwmark != 0 ? e.fwmark :
            e.isTemplate() && e.protocol == IpProtocol.IP ? e.virtualLo & 0xFFFF_FFFFL : 0;
        if (fwmark != 0)
        {
            // fwmark services: real servers by address, and by port 0 for non-NAT ones
            RealServer s = index.get(probe.set(e.family, 0, 0, 0, 0, fwmark, e.destHi, e.destLo, e.destPort));
            if (s == null)
            {
                s = index.get(probe.set(e.family, 0, 0, 0, 0, fwmark, e.destHi, e.destLo, 0));
            }
            if (s != null)
            {
                return s;
            }
        }
        return index.get(probe.set(e.family, e.protocol, e.virtualHi, e.virtualLo, e.virtualPort, 0,
            e.destHi, e.destLo, e.destPort));
    }

    private void rebuild(final long nowMs)
    {
        final Map<DestinationKey, RealServer> built = new HashMap<>();
        for (final ServiceStatus service : services.get())
        {
            final VirtualService v = service.service();
            for (final RealServerStatus rs : service.realServers())
            {
                final RealServer s = rs.server();
                if (v.fwmark() != 0)
                {
                    built.put(new DestinationKey().set(v.family(), 0, 0, 0, 0, v.fwmark() & 0xFFFF_FFFFL,
                        s.addressHi(), s.addressLo(), s.port()), s);
                }
                else
                {
                    built.put(new DestinationKey().set(v.family(), v.protocol(), v.addressHi(), v.addressLo(),
                        v.port(), 0, s.addressHi(), s.addressLo(), s.port()), s);
                }
            }
        }
        index = built;
        indexBuiltAtMs = nowMs;
    }

    /** A real server's place: its service's key and its own address and port. */
    private static final class DestinationKey
    {
        int family;
        int protocol;
        long virtualHi;
        long virtualLo;
        int virtualPort;
        long fwmark;
        long destHi;
        long destLo;
        int destPort;

        DestinationKey set(
            final int family, final int protocol, final long virtualHi, final long virtualLo, final int virtualPort,
            final long fwmark, final long destHi, final long destLo, final int destPort)
        {
            this.family = family;
            this.protocol = protocol;
            this.virtualHi = virtualHi;
            // IPv4 addresses compare on their low 32 bits, whatever the source put above them
            this.virtualLo = family == FlowKey.AF_INET6 ? virtualLo : virtualLo & 0xFFFF_FFFFL;
            this.virtualPort = virtualPort;
            this.fwmark = fwmark;
            this.destHi = family == FlowKey.AF_INET6 ? destHi : 0;
            this.destLo = family == FlowKey.AF_INET6 ? destLo : destLo & 0xFFFF_FFFFL;
            if (family != FlowKey.AF_INET6)
            {
                this.virtualHi = 0;
            }
            this.destPort = destPort;
            return this;
        }

        @Override
        public boolean equals(final Object o)
        {
            if (!(o instanceof DestinationKey))
            {
                return false;
            }
            final DestinationKey k = (DestinationKey)o;
            return family == k.family && protocol == k.protocol && virtualHi == k.virtualHi &&
                virtualLo == k.virtualLo && virtualPort == k.virtualPort && fwmark == k.fwmark &&
                destHi == k.destHi && destLo == k.destLo && destPort == k.destPort;
        }

        @Override
        public int hashCode()
        {
            long h = family * 31L + protocol;
            h = h * 31 + virtualHi;
            h = h * 31 + virtualLo;
            h = h * 31 + virtualPort;
            h = h * 31 + fwmark;
            h = h * 31 + destHi;
            h = h * 31 + destLo;
            h = h * 31 + destPort;
            return Long.hashCode(h * 0x9E3779B97F4A7C15L);
        }
    }
}
