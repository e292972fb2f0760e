package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.flow.IpProtocol;
import org.agrona.MutableDirectBuffer;

/**
 * In-place rewrites of a classified frame that keep every checksum right: the IPv4 header checksum and the
 * transport checksum whose pseudo-header covers the changed address (TCP, UDP, ICMPv6), updated incrementally as
 * RFC 1624 says; the SCTP CRC-32C, recomputed after a port change. These are the edits DR (MAC), NAT (address and
 * port) and every method (TTL) make.
 * <p>
 * Each method works from the offsets in the {@link ClassifiedFrame} and returns false, without touching the frame,
 * when its kind does not have the field. A first IPv4/IPv6 fragment (offset 0) gets its transport checksum adjusted
 * for address changes too, so that it stays right once the datagram is reassembled; later fragments have no
 * transport header. The frame description itself is not updated.
 */
public final class Rewrites
{
    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private Rewrites()
    {
    }

    /**
     * Sets both MACs, as DR does (destination: the real server; source: our egress interface).
     *
     * @param buffer      the frame's buffer.
     * @param frame       the classified frame.
     * @param destination new destination MAC.
     * @param source      new source MAC.
     */
    public static void setMacs(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final long destination, final long source)
    {
        MacAddresses.put(buffer, frame.frameOffset + EthernetView.DESTINATION_OFFSET, destination);
        MacAddresses.put(buffer, frame.frameOffset + EthernetView.SOURCE_OFFSET, source);
    }

    /**
     * Sets the IPv4 source address (NAT replies: real server to VIP).
     *
     * @param buffer  the frame's buffer.
     * @param frame   the classified frame.
     * @param address the new address, big-endian int.
     * @return false when the frame is not IPv4.
     */
    public static boolean setIpv4Source(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int address)
    {
        return setIpv4Address(buffer, frame, Ipv4View.SOURCE_OFFSET, address);
    }

    /**
     * Sets the IPv4 destination address (NAT requests: VIP to real server).
     *
     * @param buffer  the frame's buffer.
     * @param frame   the classified frame.
     * @param address the new address, big-endian int.
     * @return false when the frame is not IPv4.
     */
    public static boolean setIpv4Destination(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int address)
    {
        return setIpv4Address(buffer, frame, Ipv4View.DESTINATION_OFFSET, address);
    }

    private static boolean setIpv4Address(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int fieldOffset, final int address)
    {
        if (!frame.kind.isIpv4())
        {
            return false;
        }
        final int l3 = frame.l3Offset;
        final int old = buffer.getInt(l3 + fieldOffset, BIG);
        buffer.putInt(l3 + fieldOffset, address, BIG);
        final int ipChecksum = buffer.getShort(l3 + Ipv4View.CHECKSUM_OFFSET, BIG) & 0xFFFF;
        buffer.putShort(l3 + Ipv4View.CHECKSUM_OFFSET, (short)Checksums.update32(ipChecksum, old, address), BIG);

        final int at = pseudoHeaderChecksumOffset(frame);
        if (at >= 0)
        {
            final int checksum = buffer.getShort(at, BIG) & 0xFFFF;
            final int updated = frame.flow.protocol() == IpProtocol.UDP ?
                Checksums.updateUdp32(checksum, old, address) : Checksums.update32(checksum, old, address);
            buffer.putShort(at, (short)updated, BIG);
        }
        return true;
    }

    /**
     * Sets the IPv6 source address.
     *
     * @param buffer the frame's buffer.
     * @param frame  the classified frame.
     * @param hi     new address bytes 0..7.
     * @param lo     new address bytes 8..15.
     * @return false when the frame is not IPv6.
     */
    public static boolean setIpv6Source(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final long hi, final long lo)
    {
        return setIpv6Address(buffer, frame, Ipv6View.SOURCE_OFFSET, hi, lo);
    }

