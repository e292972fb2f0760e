package io.lvs4j.forwarder.pipeline;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.packet.ArpBuilder;
import io.lvs4j.core.packet.ArpView;
import io.lvs4j.core.packet.ClassifiedFrame;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.FrameKind;
import io.lvs4j.core.packet.Icmpv4ErrorBuilder;
import io.lvs4j.core.packet.Icmpv4View;
import io.lvs4j.core.packet.IpIpEncapsulator;
import io.lvs4j.core.packet.Ipv4View;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.PacketClassifier;
import io.lvs4j.core.packet.Rewrites;
import io.lvs4j.core.packet.SctpView;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.FrameFlags;
import io.lvs4j.forwarder.channel.FrameHandler;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.neighbour.RouteTable;
import io.lvs4j.forwarder.stats.DropReason;
import io.lvs4j.forwarder.stats.ForwarderStats;

/**
 * One worker's per-frame logic: IPVS's {@code ip_vs_in} and {@code ip_vs_out} over raw frames.
 * <p>
 * For each frame: classify it; answer ARP for the VIPs and learn neighbours; find the service by (protocol, VIP,
 * port) and the connection, or schedule a new one (persistence templates first); run IPVS's state machine; then
 * forward by the connection's method: DR (MACs), NAT (address and port with RFC 1624 checksums, both ways) or TUN
 * (IP-in-IP into the transmit slot). ICMP errors that belong to a connection are relayed (and translated for
 * NAT); a service without a usable real server answers ICMP port unreachable; TTL and MTU are handled as a router
 * does. Every frame that is not forwarded is counted under one {@link DropReason}.
 * <p>
 * The frame is rewritten where it lies in the receive ring, then copied once into the egress channel's transmit
 * slot (a TUN frame is built there around the inner packet). Nothing here allocates, locks or logs, and the only
 * system call is the flush of a transmit ring found full mid-batch; the worker flushes the channels once per
 * batch. One instance per worker thread.
 */
public final class FrameProcessor implements FrameHandler
{
    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    private static final long SYN_ONLY_MASK = TcpView.SYN | TcpView.RST;
    private static final long NEIGHBOUR_RETRY_MS = 1000;
    private static final byte SCTP_CHUNK_INIT = 1;

    private final FrameChannel[] channels;
    private final ConnectionTable table;
    private final DestinationCounters counters;
    private final NeighbourTable neighbours;
    private final ForwarderStats.Worker stats;
    private final ForwardingOptions options;
    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();
    private final ConnectionCursor cursor;
    private final ConnectionCursor templateCursor;
    private final ConnectionRecord entry = new ConnectionRecord();
    private final FlowKey scratchKey = new FlowKey();
    private final FrameClaim claim = new FrameClaim();
    private final long[] lastResolution = new long[256];
    private final int[] lastResolutionAddress = new int[256];

    private ForwardingSnapshot snapshot;
    private long nowMs;
    private int ingress;
    private int identification;
    private int egress;
    private long replyMac;
    private volatile ControlInbox inbox;
    private long forwarded;

    /**
     * A processor for one worker.
     *
     * @param workerIndex the worker's index (seeds the IP identification space).
     * @param channels    the worker's channels, one per director interface, by interface index.
     * @param table       the shared connection table.
     * @param counters    the real servers' connection counts.
     * @param neighbours  the shared neighbour table.
     * @param stats       this worker's counters.
     * @param options     IPVS's forwarding switches.
     */
    public FrameProcessor(
        final int workerIndex,
        final FrameChannel[] channels,
        final ConnectionTable table,
        final DestinationCounters counters,
        final NeighbourTable neighbours,
        final ForwarderStats.Worker stats,
        final ForwardingOptions options)
    {
        this.channels = channels.clone();
        this.table = table;
        this.counters = counters;
        this.neighbours = neighbours;
        this.stats = stats;
        this.options = options;
        this.cursor = table.newCursor();
        this.templateCursor = table.newCursor();
        this.identification = workerIndex << 13;
    }

    /**
     * Starts a batch: the snapshot and the clock hold for all its frames.
     *
     * @param snapshot the forwarding state to use.
     * @param nowMs    the clock, read once.
     */
    public void beginBatch(final ForwardingSnapshot snapshot, final long nowMs)
    {
        this.snapshot = snapshot;
        this.nowMs = nowMs;
    }

    /**
     * Says which interface the next frames come from.
     *
     * @param ifaceIndex the director's interface index.
     */
    public void ingress(final int ifaceIndex)
    {
        this.ingress = ifaceIndex;
    }

    /**
     * Hands VRRP frames to the control plane from now on (HA on); null keeps them left to the kernel.
     *
     * @param controlInbox the inbox, or null.
     */
    public void controlInbox(final ControlInbox controlInbox)
    {
        this.inbox = controlInbox;
    }

