package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.service.ServiceFlags;
import org.junit.jupiter.api.Test;

import static io.lvs4j.schedulers.HashSchedulerTesting.CLIENT_NET;
import static io.lvs4j.schedulers.HashSchedulerTesting.list;
import static io.lvs4j.schedulers.HashSchedulerTesting.overload;
import static io.lvs4j.schedulers.HashSchedulerTesting.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * sh against worked examples of the current {@code ip_vs_sh.c}: the bucket is
 * {@code (offset + hash_32(port + fold(addr), bits)) & mask}, {@code hash_32} taking the top {@code bits} bits of the
 * 32-bit product with 0x61C88647. The fallback probe k rehashes with offset {@code (k + ihash) mod size}, which lands
 * on {@code (k + 2 * ihash) mod size}.
 * <p>
 * The buckets are not taken from the Java code: they were computed with the independent Python re-implementation
 * {@code src/test/python/ipvs_hash_reference.py dhsh} (hash_32 from {@code include/linux/hash.h}, the hashkey,
 * reassign and fallback loops from {@code ip_vs_sh.c}). Client 198.51.100.x with offset 0 and 8 bits:
 * .1 -> product 0x60614247 -> 96, .2 -> 0xC229C88E -> 194, .3 -> 0x23F24ED5 -> 35, .4 -> 0x85BAD51C -> 133,
 * .5 -> 0xE7835B63 -> 231; with 4 bits (top nibble of the same products) .1 -> 6, .2 -> 12, .3 -> 2, .4 -> 8,
 * .6 -> 4. The old formula (low bits of the product with 2654435761) gives other buckets; the cases marked
 * "(old: ...)" would pick another server under it.
 * <p>
 * The list used is A (weight 2), B (weight 1), C (weight 0): the fill gives A A B C A A B C ..., so bucket b holds
 * A when b mod 4 is 0 or 1, B when 2 and C when 3 (C, weight 0, still takes one bucket per lap).
 */
class SourceHashingSchedulerTest
{
    private final DestinationCounters counters = new DestinationCounters(64);

    private static int client(final int lastByte)
    {
        return CLIENT_NET + lastByte;
    }

    private SourceHashingScheduler sh(final int flags)
    {
        return new SourceHashingScheduler(new SchedulerOptions().serviceFlags(flags));
    }

    @Test
    void tableTakesWeightConsecutiveBucketsPerServer()
    {
        final SourceHashingScheduler sh = sh(0);
        sh.update(list(counters, 2, 1, 0));
        final int[] table = sh.tableSnapshot();
        assertEquals(256, table.length);
        for (int i = 0; i < 256; i++)
        {
            final int expected = (i & 3) < 2 ? 0 : (i & 3) == 2 ? 1 : 2;
            assertEquals(expected, table[i], "bucket " + i);
        }

        final SourceHashingScheduler small = new SourceHashingScheduler(new SchedulerOptions().shTableBits(4));
        small.update(list(counters, 3, 2));
        assertArrayEquals(new int[]{0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 1, 1, 0}, small.tableSnapshot());
    }

    @Test
    void clientsHashToTheirBuckets()
    {
        final SourceHashingScheduler sh = sh(0);
        final RealServerList servers = list(counters, 2, 1, 1);
        sh.update(servers);
        // with weights 2, 1, 1: bucket mod 4 -> 0,1: A, 2: B, 3: C
        assertSame(servers.get(0), sh.pick(tcp(client(1), 1000), 0));     // 96 mod 4 = 0
        assertSame(servers.get(1), sh.pick(tcp(client(2), 1000), 0));     // 194 mod 4 = 2
        assertSame(servers.get(2), sh.pick(tcp(client(3), 1000), 0));     // 35 mod 4 = 3
        assertSame(servers.get(0), sh.pick(tcp(client(4), 1000), 0));     // 133 mod 4 = 1
        assertSame(servers.get(2), sh.pick(tcp(client(5), 1000), 0));     // 231 mod 4 = 3 (old: 117 -> A)
        // the port does not matter without sh-port, nor does the destination
        assertSame(servers.get(1), sh.pick(new FlowKey().setV4(IpProtocol.UDP, client(2), 5, 0x0A00_0001, 53), 0));
        assertEquals(35, SourceHashingScheduler.hashKey(client(3), 0, 8));
    }

