package io.lvs4j.core.packet;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Flyweight over an ICMP (IPv4) message (RFC 792): type, code, checksum, the 4-byte rest of header (echo
 * identifier and sequence, next-hop MTU, gateway, pointer) and, for errors, the quoted original datagram: its IP
 * header and at least its first 8 bytes.
 */
public final class Icmpv4View extends IcmpHeaderFlyweight
{
    /** Offset of the type. */
    public static final int TYPE_OFFSET = TYPE_AT;
    /** Offset of the code. */
    public static final int CODE_OFFSET = CODE_AT;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = CHECKSUM_AT;
    /** Offset of the 32-bit rest of header. */
    public static final int REST_OF_HEADER_OFFSET = REST_OF_HEADER_AT;
    /** Offset of the echo identifier. */
    public static final int IDENTIFIER_OFFSET = IDENTIFIER_AT;
    /** Offset of the echo sequence number. */
    public static final int SEQUENCE_OFFSET = SEQUENCE_AT;
    /** Offset of the next-hop MTU of a Fragmentation Needed message (RFC 1191). */
    public static final int NEXT_HOP_MTU_OFFSET = 6;
    /** Length of the header; errors quote the original datagram from here. */
    public static final int HEADER_LENGTH = HEADER_BYTES;

    /** Type: echo reply. */
    public static final int TYPE_ECHO_REPLY = 0;
    /** Type: destination unreachable. */
    public static final int TYPE_DESTINATION_UNREACHABLE = 3;
    /** Type: source quench (deprecated, RFC 6633, but still "related" for IPVS). */
    public static final int TYPE_SOURCE_QUENCH = 4;
    /** Type: redirect. */
    public static final int TYPE_REDIRECT = 5;
    /** Type: echo request. */
    public static final int TYPE_ECHO_REQUEST = 8;
    /** Type: time exceeded. */
    public static final int TYPE_TIME_EXCEEDED = 11;
    /** Type: parameter problem. */
    public static final int TYPE_PARAMETER_PROBLEM = 12;

    /** Destination unreachable code: network unreachable. */
    public static final int CODE_NETWORK_UNREACHABLE = 0;
    /** Destination unreachable code: host unreachable. */
    public static final int CODE_HOST_UNREACHABLE = 1;
    /** Destination unreachable code: protocol unreachable. */
    public static final int CODE_PROTOCOL_UNREACHABLE = 2;
    /** Destination unreachable code: port unreachable. */
    public static final int CODE_PORT_UNREACHABLE = 3;
    /** Destination unreachable code: fragmentation needed and DF set. */
    public static final int CODE_FRAGMENTATION_NEEDED = 4;
    /** Time exceeded code: TTL exceeded in transit. */
    public static final int CODE_TTL_EXCEEDED = 0;
    /** Time exceeded code: fragment reassembly time exceeded. */
    public static final int CODE_REASSEMBLY_TIME_EXCEEDED = 1;

    /**
     * Wraps an ICMP message.
     *
     * @param buffer the bytes.
     * @param offset start of the ICMP header.
     * @param length message length.
     * @return this for chaining.
     */
    public Icmpv4View wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        return this;
    }

    /**
     * Whether a type is an error message that quotes the datagram that caused it.
     *
     * @param type the ICMP type.
     * @return true for destination unreachable, source quench, redirect, time exceeded and parameter problem.
     */
    public static boolean isErrorType(final int type)
    {
        return type == TYPE_DESTINATION_UNREACHABLE || type == TYPE_SOURCE_QUENCH || type == TYPE_REDIRECT ||
            type == TYPE_TIME_EXCEEDED || type == TYPE_PARAMETER_PROBLEM;
    }

    /** @return the next-hop MTU of a Fragmentation Needed message. */
    public int nextHopMtu()
    {
        return buffer.getShort(offset + NEXT_HOP_MTU_OFFSET, BIG) & 0xFFFF;
    }

    /** @return true when this message is an error quoting a datagram. */
    public boolean isError()
    {
        return isErrorType(type());
    }

    /** @return the checksum the message should carry, over {@link #length()} bytes. */
    public int computeChecksum()
    {
        return Checksums.icmpv4Checksum(buffer, offset, length);
    }

    /**
     * Sets type and code.
     *
     * @param type the type.
     * @param code the code.
     * @return this for chaining.
     */
    public Icmpv4View typeAndCode(final int type, final int code)
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
    public Icmpv4View restOfHeader(final int value)
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
    public Icmpv4View checksum(final int checksum)
    {
        mutableBuffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG);
        return this;
    }

    /**
     * Recomputes and stores the checksum over {@link #length()} bytes (after rewriting a quoted header, as IPVS
     * does for NAT).
     *
     * @return this for chaining.
     */
    public Icmpv4View updateChecksum()
    {
        return checksum(computeChecksum());
    }
}
