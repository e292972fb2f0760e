package io.lvs4j.schedulers;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * lblcr sequences worked out by hand from ip_vs_lblcr.c (reference section 3.3).
 */
class ReplicatedLocalityBasedLeastConnectionSchedulerTest
{
    static final long EXPIRATION = 10 * 60_000L;

    final DestinationCounters counters = new DestinationCounters(64);
    final RealServer a = server(1, 0x0A000001, 1);
    final RealServer b = server(2, 0x0A000002, 1);
    final RealServer c = server(3, 0x0A000003, 1);
    final FlowKey x = LocalityBasedLeastConnectionSchedulerTest.to(0xCB007101);

    RealServer server(final int id, final int address, final int weight)
    {
        counters.reset(id, 0, 0);
        return RealServer.ipv4(id, address, 80, weight);
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

    ReplicatedLocalityBasedLeastConnectionScheduler scheduler(final RealServer... servers)
    {
        final ReplicatedLocalityBasedLeastConnectionScheduler s =
            new ReplicatedLocalityBasedLeastConnectionScheduler(new SchedulerOptions().lblcExpirationMs(EXPIRATION));
        s.update(RealServerList.of(counters, servers));
        return s;
    }

    static int[] members(final ReplicatedLocalityBasedLeastConnectionScheduler s, final FlowKey flow)
    {
        final int[] ids = new int[ReplicatedLocalityBasedLeastConnectionScheduler.MAX_MEMBERS];
        final int size = s.members(flow, ids);
        return size < 0 ? null : Arrays.copyOf(ids, size);
    }

    @Test
    void setGrowsWhenItsMemberIsOverloadedPicksTheLeastLoadedMemberAndShrinksAfterExpiration()
    {
        final ReplicatedLocalityBasedLeastConnectionScheduler s = scheduler(a, b, c);
        assertEquals("lblcr", s.name());
        assertSame(a, s.pick(x, 0)); // no entry: wlc, tie -> A
        assertArrayEquals(new int[]{1}, members(s, x));

        active(a.id(), 2); // A: 2 active > weight 1, and B has 0 * 2 < 1: "overloaded"
        assertSame(b, s.pick(x, 1000)); // wlc A 512, B 0, C 0 -> B joins at the front, lastmod 1000
        assertArrayEquals(new int[]{2, 1}, members(s, x));
        assertSame(b, s.pick(x, 2000));

        inactive(b.id(), 3); // B overhead 3
        counters.transition(a.id(), false);
        counters.transition(a.id(), false); // A overhead 2
        assertSame(a, s.pick(x, 3000)); // least loaded member, though wlc would say C (0)

        assertSame(a, s.pick(x, 1000 + EXPIRATION)); // now == lastmod + expiration: no shrink yet
        assertArrayEquals(new int[]{2, 1}, members(s, x));
        assertSame(a, s.pick(x, 1001 + EXPIRATION)); // shrink: the most loaded, B (3 vs 2), goes
        assertArrayEquals(new int[]{1}, members(s, x));

        inactive(a.id(), 10); // A overhead 12, still 0 active <= weight: stays, though B and C are lighter
        assertSame(a, s.pick(x, 1002 + EXPIRATION));
        assertEquals(1, s.entries());
    }

    @Test
    void shrinkMayRemoveTheMemberItJustChoseWhichIsStillReturned()
    {
        final ReplicatedLocalityBasedLeastConnectionScheduler s = scheduler(a, b, c);
        assertSame(a, s.pick(x, 0));
        active(a.id(), 2);
        assertSame(b, s.pick(x, 0)); // set [B, A], lastmod 0
        counters.transition(a.id(), false);
        counters.transition(a.id(), false); // A: 0 active, 2 inactive
        inactive(b.id(), 2); // B: 2 inactive; equal loads
        // set_min: first usable, B; set_max: first of weight > 0, B, and A does not beat it (2 < 2 false)
        assertSame(b, s.pick(x, EXPIRATION + 1));
        assertArrayEquals(new int[]{1}, members(s, x));
    }

    @Test
    void overloadFlagOrWeightZeroMemberIsSkippedAndWlcJoins()
    {
        final RealServer capped = RealServer.ipv4(1, 0x0A000001, 80, 1).withThresholds(1, 0);
        counters.reset(1, 1, 0);
        final ReplicatedLocalityBasedLeastConnectionScheduler s = scheduler(capped, b, c);
        assertSame(capped, s.pick(x, 0));
        inactive(capped.id(), 1); // OVERLOAD
        assertSame(b, s.pick(x, 1)); // no usable member: wlc skips A -> B
        assertArrayEquals(new int[]{2, 1}, members(s, x));
        s.update(s.servers().withReplaced(b.withWeight(0)));
        assertSame(c, s.pick(x, 2)); // B quiesced, A overloaded: wlc -> C
        assertArrayEquals(new int[]{3, 2, 1}, members(s, x));
        assertSame(c, s.pick(x, 3));
    }

    @Test
    void deletedMemberIsNeverReturnedAndShrinksByItsLastWeight()
    {
        final ReplicatedLocalityBasedLeastConnectionScheduler s = scheduler(a, b);
        assertSame(a, s.pick(x, 0));
        s.update(s.servers().withRemoved(a.id()));
        assertSame(b, s.pick(x, 1)); // A is not AVAILABLE any more: wlc -> B, lastmod 1
        assertArrayEquals(new int[]{2, 1}, members(s, x));
        inactive(a.id(), 5); // the deleted A still has live connections: overhead 5, last weight 1
        assertSame(b, s.pick(x, 2 + EXPIRATION)); // shrink: B 0 vs A 5 -> A goes
        assertArrayEquals(new int[]{2}, members(s, x));
        s.update(s.servers().withRemoved(b.id()));
        assertNull(s.pick(x, 3 + EXPIRATION));
    }

    @Test
    void fullSetTakesANewServerOnlyInPlaceOfADeletedMember()
    {
        final int n = ReplicatedLocalityBasedLeastConnectionScheduler.MAX_MEMBERS + 1;
        final RealServer[] servers = new RealServer[n];
        for (int i = 0; i < n; i++)
        {
            servers[i] = server(10 + i, 0x0A000100 + i, 1);
        }
        final ReplicatedLocalityBasedLeastConnectionScheduler s = scheduler(servers);
        for (int i = 0; i < n; i++)
        {
            // every member so far has 2 active (> weight 1) while server i has none: wlc -> server i joins
            assertSame(servers[i], s.pick(x, i));
            active(servers[i].id(), 2);
        }
        assertEquals(1, s.setFull()); // the 17th did not fit: all 16 members are still in the list
        final int[] full = members(s, x);
        assertEquals(16, full.length);
        assertEquals(25, full[0]); // newest first: servers 10..25
        assertEquals(10, full[15]);

        counters.transition(servers[n - 1].id(), false);
        counters.transition(servers[n - 1].id(), false); // the 17th is idle again
        s.update(s.servers().withRemoved(servers[0].id()));
        assertSame(servers[n - 1], s.pick(x, 100)); // wlc -> 26, which replaces the deleted 10
        final int[] after = members(s, x);
        assertEquals(16, after.length);
        assertEquals(26, after[0]);
        assertEquals(11, after[15]);
        assertEquals(1, s.setFull());
    }

    @Test
    void collectionAndFlushAsLblc()
    {
        final ReplicatedLocalityBasedLeastConnectionScheduler s = scheduler(a, b);
        s.tick(0);
        assertSame(a, s.pick(x, 0));
        for (int run = 1; run <= 29; run++)
        {
            s.tick(run * 60_000L);
        }
        assertEquals(1, s.entries());
        s.tick(30 * 60_000L); // 30th run: full check, idle 30 min >= 10 min
        assertEquals(30, s.gcRuns());
        assertEquals(0, s.entries());
        assertNull(members(s, x));
        s.pick(x, 0);
        s.flush();
        assertEquals(0, s.entries());
    }

    @Test
    void membersReportsBusyInsteadOfWaitingForAWriter()
    {
        final ReplicatedLocalityBasedLeastConnectionScheduler s = scheduler(a);
        assertSame(a, s.pick(x, 0));
        final int fold = RealServer.fold(x.family(), x.dstHi(), x.dstLo());
        final int slot = s.table.find(x.family(), x.dstHi(), x.dstLo(), fold);
        assertEquals(LocalityTable.CLAIMED, s.table.claimMatching(slot, x.family(), x.dstHi(), x.dstLo()));
        try
        {
            assertEquals(LocalityTable.BUSY,
                s.members(x, new int[ReplicatedLocalityBasedLeastConnectionScheduler.MAX_MEMBERS]));
        }
        finally
        {
            s.table.release(slot);
        }
        assertArrayEquals(new int[]{1}, members(s, x));
    }
}
