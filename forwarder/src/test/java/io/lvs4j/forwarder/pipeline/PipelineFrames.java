package io.lvs4j.forwarder.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

/**
 * Frame builders and independent checks for the pipeline tests. Everything here is computed by hand (plain
 * one's-complement arithmetic over byte arrays) or by pcap4j, never by lvs4j's own {@code Checksums}, so that a
 * bug there cannot hide a bug in the director.
 */
final class PipelineFrames
{
    static final int TCP = 6;
    static final int UDP = 17;
    static final int ICMP = 1;
    static final int IPIP = 4;
    static final byte[] NO_OPTIONS = new byte[0];

    private PipelineFrames()
    {
    }

    // ------------------------------------------------------------------------------------------ checksums

    /** One's-complement sum of a byte range, added to {@code initial}, folded to 16 bits. */
    static int onesSum(final byte[] b, final int off, final int len, final long initial)
    {
        long sum = initial;
        int i = 0;
        for (; i + 1 < len; i += 2)
        {
            sum += ((b[off + i] & 0xFF) << 8) | (b[off + i + 1] & 0xFF);
        }
        if (i < len)
        {
            sum += (b[off + i] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)sum;
    }

    static long pseudoHeader(final int src, final int dst, final int protocol, final int length)
    {
        return (src >>> 16) + (src & 0xFFFF) + (dst >>> 16) + (dst & 0xFFFF) + protocol + length;
    }

    /** The checksum to store over a range whose checksum field is zero. */
    static int checksum(final byte[] b, final int off, final int len, final long initial)
    {
        return ~onesSum(b, off, len, initial) & 0xFFFF;
    }

    static int getShort(final byte[] b, final int at)
    {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    static int getInt(final byte[] b, final int at)
    {
        return (getShort(b, at) << 16) | getShort(b, at + 2);
    }

    static void putShort(final byte[] b, final int at, final int v)
    {
        b[at] = (byte)(v >>> 8);
        b[at + 1] = (byte)v;
    }

    static void putInt(final byte[] b, final int at, final int v)
    {
        putShort(b, at, v >>> 16);
        putShort(b, at + 2, v);
    }

    static void putMac(final byte[] b, final int at, final long mac)
    {
        for (int i = 0; i < 6; i++)
        {
            b[at + i] = (byte)(mac >>> (40 - 8 * i));
        }
    }

    static long mac(final byte[] b, final int at)
    {
        long m = 0;
        for (int i = 0; i < 6; i++)
        {
            m = (m << 8) | (b[at + i] & 0xFF);
        }
        return m;
    }

    // ------------------------------------------------------------------------------------------ builders

    /** A TCP segment (header + payload) with a correct checksum for the given addresses. */
    static byte[] tcpSegment(
        final int src, final int dst, final int srcPort, final int dstPort, final int flags, final int seq,
        final int ack, final byte[] payload)
    {
        final byte[] s = new byte[20 + payload.length];
        putShort(s, 0, srcPort);
        putShort(s, 2, dstPort);
        putInt(s, 4, seq);
        putInt(s, 8, ack);
        s[12] = 0x50;
        s[13] = (byte)flags;
        putShort(s, 14, 29200);
        System.arraycopy(payload, 0, s, 20, payload.length);
        putShort(s, 16, checksum(s, 0, s.length, pseudoHeader(src, dst, TCP, s.length)));
        return s;
    }

    /** A UDP datagram with a correct checksum (never 0), or with checksum 0 ("none"). */
    static byte[] udpDatagram(
        final int src, final int dst, final int srcPort, final int dstPort, final byte[] payload,
        final boolean withChecksum)
    {
        final byte[] d = new byte[8 + payload.length];
        putShort(d, 0, srcPort);
        putShort(d, 2, dstPort);
        putShort(d, 4, d.length);
        System.arraycopy(payload, 0, d, 8, payload.length);
        if (withChecksum)
        {
            final int c = checksum(d, 0, d.length, pseudoHeader(src, dst, UDP, d.length));
            putShort(d, 6, c == 0 ? 0xFFFF : c);
        }
        return d;
    }

    /** An ICMP message with a correct checksum. */
    static byte[] icmpMessage(final int type, final int code, final int rest, final byte[] body)
    {
        final byte[] m = new byte[8 + body.length];
        m[0] = (byte)type;
        m[1] = (byte)code;
        putInt(m, 4, rest);
        System.arraycopy(body, 0, m, 8, body.length);
        putShort(m, 2, checksum(m, 0, m.length, 0));
        return m;
    }

    /** An IPv4 packet (no Ethernet) with a correct header checksum. */
    static byte[] ipv4Packet(
        final int tos, final int id, final int flagsFragment, final int ttl, final int protocol, final int src,
        final int dst, final byte[] options, final byte[] l4)
    {
        if (options.length % 4 != 0 || options.length > 40)
        {
            throw new IllegalArgumentException("options " + options.length);
        }
        final int headerLength = 20 + options.length;
        final byte[] p = new byte[headerLength + l4.length];
        p[0] = (byte)(0x40 | headerLength / 4);
        p[1] = (byte)tos;
        putShort(p, 2, p.length);
        putShort(p, 4, id);
        putShort(p, 6, flagsFragment);
        p[8] = (byte)ttl;
        p[9] = (byte)protocol;
        putInt(p, 12, src);
        putInt(p, 16, dst);
        System.arraycopy(options, 0, p, 20, options.length);
        System.arraycopy(l4, 0, p, headerLength, l4.length);
        putShort(p, 10, checksum(p, 0, headerLength, 0));
        return p;
    }

    /** An Ethernet frame around an IPv4 packet, padded to 60 bytes. */
    static byte[] ethernet(final long srcMac, final long dstMac, final byte[] ipPacket)
    {
        final byte[] f = new byte[Math.max(60, 14 + ipPacket.length)];
        putMac(f, 0, dstMac);
        putMac(f, 6, srcMac);
        putShort(f, 12, 0x0800);
        System.arraycopy(ipPacket, 0, f, 14, ipPacket.length);
        return f;
    }

    static byte[] payload(final int length, final int seed)
    {
        final byte[] p = new byte[length];
        for (int i = 0; i < length; i++)
        {
            p[i] = (byte)(seed * 31 + i * 7 + 1);
        }
        return p;
    }

    /** A TCP frame with every knob. */
    static byte[] tcpFrame(
        final long srcMac, final long dstMac, final int src, final int srcPort, final int dst, final int dstPort,
        final int flags, final int ttl, final int tos, final boolean df, final byte[] payload)
    {
        final byte[] seg = tcpSegment(src, dst, srcPort, dstPort, flags, 1000, (flags & 0x10) != 0 ? 5000 : 0,
            payload);
        return ethernet(srcMac, dstMac, ipv4Packet(tos, 0x2345, df ? 0x4000 : 0, ttl, TCP, src, dst, NO_OPTIONS, seg));
    }

    static byte[] tcpFrame(
        final long srcMac, final long dstMac, final int src, final int srcPort, final int dst, final int dstPort,
        final int flags)
    {
        return tcpFrame(srcMac, dstMac, src, srcPort, dst, dstPort, flags, 64, 0, true, NO_OPTIONS);
    }

    static byte[] udpFrame(
        final long srcMac, final long dstMac, final int src, final int srcPort, final int dst, final int dstPort,
        final byte[] payload, final boolean withChecksum)
    {
        return ethernet(srcMac, dstMac, ipv4Packet(0, 0x3456, 0, 64, UDP, src, dst, NO_OPTIONS,
            udpDatagram(src, dst, srcPort, dstPort, payload, withChecksum)));
    }

    /** An ICMP error frame quoting the first IP header + 8 bytes of {@code offending}. */
    static byte[] icmpErrorFrame(
        final long srcMac, final long dstMac, final int src, final int dst, final int type, final int code,
        final int rest, final byte[] offending)
    {
        final int quote = Math.min(offending.length, (offending[0] & 0xF) * 4 + 8);
        final byte[] msg = icmpMessage(type, code, rest, Arrays.copyOf(offending, quote));
        return ethernet(srcMac, dstMac, ipv4Packet(0, 0x4567, 0, 64, ICMP, src, dst, NO_OPTIONS, msg));
    }

    // ------------------------------------------------------------------------------------------ reading

    /** The IPv4 packet in a frame (without padding), from its total length. */
    static byte[] l3(final byte[] frame)
    {
        final int total = getShort(frame, 16);
        return Arrays.copyOfRange(frame, 14, 14 + total);
    }

    static boolean isIpv4(final byte[] f)
    {
        return f.length >= 34 && getShort(f, 12) == 0x0800;
    }

    static boolean isIpv4Proto(final byte[] f, final int protocol)
    {
        return isIpv4(f) && (f[23] & 0xFF) == protocol;
    }

    static boolean isArp(final byte[] f)
    {
        return f.length >= 42 && getShort(f, 12) == 0x0806;
    }

    static boolean isArpRequestFor(final byte[] f, final int target)
    {
        return isArp(f) && getShort(f, 20) == 1 && getInt(f, 38) == target;
    }

    static boolean isArpReplyTo(final byte[] f, final long mac)
    {
        return isArp(f) && getShort(f, 20) == 2 && mac(f, 0) == mac;
    }

    static Inet4Address inet(final int address)
    {
        try
        {
            return (Inet4Address)InetAddress.getByAddress(new byte[] {
                (byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address});
        }
        catch (final UnknownHostException ex)
        {
            throw new AssertionError(ex);
        }
    }

    // ------------------------------------------------------------------------------------------ pcap4j

    static EthernetPacket pcap(final byte[] frame)
    {
        try
        {
            return EthernetPacket.newPacket(frame, 0, frame.length);
        }
        catch (final IllegalRawDataException ex)
        {
            return fail("pcap4j cannot parse the frame: " + ex);
        }
    }

    static IpV4Packet pcapIp(final byte[] frame)
    {
        final Packet payload = pcap(frame).getPayload();
        assertTrue(payload instanceof IpV4Packet, "pcap4j sees an IPv4 packet, got " + payload);
        final IpV4Packet ip = (IpV4Packet)payload;
        assertTrue(ip.getHeader().hasValidChecksum(false), "IPv4 header checksum (pcap4j)");
        return ip;
    }

    /** Parses with pcap4j and asserts the IPv4 and TCP checksums. */
    static TcpPacket pcapTcp(final byte[] frame)
    {
        final IpV4Packet ip = pcapIp(frame);
        final TcpPacket tcp = ip.get(TcpPacket.class);
        assertNotNull(tcp, "pcap4j sees a TCP segment");
        assertTrue(tcp.hasValidChecksum(ip.getHeader().getSrcAddr(), ip.getHeader().getDstAddr(), false),
            "TCP checksum (pcap4j) " + Integer.toHexString(tcp.getHeader().getChecksum() & 0xFFFF));
        return tcp;
    }

    /** Parses with pcap4j and asserts the IPv4 and UDP checksums (a zero UDP checksum is accepted as "none"). */
    static UdpPacket pcapUdp(final byte[] frame)
    {
        final IpV4Packet ip = pcapIp(frame);
        final UdpPacket udp = ip.get(UdpPacket.class);
        assertNotNull(udp, "pcap4j sees a UDP datagram");
        assertTrue(udp.hasValidChecksum(ip.getHeader().getSrcAddr(), ip.getHeader().getDstAddr(), true),
            "UDP checksum (pcap4j)");
        return udp;
    }

    /** Parses with pcap4j and asserts the IPv4 and ICMP checksums (the latter also by hand). */
    static IcmpV4CommonPacket pcapIcmp(final byte[] frame)
    {
        final IpV4Packet ip = pcapIp(frame);
        final IcmpV4CommonPacket icmp = ip.get(IcmpV4CommonPacket.class);
        assertNotNull(icmp, "pcap4j sees an ICMP message");
        assertTrue(icmp.hasValidChecksum(false), "ICMP checksum (pcap4j)");
        final byte[] l3 = l3(frame);
        final int ihl = (l3[0] & 0xF) * 4;
        assertEquals(0xFFFF, onesSum(l3, ihl, l3.length - ihl, 0), "ICMP checksum (by hand)");
        return icmp;
    }

    /** Asserts, by hand, that the UDP checksum of an IPv4 frame verifies (non-zero). */
    static void assertUdpChecksumVerifies(final byte[] frame)
    {
        final byte[] p = l3(frame);
        final int ihl = (p[0] & 0xF) * 4;
        final int len = p.length - ihl;
        assertEquals(0xFFFF, onesSum(p, ihl, len, pseudoHeader(getInt(p, 12), getInt(p, 16), UDP, len)),
            "UDP checksum verifies");
    }
}
