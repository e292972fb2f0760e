package io.lvs4j.forwarder.vrrp;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.Icmpv4ErrorBuilder;
import io.lvs4j.core.packet.Ipv4View;
import io.lvs4j.core.packet.PacketClassifier;

/**
 * The VRRP advertisement codec (RFC 3768 §5 for version 2 with keepalived's PASS authentication, RFC 5798 §5 for
 * version 3 over IPv4): static writers and readers over a buffer, no allocation, so the engine can build and parse
 * adverts in one scratch buffer.
 * <pre>
 * v2: |ver 2|type 1| VRID | priority | count | auth type | adver int (s)  | checksum | addresses | auth data (8) |
 * v3: |ver 3|type 1| VRID | priority | count | rsvd:4 max adver int (cs):12 | checksum | addresses |
 * </pre>
 */
public final class VrrpPacket
{
    /** Fixed header of both versions. */
    public static final int HEADER_LENGTH = 8;
    /** Authentication data at the end of a v2 advert. */
    public static final int AUTH_DATA_LENGTH = 8;
    /** The only packet type. */
    public static final int TYPE_ADVERTISEMENT = 1;
    /** v2 auth type: none. */
    public static final int AUTH_NONE = 0;
    /** v2 auth type: simple text password (RFC 2338, keepalived's {@code PASS}). */
    public static final int AUTH_PASS = 1;
    /** v2 auth type: IPsec AH (RFC 2338, keepalived's {@code AH}); not implemented. */
    public static final int AUTH_AH = 2;
    /** TTL every advert is sent with and every multicast advert must arrive with. */
    public static final int TTL = 255;
    /** The IPv4 multicast group 224.0.0.18. */
    public static final int MULTICAST_GROUP = 0xE000_0012;
    /** The Ethernet address of 224.0.0.18. */
    public static final long MULTICAST_MAC = 0x0100_5E00_0012L;
    /** keepalived's TOS for adverts (IPTOS_PREC_INTERNETCONTROL). */
    public static final int TOS = 0xC0;
    /** Offset of the version/type byte. */
    public static final int VERSION_TYPE_OFFSET = 0;
    /** Offset of the VRID. */
    public static final int VRID_OFFSET = 1;
    /** Offset of the priority. */
    public static final int PRIORITY_OFFSET = 2;
    /** Offset of the address count. */
    public static final int COUNT_OFFSET = 3;
    /** Offset of the v2 auth type. */
    public static final int AUTH_TYPE_OFFSET = 4;
    /** Offset of the v2 advert interval (seconds). */
    public static final int ADVER_INT_OFFSET = 5;
    /** Offset of the v3 reserved bits and max advert interval (centiseconds). */
    public static final int MAX_ADVER_INT_OFFSET = 4;
    /** Offset of the checksum. */
    public static final int CHECKSUM_OFFSET = 6;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private VrrpPacket()
    {
    }

