package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Hand-made frames for unit tests, byte by byte, so that a test can break exactly one field. Addresses come from
 * the documentation ranges the lab uses: clients 198.51.100.0/24, VIPs 203.0.113.0/24, real servers 192.0.2.0/24,
 * IPv6 2001:db8::/32.
 */
final class TestPackets
{
    static final long CLIENT_MAC = 0x02_00_00_00_00_01L;
    static final long DIRECTOR_MAC = 0x02_00_00_00_00_02L;
    static final long REAL_SERVER_MAC = 0x02_00_00_00_00_03L;
    static final int CLIENT = 0xC633_6401; // 198.51.100.1
    static final int VIP = 0xCB00_7101; // 203.0.113.1
    static final int REAL_SERVER = 0xC000_0201; // 192.0.2.1
    static final long V6_PREFIX = 0x2001_0DB8_0000_0000L;
    static final long CLIENT6_LO = 0x0000_0000_0000_0001L;
    static final long VIP6_LO = 0x0000_0000_0000_0080L;
    static final long REAL_SERVER6_LO = 0x0000_0000_0000_0100L;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private TestPackets()
    {
    }

    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] all = new byte[length];
        int p = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, all, p, part.length);
            p += part.length;
        }
        return all;
    }

    static byte[] pad(final byte[] frame, final int length)
    {
        final byte[] padded = new byte[Math.max(length, frame.length)];
        System.arraycopy(frame, 0, padded, 0, frame.length);
        return padded;
    }

    /**
     * An Ethernet frame from the client to the director.
     *
     * @param etherType payload ethertype.
     * @param payload   the payload.
     * @param tags      TPID, TCI pairs of VLAN tags, outer first.
     * @return the frame.
     */
    static byte[] ethernet(final int etherType, final byte[] payload, final int... tags)
    {
        final byte[] header = new byte[14 + 2 * tags.length];
        final UnsafeBuffer b = new UnsafeBuffer(header);
        MacAddresses.put(b, 0, DIRECTOR_MAC);
        MacAddresses.put(b, 6, CLIENT_MAC);
        int p = 12;
        for (final int tag : tags)
        {
            b.putShort(p, (short)tag, BIG);
            p += 2;
        }
        b.putShort(p, (short)etherType, BIG);
        return concat(header, payload);
    }

    /** An IPv4 header (no options) with a valid checksum, TTL 64, DF, before {@code payload}. */
    static byte[] ipv4(final int protocol, final int source, final int destination, final byte[] payload)
    {
        return ipv4(protocol, source, destination, new byte[0], payload);
    }

    /** An IPv4 header with options (a multiple of 4 bytes) and a valid checksum, before {@code payload}. */
    static byte[] ipv4(
        final int protocol, final int source, final int destination, final byte[] options, final byte[] payload)
    {
        final int headerLength = 20 + options.length;
        final byte[] packet = new byte[headerLength + payload.length];
        final UnsafeBuffer b = new UnsafeBuffer(packet);
        final Ipv4View ip = new Ipv4View().wrap(b, 0, packet.length);
        ip.versionAndHeaderLength(headerLength).tos(0x10).totalLength(packet.length).identification(0x1234)
            .flagsAndFragmentOffset(Ipv4View.FLAG_DF).ttl(64).protocol(protocol)
            .sourceAddress(source).destinationAddress(destination);
        b.putBytes(20, options);
        b.putBytes(headerLength, payload);
        ip.updateChecksum();
        return packet;
    }

    /** An IPv6 header, hop limit 64, before {@code payload} (extension headers included). */
    static byte[] ipv6(
        final int nextHeader, final long sourceLo, final long destinationLo, final byte[] payload)
    {
        final byte[] packet = new byte[40 + payload.length];
        final UnsafeBuffer b = new UnsafeBuffer(packet);
        new Ipv6View().wrap(b, 0, packet.length).versionClassAndLabel(0x20, 0x12345).payloadLength(payload.length)
            .nextHeader(nextHeader).hopLimit(64).source(V6_PREFIX, sourceLo).destination(V6_PREFIX, destinationLo);
        b.putBytes(40, payload);
        return packet;
    }

    /** A TCP header (data offset 5) and {@code payloadLength} bytes of data, checksum 0. */
    static byte[] tcp(final int sourcePort, final int destinationPort, final int flags, final int payloadLength)
    {
        final byte[] segment = new byte[20 + payloadLength];
        final UnsafeBuffer b = new UnsafeBuffer(segment);
        b.putShort(0, (short)sourcePort, BIG);
        b.putShort(2, (short)destinationPort, BIG);
        b.putInt(4, 0x0102_0304, BIG);
        b.putInt(8, 0x0506_0708, BIG);
        b.putByte(12, (byte)0x50);
        b.putByte(13, (byte)flags);
        b.putShort(14, (short)65535, BIG);
        for (int i = 0; i < payloadLength; i++)
        {
            segment[20 + i] = (byte)(i * 7 + 1);
        }
        return segment;
    }

    /** A UDP header and {@code payloadLength} bytes of data, checksum 0. */
    static byte[] udp(final int sourcePort, final int destinationPort, final int payloadLength)
    {
        final byte[] datagram = new byte[8 + payloadLength];
        final UnsafeBuffer b = new UnsafeBuffer(datagram);
        b.putShort(0, (short)sourcePort, BIG);
        b.putShort(2, (short)destinationPort, BIG);
        b.putShort(4, (short)datagram.length, BIG);
        for (int i = 0; i < payloadLength; i++)
        {
            datagram[8 + i] = (byte)(i * 13 + 5);
        }
        return datagram;
    }

    /** An ICMP (or ICMPv6) header: type, code, checksum 0, rest of header, then {@code body}. */
    static byte[] icmp(final int type, final int code, final int restOfHeader, final byte[] body)
    {
        final byte[] message = new byte[8 + body.length];
        final UnsafeBuffer b = new UnsafeBuffer(message);
        b.putByte(0, (byte)type);
        b.putByte(1, (byte)code);
        b.putInt(4, restOfHeader, BIG);
        b.putBytes(8, body);
        return message;
    }

    /** An IPv6 option-type extension header (hop-by-hop, routing, destination options) of {@code 8 * units}. */
    static byte[] extension(final int nextHeader, final int units)
    {
        final byte[] header = new byte[8 * units];
        header[0] = (byte)nextHeader;
        header[1] = (byte)(units - 1);
        if (units * 8 - 2 >= 2)
        {
            // a PadN option covering the rest
            header[2] = 1;
            header[3] = (byte)(units * 8 - 4);
        }
        return header;
    }

    /** An IPv6 fragment header. */
    static byte[] fragment(final int nextHeader, final int offsetBytes, final boolean more, final int id)
    {
        final byte[] header = new byte[8];
        final UnsafeBuffer b = new UnsafeBuffer(header);
        header[0] = (byte)nextHeader;
        b.putShort(2, (short)((offsetBytes & 0xFFF8) | (more ? 1 : 0)), BIG);
        b.putInt(4, id, BIG);
        return header;
    }

    /** An ARP packet for Ethernet/IPv4. */
    static byte[] arp(final int operation, final long senderMac, final int sender, final int target)
    {
        final byte[] packet = new byte[28];
        new ArpView().wrap(new UnsafeBuffer(packet), 0, 28).ethernetIpv4().operation(operation)
            .senderHardwareAddress(senderMac).senderProtocolAddress(sender).targetProtocolAddress(target);
        return packet;
    }

    /**
     * Stores correct transport checksums (TCP, UDP, ICMP, ICMPv6) in a classified frame, so that rewrite tests start
     * from a valid packet.
     */
    static void fixChecksums(final UnsafeBuffer b, final ClassifiedFrame f)
    {
        final int l3 = f.l3Offset();
        final int l4 = f.l4Offset();
        switch (f.kind())
        {
            case IPV4_TCP:
                b.putShort(l4 + 16, (short)Checksums.tcpChecksumV4(b, l3, l4, f.l4Length()), BIG);
                break;
            case IPV4_UDP:
                b.putShort(l4 + 6, (short)Checksums.udpChecksumV4(b, l3, l4, f.l4Length()), BIG);
                break;
            case IPV4_ICMP:
                b.putShort(l4 + 2, (short)Checksums.icmpv4Checksum(b, l4, f.l4Length()), BIG);
                break;
            case IPV6_TCP:
                b.putShort(l4 + 16, (short)Checksums.tcpChecksumV6(b, l3, l4, f.l4Length()), BIG);
                break;
            case IPV6_UDP:
                b.putShort(l4 + 6, (short)Checksums.udpChecksumV6(b, l3, l4, f.l4Length()), BIG);
                break;
            case IPV6_ICMP:
                b.putShort(l4 + 2, (short)Checksums.icmpv6Checksum(b, l3, l4, f.l4Length()), BIG);
                break;
            default:
                break;
        }
    }
}
