package io.lvs4j.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.packet.ClassifiedFrame;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.Icmpv4ErrorBuilder;
import io.lvs4j.core.packet.PacketClassifier;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.channel.DiscardChannel;
import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.neighbour.RouteTable;
import io.lvs4j.forwarder.pipeline.ActiveService;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.ForwardingOptions;
import io.lvs4j.forwarder.pipeline.ForwardingSnapshot;
import io.lvs4j.forwarder.pipeline.FrameProcessor;
import io.lvs4j.forwarder.stats.ForwarderStats;
import io.lvs4j.schedulers.Scheduler;
import io.lvs4j.schedulers.SchedulerOptions;
import io.lvs4j.schedulers.SchedulerRegistry;

/**
 * The whole per-frame pipeline of a worker, without the kernel: classify, service lookup, connection lookup in the
 * shared off-heap table, IPVS's state machine and counters, the rewrite for DR, NAT or TUN, and the copy into a
 * transmit slot, for 64-byte UDP frames of 4096 established flows (the steady state: the table hits). The
 * receive-ring copy of each frame is part of the measured loop (a real ring hands fresh bytes each time); a frame
 * is restored from its template before processing so that the TTL never runs out.
 * <p>
 * Baseline in the same run: {@code classifyOnly}, the classification of the same frames, which every design pays.
 * Run with {@code -prof gc}: every row must show ~0 B/op.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class ForwardingPipelineBenchmark
{
    private static final int BATCH = 64;
    private static final int FLOWS = 4096;
    private static final int FRAME = 60;
    private static final long OUR_MAC = 0x02_00_00_00_00_01L;
    private static final long CLIENT_MAC = 0x02_00_00_00_00_C1L;
    private static final long REAL_MAC = 0x02_00_00_00_00_A1L;
    private static final int DIRECTOR = 0xC000_0201;  // 192.0.2.1
    private static final int CLIENT = 0xC633_6402;    // 198.51.100.2
    private static final int VIP = 0xCB00_710A;       // 203.0.113.10
    private static final int REAL = 0xC000_020B;      // 192.0.2.11

    /** Forwarding method, or the baseline. */
    @Param({"DR", "NAT", "NAT-reply", "TUN"})
    public String method;

    private final UnsafeBuffer templates = new UnsafeBuffer(ByteBuffer.allocateDirect(FLOWS * FRAME));
    private final UnsafeBuffer ring = new UnsafeBuffer(ByteBuffer.allocateDirect(BATCH * 128));
    private final PacketClassifier classifier = new PacketClassifier();
    private final ClassifiedFrame classified = new ClassifiedFrame();
    private DiscardChannel channel;
    private FrameProcessor processor;
    private ForwardingSnapshot snapshot;
    private ConnectionTable table;
    private Scheduler scheduler;
    private int next;
    private long now = 1_000_000;

    /** Builds the director state, the frames, and sends every flow once so the table holds them. */
    @Setup(Level.Trial)
    public void setUp()
    {
        final boolean reply = method.equals("NAT-reply");
        final int fwd = switch (method)
        {
            case "DR" -> ConnectionFlags.DROUTE;
            case "TUN" -> ConnectionFlags.TUNNEL;
            default -> ConnectionFlags.MASQ;
        };
        final DestinationCounters counters = new DestinationCounters(16);
        table = new OffHeapConnectionTable(FLOWS * 2, counters, new ConnectionTimeoutProfiles());
        counters.reset(0, 0, 0);
        final RealServer rs = new RealServer(0, 4, 0, REAL & 0xFFFF_FFFFL, 9, 1, 1, fwd, 0, 0);
        final VirtualService vs = VirtualService.udp("203.0.113.10", 9).withScheduler("rr");
        scheduler = SchedulerRegistry.builtIn().create("rr", new SchedulerOptions());
        scheduler.update(RealServerList.of(counters, rs));
        final Long2ObjectHashMap<ActiveService> services = new Long2ObjectHashMap<>();
        services.put(ActiveService.key(17, VIP, 9), new ActiveService(0, vs, scheduler));
        final DirectorInterface iface = new DirectorInterface(0, "bench0", 1, OUR_MAC, 1500, List.of(
            new DirectorInterface.Prefix(DIRECTOR, 24), new DirectorInterface.Prefix(CLIENT, 24)));
        final RouteTable routes = new RouteTable(List.of(
            new RouteTable.Route(DIRECTOR, 24, 0, 0, DIRECTOR), new RouteTable.Route(CLIENT, 24, 0, 0, CLIENT)));
        snapshot = new ForwardingSnapshot(services, List.of(iface), routes, new int[] {0}, new int[] {REAL},
            new int[] {DIRECTOR}, new int[] {0}, true, 1);
        final NeighbourTable neighbours = new NeighbourTable(64);
        neighbours.learn(REAL, REAL_MAC, now, true);
        neighbours.learn(CLIENT, CLIENT_MAC, now, true);
        channel = new DiscardChannel();
        processor = new FrameProcessor(0, new FrameChannel[] {channel}, table, counters, neighbours,
            new ForwarderStats(1, 4, 16).worker(0), ForwardingOptions.defaults());
        for (int f = 0; f < FLOWS; f++)
        {
            writeUdp(templates, f * FRAME, CLIENT_MAC, CLIENT, 10_000 + f, VIP, 9);
        }
        processor.beginBatch(snapshot, now);
        processor.ingress(0);
        for (int f = 0; f < FLOWS; f++)
        {
            ring.putBytes(0, templates, f * FRAME, FRAME);
            processor.onFrame(ring, 0, FRAME, 0);
            channel.flush();
        }
        if (reply)
        {
            for (int f = 0; f < FLOWS; f++)
            {
                writeUdp(templates, f * FRAME, REAL_MAC, REAL, 9, CLIENT, 10_000 + f);
            }
        }
    }

    private static void writeUdp(
        final UnsafeBuffer b, final int at, final long srcMac, final int src, final int srcPort, final int dst,
        final int dstPort)
    {
        EthernetView.writeHeader(b, at, OUR_MAC, srcMac, EthernetView.NO_VLAN, EthernetView.ETHERTYPE_IPV4);
        Icmpv4ErrorBuilder.writeIpv4Header(b, at + 14, 0, 46, 0, 0, 64, 17, src, dst);
        final int l4 = at + 34;
        b.putShort(l4, (short)srcPort, ByteOrder.BIG_ENDIAN);
        b.putShort(l4 + 2, (short)dstPort, ByteOrder.BIG_ENDIAN);
        b.putShort(l4 + 4, (short)26, ByteOrder.BIG_ENDIAN);
        b.putShort(l4 + 6, (short)0, ByteOrder.BIG_ENDIAN);
        b.putShort(l4 + 6, (short)Checksums.udpChecksumV4(b, at + 14, l4, 26), ByteOrder.BIG_ENDIAN);
    }

    /** Frees the table. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        scheduler.close();
        table.close();
    }

    /**
     * One batch of 64 frames through the pipeline and one flush.
     *
     * @return frames the channel took (so that the work is not dead code).
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int forward()
    {
        processor.beginBatch(snapshot, ++now);
        processor.ingress(0);
        for (int i = 0; i < BATCH; i++)
        {
            final int at = i * 128;
            ring.putBytes(at, templates, next * FRAME, FRAME);
            next = (next + 1) & (FLOWS - 1);
            processor.onFrame(ring, at, FRAME, 0);
        }
        return channel.flush();
    }

    /**
     * Baseline: the classification of the same frames (with the same ring copy).
     *
     * @return a value depending on the work.
     */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int classifyOnly()
    {
        int sum = 0;
        for (int i = 0; i < BATCH; i++)
        {
            final int at = i * 128;
            ring.putBytes(at, templates, next * FRAME, FRAME);
            next = (next + 1) & (FLOWS - 1);
            sum += classifier.classify(ring, at, FRAME, classified).ordinal();
        }
        return sum;
    }
}
