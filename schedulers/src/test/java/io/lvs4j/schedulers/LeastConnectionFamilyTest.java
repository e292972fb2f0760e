package io.lvs4j.schedulers;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.List;

import static io.lvs4j.schedulers.ServiceFixture.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * lc, wlc, sed, nq, fo, ovf and twos against their kernel loops ({@code ip_vs_lc.c}, {@code ip_vs_wlc.c},
 * {@code ip_vs_sed.c}, {@code ip_vs_nq.c}, {@code ip_vs_fo.c}, {@code ip_vs_ovf.c}, {@code ip_vs_twos.c}); loads
 * and expected choices worked out by hand. Servers are ids 1..n, listed newest first in that order.
 */
class LeastConnectionFamilyTest
{
    private final ServiceFixture fixture = new ServiceFixture();
    private final SchedulerOptions options = new SchedulerOptions();

    private int pickOnce(final Scheduler scheduler, final RealServerList list)
    {
        scheduler.update(list);
        return picks(scheduler, fixture, 1).get(0);
    }

    @Test
    void lcPicksTheSmallestOverheadFirstInListOnTies()
    {
        final RealServerList list = fixture.listOfWeights(1, 1, 1);
        fixture.active(1, 1);   // 256
        fixture.inactive(2, 3); // 3
        fixture.inactive(3, 3); // 3
        assertEquals(2, pickOnce(new LeastConnectionScheduler(options), list));
    }

    @Test
    void lcIgnoresWeightsButSkipsQuiescedAndOverloaded()
    {
        final RealServerList list = fixture.listOfWeights(100, 0, 1, 1);
        fixture.inactive(1, 5);
        fixture.overload(3);
        fixture.inactive(4, 2);
        // 2 is idle but quiesced, 3 is overloaded: 4 (2) beats 1 (5) although 1 weighs 100.
        assertEquals(4, pickOnce(new LeastConnectionScheduler(options), list));
    }

    @Test
    void lcActiveConnectionsWeigh256Inactive()
    {
        final RealServerList list = fixture.listOfWeights(1, 1);
        fixture.active(1, 1);
        fixture.inactive(2, 256);
        // 256 == 256: the first wins the tie; one more inactive on 2 tips it.
        assertEquals(1, pickOnce(new LeastConnectionScheduler(options), list));
        fixture.inactive(2, 1);
        assertEquals(1, pickOnce(new LeastConnectionScheduler(options), list));
        fixture.active(1, 1);
        assertEquals(2, pickOnce(new LeastConnectionScheduler(options), list));
    }

    @Test
    void wlcCrossMultipliesAndKeepsTheFirstOnTies()
    {
        final RealServerList list = fixture.listOfWeights(1, 2);
        fixture.inactive(1, 3);
        fixture.inactive(2, 6);
        // 3 * 2 > 6 * 1 is false: a tie, 1 stays.
        final Scheduler wlc = new WeightedLeastConnectionScheduler(options);
        assertEquals(1, pickOnce(wlc, list));
        fixture.counters.unbind(2, io.lvs4j.core.conn.ConnectionFlags.INACTIVE);
        // 3 * 2 > 5 * 1.
        assertEquals(2, pickOnce(wlc, list));
    }

    @Test
    void wlcNeverPicksAQuiescedServerEvenWhenIdle()
    {
        final RealServerList list = fixture.listOfWeights(1, 0);
        fixture.active(1, 50);
        assertEquals(1, pickOnce(new WeightedLeastConnectionScheduler(options), list));
    }

    @Test
    void wlcComparesIn64Bits()
    {
        // 10000 active on weight 1 is 2 560 000; 20000 active on weight 65535 is 5 120 000. In 64 bits
        // 2 560 000 * 65535 > 5 120 000 * 1, so 2 wins; a 32-bit product would wrap.
        final RealServerList list = fixture.listOfWeights(1, 65535);
        fixture.active(1, 10000);
        fixture.active(2, 20000);
        assertEquals(2, pickOnce(new WeightedLeastConnectionScheduler(options), list));
    }