    /** @return frames forwarded or answered by this processor since it was made. */
    public long forwarded()
    {
        return forwarded;
    }

    @Override
    public void onFrame(final MutableDirectBuffer buffer, final int offset, final int length, final int flags)
    {
        final FrameKind kind = classifier.classify(buffer, offset, length, frame);
        if ((flags & FrameFlags.VLAN_TAGGED) != 0 || (frame.vlanCount() != 0 && kind != FrameKind.MALFORMED))
        {
            // the director serves untagged links: answering or forwarding a tagged frame as native would leak it
            // into the wrong VLAN
            stats.drop(DropReason.VLAN);
            return;
        }
        switch (kind)
        {
            case IPV4_TCP:
            case IPV4_UDP:
            case IPV4_SCTP:
                onTransport(buffer, flags);
                break;
            case IPV4_ICMP:
                onIcmp(buffer, flags);
                break;
            case ARP:
                onArp(buffer);
                break;
            case IPV4_VRRP:
            case IPV6_VRRP:
                if (inbox == null)
                {
                    stats.drop(DropReason.NOT_OURS);
                }
                else if (!inbox.offer(ingress, buffer, offset, length))
                {
                    stats.drop(DropReason.CONTROL_QUEUE_FULL);
                }
                break;
            case IPV4_FRAGMENT:
                stats.drop(snapshot.isVip(frame.flow().dstV4()) ? DropReason.FRAGMENT : DropReason.NOT_OURS);
                break;
            case IPV6_TCP:
            case IPV6_UDP:
            case IPV6_SCTP:
            case IPV6_ICMP:
            case IPV6_FRAGMENT:
                stats.drop(DropReason.UNSUPPORTED_FAMILY);
                break;
            case MALFORMED:
                stats.malformed(frame.malformation());
                break;
            default:
                stats.drop(DropReason.NOT_OURS);
                break;
        }
    }

    private void onTransport(final MutableDirectBuffer buffer, final int flags)
    {
        final FlowKey flow = frame.flow();
        final ActiveService service = snapshot.service(flow.protocol(), flow.dstV4(), flow.dstPort());
        if (service != null)
        {
            if (!snapshot.isMaster())
            {
                stats.drop(DropReason.NOT_MASTER);
                return;
            }
            onRequest(buffer, flags, service);
        }
        else if (snapshot.hasNat() && table.findOut(flow, nowMs, cursor) &&
            cursor.record().method() == ConnectionFlags.MASQ)
        {
            onNatReply(buffer, flags);
        }
        else if (options.natIcmpSend() && snapshot.isMaster() &&
            snapshot.isNatRealServer(flow.srcV4(), flow.srcPort()) &&
            (flow.protocol() != IpProtocol.TCP || (frame.tcpFlags() & TcpView.RST) == 0))
        {
            // nat_icmp_send: a NAT real server talking from its service port with no connection learns at once
            stats.drop(DropReason.NO_CONNECTION);
            if (Icmpv4ErrorBuilder.mayReplyTo(buffer, frame) && tryClaim(ingress, frame.frameLength() + 64))
            {
                final DirectorInterface in = snapshot.interfaces().get(ingress);
                commitOrAbort(ingress, Icmpv4ErrorBuilder.portUnreachable(claim.buffer(), claim.offset(), buffer,
                    frame, in.mac(), in.sourceFor(flow.srcV4()), nextIdentification()));
            }
        }
        else
        {
            stats.drop(DropReason.NOT_OURS);
        }
    }

    private void onRequest(final MutableDirectBuffer buffer, final int flags, final ActiveService service)
    {
        final FlowKey flow = frame.flow();
        boolean found = table.findIn(flow, nowMs, cursor);
        if (found && isReusedPort(service))
        {
            // conn_reuse_mode 1: a SYN on a finished connection is a new connection: expire the old, reschedule
            found = !table.remove(cursor);
        }
        if (!found)
        {
            if ((flow.protocol() == IpProtocol.TCP && !isNewConnection(frame.tcpFlags())) ||
                (flow.protocol() == IpProtocol.SCTP && !isSctpInit(buffer)))
            {
                stats.drop(DropReason.NO_CONNECTION);
                return;
            }
            if (!schedule(buffer, service))
            {
                return;
            }
            if (options.learnClientMacs())
            {
                // NAT replies, and errors relayed about tunnelled packets, go back to this client
                learnClient(buffer, flow.srcV4());
            }
        }
        final ConnectionRecord conn = cursor.record();
        final int destinationId = conn.destinationId;
        if (!counters.isAvailable(destinationId))
        {
            if (options.expireNodestConn())
            {
                table.remove(cursor);
            }
            stats.drop(DropReason.DESTINATION_UNAVAILABLE);
            return;
        }
        table.onPacket(cursor, false, frame.tcpFlags(), frame.l3Length(), nowMs);
        if (forwardToDestination(buffer, flags, destinationId, conn.method(), (int)conn.destLo, conn.destPort,
            conn.virtualPort))
        {
            stats.inbound(service.id(), destinationId, frame.l3Length());
        }
    }

