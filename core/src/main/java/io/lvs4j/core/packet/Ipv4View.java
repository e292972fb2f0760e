package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.DirectBuffer;

/**
 * Flyweight over an IPv4 header (RFC 791), options included.
 * <p>
 * Plain setters change one field and leave the header checksum alone (for building headers, then
 * {@link #updateChecksum()}); the {@code ...UpdatingChecksum} setters adjust the header checksum incrementally
 * (RFC 1624) for in-place rewrites. Transport checksums that cover addresses through the pseudo-header are not
 * this view's business: see {@link Rewrites}.
 */
public final class Ipv4View extends HeaderFlyweight
{
    /** Offset of the version (high nibble) and IHL (low nibble). */
    public static final int VERSION_IHL_OFFSET = 0;
    /** Offset of the TOS / DS field (DSCP and ECN). */
    public static final int TOS_OFFSET = 1;
    /** Offset of the total length. */
    public static final int TOTAL_LENGTH_OFFSET = 2;
    /** Offset of the identification. */
    public static final int IDENTIFICATION_OFFSET = 4;
    /** Offset of the flags (3 bits) and fragment offset (13 bits). */
    public static final int FLAGS_FRAGMENT_OFFSET = 6;
    /** Offset of the TTL. */
    public static final int TTL_OFFSET = 8;
    /** Offset of the protocol. */
    public static final int PROTOCOL_OFFSET = 9;
    /** Offset of the header checksum. */
    public static final int CHECKSUM_OFFSET = Checksums.IPV4_CHECKSUM_OFFSET;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 12;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 16;
    /** Length of a header without options. */
    public static final int MIN_HEADER_LENGTH = 20;
    /** Length of a header with the most options (IHL 15). */
    public static final int MAX_HEADER_LENGTH = 60;

