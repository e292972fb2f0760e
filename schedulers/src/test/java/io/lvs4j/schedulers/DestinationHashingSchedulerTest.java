package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import static io.lvs4j.schedulers.HashSchedulerTesting.CLIENT_NET;
import static io.lvs4j.schedulers.HashSchedulerTesting.list;
import static io.lvs4j.schedulers.HashSchedulerTesting.overload;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * dh against hand-worked examples of {@code ip_vs_dh.c}. The bucket of an address is the low 8 bits of
 * {@code fold(addr) * 2654435761}; the low 8 bits of a product depend only on the low 8 bits of the factors, and
 * 2654435761 = 0x9E3779B1 ends in 0xB1 = 177, so bucket = (last address byte * 177) mod 256. With 3 servers bucket
 * b holds list position b mod 3.
 */
class DestinationHashingSchedulerTest
{
    private final DestinationCounters counters = new DestinationCounters(64);
    private final DestinationHashingScheduler dh = new DestinationHashingScheduler(new SchedulerOptions());

    private static FlowKey toDestination(final int destination)
    {
        return new FlowKey().setV4(IpProtocol.TCP, CLIENT_NET + 1, 40000, destination, 80);
    }

    @Test
    void bucketsCycleThroughTheListIgnoringWeights()
    {
        dh.update(list(counters, 1, 5, 2));
        final int[] table = dh.tableSnapshot();
        assertEquals(256, table.length);
        for (int i = 0; i < 256; i++)
        {
            assertEquals(i % 3, table[i], "bucket " + i);
        }
    }

    @Test
    void destinationAddressesHashToTheirBuckets()
    {
        final RealServerList servers = list(counters, 1, 1, 1);
        dh.update(servers);
        // 10.0.0.1: 1 * 177 = 177, 177 mod 3 = 0
        assertSame(servers.get(0), dh.pick(toDestination(0x0A00_0001), 0));
        // 10.0.0.2: 354 mod 256 = 98, 98 mod 3 = 2
        assertSame(servers.get(2), dh.pick(toDestination(0x0A00_0002), 0));
        // 10.0.0.3: 531 mod 256 = 19, 19 mod 3 = 1
        assertSame(servers.get(1), dh.pick(toDestination(0x0A00_0003), 0));
        // 10.0.0.4: 708 mod 256 = 196, 196 mod 3 = 1
        assertSame(servers.get(1), dh.pick(toDestination(0x0A00_0004), 0));
        // 203.0.113.10: 1770 mod 256 = 234, 234 mod 3 = 0
        assertSame(servers.get(0), dh.pick(toDestination(0xCB00_710A), 0));
        // the source does not matter
        assertSame(servers.get(2), dh.pick(new FlowKey().setV4(IpProtocol.UDP, 0x0102_0304, 53, 0x0A00_0002, 53), 0));
        assertEquals(98, DestinationHashingScheduler.bucket(0x0A00_0002));
    }

    @Test
    void ipv6DestinationsAreFoldedByXor()
    {
        final RealServerList servers = list(counters, 1, 1, 1);
        dh.update(servers);
        // 2001:db8::5 folds to 0x20010db8 ^ 0 ^ 0 ^ 5 = 0x20010dbd; 0xbd = 189, 189 * 177 = 33453,
        // 33453 mod 256 = 173, 173 mod 3 = 2
        final FlowKey flow = new FlowKey().setV6(IpProtocol.TCP, 0x2001_0db8_0000_0000L, 1, 40000,
            0x2001_0db8_0000_0000L, 5, 80);
        assertSame(servers.get(2), dh.pick(flow, 0));
    }

    @Test
    void overloadedOrQuiescedBucketGivesNoServerWithoutFallback()
    {
        RealServerList servers = list(counters, 1, 1, 1);
        dh.update(servers);
        overload(counters, servers.id(2));
        // 10.0.0.2 -> bucket 98 -> position 2, overloaded: no destination, no fallback
        assertNull(dh.pick(toDestination(0x0A00_0002), 0));
        assertSame(servers.get(1), dh.pick(toDestination(0x0A00_0003), 0));

        servers = servers.withReplaced(servers.get(1).withWeight(0));
        dh.update(servers);
        assertNull(dh.pick(toDestination(0x0A00_0003), 0));
        assertSame(servers.get(0), dh.pick(toDestination(0x0A00_0001), 0));

        counters.setAvailable(servers.id(0), false);
        assertNull(dh.pick(toDestination(0x0A00_0001), 0));
    }

    @Test
    void removingAServerReshufflesBuckets()
    {
        RealServerList servers = list(counters, 1, 1, 1);
        dh.update(servers);
        servers = servers.withRemoved(servers.id(1));
        dh.update(servers);
        // now two servers: 10.0.0.3 -> bucket 19 -> 19 mod 2 = 1 -> the former position 2
        assertSame(servers.get(1), dh.pick(toDestination(0x0A00_0003), 0));
        assertEquals(2, servers.get(1).id());
    }

    @Test
    void emptyListAndAllWeightZeroGiveNull()
    {
        assertNull(dh.pick(toDestination(0x0A00_0001), 0));
        assertNull(dh.servers());
        dh.update(RealServerList.empty(counters));
        assertNull(dh.pick(toDestination(0x0A00_0001), 0));
        dh.update(list(counters, 0, 0, 0));
        for (int i = 0; i < 256; i++)
        {
            assertNull(dh.pick(toDestination(0x0A00_0000 + i), 0));
        }
    }

    @Test
    void picksDoNotAllocate()
    {
        dh.update(list(counters, 1, 2, 3, 4));
        HashSchedulerTesting.assertPicksDoNotAllocate(dh);
        assertEquals(DestinationHashingScheduler.NAME, dh.name());
    }
}
