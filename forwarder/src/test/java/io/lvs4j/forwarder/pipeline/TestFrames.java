package io.lvs4j.forwarder.pipeline;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.packet.ArpBuilder;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.Icmpv4ErrorBuilder;
import io.lvs4j.core.packet.Ipv4View;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;

/**
 * Builds the frames pipeline tests send: Ethernet + IPv4 + TCP/UDP with correct checksums, ARP.
 */
public final class TestFrames
{
    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private TestFrames()
    {
    }

    /**
     * A TCP segment.
     *
     * @param srcMac   Ethernet source.
     * @param dstMac   Ethernet destination.
     * @param src      IPv4 source.
     * @param srcPort  TCP source port.
     * @param dst      IPv4 destination.
     * @param dstPort  TCP destination port.
     * @param flags    TCP flags.
     * @param ttl      IPv4 TTL.
     * @param df       whether DF is set.
     * @param payload  payload bytes (zeros).
     * @return the frame.
     */
    public static byte[] tcp(
        final long srcMac, final long dstMac, final int src, final int srcPort, final int dst, final int dstPort,
        final int flags, final int ttl, final boolean df, final int payload)
    {
        final int ipLength = 20 + 20 + payload;
        final byte[] bytes = new byte[Math.max(60, 14 + ipLength)];
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        EthernetView.writeHeader(b, 0, dstMac, srcMac, EthernetView.NO_VLAN, EthernetView.ETHERTYPE_IPV4);
        Icmpv4ErrorBuilder.writeIpv4Header(b, 14, 0, ipLength, 0x1234, df ? Ipv4View.FLAG_DF : 0, ttl, 6, src, dst);
        final int l4 = 34;
        b.putShort(l4, (short)srcPort, BIG);
        b.putShort(l4 + 2, (short)dstPort, BIG);
        b.putInt(l4 + 4, 1000, BIG);
        b.putInt(l4 + 8, (flags & TcpView.ACK) != 0 ? 2000 : 0, BIG);
        b.putByte(l4 + 12, (byte)0x50);
        b.putByte(l4 + 13, (byte)flags);
        b.putShort(l4 + 14, (short)65535, BIG);
        for (int i = 0; i < payload; i++)
        {
            b.putByte(l4 + 20 + i, (byte)('a' + i % 26));
        }
        b.putShort(l4 + 16, (short)Checksums.tcpChecksumV4(b, 14, l4, 20 + payload), BIG);
        return bytes;
    }

    /**
     * A UDP datagram.
     *
     * @param srcMac  Ethernet source.
     * @param dstMac  Ethernet destination.
     * @param src     IPv4 source.
     * @param srcPort source port.
     * @param dst     IPv4 destination.
     * @param dstPort destination port.
     * @param payload payload length.
     * @return the frame.
     */
    public static byte[] udp(
        final long srcMac, final long dstMac, final int src, final int srcPort, final int dst, final int dstPort,
        final int payload)
    {
        final int ipLength = 20 + 8 + payload;
        final byte[] bytes = new byte[Math.max(60, 14 + ipLength)];
        final UnsafeBuffer b = new UnsafeBuffer(bytes);
        EthernetView.writeHeader(b, 0, dstMac, srcMac, EthernetView.NO_VLAN, EthernetView.ETHERTYPE_IPV4);
        Icmpv4ErrorBuilder.writeIpv4Header(b, 14, 0, ipLength, 0x4321, 0, 64, 17, src, dst);
        final int l4 = 34;
        b.putShort(l4, (short)srcPort, BIG);
        b.putShort(l4 + 2, (short)dstPort, BIG);
        b.putShort(l4 + 4, (short)(8 + payload), BIG);
        b.putShort(l4 + 6, (short)Checksums.udpChecksumV4(b, 14, l4, 8 + payload), BIG);
        return bytes;
    }

    /**
     * An ARP request.
     *
     * @param senderMac sender MAC.
     * @param sender    sender address.
     * @param target    address asked for.
     * @return the frame (padded to 60 bytes).
     */
    public static byte[] arpRequest(final long senderMac, final int sender, final int target)
    {
        final byte[] bytes = new byte[60];
        ArpBuilder.writeRequest(new UnsafeBuffer(bytes), 0, EthernetView.NO_VLAN, senderMac, sender, target);
        return bytes;
    }

    /**
     * An ARP reply.
     *
     * @param senderMac sender MAC.
     * @param sender    sender address.
     * @param targetMac target MAC.
     * @param target    target address.
     * @return the frame.
     */
    public static byte[] arpReply(final long senderMac, final int sender, final long targetMac, final int target)
    {
        final byte[] bytes = new byte[60];
        ArpBuilder.writeReply(new UnsafeBuffer(bytes), 0, EthernetView.NO_VLAN, senderMac, sender, targetMac, target);
        return bytes;
    }

    /**
     * @param frame a frame.
     * @return its Ethernet destination.
     */
    public static long dstMac(final byte[] frame)
    {
        return MacAddresses.get(new UnsafeBuffer(frame), 0);
    }
}