    /**
     * Sets the IPv6 destination address.
     *
     * @param buffer the frame's buffer.
     * @param frame  the classified frame.
     * @param hi     new address bytes 0..7.
     * @param lo     new address bytes 8..15.
     * @return false when the frame is not IPv6.
     */
    public static boolean setIpv6Destination(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final long hi, final long lo)
    {
        return setIpv6Address(buffer, frame, Ipv6View.DESTINATION_OFFSET, hi, lo);
    }

    private static boolean setIpv6Address(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int fieldOffset, final long hi,
        final long lo)
    {
        if (!frame.kind.isIpv6())
        {
            return false;
        }
        final int field = frame.l3Offset + fieldOffset;
        final long oldHi = buffer.getLong(field, BIG);
        final long oldLo = buffer.getLong(field + 8, BIG);
        buffer.putLong(field, hi, BIG);
        buffer.putLong(field + 8, lo, BIG);

        final int at = pseudoHeaderChecksumOffset(frame);
        if (at >= 0)
        {
            final int checksum = buffer.getShort(at, BIG) & 0xFFFF;
            final int updated = frame.flow.protocol() == IpProtocol.UDP ?
                Checksums.updateUdp128(checksum, oldHi, oldLo, hi, lo) :
                Checksums.update128(checksum, oldHi, oldLo, hi, lo);
            buffer.putShort(at, (short)updated, BIG);
        }
        return true;
    }

    /**
     * Sets the source port (NAT replies: real-server port to virtual port).
     *
     * @param buffer the frame's buffer.
     * @param frame  the classified frame.
     * @param port   the new port.
     * @return false when the frame has no ports (not TCP/UDP/SCTP, or a fragment).
     */
    public static boolean setSourcePort(final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int port)
    {
        return setPort(buffer, frame, 0, port);
    }

    /**
     * Sets the destination port (NAT requests: virtual port to real-server port).
     *
     * @param buffer the frame's buffer.
     * @param frame  the classified frame.
     * @param port   the new port.
     * @return false when the frame has no ports (not TCP/UDP/SCTP, or a fragment).
     */
    public static boolean setDestinationPort(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int port)
    {
        return setPort(buffer, frame, 2, port);
    }

    private static boolean setPort(
        final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int fieldOffset, final int port)
    {
        if (!frame.kind.hasPorts())
        {
            return false;
        }
        final int l4 = frame.l4Offset;
        final int old = buffer.getShort(l4 + fieldOffset, BIG) & 0xFFFF;
        buffer.putShort(l4 + fieldOffset, (short)port, BIG);
        switch (frame.flow.protocol())
        {
            case IpProtocol.TCP:
            {
                final int at = l4 + TcpView.CHECKSUM_OFFSET;
                final int checksum = buffer.getShort(at, BIG) & 0xFFFF;
                buffer.putShort(at, (short)Checksums.update16(checksum, old, port), BIG);
                break;
            }
            case IpProtocol.UDP:
            {
                final int at = l4 + UdpView.CHECKSUM_OFFSET;
                final int checksum = buffer.getShort(at, BIG) & 0xFFFF;
                buffer.putShort(at, (short)Checksums.updateUdp16(checksum, old, port), BIG);
                break;
            }
            default:
                // SCTP: CRC-32C has no incremental form
                buffer.putInt(
                    l4 + SctpView.CHECKSUM_OFFSET,
                    Checksums.sctpChecksum(buffer, l4, frame.l4Length),
                    ByteOrder.LITTLE_ENDIAN);
                break;
        }
        return true;
    }