    @Test
    void hashKeyIsHash32OverTheConfiguredTableBits()
    {
        assertEquals(96, SourceHashingScheduler.hashKey(client(1), 0, 8));
        assertEquals(194, SourceHashingScheduler.hashKey(client(2), 0, 8));
        assertEquals(133, SourceHashingScheduler.hashKey(client(4), 0, 8));
        // the top bits for the table size, not the 8-bit hash masked: 4 bits -> 6 (0x6 of 0x60614247), 20 -> 394772
        assertEquals(6, SourceHashingScheduler.hashKey(client(1), 0, 4));
        assertEquals(8, SourceHashingScheduler.hashKey(client(4), 0, 4));
        assertEquals(394772, SourceHashingScheduler.hashKey(client(1), 0, 20));
        // the offset is added after hashing and the sum masked: (200 + 96) & 255 = 40
        assertEquals(40, SourceHashingScheduler.hashKey(client(1), 200, 8));
        // port + address wraps at 32 bits before hashing: .1 + port 1 is .2
        assertEquals(194, SourceHashingScheduler.hashKey(client(1) + 1, 0, 8));
    }

    @Test
    void smallTableUsesItsOwnBits()
    {
        final SourceHashingScheduler sh = new SourceHashingScheduler(new SchedulerOptions().shTableBits(4)
            .serviceFlags(ServiceFlags.SH_FALLBACK));
        final RealServerList servers = list(counters, 3, 2);
        sh.update(servers);
        // table A A A B B A A A B B A A A B B A (checked in tableTakesWeightConsecutiveBucketsPerServer)
        assertSame(servers.get(0), sh.pick(tcp(client(1), 1), 0));     // bucket 6 -> A
        assertSame(servers.get(1), sh.pick(tcp(client(4), 1), 0));     // bucket 8 -> B (old: 4 -> B)
        assertSame(servers.get(1), sh.pick(tcp(client(6), 1), 0));     // bucket 4 -> B (old: 6 -> A)
        assertSame(servers.get(0), sh.pick(tcp(client(3), 1), 0));     // bucket 2 -> A (old: 3 -> B)
        overload(counters, servers.id(1));
        // .4: ihash 8 -> B overloaded; k = 0: roffset 8, (8 + 8) & 15 = 0 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(4), 1), 0));
        // .6: ihash 4 -> B; k = 0: 8 -> B; k = 1: 9 -> B; k = 2: 10 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(6), 1), 0));
    }

    @Test
    void deadServerGivesNoServerWithoutFallback()
    {
        final SourceHashingScheduler sh = sh(0);
        final RealServerList servers = list(counters, 2, 1, 0);
        sh.update(servers);
        // client .3 -> bucket 35 -> C, weight 0
        assertNull(sh.pick(tcp(client(3), 1000), 0));
        // client .5 -> bucket 231 -> C too (old: 117 -> A)
        assertNull(sh.pick(tcp(client(5), 1000), 0));
        // client .2 -> bucket 194 -> B; overloaded
        assertSame(servers.get(1), sh.pick(tcp(client(2), 1000), 0));
        overload(counters, servers.id(1));
        assertNull(sh.pick(tcp(client(2), 1000), 0));
        assertSame(servers.get(0), sh.pick(tcp(client(1), 1000), 0));
    }

    @Test
    void fallbackFollowsTheKernelsProbeSequence()
    {
        final SourceHashingScheduler sh = sh(ServiceFlags.SH_FALLBACK);
        final RealServerList servers = list(counters, 2, 1, 0);
        sh.update(servers);
        // client .3: ihash 35 -> C (weight 0); k = 0: (0 + 35) + 35 = 70, 70 mod 4 = 2 -> B
        assertSame(servers.get(1), sh.pick(tcp(client(3), 1000), 0));
        // client .2: ihash 194 -> B usable
        assertSame(servers.get(1), sh.pick(tcp(client(2), 1000), 0));

        overload(counters, servers.id(1));
        // client .2: ihash 194 -> B overloaded; k = 0: (194 + 194) & 255 = 132, 132 mod 4 = 0 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(2), 1000), 0));
        // client .3: 35 -> C; k = 0: 70 -> B (overloaded); k = 1: 71 -> 3 -> C; k = 2: 72 -> 0 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(3), 1000), 0));

        overload(counters, servers.id(0));
        assertNull(sh.pick(tcp(client(3), 1000), 0));
        assertNull(sh.pick(tcp(client(1), 1000), 0));
    }

