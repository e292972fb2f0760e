package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.flow.IpProtocol;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes the ICMP (IPv4) errors a director originates: Destination Unreachable (port unreachable, or Fragmentation
 * Needed with the next-hop MTU, RFC 1191) and Time Exceeded, quoting the offending datagram's IP header and the
 * first 8 bytes of its data as RFC 792 says (fewer when the datagram is shorter).
 * <p>
 * The IPv4 header carries TOS 0xC0 (internetwork control, as Linux sends its errors), TTL 64, no DF, no options.
 * Output and input must not overlap: build the error in a transmit slot, not over the offending frame. Methods
 * return the length written, or -1 (writing nothing) when the input cannot be quoted.
 */
public final class Icmpv4ErrorBuilder
{
    /** TTL of the errors we send. */
    public static final int TTL = 64;
    /** TOS of the errors we send: precedence "internetwork control". */
    public static final int TOS = 0xC0;
    /** Bytes of the offending datagram's data quoted after its header. */
    public static final int QUOTED_DATA_LENGTH = 8;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private Icmpv4ErrorBuilder()
    {
    }

    /**
     * How many bytes of an offending datagram an error quotes: its header and 8 bytes of data, bounded by its total
     * length and by what is available.
     *
     * @param original       the offending datagram's buffer.
     * @param originalOffset start of its IPv4 header.
     * @param available      bytes of it available.
     * @return the quote length, or -1 when there is no complete IPv4 header to quote.
     */
    public static int quoteLength(final DirectBuffer original, final int originalOffset, final int available)
    {
        if (available < Ipv4View.MIN_HEADER_LENGTH)
        {
            return -1;
        }
        final int versionIhl = original.getByte(originalOffset) & 0xFF;
        final int headerLength = (versionIhl & 0xF) << 2;
        if (versionIhl >>> 4 != 4 || headerLength < Ipv4View.MIN_HEADER_LENGTH || headerLength > available)
        {
            return -1;
        }
        final int totalLength = original.getShort(originalOffset + Ipv4View.TOTAL_LENGTH_OFFSET, BIG) & 0xFFFF;
        int quote = Math.min(available, headerLength + QUOTED_DATA_LENGTH);
        if (totalLength >= headerLength)
        {
            quote = Math.min(quote, totalLength);
        }
        return quote;
    }

    /**
     * Writes an ICMP error as an IPv4 packet (no Ethernet header).
     *
     * @param buffer         where to write.
     * @param offset         start of the IPv4 header to write.
     * @param source         our address.
     * @param destination    the offending datagram's source.
     * @param identification the IPv4 identification to use.
     * @param type           ICMP type.
     * @param code           ICMP code.
     * @param restOfHeader   the 32 bits after the checksum (0, or the next-hop MTU for Fragmentation Needed).
     * @param original       the offending datagram's buffer.
     * @param originalOffset start of its IPv4 header.
     * @param originalLength bytes of it available.
     * @return the IPv4 packet length, or -1.
     */
    public static int writePacket(
        final MutableDirectBuffer buffer,
        final int offset,
        final int source,
        final int destination,
        final int identification,
        final int type,
        final int code,
        final int restOfHeader,
        final DirectBuffer original,
        final int originalOffset,
        final int originalLength)
    {
        final int quote = quoteLength(original, originalOffset, originalLength);
        if (quote < 0)
        {
            return -1;
        }
        final int icmp = offset + Ipv4View.MIN_HEADER_LENGTH;
        final int icmpLength = Icmpv4View.HEADER_LENGTH + quote;
        final int totalLength = Ipv4View.MIN_HEADER_LENGTH + icmpLength;
        writeIpv4Header(buffer, offset, TOS, totalLength, identification, 0, TTL, IpProtocol.ICMP, source,
            destination);

        IcmpHeaderFlyweight.writeErrorHeader(buffer, icmp, type, code, restOfHeader, original, originalOffset, quote);
        buffer.putShort(
            icmp + Icmpv4View.CHECKSUM_OFFSET, (short)Checksums.icmpv4Checksum(buffer, icmp, icmpLength), BIG);
        return totalLength;
    }