    /**
     * Writes a version 2 advert (RFC 3768 §5.3) with its checksum (over the VRRP message only).
     *
     * @param buffer       where to write.
     * @param offset       start of the VRRP message.
     * @param vrid         virtual router id.
     * @param priority     priority, 0..255.
     * @param advertIntS   advert interval in seconds.
     * @param authType     {@link #AUTH_NONE} or {@link #AUTH_PASS}.
     * @param authData     8 bytes of authentication data (the password, zero padded), or null for zeros.
     * @param addresses    the IPv4 addresses.
     * @return the message length.
     */
    public static int writeV2(
        final MutableDirectBuffer buffer, final int offset, final int vrid, final int priority, final int advertIntS,
        final int authType, final byte[] authData, final int[] addresses)
    {
        buffer.putByte(offset + VERSION_TYPE_OFFSET, (byte)(0x20 | TYPE_ADVERTISEMENT));
        buffer.putByte(offset + VRID_OFFSET, (byte)vrid);
        buffer.putByte(offset + PRIORITY_OFFSET, (byte)priority);
        buffer.putByte(offset + COUNT_OFFSET, (byte)addresses.length);
        buffer.putByte(offset + AUTH_TYPE_OFFSET, (byte)authType);
        buffer.putByte(offset + ADVER_INT_OFFSET, (byte)advertIntS);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0);
        int at = offset + HEADER_LENGTH;
        for (final int address : addresses)
        {
            buffer.putInt(at, address, BIG);
            at += 4;
        }
        for (int i = 0; i < AUTH_DATA_LENGTH; i++)
        {
            buffer.putByte(at + i, authData == null || i >= authData.length ? 0 : authData[i]);
        }
        at += AUTH_DATA_LENGTH;
        final int length = at - offset;
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)Checksums.finish(Checksums.sum(buffer, offset, length)), BIG);
        return length;
    }

    /**
     * Writes a version 3 IPv4 advert (RFC 5798 §5.2) with its checksum over the IPv4 pseudo-header, as keepalived
     * computes it by default.
     *
     * @param buffer        where to write.
     * @param offset        start of the VRRP message.
     * @param vrid          virtual router id.
     * @param priority      priority, 0..255.
     * @param maxAdvertCs   max advert interval in centiseconds (12 bits).
     * @param addresses     the IPv4 addresses.
     * @param source        the IPv4 source (pseudo-header).
     * @param destination   the IPv4 destination (pseudo-header).
     * @return the message length.
     */
    public static int writeV3(
        final MutableDirectBuffer buffer, final int offset, final int vrid, final int priority, final int maxAdvertCs,
        final int[] addresses, final int source, final int destination)
    {
        buffer.putByte(offset + VERSION_TYPE_OFFSET, (byte)(0x30 | TYPE_ADVERTISEMENT));
        buffer.putByte(offset + VRID_OFFSET, (byte)vrid);
        buffer.putByte(offset + PRIORITY_OFFSET, (byte)priority);
        buffer.putByte(offset + COUNT_OFFSET, (byte)addresses.length);
        buffer.putShort(offset + MAX_ADVER_INT_OFFSET, (short)(maxAdvertCs & 0x0FFF), BIG);
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)0);
        int at = offset + HEADER_LENGTH;
        for (final int address : addresses)
        {
            buffer.putInt(at, address, BIG);
            at += 4;
        }
        final int length = at - offset;
        buffer.putShort(offset + CHECKSUM_OFFSET, (short)checksumV3(buffer, offset, length, source, destination), BIG);
        return length;
    }

    /**
     * The v2 checksum of a message whose checksum field holds anything (computed as if it were zero).
     *
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @param length its length.
     * @return the checksum.
     */
    public static int checksumV2(final DirectBuffer buffer, final int offset, final int length)
    {
        return Checksums.finish(Checksums.sumSkippingField(buffer, offset, length, CHECKSUM_OFFSET));
    }

    /**
     * The v3 IPv4 checksum (pseudo-header included) of a message, its checksum field taken as zero.
     *
     * @param buffer      the bytes.
     * @param offset      start of the VRRP message.
     * @param length      its length.
     * @param source      IPv4 source.
     * @param destination IPv4 destination.
     * @return the checksum.
     */
    public static int checksumV3(
        final DirectBuffer buffer, final int offset, final int length, final int source, final int destination)
    {
        return Checksums.finish(Checksums.sumSkippingField(buffer, offset, length, CHECKSUM_OFFSET) +
            Checksums.pseudoHeaderSumV4(source, destination, PacketClassifier.PROTOCOL_VRRP, length));
    }

    /**
     * Writes the Ethernet and IPv4 headers in front of a VRRP message already written at
     * {@code offset + 14 + 20}: TTL 255, protocol 112, TOS 0xC0, no options.
     *
     * @param buffer         where to write.
     * @param offset         start of the frame.
     * @param destinationMac destination MAC (01:00:5e:00:00:12 for the group).
     * @param sourceMac      source MAC (the virtual router MAC).
     * @param source         IPv4 source.
     * @param destination    IPv4 destination.
     * @param identification the IP identification.
     * @param ttl            the TTL (255).
     * @param vrrpLength     the VRRP message's length.
     * @return the frame length.
     */
    public static int writeFrameHeaders(
        final MutableDirectBuffer buffer, final int offset, final long destinationMac, final long sourceMac,
        final int source, final int destination, final int identification, final int ttl, final int vrrpLength)
    {
        EthernetView.writeHeader(buffer, offset, destinationMac, sourceMac, EthernetView.ETHERTYPE_IPV4);
        Icmpv4ErrorBuilder.writeIpv4Header(buffer, offset + EthernetView.HEADER_LENGTH, TOS,
            Ipv4View.MIN_HEADER_LENGTH + vrrpLength, identification, 0, ttl, PacketClassifier.PROTOCOL_VRRP, source,
            destination);
        return EthernetView.HEADER_LENGTH + Ipv4View.MIN_HEADER_LENGTH + vrrpLength;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @return the version (high nibble of the first byte).
     */
    public static int version(final DirectBuffer buffer, final int offset)
    {
        return (buffer.getByte(offset + VERSION_TYPE_OFFSET) >> 4) & 0x0F;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @return the type (low nibble of the first byte).
     */
    public static int type(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VERSION_TYPE_OFFSET) & 0x0F;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @return the virtual router id.
     */
    public static int vrid(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + VRID_OFFSET) & 0xFF;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @return the priority.
     */
    public static int priority(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + PRIORITY_OFFSET) & 0xFF;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @return the address count.
     */
    public static int count(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + COUNT_OFFSET) & 0xFF;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of a v2 message.
     * @return the auth type.
     */
    public static int authType(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + AUTH_TYPE_OFFSET) & 0xFF;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of a v2 message.
     * @return the advert interval in seconds.
     */
    public static int advertIntSeconds(final DirectBuffer buffer, final int offset)
    {
        return buffer.getByte(offset + ADVER_INT_OFFSET) & 0xFF;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of a v3 message.
     * @return the max advert interval in centiseconds.
     */
    public static int maxAdvertIntCs(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + MAX_ADVER_INT_OFFSET, BIG) & 0x0FFF;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @return the checksum field.
     */
    public static int checksum(final DirectBuffer buffer, final int offset)
    {
        return buffer.getShort(offset + CHECKSUM_OFFSET, BIG) & 0xFFFF;
    }

    /**
     * @param buffer the bytes.
     * @param offset start of the VRRP message.
     * @param i      the address's index.
     * @return the i-th IPv4 address.
     */
    public static int address(final DirectBuffer buffer, final int offset, final int i)
    {
        return buffer.getInt(offset + HEADER_LENGTH + 4 * i, BIG);
    }

    /**
     * @param version 2 or 3.
     * @param count   the address count.
     * @return the length of an IPv4 advert with that many addresses.
     */
    public static int length(final int version, final int count)
    {
        return HEADER_LENGTH + 4 * count + (version == 2 ? AUTH_DATA_LENGTH : 0);
    }
}