    /** Reserved ("evil") flag bit in the flags/fragment word. */
    public static final int FLAG_RESERVED = 0x8000;
    /** Don't Fragment flag bit in the flags/fragment word. */
    public static final int FLAG_DF = 0x4000;
    /** More Fragments flag bit in the flags/fragment word. */
    public static final int FLAG_MF = 0x2000;
    /** Mask of the fragment offset (in 8-byte units) in the flags/fragment word. */
    public static final int FRAGMENT_OFFSET_MASK = 0x1FFF;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    /**
     * Wraps an IPv4 header.
     *
     * @param buffer the bytes.
     * @param offset start of the IPv4 header.
     * @param length bytes available (the classifier uses the total length).
     * @return this for chaining.
     */
    public Ipv4View wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        return this;
    }

    /** @return the version nibble (4). */
    public int version()
    {
        return (buffer.getByte(offset + VERSION_IHL_OFFSET) >>> 4) & 0xF;
    }

    /** @return the IHL in 32-bit words. */
    public int ihl()
    {
        return buffer.getByte(offset + VERSION_IHL_OFFSET) & 0xF;
    }

    /** @return the header length in bytes (IHL * 4). */
    public int headerLength()
    {
        return ihl() << 2;
    }

    /** @return the TOS / DS byte. */
    public int tos()
    {
        return buffer.getByte(offset + TOS_OFFSET) & 0xFF;
    }

    /** @return the DSCP (high 6 bits of the DS byte). */
    public int dscp()
    {
        return tos() >>> 2;
    }

    /** @return the ECN codepoint (low 2 bits of the DS byte). */
    public int ecn()
    {
        return tos() & 3;
    }

    /** @return the total length (header and data). */
    public int totalLength()
    {
        return buffer.getShort(offset + TOTAL_LENGTH_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the identification. */
    public int identification()
    {
        return buffer.getShort(offset + IDENTIFICATION_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the flags and fragment offset word. */
    public int flagsAndFragmentOffset()
    {
        return buffer.getShort(offset + FLAGS_FRAGMENT_OFFSET, BIG) & 0xFFFF;
    }

    /** @return true when Don't Fragment is set. */
    public boolean dontFragment()
    {
        return (flagsAndFragmentOffset() & FLAG_DF) != 0;
    }

    /** @return true when More Fragments is set. */
    public boolean moreFragments()
    {
        return (flagsAndFragmentOffset() & FLAG_MF) != 0;
    }

    /** @return the fragment offset in 8-byte units. */
    public int fragmentOffset()
    {
        return flagsAndFragmentOffset() & FRAGMENT_OFFSET_MASK;
    }

    /** @return true for any fragment: MF set or a non-zero fragment offset. */
    public boolean isFragment()
    {
        return (flagsAndFragmentOffset() & (FLAG_MF | FRAGMENT_OFFSET_MASK)) != 0;
    }

    /** @return the TTL. */
    public int ttl()
    {
        return buffer.getByte(offset + TTL_OFFSET) & 0xFF;
    }

    /** @return the protocol of the payload. */
    public int protocol()
    {
        return buffer.getByte(offset + PROTOCOL_OFFSET) & 0xFF;
    }

    /** @return the stored header checksum. */
    public int checksum()
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the source address, big-endian int. */
    public int sourceAddress()
    {
        return buffer.getInt(offset + SOURCE_OFFSET, BIG);
    }

    /** @return the destination address, big-endian int. */
    public int destinationAddress()
    {
        return buffer.getInt(offset + DESTINATION_OFFSET, BIG);
    }

    /** @return the offset of the payload in the buffer (after options). */
    public int payloadOffset()
    {
        return offset + headerLength();
    }

    /** @return the payload length by the header: total length - header length. */
    public int payloadLength()
    {
        return totalLength() - headerLength();
    }

    /** @return the header checksum the header should carry. */
    public int computeChecksum()
    {
        return Checksums.ipv4HeaderChecksum(buffer, offset, headerLength());
    }

    /** @return true when the stored header checksum verifies. */
    public boolean isChecksumValid()
    {
        return Checksums.isIpv4HeaderValid(buffer, offset, headerLength());
    }

    // ------------------------------------------------------------------------------------------- plain setters

    /**
     * Sets version 4 and the IHL.
     *
     * @param headerLength the header length in bytes, a multiple of 4 in 20..60.
     * @return this for chaining.
     */
    public Ipv4View versionAndHeaderLength(final int headerLength)
    {
        mutableBuffer.putByte(offset + VERSION_IHL_OFFSET, (byte)(0x40 | (headerLength >>> 2)));
        return this;
    }

    /**
     * Sets the TOS / DS byte.
     *
     * @param tos the value.
     * @return this for chaining.
     */
    public Ipv4View tos(final int tos)
    {
        mutableBuffer.putByte(offset + TOS_OFFSET, (byte)tos);
        return this;
    }

    /**
     * Sets the total length.
     *
     * @param totalLength the value.
     * @return this for chaining.
     */
    public Ipv4View totalLength(final int totalLength)
    {
        mutableBuffer.putShort(offset + TOTAL_LENGTH_OFFSET, (short)totalLength, BIG);
        return this;
    }

    /**
     * Sets the identification.
     *
     * @param identification the value.
     * @return this for chaining.
     */
    public Ipv4View identification(final int identification)
    {
        mutableBuffer.putShort(offset + IDENTIFICATION_OFFSET, (short)identification, BIG);
        return this;
    }

    /**
     * Sets the flags and fragment offset word.
     *
     * @param value e.g. {@link #FLAG_DF}, or 0.
     * @return this for chaining.
     */
    public Ipv4View flagsAndFragmentOffset(final int value)
    {
        mutableBuffer.putShort(offset + FLAGS_FRAGMENT_OFFSET, (short)value, BIG);
        return this;
    }

    /**
     * Sets the TTL.
     *
     * @param ttl the value.
     * @return this for chaining.
     */
    public Ipv4View ttl(final int ttl)
    {
        mutableBuffer.putByte(offset + TTL_OFFSET, (byte)ttl);
        return this;
    }

    /**
     * Sets the protocol.
     *
     * @param protocol the value.
     * @return this for chaining.
     */
    public Ipv4View protocol(final int protocol)
    {
        mutableBuffer.putByte(offset + PROTOCOL_OFFSET, (byte)protocol);
        return this;
    }

    /**
     * Stores a header checksum.
     *
     * @param checksum the value.
     * @return this for chaining.
     */
    public Ipv4View checksum(final int checksum)
    {
        mutableBuffer.putShort(offset + CHECKSUM_OFFSET, (short)checksum, BIG);
        return this;
    }

    /**
     * Sets the source address.
     *
     * @param address big-endian int.
     * @return this for chaining.
     */
    public Ipv4View sourceAddress(final int address)
    {
        mutableBuffer.putInt(offset + SOURCE_OFFSET, address, BIG);
        return this;
    }

    /**
     * Sets the destination address.
     *
     * @param address big-endian int.
     * @return this for chaining.
     */
    public Ipv4View destinationAddress(final int address)
    {
        mutableBuffer.putInt(offset + DESTINATION_OFFSET, address, BIG);
        return this;
    }

    /**
     * Recomputes and stores the header checksum.
     *
     * @return this for chaining.
     */
    public Ipv4View updateChecksum()
    {
        return checksum(computeChecksum());
    }

    // ------------------------------------------------------------------------------ checksum-keeping setters

    /**
     * Sets the TOS / DS byte and adjusts the header checksum.
     *
     * @param tos the value.
     * @return this for chaining.
     */
    public Ipv4View tosUpdatingChecksum(final int tos)
    {
        final int oldWord = buffer.getShort(offset + VERSION_IHL_OFFSET, BIG) & 0xFFFF;
        final int newWord = (oldWord & 0xFF00) | (tos & 0xFF);
        tos(tos);
        return checksum(Checksums.update16(checksum(), oldWord, newWord));
    }

    /**
     * Sets the TTL and adjusts the header checksum.
     *
     * @param ttl the value.
     * @return this for chaining.
     */
    public Ipv4View ttlUpdatingChecksum(final int ttl)
    {
        // TTL shares its 16-bit word with the protocol
        final int oldWord = buffer.getShort(offset + TTL_OFFSET, BIG) & 0xFFFF;
        final int newWord = (ttl & 0xFF) << 8 | (oldWord & 0xFF);
        ttl(ttl);
        return checksum(Checksums.update16(checksum(), oldWord, newWord));
    }

    /**
     * Decrements the TTL as a router does before forwarding, adjusting the header checksum.
     *
     * @return the new TTL (at least 1), or 0 when the TTL was already 0 or 1: the header is then left unchanged
     *         and the packet must not be forwarded (send ICMP Time Exceeded instead).
     */
    public int decrementTtl()
    {
        final int ttl = ttl();
        if (ttl <= 1)
        {
            return 0;
        }
        ttlUpdatingChecksum(ttl - 1);
        return ttl - 1;
    }

    /**
     * Sets the source address and adjusts the header checksum.
     *
     * @param address big-endian int.
     * @return this for chaining.
     */
    public Ipv4View sourceAddressUpdatingChecksum(final int address)
    {
        final int old = sourceAddress();
        sourceAddress(address);
        return checksum(Checksums.update32(checksum(), old, address));
    }

    /**
     * Sets the destination address and adjusts the header checksum.
     *
     * @param address big-endian int.
     * @return this for chaining.
     */
    public Ipv4View destinationAddressUpdatingChecksum(final int address)
    {
        final int old = destinationAddress();
        destinationAddress(address);
        return checksum(Checksums.update32(checksum(), old, address));
    }

    /**
     * Formats an IPv4 address as a dotted quad (allocates: not for the hot path).
     *
     * @param address big-endian int.
     * @return the text.
     */
    public static String toString(final int address)
    {
        return ((address >>> 24) & 0xFF) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }
}