    /**
     * Decrements the IPv4 TTL (adjusting the header checksum) or the IPv6 hop limit, as every forwarding method
     * does before sending.
     *
     * @param buffer the frame's buffer.
     * @param frame  the classified frame.
     * @return the new TTL / hop limit (at least 1); 0 when it was already 0 or 1 (the frame is left unchanged
     *         and must not be forwarded: send Time Exceeded); -1 when the frame is not IP.
     */
    public static int decrementTtl(final MutableDirectBuffer buffer, final ClassifiedFrame frame)
    {
        final FrameKind kind = frame.kind;
        if (kind.isIpv4())
        {
            final int at = frame.l3Offset + Ipv4View.TTL_OFFSET;
            final int oldWord = buffer.getShort(at, BIG) & 0xFFFF;
            final int ttl = oldWord >>> 8;
            if (ttl <= 1)
            {
                return 0;
            }
            buffer.putByte(at, (byte)(ttl - 1));
            final int checksumAt = frame.l3Offset + Ipv4View.CHECKSUM_OFFSET;
            final int checksum = buffer.getShort(checksumAt, BIG) & 0xFFFF;
            buffer.putShort(checksumAt, (short)Checksums.update16(checksum, oldWord, oldWord - 0x100), BIG);
            return ttl - 1;
        }
        if (kind.isIpv6())
        {
            final int at = frame.l3Offset + Ipv6View.HOP_LIMIT_OFFSET;
            final int hopLimit = buffer.getByte(at) & 0xFF;
            if (hopLimit <= 1)
            {
                return 0;
            }
            buffer.putByte(at, (byte)(hopLimit - 1));
            return hopLimit - 1;
        }
        return -1;
    }

    /**
     * Sets the IPv4 TOS (adjusting the header checksum) or the IPv6 traffic class.
     *
     * @param buffer the frame's buffer.
     * @param frame  the classified frame.
     * @param tos    the new DS byte.
     * @return false when the frame is not IP.
     */
    public static boolean setTos(final MutableDirectBuffer buffer, final ClassifiedFrame frame, final int tos)
    {
        final FrameKind kind = frame.kind;
        if (kind.isIpv4())
        {
            final int l3 = frame.l3Offset;
            final int oldWord = buffer.getShort(l3, BIG) & 0xFFFF;
            final int newWord = (oldWord & 0xFF00) | (tos & 0xFF);
            buffer.putByte(l3 + Ipv4View.TOS_OFFSET, (byte)tos);
            final int checksum = buffer.getShort(l3 + Ipv4View.CHECKSUM_OFFSET, BIG) & 0xFFFF;
            buffer.putShort(l3 + Ipv4View.CHECKSUM_OFFSET, (short)Checksums.update16(checksum, oldWord, newWord), BIG);
            return true;
        }
        if (kind.isIpv6())
        {
            final int l3 = frame.l3Offset;
            final int word = buffer.getInt(l3, BIG);
            buffer.putInt(l3, (word & 0xF00F_FFFF) | (tos & 0xFF) << 20, BIG);
            return true;
        }
        return false;
    }

    /**
     * Where the transport checksum covering the IP addresses is, or -1: TCP, UDP and ICMPv6 headers, including
     * in a first fragment long enough to hold the field.
     */
    private static int pseudoHeaderChecksumOffset(final ClassifiedFrame frame)
    {
        final int fieldOffset;
        switch (frame.flow.protocol())
        {
            case IpProtocol.TCP:
                fieldOffset = TcpView.CHECKSUM_OFFSET;
                break;
            case IpProtocol.UDP:
                fieldOffset = UdpView.CHECKSUM_OFFSET;
                break;
            case IpProtocol.ICMPV6:
                fieldOffset = frame.kind.isIpv6() ? Icmpv6View.CHECKSUM_OFFSET : -1;
                break;
            default:
                return -1;
        }
        if (fieldOffset < 0)
        {
            return -1;
        }
        final FrameKind kind = frame.kind;
        if (kind == FrameKind.IPV4_FRAGMENT || kind == FrameKind.IPV6_FRAGMENT)
        {
            return frame.fragmentOffset == 0 && frame.l4Length >= fieldOffset + 2 ? frame.l4Offset + fieldOffset : -1;
        }
        return frame.kind == FrameKind.IPV4_TCP || frame.kind == FrameKind.IPV4_UDP ||
            frame.kind == FrameKind.IPV6_TCP || frame.kind == FrameKind.IPV6_UDP || frame.kind == FrameKind.IPV6_ICMP ?
            frame.l4Offset + fieldOffset : -1;
    }
}
