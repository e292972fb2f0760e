package io.lvs4j.bench;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.conn.chronicle.ChronicleConnectionTable;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

/**
 * The connection table's hot operations, for the default off-heap table, the Chronicle Map table and a
 * {@code ConcurrentHashMap} baseline ({@link ChmConnectionTable}), at three table sizes, with one and two
 * threads: a lookup that hits (random keys of the live set), a lookup that misses, and an insert followed by the
 * removal of the same (fresh) key. Run with {@code -prof gc} for allocation per operation.
 * <p>
 * Keys are IPv4 TCP flows, client 100.64.0.0/10 to one VIP, derived from an index (client address from its
 * high bits, port from its low bits), so that 8 million keys need no key array; the random order of the lookups
 * is precomputed. Entries are direct-routing connections (no reply index). The table clock is fixed, so no
 * entry expires while measured.
 * <p>
 * Capacity {@code entries + 4096} for all three: the off-heap table sizes its slots for that many entries at
 * most three quarters full (rounded up to a power of two, its design point); the Chronicle and baseline tables
 * hold exactly that many. Lookups are single (no batch prefetch), the same call for every implementation.
 * Each trial runs in its own JVM with an 8 GiB heap (the baseline's 8 million entries live on it) and 4 GiB of
 * direct memory (the off-heap table's regions); the Chronicle table maps a file under {@code java.io.tmpdir}
 * (page cache; about 2 GB at 8 million entries), deleted after the trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms8g", "-Xmx8g", "-XX:MaxDirectMemorySize=4g"})
@State(Scope.Benchmark)
public class ConnectionTableBenchmark
{
    private static final int VIP = 0xCB00_710A;             // 203.0.113.10
    private static final int CLIENT_BASE = 0x6440_0000;     // 100.64.0.0/10
    private static final long NOW = 1_700_000_000_000L;
    private static final int ORDER_LENGTH = 1 << 20;
    private static final int ORDER_MASK = ORDER_LENGTH - 1;
    private static final long MISS_BASE = 1L << 28;
    private static final long INSERT_BASE = 1L << 29;
    private static final int INSERT_SPACE = 1 << 24;
    private static final int HEADROOM = 4096;
    private static final int DESTINATIONS = 16;
    private static final int BATCH = 8;

    /** Implementation: the default off-heap table, the Chronicle Map table, or the ConcurrentHashMap baseline. */
    @Param({"offheap", "chronicle", "chm"})
    public String impl;

    /** Live entries in the table while measuring. */
    @Param({"65536", "1048576", "8388608"})
    public int entries;

    ConnectionTable table;
    final int[] hitOrder = new int[ORDER_LENGTH];
    private Path dir;
    private final AtomicInteger threadIds = new AtomicInteger();

    /**
     * Creates the table and fills it with {@link #entries} connections, on two threads.
     *
     * @throws Exception when the table cannot be created or filled.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final DestinationCounters counters = new DestinationCounters(DESTINATIONS);
        for (int d = 0; d < DESTINATIONS; d++)
        {
            counters.reset(d, 0, 0);
        }
        final ConnectionTimeoutProfiles profiles = new ConnectionTimeoutProfiles();
        final int capacity = entries + HEADROOM;
        switch (impl)
        {
            case "offheap":
                table = new OffHeapConnectionTable(capacity, counters, profiles);
                break;
            case "chronicle":
                dir = Files.createTempDirectory("lvs4j-bench-");
                table = ChronicleConnectionTable.createOrRecover(dir.resolve("connections.cmap"), capacity, counters, profiles);
                break;
            case "chm":
                table = new ChmConnectionTable(capacity, counters);
                break;
            default:
                throw new IllegalArgumentException(impl);
        }
        final long start = System.nanoTime();
        fill();
        System.out.printf("%n# filled %s with %,d entries in %,d ms (size %,d)%n",
            impl, entries, (System.nanoTime() - start) / 1_000_000, table.size());

        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < ORDER_LENGTH; i++)
        {
            hitOrder[i] = random.nextInt(entries);
        }
    }

    private void fill() throws InterruptedException
    {
        final int threads = 2;
        final AtomicReference<RuntimeException> failure = new AtomicReference<>();
        final Thread[] fillers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            final int first = t;
            fillers[t] = new Thread(() ->
            {
                final ConnectionCursor cursor = table.newCursor();
                final FlowKey key = new FlowKey();
                final ConnectionRecord record = new ConnectionRecord();
                for (int i = first; i < entries; i += threads)
                {
                    final int result = table.insert(connection(i, key, record), null, NOW, cursor);
                    if (result != ConnectionTable.INSERTED)
                    {
                        failure.compareAndSet(null, new IllegalStateException("insert " + i + " gave " + result));
                        return;
                    }
                }
            });
            fillers[t].start();
        }
        for (final Thread filler : fillers)
        {
            filler.join();
        }
        if (failure.get() != null)
        {
            throw failure.get();
        }
    }

    /** Closes the table and deletes its files. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        table.close();
        if (dir != null)
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    static FlowKey key(final long index, final FlowKey key)
    {
        return key.setV4(IpProtocol.TCP, CLIENT_BASE + (int)(index >>> 10), 1024 + (int)(index & 0x3FF), VIP, 80);
    }

    static ConnectionRecord connection(final long index, final FlowKey key, final ConnectionRecord record)
    {
        record.clear();
        record.fromInbound(key(index, key));
        record.destLo = 0xC000_0200L | (index & 0x0F);   // 192.0.2.0/28
        record.destPort = 80;
        record.destinationId = (int)(index & 0x0F);
        record.flags = ConnectionFlags.DROUTE | ConnectionFlags.INACTIVE | ConnectionFlags.NOOUTPUT;
        return record;
    }

    /** One benchmark thread's cursor, keys and position in the precomputed order. */
    @State(Scope.Thread)
    public static class Worker
    {
        ConnectionCursor cursor;
        final FlowKey key = new FlowKey();
        final FlowKey[] batch = new FlowKey[BATCH];
        final ConnectionRecord record = new ConnectionRecord();
        int next;
        long insertBase;
        int insertSequence;

        /**
         * Takes a cursor and a disjoint slice of fresh keys for this thread.
         *
         * @param benchmark the shared table.
         */
        @Setup(Level.Trial)
        public void setUp(final ConnectionTableBenchmark benchmark)
        {
            final int id = benchmark.threadIds.getAndIncrement();
            cursor = benchmark.table.newCursor();
            for (int i = 0; i < BATCH; i++)
            {
                batch[i] = new FlowKey();
            }
            next = id * 104_729;
            insertBase = INSERT_BASE + (long)id * INSERT_SPACE;
        }
    }

    private boolean hit(final Worker w)
    {
        return table.findIn(key(hitOrder[w.next++ & ORDER_MASK], w.key), NOW, w.cursor);
    }

    /**
     * Looks up a batch of 8 live connections as a worker handles a batch of frames: the off-heap table first
     * starts loading every home slot ({@code prefetchIn}), then looks them up, so the batch's cache misses
     * overlap; the other implementations have no such call and look up one after another. Reported per lookup.
     *
     * @param w the thread's state.
     * @return how many were found (always 8).
     */
    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(BATCH)
    public int lookupHitBatch8(final Worker w)
    {
        final FlowKey[] keys = w.batch;
        long touched = 0;
        for (int i = 0; i < BATCH; i++)
        {
            key(hitOrder[w.next++ & ORDER_MASK], keys[i]);
        }
        if (table instanceof OffHeapConnectionTable)
        {
            final OffHeapConnectionTable offHeap = (OffHeapConnectionTable)table;
            for (int i = 0; i < BATCH; i++)
            {
                touched += offHeap.prefetchIn(keys[i]);
            }
        }
        int found = (int)(touched & 0);
        for (int i = 0; i < BATCH; i++)
        {
            if (table.findIn(keys[i], NOW, w.cursor))
            {
                found++;
            }
        }
        return found;
    }

    private boolean miss(final Worker w)
    {
        return table.findIn(key(MISS_BASE + hitOrder[w.next++ & ORDER_MASK], w.key), NOW, w.cursor);
    }

    private boolean insertThenRemove(final Worker w)
    {
        final long index = w.insertBase + (w.insertSequence++ & (INSERT_SPACE - 1));
        return table.insert(connection(index, w.key, w.record), null, NOW, w.cursor) == ConnectionTable.INSERTED &&
            table.remove(w.cursor);
    }

    /**
     * Looks up a live connection, one thread.
     *
     * @param w the thread's state.
     * @return found (always true).
     */
    @Benchmark
    @Threads(1)
    public boolean lookupHit(final Worker w)
    {
        return hit(w);
    }

    /**
     * Looks up a live connection, two threads.
     *
     * @param w the thread's state.
     * @return found (always true).
     */
    @Benchmark
    @Threads(2)
    public boolean lookupHit2T(final Worker w)
    {
        return hit(w);
    }

    /**
     * Looks up an absent key (a new connection's first packet), one thread.
     *
     * @param w the thread's state.
     * @return found (always false).
     */
    @Benchmark
    @Threads(1)
    public boolean lookupMiss(final Worker w)
    {
        return miss(w);
    }

    /**
     * Looks up an absent key, two threads.
     *
     * @param w the thread's state.
     * @return found (always false).
     */
    @Benchmark
    @Threads(2)
    public boolean lookupMiss2T(final Worker w)
    {
        return miss(w);
    }

    /**
     * Inserts a fresh connection and removes it again, one thread.
     *
     * @param w the thread's state.
     * @return true when both succeeded.
     */
    @Benchmark
    @Threads(1)
    public boolean insertRemove(final Worker w)
    {
        return insertThenRemove(w);
    }

    /**
     * Inserts a fresh connection and removes it again, two threads on disjoint keys.
     *
     * @param w the thread's state.
     * @return true when both succeeded.
     */
    @Benchmark
    @Threads(2)
    public boolean insertRemove2T(final Worker w)
    {
        return insertThenRemove(w);
    }
}