    /**
     * IPVS's port reuse check ({@code conn_reuse_mode=1}): a SYN that finds a TCP entry in TIME_WAIT or CLOSE that
     * no template controls.
     */
    private boolean isReusedPort(final ActiveService service)
    {
        if (frame.flow().protocol() != IpProtocol.TCP || service.config().isPersistent() ||
            !isNewConnection(frame.tcpFlags()))
        {
            return false;
        }
        final int state = cursor.record().state;
        return state == TcpState.TIME_WAIT || state == TcpState.CLOSE;
    }

    /** SCTP associations start with an INIT chunk, the first after the common header (IPVS sloppy_sctp=0). */
    private boolean isSctpInit(final DirectBuffer buffer)
    {
        return frame.l4Length() > SctpView.HEADER_LENGTH &&
            buffer.getByte(frame.l4Offset() + SctpView.HEADER_LENGTH) == SCTP_CHUNK_INIT;
    }

    private boolean isNewConnection(final int tcpFlags)
    {
        if (options.sloppyTcp())
        {
            return (tcpFlags & TcpView.RST) == 0;
        }
        return (tcpFlags & SYN_ONLY_MASK) == TcpView.SYN;
    }

    /** Schedules a new connection and leaves the cursor on it; false when dropped (and counted). */
    private boolean schedule(final MutableDirectBuffer buffer, final ActiveService service)
    {
        final FlowKey flow = frame.flow();
        final VirtualService config = service.config();
        ConnectionCursor template = null;
        RealServer server = null;
        if (config.isPersistent())
        {
            final int clientNet = flow.srcV4() & config.netmask();
            final int templatePort = config.port() == 0 ? 0 : flow.dstPort();
            scratchKey.setV4(flow.protocol(), clientNet, 0, flow.dstV4(), templatePort);
            if (table.findTemplate(scratchKey, nowMs, templateCursor))
            {
                server = service.scheduler().servers().byId(templateCursor.record().destinationId);
                if (server != null)
                {
                    template = templateCursor;
                }
            }
        }
        if (server == null)
        {
            server = service.scheduler().pick(flow, nowMs);
            if (server == null)
            {
                noDestination(buffer);
                return false;
            }
            if (config.isPersistent())
            {
                entry.clear();
                entry.fromInbound(scratchKey);
                entry.destHi = server.addressHi();
                entry.destLo = server.addressLo();
                entry.destPort = server.port();
                entry.destinationId = server.id();
                entry.flags = server.method() | ConnectionFlags.TEMPLATE;
                entry.state = TcpState.NONE;
                entry.templateTimeoutMs = config.persistenceTimeoutS() * 1000L;
                final int result = table.insert(entry, null, nowMs, templateCursor);
                if (result == ConnectionTable.REFUSED_FULL)
                {
                    stats.drop(DropReason.TABLE_FULL);
                    return false;
                }
                if (result == ConnectionTable.EXISTS)
                {
                    // another worker made the client's template first: its choice is the client's server
                    final RealServer chosen =
                        service.scheduler().servers().byId(templateCursor.record().destinationId);
                    if (chosen != null)
                    {
                        server = chosen;
                    }
                }
                template = templateCursor;
            }
        }
        entry.clear();
        entry.fromInbound(flow);
        entry.destHi = server.addressHi();
        entry.destLo = server.addressLo();
        final boolean keepsPort = server.port() == 0 || flow.dstPort() != config.port() ||
            server.method() != ConnectionFlags.MASQ;
        entry.destPort = keepsPort ? flow.dstPort() : server.port();
        entry.destinationId = server.id();
        entry.flags = server.method() | ConnectionFlags.INACTIVE | ConnectionFlags.NOOUTPUT;
        entry.state = TcpState.NONE;
        final int result = table.insert(entry, template, nowMs, cursor);
        if (result == ConnectionTable.REFUSED_FULL)
        {
            stats.drop(DropReason.TABLE_FULL);
            return false;
        }
        if (result == ConnectionTable.INSERTED)
        {
            stats.connection(service.id(), server.id());
        }
        return true;
    }

