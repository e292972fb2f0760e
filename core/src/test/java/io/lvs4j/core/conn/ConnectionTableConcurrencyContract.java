package io.lvs4j.core.conn;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

import static io.lvs4j.core.conn.ConnectionTable.EXISTS;
import static io.lvs4j.core.conn.ConnectionTable.INSERTED;
import static io.lvs4j.core.conn.ConnectionTable.REFUSED_FULL;
import static io.lvs4j.core.conn.ConnectionTable.STALE;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_ACK;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_FIN;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A {@link ConnectionTable} shared by several workers and a sweeper, as the director shares it: racing inserts
 * of one key, racing removals, and a time-bounded mixed workload on a small table, checked for lost entries,
 * duplicates, torn reads and exact destination counts.
 * <p>
 * Torn reads are caught by construction: every entry's real server (address, port, destination id) and method
 * are a fixed function of its key, and every packet adds {@link #PACKET_BYTES} bytes, so any record mixing two
 * entries or two updates of one entry is detectably inconsistent.
 */
public abstract class ConnectionTableConcurrencyContract
{
    /** Bytes every packet of the stress adds. */
    protected static final int PACKET_BYTES = 100;
    /** Destination ids. */
    protected static final int DESTINATIONS = 8;
    /** Table clock at the start. */
    protected static final long T0 = 5_000_000;
    private static final long DERIVATION_SEED = 0x5EED_F00DL;
    private static final int VIP = 0xCB00_710A;
    private static final long CLIENT6_HI = 0x2001_0db8_0001_0000L;
    private static final long VIP6_HI = 0x2001_0db8_0002_0000L;
    private static final long RIP6_HI = 0x2001_0db8_0003_0000L;

    protected DestinationCounters counters;
    protected ConnectionTimeoutProfiles profiles;
    protected ConnectionTable table;

    /**
     * Creates the table under test, empty.
     *
     * @param capacity roughly how many entries it must hold.
     * @param counters the destinations' counts.
     * @param profiles the timeout profiles.
     * @return the table.
     */
    protected abstract ConnectionTable newTable(
        int capacity, DestinationCounters counters, ConnectionTimeoutProfiles profiles);

    /** @return worker threads (besides the sweeper). */
    protected int workers()
    {
        return 3;
    }

    /** @return how long each stress runs. */
    protected long runMillis()
    {
        return 2_000;
    }

    @BeforeEach
    void setUpTable()
    {
        counters = new DestinationCounters(DESTINATIONS);
        for (int d = 0; d < DESTINATIONS; d++)
        {
            counters.reset(d, 0, 0);
        }
        profiles = new ConnectionTimeoutProfiles();
    }

    @AfterEach
    void closeTable()
    {
        if (table != null)
        {
            table.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Insert-if-absent and removal under races
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void racingInsertsOfOneKeyYieldOneEntryAndRacingRemovalsOneRemoval() throws Exception
    {
        table = newTable(512, counters, profiles);
        final int threads = Math.max(2, workers());
        final List<ConnectionRecord> keys = new ArrayList<>();
        for (int i = 0; i < 240; i++)
        {
            keys.add(connection(i, i % 3 == 0)); // a third NAT: reply index under race too
        }
        for (int i = 0; i < 60; i++)
        {
            keys.add(connection6(i, i % 2 == 0));
        }
        final int n = keys.size();
        final CyclicBarrier barrier = new CyclicBarrier(threads);
        final AtomicIntegerArray inserted = new AtomicIntegerArray(n);
        final AtomicIntegerArray winner = new AtomicIntegerArray(n);
        final AtomicIntegerArray removed = new AtomicIntegerArray(n);
        final int[][] seenDestination = new int[threads][n];
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis() / 2);
        final AtomicInteger rounds = new AtomicInteger();

        final Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            ts[t] = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(id * 7919L);
                final ConnectionCursor cursor = table.newCursor();
                final ConnectionRecord mine = new ConnectionRecord();
                final FlowKey key = new FlowKey();
                final int[] order = new int[n];
                try
                {
                    for (int round = 0; round < 100_000; round++)
                    {
                        barrier.await();
                        if (stop.get())
                        {
                            return;
                        }
                        shuffle(order, random);
                        for (final int k : order)
                        {
                            mine.set(keys.get(k));
                            mine.destinationId = id; // who won shows in the entry
                            final int result = table.insert(mine, null, T0, cursor);
                            if (result == INSERTED)
                            {
                                inserted.incrementAndGet(k);
                                winner.set(k, id);
                            }
                            else if (result != EXISTS)
                            {
                                failures.add("insert of key " + k + " answered " + result);
                                continue;
                            }
                            if (!sameKey(keys.get(k), cursor.record()))
                            {
                                failures.add(
                                    "insert " + result + " positioned on " + cursor.record() + " for " + keys.get(k));
                            }
                            seenDestination[id][k] = cursor.record().destinationId;
                        }
                        barrier.await();
                        for (int k = 0; k < n; k++)
                        {
                            if (inserted.get(k) != 1)
                            {
                                failures.add(
                                    "round " + round + " key " + k + " inserted " + inserted.get(k) + " times");
                            }
                            if (seenDestination[id][k] != winner.get(k))
                            {
                                failures.add("round " + round + " key " + k + ": EXISTS on destination " +
                                    seenDestination[id][k] + ", the winner was " + winner.get(k));
                            }
                        }
                        barrier.await();
                        shuffle(order, random);
                        for (final int k : order)
                        {
                            keys.get(k).inboundKey(key);
                            if (table.findIn(key, T0, cursor) && table.remove(cursor))
                            {
                                removed.incrementAndGet(k);
                            }
                        }
                        barrier.await();
                        if (id == 0)
                        {
                            for (int k = 0; k < n; k++)
                            {
                                if (removed.get(k) != 1)
                                {
                                    failures.add(
                                        "round " + round + " key " + k + " removed " + removed.get(k) + " times");
                                }
                                inserted.set(k, 0);
                                removed.set(k, 0);
                            }
                            checkCountsZero(failures, "after round " + round);
                            if (table.size() != 0)
                            {
                                failures.add("after round " + round + " size " + table.size());
                            }
                            rounds.incrementAndGet();
                            stop.set(System.nanoTime() > deadline || !failures.isEmpty());
                        }
                    }
                }
                catch (final Throwable e)
                {
                    failures.add(id + ": " + e);
                    barrier.reset();
                }
            });
            ts[t].start();
        }
        for (final Thread t : ts)
        {
            t.join();
        }
        System.out.printf("%s racing inserts: %d rounds of %d keys x %d threads%n",
            getClass().getSimpleName(), rounds.get(), n, threads);
        assertNoFailures(failures);
        assertTrue(rounds.get() >= 1, "ran at least one round");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyEntryIsFreedExactlyOnceWhenSweepLookupRemoveAndInsertRace() throws Exception
    {
        table = newTable(512, counters, profiles);
        final int threads = Math.max(3, workers());
        final int n = 150;
        final List<ConnectionRecord> keys = new ArrayList<>();
        final List<ConnectionRecord> fresh = new ArrayList<>();
        final List<ConnectionRecord> templates = new ArrayList<>();
        for (int i = 0; i < n; i++)
        {
            keys.add(i % 5 == 4 ? connection6(20_000 + i, i % 2 == 0) : connection(20_000 + i, i % 2 == 0));
            fresh.add(connection(30_000 + i, i % 2 == 1));
        }
        for (int g = 0; g < 10; g++)
        {
            final ConnectionRecord t = template(100 + g);
            t.templateTimeoutMs = 1_000;
            templates.add(t);
        }
        final CyclicBarrier barrier = new CyclicBarrier(threads);
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicBoolean stop = new AtomicBoolean();
        final AtomicInteger rounds = new AtomicInteger();
        final AtomicInteger workersDone = new AtomicInteger();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis() / 2);
        final Thread[] ts = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int id = t;
            ts[t] = new Thread(() ->
            {
                final SplittableRandom random = new SplittableRandom(31L * id + 5);
                final ConnectionCursor[] cursors = new ConnectionCursor[n];
                for (int i = 0; i < n; i++)
                {
                    cursors[i] = table.newCursor();
                }
                final ConnectionCursor scratch = table.newCursor();
                final ConnectionCursor tc = table.newCursor();
                final ConnectionRecord record = new ConnectionRecord();
                final FlowKey key = new FlowKey();
                try
                {
                    for (int round = 0; round < 100_000; round++)
                    {
                        final long born = T0 + round * 1_000_000L;
                        final long dead = born + ConnectionTimeouts.NEW_ENTRY_MS;
                        if (id == 0)
                        {
                            for (int i = 0; i < n; i++)
                            {
                                ConnectionCursor controller = null;
                                if (keys.get(i).family == FlowKey.AF_INET && i % 3 == 0)
                                {
                                    final ConnectionRecord tpl = templates.get(i % templates.size());
                                    if (table.findTemplate(tpl.inboundKey(key), born, tc) ||
                                        table.insert(record.set(tpl), null, born, tc) == INSERTED)
                                    {
                                        controller = tc;
                                    }
                                }
                                if (table.insert(record.set(keys.get(i)), controller, born, scratch) != INSERTED)
                                {
                                    failures.add("round " + round + " could not insert " + keys.get(i));
                                }
                            }
                        }
                        barrier.await();
                        for (int i = 0; i < n; i++)
                        {
                            if (!table.findIn(keys.get(i).inboundKey(key), born, cursors[i]))
                            {
                                failures.add("round " + round + " missing " + keys.get(i));
                            }
                        }
                        barrier.await();
                        // every entry has expired: free them from every side at once; the workers walk the
                        // entries in the same order with different operations so that they collide on each one,
                        // and the sweeper keeps passing over them until the workers are done
                        if (id == 0)
                        {
                            while (workersDone.get() < threads - 1)
                            {
                                table.sweep(dead, 8);
                            }
                        }
                        else
                        {
                            for (int i = 0; i < n; i++)
                            {
                                switch ((i + id + random.nextInt(2)) % 3)
                                {
                                    case 0:
                                        if (table.onPacket(cursors[i], false, TCP_SYN, PACKET_BYTES, dead) != STALE)
                                        {
                                            failures.add("an expired entry took a packet: " + keys.get(i));
                                        }
                                        break;
                                    case 1:
                                        table.remove(cursors[i]);
                                        break;
                                    default:
                                        final ConnectionRecord f = fresh.get(i);
                                        if (table.insert(record.set(f), null, dead, scratch) == INSERTED &&
                                            table.findIn(f.inboundKey(key), dead, scratch))
                                        {
                                            table.remove(scratch);
                                        }
                                        break;
                                }
                            }
                            workersDone.incrementAndGet();
                        }
                        barrier.await();
                        if (id == 0)
                        {
                            workersDone.set(0);
                            // a template the sweep finds still controlling is postponed by 60 s (possibly in
                            // the same pass that then frees its last connection): let the clock run on
                            for (int i = 1; i <= 4; i++)
                            {
                                table.sweep(dead + i * ConnectionTimeouts.CONTROL_RETRY_MS, Integer.MAX_VALUE);
                            }
                            checkCountsZero(failures, "after round " + round);
                            final ConnectionTableStats st = table.stats();
                            if (table.size() != 0 ||
                                st.inserted() != st.removed() + st.expired() + st.reclaimedOnInsert())
                            {
                                failures.add("after round " + round + " size " + table.size() + " inserted " +
                                    st.inserted() + " removed " + st.removed() + " expired " + st.expired() +
                                    " reclaimed " + st.reclaimedOnInsert());
                            }
                            rounds.incrementAndGet();
                            stop.set(System.nanoTime() > deadline || !failures.isEmpty());
                        }
                        barrier.await();
                        if (stop.get())
                        {
                            return;
                        }
                    }
                }
                catch (final Throwable e)
                {
                    failures.add(id + ": " + e);
                    barrier.reset();
                }
            });
            ts[t].start();
        }
        for (final Thread t : ts)
        {
            t.join();
        }
        System.out.printf("%s freeing races: %d rounds of %d entries x %d threads%n", getClass().getSimpleName(),
            rounds.get(), n, threads);
        assertNoFailures(failures);
        assertTrue(rounds.get() >= 1);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void readersNeverSeeATornEntry() throws Exception
    {
        table = newTable(256, counters, profiles);
        final int hot = 8;
        final List<ConnectionRecord> keys = new ArrayList<>();
        for (int i = 0; i < hot; i++)
        {
            final ConnectionRecord r = i % 2 == 0 ? connection(i, true) : connection6(i, true);
            keys.add(r);
            final ConnectionCursor c = table.newCursor();
            assertEquals(INSERTED, table.insert(new ConnectionRecord().set(r), null, T0, c));
            table.onPacket(c, false, TCP_SYN, PACKET_BYTES, T0);
            table.onPacket(c, false, TCP_ACK, PACKET_BYTES, T0);
        }
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong reads = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(runMillis() / 4);
        final Thread writer = new Thread(() ->
        {
            final ConnectionCursor[] cursors = new ConnectionCursor[hot];
            final FlowKey key = new FlowKey();
            for (int i = 0; i < hot; i++)
            {
                cursors[i] = table.newCursor();
                table.findIn(keys.get(i).inboundKey(key), T0, cursors[i]);
            }
            long n = 0;
            while (System.nanoTime() < deadline)
            {
                for (int i = 0; i < hot; i++)
                {
                    if (table.onPacket(cursors[i], (n & 1) == 0, TCP_ACK, PACKET_BYTES, T0) != TcpState.ESTABLISHED)
                    {
                        failures.add("hot entry left ESTABLISHED: " + cursors[i].record());
                    }
                }
                n++;
            }
            writes.addAndGet(n * hot);
        });
        final Thread[] readers = new Thread[Math.max(1, workers() - 1)];
        for (int t = 0; t < readers.length; t++)
        {
            final int id = t;
            readers[t] = new Thread(() ->
            {
                final ConnectionCursor c = table.newCursor();
                final FlowKey key = new FlowKey();
                long n = 0;
                while (System.nanoTime() < deadline && failures.size() < 20)
                {
                    final ConnectionRecord k = keys.get((int)(n % hot));
                    final boolean found = (n + id) % 3 == 0 ?
                        table.findOut(k.outboundKey(key), T0, c) : table.findIn(k.inboundKey(key), T0, c);
                    if (!found)
                    {
                        failures.add("hot entry not found: " + k);
                    }
                    else
                    {
                        final String why = inconsistency(c.record());
                        if (why != null || !sameKey(k, c.record()))
                        {
                            failures.add("torn read (" + why + "): " + c.record());
                        }
                    }
                    n++;
                }
                reads.addAndGet(n);
            });
        }
        writer.start();
        for (final Thread r : readers)
        {
            r.start();
        }
        writer.join();
        for (final Thread r : readers)
        {
            r.join();
        }
        System.out.printf("%s torn reads: %d reads against %d writes%n", getClass().getSimpleName(), reads.get(),
            writes.get());
        assertNoFailures(failures);
        assertTrue(reads.get() > 0 && writes.get() > 0);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Mixed workload
    // ---------------------------------------------------------------------------------------------------------

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mixedWorkloadLosesNothingDuplicatesNothingTearsNothing() throws Exception
    {
        table = newTable(512, counters, profiles);
        final int owners = workers();
        final AtomicLong clock = new AtomicLong(T0);
        final AtomicBoolean running = new AtomicBoolean(true);
        final Queue<String> failures = new ConcurrentLinkedQueue<>();
        final AtomicLong operations = new AtomicLong();
        final AtomicLong lookupsChecked = new AtomicLong();

        // the key universe: per owner 60 IPv4 connections (a third NAT) under 4 templates and 15 IPv6 ones;
        // 1,200 IPv4 keys every worker races on, which with the owners' keys are more than twice the table's
        // capacity: inserts are refused and reclaim expired entries while other workers use them
        final int perOwnerV4 = 60;
        final int perOwnerV6 = 15;
        final List<ConnectionRecord> shared = new ArrayList<>();
        for (int i = 0; i < 1_200; i++)
        {
            shared.add(connection(10_000 + i, i % 2 == 0));
        }
        final List<List<ConnectionRecord>> owned = new ArrayList<>();
        final List<List<ConnectionRecord>> templates = new ArrayList<>();
        final List<ConnectionRecord> everything = new ArrayList<>(shared);
        for (int o = 0; o < owners; o++)
        {
            final List<ConnectionRecord> mine = new ArrayList<>();
            for (int i = 0; i < perOwnerV4; i++)
            {
                mine.add(connection(o * 1000 + i, i % 3 == 0));
            }
            for (int i = 0; i < perOwnerV6; i++)
            {
                mine.add(connection6(o * 1000 + i, i % 3 == 0));
            }
            final List<ConnectionRecord> tpls = new ArrayList<>();
            for (int g = 0; g < 4; g++)
            {
                tpls.add(template(o * 16 + g));
            }
            owned.add(mine);
            templates.add(tpls);
            everything.addAll(mine);
            everything.addAll(tpls);
        }
        final Owner[] models = new Owner[owners];

        final long start = System.nanoTime();
        final long deadline = start + TimeUnit.MILLISECONDS.toNanos(runMillis());
        final Thread sweeper = new Thread(() ->
        {
            try
            {
                while (running.get())
                {
                    // the table clock runs 1000 times faster than the wall clock, so that every timeout (3 s
                    // for new entries, 60 to 900 s for TCP states) runs out many times within the run
                    final long now = T0 + (System.nanoTime() - start) / 1_000;
                    clock.accumulateAndGet(now, Math::max);
                    table.sweep(clock.get(), 32);
                    Thread.yield();
                }
            }
            catch (final Throwable e)
            {
                failures.add("sweeper: " + e);
            }
        });
        final Thread[] ts = new Thread[owners];
        for (int o = 0; o < owners; o++)
        {
            final Owner owner = new Owner(o, owned.get(o), templates.get(o), shared, everything, clock, failures,
                lookupsChecked);
            models[o] = owner;
            ts[o] = new Thread(() ->
            {
                try
                {
                    while (System.nanoTime() < deadline && failures.size() < 20)
                    {
                        owner.step();
                        operations.incrementAndGet();
                    }
                }
                catch (final Throwable e)
                {
                    failures.add("owner " + owner.id + ": " + e);
                    e.printStackTrace();
                }
            });
        }
        sweeper.start();
        for (final Thread t : ts)
        {
            t.start();
        }
        for (final Thread t : ts)
        {
            t.join();
        }
        running.set(false);
        sweeper.join();
        assertNoFailures(failures);

        // quiescent: sweep everything that has expired, then the listing, the counts and the models must agree
        final long now = clock.get();
        for (int i = 0; i < 3; i++)
        {
            table.sweep(now, Integer.MAX_VALUE);
        }
        final Map<String, ConnectionRecord> listed = new HashMap<>();
        final int[] active = new int[DESTINATIONS];
        final int[] inactive = new int[DESTINATIONS];
        final int[] persistent = new int[DESTINATIONS];
        final Map<String, Integer> controlCounts = new HashMap<>();
        table.forEach(now, r ->
        {
            final String id = identityOf(r);
            if (listed.put(id, new ConnectionRecord().set(r)) != null)
            {
                failures.add("listed twice: " + r);
            }
            final String why = inconsistency(r);
            if (why != null)
            {
                failures.add("listed entry " + why + ": " + r);
            }
            if (r.isTemplate())
            {
                persistent[r.destinationId]++;
                controlCounts.put(id, r.controlCount);
            }
            else if ((r.flags & ConnectionFlags.INACTIVE) != 0)
            {
                inactive[r.destinationId]++;
            }
            else
            {
                active[r.destinationId]++;
            }
        });
        for (int d = 0; d < DESTINATIONS; d++)
        {
            if (counters.active(d) != active[d] || counters.inactive(d) != inactive[d] ||
                counters.persistent(d) != persistent[d])
            {
                failures.add("destination " + d + " counts " + counters.active(d) + "/" + counters.inactive(d) + "/" +
                    counters.persistent(d) + " but the table holds " + active[d] + "/" + inactive[d] + "/" +
                    persistent[d] + " (active/inactive/persistent)");
            }
        }
        if (table.size() != listed.size())
        {
            failures.add("size " + table.size() + " but " + listed.size() + " listed after a full sweep");
        }
        final ConnectionTableStats s = table.stats();
        if (s.inserted() - s.removed() - s.expired() - s.reclaimedOnInsert() != table.size())
        {
            failures.add("every entry leaves once: inserted " + s.inserted() + " removed " + s.removed() + " expired " +
                s.expired() + " reclaimed " + s.reclaimedOnInsert() + " size " + table.size());
        }
        final Map<String, Integer> expectedControl = new HashMap<>();
        for (final Owner owner : models)
        {
            owner.checkFinal(now, listed, expectedControl);
        }
        for (final Map.Entry<String, Integer> e : controlCounts.entrySet())
        {
            final int expected = expectedControl.getOrDefault(e.getKey(), 0);
            if (e.getValue() != expected)
            {
                failures.add("template " + e.getKey() + " controls " + e.getValue() + ", live connections under it: " +
                    expected);
            }
        }
        System.out.printf("%s mixed: %d operations, %d checked lookups, %d listed at the end; inserted %d removed %d " +
            "expired %d reclaimed %d refused %d; clock +%d s%n", getClass().getSimpleName(), operations.get(),
            lookupsChecked.get(), listed.size(), s.inserted(), s.removed(), s.expired(), s.reclaimedOnInsert(),
            s.refusedFull(), (now - T0) / 1000);
        assertNoFailures(failures);
        assertTrue(operations.get() > 1_000, "the stress did some work: " + operations.get());
        assertTrue(lookupsChecked.get() > 0);
    }

    /** One worker: owns some keys (and knows what the table must say about them), races on the shared ones. */
    private final class Owner
    {
        private static final int ABSENT = 0;
        private static final int PRESENT = 1;

        final int id;
        private final List<ConnectionRecord> keys;
        private final List<ConnectionRecord> templates;
        private final List<ConnectionRecord> shared;
        private final List<ConnectionRecord> everything;
        private final AtomicLong clock;
        private final Queue<String> failures;
        private final AtomicLong lookupsChecked;
        private final SplittableRandom random;
        private final int[] presence;
        private final long[] lastExpiry;
        private final int[] lastState;
        private final boolean[] controlled;
        private final ConnectionCursor cursor;
        private final ConnectionCursor templateCursor;
        private final ConnectionCursor sharedCursor;
        private final ConnectionRecord record = new ConnectionRecord();
        private final FlowKey key = new FlowKey();

        Owner(
            final int id,
            final List<ConnectionRecord> keys,
            final List<ConnectionRecord> templates,
            final List<ConnectionRecord> shared,
            final List<ConnectionRecord> everything,
            final AtomicLong clock,
            final Queue<String> failures,
            final AtomicLong lookupsChecked)
        {
            this.id = id;
            this.keys = keys;
            this.templates = templates;
            this.shared = shared;
            this.everything = everything;
            this.clock = clock;
            this.failures = failures;
            this.lookupsChecked = lookupsChecked;
            this.random = new SplittableRandom(0xC0FFEE + id);
            this.presence = new int[keys.size()];
            this.lastExpiry = new long[keys.size()];
            this.lastState = new int[keys.size()];
            this.controlled = new boolean[keys.size()];
            this.cursor = table.newCursor();
            this.templateCursor = table.newCursor();
            this.sharedCursor = table.newCursor();
        }

        void step()
        {
            final int dice = random.nextInt(100);
            if (dice < 55)
            {
                ownedStep(random.nextInt(keys.size()));
            }
            else if (dice < 75)
            {
                sharedStep(shared.get(random.nextInt(shared.size())));
            }
            else
            {
                readAnything(everything.get(random.nextInt(everything.size())));
            }
        }

        private void ownedStep(final int k)
        {
            final ConnectionRecord proto = keys.get(k);
            proto.inboundKey(key);
            if (presence[k] == ABSENT)
            {
                final long now = clock.get();
                if (table.findIn(key, now, cursor))
                {
                    failures.add(
                        "owner " + id + " found an entry it never inserted or had removed: " + cursor.record());
                    return;
                }
                insertOwned(k, proto);
                return;
            }
            final int op = random.nextInt(10);
            final long now = clock.get();
            if (op < 4)
            {
                final boolean found = table.findIn(key, now, cursor);
                if (!found)
                {
                    lostUnlessExpired(k, "findIn");
                    return;
                }
                checkOwned(k, cursor.record(), "findIn");
            }
            else if (op < 5 && proto.method() == ConnectionFlags.MASQ)
            {
                proto.outboundKey(key);
                if (!table.findOut(key, now, cursor))
                {
                    lostUnlessExpired(k, "findOut");
                    return;
                }
                checkOwned(k, cursor.record(), "findOut");
            }
            else if (op < 8)
            {
                if (!table.findIn(key, now, cursor))
                {
                    lostUnlessExpired(k, "findIn before a packet");
                    return;
                }
                final int flags = random.nextInt(8) == 0 ? TCP_FIN | TCP_ACK : TCP_ACK;
                final int state = table.onPacket(cursor, false, flags, PACKET_BYTES, now);
                if (state == STALE)
                {
                    lostUnlessExpired(k, "onPacket");
                    return;
                }
                lastState[k] = state;
                lastExpiry[k] = cursor.record().expiresAtMs;
            }
            else if (op < 9 || random.nextBoolean())
            {
                // mostly leave it alone: the entry then idles out (NONE after 3 s, FIN_WAIT after 120 s)
                if (!table.findIn(key, now, cursor))
                {
                    lostUnlessExpired(k, "findIn");
                    return;
                }
                checkOwned(k, cursor.record(), "findIn");
            }
            else
            {
                if (!table.findIn(key, now, cursor))
                {
                    lostUnlessExpired(k, "findIn before remove");
                    return;
                }
                if (!table.remove(cursor))
                {
                    if (clock.get() < lastExpiry[k])
                    {
                        failures.add("owner " + id + " could not remove its live entry " + proto);
                    }
                }
                presence[k] = ABSENT;
            }
        }

        private void insertOwned(final int k, final ConnectionRecord proto)
        {
            ConnectionCursor controller = null;
            if (proto.family == FlowKey.AF_INET)
            {
                final ConnectionRecord tpl = templates.get(k % templates.size());
                final long now = clock.get();
                tpl.inboundKey(key);
                if (table.findTemplate(key, now, templateCursor))
                {
                    controller = templateCursor;
                }
                else
                {
                    record.set(tpl);
                    final int result = table.insert(record, null, now, templateCursor);
                    if (result == INSERTED || result == EXISTS)
                    {
                        controller = templateCursor;
                    }
                }
                if (controller != null)
                {
                    checkConsistent(controller.record(), "template");
                }
            }
            final long now = clock.get();
            record.set(proto);
            final int result = table.insert(record, controller, now, cursor);
            if (result == REFUSED_FULL)
            {
                return;
            }
            if (result != INSERTED)
            {
                failures.add("owner " + id + " inserting its own absent key got " + result + ": " + cursor.record());
                return;
            }
            checkOwned(k, cursor.record(), "insert");
            presence[k] = PRESENT;
            controlled[k] = controller != null;
            lastExpiry[k] = cursor.record().expiresAtMs;
            lastState[k] = TcpState.NONE;
            if (random.nextInt(3) == 0)
            {
                return; // left in NONE: it expires 3 s later, for the sweep or a lookup to notice
            }
            for (final int flags : new int[] {TCP_SYN, TCP_ACK})
            {
                final int state = table.onPacket(cursor, false, flags, PACKET_BYTES, clock.get());
                if (state == STALE)
                {
                    lostUnlessExpired(k, "onPacket after insert");
                    return;
                }
                lastState[k] = state;
                lastExpiry[k] = cursor.record().expiresAtMs;
            }
        }

        private void lostUnlessExpired(final int k, final String where)
        {
            if (clock.get() < lastExpiry[k])
            {
                failures.add("owner " + id + " lost its entry (" + where + ", expiry " + lastExpiry[k] + ", clock " +
                    clock.get() + "): " + keys.get(k));
            }
            presence[k] = ABSENT;
        }

        private void checkOwned(final int k, final ConnectionRecord r, final String where)
        {
            checkConsistent(r, where);
            if (!sameKey(keys.get(k), r))
            {
                failures.add(where + " of " + keys.get(k) + " gave " + r);
            }
            if (!where.equals("insert") && r.state != lastState[k])
            {
                failures.add(where + " shows state " + TcpState.name(r.state) + " after " +
                    TcpState.name(lastState[k]) + ": " + r);
            }
            lookupsChecked.incrementAndGet();
        }

        private void sharedStep(final ConnectionRecord proto)
        {
            final long now = clock.get();
            final int op = random.nextInt(10);
            if (op < 4)
            {
                record.set(proto);
                final int result = table.insert(record, null, now, sharedCursor);
                if (result == INSERTED || result == EXISTS)
                {
                    checkConsistent(sharedCursor.record(), "shared insert");
                    if (!sameKey(proto, sharedCursor.record()))
                    {
                        failures.add("shared insert positioned elsewhere: " + sharedCursor.record());
                    }
                }
                return;
            }
            proto.inboundKey(key);
            if (!table.findIn(key, now, sharedCursor))
            {
                return;
            }
            checkConsistent(sharedCursor.record(), "shared findIn");
            if (op == 4)
            {
                table.remove(sharedCursor);
            }
            else
            {
                final int flags = sharedCursor.record().state == TcpState.NONE ? TCP_SYN : TCP_ACK;
                final int state = table.onPacket(sharedCursor, random.nextBoolean(), flags, PACKET_BYTES, now);
                if (state != STALE && state != sharedCursor.record().state)
                {
                    failures.add("onPacket answered " + state + " but the record says " + sharedCursor.record());
                }
            }
        }

        private void readAnything(final ConnectionRecord proto)
        {
            final long now = clock.get();
            if (proto.isTemplate())
            {
                proto.inboundKey(key);
                if (table.findTemplate(key, now, sharedCursor))
                {
                    checkConsistent(sharedCursor.record(), "findTemplate");
                }
                return;
            }
            if (proto.method() == ConnectionFlags.MASQ && random.nextBoolean())
            {
                proto.outboundKey(key);
                if (table.findOut(key, now, sharedCursor))
                {
                    checkConsistent(sharedCursor.record(), "findOut");
                    if (!sameKey(proto, sharedCursor.record()))
                    {
                        failures.add("findOut of " + key + " gave " + sharedCursor.record());
                    }
                }
                return;
            }
            proto.inboundKey(key);
            if (table.findIn(key, now, sharedCursor))
            {
                checkConsistent(sharedCursor.record(), "findIn");
                if (!sameKey(proto, sharedCursor.record()))
                {
                    failures.add("findIn of " + key + " gave " + sharedCursor.record());
                }
            }
        }

        private void checkConsistent(final ConnectionRecord r, final String where)
        {
            final String why = inconsistency(r);
            if (why != null)
            {
                failures.add("torn or wrong record from " + where + " (" + why + "): " + r);
            }
        }

        void checkFinal(final long now, final Map<String, ConnectionRecord> listed, final Map<String, Integer> control)
        {
            for (int k = 0; k < keys.size(); k++)
            {
                final ConnectionRecord proto = keys.get(k);
                final ConnectionRecord r = listed.get(identityOf(proto));
                if (presence[k] == PRESENT && now < lastExpiry[k])
                {
                    if (r == null)
                    {
                        failures.add("owner " + id + "'s live entry is missing at the end: " + proto);
                        continue;
                    }
                    if (r.state != lastState[k])
                    {
                        failures.add("final state " + TcpState.name(r.state) + " expected " +
                            TcpState.name(lastState[k]) + ": " + r);
                    }
                    if (controlled[k])
                    {
                        control.merge(identityOf(templates.get(k % templates.size())), 1, Integer::sum);
                    }
                }
                else if (presence[k] == ABSENT && r != null)
                {
                    failures.add("owner " + id + "'s removed or refused entry is listed: " + r);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Keys and their derived real servers
    // ---------------------------------------------------------------------------------------------------------

    /** An IPv4 TCP connection number {@code i}: DR to VIP:80 or NAT to VIP:8080, real server derived from the key. */
    protected static ConnectionRecord connection(final int i, final boolean nat)
    {
        final ConnectionRecord r = new ConnectionRecord();
        r.family = FlowKey.AF_INET;
        r.protocol = IpProtocol.TCP;
        r.clientLo = (0xC633_0000L | (i & 0xFFFF)) & 0xFFFF_FFFFL; // 198.51.x.y
        r.clientPort = 1024 + (i % 50_000);
        r.virtualLo = VIP & 0xFFFF_FFFFL;
        r.virtualPort = nat ? 8080 : 80;
        r.flags = (nat ? ConnectionFlags.MASQ : ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT) |
            ConnectionFlags.INACTIVE;
        derive(r);
        return r;
    }

    /** An IPv6 TCP connection number {@code i}. */
    protected static ConnectionRecord connection6(final int i, final boolean nat)
    {
        final ConnectionRecord r = new ConnectionRecord();
        r.family = FlowKey.AF_INET6;
        r.protocol = IpProtocol.TCP;
        r.clientHi = CLIENT6_HI;
        r.clientLo = i;
        r.clientPort = 2048 + (i % 50_000);
        r.virtualHi = VIP6_HI;
        r.virtualLo = 10;
        r.virtualPort = nat ? 8443 : 443;
        r.flags = (nat ? ConnectionFlags.MASQ : ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT) |
            ConnectionFlags.INACTIVE;
        derive(r);
        return r;
    }

    /** A DR persistence template for client network number {@code net}; it outlives any run. */
    protected static ConnectionRecord template(final int net)
    {
        final ConnectionRecord r = new ConnectionRecord();
        r.family = FlowKey.AF_INET;
        r.protocol = IpProtocol.TCP;
        r.clientLo = 0xC633_C800L | (net & 0xFF); // 198.51.200.net
        r.virtualLo = VIP & 0xFFFF_FFFFL;
        r.virtualPort = 80;
        r.flags =
            ConnectionFlags.TEMPLATE | ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT | ConnectionFlags.INACTIVE;
        r.templateTimeoutMs = 100_000_000;
        derive(r);
        return r;
    }

    private static void derive(final ConnectionRecord r)
    {
        final long h = derivation(r);
        r.destinationId = (int)(h & (DESTINATIONS - 1));
        r.destPort = 1024 + (int)((h >>> 8) & 0x7FFF);
        if (r.family == FlowKey.AF_INET6)
        {
            r.destHi = RIP6_HI;
            r.destLo = h >>> 24;
        }
        else
        {
            r.destLo = 0xC000_0200L | ((h >>> 24) & 0xFF); // 192.0.2.x
        }
    }

    private static long derivation(final ConnectionRecord r)
    {
        return FlowKey.hashOf(
            DERIVATION_SEED, r.family, r.protocol, r.clientHi, r.clientLo, r.clientPort, r.virtualHi, r.virtualLo,
            r.virtualPort + (r.isTemplate() ? 0x10000 : 0));
    }

    /**
     * Why a record read from the table cannot be a snapshot of one entry, or null when it is consistent.
     *
     * @param r the record.
     * @return the reason, or null.
     */
    protected static String inconsistency(final ConnectionRecord r)
    {
        final long h = derivation(r);
        if (r.destinationId != (int)(h & (DESTINATIONS - 1)))
        {
            return "destination id";
        }
        if (r.destPort != 1024 + (int)((h >>> 8) & 0x7FFF))
        {
            return "dest port";
        }
        if (r.family == FlowKey.AF_INET6 ? r.destLo != h >>> 24 || r.destHi != RIP6_HI :
            r.destLo != (0xC000_0200L | ((h >>> 24) & 0xFF)))
        {
            return "dest address";
        }
        final boolean natPort = r.virtualPort == 8080 || r.virtualPort == 8443;
        if ((r.method() == ConnectionFlags.MASQ) != natPort)
        {
            return "method";
        }
        if (r.bytes != r.packets * PACKET_BYTES)
        {
            return "packets and bytes";
        }
        if (!r.isTemplate() && (r.state == TcpState.ESTABLISHED) == ((r.flags & ConnectionFlags.INACTIVE) != 0))
        {
            return "INACTIVE does not match the state";
        }
        return null;
    }

    private static boolean sameKey(final ConnectionRecord a, final ConnectionRecord b)
    {
        return identityOf(a).equals(identityOf(b));
    }

    private static String identityOf(final ConnectionRecord r)
    {
        return r.family + "/" + r.protocol + "/" + r.clientHi + ":" + r.clientLo + "." + r.clientPort + ">" +
            r.virtualHi + ":" + r.virtualLo + "." + r.virtualPort + (r.isTemplate() ? "T" : "");
    }

    private static void shuffle(final int[] order, final SplittableRandom random)
    {
        for (int i = 0; i < order.length; i++)
        {
            order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--)
        {
            final int j = random.nextInt(i + 1);
            final int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private void checkCountsZero(final Queue<String> failures, final String when)
    {
        for (int d = 0; d < DESTINATIONS; d++)
        {
            if (counters.active(d) != 0 || counters.inactive(d) != 0 || counters.persistent(d) != 0)
            {
                failures.add(when + ": destination " + d + " counts " + counters.active(d) + "/" +
                    counters.inactive(d) + "/" + counters.persistent(d));
            }
        }
    }

    private static void assertNoFailures(final Queue<String> failures)
    {
        if (!failures.isEmpty())
        {
            final Set<String> distinct = new HashSet<>();
            final StringBuilder sb = new StringBuilder(failures.size() + " failures, first ones:\n");
            for (final String f : failures)
            {
                if (distinct.add(f) && distinct.size() <= 15)
                {
                    sb.append("  ").append(f).append('\n');
                }
            }
            fail(sb.toString());
        }
        assertEquals(0, failures.size());
    }
}