    /**
     * Writes an ICMP error frame back to the sender of a classified IPv4 frame: Ethernet destination is the
     * offender's source MAC, on the same VLAN tags; IP destination is the offender's source address.
     *
     * @param buffer         where to write.
     * @param offset         start of the frame to write.
     * @param in             the offending frame's buffer.
     * @param offending      the classified offending frame.
     * @param ourMac         our MAC (Ethernet source).
     * @param ourAddress     our IPv4 address (IP source).
     * @param identification the IPv4 identification to use.
     * @param type           ICMP type.
     * @param code           ICMP code.
     * @param restOfHeader   the 32 bits after the checksum.
     * @return the frame length, or -1 when the offending frame is not IPv4.
     */
    public static int writeFrame(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final int ourAddress,
        final int identification,
        final int type,
        final int code,
        final int restOfHeader)
    {
        if (!offending.kind.isIpv4())
        {
            return -1;
        }
        final long peerMac = MacAddresses.get(in, offending.frameOffset + EthernetView.SOURCE_OFFSET);
        final int l2 = EthernetView.writeHeader(
            buffer, offset, peerMac, ourMac, offending, EthernetView.ETHERTYPE_IPV4);
        final int ipLength = writePacket(
            buffer, offset + l2, ourAddress, offending.flow.srcV4(), identification, type, code, restOfHeader,
            in, offending.l3Offset, offending.l3Length);
        return ipLength < 0 ? -1 : l2 + ipLength;
    }

    /**
     * Writes a Destination Unreachable frame.
     *
     * @param buffer         where to write.
     * @param offset         start of the frame to write.
     * @param in             the offending frame's buffer.
     * @param offending      the classified offending frame.
     * @param ourMac         our MAC.
     * @param ourAddress     our IPv4 address.
     * @param identification the IPv4 identification.
     * @param code           e.g. {@link Icmpv4View#CODE_HOST_UNREACHABLE}.
     * @return the frame length, or -1.
     */
    public static int destinationUnreachable(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final int ourAddress,
        final int identification,
        final int code)
    {
        return writeFrame(buffer, offset, in, offending, ourMac, ourAddress, identification,
            Icmpv4View.TYPE_DESTINATION_UNREACHABLE, code, 0);
    }

    /**
     * Writes a Destination Unreachable / Port Unreachable frame.
     *
     * @param buffer         where to write.
     * @param offset         start of the frame to write.
     * @param in             the offending frame's buffer.
     * @param offending      the classified offending frame.
     * @param ourMac         our MAC.
     * @param ourAddress     our IPv4 address.
     * @param identification the IPv4 identification.
     * @return the frame length, or -1.
     */
    public static int portUnreachable(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final int ourAddress,
        final int identification)
    {
        return destinationUnreachable(buffer, offset, in, offending, ourMac, ourAddress, identification,
            Icmpv4View.CODE_PORT_UNREACHABLE);
    }

    /**
     * Writes a Destination Unreachable / Fragmentation Needed frame with the next-hop MTU (RFC 1191 §4), sent
     * when a DF packet does not fit the egress (or tunnel) MTU.
     *
     * @param buffer         where to write.
     * @param offset         start of the frame to write.
     * @param in             the offending frame's buffer.
     * @param offending      the classified offending frame.
     * @param ourMac         our MAC.
     * @param ourAddress     our IPv4 address.
     * @param identification the IPv4 identification.
     * @param nextHopMtu     the MTU the packet must fit (for TUN: path MTU - 20).
     * @return the frame length, or -1.
     */
    public static int fragmentationNeeded(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final int ourAddress,
        final int identification,
        final int nextHopMtu)
    {
        return writeFrame(buffer, offset, in, offending, ourMac, ourAddress, identification,
            Icmpv4View.TYPE_DESTINATION_UNREACHABLE, Icmpv4View.CODE_FRAGMENTATION_NEEDED, nextHopMtu & 0xFFFF);
    }

