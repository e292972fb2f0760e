package io.lvs4j.schedulers;

import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.lvs4j.schedulers.ServiceFixture.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * wrr against {@code ip_vs_wrr_schedule} and {@code ip_vs_wrr_dest_changed}. Each expected sequence is the
 * kernel's walk done by hand; the comments give the (cl, cw) steps.
 */
class WeightedRoundRobinSchedulerTest
{
    private final ServiceFixture fixture = new ServiceFixture();
    private final WeightedRoundRobinScheduler wrr = new WeightedRoundRobinScheduler(new SchedulerOptions());

    @Test
    void referenceExampleFourThreeTwo()
    {
        // di 1, mw 4: cw 4 -> A; cw 3 -> A, B; cw 2 -> A, B, C; cw 1 -> A, B, C; then cw wraps to 4.
        wrr.update(fixture.listOfWeights(4, 3, 2));
        assertEquals(List.of(1, 1, 2, 1, 2, 3, 1, 2, 3, 1, 1, 2), picks(wrr, fixture, 12));
    }

    @Test
    void weightsOneAndTwoOverThreePicks()
    {
        // List A(1), B(2): di 1, mw 2. cw 2 -> B; cw 1 -> A, B.
        wrr.update(fixture.listOfWeights(1, 2));
        assertEquals(List.of(2, 1, 2), picks(wrr, fixture, 3));
    }

    @Test
    void seedObservationWeightsOneAndTwoGiveAThirdAndTwoThirdsOfWholeCycles()
    {
        wrr.update(fixture.listOfWeights(1, 2));
        final List<Integer> ids = picks(wrr, fixture, 300);
        assertEquals(100, ids.stream().filter(id -> id == 1).count());
        assertEquals(200, ids.stream().filter(id -> id == 2).count());
    }

    @Test
    void gcdSteppingSkipsLevelsNoWeightCanReach()
    {
        // Weights 4 and 2: di 2, mw 4 - (2 - 1) = 3. cw 3 -> A; cw 1 -> A, B; cw -1 wraps to 3.
        wrr.update(fixture.listOfWeights(4, 2));
        assertEquals(List.of(1, 1, 2, 1, 1, 2), picks(wrr, fixture, 6));
    }

    @Test
    void overloadedHeavyServerLeavesTheLightOneAlone()
    {
        // A(2) overloaded, B(1): every pick ends at cw 1 with B, including the restarted last pass.
        wrr.update(fixture.listOfWeights(2, 1));
        fixture.overload(1);
        assertEquals(List.of(2, 2, 2, 2), picks(wrr, fixture, 4));
    }

    @Test
    void allOverloadedGivesNoneFromAnyPosition()
    {
        wrr.update(fixture.listOfWeights(2, 1));
        assertEquals(List.of(1, 1, 2), picks(wrr, fixture, 3));
        fixture.overload(1);
        fixture.overload(2);
        assertEquals(List.of(-1, -1), picks(wrr, fixture, 2));
    }

    @Test
    void allQuiescedGivesNone()
    {
        wrr.update(fixture.listOfWeights(0, 0));
        assertEquals(List.of(-1), picks(wrr, fixture, 1));
    }

    @Test
    void weightChangeRestartsFromTheHeadAndKeepsTheCurrentWeight()
    {
        final RealServerList list = fixture.listOfWeights(1, 2);
        wrr.update(list);
        assertEquals(List.of(2), picks(wrr, fixture, 1));
        // B 2 -> 3: cl back to the head, mw 3, cw stays 2 (not above mw, not 0, di 1).
        wrr.update(list.withReplaced(list.get(1).withWeight(3)));
        // cw 2 -> B; cw 1 -> A, B; cw 3 -> B; cw 2 -> B.
        assertEquals(List.of(2, 1, 2, 2, 2), picks(wrr, fixture, 5));
    }

    @Test
    void changeWithGcdAboveOneRoundsTheCurrentWeight()
    {
        final RealServerList list = fixture.listOfWeights(4, 1);
        wrr.update(list);
        // di 1, mw 4: cw 4 -> A; cw 3 -> A; cw 2 -> A; now cl A, cw 2.
        assertEquals(List.of(1, 1, 1), picks(wrr, fixture, 3));
        // B 1 -> 2: di 2, mw 3; cw 2 is not above 3 so it becomes (2 / 2) * 2 + 1 = 3.
        wrr.update(list.withReplaced(list.get(1).withWeight(2)));
        // cw 3 -> A; cw 1 -> A, B; wrap to 3 -> A.
        assertEquals(List.of(1, 1, 2, 1), picks(wrr, fixture, 4));
    }

    @Test
    void gcdOfPositiveWeights()
    {
        assertEquals(6, WeightedRoundRobinScheduler.gcd(12, 18));
        assertEquals(1, WeightedRoundRobinScheduler.gcd(7, 5));
    }
}
