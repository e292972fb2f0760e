package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.flow.IpProtocol;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Builds the outer IPv4 header of IP-in-IP (RFC 2003 §3.1) the way IPVS's TUN method does
 * (lvs-keepalived.md §5.4, §12.1): version 4, IHL 5, no options; TOS copied from the inner header with ECN
 * encapsulated (CE becomes ECT(0), RFC 6040 normal mode, as the kernel does); DF copied from the inner header when
 * set, if path MTU discovery is on (IPVS {@code pmtu_disc=1}, the default; RFC 2003 requires it); the given TTL
 * (IPVS uses the inner TTL, already decremented) and identification; protocol 4; header checksum.
 * <p>
 * Methods return the length written, or -1 (writing nothing) when the inner packet is not a complete IPv4 header
 * or the result would not fit.
 */
public final class IpIpEncapsulator
{
    /** Length the outer header adds to the packet. */
    public static final int OVERHEAD = IpIpView.OUTER_HEADER_LENGTH;
    /** Largest IPv4 total length. */
    public static final int MAX_TOTAL_LENGTH = 0xFFFF;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    private static final int ECN_MASK = 3;
    private static final int ECN_CE = 3;
    private static final int ECN_ECT0 = 2;

    private IpIpEncapsulator()
    {
    }

    /**
     * Writes the outer header in front of an inner IPv4 packet that lies elsewhere (e.g. in the receive ring,
     * when the frame is being copied into a transmit slot); the caller copies the inner packet after it.
     *
     * @param buffer         where to write the 20-byte outer header.
     * @param offset         start of the outer header.
     * @param inner          the inner packet's buffer.
     * @param innerOffset    start of the inner IPv4 header.
     * @param innerLength    the inner packet's length (its total length).
     * @param source         outer source: our address on the route to the real server.
     * @param destination    outer destination: the real server.
     * @param ttl            outer TTL.
     * @param identification outer identification.
     * @param pmtuDiscovery  whether to copy the inner DF flag (IPVS {@code pmtu_disc}).
     * @return {@link #OVERHEAD}, or -1.
     */
    public static int writeOuterHeader(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer inner,
        final int innerOffset,
        final int innerLength,
        final int source,
        final int destination,
        final int ttl,
        final int identification,
        final boolean pmtuDiscovery)
    {
        if (innerLength < Ipv4View.MIN_HEADER_LENGTH || innerLength > MAX_TOTAL_LENGTH - OVERHEAD ||
            (inner.getByte(innerOffset) & 0xF0) != 0x40)
        {
            return -1;
        }
        final int innerTos = inner.getByte(innerOffset + Ipv4View.TOS_OFFSET) & 0xFF;
        final int innerFlags = inner.getShort(innerOffset + Ipv4View.FLAGS_FRAGMENT_OFFSET, BIG) & 0xFFFF;
        final int tos = (innerTos & ECN_MASK) == ECN_CE ? (innerTos & ~ECN_MASK) | ECN_ECT0 : innerTos;
        final int flags = pmtuDiscovery ? innerFlags & Ipv4View.FLAG_DF : 0;
        Icmpv4ErrorBuilder.writeIpv4Header(
            buffer, offset, tos, innerLength + OVERHEAD, identification, flags, ttl, IpProtocol.IPIP, source,
            destination);
        return OVERHEAD;
    }

    /**
     * Encapsulates an IPv4 packet where it lies: moves it 20 bytes further into the buffer and writes the outer
     * header where it started, with the inner packet's TTL. The Ethernet header before it is left as it is
     * (ethertype IPv4 still holds); the frame grows by {@link #OVERHEAD}.
     *
     * @param buffer         the frame's buffer, with room for 20 more bytes after the packet.
     * @param l3Offset       start of the IPv4 packet.
     * @param innerLength    its total length.
     * @param source         outer source address.
     * @param destination    outer destination address (the real server).
     * @param identification outer identification.
     * @param pmtuDiscovery  whether to copy the inner DF flag.
     * @return the new L3 length ({@code innerLength + 20}), or -1 when there is no room or no IPv4 header.
     */
    public static int encapsulateInPlace(
        final MutableDirectBuffer buffer,
        final int l3Offset,
        final int innerLength,
        final int source,
        final int destination,
        final int identification,
        final boolean pmtuDiscovery)
    {
        if (innerLength < Ipv4View.MIN_HEADER_LENGTH || innerLength > MAX_TOTAL_LENGTH - OVERHEAD ||
            l3Offset + innerLength + OVERHEAD > buffer.capacity() || (buffer.getByte(l3Offset) & 0xF0) != 0x40)
        {
            return -1;
        }
        final int ttl = buffer.getByte(l3Offset + Ipv4View.TTL_OFFSET) & 0xFF;
        moveForward(buffer, l3Offset, innerLength, OVERHEAD);
        writeOuterHeader(buffer, l3Offset, buffer, l3Offset + OVERHEAD, innerLength, source, destination, ttl,
            identification, pmtuDiscovery);
        return innerLength + OVERHEAD;
    }

    /** Moves a range {@code distance >= 8} bytes towards higher offsets, last bytes first so nothing is overwritten early. */
    private static void moveForward(
        final MutableDirectBuffer buffer, final int offset, final int length, final int distance)
    {
        int i = length;
        while (i >= 8)
        {
            i -= 8;
            buffer.putLong(offset + distance + i, buffer.getLong(offset + i));
        }
        while (i > 0)
        {
            i--;
            buffer.putByte(offset + distance + i, buffer.getByte(offset + i));
        }
    }
}
