package io.lvs4j.core.packet;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Flyweight over an ICMPv6 message (RFC 4443): type, code, checksum (over the IPv6 pseudo-header too), the 4-byte
 * rest of header (echo identifier and sequence, MTU, pointer) and, for errors (types below 128), as much of the
 * original packet as fits in the minimum MTU.
 */
public final class Icmpv6View extends IcmpHeaderFlyweight
{
    /** Offset of the type. */
    public static final int TYPE_OFFSET = TYPE_AT;
    /** Offset of the code. */
    public static final int CODE_OFFSET = CODE_AT;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = CHECKSUM_AT;
    /** Offset of the 32-bit rest of header (MTU of Packet Too Big, pointer of Parameter Problem). */
    public static final int REST_OF_HEADER_OFFSET = REST_OF_HEADER_AT;
    /** Offset of the echo identifier. */
    public static final int IDENTIFIER_OFFSET = IDENTIFIER_AT;
    /** Offset of the echo sequence number. */
    public static final int SEQUENCE_OFFSET = SEQUENCE_AT;
    /** Length of the header; errors quote the original packet from here. */
    public static final int HEADER_LENGTH = HEADER_BYTES;

    /** Type: destination unreachable. */
    public static final int TYPE_DESTINATION_UNREACHABLE = 1;
    /** Type: packet too big. */
    public static final int TYPE_PACKET_TOO_BIG = 2;
    /** Type: time exceeded. */
    public static final int TYPE_TIME_EXCEEDED = 3;
    /** Type: parameter problem. */
    public static final int TYPE_PARAMETER_PROBLEM = 4;
    /** Type: echo request. */
    public static final int TYPE_ECHO_REQUEST = 128;
    /** Type: echo reply. */
    public static final int TYPE_ECHO_REPLY = 129;
    /** Type: neighbor solicitation. */
    public static final int TYPE_NEIGHBOR_SOLICITATION = 135;
    /** Type: neighbor advertisement. */
    public static final int TYPE_NEIGHBOR_ADVERTISEMENT = 136;

    /** Destination unreachable code: no route to destination. */
    public static final int CODE_NO_ROUTE = 0;
    /** Destination unreachable code: administratively prohibited. */
    public static final int CODE_ADMINISTRATIVELY_PROHIBITED = 1;
    /** Destination unreachable code: address unreachable. */
    public static final int CODE_ADDRESS_UNREACHABLE = 3;
    /** Destination unreachable code: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 4;
    /** Time exceeded code: hop limit exceeded in transit. */
    public static final int CODE_HOP_LIMIT_EXCEEDED = 0;
    /** Time exceeded code: fragment reassembly time exceeded. */
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    /**
     * Wraps an ICMPv6 message.
     *
     * @param buffer the bytes.
     * @param offset start of the ICMPv6 header.
     * @param length message length.
     * @return this for chaining.
     */
    public Icmpv6View wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        return this;
    }

    /**
     * Whether a type is an error message (RFC 4443 §2.1: the high bit of the type is clear).
     *
     * @param type the ICMPv6 type.
     * @return true for types 0..127.
     */
    public static boolean isErrorType(final int type)
    {
        return type < 128;
    }

    /** @return the MTU of a Packet Too Big message. */
    public int mtu()
    {
        return restOfHeader();
    }

    /** @return true when this message is an error quoting a packet. */
    public boolean isError()
    {
        return isErrorType(type());
    }

    /**
     * The checksum the message should carry, over {@link #length()} bytes.
     *
     * @param ipv6Offset start of the IPv6 header in the same buffer (for the pseudo-header).
     * @return the checksum.
     */
    public int computeChecksum(final int ipv6Offset)
    {
        return Checksums.icmpv6Checksum(buffer, ipv6Offset, offset, length);
    }

    /**
     * Sets type and code.
     *
     * @param type the type.
     * @param code the code.
     * @return this for chaining.
     */
    public Icmpv6View typeAndCode(final int type, final int code)
    {
        mutableBuffer.putByte(offset + TYPE_OFFSET, (byte)type);
        mutableBuffer.putByte(offset + CODE_OFFSET, (byte)code);
        return this;
    }

    /**
     * Sets the rest of header.
     *
     * @param value the 32-bit value.
     * @return this for chaining.
     */
    public Icmpv6View restOfHeader(final int value)
    {
        mutableBuffer.putInt(offset + REST_OF_HEADER_OFFSET, value, BIG);
        return this;
    }

    /**
     * Stores a checksum.
     *
     * @param checksum the value.
     * @return this for chaining.
     */
    public Icmpv6View checksum(final int checksum)
    {
        mutableBuffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG);
        return this;
    }

    /**
     * Recomputes and stores the checksum over {@link #length()} bytes.
     *
     * @param ipv6Offset start of the IPv6 header in the same buffer.
     * @return this for chaining.
     */
    public Icmpv6View updateChecksum(final int ipv6Offset)
    {
        return checksum(computeChecksum(ipv6Offset));
    }

    /**
     * Adjusts the checksum for an IPv6 address change in the pseudo-header.
     *
     * @param oldHi old address bytes 0..7.
     * @param oldLo old address bytes 8..15.
     * @param newHi new address bytes 0..7.
     * @param newLo new address bytes 8..15.
     * @return this for chaining.
     */
    public Icmpv6View adjustChecksumForAddress(
        final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return checksum(Checksums.update128(checksum(), oldHi, oldLo, newHi, newLo));
    }
}
