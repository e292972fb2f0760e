package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The fixed 8-byte header that ICMP (RFC 792) and ICMPv6 (RFC 4443) share: type, code, checksum and the 32-bit
 * rest of header (echo identifier and sequence for echoes), followed, for errors, by the quoted original packet.
 * The getters here read the same bytes for both; the per-family views keep their own type numbers, checksum
 * rules and typed setters.
 */
abstract class IcmpHeaderFlyweight extends HeaderFlyweight
{
    /** Offset of the type. */
    static final int TYPE_AT = 0;
    /** Offset of the code. */
    static final int CODE_AT = 1;
    /** Offset of the checksum. */
    static final int CHECKSUM_AT = Checksums.ICMP_CHECKSUM_OFFSET;
    /** Offset of the 32-bit rest of header. */
    static final int REST_OF_HEADER_AT = 4;
    /** Offset of the echo identifier. */
    static final int IDENTIFIER_AT = 4;
    /** Offset of the echo sequence number. */
    static final int SEQUENCE_AT = 6;
    /** Length of the header; errors quote the original packet from here. */
    static final int HEADER_BYTES = 8;

    static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    IcmpHeaderFlyweight()
    {
    }

    /**
     * Writes an error message's header with a zero checksum, followed by the quote of the original packet; the
     * caller then stores the checksum by its family's rule.
     *
     * @param buffer         where to write.
     * @param icmp           start of the ICMP header in the buffer.
     * @param type           the type.
     * @param code           the code.
     * @param restOfHeader   the 32 bits after the checksum.
     * @param original       the buffer of the packet to quote.
     * @param originalOffset start of the packet to quote.
     * @param quote          number of bytes to quote.
     */
    static void writeErrorHeader(
        final MutableDirectBuffer buffer,
        final int icmp,
        final int type,
        final int code,
        final int restOfHeader,
        final DirectBuffer original,
        final int originalOffset,
        final int quote)
    {
        buffer.putByte(icmp + TYPE_AT, (byte)type);
        buffer.putByte(icmp + CODE_AT, (byte)code);
        buffer.putShort(icmp + CHECKSUM_AT, (short)0);
        buffer.putInt(icmp + REST_OF_HEADER_AT, restOfHeader, BIG);
        buffer.putBytes(icmp + HEADER_BYTES, original, originalOffset, quote);
    }

    /** @return the type. */
    public final int type()
    {
        return buffer.getByte(offset + TYPE_AT) & 0xFF;
    }

    /** @return the code. */
    public final int code()
    {
        return buffer.getByte(offset + CODE_AT) & 0xFF;
    }

    /** @return the stored checksum. */
    public final int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_AT, BIG) & 0xFFFF;
    }

    /** @return the 32-bit rest of header. */
    public final int restOfHeader()
    {
        return buffer.getInt(offset + REST_OF_HEADER_AT, BIG);
    }

    /** @return the echo identifier. */
    public final int identifier()
    {
        return buffer.getShort(offset + IDENTIFIER_AT, BIG) & 0xFFFF;
    }

    /** @return the echo sequence number. */
    public final int sequenceNumber()
    {
        return buffer.getShort(offset + SEQUENCE_AT, BIG) & 0xFFFF;
    }

    /** @return the buffer offset of the quoted original packet (its IP header), for an error. */
    public final int quoteOffset()
    {
        return offset + HEADER_BYTES;
    }

    /** @return the number of quoted bytes available. */
    public final int quoteLength()
    {
        return length - HEADER_BYTES;
    }
}
