package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Flyweight over a UDP header (RFC 768): ports, length, checksum.
 * <p>
 * Checksum-keeping setters follow the UDP rules of {@link Checksums}: a stored 0 ("no checksum") stays 0, and a
 * result of 0 is stored as 0xFFFF.
 */
public final class UdpView extends HeaderFlyweight
{
    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = 2;
    /** Offset of the length. */
    public static final int LENGTH_OFFSET = 4;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = Checksums.UDP_CHECKSUM_OFFSET;
    /** Length of the header. */
    public static final int HEADER_LENGTH = 8;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

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

    /** @return the source port. */
    public int sourcePort()
    {
        return buffer.getShort(offset + SOURCE_PORT_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the destination port. */
    public int destinationPort()
    {
        return buffer.getShort(offset + DESTINATION_PORT_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the UDP length field (header and data). */
    public int udpLength()
    {
        return buffer.getShort(offset + LENGTH_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the stored checksum (0: none, over IPv4). */
    public int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG) & 0xFFFF;
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
     * Sets the source port.
     *
     * @param port the value.
     * @return this for chaining.
     */
    public UdpView sourcePort(final int port)
    {
        mutableBuffer.putShort(offset + SOURCE_PORT_OFFSET, (short)port, BIG);
        return this;
    }

    /**
     * Sets the destination port.
     *
     * @param port the value.
     * @return this for chaining.
     */
    public UdpView destinationPort(final int port)
    {
        mutableBuffer.putShort(offset + DESTINATION_PORT_OFFSET, (short)port, BIG);
        return this;
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

    /**
     * Stores a checksum.
     *
     * @param checksum the value.
     * @return this for chaining.
     */
    public UdpView checksum(final int checksum)
    {
        mutableBuffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG);
        return this;
    }

    /**
     * Sets the source port and adjusts the checksum (unless it is 0).
     *
     * @param port the value.
     * @return this for chaining.
     */
    public UdpView sourcePortUpdatingChecksum(final int port)
    {
        final int old = sourcePort();
        sourcePort(port);
        return checksum(Checksums.updateUdp16(checksum(), old, port));
    }

    /**
     * Sets the destination port and adjusts the checksum (unless it is 0).
     *
     * @param port the value.
     * @return this for chaining.
     */
    public UdpView destinationPortUpdatingChecksum(final int port)
    {
        final int old = destinationPort();
        destinationPort(port);
        return checksum(Checksums.updateUdp16(checksum(), old, port));
    }

    /**
     * Adjusts the checksum (unless it is 0) for an IPv4 address change in the pseudo-header.
     *
     * @param oldAddress the old address.
     * @param newAddress the new address.
     * @return this for chaining.
     */
    public UdpView adjustChecksumForAddress(final int oldAddress, final int newAddress)
    {
        return checksum(Checksums.updateUdp32(checksum(), oldAddress, newAddress));
    }

    /**
     * Adjusts the checksum (unless it is 0) for an IPv6 address change in the pseudo-header.
     *
     * @param oldHi old address bytes 0..7.
     * @param oldLo old address bytes 8..15.
     * @param newHi new address bytes 0..7.
     * @param newLo new address bytes 8..15.
     * @return this for chaining.
     */
    public UdpView adjustChecksumForAddress(final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return checksum(Checksums.updateUdp128(checksum(), oldHi, oldLo, newHi, newLo));
    }
}
