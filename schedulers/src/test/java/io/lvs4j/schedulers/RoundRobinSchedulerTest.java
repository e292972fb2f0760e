package io.lvs4j.schedulers;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.lvs4j.schedulers.ServiceFixture.picks;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** rr against the walk of {@code ip_vs_rr_schedule} and {@code ip_vs_rr_del_dest}, worked out by hand. */
class RoundRobinSchedulerTest
{
    private final ServiceFixture fixture = new ServiceFixture();
    private final RoundRobinScheduler rr = new RoundRobinScheduler(new SchedulerOptions());

    @Test
    void seedObservationTwoServersHundredConnectionsSplitFiftyFifty()
    {
        rr.update(fixture.listOfWeights(1, 1));
        final List<Integer> ids = picks(rr, fixture, 100);
        assertEquals(50, ids.stream().filter(id -> id == 1).count());
        assertEquals(50, ids.stream().filter(id -> id == 2).count());
    }

    @Test
    void takesTurnsInListOrderFromTheHead()
    {
        rr.update(fixture.listOfWeights(1, 5, 1));
        assertEquals(List.of(1, 2, 3, 1, 2, 3, 1), picks(rr, fixture, 7));
    }

    @Test
    void skipsQuiescedAndOverloadedServers()
    {
        rr.update(fixture.listOfWeights(1, 0, 1, 1));
        fixture.overload(4);
        assertEquals(List.of(1, 3, 1, 3), picks(rr, fixture, 4));
    }

    @Test
    void noEligibleServerGivesNoneAndKeepsThePointer()
    {
        final RealServer a = fixture.server(1, 1);
        final RealServer b = fixture.server(2, 1);
        final RealServer c = fixture.server(3, 1);
        rr.update(fixture.list(a, b, c));
        assertEquals(List.of(1), picks(rr, fixture, 1));
        rr.update(fixture.list(a.withWeight(0), b.withWeight(0), c.withWeight(0)));
        assertEquals(List.of(-1, -1), picks(rr, fixture, 2));
        rr.update(fixture.list(a, b, c));
        // The pointer stayed on 1 through the failed picks, so the turn continues with 2.
        assertEquals(List.of(2, 3, 1), picks(rr, fixture, 3));
    }

    @Test
    void deletingThePointedServerMovesThePointerToItsPredecessor()
    {
        final RealServerList abc = fixture.listOfWeights(1, 1, 1);
        rr.update(abc);
        assertEquals(List.of(1, 2), picks(rr, fixture, 2));
        rr.update(abc.withRemoved(2));
        // ip_vs_rr_del_dest: the pointer was on 2, it moves to 1, so 3 comes next.
        assertEquals(List.of(3, 1, 3), picks(rr, fixture, 3));
    }

    @Test
    void deletingSeveralServersAtOnceWalksBackToTheNearestSurvivor()
    {
        final RealServerList list = fixture.listOfWeights(1, 1, 1, 1);
        rr.update(list);
        assertEquals(List.of(1, 2, 3), picks(rr, fixture, 3));
        rr.update(list.withRemoved(3).withRemoved(2));
        assertEquals(List.of(4, 1, 4), picks(rr, fixture, 3));
    }

    @Test
    void deletingTheFirstServerWhilePointedAtGoesBackToTheHead()
    {
        final RealServerList list = fixture.listOfWeights(1, 1, 1);
        rr.update(list);
        assertEquals(List.of(1), picks(rr, fixture, 1));
        rr.update(list.withRemoved(1));
        assertEquals(List.of(2, 3, 2), picks(rr, fixture, 3));
    }

    @Test
    void addingAServerKeepsThePointerWhereItWas()
    {
        final RealServerList list = fixture.listOfWeights(1, 1);
        rr.update(list);
        assertEquals(List.of(1), picks(rr, fixture, 1));
        // The new server goes to the head: list 9, 1, 2 with the pointer still on 1.
        rr.update(list.withAdded(fixture.server(9, 1)));
        assertEquals(List.of(2, 9, 1, 2), picks(rr, fixture, 4));
    }

    @Test
    void emptyListGivesNone()
    {
        assertNull(rr.pick(fixture.flow(1, 1), 0));
        rr.update(fixture.list());
        assertNull(rr.pick(fixture.flow(1, 1), 0));
    }
}
