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

    /**
     * The reviewer's interleaving, run step by step on one thread: worker B finds the address absent; worker A
     * then caches it in the first free way; B, going on with its stale lookup, must not cache it again in the next
     * way.
     */
    @Test
    void staleLookupDoesNotCacheTheAddressTwice()
    {
        final LocalityTable table = new LocalityTable(LocalityTable.WAYS, 8, 32, 1_000);
        final FlowKey x = LocalityBasedLeastConnectionSchedulerTest.to(0xCB000101);
        final int fold = RealServer.fold(x.family(), x.dstHi(), x.dstLo());

        assertEquals(LocalityTable.ABSENT, table.find(x.family(), x.dstHi(), x.dstLo(), fold)); // B
        final int a = table.claimFree(x.family(), x.dstHi(), x.dstLo(), fold); // A
        assertEquals(0, a);
        table.publish(a, x.family(), x.dstHi(), x.dstLo(), fold, 0, 0);
        table.release(a);

        assertEquals(LocalityTable.BUSY, table.claimFree(x.family(), x.dstHi(), x.dstLo(), fold)); // B
        assertEquals(1, table.entries());
        assertEquals(1, table.contended());
        assertEquals(1, copies(table, LocalityTable.WAYS, x));
        assertEquals(a, table.find(x.family(), x.dstHi(), x.dstLo(), fold));

        final FlowKey y = LocalityBasedLeastConnectionSchedulerTest.to(0xCB000102);
        final int yFold = RealServer.fold(y.family(), y.dstHi(), y.dstLo());
        assertEquals(1, table.claimFree(y.family(), y.dstHi(), y.dstLo(), yFold), "B released the way it gave up");
        table.release(1);
    }

    /**
     * Two threads adding the same address at once in different ways, which needs a way freed between their scans:
     * A claims way 1 (way 0 holds another address), way 0 is then freed, and B claims way 0 while A still holds
     * way 1. B must see A's claim and give up.
     */
    @Test
    void concurrentInsertsOfOneAddressInDifferentWaysLetOneThrough()
    {
        final LocalityTable table = new LocalityTable(LocalityTable.WAYS, 8, 32, 1_000);
        final FlowKey x = LocalityBasedLeastConnectionSchedulerTest.to(0xCB000201);
        final FlowKey y = LocalityBasedLeastConnectionSchedulerTest.to(0xCB000202);
        final int fold = RealServer.fold(x.family(), x.dstHi(), x.dstLo());
        final int yFold = RealServer.fold(y.family(), y.dstHi(), y.dstLo());
        final int ySlot = table.claimFree(y.family(), y.dstHi(), y.dstLo(), yFold);
        table.publish(ySlot, y.family(), y.dstHi(), y.dstLo(), yFold, 0, 0);
        table.release(ySlot);

        final int a = table.claimFree(x.family(), x.dstHi(), x.dstLo(), fold);
        assertEquals(1, a);
        table.flush(); // frees way 0, leaves A's way 1
        assertEquals(0, table.entries());
        assertEquals(LocalityTable.BUSY, table.claimFree(x.family(), x.dstHi(), x.dstLo(), fold)); // B
        table.publish(a, x.family(), x.dstHi(), x.dstLo(), fold, 0, 0);
        table.release(a);

        assertEquals(1, table.entries());
        assertEquals(1, copies(table, LocalityTable.WAYS, x));
        assertEquals(a, table.find(x.family(), x.dstHi(), x.dstLo(), fold));
        assertEquals(0, table.claimFree(y.family(), y.dstHi(), y.dstLo(), yFold), "B released way 0");
        table.release(0);
    }

    @Test
    void lblcCachesEachAddressOnceUnderRacingInserts() throws Exception
    {
        final LocalityBasedLeastConnectionScheduler s =
            new LocalityBasedLeastConnectionScheduler(new SchedulerOptions(), LocalityTable.WAYS, 32);
        racingInserts(s, s.table);
    }

    @Test
    void lblcrCachesEachAddressOnceUnderRacingInserts() throws Exception
    {
        final ReplicatedLocalityBasedLeastConnectionScheduler s =
            new ReplicatedLocalityBasedLeastConnectionScheduler(new SchedulerOptions(), LocalityTable.WAYS, 32);
        racingInserts(s, s.table);
    }

    /**
     * Workers pick a few addresses of one bucket (the table is one bucket) while the control thread flushes it
     * again and again, so that every address is added by several workers at once after each flush; between
     * flushes no address may be cached in two ways.
     */
    private void racingInserts(final Scheduler scheduler, final LocalityTable table) throws Exception
    {
        final DestinationCounters counters = new DestinationCounters(8);
        final RealServer[] servers = new RealServer[3];
        for (int i = 0; i < servers.length; i++)
        {
            counters.reset(i, 0, 0);
            servers[i] = RealServer.ipv4(i, 0x0A000001 + i, 80, 1);
        }
        scheduler.update(RealServerList.of(counters, servers));
        final FlowKey[] flows = flows(4, 0xCB000300);
        final AtomicBoolean running = new AtomicBoolean(true);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final int workers = Math.max(2, Math.min(4, Runtime.getRuntime().availableProcessors()));
        final CountDownLatch done = new CountDownLatch(workers);
        for (int w = 0; w < workers; w++)
        {
            final int seed = w;
            final Thread t = new Thread(() ->
            {
                try
                {
                    int i = seed;
                    while (running.get())
                    {
                        scheduler.pick(flows[i++ & 3], 0);
                    }
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

        final long end = System.nanoTime() + 1_000_000_000L;
        int rounds = 0;
        try
        {
            while (System.nanoTime() < end && failure.get() == null)
            {
                LockSupport.parkNanos(50_000);
                for (final FlowKey flow : flows)
                {
                    final int copies = copies(table, LocalityTable.WAYS, flow);
                    assertTrue(copies <= 1, copies + " copies of " + flow + " after " + rounds + " flushes");
                }
                table.flush();
                rounds++;
            }
        }
        finally
        {
            running.set(false);
            done.await();
        }
        if (failure.get() != null)
        {
            throw new AssertionError(failure.get());
        }
        assertTrue(rounds > 100, "rounds " + rounds);
    }

    /**
     * @return how many slots hold the flow's destination address, by validated reads; a slot being written at
     * the moment is not counted.
     */
    static int copies(final LocalityTable table, final int capacity, final FlowKey flow)
    {
        int copies = 0;
        for (int slot = 0; slot < capacity; slot++)
        {
            for (int attempt = 0; attempt < 64; attempt++)
            {
                final long version = table.readBegin(slot);
                if (version < 0)
                {
                    Thread.onSpinWait();
                    continue;
                }
                final boolean matches = table.keyMatches(slot, flow.family(), flow.dstHi(), flow.dstLo());
                if (table.readValidate(slot, version))
                {
                    copies += matches ? 1 : 0;
                    break;
                }
            }
        }
        return copies;
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
