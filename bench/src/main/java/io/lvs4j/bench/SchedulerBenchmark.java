package io.lvs4j.bench;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.schedulers.Scheduler;
import io.lvs4j.schedulers.SchedulerOptions;
import io.lvs4j.schedulers.SchedulerRegistry;
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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * One scheduling decision ({@link Scheduler#pick}) per scheduler at 2, 10, 100 and 1000 real servers, the cost a
 * director pays per new connection. Servers carry mixed weights and random loads (0..50 active, 0..200 inactive
 * connections) so the least-connection family compares real numbers; flows come from 4096 clients towards 4096
 * destination addresses (dh, lblc and lblcr hash the destination). {@code pick} keeps loads still and measures
 * the decision alone; {@code pickAndCount} adds the counting a connection brings (bind, ESTABLISHED, end), which is
 * where the tree-backed least-connection schedulers pay. The {@code lc-scan}, {@code wlc-scan},
 * {@code sed-scan} and {@code twos-scan} rows are those schedulers told to scan as the kernel does
 * ({@link SchedulerOptions#loadTreeAbove}), the baseline for the tree; the tree rows keep a tree at every size.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SchedulerBenchmark
{
    private static final int FLOWS = 4096;

    /** The scheduler's ipvsadm name. */
    @Param({"rr", "wrr", "lc", "wlc", "sed", "nq", "fo", "ovf", "twos", "lblc", "lblcr", "dh", "sh", "mh", "maglev",
        "lc-scan", "wlc-scan", "sed-scan", "twos-scan"})
    public String scheduler;

    /** Number of real servers. */
    @Param({"2", "10", "100", "1000"})
    public int servers;

    private final FlowKey[] flows = new FlowKey[FLOWS];
    private final int[] retire = new int[FLOWS];
    private DestinationCounters counters;
    private Scheduler instance;
    private int next;

    /** Builds the service, its loads and the flows. */
    @Setup
    public void setUp()
    {
        final SplittableRandom random = new SplittableRandom(42);
        counters = new DestinationCounters(servers);
        RealServerList list = RealServerList.empty(counters);
        for (int id = 0; id < servers; id++)
        {
            counters.reset(id, 0, 0);
            // ovf treats the weight as a connection limit: keep it above the active count so servers stay eligible.
            list = list.withAdded(RealServer.ipv4(id, 0xC000_0000 | id, 80, 60 + (id % 4) * 20));
            final int active = random.nextInt(51);
            final int inactive = random.nextInt(201);
            for (int c = 0; c < active + inactive; c++)
            {
                counters.bind(id, ConnectionFlags.INACTIVE);
            }
            for (int c = 0; c < active; c++)
            {
                counters.transition(id, true);
            }
        }
        // "-scan": the same scheduler told never to keep a load tree, i.e. the kernel's scan per pick. The tree rows
        // are measured with a tree at every size, so the two are compared at 2 and 10 servers too.
        final boolean scan = scheduler.endsWith("-scan");
        instance = SchedulerRegistry.builtIn().create(scheduler.replace("-scan", ""),
            new SchedulerOptions().loadTreeAbove(scan ? Integer.MAX_VALUE : 0));
        instance.update(list);
        for (int i = 0; i < FLOWS; i++)
        {
            flows[i] = new FlowKey().setV4(
                6, 0xC633_6400 + random.nextInt(1 << 16), 1024 + random.nextInt(60000), 0xCB00_7100 + i, 80);
            retire[i] = random.nextInt(servers);
        }
    }

    /**
     * One new connection's scheduling decision.
     *
     * @return the chosen server, consumed by JMH.
     */
    @Benchmark
    public RealServer pick()
    {
        return instance.pick(flows[next++ & (FLOWS - 1)], 0);
    }

    /**
     * One connection's worth of scheduling work in a steady state: the decision, the new connection bound to the
     * chosen server, one connection elsewhere entering ESTABLISHED and one ending. For the tree-backed lc, wlc and
     * sed this includes keeping the tree current; compare with the {@code -scan} baselines of the same run.
     *
     * @return the chosen server, consumed by JMH.
     */
    @Benchmark
    public RealServer pickAndCount()
    {
        final int i = next++ & (FLOWS - 1);
        final RealServer chosen = instance.pick(flows[i], 0);
        if (chosen != null)
        {
            counters.bind(chosen.id(), ConnectionFlags.INACTIVE);
        }
        final int establishing = retire[i];
        if (counters.inactive(establishing) > 0)
        {
            counters.transition(establishing, true);
        }
        final int ending = retire[(i + 1) & (FLOWS - 1)];
        if (counters.active(ending) > 0)
        {
            counters.unbind(ending, 0);
        }
        else if (counters.inactive(ending) > 0)
        {
            counters.unbind(ending, ConnectionFlags.INACTIVE);
        }
        return chosen;
    }
}