    private void noDestination(final MutableDirectBuffer buffer)
    {
        stats.drop(DropReason.NO_DESTINATION);
        if (Icmpv4ErrorBuilder.mayReplyTo(buffer, frame))
        {
            final DirectorInterface in = snapshot.interfaces().get(ingress);
            final int length = frame.frameLength() + 64;
            if (tryClaim(ingress, Math.max(length, 128)))
            {
                // from the VIP, as the kernel's icmp_send answers from the address the packet was sent to
                final int written = Icmpv4ErrorBuilder.portUnreachable(claim.buffer(), claim.offset(), buffer,
                    frame, in.mac(), frame.flow().dstV4(), nextIdentification());
                commitOrAbort(ingress, written);
            }
        }
    }

    private void onNatReply(final MutableDirectBuffer buffer, final int flags)
    {
        if (!snapshot.isMaster())
        {
            // a backup forwards nothing, replies included (IPVS's backup_only)
            stats.drop(DropReason.NOT_MASTER);
            return;
        }
        final ConnectionRecord conn = cursor.record();
        final int destinationId = conn.destinationId;
        final int client = (int)conn.clientLo;
        final int vip = (int)conn.virtualLo;
        final int vport = conn.virtualPort;
        table.onPacket(cursor, true, frame.tcpFlags(), frame.l3Length(), nowMs);
        final DirectorInterface out = towardsClient(buffer, client, flags);
        if (out == null)
        {
            return;
        }
        final int egress = out.index();
        final long mac = replyMac;
        completeChecksum(buffer, flags);
        Rewrites.setIpv4Source(buffer, frame, vip);
        if (frame.flow().srcPort() != vport)
        {
            Rewrites.setSourcePort(buffer, frame, vport);
        }
        Rewrites.setMacs(buffer, frame, mac, out.mac());
        if (send(egress, buffer, frame.frameOffset(), frame.frameLength()))
        {
            stats.outbound(snapshot.destinationService(destinationId), destinationId, frame.l3Length());
        }
    }

    /**
     * Sends a request (or a related ICMP error) to its real server by the connection's method.
     *
     * @return true when the frame was queued for transmit.
     */
    private boolean forwardToDestination(
        final MutableDirectBuffer buffer,
        final int flags,
        final int destinationId,
        final int method,
        final int destination,
        final int destinationPort,
        final int virtualPort)
    {
        final int egress = snapshot.destinationIface(destinationId);
        if (egress < 0)
        {
            stats.drop(DropReason.NO_ROUTE);
            return false;
        }
        final long mac = macOf(egress, snapshot.destinationNextHop(destinationId));
        if (mac == NeighbourTable.NONE)
        {
            return false;
        }
        if (!decrementTtl(buffer))
        {
            return false;
        }
        final DirectorInterface out = snapshot.interfaces().get(egress);
        // before any rewrite: a fragmentation-needed error must quote what the client sent, to the client's MAC
        if (method != ConnectionFlags.TUNNEL && !fits(buffer, out, flags))
        {
            return false;
        }
        completeChecksum(buffer, flags);
        switch (method)
        {
            case ConnectionFlags.MASQ:
                if (frame.kind() == FrameKind.IPV4_ICMP)
                {
                    natIcmpInbound(buffer, destination, destinationPort);
                }
                else
                {
                    Rewrites.setIpv4Destination(buffer, frame, destination);
                    if (destinationPort != virtualPort)
                    {
                        Rewrites.setDestinationPort(buffer, frame, destinationPort);
                    }
                }
                return sendOnLink(buffer, egress, out, mac);
            case ConnectionFlags.DROUTE:
                return sendOnLink(buffer, egress, out, mac);
            case ConnectionFlags.TUNNEL:
                return tunnel(buffer, egress, out, mac, destination, destinationId);
            default:
                stats.drop(DropReason.NO_ROUTE);
                return false;
        }
    }

    private boolean sendOnLink(
        final MutableDirectBuffer buffer, final int egress, final DirectorInterface out, final long mac)
    {
        Rewrites.setMacs(buffer, frame, mac, out.mac());
        return send(egress, buffer, frame.frameOffset(), frame.frameLength());
    }

