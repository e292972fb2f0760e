package io.lvs4j.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.TestFrames;

/**
 * Hot restart: a director started again on the same state directory re-attaches to its persisted connection
 * table; established connections continue on the same real servers, with their counts, even when the real
 * servers are added back in another order.
 */
@Timeout(60)
class HotRestartTest
{
    private static final long DIRECTOR_MAC = MacAddresses.parse("02:00:00:00:00:01");
    private static final long CLIENT_MAC = MacAddresses.parse("02:00:00:00:00:c1");
    private static final long RS1_MAC = MacAddresses.parse("02:00:00:00:00:a1");
    private static final long RS2_MAC = MacAddresses.parse("02:00:00:00:00:a2");
    private static final int CLIENT = Ipv4Text.parse("198.51.100.2");
    private static final int VIP = Ipv4Text.parse("203.0.113.10");

    @TempDir
    Path state;

    private static Director launch(final MemoryChannel eth0, final Path state)
    {
        return Director.launch(new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 2, DIRECTOR_MAC, 1500, List.of(
                new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24),
                new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24)))))
            .channels((i, w, n) -> eth0)
            .workers(1)
            .connectionCapacity(1024)
            .neighbour("192.0.2.11", MacAddresses.toString(RS1_MAC))
            .neighbour("192.0.2.12", MacAddresses.toString(RS2_MAC))
            .stateDirectory(state));
    }

    private static List<byte[]> await(final MemoryChannel eth0, final int count)
    {
        final List<byte[]> got = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + 10_000;
        while (got.size() < count && System.currentTimeMillis() < deadline)
        {
            for (final byte[] f : eth0.drainSent())
            {
                if (new UnsafeBuffer(f).getByte(23) == 6)
                {
                    got.add(f);
                }
            }
            Thread.onSpinWait();
        }
        return got;
    }

    private static Map<Integer, Long> byPort(final List<byte[]> frames)
    {
        final Map<Integer, Long> out = new HashMap<>();
        for (final byte[] f : frames)
        {
            final UnsafeBuffer b = new UnsafeBuffer(f);
            out.put(b.getShort(34, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF, MacAddresses.get(b, 0));
        }
        return out;
    }

    @Test
    void establishedConnectionsContinueOnTheirRealServersAfterARestart()
    {
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        final Map<Integer, Long> before;
        final MemoryChannel first = new MemoryChannel("eth0");
        try (Director director = launch(first, state))
        {
            director.addService(web);
            director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
            director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
            for (int i = 0; i < 6; i++)
            {
                first.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 41000 + i, VIP, 80, TcpView.SYN, 64,
                    true, 0));
                first.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 41000 + i, VIP, 80, TcpView.ACK, 64,
                    true, 0));
            }
            before = byPort(await(first, 12));
            assertEquals(6, before.size());
            final ServiceStatus status = director.service(web);
            assertEquals(3, status.realServers().get(0).active());
            assertEquals(3, status.realServers().get(1).active());
        }

        final MemoryChannel second = new MemoryChannel("eth0");
        try (Director director = launch(second, state))
        {
            director.addService(web);
            // the other order: ids follow the real servers, not the order they are added in
            director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
            director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
            final ServiceStatus recovered = director.service(web);
            assertEquals(3, recovered.realServers().get(0).active(), "counts come back with the table");
            assertEquals(3, recovered.realServers().get(1).active());
            for (int i = 0; i < 6; i++)
            {
                // not SYNs: without the persisted entry these would be dropped (NO_CONNECTION)
                second.inject(TestFrames.tcp(CLIENT_MAC, DIRECTOR_MAC, CLIENT, 41000 + i, VIP, 80,
                    TcpView.ACK | TcpView.PSH, 64, true, 10));
            }
            final Map<Integer, Long> after = byPort(await(second, 6));
            assertEquals(before, after, "every connection on the real server it had");
            assertEquals(0, director.drops(io.lvs4j.forwarder.stats.DropReason.NO_CONNECTION));
        }
    }
}