    @Test
    void fallbackProbesWithAThreeBucketPeriod()
    {
        // weights 0, 1, 1: every bucket b holds position b mod 3, position 0 quiesced
        final SourceHashingScheduler sh = sh(ServiceFlags.SH_FALLBACK);
        final RealServerList servers = list(counters, 0, 1, 1);
        sh.update(servers);
        // .1: ihash 96 -> 0; k = 0: 192 -> 0; k = 1: 193 -> 1 (old: 177 -> 0, then 98 -> 2)
        assertSame(servers.get(1), sh.pick(tcp(client(1), 1), 0));
        // .2: 194 -> 2 directly
        assertSame(servers.get(2), sh.pick(tcp(client(2), 1), 0));
        // .5: 231 -> 0; k = 0: (231 + 231) & 255 = 206 -> 2 (old: 117, 234, 235 -> 1)
        assertSame(servers.get(2), sh.pick(tcp(client(5), 1), 0));
        // .8: 12 -> 0; k = 0: 24 -> 0; k = 1: 25 -> 1
        assertSame(servers.get(1), sh.pick(tcp(client(8), 1), 0));
    }

    @Test
    void shPortAddsTheSourcePortForTcpUdpSctpOnly()
    {
        final SourceHashingScheduler sh = sh(ServiceFlags.SH_PORT);
        final RealServerList servers = list(counters, 2, 1, 1);
        sh.update(servers);
        // client .1 port 1: key is .2 -> bucket 194 -> B, where without the port it is A
        assertSame(servers.get(1), sh.pick(tcp(client(1), 1), 0));
        assertSame(servers.get(1), sh.pick(new FlowKey().setV4(IpProtocol.UDP, client(1), 1, 0x0A00_0001, 53), 0));
        assertSame(servers.get(1), sh.pick(new FlowKey().setV4(IpProtocol.SCTP, client(1), 1, 0x0A00_0001, 9), 0));
        // port 2: key is .3 -> 35 -> C
        assertSame(servers.get(2), sh.pick(tcp(client(1), 2), 0));
        // port 256: bucket 40 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(1), 256), 0));
        // port 1000: bucket 87 -> 3 -> C (old: 25 -> A)
        assertSame(servers.get(2), sh.pick(tcp(client(1), 1000), 0));
        // ICMP has no port: the address alone -> A
        assertSame(servers.get(0), sh.pick(new FlowKey().setV4(IpProtocol.ICMP, client(1), 1, 0x0A00_0001, 0), 0));

        final SourceHashingScheduler noPort = sh(0);
        noPort.update(servers);
        assertSame(servers.get(0), noPort.pick(tcp(client(1), 1), 0));
    }

    @Test
    void everyChangeRebuildsTheTable()
    {
        final SourceHashingScheduler sh = sh(0);
        RealServerList servers = list(counters, 1, 1);
        sh.update(servers);
        // A B A B ...: client .2 -> 194 (even) -> A
        assertSame(servers.get(0), sh.pick(tcp(client(2), 1), 0));
        servers = servers.withReplaced(servers.get(0).withWeight(3));
        sh.update(servers);
        // A A A B ...: 194 mod 4 = 2 -> A; client .3 -> 35 mod 4 = 3 -> B
        assertSame(servers.get(0), sh.pick(tcp(client(2), 1), 0));
        assertSame(servers.get(1), sh.pick(tcp(client(3), 1), 0));
    }

    @Test
    void emptyListAndAllWeightZeroGiveNull()
    {
        final SourceHashingScheduler sh = sh(ServiceFlags.SH_FALLBACK);
        assertNull(sh.pick(tcp(client(1), 1), 0));
        sh.update(RealServerList.empty(counters));
        assertNull(sh.pick(tcp(client(1), 1), 0));
        sh.update(list(counters, 0, 0));
        for (int i = 0; i < 256; i++)
        {
            assertNull(sh.pick(tcp(client(i), 1), 0));
        }
    }

    @Test
    void rejectsTableBitsOutsideKconfigRange()
    {
        assertThrows(IllegalArgumentException.class,
            () -> new SourceHashingScheduler(new SchedulerOptions().shTableBits(3)));
        assertThrows(IllegalArgumentException.class,
            () -> new SourceHashingScheduler(new SchedulerOptions().shTableBits(21)));
    }

    @Test
    void picksDoNotAllocate()
    {
        final SourceHashingScheduler sh = sh(ServiceFlags.SH_FALLBACK | ServiceFlags.SH_PORT);
        final RealServerList servers = list(counters, 2, 1, 0, 3);
        sh.update(servers);
        overload(counters, servers.id(1));
        HashSchedulerTesting.assertPicksDoNotAllocate(sh);
        assertEquals(SourceHashingScheduler.NAME, sh.name());
    }
}