    private boolean tunnel(
        final MutableDirectBuffer buffer,
        final int egress,
        final DirectorInterface out,
        final long mac,
        final int destination,
        final int destinationId)
    {
        final int innerLength = frame.l3Length();
        final int l3 = frame.l3Offset();
        if (innerLength + IpIpEncapsulator.OVERHEAD > out.mtu())
        {
            final boolean df = (buffer.getShort(l3 + Ipv4View.FLAGS_FRAGMENT_OFFSET, BIG) & Ipv4View.FLAG_DF) != 0;
            if (df && options.pmtuDiscovery())
            {
                tooBig(buffer, out.mtu() - IpIpEncapsulator.OVERHEAD);
            }
            else
            {
                stats.drop(DropReason.TOO_BIG);
            }
            return false;
        }
        final int frameLength = EthernetView.HEADER_LENGTH + IpIpEncapsulator.OVERHEAD + innerLength;
        if (!tryClaim(egress, frameLength))
        {
            return false;
        }
        final MutableDirectBuffer tx = claim.buffer();
        final int at = claim.offset();
        EthernetView.writeHeader(tx, at, mac, out.mac(), EthernetView.NO_VLAN, EthernetView.ETHERTYPE_IPV4);
        final int outer = at + EthernetView.HEADER_LENGTH;
        final int ttl = buffer.getByte(l3 + Ipv4View.TTL_OFFSET) & 0xFF;
        final int written = IpIpEncapsulator.writeOuterHeader(tx, outer, buffer, l3, innerLength,
            snapshot.destinationSource(destinationId), destination, ttl, nextIdentification(), options.pmtuDiscovery());
        if (written < 0)
        {
            channels[egress].abort(claim);
            stats.drop(DropReason.OVERSIZED);
            return false;
        }
        tx.putBytes(outer + IpIpEncapsulator.OVERHEAD, buffer, l3, innerLength);
        channels[egress].commit(claim, frameLength);
        forwarded++;
        return true;
    }

    private void onIcmp(final MutableDirectBuffer buffer, final int flags)
    {
        final int type = frame.icmpType();
        final boolean related = type == Icmpv4View.TYPE_DESTINATION_UNREACHABLE ||
            type == Icmpv4View.TYPE_SOURCE_QUENCH || type == Icmpv4View.TYPE_TIME_EXCEEDED;
        if (related && frame.hasInnerFlow() && frame.innerFlow().isV4() && !frame.isInnerFragment() &&
            frame.innerFlow().protocol() == IpProtocol.IPIP)
        {
            onTunnelIcmp(buffer);
            return;
        }
        if (!related || !frame.hasInnerFlow() || !frame.innerFlow().isV4() ||
            frame.innerL4Offset() < 0 || frame.isInnerFragment())
        {
            // only unreachable, source quench and time exceeded are related (ip_vs_in_icmp); echo, redirects and
            // the rest to a VIP are not IPVS's business
            stats.drop(DropReason.NOT_OURS);
            return;
        }
        final FlowKey quoted = frame.innerFlow();
        // client side: the quoted packet went VIP -> client, so the connection is found by the reverse
        scratchKey.setV4(quoted.protocol(), quoted.dstV4(), quoted.dstPort(), quoted.srcV4(), quoted.srcPort());
        if (snapshot.isVip(quoted.srcV4()) && table.findIn(scratchKey, nowMs, cursor))
        {
            if (!snapshot.isMaster())
            {
                stats.drop(DropReason.NOT_MASTER);
                return;
            }
            final ConnectionRecord conn = cursor.record();
            final int destinationId = conn.destinationId;
            if (!counters.isAvailable(destinationId))
            {
                stats.drop(DropReason.DESTINATION_UNAVAILABLE);
                return;
            }
            if (forwardToDestination(buffer, flags, destinationId, conn.method(), (int)conn.destLo, conn.destPort,
                conn.virtualPort))
            {
                stats.inbound(snapshot.destinationService(destinationId), destinationId, frame.l3Length());
            }
            return;
        }
        // real-server side (NAT): the quoted packet went client -> real server; its reverse is the reply key
        if (snapshot.hasNat() && table.findOut(scratchKey, nowMs, cursor) &&
            cursor.record().method() == ConnectionFlags.MASQ)
        {
            natIcmpOutbound(buffer, flags);
            return;
        }
        stats.drop(DropReason.ICMP_UNRELATED);
    }

