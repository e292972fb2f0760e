package io.lvs4j.bench;

import io.lvs4j.core.packet.ClassifiedFrame;
import io.lvs4j.core.packet.FrameKind;
import io.lvs4j.core.packet.PacketClassifier;
import io.lvs4j.core.packet.Rewrites;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IllegalRawDataException;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV4Rfc791Tos;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpVersion;
import org.pcap4j.packet.namednumber.TcpPort;
import org.pcap4j.util.MacAddress;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * Per-frame compute of the hot path on one 60-byte TCP SYN in direct memory (as in a mapped ring):
 * classification alone, classification plus the DR rewrite (MACs, TTL) and plus the NAT rewrite
 * (destination address and port with RFC 1624 checksum updates, TTL). The NAT benchmark rewrites there and
 * back so that every invocation sees the same frame. The baseline in the same run is pcap4j parsing the same
 * bytes, what a pcap4j-based forwarder would spend per frame.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PacketPathBenchmark
{
    private static final int CLIENT = 0xC633_6402; // 198.51.100.2
    private static final int VIP = 0xCB00_710A;    // 203.0.113.10
    private static final int REAL = 0xC000_020B;   // 192.0.2.11
    private static final long REAL_MAC = 0x02_00_00_00_00_0BL;
    private static final long OUR_MAC = 0x02_00_00_00_00_01L;

    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame frame = new ClassifiedFrame();
    private UnsafeBuffer buffer;
    private byte[] bytes;
    private int length;
    private short ttlAndProtocol;
    private short ipChecksum;

    /**
     * Builds the SYN with pcap4j (correct checksums) and copies it into direct memory.
     *
     * @throws UnknownHostException never: literal addresses.
     */
    @Setup
    public void setUp() throws UnknownHostException
    {
        final TcpPacket.Builder tcp = new TcpPacket.Builder()
            .srcPort(TcpPort.getInstance((short)40000)).dstPort(TcpPort.HTTP)
            .sequenceNumber(1).syn(true).window((short)64240)
            .srcAddr(InetAddress.getByName("198.51.100.2")).dstAddr(InetAddress.getByName("203.0.113.10"))
            .payloadBuilder(new UnknownPacket.Builder().rawData(new byte[0]))
            .correctChecksumAtBuild(true).correctLengthAtBuild(true);
        final IpV4Packet.Builder ip = new IpV4Packet.Builder()
            .version(IpVersion.IPV4).tos(IpV4Rfc791Tos.newInstance((byte)0)).ttl((byte)64)
            .protocol(IpNumber.TCP).identification((short)1).dontFragmentFlag(true)
            .srcAddr((Inet4Address)InetAddress.getByName("198.51.100.2"))
            .dstAddr((Inet4Address)InetAddress.getByName("203.0.113.10"))
            .payloadBuilder(tcp).correctChecksumAtBuild(true).correctLengthAtBuild(true);
        bytes = new EthernetPacket.Builder()
            .dstAddr(MacAddress.getByName("02:00:00:00:00:01")).srcAddr(MacAddress.getByName("02:00:00:00:00:02"))
            .type(EtherType.IPV4).payloadBuilder(ip).paddingAtBuild(true).build().getRawData();
        length = bytes.length;
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
        buffer.putBytes(0, bytes);
        if (classifier.classify(buffer, 0, length, frame) != FrameKind.IPV4_TCP)
        {
            throw new IllegalStateException("benchmark frame does not classify as IPv4 TCP: " + frame);
        }
        ttlAndProtocol = buffer.getShort(frame.l3Offset() + 8);
        ipChecksum = buffer.getShort(frame.l3Offset() + 10);
    }

    /**
     * Classification alone: flow key, offsets, flags.
     *
     * @return the kind, consumed by JMH.
     */
    @Benchmark
    public FrameKind classify()
    {
        return classifier.classify(buffer, 0, length, frame);
    }

    /**
     * Classification plus the DR rewrite: destination MAC to the real server's, source MAC to ours, TTL - 1
     * (undone so that the frame stays the same).
     *
     * @return the new TTL, consumed by JMH.
     */
    @Benchmark
    public int classifyAndRewriteDr()
    {
        classifier.classify(buffer, 0, length, frame);
        Rewrites.setMacs(buffer, frame, REAL_MAC, OUR_MAC);
        final int ttl = Rewrites.decrementTtl(buffer, frame);
        buffer.putShort(frame.l3Offset() + 8, ttlAndProtocol);
        buffer.putShort(frame.l3Offset() + 10, ipChecksum);
        return ttl;
    }

    /**
     * Classification plus the NAT rewrite of a request (destination VIP:80 to the real server's address and
     * port, IPv4 and TCP checksums updated incrementally), then the reverse rewrite a reply would get.
     *
     * @param bh consumes the results.
     */
    @Benchmark
    public void classifyAndRewriteNatBothWays(final Blackhole bh)
    {
        classifier.classify(buffer, 0, length, frame);
        Rewrites.setIpv4Destination(buffer, frame, REAL);
        Rewrites.setDestinationPort(buffer, frame, 8080);
        bh.consume(frame.flow().protocol());
        Rewrites.setIpv4Destination(buffer, frame, VIP);
        Rewrites.setDestinationPort(buffer, frame, 80);
    }

    /**
     * Baseline: pcap4j parsing the same frame and reading its destination port.
     *
     * @return the port, consumed by JMH.
     * @throws IllegalRawDataException never: the frame is valid.
     */
    @Benchmark
    public int baselinePcap4jParse() throws IllegalRawDataException
    {
        return EthernetPacket.newPacket(bytes, 0, length).get(TcpPacket.class).getHeader().getDstPort().valueAsInt();
    }
}
