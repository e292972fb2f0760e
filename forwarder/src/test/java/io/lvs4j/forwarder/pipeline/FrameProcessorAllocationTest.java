package io.lvs4j.forwarder.pipeline;

import static io.lvs4j.forwarder.pipeline.PipelineFrames.NO_OPTIONS;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.TCP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.UDP;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ethernet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.icmpErrorFrame;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.ipv4Packet;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.payload;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.tcpSegment;
import static io.lvs4j.forwarder.pipeline.PipelineFrames.udpFrame;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.CLIENT_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_CLIENT_SIDE;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_MAC;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.DIRECTOR_SERVER_SIDE;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.ROUTER;
import static io.lvs4j.forwarder.pipeline.PipelineHarness.ROUTER_MAC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.channel.DiscardChannel;
import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.neighbour.RouteTable;
import io.lvs4j.forwarder.stats.DropReason;
import io.lvs4j.forwarder.stats.ForwarderStats;
import io.lvs4j.schedulers.Scheduler;
import io.lvs4j.schedulers.SchedulerOptions;
import io.lvs4j.schedulers.SchedulerRegistry;

/**
 * The per-frame path allocates nothing (DESIGN.md "The hot path": ~0 B/op): a {@link FrameProcessor} built as
 * {@code Director} builds it, driven on this thread (no worker, no channel threads) over pre-built frames of every
 * method and direction (DR, NAT in and out, TUN, new connections with scheduling, ICMP relay, TTL expiry with an
 * ICMP answer, drops), with a transmit channel that discards. HotSpot's per-thread allocation counter must not move
 * by more than a small constant over 100k frames (one allocation per frame would be ≥ 1.6 MB).
 */
@Timeout(60)
class FrameProcessorAllocationTest
{
    private static final int VIP_DR = Ipv4Text.parse("203.0.113.10");
    private static final int VIP_NAT = Ipv4Text.parse("203.0.113.11");
    private static final int VIP_TUN = Ipv4Text.parse("203.0.113.12");
    private static final int RS_DR = Ipv4Text.parse("192.0.2.11");
    private static final int RS_NAT = Ipv4Text.parse("192.0.2.12");
    private static final int RS_TUN = Ipv4Text.parse("192.0.2.13");
    private static final long RS_DR_MAC = MacAddresses.parse("02:00:00:00:00:a1");
    private static final long RS_NAT_MAC = MacAddresses.parse("02:00:00:00:00:a2");
    private static final long RS_TUN_MAC = MacAddresses.parse("02:00:00:00:00:a3");
    private static final int FLOWS = 32;
    private static final int BATCH = 64;
    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private OffHeapConnectionTable table;

    @AfterEach
    void close()
    {
        if (table != null)
        {
            table.close();
        }
    }

    private static RealServer server(final int id, final int address, final int port, final int method)
    {
        return new RealServer(id, FlowKey.AF_INET, 0, address & 0xFFFF_FFFFL, port, 1, 1, method, 0, 0);
    }

    /** The director's state for three services (DR, NAT 80->8080, TUN), built as {@code Director} builds it. */
    private final class World
    {
        final DestinationCounters counters = new DestinationCounters(16);
        final NeighbourTable neighbours = new NeighbourTable(64);
        final ForwarderStats stats = new ForwarderStats(1, 8, 16);
        final List<Scheduler> schedulers = new ArrayList<>();
        final DiscardChannel channel = new DiscardChannel();
        final ForwardingSnapshot snapshot;
        final FrameProcessor processor;
        final long now = System.currentTimeMillis();

        World()
        {
            table = new OffHeapConnectionTable(1 << 17, counters, new ConnectionTimeoutProfiles());
            final SchedulerRegistry registry = SchedulerRegistry.load();
            final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, DIRECTOR_MAC, 1500, List.of(
                new DirectorInterface.Prefix(DIRECTOR_CLIENT_SIDE, 24),
                new DirectorInterface.Prefix(DIRECTOR_SERVER_SIDE, 24)));
            final RouteTable routes = new RouteTable(List.of(
                new RouteTable.Route(DIRECTOR_CLIENT_SIDE, 24, 0, 0, DIRECTOR_CLIENT_SIDE),
                new RouteTable.Route(DIRECTOR_SERVER_SIDE, 24, 0, 0, DIRECTOR_SERVER_SIDE)));
            final Long2ObjectHashMap<ActiveService> services = new Long2ObjectHashMap<>();
            final int[] destIface = new int[16];
            final int[] destNextHop = new int[16];
            final int[] destSource = new int[16];
            final int[] destService = new int[16];
            Arrays.fill(destIface, -1);
            final int[][] config = {
                {VIP_DR, RS_DR, 80, ConnectionFlags.DROUTE},
                {VIP_NAT, RS_NAT, 8080, ConnectionFlags.MASQ},
                {VIP_TUN, RS_TUN, 80, ConnectionFlags.TUNNEL}};
            for (int id = 0; id < config.length; id++)
            {
                final VirtualService vs = VirtualService.tcp(Ipv4Text.format(config[id][0]), 80).withScheduler("rr");
                final RealServer rs = server(id, config[id][1], config[id][2], config[id][3]);
                counters.reset(id, 0, 0);
                final Scheduler scheduler = registry.create("rr", new SchedulerOptions());
                scheduler.update(RealServerList.empty(counters).withAdded(rs));
                schedulers.add(scheduler);
                services.put(ActiveService.key(TCP, config[id][0], 80), new ActiveService(id, vs, scheduler));
                destIface[id] = 0;
                destNextHop[id] = config[id][1];
                destSource[id] = DIRECTOR_SERVER_SIDE;
                destService[id] = id;
                neighbours.want(config[id][1], now);
            }
            neighbours.learn(RS_DR, RS_DR_MAC, now, false);
            neighbours.learn(RS_NAT, RS_NAT_MAC, now, false);
            neighbours.learn(RS_TUN, RS_TUN_MAC, now, false);
            snapshot = new ForwardingSnapshot(services, List.of(iface), routes, destIface, destNextHop, destSource,
                destService, true, 1);
            processor = new FrameProcessor(0, new FrameChannel[] {channel}, table, counters, neighbours,
                stats.worker(0), ForwardingOptions.defaults());
        }

