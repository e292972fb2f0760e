package io.lvs4j.schedulers;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * lblc and lblcr under concurrent picks, updates and collections, and their allocation on the hot path.
 */
class LocalitySchedulersConcurrencyTest
{
    static final int ADDRESSES = 2_000;

    static FlowKey[] flows(final int count, final int first)
    {
        final FlowKey[] flows = new FlowKey[count];
        for (int i = 0; i < count; i++)
        {
            flows[i] = i % 4 == 3 ?
                new FlowKey().setV6(6, 1, 2, 40000, 0x20010DB800000000L, first + i, 80) :
                LocalityBasedLeastConnectionSchedulerTest.to(first + i);
        }
        return flows;
    }

    @Test
    void lblcPicksRacingUpdatesAndCollections() throws Exception
    {
        race(() -> new LocalityBasedLeastConnectionScheduler(new SchedulerOptions().lblcExpirationMs(1_000), 256, 32));
    }

    @Test
    void lblcrPicksRacingUpdatesAndCollections() throws Exception
    {
        race(() -> new ReplicatedLocalityBasedLeastConnectionScheduler(
            new SchedulerOptions().lblcExpirationMs(1_000), 256, 32));
    }

    /**
     * Workers pick over many addresses while the control thread swaps between lists (a server deleted, one added,
     * one quiesced, one re-weighted), moves load and collects with a fast clock. A pick overlapping at most one
     * update must return a server of the list before or after it; nothing may throw.
     */
    private void race(final Supplier<Scheduler> factory) throws Exception
    {
        final DestinationCounters counters = new DestinationCounters(64);
        final RealServer[] servers = new RealServer[6];
        for (int i = 0; i < servers.length; i++)
        {
            counters.reset(i, 0, 0);
            servers[i] = RealServer.ipv4(i, 0x0A000001 + i, 80, 1 + i % 3);
        }
        final List<RealServerList> lists = new ArrayList<>();
        final RealServerList base = RealServerList.of(counters, servers[0], servers[1], servers[2], servers[3]);
        lists.add(base);
        lists.add(base.withRemoved(0).withAdded(servers[4]));
        lists.add(base.withReplaced(servers[1].withWeight(0)).withAdded(servers[5]));
        lists.add(base.withReplaced(servers[2].withWeight(7)).withRemoved(3));
        lists.add(RealServerList.of(counters, servers[5]));

        final Scheduler scheduler = factory.get();
        scheduler.update(base);
        final FlowKey[] flows = flows(ADDRESSES, 0xCB000000);
        final AtomicLong updates = new AtomicLong(); // odd while an update is in progress
        final AtomicLong clock = new AtomicLong();
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final AtomicLong checked = new AtomicLong();
        final int workers = 3;
        final CountDownLatch done = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++)
        {
            final int seed = w;
            final Thread t = new Thread(() ->
            {
                try
                {
                    int i = seed * 7919;
                    long local = 0;
                    while (running.get())
                    {
                        i = (i + 31) % ADDRESSES;
                        final long u0 = updates.get();
                        final RealServerList before = scheduler.servers();
                        final RealServer picked = scheduler.pick(flows[i], clock.get());
                        final RealServerList after = scheduler.servers();
                        final long u1 = updates.get();
                        if ((u0 & 1) == 0 && u1 - u0 <= 2)
                        {
                            if (picked == null ? !before.isEmpty() && !after.isEmpty() &&
                                hasEligible(before) && hasEligible(after) :
                                !before.contains(picked) && !after.contains(picked))
                            {
                                throw new AssertionError(picked + " not in " + before + " nor " + after);
                            }
                            local++;
                        }
                        if (picked != null && (i & 7) == 0)
                        {
                            counters.bind(picked.id(), ConnectionFlags.INACTIVE);
                            counters.transition(picked.id(), true);
                        }
                    }
                    checked.addAndGet(local);
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
                finally
                {
                    done.countDown();
                }
            });
            t.start();
        }

        final long end = System.nanoTime() + 1_500_000_000L;
        int round = 0;
        while (System.nanoTime() < end && failure.get() == null)
        {
            updates.incrementAndGet();
            scheduler.update(lists.get(round % lists.size()));
            updates.incrementAndGet();
            for (int k = 0; k < 20; k++)
            {
                clock.addAndGet(5_000);
                scheduler.tick(clock.get());
                LockSupport.parkNanos(20_000);
            }
            for (final RealServer s : servers)
            {
                counters.reset(s.id(), 0, 0);
            }
            round++;
        }
        running.set(false);
        done.await();
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
        assertTrue(checked.get() > 10_000, "checked " + checked.get());
        assertTrue(round > 10, "rounds " + round);
    }

    private static boolean hasEligible(final RealServerList list)
    {
        for (int i = 0; i < list.size(); i++)
        {
            if (list.isEligible(i))
            {
                return true;
            }
        }
        return false;
    }

    @Test
    void lblcPickAllocatesNothing()
    {
        assertNoAllocation(new LocalityBasedLeastConnectionScheduler(new SchedulerOptions()));
    }

    @Test
    void lblcrPickAllocatesNothing()
    {
        assertNoAllocation(new ReplicatedLocalityBasedLeastConnectionScheduler(new SchedulerOptions()));
    }

    private static void assertNoAllocation(final Scheduler scheduler)
    {
        final DestinationCounters counters = new DestinationCounters(16);
        final RealServer[] servers = new RealServer[4];
        for (int i = 0; i < servers.length; i++)
        {
            counters.reset(i, 0, 0);
            servers[i] = RealServer.ipv4(i, 0x0A000001 + i, 80, 1 + i);
        }
        scheduler.update(RealServerList.of(counters, servers));
        final FlowKey[] flows = flows(2 * ADDRESSES, 0xCB100000);
        final com.sun.management.ThreadMXBean bean =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long thread = Thread.currentThread().getId();
        long now = 0;
        for (int i = 0; i < 300_000; i++) // warm-up: the first half of the addresses, entries and the JIT
        {
            final FlowKey flow = flows[i % ADDRESSES];
            final RealServer s = scheduler.pick(flow, now++);
            if ((i & 15) == 0)
            {
                counters.bind(s.id(), ConnectionFlags.INACTIVE);
                counters.transition(s.id(), (i & 16) == 0);
            }
        }
        long sink = 0;
        final long before = bean.getThreadAllocatedBytes(thread);
        for (int i = 0; i < 100_000; i++) // hits, and new addresses being cached
        {
            final RealServer s = scheduler.pick(flows[(i * 7) % flows.length], now++);
            sink += s.id();
        }
        final long allocated = bean.getThreadAllocatedBytes(thread) - before;
        assertTrue(sink >= 0);
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes in 100k picks");
    }

    @Test
    void emptySchedulerPicksNothing()
    {
        final LocalityBasedLeastConnectionScheduler lblc =
            new LocalityBasedLeastConnectionScheduler(new SchedulerOptions());
        final ReplicatedLocalityBasedLeastConnectionScheduler lblcr =
            new ReplicatedLocalityBasedLeastConnectionScheduler(new SchedulerOptions());
        assertNull(lblc.pick(flows(1, 1)[0], 0));
        assertNull(lblcr.pick(flows(1, 1)[0], 0));
        assertEquals(0, lblc.servers().size());
        assertEquals(0, lblcr.servers().size());
    }
}