    /**
     * An ICMP error a router sent about one of our IP-in-IP packets (§5.6): relayed to the client whose packet was
     * inside, from the VIP; for fragmentation needed only when the client set DF, with the tunnel's overhead taken
     * off the MTU, so the client's path MTU discovery sees the tunnel.
     */
    private void onTunnelIcmp(final MutableDirectBuffer buffer)
    {
        final int inner = frame.innerL4Offset();
        final int available = frame.innerL3Offset() + frame.innerL3Length() - inner;
        if (available < Ipv4View.MIN_HEADER_LENGTH || (buffer.getByte(inner) & 0xF0) != 0x40)
        {
            stats.drop(DropReason.ICMP_UNRELATED);
            return;
        }
        final int ihl = (buffer.getByte(inner) & 0x0F) * 4;
        final int protocol = buffer.getByte(inner + Ipv4View.PROTOCOL_OFFSET) & 0xFF;
        if (ihl < Ipv4View.MIN_HEADER_LENGTH || available < ihl + 4 ||
            (protocol != IpProtocol.TCP && protocol != IpProtocol.UDP && protocol != IpProtocol.SCTP))
        {
            stats.drop(DropReason.ICMP_UNRELATED);
            return;
        }
        final int client = buffer.getInt(inner + Ipv4View.SOURCE_OFFSET, BIG);
        final int vip = buffer.getInt(inner + Ipv4View.DESTINATION_OFFSET, BIG);
        scratchKey.setV4(protocol, client, buffer.getShort(inner + ihl, BIG) & 0xFFFF, vip,
            buffer.getShort(inner + ihl + 2, BIG) & 0xFFFF);
        if (!snapshot.isVip(vip) || !table.findIn(scratchKey, nowMs, cursor) ||
            cursor.record().method() != ConnectionFlags.TUNNEL)
        {
            stats.drop(DropReason.ICMP_UNRELATED);
            return;
        }
        if (!snapshot.isMaster())
        {
            stats.drop(DropReason.NOT_MASTER);
            return;
        }
        final int type = frame.icmpType();
        final int code = frame.icmpCode();
        int info = 0;
        if (type == Icmpv4View.TYPE_DESTINATION_UNREACHABLE && code == Icmpv4View.CODE_FRAGMENTATION_NEEDED)
        {
            final boolean df =
                (buffer.getShort(inner + Ipv4View.FLAGS_FRAGMENT_OFFSET, BIG) & Ipv4View.FLAG_DF) != 0;
            if (!df)
            {
                // the client does no path MTU discovery: nothing to tell it
                stats.drop(DropReason.ICMP_UNRELATED);
                return;
            }
            final int mtu = buffer.getShort(frame.l4Offset() + Icmpv4View.NEXT_HOP_MTU_OFFSET, BIG) & 0xFFFF;
            info = mtu > 68 + IpIpEncapsulator.OVERHEAD ? mtu - IpIpEncapsulator.OVERHEAD : mtu;
        }
        final long mac = macTowards(client);
        if (mac == NeighbourTable.NONE)
        {
            return;
        }
        final int out = egress;
        final int length =
            EthernetView.HEADER_LENGTH + Ipv4View.MIN_HEADER_LENGTH + Icmpv4View.HEADER_LENGTH + available;
        if (tryClaim(out, length))
        {
            final MutableDirectBuffer tx = claim.buffer();
            final int at = claim.offset();
            EthernetView.writeHeader(tx, at, mac, snapshot.interfaces().get(out).mac(), EthernetView.NO_VLAN,
                EthernetView.ETHERTYPE_IPV4);
            final int written = Icmpv4ErrorBuilder.writePacket(tx, at + EthernetView.HEADER_LENGTH, vip, client,
                nextIdentification(), type, code, info, buffer, inner, available);
            commitOrAbort(out, written < 0 ? -1 : EthernetView.HEADER_LENGTH + written);
        }
    }

    /** Client to real server: outer destination and quoted source become the real server's. */
    private void natIcmpInbound(final MutableDirectBuffer buffer, final int destination, final int destinationPort)
    {
        Rewrites.setIpv4Destination(buffer, frame, destination);
        rewriteQuoted(buffer, Ipv4View.SOURCE_OFFSET, destination, 0, destinationPort);
    }

    /** Real server to client: outer source and quoted destination become the VIP's. */
    private void natIcmpOutbound(final MutableDirectBuffer buffer, final int flags)
    {
        if (!snapshot.isMaster())
        {
            stats.drop(DropReason.NOT_MASTER);
            return;
        }
        final ConnectionRecord conn = cursor.record();
        final int destinationId = conn.destinationId;
        final int vip = (int)conn.virtualLo;
        final int vport = conn.virtualPort;
        final int client = (int)conn.clientLo;
        final DirectorInterface out = towardsClient(buffer, client, flags);
        if (out == null)
        {
            return;
        }
        final int egress = out.index();
        final long mac = replyMac;
        Rewrites.setIpv4Source(buffer, frame, vip);
        rewriteQuoted(buffer, Ipv4View.DESTINATION_OFFSET, vip, 2, vport);
        Rewrites.setMacs(buffer, frame, mac, out.mac());
        if (send(egress, buffer, frame.frameOffset(), frame.frameLength()))
        {
            stats.outbound(snapshot.destinationService(destinationId), destinationId, frame.l3Length());
        }
    }

    /**
     * Rewrites one address and port of the packet quoted in an ICMP error, fixes the quoted IP header checksum and
     * the ICMP checksum, as {@code ip_vs_nat_icmp} does (the quoted transport checksum is left alone: a quote is
     * usually cut short, and the kernel does not fix it either).
     */
    private void rewriteQuoted(
        final MutableDirectBuffer buffer, final int addressField, final int address, final int portField,
        final int port)
    {
        final int inner = frame.innerL3Offset();
        final int old = buffer.getInt(inner + addressField, BIG);
        buffer.putInt(inner + addressField, address, BIG);
        final int ipChecksum = buffer.getShort(inner + Ipv4View.CHECKSUM_OFFSET, BIG) & 0xFFFF;
        buffer.putShort(inner + Ipv4View.CHECKSUM_OFFSET, (short)Checksums.update32(ipChecksum, old, address), BIG);
        buffer.putShort(frame.innerL4Offset() + portField, (short)port, BIG);
        final int icmp = frame.l4Offset();
        buffer.putShort(icmp + Icmpv4View.CHECKSUM_OFFSET,
            (short)Checksums.icmpv4Checksum(buffer, icmp, frame.l4Length()), BIG);
    }

