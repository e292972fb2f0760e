package io.lvs4j.bench;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.conn.TcpStateMachine;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.forwarder.sync.SyncMaster;
import io.lvs4j.forwarder.sync.SyncOptions;
import io.lvs4j.forwarder.sync.SyncStats;

/**
 * One scan of the connection-sync master ({@link SyncMaster#scan}) over an off-heap table of established TCP
 * connections in the steady state: every entry is known from earlier scans and nothing is due (two packets each,
 * below the default threshold of 3), the common case of a director whose connections are idle or between
 * threshold crossings. {@link #forEach} is the floor: the bare {@link ConnectionTable#forEach} over the same table
 * with a consumer that only reads one field. Run with {@code -prof gc} for bytes per scan.
 * <p>
 * The master is never started: its socket is not opened, so nothing is sent anywhere (the start-up dumps made by
 * the set-up scans are dropped). The set-up runs the scans at the start, 1 s and 3 s later, so that the measured
 * scans are past the start-up dumps; the clock then stays fixed, so no entry expires and none is due.
 * Keys are those of {@link ConnectionTableBenchmark} (IPv4, client 100.64.0.0/10, one VIP).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g", "-XX:MaxDirectMemorySize=2g"})
@State(Scope.Benchmark)
public class SyncMasterScanBenchmark
{
    private static final long NOW = 1_700_000_000_000L;
    private static final long STEADY = NOW + 3_000;
    private static final int DESTINATIONS = 16;

    /** Established connections in the table. */
    @Param({"10000", "100000", "1000000"})
    public int entries;

    private ConnectionTable table;
    private SyncMaster master;
    private long sink;
    private final Consumer<ConnectionRecord> reader = r -> sink += r.packets;

    /**
     * Fills the table with established connections and runs the start-up scans.
     *
     * @throws Exception when the table cannot be filled.
     */
    @Setup(Level.Trial)
    public void setUp() throws Exception
    {
        final DestinationCounters counters = new DestinationCounters(DESTINATIONS);
        for (int d = 0; d < DESTINATIONS; d++)
        {
            counters.reset(d, 0, 0);
        }
        table = new OffHeapConnectionTable(entries + 4096, counters, new ConnectionTimeoutProfiles());
        final ConnectionCursor cursor = table.newCursor();
        final FlowKey key = new FlowKey();
        final ConnectionRecord record = new ConnectionRecord();
        for (int i = 0; i < entries; i++)
        {
            if (table.insert(ConnectionTableBenchmark.connection(i, key, record), null, NOW, cursor) !=
                ConnectionTable.INSERTED)
            {
                throw new IllegalStateException("insert " + i);
            }
            table.onPacket(cursor, false, TcpStateMachine.TCP_SYN, 60, NOW);
            if (table.onPacket(cursor, false, TcpStateMachine.TCP_ACK, 52, NOW) != TcpState.ESTABLISHED)
            {
                throw new IllegalStateException("not established: " + i);
            }
        }
        // never opened: the unicast peer (the discard port on loopback) is never sent to
        master = new SyncMaster(table, new SyncOptions().syncId(1).unicast(
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 9), new InetSocketAddress(0)), new SyncStats());
        master.scan(NOW);
        master.scan(NOW + 1_000);
        master.scan(STEADY);
        final int sent = master.scan(STEADY);
        if (sent != 0)
        {
            throw new IllegalStateException("steady state expected, yet " + sent + " entries were due");
        }
    }

    /** Releases the table. */
    @TearDown(Level.Trial)
    public void tearDown()
    {
        master.close();
        table.close();
    }

    /**
     * One steady-state scan.
     *
     * @return entries sent (0).
     */
    @Benchmark
    public int scan()
    {
        return master.scan(STEADY);
    }

    /**
     * The floor: a bare walk of the same table.
     *
     * @param bh keeps the sum alive.
     */
    @Benchmark
    public void forEach(final Blackhole bh)
    {
        table.forEach(STEADY, reader);
        bh.consume(sink);
    }
}
