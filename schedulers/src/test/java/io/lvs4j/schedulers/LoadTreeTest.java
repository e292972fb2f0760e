package io.lvs4j.schedulers;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * The tournament tree behind lc, wlc, sed, nq, fo and ovf gives exactly the kernel scan's choice: after every load change in
 * random sequences (binds, unbinds, state changes, thresholds, list edits), and once concurrent changes from
 * several threads have stopped.
 */
class LoadTreeTest
{
    private static final String[] NAMES = {"lc", "wlc", "sed", "nq", "fo", "ovf", "twos"};

    /** Draws that can be replayed, so the tree and the scan see the same two random numbers. */
    private static final class ReplayRandom implements RandomSource
    {
        private long seed;
        private int calls;

        void reset(final long seed)
        {
            this.seed = seed;
            calls = 0;
        }

        @Override
        public long nextLong(final long bound)
        {
            return Math.floorMod(io.lvs4j.core.flow.FlowKey.mix(seed * 31 + calls++), bound);
        }
    }

    private final ReplayRandom draws = new ReplayRandom();

    private int scan(final String name, final RealServerList list)
    {
        switch (name)
        {
            case "lc":
                return LoadScan.leastConnection(list);
            case "wlc":
                return LoadScan.weightedLeastConnection(list);
            case "sed":
                return LoadScan.shortestExpectedDelay(list, false);
            case "nq":
                return LoadScan.shortestExpectedDelay(list, true);
            case "fo":
                return LoadScan.weightedFailover(list);
            case "twos":
                return LoadScan.twoChoices(list, draws);
            default:
                return LoadScan.weightedOverflow(list);
        }
    }

    private void assertSameChoice(final String name, final Scheduler scheduler, final RealServerList list,
        final ServiceFixture fixture, final String step)
    {
        final long seed = step.hashCode();
        draws.reset(seed);
        final int expected = scan(name, list);
        draws.reset(seed);
        final RealServer got = scheduler.pick(fixture.flow(1, 1), 0);
        if (expected < 0)
        {
            assertNull(got, step);
        }
        else
        {
            assertSame(list.get(expected), got, step);
        }
    }

    @Test
    void treeMatchesTheScanAfterEveryChange()
    {
        for (final String name : NAMES)
        {
            PropertyCheck.forAll(name + " tree == scan", 200, random ->
            {
                final ServiceFixture fixture = new ServiceFixture();
                final Scheduler scheduler = SchedulerRegistry.builtIn().create(name, new SchedulerOptions().random(draws).loadTreeAbove(0));
                RealServerList list = randomList(fixture, random, 1 + random.nextInt(random.nextBoolean() ? 8 : 150));
                scheduler.update(list);
                final List<Integer> ids = new ArrayList<>();
                for (int step = 0; step < 300; step++)
                {
                    final int op = random.nextInt(100);
                    if (op < 2)
                    {
                        list = SchedulerConformanceTest.mutate(fixture, list, random);
                        scheduler.update(list);
                    }
                    else if (op < 50)
                    {
                        // A new connection to the chosen server, as the director does after a pick.
                        final RealServer s = scheduler.pick(fixture.flow(1, step), 0);
                        if (s != null)
                        {
                            fixture.counters.bind(s.id(), ConnectionFlags.INACTIVE);
                            ids.add(s.id());
                        }
                    }
                    else
                    {
                        changeLoad(fixture, list, random);
                    }
                    assertSameChoice(name, scheduler, list, fixture, name + " step " + step + " op " + op);
                }
                scheduler.close();
            });
        }
    }

    @Test
    void tiesGoToTheEarlierServerAsTheScanDoes()
    {
        final ServiceFixture fixture = new ServiceFixture();
        final Scheduler wlc = new WeightedLeastConnectionScheduler(new SchedulerOptions().loadTreeAbove(0));
        // Eight equal servers: ties everywhere, the first in list order must win at every level of the tree.
        final RealServerList list = fixture.listOfWeights(2, 2, 2, 2, 2, 2, 2, 2);
        wlc.update(list);
        assertEquals(1, wlc.pick(fixture.flow(1, 1), 0).id());
        fixture.inactive(1, 1);
        assertEquals(2, wlc.pick(fixture.flow(1, 1), 0).id());
        fixture.inactive(5, 1);
        fixture.inactive(2, 1);
        assertEquals(3, wlc.pick(fixture.flow(1, 1), 0).id());
        fixture.counters.unbind(5, ConnectionFlags.INACTIVE);
        fixture.inactive(3, 1);
        fixture.inactive(4, 1);
        assertEquals(5, wlc.pick(fixture.flow(1, 1), 0).id());
    }

    @Test
    void shortListsAreScannedWithoutListeners()
    {
        final ServiceFixture fixture = new ServiceFixture();
        final Scheduler wlc = new WeightedLeastConnectionScheduler(new SchedulerOptions());
        final int[] weights = new int[SchedulerOptions.DEFAULT_LOAD_TREE_ABOVE + 1];
        java.util.Arrays.fill(weights, 1);
        final RealServerList longList = fixture.listOfWeights(weights);
        final RealServerList shortList = longList.withRemoved(longList.id(0));
        wlc.update(shortList);
        assertNull(fixture.counters.listener(shortList.id(0)), "a short list is scanned: nothing listens");
        assertSameChoice("wlc", wlc, shortList, fixture, "short list");
        wlc.update(longList);
        assertSame(wlc, fixture.counters.listener(shortList.id(0)), "a long list keeps a tree");
        fixture.inactive(longList.id(0), 1);
        assertSameChoice("wlc", wlc, longList, fixture, "long list");
        wlc.update(shortList);
        assertNull(fixture.counters.listener(shortList.id(0)), "back to a short list: listeners released");
        assertSameChoice("wlc", wlc, shortList, fixture, "short list again");
    }

