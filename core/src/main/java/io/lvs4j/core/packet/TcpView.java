package io.lvs4j.core.packet;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Flyweight over a TCP header (RFC 9293): ports, sequence and acknowledgement numbers, data offset, flags, window,
 * checksum. Wrap it with the segment's length (header and data) so that full checksums know what to cover.
 * <p>
 * The {@code ...UpdatingChecksum} setters and the {@code adjustChecksumFor...} methods keep the checksum right
 * incrementally (RFC 1624), including for the pseudo-header's addresses when the IP layer changes them.
 */
public final class TcpView extends TransportHeaderFlyweight<TcpView>
{
    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = SOURCE_PORT_AT;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = DESTINATION_PORT_AT;
    /** Offset of the sequence number. */
    public static final int SEQUENCE_OFFSET = 4;
    /** Offset of the acknowledgement number. */
    public static final int ACKNOWLEDGEMENT_OFFSET = 8;
    /** Offset of the data offset (high nibble; low bit of the byte is the NS flag). */
    public static final int DATA_OFFSET_OFFSET = 12;
    /** Offset of the flags byte. */
    public static final int FLAGS_OFFSET = 13;
    /** Offset of the window. */
    public static final int WINDOW_OFFSET = 14;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = Checksums.TCP_CHECKSUM_OFFSET;
    /** Offset of the urgent pointer. */
    public static final int URGENT_POINTER_OFFSET = 18;
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;

    /** FIN flag. */
    public static final int FIN = 0x01;
    /** SYN flag. */
    public static final int SYN = 0x02;
    /** RST flag. */
    public static final int RST = 0x04;
    /** PSH flag. */
    public static final int PSH = 0x08;
    /** ACK flag. */
    public static final int ACK = 0x10;
    /** URG flag. */
    public static final int URG = 0x20;
    /** ECE flag. */
    public static final int ECE = 0x40;
    /** CWR flag. */
    public static final int CWR = 0x80;

    /**
     * Creates a view; wrap it before use.
     */
    public TcpView()
    {
        super(CHECKSUM_OFFSET);
    }

    /**
     * Wraps a TCP segment.
     *
     * @param buffer the bytes.
     * @param offset start of the TCP header.
     * @param length segment length (header and data).
     * @return this for chaining.
     */
    public TcpView wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        return this;
    }

    /** @return the sequence number (32 raw bits; compare with serial-number arithmetic). */
    public int sequenceNumber()
    {
        return buffer.getInt(offset + SEQUENCE_OFFSET, BIG);
    }

    /** @return the acknowledgement number (32 raw bits). */
    public int acknowledgementNumber()
    {
        return buffer.getInt(offset + ACKNOWLEDGEMENT_OFFSET, BIG);
    }

    /** @return the data offset in 32-bit words. */
    public int dataOffset()
    {
        return (buffer.getByte(offset + DATA_OFFSET_OFFSET) >>> 4) & 0xF;
    }

    /** @return the header length in bytes (data offset * 4). */
    public int headerLength()
    {
        return dataOffset() << 2;
    }

    /** @return the flags byte (FIN ... CWR). */
    public int flags()
    {
        return buffer.getByte(offset + FLAGS_OFFSET) & 0xFF;
    }

    /**
     * Whether all the given flags are set.
     *
     * @param mask e.g. {@code SYN | ACK}.
     * @return true when every bit of {@code mask} is set.
     */
    public boolean hasFlags(final int mask)
    {
        return (flags() & mask) == mask;
    }

    /** @return the window. */
    public int window()
    {
        return buffer.getShort(offset + WINDOW_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the urgent pointer. */
    public int urgentPointer()
    {
        return buffer.getShort(offset + URGENT_POINTER_OFFSET, BIG) & 0xFFFF;
    }

    /**
     * The checksum this segment should carry over IPv4.
     *
     * @param ipOffset start of the IPv4 header in the same buffer (for the pseudo-header).
     * @return the checksum.
     */
    public int computeChecksumV4(final int ipOffset)
    {
        return Checksums.tcpChecksumV4(buffer, ipOffset, offset, length);
    }

    /**
     * The checksum this segment should carry over IPv6.
     *
     * @param ipv6Offset start of the IPv6 header in the same buffer.
     * @return the checksum.
     */
    public int computeChecksumV6(final int ipv6Offset)
    {
        return Checksums.tcpChecksumV6(buffer, ipv6Offset, offset, length);
    }

    @Override
    TcpView self()
    {
        return this;
    }

    @Override
    int updateChecksum16(final int checksum, final int oldWord, final int newWord)
    {
        return Checksums.update16(checksum, oldWord, newWord);
    }

    @Override
    int updateChecksum32(final int checksum, final int oldValue, final int newValue)
    {
        return Checksums.update32(checksum, oldValue, newValue);
    }

    @Override
    int updateChecksum128(final int checksum, final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return Checksums.update128(checksum, oldHi, oldLo, newHi, newLo);
    }
}