        /** Opens the flows the steady frames belong to. */
        void open()
        {
            final UnsafeBuffer work = new UnsafeBuffer(new byte[2048]);
            processor.beginBatch(snapshot, now);
            processor.ingress(0);
            for (int i = 0; i < FLOWS; i++)
            {
                for (final int vip : new int[] {VIP_DR, VIP_NAT, VIP_TUN})
                {
                    final byte[] f = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 10000 + i, vip, 80, TcpView.SYN);
                    work.putBytes(0, f);
                    processor.onFrame(work, 0, f.length, 0);
                }
            }
            channel.flush();
            assertEquals(3 * FLOWS, channel.sent(), "every setup SYN forwarded: " + drops(stats));
        }

        /** Warms up on the frames, then measures 100k of them; returns the bytes allocated. */
        long measure(final com.sun.management.ThreadMXBean threads, final List<byte[]> steady, final byte[] newSyn)
        {
            final Driver driver = new Driver(processor, snapshot, channel, steady, newSyn, now);
            driver.run(50_000);
            final long thread = Thread.currentThread().getId();
            final long before = threads.getThreadAllocatedBytes(thread);
            driver.run(100_000);
            return threads.getThreadAllocatedBytes(thread) - before;
        }

        void close()
        {
            schedulers.forEach(Scheduler::close);
        }
    }

    private static com.sun.management.ThreadMXBean allocationCounter()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());
        return threads;
    }

    @Test
    void hundredThousandFramesOfEveryMethodAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads = allocationCounter();
        final World world = new World();
        world.open();
        final List<byte[]> steady = new ArrayList<>();
        for (int i = 0; i < FLOWS; i++)
        {
            final int port = 10000 + i;
            for (final int vip : new int[] {VIP_DR, VIP_NAT, VIP_TUN})
            {
                steady.add(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, port, vip, 80, TcpView.ACK | TcpView.PSH, 64,
                    0, true, payload(100 + i, i)));
            }
            // NAT reply
            steady.add(tcpFrame(RS_NAT_MAC, DIRECTOR_MAC, RS_NAT, 8080, CLIENT, port, TcpView.ACK | TcpView.PSH, 64,
                0, true, payload(300, i)));
        }
        // ICMP relay (DR), ARP for the VIP, drops of several kinds
        steady.add(icmpErrorFrame(ROUTER_MAC, DIRECTOR_MAC, ROUTER, VIP_DR, 3, 4, 1400,
            ipv4Packet(0, 1, 0x4000, 60, TCP, VIP_DR, CLIENT, NO_OPTIONS,
                tcpSegment(VIP_DR, CLIENT, 80, 10000, TcpView.ACK, 1, 1, payload(20, 1)))));
        steady.add(TestFrames.arpRequest(CLIENT_MAC, CLIENT, VIP_DR));
        steady.add(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 9999, VIP_DR, 80, TcpView.ACK));
        steady.add(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 9999, VIP_DR, 81, TcpView.SYN));
        steady.add(udpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 9999, VIP_DR, 80, payload(10, 1), true));
        steady.add(ethernet(CLIENT_MAC, DIRECTOR_MAC, ipv4Packet(0, 1, 0x2000, 64, UDP, CLIENT, VIP_DR, NO_OPTIONS,
            payload(64, 2))));
        steady.add(new byte[20]);
        // new connections (scheduling): this template's client address and port are patched per use
        final byte[] newSyn = tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 1, VIP_DR, 80, TcpView.SYN);
        for (int i = 0; i < 16; i++)
        {
            steady.add(newSyn);
        }

        final long sentBefore = world.channel.sent();
        final long allocated = world.measure(threads, steady, newSyn);
        final long sent = world.channel.sent() - sentBefore;
        assertTrue(sent > 120_000, "the frames were really forwarded (" + sent + " sent): " + drops(world.stats));
        assertTrue(world.stats.drops(DropReason.NO_CONNECTION) > 500, drops(world.stats));
        assertEquals(0, world.stats.drops(DropReason.NO_NEIGHBOUR) + world.stats.drops(DropReason.TX_FULL) +
            world.stats.drops(DropReason.TABLE_FULL) + world.stats.drops(DropReason.NO_ROUTE), drops(world.stats));
        assertTrue(allocated < 8 * 1024,
            "100k frames through DR, NAT (both ways), TUN, scheduling and ICMP relay allocated " + allocated +
            " bytes");
        world.close();
    }

    /**
     * The errors the director answers itself (ICMP time exceeded, fragmentation needed) are on the worker's path
     * too: a TTL-1 or DF-oversize flood must not allocate per packet either.
     */
    @Test
    void icmpErrorsTheDirectorAnswersAllocateNothing()
    {
        final com.sun.management.ThreadMXBean threads = allocationCounter();
        final World world = new World();
        world.open();
        final List<byte[]> steady = new ArrayList<>();
        for (int i = 0; i < 8; i++)
        {
            // TTL 1: time exceeded
            steady.add(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 10000 + i, VIP_DR, 80, TcpView.ACK, 1, 0, true,
                NO_OPTIONS));
            // DF and 1500 bytes into the tunnel: fragmentation needed
            steady.add(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 10000 + i, VIP_TUN, 80, TcpView.ACK, 64, 0, true,
                payload(1460, i)));
            // and a forwarded one, for contrast
            steady.add(tcpFrame(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 10000 + i, VIP_NAT, 80, TcpView.ACK, 64, 0, true,
                payload(10, i)));
        }
        final long allocated = world.measure(threads, steady, null);
        assertTrue(world.stats.drops(DropReason.TTL_EXCEEDED) > 10_000, drops(world.stats));
        assertTrue(world.stats.drops(DropReason.TOO_BIG_DF) > 10_000, drops(world.stats));
        assertTrue(allocated < 8 * 1024,
            "100k frames answered with ICMP time exceeded / fragmentation needed allocated " + allocated +
            " bytes (~" + allocated * 3 / 200_000 + " B per ICMP answer): FrameProcessor.decrementTtl and tooBig " +
            "call DirectorInterface.sourceFor, whose for-each over the address list allocates an Iterator");
        world.close();
    }

    private static String drops(final ForwarderStats stats)
    {
        final StringBuilder sb = new StringBuilder();
        for (final DropReason r : DropReason.values())
        {
            if (stats.drops(r) != 0)
            {
                sb.append(r).append('=').append(stats.drops(r)).append(' ');
            }
        }
        return sb.toString();
    }

    /** The measured loop, as a worker runs it: batches of 64, one flush per batch. */
    private static final class Driver
    {
        private final FrameProcessor processor;
        private final ForwardingSnapshot snapshot;
        private final DiscardChannel channel;
        private final UnsafeBuffer work = new UnsafeBuffer(new byte[2048]);
        private final DirectBuffer[] pristine;
        private final int[] lengths;
        private final boolean[] isNewSyn;
        private final long start;
        private int next;
        private long frames;
        private long newConnections;

        Driver(
            final FrameProcessor processor, final ForwardingSnapshot snapshot, final DiscardChannel channel,
            final List<byte[]> frames, final byte[] newSyn, final long start)
        {
            this.processor = processor;
            this.snapshot = snapshot;
            this.channel = channel;
            this.start = start;
            pristine = new DirectBuffer[frames.size()];
            lengths = new int[frames.size()];
            isNewSyn = new boolean[frames.size()];
            for (int i = 0; i < pristine.length; i++)
            {
                pristine[i] = new UnsafeBuffer(frames.get(i));
                lengths[i] = frames.get(i).length;
                isNewSyn[i] = frames.get(i) == newSyn;
            }
        }

        void run(final int count)
        {
            for (int i = 0; i < count; i++)
            {
                if (frames % BATCH == 0)
                {
                    channel.flush();
                    processor.beginBatch(snapshot, start + frames / 1000);
                    processor.ingress(0);
                }
                final int k = next;
                next = next + 1 == pristine.length ? 0 : next + 1;
                final int length = lengths[k];
                work.putBytes(0, pristine[k], 0, length);
                if (isNewSyn[k])
                {
                    // a fresh client address and port per new connection
                    final long n = newConnections++;
                    work.putInt(14 + 12, 0x0A000000 | (int)(n / 50_000), BIG);
                    work.putShort(14 + 10, (short)0, BIG);
                    work.putShort(14 + 10, (short)Checksums.ipv4HeaderChecksum(work, 14, 20), BIG);
                    work.putShort(34, (short)(1024 + n % 50_000), BIG);
                    work.putShort(34 + 16, (short)Checksums.tcpChecksumV4(work, 14, 34, 20), BIG);
                }
                processor.onFrame(work, 0, length, 0);
                frames++;
            }
            channel.flush();
        }
    }
}