    @Test
    void closeStopsListening()
    {
        final ServiceFixture fixture = new ServiceFixture();
        final Scheduler lc = new LeastConnectionScheduler(new SchedulerOptions().loadTreeAbove(0));
        final RealServerList list = fixture.listOfWeights(1, 1);
        lc.update(list);
        assertSame(lc, fixture.counters.listener(1));
        lc.update(list.withRemoved(2));
        assertNull(fixture.counters.listener(2), "a removed server is no longer heard");
        lc.close();
        assertNull(fixture.counters.listener(1));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentChangesSettleOnTheScansChoice() throws Exception
    {
        for (final String name : NAMES)
        {
            for (int round = 0; round < 20; round++)
            {
                final ServiceFixture fixture = new ServiceFixture();
                final SplittableRandom seed = new SplittableRandom(round * 31L + name.hashCode());
                final Scheduler scheduler = SchedulerRegistry.builtIn().create(name, new SchedulerOptions().random(draws).loadTreeAbove(0));
                final RealServerList list = randomList(fixture, seed, 2 + seed.nextInt(200));
                scheduler.update(list);
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                final CountDownLatch start = new CountDownLatch(1);
                final List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++)
                {
                    final SplittableRandom random = seed.split();
                    final Thread thread = new Thread(() ->
                    {
                        try
                        {
                            start.await();
                            for (int i = 0; i < 3000; i++)
                            {
                                final RealServer s = scheduler.pick(fixture.flow(1, i), 0);
                                if (s != null && random.nextBoolean())
                                {
                                    fixture.counters.bind(s.id(), ConnectionFlags.INACTIVE);
                                }
                                changeLoad(fixture, list, random);
                            }
                        }
                        catch (final Throwable e)
                        {
                            failure.compareAndSet(null, e);
                        }
                    });
                    thread.start();
                    threads.add(thread);
                }
                start.countDown();
                for (final Thread thread : threads)
                {
                    thread.join();
                }
                assertNull(failure.get());
                assertSameChoice(name, scheduler, list, fixture, name + " round " + round + " after the race");
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aChangeRacingTheUpdateThatReAddsAServerIsNotLost() throws Exception
    {
        // A server comes back (re-added after a delete, when it no longer had a listener) while a worker picks
        // from the new list and then changes that server's count once. Once both are done the tree must agree
        // with the scan. Publishing the new tree before listening to the server lost such a change: the worker's
        // pick rebuilt the tree, its unbind reached no listener, and nothing corrected the stale key afterwards.
        final ServiceFixture fixture = new ServiceFixture();
        final RealServer[] servers = new RealServer[301];
        for (int i = 0; i < 300; i++)
        {
            servers[i] = fixture.server(i + 2, 1);
            fixture.inactive(i + 2, 2);
        }
        // Last in list order: listened to last, and it loses ties, so only its own drop to 1 makes it the choice.
        servers[300] = fixture.server(1, 1);
        final RealServerList with = fixture.list(servers);
        final RealServerList without = with.withRemoved(1);
        final Scheduler wlc = new WeightedLeastConnectionScheduler(new SchedulerOptions().loadTreeAbove(0));
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int round = 0; round < 2000 && failure.get() == null; round++)
        {
            wlc.update(without);
            fixture.counters.reset(1, 0, 0);
            fixture.inactive(1, 2);
            final CountDownLatch started = new CountDownLatch(1);
            final Thread worker = new Thread(() ->
            {
                try
                {
                    started.countDown();
                    while (wlc.servers() != with)
                    {
                        Thread.onSpinWait();
                    }
                    wlc.pick(fixture.flow(1, 1), 0);
                    fixture.counters.unbind(1, ConnectionFlags.INACTIVE);
                }
                catch (final Throwable e)
                {
                    failure.compareAndSet(null, e);
                }
            });
            worker.start();
            started.await();
            wlc.update(with);
            worker.join();
            assertNull(failure.get());
            assertSameChoice("wlc", wlc, with, fixture, "round " + round);
        }
        wlc.close();
    }

    static RealServerList randomList(final ServiceFixture fixture, final SplittableRandom random, final int n)
    {
        final RealServer[] servers = new RealServer[n];
        for (int i = 0; i < n; i++)
        {
            servers[i] = fixture.server(i + 1, random.nextInt(5) == 0 ? 0 : 1 + random.nextInt(4));
            fixture.inactive(i + 1, random.nextInt(3));
            fixture.active(i + 1, random.nextInt(2));
        }
        return fixture.list(servers);
    }

    /** One load change on a random server: a bind, an unbind, a state change or a threshold change. */
    static void changeLoad(final ServiceFixture fixture, final RealServerList list, final SplittableRandom random)
    {
        if (list.isEmpty())
        {
            return;
        }
        final int id = list.id(random.nextInt(list.size()));
        switch (random.nextInt(6))
        {
            case 0:
                fixture.counters.bind(id, ConnectionFlags.INACTIVE);
                break;
            case 1:
                if (fixture.counters.inactive(id) > 0)
                {
                    fixture.counters.unbind(id, ConnectionFlags.INACTIVE);
                }
                break;
            case 2:
                if (fixture.counters.inactive(id) > 0)
                {
                    fixture.counters.transition(id, true);
                }
                break;
            case 3:
                if (fixture.counters.active(id) > 0)
                {
                    fixture.counters.unbind(id, 0);
                }
                break;
            case 4:
                fixture.counters.setThresholds(id, 1 + random.nextInt(8), 0);
                fixture.counters.bind(id, ConnectionFlags.INACTIVE);
                break;
            default:
                fixture.counters.setThresholds(id, 0, 0);
                break;
        }
    }
}