    /**
     * Writes a Time Exceeded / TTL exceeded in transit frame.
     *
     * @param buffer         where to write.
     * @param offset         start of the frame to write.
     * @param in             the offending frame's buffer.
     * @param offending      the classified offending frame.
     * @param ourMac         our MAC.
     * @param ourAddress     our IPv4 address.
     * @param identification the IPv4 identification.
     * @return the frame length, or -1.
     */
    public static int timeExceeded(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer in,
        final ClassifiedFrame offending,
        final long ourMac,
        final int ourAddress,
        final int identification)
    {
        return writeFrame(buffer, offset, in, offending, ourMac, ourAddress, identification,
            Icmpv4View.TYPE_TIME_EXCEEDED, Icmpv4View.CODE_TTL_EXCEEDED, 0);
    }

    /**
     * Whether an ICMP error may be sent about a frame (RFC 1122 §3.2.2, RFC 1812 §4.3.2.7): not about an ICMP
     * error, a non-first fragment, a link-layer or IP broadcast/multicast, or a datagram whose source is not a
     * single host (0/8, 127/8, multicast, class E, broadcast).
     *
     * @param in    the frame's buffer.
     * @param frame the classified frame.
     * @return true when an error may be sent.
     */
    public static boolean mayReplyTo(final DirectBuffer in, final ClassifiedFrame frame)
    {
        if (!frame.kind.isIpv4() || frame.icmpError || frame.fragmentOffset != 0)
        {
            return false;
        }
        if (MacAddresses.isMulticast(MacAddresses.get(in, frame.frameOffset + EthernetView.DESTINATION_OFFSET)))
        {
            return false;
        }
        final int destination = frame.flow.dstV4();
        final int source = frame.flow.srcV4();
        return destination != -1 && (destination >>> 28) != 0xE && isSingleHost(source);
    }

    private static boolean isSingleHost(final int address)
    {
        final int first = address >>> 24;
        return first != 0 && first != 127 && first < 224;
    }

    /**
     * Writes a 20-byte IPv4 header (no options) with its checksum.
     *
     * @param buffer                 where to write.
     * @param offset                 start of the header.
     * @param tos                    the DS/ECN byte.
     * @param totalLength            the packet's total length.
     * @param identification         the identification.
     * @param flagsAndFragmentOffset the flags and fragment offset word (e.g. {@link Ipv4View#FLAG_DF}).
     * @param ttl                    the TTL.
     * @param protocol               the protocol.
     * @param source                 the source address.
     * @param destination            the destination address.
     */
    public static void writeIpv4Header(
        final MutableDirectBuffer buffer,
        final int offset,
        final int tos,
        final int totalLength,
        final int identification,
        final int flagsAndFragmentOffset,
        final int ttl,
        final int protocol,
        final int source,
        final int destination)
    {
        buffer.putByte(offset + Ipv4View.VERSION_IHL_OFFSET, (byte)0x45);
        buffer.putByte(offset + Ipv4View.TOS_OFFSET, (byte)tos);
        buffer.putShort(offset + Ipv4View.TOTAL_LENGTH_OFFSET, (short)totalLength, BIG);
        buffer.putShort(offset + Ipv4View.IDENTIFICATION_OFFSET, (short)identification, BIG);
        buffer.putShort(offset + Ipv4View.FLAGS_FRAGMENT_OFFSET, (short)flagsAndFragmentOffset, BIG);
        buffer.putByte(offset + Ipv4View.TTL_OFFSET, (byte)ttl);
        buffer.putByte(offset + Ipv4View.PROTOCOL_OFFSET, (byte)protocol);
        buffer.putShort(offset + Ipv4View.CHECKSUM_OFFSET, (short)0);
        buffer.putInt(offset + Ipv4View.SOURCE_OFFSET, source, BIG);
        buffer.putInt(offset + Ipv4View.DESTINATION_OFFSET, destination, BIG);
        buffer.putShort(offset + Ipv4View.CHECKSUM_OFFSET,
            (short)Checksums.ipv4HeaderChecksum(buffer, offset, Ipv4View.MIN_HEADER_LENGTH), BIG);
    }
}
