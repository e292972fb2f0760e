package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.service.ServiceFlags;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static io.lvs4j.schedulers.HashSchedulerTesting.list;
import static io.lvs4j.schedulers.HashSchedulerTesting.overload;
import static io.lvs4j.schedulers.HashSchedulerTesting.tcp;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * mh against the kernel's {@code ip_vs_mh.c}. The expected tables, slots and fallback results were computed by
 * {@code src/test/python/ipvs_hash_reference.py}, an independent re-implementation of {@code ip_vs_mh.c} and of the
 * 64-bit {@code hsiphash} (checked against the kernel's own hsiphash vectors), not by running this code. Servers are
 * 192.0.2.1, .2, .3 port 80 in list order (position 0 is the newest).
 */
class MaglevHashingSchedulerTest
{
    private static final int CLIENT_1 = 0xC633_6401;   // 198.51.100.1
    private static final int CLIENT_2 = 0xC633_6402;   // 198.51.100.2
    private static final int CLIENT_3 = 0xCB00_714D;   // 203.0.113.77
    private static final int CLIENT_4 = 0x0A01_0203;   // 10.1.2.3

    private static final int[] THREE_EQUAL_251 = {
        2, 2, 1, 1, 0, 0, 2, 0, 1, 0, 1, 2, 0, 0, 0, 1, 0, 1, 0, 1, 2, 1, 0, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 2, 0,
        0, 0, 0, 2, 1, 0, 1, 2, 2, 0, 0, 2, 2, 1, 0, 1, 2, 2, 0, 1, 1, 2, 2, 1, 1, 2, 2, 2, 1, 1, 2, 0, 0, 0, 0, 0,
        1, 0, 1, 0, 1, 2, 0, 0, 2, 1, 2, 1, 0, 1, 2, 1, 1, 2, 1, 2, 1, 2, 1, 2, 2, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 0,
        1, 2, 2, 0, 0, 1, 2, 2, 0, 1, 2, 2, 0, 1, 1, 2, 2, 1, 1, 2, 2, 0, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0, 1, 2,
        0, 1, 2, 1, 2, 1, 2, 1, 2, 2, 1, 2, 1, 2, 1, 2, 1, 1, 0, 0, 0, 0, 0, 2, 0, 0, 1, 2, 2, 0, 1, 2, 2, 1, 0, 1,
        2, 2, 0, 1, 2, 2, 2, 1, 1, 2, 2, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1, 0, 1, 2, 1, 0, 2, 2, 1, 1, 2, 1, 2, 1,
        0, 1, 1, 2, 1, 2, 1, 2, 0, 0, 0, 1, 0, 0, 0, 0, 0, 2, 1, 0, 1, 2, 2, 0, 1, 2, 2, 2, 1, 1, 2, 2, 0, 1, 1,
    };
    private static final int[] ONE_TO_THREE_251 = {
        1, 1, 1, 1, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0,
        0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0,
        1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0,
        1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    };
    private static final int[] SHIFTED_509 = {
        1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 2,
        0, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 0, 2, 1, 1, 1, 1, 1, 1, 1, 1,
        2, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 2, 0, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 2, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 0, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        0, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 2, 1, 0, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1,
        1, 1, 2, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2, 1, 0, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
        1, 1, 1, 1, 1,
    };

    private final DestinationCounters counters = new DestinationCounters(512);

    private static MaglevHashingScheduler mh(final int tableSize, final int flags)
    {
        return new MaglevHashingScheduler(new SchedulerOptions().mhTableSize(tableSize).serviceFlags(flags));
    }

    @Test
    void threeEqualServersGiveTheKernelsTable()
    {
        final MaglevHashingScheduler mh = mh(251, 0);
        mh.update(list(counters, 1, 1, 1));
        assertEquals(1, mh.gcd());
        assertEquals(0, mh.rshift());
        assertArrayEquals(THREE_EQUAL_251, mh.tableSnapshot());
    }

    @Test
    void weightsGiveTurnsPerRound()
    {
        final MaglevHashingScheduler mh = mh(251, 0);
        mh.update(list(counters, 1, 3));
        assertArrayEquals(ONE_TO_THREE_251, mh.tableSnapshot());

        // gcd and shift: 251 is CONFIG_IP_VS_MH_TAB_INDEX 8, so IP_VS_MH_TAB_BITS 4; the gcd of 2, 4, 6 is 2
        mh.update(list(counters, 2, 4, 6));
        assertEquals(2, mh.gcd());
        assertEquals(0, mh.rshift());
    }

    @Test
    void bigWeightsAreShiftedToTheTableBits()
    {
        final MaglevHashingScheduler mh = mh(509, 0);
        // 509: config index 9, IP_VS_MH_TAB_BITS 4; weights 100, 1000, 37: gcd 1, fls(1000) = 10, shift 6;
        // turns 1, 15, and 0 -> 1 for 37
        final RealServerList servers = RealServerList.of(counters,
            RealServer.ipv4(0, 0xC000_0201, 80, 100),
            RealServer.ipv4(1, 0xC000_0202, 80, 1000),
            RealServer.ipv4(2, 0xC000_0203, 8080, 37));
        mh.update(servers);
        assertEquals(1, mh.gcd());
        assertEquals(6, mh.rshift());
        assertArrayEquals(SHIFTED_509, mh.tableSnapshot());
    }

    @Test
    void lookupHashesTheClientAddress()
    {
        final MaglevHashingScheduler mh = mh(251, 0);
        final RealServerList servers = list(counters, 1, 1, 1);
        mh.update(servers);
        assertEquals(59, MaglevHashingScheduler.slot(CLIENT_1, 0, 251));
        assertEquals(191, MaglevHashingScheduler.slot(CLIENT_2, 0, 251));
        assertEquals(234, MaglevHashingScheduler.slot(CLIENT_3, 0, 251));
        assertEquals(228, MaglevHashingScheduler.slot(CLIENT_4, 0, 251));
        assertSame(servers.get(1), mh.pick(tcp(CLIENT_1, 12345), 0));
        assertSame(servers.get(1), mh.pick(tcp(CLIENT_2, 12345), 0));
        assertSame(servers.get(1), mh.pick(tcp(CLIENT_3, 12345), 0));
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_4, 12345), 0));
    }

    @Test
    void mhPortAddsTheSourcePort()
    {
        final MaglevHashingScheduler mh = mh(251, ServiceFlags.MH_PORT);
        final RealServerList servers = list(counters, 1, 1, 1);
        mh.update(servers);
        // with port 12345: slots 201, 45, 121, 196 -> positions 0, 0, 1, 0
        assertEquals(201, MaglevHashingScheduler.slot(CLIENT_1 + 12345, 0, 251));
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_1, 12345), 0));
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_2, 12345), 0));
        assertSame(servers.get(1), mh.pick(tcp(CLIENT_3, 12345), 0));
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_4, 12345), 0));
        // no port for ICMP: back to slot 59 -> position 1
        assertSame(servers.get(1), mh.pick(new FlowKey().setV4(IpProtocol.ICMP, CLIENT_1, 12345, 0x0A00_0001, 0), 0));
    }

    @Test
    void weightZeroKeepsTheSlotsButGivesNoServer()
    {
        final MaglevHashingScheduler mh = mh(251, 0);
        RealServerList servers = list(counters, 1, 1, 1);
        mh.update(servers);
        servers = servers.withReplaced(servers.get(1).withWeight(0));
        mh.update(servers);
        // built from last_weight: nothing moves
        assertArrayEquals(THREE_EQUAL_251, mh.tableSnapshot());
        assertNull(mh.pick(tcp(CLIENT_1, 1), 0));
        assertNull(mh.pick(tcp(CLIENT_3, 1), 0));
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_4, 1), 0));
    }

    @Test
    void serverAddedWithWeightZeroTakesNoSlot()
    {
        final MaglevHashingScheduler two = mh(251, 0);
        two.update(list(counters, 1, 1));
        final MaglevHashingScheduler three = mh(251, 0);
        // the third has last_weight 0: turns 0, skipped in every round, so the others' table is unchanged
        three.update(list(counters, 1, 1, 0));
        assertArrayEquals(two.tableSnapshot(), three.tableSnapshot());
    }

    @Test
    void fallbackFollowsTheKernelsProbeSequence()
    {
        final MaglevHashingScheduler mh = mh(251, ServiceFlags.MH_FALLBACK);
        RealServerList servers = list(counters, 1, 1, 1);
        mh.update(servers);
        assertSame(servers.get(1), mh.pick(tcp(CLIENT_1, 1), 0));

        // position 1 quiesced: 198.51.100.1 -> 0, 198.51.100.2 -> 2, 203.0.113.77 -> 0
        servers = servers.withReplaced(servers.get(1).withWeight(0));
        mh.update(servers);
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_1, 1), 0));
        assertSame(servers.get(2), mh.pick(tcp(CLIENT_2, 1), 0));
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_3, 1), 0));
        assertSame(servers.get(0), mh.pick(tcp(CLIENT_4, 1), 0));

        // position 0 overloaded and 1 back: 10.1.2.3 (slot 228, position 0) -> 2
        servers = servers.withReplaced(servers.get(1).withWeight(1));
        mh.update(servers);
        overload(counters, servers.id(0));
        assertSame(servers.get(2), mh.pick(tcp(CLIENT_4, 1), 0));
        assertSame(servers.get(1), mh.pick(tcp(CLIENT_1, 1), 0));

        // positions 0 and 1 unusable: everyone -> 2
        servers = servers.withReplaced(servers.get(1).withWeight(0));
        mh.update(servers);
        for (final int client : new int[]{CLIENT_1, CLIENT_2, CLIENT_3, CLIENT_4})
        {
            assertSame(servers.get(2), mh.pick(tcp(client, 1), 0));
        }

        // all unusable: none
        overload(counters, servers.id(2));
        assertNull(mh.pick(tcp(CLIENT_1, 1), 0));
    }

    @Test
    void withoutFallbackAnOverloadedServerGivesNull()
    {
        final MaglevHashingScheduler mh = mh(251, 0);
        final RealServerList servers = list(counters, 1, 1, 1);
        mh.update(servers);
        overload(counters, servers.id(0));
        assertNull(mh.pick(tcp(CLIENT_4, 1), 0));
        assertSame(servers.get(1), mh.pick(tcp(CLIENT_1, 1), 0));
    }

    @Test
    void allLastWeightsZeroEmptiesTheTable()
    {
        final MaglevHashingScheduler mh = mh(251, ServiceFlags.MH_FALLBACK);
        assertNull(mh.pick(tcp(CLIENT_1, 1), 0));
        mh.update(RealServerList.empty(counters));
        assertNull(mh.pick(tcp(CLIENT_1, 1), 0));
        mh.update(list(counters, 0, 0, 0));
        assertEquals(0, mh.gcd());
        for (final int slot : mh.tableSnapshot())
        {
            assertEquals(-1, slot);
        }
        assertNull(mh.pick(tcp(CLIENT_1, 1), 0));
    }

    @Test
    void allWeightsZeroAfterUseGiveNull()
    {
        final MaglevHashingScheduler mh = mh(251, ServiceFlags.MH_FALLBACK);
        RealServerList servers = list(counters, 2, 1);
        for (int i = 0; i < servers.size(); i++)
        {
            servers = servers.withReplaced(servers.get(i).withWeight(0));
        }
        mh.update(servers);
        for (int c = 0; c < 100; c++)
        {
            assertNull(mh.pick(tcp(CLIENT_1 + c, 1), 0));
        }
    }

    @Test
    void rejectsOtherTableSizesAndTooManyServers()
    {
        assertThrows(IllegalArgumentException.class, () -> mh(4096, 0));
        assertThrows(IllegalArgumentException.class, () -> mh(65537, 0));
        final MaglevHashingScheduler mh = mh(251, 0);
        final RealServerList few = list(counters, 1, 1);
        mh.update(few);
        final int[] weights = new int[252];
        Arrays.fill(weights, 1);
        final RealServerList many = list(counters, weights);
        assertThrows(IllegalArgumentException.class, () -> mh.update(many));
        assertSame(few, mh.servers());
        final int[] exactly = new int[251];
        Arrays.fill(exactly, 1);
        mh.update(list(counters, exactly));
        for (final int position : mh.tableSnapshot())
        {
            assertTrue(position >= 0);
        }
    }

    @Test
    void defaultTableIs4093()
    {
        final MaglevHashingScheduler mh = new MaglevHashingScheduler(new SchedulerOptions());
        mh.update(list(counters, 1, 1, 1));
        assertEquals(4093, mh.tableSnapshot().length);
        assertEquals(MaglevHashingScheduler.NAME, mh.name());
    }

    @Test
    void picksDoNotAllocate()
    {
        final MaglevHashingScheduler mh = mh(4093, ServiceFlags.MH_FALLBACK | ServiceFlags.MH_PORT);
        final RealServerList servers = list(counters, 1, 2, 3, 0);
        mh.update(servers);
        overload(counters, servers.id(0));
        HashSchedulerTesting.assertPicksDoNotAllocate(mh);
    }
}
