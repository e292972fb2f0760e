package io.lvs4j.bench;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.schedulers.MaglevHashingScheduler;
import io.lvs4j.schedulers.SchedulerOptions;
import io.lvs4j.schedulers.WeightedMaglevScheduler;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Rebuilding the consistent-hash tables after a change of servers or weights, off the hot path: weighted Maglev
 * at the paper's M = 65537 (target: 1000 servers in at most 5 ms) and the kernel's mh at its default M = 4093.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class MaglevBuildBenchmark
{
    /** Number of real servers. */
    @Param({"100", "1000"})
    public int servers;

    private RealServerList equalWeights;
    private RealServerList mixedWeights;
    private WeightedMaglevScheduler maglev;
    private MaglevHashingScheduler mh;

    /** Builds two lists: equal weights, and weights 1..100. */
    @Setup
    public void setUp()
    {
        final DestinationCounters counters = new DestinationCounters(servers);
        RealServerList equal = RealServerList.empty(counters);
        RealServerList mixed = RealServerList.empty(counters);
        for (int id = 0; id < servers; id++)
        {
            counters.reset(id, 0, 0);
            equal = equal.withAdded(RealServer.ipv4(id, 0xC000_0000 | id, 80, 1));
            mixed = mixed.withAdded(RealServer.ipv4(id, 0xC000_0000 | id, 80, 1 + id % 100));
        }
        equalWeights = equal;
        mixedWeights = mixed;
        maglev = new WeightedMaglevScheduler(new SchedulerOptions());
        mh = new MaglevHashingScheduler(new SchedulerOptions());
    }

    /**
     * Weighted Maglev table, M = 65537, equal weights.
     *
     * @return the list, consumed by JMH.
     */
    @Benchmark
    public Object maglevEqualWeights()
    {
        maglev.update(equalWeights);
        return maglev.servers();
    }

    /**
     * Weighted Maglev table, M = 65537, weights 1..100.
     *
     * @return the list, consumed by JMH.
     */
    @Benchmark
    public Object maglevMixedWeights()
    {
        maglev.update(mixedWeights);
        return maglev.servers();
    }

    /**
     * The kernel's mh table, M = 4093, weights 1..100.
     *
     * @return the list, consumed by JMH.
     */
    @Benchmark
    public Object mhMixedWeights()
    {
        mh.update(mixedWeights);
        return mh.servers();
    }
}
