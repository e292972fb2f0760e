package io.lvs4j.schedulers;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

import java.lang.management.ManagementFactory;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Helpers shared by the hashing schedulers' tests: lists of IPv4 servers, overload, and an allocation meter.
 */
final class HashSchedulerTesting
{
    /** 192.0.2.1, the first server address. */
    static final int SERVER_BASE = 0xC000_0201;
    /** 198.51.100.0, the client network. */
    static final int CLIENT_NET = 0xC633_6400;
    /** 203.0.113.0, the virtual service network. */
    static final int VIP_NET = 0xCB00_7100;

    private HashSchedulerTesting()
    {
    }

    /**
     * Servers 192.0.2.(1+i):80 with ids i, newest first in the given order, counters reset without thresholds.
     */
    static RealServerList list(final DestinationCounters counters, final int... weights)
    {
        final RealServer[] servers = new RealServer[weights.length];
        for (int i = 0; i < weights.length; i++)
        {
            counters.reset(i, 0, 0);
            servers[i] = RealServer.ipv4(i, SERVER_BASE + i, 80, weights[i]);
        }
        return RealServerList.of(counters, servers);
    }

    /** Makes a server OVERLOADed: upper threshold 1, then one inactive connection. */
    static void overload(final DestinationCounters counters, final int id)
    {
        counters.reset(id, 1, 0);
        counters.bind(id, ConnectionFlags.INACTIVE);
        assertTrue(counters.isOverloaded(id));
    }

    /** A TCP flow from a client to the VIP 203.0.113.10:80. */
    static FlowKey tcp(final int client, final int clientPort)
    {
        return new FlowKey().setV4(IpProtocol.TCP, client, clientPort, VIP_NET + 10, 80);
    }

    /** Bytes this thread allocated so far. */
    static long allocatedBytes()
    {
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        return bean.getThreadAllocatedBytes(Thread.currentThread().getId());
    }

    /**
     * Asserts that 100k picks over varied flows allocate (almost) nothing, after a warm-up that lets the JIT compile
     * the path.
     */
    static void assertPicksDoNotAllocate(final Scheduler scheduler)
    {
        final FlowKey[] flows = new FlowKey[64];
        for (int i = 0; i < flows.length; i++)
        {
            flows[i] = new FlowKey().setV4(IpProtocol.TCP, CLIENT_NET + i * 7919, 1024 + i, VIP_NET + i, 80);
        }
        long sink = 0;
        for (int i = 0; i < 200_000; i++)
        {
            final RealServer s = scheduler.pick(flows[i & 63], i);
            sink += s == null ? 0 : s.id();
        }
        final long before = allocatedBytes();
        for (int i = 0; i < 100_000; i++)
        {
            final RealServer s = scheduler.pick(flows[i & 63], i);
            sink += s == null ? 0 : s.id();
        }
        final long allocated = allocatedBytes() - before;
        assertTrue(allocated < 1024, scheduler.name() + " picks allocated " + allocated + " bytes (sink " + sink + ")");
    }
}
