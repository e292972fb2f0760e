package io.lvs4j.bench;

import io.lvs4j.core.flow.FlowKey;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * Cost of hashing a flow key, the first step of every connection lookup.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class FlowKeyHashBenchmark
{
    private final FlowKey key = new FlowKey().setV4(6, 0xC6336402, 40000, 0xCB00710A, 80);

    /**
     * Hashes an IPv4 TCP flow key.
     *
     * @return the hash, consumed by JMH.
     */
    @Benchmark
    public long hashV4()
    {
        return key.hash();
    }
}