    @Test
    void wlcSequenceFollowsTheLoadItCreates()
    {
        final RealServerList list = fixture.listOfWeights(1, 3);
        final Scheduler wlc = new WeightedLeastConnectionScheduler(options);
        wlc.update(list);
        final StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 8; i++)
        {
            final RealServer s = wlc.pick(fixture.flow(1, i), 0);
            seq.append(s.id());
            fixture.inactive(s.id(), 1);
        }
        // (0,0) tie -> 1; (1,0) -> 2; (1,1): 1*3 > 1*1 -> 2; (1,2): 3 > 2 -> 2; (1,3): 3 > 3 no -> 1;
        // (2,3): 6 > 3 -> 2; (2,4): 6 > 4 -> 2; (2,5): 6 > 5 -> 2.
        assertEquals("12221222", seq.toString());
    }

    @Test
    void sedIgnoresInactiveConnectionsAndAddsOne()
    {
        final RealServerList list = fixture.listOfWeights(1, 3);
        fixture.inactive(1, 1000);
        fixture.active(2, 2);
        // (0 + 1) * 3 > (2 + 1) * 1 is false: 1 stays.
        final Scheduler sed = new ShortestExpectedDelayScheduler(options);
        assertEquals(1, pickOnce(sed, list));
        fixture.counters.transition(2, false);
        // (0 + 1) * 3 > (1 + 1) * 1.
        assertEquals(2, pickOnce(sed, list));
    }

    @Test
    void nqSendsToTheFirstIdleServerWhateverItsWeight()
    {
        final RealServerList list = fixture.listOfWeights(5, 1, 1);
        fixture.active(1, 1);
        fixture.active(2, 1);
        assertEquals(3, pickOnce(new NeverQueueScheduler(options), list));
    }

    @Test
    void nqFallsBackToSedWhenAllAreBusyAndSkipsIdleQuiescedOnes()
    {
        final RealServerList list = fixture.listOfWeights(1, 4, 0);
        fixture.active(1, 1);
        fixture.active(2, 3);
        // 3 is idle but quiesced. sed: (1 + 1) * 4 > (3 + 1) * 1 -> 2.
        assertEquals(2, pickOnce(new NeverQueueScheduler(options), list));
    }

    @Test
    void foSendsEverythingToTheHeaviestFirstAmongEquals()
    {
        final RealServerList list = fixture.listOfWeights(1, 3, 3);
        fixture.active(2, 100);
        final Scheduler fo = new WeightedFailoverScheduler(options);
        assertEquals(List.of(2, 2, 2), picks(withList(fo, list), fixture, 3));
        fixture.overload(2);
        assertEquals(3, pickOnce(fo, list));
        assertEquals(1, pickOnce(fo, list.withReplaced(list.get(2).withWeight(0))));
    }

    @Test
    void ovfMovesOnWhenTheFirstServerFills()
    {
        final RealServerList list = fixture.listOfWeights(2, 5, 5);
        final Scheduler ovf = new WeightedOverflowScheduler(options);
        ovf.update(list);
        final StringBuilder seq = new StringBuilder();
        for (int i = 0; i < 16; i++)
        {
            final RealServer s = ovf.pick(fixture.flow(1, i), 0);
            seq.append(s == null ? "-" : String.valueOf(s.id()));
            if (s != null)
            {
                fixture.active(s.id(), 1);
            }
        }
        // 2 takes connections while active <= 5 (six of them), then 3 likewise, then 1 up to active 2 (three), then none.
        assertEquals("222222333333111-", seq.toString());
        assertEquals(-1, picks(ovf, fixture, 1).get(0));
    }

    @Test
    void twosDrawsByWeightAndKeepsTheLessLoaded()
    {
        final RealServerList list = fixture.listOfWeights(1, 2, 3);
        fixture.inactive(1, 10);
        final ArrayDeque<Long> draws = new ArrayDeque<>(List.of(0L, 4L, 3L, 3L, 6L, 1L, 1L, 0L));
        final Scheduler twos = new PowerOfTwoChoicesScheduler(options.random(bound ->
        {
            assertEquals(7, bound, "draws are uniform in [0, total weight 6]");
            return draws.removeFirst();
        }));
        twos.update(list);
        // r1 0 -> 1; r2 4 -> 4-1-2-3 <= 0 at 3; 3 * 10 > 1 * 0 -> 3.
        assertEquals(3, picks(twos, fixture, 1).get(0));
        // r1 3, r2 3 -> both 2.
        assertEquals(2, picks(twos, fixture, 1).get(0));
        // r1 6 -> 3, r2 1 -> 1 (1 - 1 = 0): 1 * 0 > 3 * 10 is false -> 3.
        assertEquals(3, picks(twos, fixture, 1).get(0));
        // r1 1 -> 1, r2 0 -> 1.
        assertEquals(1, picks(twos, fixture, 1).get(0));
    }

    @Test
    void twosSkipsQuiescedAndOverloadedInTheDraw()
    {
        final RealServerList list = fixture.listOfWeights(4, 0, 2);
        fixture.overload(1);
        final ArrayDeque<Long> draws = new ArrayDeque<>(List.of(0L, 2L));
        final Scheduler twos = new PowerOfTwoChoicesScheduler(options.random(bound ->
        {
            assertEquals(3, bound, "only server 3 (weight 2) is eligible");
            return draws.removeFirst();
        }));
        assertEquals(3, pickOnce(twos, list));
    }

    private static Scheduler withList(final Scheduler scheduler, final RealServerList list)
    {
        scheduler.update(list);
        return scheduler;
    }
}
