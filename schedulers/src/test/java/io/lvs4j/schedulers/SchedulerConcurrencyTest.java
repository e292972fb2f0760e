package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workers pick concurrently with each other and with the control plane changing servers and weights: nothing
 * throws, every pick is a server some published list held with a positive weight, and the round-robin schedulers
 * keep exact shares across threads (their compare-and-set state makes concurrent picks one sequence).
 */
class SchedulerConcurrencyTest
{
    private static final int PICKERS = 2;

    static Stream<String> names()
    {
        return SchedulerRegistry.builtIn().names().stream();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void roundRobinSharesStayExactAcrossThreads() throws Exception
    {
        final ServiceFixture fixture = new ServiceFixture();
        final Scheduler rr = new RoundRobinScheduler(new SchedulerOptions());
        rr.update(fixture.listOfWeights(1, 1, 1));
        final long[] counts = pickFromThreads(rr, 30_000, 4);
        assertEquals(20_000, counts[1]);
        assertEquals(20_000, counts[2]);
        assertEquals(20_000, counts[3]);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void weightedRoundRobinSharesStayExactAcrossThreads() throws Exception
    {
        final ServiceFixture fixture = new ServiceFixture();
        final Scheduler wrr = new WeightedRoundRobinScheduler(new SchedulerOptions());
        wrr.update(fixture.listOfWeights(1, 2, 3));
        final long[] counts = pickFromThreads(wrr, 30_000, 4);
        assertEquals(10_000, counts[1]);
        assertEquals(20_000, counts[2]);
        assertEquals(30_000, counts[3]);
    }

    private static long[] pickFromThreads(final Scheduler scheduler, final int picksPerThread, final int ids)
        throws Exception
    {
        final AtomicLongArray counts = new AtomicLongArray(ids);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final CountDownLatch start = new CountDownLatch(1);
        final List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < PICKERS; t++)
        {
            final Thread thread = new Thread(() ->
            {
                final FlowKey flow = new FlowKey().setV4(6, 0xC633_6401, 1000, 0xCB00_710A, 80);
                try
                {
                    start.await();
                    for (int i = 0; i < picksPerThread; i++)
                    {
                        counts.incrementAndGet(scheduler.pick(flow, 0).id());
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
        final long[] result = new long[ids];
        for (int i = 0; i < ids; i++)
        {
            result[i] = counts.get(i);
        }
        return result;
    }

    @ParameterizedTest
    @MethodSource("names")
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void picksRaceListChangesSafely(final String name) throws Exception
    {
        final ServiceFixture fixture = new ServiceFixture();
        final Scheduler scheduler =
            SchedulerRegistry.builtIn().create(name, new SchedulerOptions().maglevTableSize(1021).mhTableSize(251).loadTreeAbove(0));
        final Set<RealServer> published = ConcurrentHashMap.newKeySet();
        final SplittableRandom random = new SplittableRandom(name.hashCode());
        RealServerList list = SchedulerConformanceTest.randomList(fixture, random);
        published.addAll(members(list));
        scheduler.update(list);

        final AtomicBoolean done = new AtomicBoolean();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final long[] picked = new long[PICKERS];
        final AtomicLong attempts = new AtomicLong();
        final List<Thread> pickers = new ArrayList<>();
        for (int t = 0; t < PICKERS; t++)
        {
            final int index = t;
            final Thread thread = new Thread(() ->
            {
                final FlowKey flow = new FlowKey();
                int i = 0;
                try
                {
                    while (!done.get())
                    {
                        flow.setV4(6, 0xC633_6400 + (i & 63), 1024 + (i & 7), 0xCB00_7100 + (i & 15), 80);
                        final RealServer s = scheduler.pick(flow, i);
                        if (s != null)
                        {
                            if (!published.contains(s) || s.weight() <= 0)
                            {
                                throw new AssertionError("picked " + s + ", never published with a weight");
                            }
                            picked[index]++;
                        }
                        i++;
                        attempts.lazySet(attempts.get() + 1);
                    }
                }
                catch (final Throwable e)
                {
                    failure.compareAndSet(null, e);
                }
            });
            thread.start();
            pickers.add(thread);
        }
        try
        {
            for (int change = 0; change < 2_000 && failure.get() == null; change++)
            {
                // Let the pickers work on every list: wait for a few picks (bounded, in case they died).
                final long seen = attempts.get();
                final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(5);
                while (attempts.get() < seen + 20 && System.nanoTime() < deadline)
                {
                    Thread.onSpinWait();
                }
                list = SchedulerConformanceTest.mutate(fixture, list, random);
                // Publish to the checker before the scheduler can hand a new value out.
                published.addAll(members(list));
                scheduler.update(list);
                scheduler.tick(change * 1000L);
            }
        }
        finally
        {
            done.set(true);
            for (final Thread thread : pickers)
            {
                thread.join();
            }
        }
        if (failure.get() != null)
        {
            throw new AssertionError(name + " failed under concurrent updates", failure.get());
        }
        assertTrue(picked[0] + picked[1] > 0, name + " never picked anything");
    }

    private static List<RealServer> members(final RealServerList list)
    {
        final List<RealServer> servers = new ArrayList<>();
        for (int i = 0; i < list.size(); i++)
        {
            servers.add(list.get(i));
        }
        return servers;
    }
}
