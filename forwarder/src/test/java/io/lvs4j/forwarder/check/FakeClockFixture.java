package io.lvs4j.forwarder.check;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;

/**
 * A {@link HealthChecker} on a fake clock whose probes finish at once with results the test scripts, recording
 * every run and every real-server event with the time it happened.
 */
final class FakeClockFixture implements AutoCloseable, RealServerHealthListener
{
    /** A scripted result: pass or fail, with an optional weight adjustment; {@code null} means "never answers". */
    record Outcome(boolean ok, long weight)
    {
        static final Outcome PASS = new Outcome(true, Probe.NO_WEIGHT);
        static final Outcome FAIL = new Outcome(false, Probe.NO_WEIGHT);
    }

    long nowMs;
    final HealthChecker engine;
    final List<String> events = new ArrayList<>();
    final List<Long> runTimesMs = new ArrayList<>();
    final Map<String, Outcome> outcomes = new HashMap<>();
    RealServerHealthListener downstream;

    FakeClockFixture()
    {
        this(max -> 0);
    }

    FakeClockFixture(final LongUnaryOperator warmup)
    {
        engine = new HealthChecker(new HealthChecker.Context()
            .nanoClock(() -> nowMs * 1_000_000L)
            .warmupRandom(warmup)
            .listener(this));
        engine.probeFactory(checker -> checker.spec instanceof FileCheckSpec ? null : new ScriptedProbe(engine, checker));
    }

    static RealServerRef rs(final int lastOctet)
    {
        try
        {
            return new RealServerRef("vs", InetAddress.getByAddress(new byte[]{(byte)192, 0, 2, (byte)lastOctet}), 80);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    static String key(final RealServerRef rs, final int index)
    {
        return rs.address().getHostAddress() + "#" + index;
    }

    void set(final RealServerRef rs, final int index, final Outcome outcome)
    {
        outcomes.put(key(rs, index), outcome);
    }

    /**
     * Moves the clock to {@code targetMs}, stopping at every deadline on the way so timers fire at their exact time.
     */
    void advanceTo(final long targetMs)
    {
        engine.doWork();
        while (engine.nextDeadlineNs() <= targetMs * 1_000_000L)
        {
            nowMs = Math.max(nowMs, (engine.nextDeadlineNs() + 999_999L) / 1_000_000L);
            engine.doWork();
        }
        nowMs = targetMs;
        engine.doWork();
    }

    public void onRegistered(final RealServerRef rs, final boolean up, final int weight)
    {
        events.add(nowMs + " REGISTERED " + rs.address().getHostAddress() + " " + (up ? "up" : "down") + " " + weight);
        if (downstream != null)
        {
            downstream.onRegistered(rs, up, weight);
        }
    }

    public void onUp(final RealServerRef rs, final String reason)
    {
        events.add(nowMs + " UP " + rs.address().getHostAddress());
        if (downstream != null)
        {
            downstream.onUp(rs, reason);
        }
    }

    public void onDown(final RealServerRef rs, final String reason)
    {
        events.add(nowMs + " DOWN " + rs.address().getHostAddress());
        if (downstream != null)
        {
            downstream.onDown(rs, reason);
        }
    }

    public void onWeightChanged(final RealServerRef rs, final int weight)
    {
        events.add(nowMs + " WEIGHT " + rs.address().getHostAddress() + " " + weight);
        if (downstream != null)
        {
            downstream.onWeightChanged(rs, weight);
        }
    }

    public void close()
    {
        engine.close();
    }

    /**
     * Finishes at once with the scripted outcome of its checker (pass by default), or waits for its timeout.
     */
    final class ScriptedProbe extends Probe
    {
        ScriptedProbe(final HealthChecker host, final Checker checker)
        {
            super(host, checker);
        }

        void start()
        {
            runTimesMs.add(nowMs);
            final String key = key(checker.server.rs, checker.index);
            final Outcome outcome = outcomes.containsKey(key) ? outcomes.get(key) : Outcome.PASS;
            if (outcome == null)
            {
                armTimeout();
                return;
            }
            finish(outcome.ok(), outcome.ok() ? "scripted pass" : "scripted failure", outcome.weight());
        }

        void release()
        {
        }
    }
}