    private void onArp(final MutableDirectBuffer buffer)
    {
        final int arp = frame.l3Offset();
        final int operation = buffer.getShort(arp + ArpView.OPERATION_OFFSET, BIG) & 0xFFFF;
        final int sender = buffer.getInt(arp + ArpView.SENDER_PROTOCOL_OFFSET, BIG);
        final int target = buffer.getInt(arp + ArpView.TARGET_PROTOCOL_OFFSET, BIG);
        if (sender != 0)
        {
            // only addresses we asked for: an ARP flood cannot fill the table
            neighbours.learn(sender, MacAddresses.get(buffer, arp + ArpView.SENDER_HARDWARE_OFFSET), nowMs, false);
        }
        if (operation == ArpView.OPERATION_REQUEST && snapshot.answersArpFor(target) && sender != target)
        {
            if (!snapshot.isMaster())
            {
                stats.drop(DropReason.NOT_MASTER);
                return;
            }
            if (tryClaim(ingress, ArpBuilder.FRAME_LENGTH))
            {
                final DirectorInterface in = snapshot.interfaces().get(ingress);
                commitOrAbort(ingress, ArpBuilder.writeReplyTo(claim.buffer(), claim.offset(), buffer, frame,
                    snapshot.announceMac(ingress)));
            }
            return;
        }
        stats.drop(DropReason.NOT_OURS);
    }

    private void learnClient(final DirectBuffer buffer, final int client)
    {
        final RouteTable routes = snapshot.routes();
        final int route = routes.lookup(client);
        if (route != RouteTable.NO_ROUTE && routes.isOnLink(route) && routes.iface(route) == ingress)
        {
            neighbours.learn(client, MacAddresses.get(buffer, frame.frameOffset() + EthernetView.SOURCE_OFFSET),
                nowMs, true);
        }
    }

    /**
     * What every packet on its way back to a client goes through before its rewrite: the next hop's MAC (left in
     * {@link #replyMac}), the TTL, the egress MTU.
     *
     * @return the egress interface, or null when the packet was dropped (and counted).
     */
    private DirectorInterface towardsClient(final MutableDirectBuffer buffer, final int client, final int flags)
    {
        final long mac = macTowards(client);
        if (mac == NeighbourTable.NONE || !decrementTtl(buffer))
        {
            return null;
        }
        final DirectorInterface out = snapshot.interfaces().get(egress);
        if (!fits(buffer, out, flags))
        {
            return null;
        }
        replyMac = mac;
        return out;
    }

    /**
     * The MAC of the next hop towards a client by the routing table, leaving the interface in {@link #egress}.
     *
     * @return the MAC, or {@link NeighbourTable#NONE} when dropped (no route, or unresolved: asked for, counted).
     */
    private long macTowards(final int client)
    {
        final RouteTable routes = snapshot.routes();
        final int route = routes.lookup(client);
        if (route == RouteTable.NO_ROUTE)
        {
            stats.drop(DropReason.NO_ROUTE);
            return NeighbourTable.NONE;
        }
        egress = routes.iface(route);
        return macOf(egress, routes.nextHop(route, client));
    }

    /** A next hop's MAC; unresolved, asks for it and counts the drop. */
    private long macOf(final int iface, final int nextHop)
    {
        final long mac = neighbours.lookup(nextHop);
        if (mac == NeighbourTable.NONE)
        {
            resolve(iface, nextHop);
            stats.drop(DropReason.NO_NEIGHBOUR);
        }
        return mac;
    }

    /** Asks for a neighbour's MAC with an ARP request from this worker, at most once a second per address. */
    private void resolve(final int egress, final int address)
    {
        final int slot = (address * 0x9E3779B1) >>> 24;
        if (lastResolutionAddress[slot] == address && nowMs - lastResolution[slot] < NEIGHBOUR_RETRY_MS)
        {
            return;
        }
        lastResolutionAddress[slot] = address;
        lastResolution[slot] = nowMs;
        neighbours.want(address, nowMs);
        if (tryClaim(egress, ArpBuilder.FRAME_LENGTH))
        {
            final DirectorInterface out = snapshot.interfaces().get(egress);
            commitOrAbort(egress, ArpBuilder.writeRequest(claim.buffer(), claim.offset(), EthernetView.NO_VLAN,
                out.mac(), out.sourceFor(address), address));
        }
    }

