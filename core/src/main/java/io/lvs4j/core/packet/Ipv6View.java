package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * Flyweight over an IPv6 header (RFC 8200) and its extension-header chain.
 * <p>
 * {@link #walkExtensionHeaders(int)} follows hop-by-hop (0), routing (43), fragment (44), destination options (60)
 * and authentication (51) headers to the upper-layer header, staying within {@link #length()}, and remembers
 * where it ended; the upper-layer accessors report that walk. A fragment header that is not atomic (offset or M
 * set) ends the walk: what follows is a fragment. An atomic fragment header (offset 0, M 0) is skipped as RFC 6946
 * says, since it does not fragment anything.
 */
public final class Ipv6View extends HeaderFlyweight
{
    /** Offset of the version (4 bits), traffic class (8) and flow label (20) word. */
    public static final int VERSION_CLASS_LABEL_OFFSET = 0;
    /** Offset of the payload length. */
    public static final int PAYLOAD_LENGTH_OFFSET = 4;
    /** Offset of the next header. */
    public static final int NEXT_HEADER_OFFSET = 6;
    /** Offset of the hop limit. */
    public static final int HOP_LIMIT_OFFSET = 7;
    /** Offset of the source address. */
    public static final int SOURCE_OFFSET = 8;
    /** Offset of the destination address. */
    public static final int DESTINATION_OFFSET = 24;
    /** Length of the fixed header. */
    public static final int HEADER_LENGTH = 40;
    /** The minimum link MTU IPv6 guarantees; ICMPv6 errors fit in it (RFC 4443 §2.4 c). */
    public static final int MIN_MTU = 1280;

    /** Extension header: hop-by-hop options. */
    public static final int HOP_BY_HOP = 0;
    /** Extension header: routing. */
    public static final int ROUTING = 43;
    /** Extension header: fragment. */
    public static final int FRAGMENT = 44;
    /** Extension header: authentication header. */
    public static final int AUTHENTICATION = 51;
    /** Extension header: destination options. */
    public static final int DESTINATION_OPTIONS = 60;
    /** No next header. */
    public static final int NO_NEXT_HEADER = 59;
    /** Length of a fragment header. */
    public static final int FRAGMENT_HEADER_LENGTH = 8;
    /** The extension-header limit the classifier uses by default. */
    public static final int DEFAULT_MAX_EXTENSION_HEADERS = 8;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private int upperLayerProtocol;
    private int upperLayerOffset;
    private int fragmentHeaderOffset;
    private int extensionHeaderCount;

    /**
     * Wraps an IPv6 header and forgets the previous walk.
     *
     * @param buffer the bytes.
     * @param offset start of the IPv6 header.
     * @param length bytes available (the classifier uses 40 + payload length).
     * @return this for chaining.
     */
    public Ipv6View wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        upperLayerProtocol = -1;
        upperLayerOffset = -1;
        fragmentHeaderOffset = -1;
        extensionHeaderCount = 0;
        return this;
    }

    /** @return the version nibble (6). */
    public int version()
    {
        return (buffer.getByte(offset) >>> 4) & 0xF;
    }

    /** @return the traffic class (DSCP and ECN). */
    public int trafficClass()
    {
        return (buffer.getShort(offset, BIG) >>> 4) & 0xFF;
    }

    /** @return the flow label (20 bits). */
    public int flowLabel()
    {
        return buffer.getInt(offset, BIG) & 0xF_FFFF;
    }

    /** @return the payload length (extension headers and upper layer). */
    public int payloadLength()
    {
        return buffer.getShort(offset + PAYLOAD_LENGTH_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the next header of the fixed header. */
    public int nextHeader()
    {
        return buffer.getByte(offset + NEXT_HEADER_OFFSET) & 0xFF;
    }

    /** @return the hop limit. */
    public int hopLimit()
    {
        return buffer.getByte(offset + HOP_LIMIT_OFFSET) & 0xFF;
    }

    /** @return source address bytes 0..7, big-endian. */
    public long sourceHi()
    {
        return buffer.getLong(offset + SOURCE_OFFSET, BIG);
    }

    /** @return source address bytes 8..15, big-endian. */
    public long sourceLo()
    {
        return buffer.getLong(offset + SOURCE_OFFSET + 8, BIG);
    }

    /** @return destination address bytes 0..7, big-endian. */
    public long destinationHi()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET, BIG);
    }

    /** @return destination address bytes 8..15, big-endian. */
    public long destinationLo()
    {
        return buffer.getLong(offset + DESTINATION_OFFSET + 8, BIG);
    }

    // --------------------------------------------------------------------------------------------------- walk

    /**
     * Walks the extension headers from the fixed header to the upper-layer header, within {@link #length()}.
     * On success {@link #upperLayerProtocol()}, {@link #upperLayerOffset()} and {@link #isFragment()} describe
     * what was found.
     *
     * @param maxExtensionHeaders the most extension headers to walk.
     * @return {@link Malformation#NONE}, or {@link Malformation#TRUNCATED_IPV6_EXTENSION},
     *         {@link Malformation#IPV6_EXTENSION_CHAIN_TOO_LONG} or {@link Malformation#IPV6_HOP_BY_HOP_NOT_FIRST}.
     */
    public Malformation walkExtensionHeaders(final int maxExtensionHeaders)
    {
        final int end = offset + length;
        int next = nextHeader();
        int p = offset + HEADER_LENGTH;
        int count = 0;
        fragmentHeaderOffset = -1;
        while (true)
        {
            if (next == HOP_BY_HOP && count != 0)
            {
                return Malformation.IPV6_HOP_BY_HOP_NOT_FIRST;
            }
            final int headerLength;
            switch (next)
            {
                case HOP_BY_HOP:
                case ROUTING:
                case DESTINATION_OPTIONS:
                    if (end - p < 2)
                    {
                        return Malformation.TRUNCATED_IPV6_EXTENSION;
                    }
                    headerLength = ((buffer.getByte(p + 1) & 0xFF) + 1) << 3;
                    break;

                case AUTHENTICATION:
                    if (end - p < 2)
                    {
                        return Malformation.TRUNCATED_IPV6_EXTENSION;
                    }
                    // RFC 4302: the length is in 32-bit words, minus 2
                    headerLength = ((buffer.getByte(p + 1) & 0xFF) + 2) << 2;
                    break;

                case FRAGMENT:
                    headerLength = FRAGMENT_HEADER_LENGTH;
                    break;

                default:
                    upperLayerProtocol = next;
                    upperLayerOffset = p;
                    extensionHeaderCount = count;
                    return Malformation.NONE;
            }
            if (++count > maxExtensionHeaders)
            {
                return Malformation.IPV6_EXTENSION_CHAIN_TOO_LONG;
            }
            if (end - p < headerLength)
            {
                return Malformation.TRUNCATED_IPV6_EXTENSION;
            }
            final int type = next;
            next = buffer.getByte(p) & 0xFF;
            // offset (13 bits) or M set: a real fragment; an atomic one (RFC 6946) is walked past
            if (type == FRAGMENT && (buffer.getShort(p + 2, BIG) & 0xFFF9) != 0)
            {
                fragmentHeaderOffset = p;
                upperLayerProtocol = next;
                upperLayerOffset = p + FRAGMENT_HEADER_LENGTH;
                extensionHeaderCount = count;
                return Malformation.NONE;
            }
            p += headerLength;
        }
    }

    /** @return the upper-layer protocol found by the last walk (after a fragment header: its next header). */
    public int upperLayerProtocol()
    {
        return upperLayerProtocol;
    }

    /** @return the buffer offset of the upper-layer header found by the last walk. */
    public int upperLayerOffset()
    {
        return upperLayerOffset;
    }

    /** @return the number of extension headers the last walk passed. */
    public int extensionHeaderCount()
    {
        return extensionHeaderCount;
    }

    /** @return true when the last walk ended at a (non-atomic) fragment header. */
    public boolean isFragment()
    {
        return fragmentHeaderOffset >= 0;
    }

    /** @return the buffer offset of the fragment header the last walk ended at, or -1. */
    public int fragmentHeaderOffset()
    {
        return fragmentHeaderOffset;
    }

    /** @return the fragment offset in bytes (valid when {@link #isFragment()}). */
    public int fragmentOffsetBytes()
    {
        return buffer.getShort(fragmentHeaderOffset + 2, BIG) & 0xFFF8;
    }

    /** @return the M (more fragments) flag (valid when {@link #isFragment()}). */
    public boolean moreFragments()
    {
        return (buffer.getShort(fragmentHeaderOffset + 2, BIG) & 1) != 0;
    }

    /** @return the 32-bit fragment identification (valid when {@link #isFragment()}). */
    public int fragmentIdentification()
    {
        return buffer.getInt(fragmentHeaderOffset + 4, BIG);
    }

    // ------------------------------------------------------------------------------------------------ setters

    /**
     * Writes version 6, a traffic class and a flow label.
     *
     * @param trafficClass the traffic class.
     * @param flowLabel    the flow label (20 bits).
     * @return this for chaining.
     */
    public Ipv6View versionClassAndLabel(final int trafficClass, final int flowLabel)
    {
        mutableBuffer.putInt(offset, 6 << 28 | (trafficClass & 0xFF) << 20 | (flowLabel & 0xF_FFFF), BIG);
        return this;
    }

    /**
     * Sets the traffic class, keeping version and flow label (no checksum covers it).
     *
     * @param trafficClass the value.
     * @return this for chaining.
     */
    public Ipv6View trafficClass(final int trafficClass)
    {
        final int word = buffer.getInt(offset, BIG);
        mutableBuffer.putInt(offset, (word & 0xF00F_FFFF) | (trafficClass & 0xFF) << 20, BIG);
        return this;
    }

    /**
     * Sets the flow label, keeping version and traffic class.
     *
     * @param flowLabel the value (20 bits).
     * @return this for chaining.
     */
    public Ipv6View flowLabel(final int flowLabel)
    {
        final int word = buffer.getInt(offset, BIG);
        mutableBuffer.putInt(offset, (word & 0xFFF0_0000) | (flowLabel & 0xF_FFFF), BIG);
        return this;
    }

    /**
     * Sets the payload length.
     *
     * @param payloadLength the value.
     * @return this for chaining.
     */
    public Ipv6View payloadLength(final int payloadLength)
    {
        mutableBuffer.putShort(offset + PAYLOAD_LENGTH_OFFSET, (short)payloadLength, BIG);
        return this;
    }

    /**
     * Sets the next header.
     *
     * @param nextHeader the value.
     * @return this for chaining.
     */
    public Ipv6View nextHeader(final int nextHeader)
    {
        mutableBuffer.putByte(offset + NEXT_HEADER_OFFSET, (byte)nextHeader);
        return this;
    }

    /**
     * Sets the hop limit (no checksum covers it).
     *
     * @param hopLimit the value.
     * @return this for chaining.
     */
    public Ipv6View hopLimit(final int hopLimit)
    {
        mutableBuffer.putByte(offset + HOP_LIMIT_OFFSET, (byte)hopLimit);
        return this;
    }

    /**
     * Decrements the hop limit as a router does before forwarding.
     *
     * @return the new hop limit (at least 1), or 0 when it was already 0 or 1: the header is then left unchanged
     *         and the packet must not be forwarded (send ICMPv6 Time Exceeded instead).
     */
    public int decrementHopLimit()
    {
        final int hopLimit = hopLimit();
        if (hopLimit <= 1)
        {
            return 0;
        }
        hopLimit(hopLimit - 1);
        return hopLimit - 1;
    }

    /**
     * Sets the source address.
     *
     * @param hi bytes 0..7.
     * @param lo bytes 8..15.
     * @return this for chaining.
     */
    public Ipv6View source(final long hi, final long lo)
    {
        mutableBuffer.putLong(offset + SOURCE_OFFSET, hi, BIG);
        mutableBuffer.putLong(offset + SOURCE_OFFSET + 8, lo, BIG);
        return this;
    }

    /**
     * Sets the destination address.
     *
     * @param hi bytes 0..7.
     * @param lo bytes 8..15.
     * @return this for chaining.
     */
    public Ipv6View destination(final long hi, final long lo)
    {
        mutableBuffer.putLong(offset + DESTINATION_OFFSET, hi, BIG);
        mutableBuffer.putLong(offset + DESTINATION_OFFSET + 8, lo, BIG);
        return this;
    }
}
