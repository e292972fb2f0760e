package io.lvs4j.core.conn;

import io.lvs4j.core.flow.FlowKey;

/**
 * A plain, mutable copy of one connection entry: what a worker asks the table to insert, and what a lookup or
 * a listing hands back. Reused by its owner; never shared between threads. Addresses follow {@link FlowKey}'s
 * convention (two longs, IPv4 in the low 32 bits of {@code lo}).
 * <p>
 * For a persistence template, {@code client} is the masked client network with port 0, {@code virtual} is
 * the VIP and service port (or the fwmark in {@code virtualLo} with protocol {@code IP} and port 0), and
 * {@code flags} has {@link ConnectionFlags#TEMPLATE}.
 */
public final class ConnectionRecord
{
    /** Address family, {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}. */
    public int family;
    /** IP protocol (TCP, UDP, SCTP; IP for fwmark templates). */
    public int protocol;
    /** Client address, high 64 bits. */
    public long clientHi;
    /** Client address, low 64 bits. */
    public long clientLo;
    /** Client port (0 for templates). */
    public int clientPort;
    /** Virtual address (VIP), high 64 bits. */
    public long virtualHi;
    /** Virtual address (VIP) low 64 bits, or the fwmark for fwmark templates. */
    public long virtualLo;
    /** Virtual port. */
    public int virtualPort;
    /** Real server address, high 64 bits. */
    public long destHi;
    /** Real server address, low 64 bits. */
    public long destLo;
    /** Real server port. */
    public int destPort;
    /** The real server's id in {@link DestinationCounters} and the service model. */
    public int destinationId;
    /** {@link ConnectionFlags}, including the forwarding method. */
    public int flags;
    /** A {@link TcpState} code. */
    public int state;
    /** Index of the entry's {@link ConnectionTimeoutProfiles} profile. */
    public int timeoutProfile;
    /** For templates: the persistence timeout in milliseconds, re-armed whenever a connection is created from it. */
    public long templateTimeoutMs;
    /** When the entry expires if no further packet arrives, in the table clock's milliseconds. */
    public long expiresAtMs;
    /** Number of entries this one controls (templates). */
    public int controlCount;
    /** Packets seen on the entry (both directions). */
    public long packets;
    /** Bytes seen on the entry (both directions). */
    public long bytes;

    /**
     * Fills the identity fields from a client-to-VIP flow key.
     *
     * @param clientToVip the packet's flow key.
     * @return this for chaining.
     */
    public ConnectionRecord fromInbound(final FlowKey clientToVip)
    {
        family = clientToVip.family();
        protocol = clientToVip.protocol();
        clientHi = clientToVip.srcHi();
        clientLo = clientToVip.srcLo();
        clientPort = clientToVip.srcPort();
        virtualHi = clientToVip.dstHi();
        virtualLo = clientToVip.dstLo();
        virtualPort = clientToVip.dstPort();
        return this;
    }

    /**
     * Writes the key under which a request packet finds this entry (client to VIP).
     *
     * @param key the key to fill.
     * @return {@code key}.
     */
    public FlowKey inboundKey(final FlowKey key)
    {
        return family == FlowKey.AF_INET6 ?
            key.setV6(protocol, clientHi, clientLo, clientPort, virtualHi, virtualLo, virtualPort) :
            key.setV4(protocol, (int)clientLo, clientPort, (int)virtualLo, virtualPort);
    }

    /**
     * Writes the key under which a NAT reply finds this entry (real server to client).
     *
     * @param key the key to fill.
     * @return {@code key}.
     */
    public FlowKey outboundKey(final FlowKey key)
    {
        return family == FlowKey.AF_INET6 ?
            key.setV6(protocol, destHi, destLo, destPort, clientHi, clientLo, clientPort) :
            key.setV4(protocol, (int)destLo, destPort, (int)clientLo, clientPort);
    }

    /** @return the forwarding method bits of {@link #flags}. */
    public int method()
    {
        return flags & ConnectionFlags.FWD_MASK;
    }

    /** @return true when this entry is a persistence template. */
    public boolean isTemplate()
    {
        return (flags & ConnectionFlags.TEMPLATE) != 0;
    }

    /**
     * Copies every field from another record.
     *
     * @param o the source.
     * @return this for chaining.
     */
    public ConnectionRecord set(final ConnectionRecord o)
    {
        family = o.family;
        protocol = o.protocol;
        clientHi = o.clientHi;
        clientLo = o.clientLo;
        clientPort = o.clientPort;
        virtualHi = o.virtualHi;
        virtualLo = o.virtualLo;
        virtualPort = o.virtualPort;
        destHi = o.destHi;
        destLo = o.destLo;
        destPort = o.destPort;
        destinationId = o.destinationId;
        flags = o.flags;
        state = o.state;
        timeoutProfile = o.timeoutProfile;
        templateTimeoutMs = o.templateTimeoutMs;
        expiresAtMs = o.expiresAtMs;
        controlCount = o.controlCount;
        packets = o.packets;
        bytes = o.bytes;
        return this;
    }

    /** Clears every field to zero. */
    public void clear()
    {
        family = protocol = clientPort = virtualPort = destPort = destinationId = flags = state = 0;
        timeoutProfile = controlCount = 0;
        clientHi = clientLo = virtualHi = virtualLo = destHi = destLo = 0;
        templateTimeoutMs = expiresAtMs = packets = bytes = 0;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(128);
        sb.append(io.lvs4j.core.flow.IpProtocol.name(protocol)).append(' ');
        FlowKey.appendAddress(sb, family, clientHi, clientLo).append(':').append(clientPort).append(" -> ");
        FlowKey.appendAddress(sb, family, virtualHi, virtualLo).append(':').append(virtualPort).append(" => ");
        FlowKey.appendAddress(sb, family, destHi, destLo).append(':').append(destPort);
        sb.append(' ').append(ConnectionFlags.methodName(flags)).append(' ').append(TcpState.name(state));
        sb.append(" dest=").append(destinationId).append(" flags=0x").append(Integer.toHexString(flags));
        sb.append(" expires=").append(expiresAtMs).append(" pkts=").append(packets).append(" bytes=").append(bytes);
        return sb.toString();
    }
}
