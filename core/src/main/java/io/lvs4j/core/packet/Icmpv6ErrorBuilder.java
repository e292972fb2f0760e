package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.flow.IpProtocol;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes the ICMPv6 errors a director originates (RFC 4443): Destination Unreachable, Packet Too Big and Time
 * Exceeded, quoting as much of the offending packet as fits without the error exceeding the IPv6 minimum MTU of
 * 1280 bytes (§2.4 c).
 * <p>
 * The IPv6 header carries traffic class 0, flow label 0, hop limit 64. Output and input must not overlap. Methods
 * return the length written, or -1 (writing nothing) when the input cannot be quoted.
 */
public final class Icmpv6ErrorBuilder
{
    /** Hop limit of the errors we send. */
    public static final int HOP_LIMIT = 64;
    /** Most bytes of the offending packet an error quotes: 1280 - 40 (IPv6) - 8 (ICMPv6). */
    public static final int MAX_QUOTE_LENGTH = Ipv6View.MIN_MTU - Ipv6View.HEADER_LENGTH - Icmpv6View.HEADER_LENGTH;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private Icmpv6ErrorBuilder()
    {
    }

    /**
     * Writes an ICMPv6 error as an IPv6 packet (no Ethernet header).
     *
     * @param buffer         where to write.
     * @param offset         start of the IPv6 header to write.
     * @param sourceHi       our address bytes 0..7.
     * @param sourceLo       our address bytes 8..15.
     * @param destinationHi  the offender's address bytes 0..7.
     * @param destinationLo  the offender's address bytes 8..15.
     * @param type           ICMPv6 type.
     * @param code           ICMPv6 code.
     * @param restOfHeader   the 32 bits after the checksum (0, the MTU, or a pointer).
     * @param original       the offending packet's buffer.
     * @param originalOffset start of its IPv6 header.
     * @param originalLength bytes of it available.
     * @return the IPv6 packet length, or -1 when the original is not an IPv6 packet of at least 40 bytes.
     */
    public static int writePacket(
        final MutableDirectBuffer buffer,
        final int offset,
        final long sourceHi,
        final long sourceLo,
        final long destinationHi,
        final long destinationLo,
        final int type,
        final int code,
        final int restOfHeader,
        final DirectBuffer original,
        final int originalOffset,
        final int originalLength)
    {
        if (originalLength < Ipv6View.HEADER_LENGTH || (original.getByte(originalOffset) & 0xF0) != 0x60)
        {
            return -1;
        }
        final int quote = Math.min(originalLength, MAX_QUOTE_LENGTH);
        final int icmp = offset + Ipv6View.HEADER_LENGTH;
        final int icmpLength = Icmpv6View.HEADER_LENGTH + quote;

        buffer.putInt(offset, 6 << 28, BIG);
        buffer.putShort(offset + Ipv6View.PAYLOAD_LENGTH_OFFSET, (short)icmpLength, BIG);
        buffer.putByte(offset + Ipv6View.NEXT_HEADER_OFFSET, (byte)IpProtocol.ICMPV6);
        buffer.putByte(offset + Ipv6View.HOP_LIMIT_OFFSET, (byte)HOP_LIMIT);
        buffer.putLong(offset + Ipv6View.SOURCE_OFFSET, sourceHi, BIG);
        buffer.putLong(offset + Ipv6View.SOURCE_OFFSET + 8, sourceLo, BIG);
        buffer.putLong(offset + Ipv6View.DESTINATION_OFFSET, destinationHi, BIG);
        buffer.putLong(offset + Ipv6View.DESTINATION_OFFSET + 8, destinationLo, BIG);

        IcmpHeaderFlyweight.writeErrorHeader(buffer, icmp, type, code, restOfHeader, original, originalOffset, quote);
        buffer.putShort(icmp + Icmpv6View.CHECKSUM_OFFSET,
            (short)Checksums.icmpv6Checksum(buffer, offset, icmp, icmpLength), BIG);
        return Ipv6View.HEADER_LENGTH + icmpLength;
    }

