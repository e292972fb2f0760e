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
 * dh against worked examples of the current {@code ip_vs_dh.c}: the bucket of an address is
 * {@code hash_32(fold(addr), 8)}, the top 8 bits of the 32-bit product {@code fold(addr) * 0x61C88647}. With 3
 * servers bucket b holds list position b mod 3.
 * <p>
 * The buckets are not taken from the Java code: they were computed with the independent Python re-implementation
 * {@code src/test/python/ipvs_hash_reference.py dhsh} (hash_32 written from {@code include/linux/hash.h}), and
 * 10.0.0.1 and 10.0.0.2 were also worked by hand: 0x0A000000 * 0x61C88647 = 0xC6000000 mod 2^32 (only
 * 0x0A * 0x47 = 0x2C6 survives, shifted by 24), so 10.0.0.x gives x * 0x61C88647 + 0xC6000000:
 * .1 -> 0x27C88647 -> bucket 0x27 = 39, .2 -> 0xC3910C8E + 0xC6000000 = 0x89910C8E -> 0x89 = 137.
 * Products from the script: .3 0xEB5992D5 -> 235, .4 0x4D22191C -> 77, 203.0.113.10 0xA21A95C6 -> 162.
 * The old formula (low 8 bits of the product with 2654435761) would put .4 on position 1, not 2, and the IPv6
 * example on position 2.
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
        // 10.0.0.1: bucket 39, 39 mod 3 = 0
        assertSame(servers.get(0), dh.pick(toDestination(0x0A00_0001), 0));
        // 10.0.0.2: bucket 137, 137 mod 3 = 2
        assertSame(servers.get(2), dh.pick(toDestination(0x0A00_0002), 0));
        // 10.0.0.3: bucket 235, 235 mod 3 = 1
        assertSame(servers.get(1), dh.pick(toDestination(0x0A00_0003), 0));
        // 10.0.0.4: bucket 77, 77 mod 3 = 2
        assertSame(servers.get(2), dh.pick(toDestination(0x0A00_0004), 0));
        // 203.0.113.10: bucket 162, 162 mod 3 = 0
        assertSame(servers.get(0), dh.pick(toDestination(0xCB00_710A), 0));
        // the source does not matter
        assertSame(servers.get(2), dh.pick(new FlowKey().setV4(IpProtocol.UDP, 0x0102_0304, 53, 0x0A00_0002, 53), 0));
        assertEquals(137, DestinationHashingScheduler.bucket(0x0A00_0002));
    }

    @Test
    void bucketsAreHash32OfTheFoldedAddress()
    {
        // hash_32(0x0A000001, 8): worked by hand above, 0x27C88647 -> 39
        assertEquals(39, DestinationHashingScheduler.bucket(0x0A00_0001));
        assertEquals(235, DestinationHashingScheduler.bucket(0x0A00_0003));
        assertEquals(77, DestinationHashingScheduler.bucket(0x0A00_0004));
        assertEquals(162, DestinationHashingScheduler.bucket(0xCB00_710A));
        assertEquals(198, DestinationHashingScheduler.bucket(0x2001_0DBD));
        // the full products, shifted by other widths (values from the Python script)
        assertEquals(0x27C8_8647, DestinationHashingScheduler.hash32(0x0A00_0001, 32));
        assertEquals(0x2, DestinationHashingScheduler.hash32(0x0A00_0001, 4));
        assertEquals(0x6061_4247 >>> 12, DestinationHashingScheduler.hash32(0xC633_6401, 20));
        assertEquals(0, DestinationHashingScheduler.bucket(0));
    }

    @Test
    void ipv6DestinationsAreFoldedByXor()
    {
        final RealServerList servers = list(counters, 1, 1, 1);
        dh.update(servers);
        // 2001:db8::5 folds to 0x20010db8 ^ 0 ^ 0 ^ 5 = 0x20010dbd; product 0xC623BD6B, bucket 198, 198 mod 3 = 0
        // (hashing the low word 5 alone would give bucket 232, position 1)
        final FlowKey flow = new FlowKey().setV6(IpProtocol.TCP, 0x2001_0db8_0000_0000L, 1, 40000,
            0x2001_0db8_0000_0000L, 5, 80);
        assertSame(servers.get(0), dh.pick(flow, 0));
    }

    @Test
    void overloadedOrQuiescedBucketGivesNoServerWithoutFallback()
    {
        RealServerList servers = list(counters, 1, 1, 1);
        dh.update(servers);
        overload(counters, servers.id(2));
        // 10.0.0.2 -> bucket 137 -> position 2, overloaded: no destination, no fallback
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
        // now two servers: 10.0.0.3 -> bucket 235 -> 235 mod 2 = 1 -> the former position 2;
        // 203.0.113.10 -> bucket 162 -> 0 -> position 0
        assertSame(servers.get(1), dh.pick(toDestination(0x0A00_0003), 0));
        assertSame(servers.get(0), dh.pick(toDestination(0xCB00_710A), 0));
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
