package io.lvs4j.forwarder.channel.afpacket;

import java.net.InetAddress;
import java.nio.ByteBuffer;

/**
 * Ethernet frames for the AF_PACKET tests, built by hand so that the tests do not depend on the code under test.
 */
final class TestFrames
{
    /** IEEE local experimental ethertype: no stack handles it, so only the test's sockets see these frames. */
    static final int ETHERTYPE_TEST = 0x88B5;

    private TestFrames()
    {
    }

    /** A numbered test frame: header, then the number, then bytes derived from it. */
    static byte[] numbered(final long dst, final long src, final int number, final int length)
    {
        final ByteBuffer b = ethernet(dst, src, ETHERTYPE_TEST, length);
        b.putInt(number);
        while (b.hasRemaining())
        {
            b.put((byte)(number * 31 + b.position()));
        }
        return b.array();
    }

    static ByteBuffer ethernet(final long dst, final long src, final int etherType, final int length)
    {
        final ByteBuffer b = ByteBuffer.allocate(length);
        b.putShort((short)(dst >>> 32)).putInt((int)dst);
        b.putShort((short)(src >>> 32)).putInt((int)src);
        b.putShort((short)etherType);
        return b;
    }

    /** An IPv4/UDP frame (checksums left zero: AF_PACKET does not check them). */
    static byte[] udp4(final long dst, final long src, final InetAddress from, final InetAddress to,
        final int sourcePort, final int destinationPort, final int tag)
    {
        final int payload = 8;
        final ByteBuffer b = ethernet(dst, src, 0x0800, 14 + 20 + 8 + payload);
        b.put((byte)0x45).put((byte)0).putShort((short)(20 + 8 + payload)).putInt(0).put((byte)64).put((byte)17);
        b.putShort((short)0).put(from.getAddress()).put(to.getAddress());
        b.putShort((short)sourcePort).putShort((short)destinationPort).putShort((short)(8 + payload)).putShort((short)0);
        b.putInt(0x4C565334).putInt(tag);
        return b.array();
    }

    /** An IPv4 frame of some protocol with a tag in its payload. */
    static byte[] ip4(final long dst, final long src, final InetAddress from, final InetAddress to,
        final int protocol, final int tag)
    {
        final ByteBuffer b = ethernet(dst, src, 0x0800, 14 + 20 + 8);
        b.put((byte)0x45).put((byte)0).putShort((short)28).putInt(0).put((byte)255).put((byte)protocol);
        b.putShort((short)0).put(from.getAddress()).put(to.getAddress());
        b.putInt(0x4C565334).putInt(tag);
        return b.array();
    }

    /** An IPv6 frame with the given next header, and for ICMPv6 the given type, with a tag in its payload. */
    static byte[] ip6(final long dst, final long src, final InetAddress from, final InetAddress to,
        final int nextHeader, final int icmpType, final int tag)
    {
        final ByteBuffer b = ethernet(dst, src, 0x86DD, 14 + 40 + 8);
        b.putInt(0x6000_0000).putShort((short)8).put((byte)nextHeader).put((byte)255);
        b.put(from.getAddress()).put(to.getAddress());
        b.put((byte)icmpType).put((byte)0).putShort((short)0).putInt(tag);
        return b.array();
    }

    /** An ARP request (who has target, tell sender) with a tag in the padding. */
    static byte[] arp(final long src, final InetAddress sender, final InetAddress target, final int tag)
    {
        final ByteBuffer b = ethernet(0xFFFF_FFFF_FFFFL, src, 0x0806, 14 + 28 + 8);
        b.putShort((short)1).putShort((short)0x0800).put((byte)6).put((byte)4).putShort((short)1);
        b.putShort((short)(src >>> 32)).putInt((int)src).put(sender.getAddress());
        b.putShort((short)0).putInt(0).put(target.getAddress());
        b.putInt(0x4C565334).putInt(tag);
        return b.array();
    }

    /** Reads the tag a frame made here carries in its last four bytes. */
    static int tag(final byte[] frame)
    {
        return ByteBuffer.wrap(frame, frame.length - 4, 4).getInt();
    }
}
