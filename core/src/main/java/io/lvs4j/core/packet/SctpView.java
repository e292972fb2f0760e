package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Flyweight over an SCTP common header (RFC 9260 §3.1): ports, verification tag, CRC-32C checksum. Wrap it with
 * the SCTP packet's length: the checksum covers the whole packet and is recomputed, not updated, after a change.
 */
public final class SctpView extends HeaderFlyweight
{
    /** Offset of the source port. */
    public static final int SOURCE_PORT_OFFSET = 0;
    /** Offset of the destination port. */
    public static final int DESTINATION_PORT_OFFSET = 2;
    /** Offset of the verification tag. */
    public static final int VERIFICATION_TAG_OFFSET = 4;
    /** Offset of the checksum (stored least significant byte first). */
    public static final int CHECKSUM_OFFSET = Checksums.SCTP_CHECKSUM_OFFSET;
    /** Length of the common header. */
    public static final int HEADER_LENGTH = 12;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    /**
     * Wraps an SCTP packet.
     *
     * @param buffer the bytes.
     * @param offset start of the common header.
     * @param length SCTP packet length.
     * @return this for chaining.
     */
    public SctpView wrap(final DirectBuffer buffer, final int offset, final int length)
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

    /** @return the verification tag. */
    public int verificationTag()
    {
        return buffer.getInt(offset + VERIFICATION_TAG_OFFSET, BIG);
    }

    /** @return the stored CRC-32C value. */
    public int checksum()
    {
        return buffer.getInt(offset + CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    /** @return the CRC-32C value the packet should carry. */
    public int computeChecksum()
    {
        return Checksums.sctpChecksum(buffer, offset, length);
    }

    /**
     * Sets the source port (the checksum must then be recomputed).
     *
     * @param port the value.
     * @return this for chaining.
     */
    public SctpView sourcePort(final int port)
    {
        mutableBuffer.putShort(offset + SOURCE_PORT_OFFSET, (short)port, BIG);
        return this;
    }

    /**
     * Sets the destination port (the checksum must then be recomputed).
     *
     * @param port the value.
     * @return this for chaining.
     */
    public SctpView destinationPort(final int port)
    {
        mutableBuffer.putShort(offset + DESTINATION_PORT_OFFSET, (short)port, BIG);
        return this;
    }

    /**
     * Recomputes and stores the checksum.
     *
     * @return this for chaining.
     */
    public SctpView updateChecksum()
    {
        mutableBuffer.putInt(offset + CHECKSUM_OFFSET, computeChecksum(), ByteOrder.LITTLE_ENDIAN);
        return this;
    }
}
