package io.lvs4j.core.packet;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Flyweight over a UDP header (RFC 768): ports, length, checksum.
 * <p>
 * Checksum-keeping setters follow the UDP rules of {@link Checksums}: a stored 0 ("no checksum") stays 0, and a
 * result of 0 is stored as 0xFFFF.
 */
public final class UdpView extends TransportHeaderFlyweight<UdpView>
{
    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = SOURCE_PORT_AT;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = DESTINATION_PORT_AT;
    /** Offset of the length. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = Checksums.UDP_CHECKSUM_OFFSET;
    /** Length of the header. */
    public static final int HEADER_LENGTH = 8;

    /**
     * Creates a view; wrap it before use.
     */
    public UdpView()
    {
        super(CHECKSUM_OFFSET);
    }

    /**
     * Wraps a UDP datagram.
     *
     * @param buffer the bytes.
     * @param offset start of the UDP header.
     * @param length bytes available.
     * @return this for chaining.
     */
    public UdpView wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        return this;
    }

    /** @return the UDP length field (header and data). */
    public int udpLength()
    {
        return buffer.getShort(offset + LENGTH_OFFSET, BIG) & 0xFFFF;
    }

    /**
     * The checksum this datagram should carry over IPv4, over {@link #udpLength()} bytes.
     *
     * @param ipOffset start of the IPv4 header in the same buffer.
     * @return the checksum, never 0.
     */
    public int computeChecksumV4(final int ipOffset)
    {
        return Checksums.udpChecksumV4(buffer, ipOffset, offset, udpLength());
    }

    /**
     * The checksum this datagram should carry over IPv6, over {@link #udpLength()} bytes.
     *
     * @param ipv6Offset start of the IPv6 header in the same buffer.
     * @return the checksum, never 0.
     */
    public int computeChecksumV6(final int ipv6Offset)
    {
        return Checksums.udpChecksumV6(buffer, ipv6Offset, offset, udpLength());
    }

    /**
     * Sets the length field.
     *
     * @param udpLength header and data length.
     * @return this for chaining.
     */
    public UdpView udpLength(final int udpLength)
    {
        mutableBuffer.putShort(offset + LENGTH_OFFSET, (short)udpLength, BIG);
        return this;
    }

    @Override
    UdpView self()
    {
        return this;
    }

    @Override
    int updateChecksum16(final int checksum, final int oldWord, final int newWord)
    {
        return Checksums.updateUdp16(checksum, oldWord, newWord);
    }

    @Override
    int updateChecksum32(final int checksum, final int oldValue, final int newValue)
    {
        return Checksums.updateUdp32(checksum, oldValue, newValue);
    }

    @Override
    int updateChecksum128(final int checksum, final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return Checksums.updateUdp128(checksum, oldHi, oldLo, newHi, newLo);
    }
}
