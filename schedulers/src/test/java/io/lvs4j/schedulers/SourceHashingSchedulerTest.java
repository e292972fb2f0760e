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
 * sh against hand-worked examples of {@code ip_vs_sh.c}. The bucket is the low bits of
 * {@code offset + (port + fold(addr)) * 2654435761}; the low 8 bits depend only on the low 8 bits of the factors
 * (0x9E3779B1 ends in 177), so with offset 0 the bucket of client 198.51.100.x is (x * 177) mod 256:
 * .1 -> 177, .2 -> 98, .3 -> 19, .4 -> 196. The fallback probe k rehashes with offset (k + ihash), which lands on
 * (k + 2 * ihash) mod 256.
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
        assertSame(servers.get(0), sh.pick(tcp(client(1), 1000), 0));     // 177 mod 4 = 1
        assertSame(servers.get(1), sh.pick(tcp(client(2), 1000), 0));     // 98 mod 4 = 2
        assertSame(servers.get(2), sh.pick(tcp(client(3), 1000), 0));     // 19 mod 4 = 3
        assertSame(servers.get(0), sh.pick(tcp(client(4), 1000), 0));     // 196 mod 4 = 0
        // the port does not matter without sh-port, nor does the destination
        assertSame(servers.get(1), sh.pick(new FlowKey().setV4(IpProtocol.UDP, client(2), 5, 0x0A00_0001, 53), 0));
        assertEquals(19, SourceHashingScheduler.hashKey(client(3), 0, 255));
    }

    @Test
    void deadServerGivesNoServerWithoutFallback()
    {
        final SourceHashingScheduler sh = sh(0);
        final RealServerList servers = list(counters, 2, 1, 0);
        sh.update(servers);
        // client .3 -> bucket 19 -> C, weight 0
        assertNull(sh.pick(tcp(client(3), 1000), 0));
        // client .2 -> bucket 98 -> B; overloaded
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
        // client .3: ihash 19 -> C (weight 0); k = 0: (0 + 19) + 19 = 38, 38 mod 4 = 2 -> B
        assertSame(servers.get(1), sh.pick(tcp(client(3), 1000), 0));
        // client .2: ihash 98 -> B usable
        assertSame(servers.get(1), sh.pick(tcp(client(2), 1000), 0));

        overload(counters, servers.id(1));
        // client .2: ihash 98 -> B overloaded; k = 0: 98 + 98 = 196, 196 mod 4 = 0 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(2), 1000), 0));
        // client .3: 19 -> C; k = 0: 38 -> B (overloaded); k = 1: 39 -> 3 -> C; k = 2: 40 -> 0 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(3), 1000), 0));

        overload(counters, servers.id(0));
        assertNull(sh.pick(tcp(client(3), 1000), 0));
        assertNull(sh.pick(tcp(client(1), 1000), 0));
    }

    @Test
    void shPortAddsTheSourcePortForTcpUdpSctpOnly()
    {
        final SourceHashingScheduler sh = sh(ServiceFlags.SH_PORT);
        final RealServerList servers = list(counters, 2, 1, 1);
        sh.update(servers);
        // client .1 port 1: key ends in 0x02 -> bucket 98 -> B, where without the port it is A
        assertSame(servers.get(1), sh.pick(tcp(client(1), 1), 0));
        assertSame(servers.get(1), sh.pick(new FlowKey().setV4(IpProtocol.UDP, client(1), 1, 0x0A00_0001, 53), 0));
        assertSame(servers.get(1), sh.pick(new FlowKey().setV4(IpProtocol.SCTP, client(1), 1, 0x0A00_0001, 9), 0));
        // port 2: key ends in 0x03 -> 19 -> C
        assertSame(servers.get(2), sh.pick(tcp(client(1), 2), 0));
        // port 256: the low byte is unchanged -> 177 -> A
        assertSame(servers.get(0), sh.pick(tcp(client(1), 256), 0));
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
        // A B A B ...: client .2 -> 98 (even) -> A
        assertSame(servers.get(0), sh.pick(tcp(client(2), 1), 0));
        servers = servers.withReplaced(servers.get(0).withWeight(3));
        sh.update(servers);
        // A A A B ...: 98 mod 4 = 2 -> A; client .3 -> 19 mod 4 = 3 -> B
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
