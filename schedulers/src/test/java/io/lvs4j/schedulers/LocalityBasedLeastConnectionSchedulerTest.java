package io.lvs4j.schedulers;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * lblc sequences worked out by hand from ip_vs_lblc.c (reference section 3.3).
 */
class LocalityBasedLeastConnectionSchedulerTest
{
    static final int CLIENT = 0xC6336401; // 198.51.100.1
    static final long MINUTE = 60_000L;

    final DestinationCounters counters = new DestinationCounters(64);
    final RealServer a = server(1, 0x0A000001, 1);
    final RealServer b = server(2, 0x0A000002, 1);

    RealServer server(final int id, final int address, final int weight)
    {
        counters.reset(id, 0, 0);
        return RealServer.ipv4(id, address, 80, weight);
    }

    static FlowKey to(final int destination)
    {
        return new FlowKey().setV4(6, CLIENT, 40000, destination, 80);
    }

    void active(final int id, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            counters.bind(id, ConnectionFlags.INACTIVE);
            counters.transition(id, true);
        }
    }

    void inactive(final int id, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            counters.bind(id, ConnectionFlags.INACTIVE);
        }
    }

    LocalityBasedLeastConnectionScheduler scheduler(final RealServer... servers)
    {
        final LocalityBasedLeastConnectionScheduler s = new LocalityBasedLeastConnectionScheduler(
            new SchedulerOptions());
        s.update(RealServerList.of(counters, servers));
        return s;
    }

    @Test
    void firstPickIsWlcWithTiesToTheFirstAndTheAddressSticks()
    {
        final LocalityBasedLeastConnectionScheduler s = scheduler(a, b);
        assertEquals("lblc", s.name());
        final FlowKey x = to(0xCB007101);
        assertSame(a, s.pick(x, 0)); // both idle: tie, first in list order
        assertEquals(1, s.entries());
        inactive(a.id(), 1); // wlc would now prefer B (overhead 1 vs 0)
        assertSame(a, s.pick(x, 1)); // cached: A has 0 active <= weight 1
        assertSame(a, s.pick(new FlowKey().setV4(17, 0x01020304, 53, 0xCB007101, 80), 2)); // any client, same dst
        assertSame(b, s.pick(to(0xCB007102), 3)); // a new address gets the wlc choice
        assertEquals(2, s.entries());
    }

    @Test
    void overloadedServerKeepsItsAddressesUntilAnotherHasRoom()
    {
        final RealServer a2 = server(1, 0x0A000001, 2);
        final RealServer b2 = server(2, 0x0A000002, 2);
        final LocalityBasedLeastConnectionScheduler s = scheduler(a2, b2);
        final FlowKey x = to(0xCB007101);
        assertSame(a2, s.pick(x, 0));
        active(a2.id(), 3); // 3 > weight 2
        active(b2.id(), 1); // 1 * 2 < 2 is false: nobody has room
        assertSame(a2, s.pick(x, 1));
        counters.transition(b2.id(), false); // B: 0 active, 1 inactive; 0 * 2 < 2
        // is_overloaded: wlc A 768/2 vs B 1/2 -> B, and the entry follows
        assertSame(b2, s.pick(x, 2));
        active(b2.id(), 2); // B 2 active == weight: not over, stays
        assertSame(b2, s.pick(x, 3));
        assertEquals(1, s.entries());
    }

    @Test
    void weightZeroReschedulesAndTheEntryFollows()
    {
        final LocalityBasedLeastConnectionScheduler s = scheduler(a, b);
        final FlowKey x = to(0xCB007101);
        assertSame(a, s.pick(x, 0));
        final RealServerList quiesced = s.servers().withReplaced(a.withWeight(0));
        s.update(quiesced);
        assertSame(b, s.pick(x, 1));
        s.update(quiesced.withReplaced(a.withWeight(1)));
        assertSame(b, s.pick(x, 2)); // entry now points at B
        assertEquals(1, s.entries());
    }

    @Test
    void overloadFlagOfTheCachedServerIsNotConsultedAsInTheKernel()
    {
        final RealServer capped = RealServer.ipv4(1, 0x0A000001, 80, 1).withThresholds(1, 0);
        counters.reset(1, 1, 0);
        final LocalityBasedLeastConnectionScheduler s = scheduler(capped, b);
        final FlowKey x = to(0xCB007101);
        assertSame(capped, s.pick(x, 0));
        inactive(capped.id(), 1); // reaches u_threshold 1: OVERLOAD
        assertEquals(true, counters.isOverloaded(capped.id()));
        // ip_vs_lblc_schedule reuses the entry's dest when AVAILABLE, weight > 0 and !is_overloaded only
        assertSame(capped, s.pick(x, 1));
        assertSame(b, s.pick(to(0xCB007102), 2)); // the wlc fallback skips it
    }

    @Test
    void deletedServerIsNeverReturned()
    {
        final LocalityBasedLeastConnectionScheduler s = scheduler(a, b);
        final FlowKey x = to(0xCB007101);
        final FlowKey y = to(0xCB007102);
        assertSame(a, s.pick(x, 0));
        inactive(a.id(), 1);
        assertSame(b, s.pick(y, 0));
        final RealServerList full = s.servers();
        s.update(full.withRemoved(a.id()));
        assertSame(b, s.pick(x, 1));
        s.update(full); // re-added with the same id: the entry now says B
        assertSame(b, s.pick(x, 2));
        s.update(full.withRemoved(b.id()));
        assertSame(a, s.pick(x, 3));
        assertSame(a, s.pick(y, 3));
        s.update(full.withRemoved(b.id()).withRemoved(a.id()));
        assertNull(s.pick(x, 4));
    }

    @Test
    void noServerGivesNull()
    {
        final LocalityBasedLeastConnectionScheduler s = new LocalityBasedLeastConnectionScheduler(
            new SchedulerOptions());
        assertNull(s.pick(to(1), 0));
        s.update(RealServerList.of(counters, a.withWeight(0)));
        assertNull(s.pick(to(1), 0));
        assertEquals(0, s.entries());
    }

    @Test
    void ipv6AddressesWithTheSameFoldAreDifferentEntries()
    {
        final LocalityBasedLeastConnectionScheduler s = scheduler(a, b);
        final long hi = 0x20010DB800000001L;
        final long lo = 0x0000000000000002L;
        final FlowKey one = new FlowKey().setV6(6, 1, 1, 40000, hi, lo, 80);
        final FlowKey two = new FlowKey().setV6(6, 1, 1, 40000, lo, hi, 80); // words swapped: same XOR fold
        assertEquals(RealServer.fold(FlowKey.AF_INET6, hi, lo), RealServer.fold(FlowKey.AF_INET6, lo, hi));
        assertSame(a, s.pick(one, 0));
        inactive(a.id(), 1);
        assertSame(b, s.pick(two, 1));
        assertSame(a, s.pick(one, 2));
        assertSame(b, s.pick(two, 3));
        assertEquals(2, s.entries());
    }

    @Test
    void fullBucketReturnsTheWlcChoiceUncachedAndCountsIt()
    {
        final LocalityBasedLeastConnectionScheduler s = new LocalityBasedLeastConnectionScheduler(
            new SchedulerOptions(), 16, 8); // one bucket of 16 ways
        s.update(RealServerList.of(counters, a, b));
        for (int i = 0; i < 16; i++)
        {
            s.pick(to(0xCB007100 + i), 0);
        }
        assertEquals(16, s.entries());
        assertEquals(0, s.tableFull());
        inactive(b.id(), 100); // wlc now prefers A
        final FlowKey extra = to(0xCB0071FF);
        assertSame(a, s.pick(extra, 1));
        assertEquals(1, s.tableFull());
        inactive(a.id(), 200); // not cached: the next pick is wlc again
        assertSame(b, s.pick(extra, 2));
        assertEquals(2, s.tableFull());
        assertEquals(16, s.entries());
    }

    @Test
    void fullExpirationOnTheThirtiethRunDropsEntriesUnusedForTheExpiration()
    {
        final LocalityBasedLeastConnectionScheduler s = new LocalityBasedLeastConnectionScheduler(
            new SchedulerOptions().lblcExpirationMs(10 * MINUTE));
        s.update(RealServerList.of(counters, a, b));
        s.tick(0); // starts the timer
        final FlowKey x = to(0xCB007101);
        final FlowKey y = to(0xCB007102);
        assertSame(a, s.pick(x, 0));
        long now = 0;
        for (int run = 1; run <= 29; run++)
        {
            now += MINUTE;
            s.tick(now - 1); // not yet 60 s since the previous run
            assertEquals(run - 1, s.gcRuns());
            s.tick(now);
            if (now == 25 * MINUTE)
            {
                assertSame(a, s.pick(y, now)); // y used at 25 min
            }
        }
        assertEquals(29, s.gcRuns());
        assertEquals(2, s.entries()); // x idle 29 min > 6 min, but the table is not above max_size
        inactive(a.id(), 1); // wlc would now choose B
        now += MINUTE; // 30 min: counter reached 30, full check with lblc_expiration 10 min
        s.tick(now);
        assertEquals(30, s.gcRuns());
        assertEquals(1, s.entries()); // x (idle 30 min) dropped, y (idle 5 min) kept
        assertSame(a, s.pick(y, now));
        assertSame(b, s.pick(x, now)); // rescheduled by wlc
    }

    /** hash_32(addr, bits) as the kernel computes it; the table's buckets follow it. */
    static int bucket(final int address, final int bits)
    {
        return (int)(((address * 0x61C88647) & 0xFFFF_FFFFL) >>> (32 - bits));
    }

    static List<FlowKey> addressesInBucket(final int bucket, final int bits, final int count, final int start)
    {
        final List<FlowKey> flows = new ArrayList<>();
        for (int address = start; flows.size() < count; address++)
        {
            if (bucket(address, bits) == bucket)
            {
                flows.add(to(address));
            }
        }
        return flows;
    }

    @Test
    void partialCollectionDropsIdleEntriesOnlyAboveMaxSizeUntilTheGoalFromTheRover()
    {
        // 64 slots = 4 buckets of 16 ways (2 bits); max_size 4
        final LocalityBasedLeastConnectionScheduler s = new LocalityBasedLeastConnectionScheduler(
            new SchedulerOptions(), 64, 4);
        s.update(RealServerList.of(counters, a, b));
        final List<List<FlowKey>> byBucket = new ArrayList<>();
        for (int bucket = 0; bucket < 4; bucket++)
        {
            byBucket.add(addressesInBucket(bucket, 2, 3, 0xCB007100));
            for (final FlowKey flow : byBucket.get(bucket))
            {
                s.pick(flow, 0);
            }
        }
        assertEquals(12, s.entries());
        s.tick(0);
        for (long now = MINUTE; now <= 5 * MINUTE; now += MINUTE)
        {
            s.tick(now); // above max_size, but nothing idle for 6 min yet
            assertEquals(12, s.entries());
        }
        s.pick(byBucket.get(1).get(0), 5 * MINUTE); // touched at 5 min
        // run 6 at 6 min: goal = min((12-4)*4/3, 4/2) = 2; rover 0 -> bucket 1: two idle entries go, goal 0
        s.tick(6 * MINUTE);
        assertEquals(10, s.entries());
        // run 7: goal = min(8, 2); bucket 2 loses its 3
        s.tick(7 * MINUTE);
        assertEquals(7, s.entries());
        // run 8: goal = min(4, 2); bucket 3 loses its 3
        s.tick(8 * MINUTE);
        assertEquals(4, s.entries());
        // run 9: 4 entries <= max_size: nothing, though bucket 0's are idle 9 min
        s.tick(9 * MINUTE);
        assertEquals(4, s.entries());
        assertEquals(9, s.gcRuns());
        inactive(a.id(), 1); // wlc prefers B from now on
        assertSame(a, s.pick(byBucket.get(0).get(0), 10 * MINUTE)); // bucket 0 survived
        assertSame(a, s.pick(byBucket.get(1).get(0), 10 * MINUTE)); // the touched one survived
        assertSame(b, s.pick(byBucket.get(1).get(1), 10 * MINUTE)); // dropped: rescheduled
        assertSame(b, s.pick(byBucket.get(2).get(0), 10 * MINUTE));
    }

    @Test
    void flushDropsEverything()
    {
        final LocalityBasedLeastConnectionScheduler s = scheduler(a, b);
        s.pick(to(1), 0);
        s.pick(to(2), 0);
        assertEquals(2, s.entries());
        s.flush();
        assertEquals(0, s.entries());
    }
}