    /** Decrements the TTL as a router; at 1 answers time exceeded (from our address) and drops. */
    private boolean decrementTtl(final MutableDirectBuffer buffer)
    {
        if (Rewrites.decrementTtl(buffer, frame) > 0)
        {
            return true;
        }
        stats.drop(DropReason.TTL_EXCEEDED);
        if (Icmpv4ErrorBuilder.mayReplyTo(buffer, frame) && tryClaim(ingress, frame.frameLength() + 64))
        {
            final DirectorInterface in = snapshot.interfaces().get(ingress);
            commitOrAbort(ingress, Icmpv4ErrorBuilder.timeExceeded(claim.buffer(), claim.offset(), buffer, frame,
                in.mac(), in.sourceFor(frame.flow().srcV4()), nextIdentification()));
        }
        return false;
    }

    /** Whether the packet fits the egress MTU; if not, answers fragmentation needed for DF packets and counts. */
    private boolean fits(final MutableDirectBuffer buffer, final DirectorInterface out, final int flags)
    {
        final int ipLength = frame.l3Length();
        if (ipLength <= out.mtu())
        {
            return true;
        }
        if ((flags & FrameFlags.CHECKSUM_NOT_READY) != 0)
        {
            // an aggregated (GRO/GSO) frame nobody sent in this size: no ICMP about it, only a count
            stats.drop(DropReason.OVERSIZED);
            return false;
        }
        final boolean df =
            (buffer.getShort(frame.l3Offset() + Ipv4View.FLAGS_FRAGMENT_OFFSET, BIG) & Ipv4View.FLAG_DF) != 0;
        if (df)
        {
            tooBig(buffer, out.mtu());
        }
        else
        {
            stats.drop(DropReason.TOO_BIG);
        }
        return false;
    }

    private void tooBig(final MutableDirectBuffer buffer, final int mtu)
    {
        stats.drop(DropReason.TOO_BIG_DF);
        if (Icmpv4ErrorBuilder.mayReplyTo(buffer, frame) && tryClaim(ingress, 14 + 20 + 8 + 60 + 8 + 64))
        {
            final DirectorInterface in = snapshot.interfaces().get(ingress);
            commitOrAbort(ingress, Icmpv4ErrorBuilder.fragmentationNeeded(claim.buffer(), claim.offset(), buffer,
                frame, in.mac(), in.sourceFor(frame.flow().srcV4()), nextIdentification(), mtu));
        }
    }

    /**
     * Completes a transport checksum the sender left to offload ({@code CHECKSUM_PARTIAL}): the field holds only
     * the pseudo-header sum, and nobody after us will finish it.
     */
    private void completeChecksum(final MutableDirectBuffer buffer, final int flags)
    {
        if ((flags & FrameFlags.CHECKSUM_NOT_READY) == 0)
        {
            return;
        }
        final int l3 = frame.l3Offset();
        final int l4 = frame.l4Offset();
        final int l4Length = frame.l4Length();
        switch (frame.kind())
        {
            case IPV4_TCP:
                buffer.putShort(l4 + Checksums.TCP_CHECKSUM_OFFSET,
                    (short)Checksums.tcpChecksumV4(buffer, l3, l4, l4Length), BIG);
                break;
            case IPV4_UDP:
                buffer.putShort(l4 + Checksums.UDP_CHECKSUM_OFFSET,
                    (short)Checksums.udpChecksumV4(buffer, l3, l4, l4Length), BIG);
                break;
            default:
                break;
        }
    }

    private boolean send(final int egress, final DirectBuffer buffer, final int offset, final int length)
    {
        if (!tryClaim(egress, length))
        {
            return false;
        }
        claim.buffer().putBytes(claim.offset(), buffer, offset, length);
        channels[egress].commit(claim, length);
        forwarded++;
        return true;
    }

    /** Claims transmit room, flushing once when the ring is full; counts {@link DropReason#TX_FULL} on failure. */
    private boolean tryClaim(final int egress, final int length)
    {
        final FrameChannel channel = channels[egress];
        if (channel.tryClaim(length, claim))
        {
            return true;
        }
        channel.flush();
        if (channel.tryClaim(length, claim))
        {
            return true;
        }
        stats.drop(DropReason.TX_FULL);
        return false;
    }

    private void commitOrAbort(final int egress, final int length)
    {
        if (length > 0)
        {
            channels[egress].commit(claim, length);
            forwarded++;
        }
        else
        {
            channels[egress].abort(claim);
        }
    }

    private int nextIdentification()
    {
        identification = (identification + 1) & 0xFFFF;
        return identification;
    }
}