    /**
     * Writes an ICMPv6 error frame back to the sender of a classified IPv6 frame, on the same VLAN tags.
     *
     * @param buffer       where to write.
     * @param offset       start of the frame to write.
     * @param in           the offending frame's buffer.
     * @param offending    the classified offending frame.
     * @param ourMac       our MAC.
     * @param ourHi        our IPv6 address bytes 0..7.
     * @param ourLo        our IPv6 address bytes 8..15.
     * @param type         ICMPv6 type.
     * @param code         ICMPv6 code.
     * @param restOfHeader the 32 bits after the checksum.
     * @return the frame length, or -1 when the offending frame is not IPv6.
     */
    public static int writeFrame(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final long ourHi,
        final long ourLo,
        final int type,
        final int code,
        final int restOfHeader)
    {
        if (!offending.kind.isIpv6())
        {
            return -1;
        }
        final long peerMac = MacAddresses.get(in, offending.frameOffset + EthernetView.SOURCE_OFFSET);
        final int l2 = EthernetView.writeHeader(
            buffer, offset, peerMac, ourMac, offending, EthernetView.ETHERTYPE_IPV6);
        final int ipLength = writePacket(
            buffer, offset + l2, ourHi, ourLo, offending.flow.srcHi(), offending.flow.srcLo(), type, code,
            restOfHeader, in, offending.l3Offset, offending.l3Length);
        return ipLength < 0 ? -1 : l2 + ipLength;
    }

    /**
     * Writes a Destination Unreachable frame.
     *
     * @param buffer    where to write.
     * @param offset    start of the frame to write.
     * @param in        the offending frame's buffer.
     * @param offending the classified offending frame.
     * @param ourMac    our MAC.
     * @param ourHi     our address bytes 0..7.
     * @param ourLo     our address bytes 8..15.
     * @param code      e.g. {@link Icmpv6View#CODE_PORT_UNREACHABLE}.
     * @return the frame length, or -1.
     */
    public static int destinationUnreachable(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final long ourHi,
        final long ourLo,
        final int code)
    {
        return writeFrame(buffer, offset, in, offending, ourMac, ourHi, ourLo,
            Icmpv6View.TYPE_DESTINATION_UNREACHABLE, code, 0);
    }

    /**
     * Writes a Packet Too Big frame carrying the MTU the packet must fit.
     *
     * @param buffer    where to write.
     * @param offset    start of the frame to write.
     * @param in        the offending frame's buffer.
     * @param offending the classified offending frame.
     * @param ourMac    our MAC.
     * @param ourHi     our address bytes 0..7.
     * @param ourLo     our address bytes 8..15.
     * @param mtu       the MTU (for TUN with an IPv6 outer header: path MTU - 40).
     * @return the frame length, or -1.
     */
    public static int packetTooBig(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final long ourHi,
        final long ourLo,
        final int mtu)
    {
        return writeFrame(buffer, offset, in, offending, ourMac, ourHi, ourLo, Icmpv6View.TYPE_PACKET_TOO_BIG, 0,
            mtu);
    }

    /**
     * Writes a Time Exceeded / hop limit exceeded in transit frame.
     *
     * @param buffer    where to write.
     * @param offset    start of the frame to write.
     * @param in        the offending frame's buffer.
     * @param offending the classified offending frame.
     * @param ourMac    our MAC.
     * @param ourHi     our address bytes 0..7.
     * @param ourLo     our address bytes 8..15.
     * @return the frame length, or -1.
     */
    public static int timeExceeded(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final long ourHi,
        final long ourLo)
    {
        return writeFrame(buffer, offset, in, offending, ourMac, ourHi, ourLo, Icmpv6View.TYPE_TIME_EXCEEDED,
            Icmpv6View.CODE_HOP_LIMIT_EXCEEDED, 0);
    }

    /**
     * Whether an ICMPv6 error of a type may be sent about a frame (RFC 4443 §2.4 e): not about an ICMPv6 error,
     * nor from an unspecified or multicast source; not about a multicast destination (IPv6 or link layer) except
     * for Packet Too Big.
     *
     * @param in    the frame's buffer.
     * @param frame the classified frame.
     * @param type  the error type to send.
     * @return true when the error may be sent.
     */
    public static boolean mayReplyTo(final DirectBuffer in, final ClassifiedFrame frame, final int type)
    {
        if (!frame.kind.isIpv6() || frame.icmpError)
        {
            return false;
        }
        final long sourceHi = frame.flow.srcHi();
        if ((sourceHi | frame.flow.srcLo()) == 0 || (sourceHi >>> 56) == 0xFF)
        {
            return false;
        }
        if (type == Icmpv6View.TYPE_PACKET_TOO_BIG)
        {
            return true;
        }
        final boolean multicast = (frame.flow.dstHi() >>> 56) == 0xFF ||
            MacAddresses.isMulticast(MacAddresses.get(in, frame.frameOffset + EthernetView.DESTINATION_OFFSET));
        return !multicast;
    }
}
