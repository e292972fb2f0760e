package io.lvs4j.examples.demo;

import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.packet.ArpBuilder;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.Icmpv4ErrorBuilder;
import io.lvs4j.core.packet.Ipv4View;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.forwarder.channel.pcap.PcapFileChannel;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * The capture the demo replays without root: what the seed's client sends to the VIP for 100 requests (an ARP
 * request for the VIP, then one SYN per request from successive ports), with the lab's addresses and fixed MACs.
 * {@link #main} writes it; the bundled file is checked against it by a test, so it cannot drift.
 */
public final class DemoCapture
{
    /** The director's MAC in the capture. */
    public static final long DIRECTOR_MAC = MacAddresses.parse("02:00:5e:10:00:01");
    /** The client's MAC. */
    public static final long CLIENT_MAC = MacAddresses.parse("02:00:5e:10:00:02");
    /** rs1's MAC. */
    public static final long RS1_MAC = MacAddresses.parse("02:00:5e:10:00:11");
    /** rs2's MAC. */
    public static final long RS2_MAC = MacAddresses.parse("02:00:5e:10:00:12");

    private DemoCapture()
    {
    }

    /**
     * The frames.
     *
     * @param requests how many SYNs.
     * @return the frames in order.
     */
    public static List<byte[]> frames(final int requests)
    {
        final int client = Ipv4Text.parse(LabNetwork.CLIENT_ADDRESS);
        final int vip = Ipv4Text.parse(LabNetwork.VIP);
        final List<byte[]> frames = new ArrayList<>();
        final byte[] arp = new byte[60];
        ArpBuilder.writeRequest(new UnsafeBuffer(arp), 0, EthernetView.NO_VLAN, CLIENT_MAC, client, vip);
        frames.add(arp);
        for (int i = 0; i < requests; i++)
        {
            final byte[] syn = new byte[14 + 20 + 20];
            final UnsafeBuffer b = new UnsafeBuffer(syn);
            EthernetView.writeHeader(b, 0, DIRECTOR_MAC, CLIENT_MAC, EthernetView.NO_VLAN, EthernetView.ETHERTYPE_IPV4);
            Icmpv4ErrorBuilder.writeIpv4Header(b, 14, 0, 40, 1000 + i, Ipv4View.FLAG_DF, 64, 6, client, vip);
            b.putShort(34, (short)(40000 + i), ByteOrder.BIG_ENDIAN);
            b.putShort(36, (short)80, ByteOrder.BIG_ENDIAN);
            b.putInt(38, 1_000_000 * (i + 1), ByteOrder.BIG_ENDIAN);
            b.putByte(46, (byte)0x50);
            b.putByte(47, (byte)TcpView.SYN);
            b.putShort(48, (short)64240, ByteOrder.BIG_ENDIAN);
            b.putShort(50, (short)Checksums.tcpChecksumV4(b, 14, 34, 20), ByteOrder.BIG_ENDIAN);
            frames.add(syn);
        }
        return frames;
    }

    /**
     * Writes the capture.
     *
     * @param args the output file.
     */
    public static void main(final String[] args)
    {
        PcapFileChannel.writeFrames(Path.of(args[0]), frames(100));
    }
}
