package io.lvs4j.forwarder.check;

import static io.lvs4j.forwarder.check.FakeClockFixture.Outcome.FAIL;
import static io.lvs4j.forwarder.check.FakeClockFixture.Outcome.PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * keepalived's per-checker and per-real-server rules on a fake clock, with scripted results.
 */
final class CheckStateMachineTest
{
    private static final CheckOptions TEN_SECONDS = CheckOptions.DEFAULTS
        .withDelayLoop(Duration.ofSeconds(10))
        .withWarmup(Duration.ZERO);

    @Test
    void upCheckerGoesDownAfterRetryPlusOneFailuresSpacedByDelayBeforeRetry()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(
                TEN_SECONDS.withRetry(3).withDelayBeforeRetry(Duration.ofSeconds(3)))));
            f.advanceTo(0);
            assertEquals(List.of(0L), f.runTimesMs);
            f.set(rs, 0, FAIL);
            f.advanceTo(18_999);
            assertEquals(List.of(0L, 10_000L, 13_000L, 16_000L), f.runTimesMs);
            assertTrue(f.engine.isUp(rs), "three failures of four allowed");
            f.advanceTo(19_000);
            assertEquals(List.of("0 REGISTERED 192.0.2.1 up 1", "19000 DOWN 192.0.2.1"), f.events);
            // down: back to delay_loop, no retries
            f.advanceTo(40_000);
            assertEquals(List.of(0L, 10_000L, 13_000L, 16_000L, 19_000L, 29_000L, 39_000L), f.runTimesMs);
            f.set(rs, 0, PASS);
            f.advanceTo(49_000);
            assertEquals("49000 UP 192.0.2.1", f.events.get(f.events.size() - 1), "one success brings it up");
            f.advanceTo(59_000);
            assertEquals(59_000L, f.runTimesMs.get(f.runTimesMs.size() - 1));
        }
    }

    @Test
    void keepalivedDefaultsNeedTwoFailuresOneSecondApart()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(TEN_SECONDS)));
            f.set(rs, 0, FAIL);
            f.advanceTo(0);
            assertTrue(f.engine.isUp(rs));
            f.advanceTo(1_000);
            assertFalse(f.engine.isUp(rs));
            assertEquals(List.of(0L, 1_000L), f.runTimesMs);
        }
    }

    @Test
    void successBetweenFailuresResetsTheRetryCount()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(TEN_SECONDS.withRetry(1))));
            f.set(rs, 0, FAIL);
            f.advanceTo(0);
            f.set(rs, 0, PASS);
            f.advanceTo(1_000);
            f.set(rs, 0, FAIL);
            f.advanceTo(11_000);
            assertTrue(f.engine.isUp(rs), "one failure after a success");
            f.advanceTo(12_000);
            assertFalse(f.engine.isUp(rs));
            assertEquals(List.of(0L, 1_000L, 11_000L, 12_000L), f.runTimesMs);
        }
    }

    @Test
    void riseAndFallExtension()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(
                TEN_SECONDS.withRetry(5).withRiseFall(3, 2).withDelayBeforeRetry(Duration.ofSeconds(2)))));
            f.set(rs, 0, FAIL);
            f.advanceTo(2_000);
            assertFalse(f.engine.isUp(rs), "fall 2 overrides retry 5");
            f.set(rs, 0, PASS);
            f.advanceTo(12_000);
            assertFalse(f.engine.isUp(rs), "first success of three");
            f.advanceTo(14_000);
            assertFalse(f.engine.isUp(rs), "second success, retried after delay_before_retry");
            f.advanceTo(16_000);
            assertTrue(f.engine.isUp(rs));
            assertEquals(List.of(0L, 2_000L, 12_000L, 14_000L, 16_000L), f.runTimesMs);
            assertEquals("16000 UP 192.0.2.1", f.events.get(f.events.size() - 1));
        }
    }

    @Test
    void failureInterruptsRise()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(TEN_SECONDS.withAlpha(true).withRiseFall(2, 0))));
            f.advanceTo(0);
            f.set(rs, 0, FAIL);
            f.advanceTo(1_000);
            f.set(rs, 0, PASS);
            f.advanceTo(11_000);
            assertFalse(f.engine.isUp(rs), "the count starts again");
            f.advanceTo(12_000);
            assertTrue(f.engine.isUp(rs));
        }
    }

    @Test
    void realServerIsUpOnlyWhenAllCheckersAreUp()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(
                TcpCheckSpec.of(TEN_SECONDS.withRetry(0)), TcpCheckSpec.of(TEN_SECONDS.withRetry(0))));
            f.set(rs, 0, FAIL);
            f.advanceTo(0);
            assertFalse(f.engine.isUp(rs));
            f.set(rs, 1, FAIL);
            f.advanceTo(10_000);
            f.set(rs, 0, PASS);
            f.advanceTo(20_000);
            assertFalse(f.engine.isUp(rs), "checker 1 is still down");
            f.set(rs, 1, PASS);
            f.advanceTo(30_000);
            assertTrue(f.engine.isUp(rs));
            assertEquals(List.of("0 REGISTERED 192.0.2.1 up 1", "0 DOWN 192.0.2.1", "30000 UP 192.0.2.1"), f.events,
                "one DOWN for the first failing checker, one UP for the last recovering one");
            assertEquals(2, f.engine.statuses().size());
        }
    }

    @Test
    void noCheckersMeansAlwaysUp()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 3, List.of());
            f.advanceTo(100_000);
            assertTrue(f.engine.isUp(rs));
            assertEquals(List.of("0 REGISTERED 192.0.2.1 up 3"), f.events);
        }
    }

    @Test
    void alphaStartsDownAndComesUpOnFirstSuccess()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(TEN_SECONDS.withAlpha(true))));
            assertFalse(f.engine.isUp(rs));
            f.advanceTo(0);
            assertEquals(List.of("0 REGISTERED 192.0.2.1 down 1", "0 UP 192.0.2.1"), f.events);
        }
    }

    @Test
    void alphaFailuresRetryThenWaitDelayLoopWithoutEvents()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(TEN_SECONDS.withAlpha(true).withRetry(2))));
            f.set(rs, 0, FAIL);
            f.advanceTo(30_000);
            // keepalived retries a checker that has not run yet even in alpha mode, then goes to delay_loop
            assertEquals(List.of(0L, 1_000L, 2_000L, 12_000L, 22_000L), f.runTimesMs);
            assertEquals(List.of("0 REGISTERED 192.0.2.1 down 1"), f.events);
        }
    }

    @Test
    void warmupDelaysTheFirstRunByARandomPartOfIt()
    {
        final List<Long> bounds = new ArrayList<>();
        try (FakeClockFixture f = new FakeClockFixture(max ->
        {
            bounds.add(max);
            return max / 2;
        }))
        {
            f.engine.addRealServer(FakeClockFixture.rs(1), 1, List.of(
                TcpCheckSpec.of(TEN_SECONDS.withWarmup(Duration.ofSeconds(4)))));
            f.engine.addRealServer(FakeClockFixture.rs(2), 1, List.of(
                TcpCheckSpec.of(TEN_SECONDS.withWarmup(null))));
            f.engine.addRealServer(FakeClockFixture.rs(3), 1, List.of(
                TcpCheckSpec.of(TEN_SECONDS.withWarmup(Duration.ZERO))));
            f.advanceTo(5_000);
            assertEquals(List.of(4_000_000_000L, 10_000_000_000L, 0L), bounds, "warmup defaults to delay_loop");
            assertEquals(List.of(0L, 2_000L, 5_000L), f.runTimesMs);
        }
    }

    @Test
    void defaultWarmupRandomStaysWithinBounds()
    {
        try (HealthChecker engine = new HealthChecker(new HealthChecker.Context()
            .nanoClock(() -> 0L).listener(new FakeClockFixture())))
        {
            engine.addRealServer(FakeClockFixture.rs(1), 1, List.of(TcpCheckSpec.of(TEN_SECONDS.withWarmup(null))));
            final long first = engine.nextDeadlineNs();
            assertTrue(first >= 0 && first <= 10_000_000_000L, "first run " + first);
        }
    }

    @Test
    void timeoutOfAProbeIsAFailure()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(TEN_SECONDS.withRetry(0)
                .withConnectTimeout(Duration.ofSeconds(5)))));
            f.set(rs, 0, null);
            f.advanceTo(4_999);
            assertTrue(f.engine.isUp(rs));
            f.advanceTo(5_000);
            assertFalse(f.engine.isUp(rs));
            final CheckerStatus status = f.engine.statuses().get(0);
            assertEquals("timeout after 5000 ms", status.lastMessage());
            assertEquals(5_000_000_000L, status.lastLatencyNs());
            // the next run counts from the result: 5 s + delay_loop
            f.advanceTo(15_000);
            assertEquals(List.of(0L, 15_000L), f.runTimesMs);
        }
    }

    @Test
    void dynamicWeightsAreSummedAndReported()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            final MiscCheckSpec misc = new MiscCheckSpec(TEN_SECONDS, List.of("true"), null, true);
            f.engine.addRealServer(rs, 10, List.of(misc));
            // exit 7 → weight 5 → adjustment 5 - 10
            f.set(rs, 0, new FakeClockFixture.Outcome(true, -5));
            f.advanceTo(0);
            assertEquals(5, f.engine.weight(rs));
            f.set(rs, 0, new FakeClockFixture.Outcome(true, -5));
            f.advanceTo(10_000);
            f.set(rs, 0, new FakeClockFixture.Outcome(true, -20));
            f.advanceTo(20_000);
            assertEquals(0, f.engine.weight(rs), "clamped at 0");
            assertEquals(List.of("0 REGISTERED 192.0.2.1 up 10", "0 WEIGHT 192.0.2.1 5", "20000 WEIGHT 192.0.2.1 0"),
                f.events, "reported only when it changes");
        }
    }

    @Test
    void fileCheckStateAndWeight(@TempDir final Path dir) throws IOException
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final Path status = dir.resolve("status");
            final Path weight = dir.resolve("weight");
            Files.writeString(status, "0\n");
            Files.writeString(weight, "3\n");
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 10, List.of(
                new FileCheckSpec(TEN_SECONDS, status, 0, false), new FileCheckSpec(TEN_SECONDS, weight, 2, true)));
            assertTrue(f.engine.isUp(rs));
            assertEquals(4, f.engine.weight(rs), "10 - 3 * 2 (reverse)");
            Files.writeString(status, "1\n");
            f.advanceTo(9_999);
            assertTrue(f.engine.isUp(rs));
            f.advanceTo(10_000);
            assertFalse(f.engine.isUp(rs), "no retries for FILE_CHECK");
            Files.delete(status);
            Files.writeString(weight, "garbage");
            f.advanceTo(20_000);
            assertTrue(f.engine.isUp(rs), "a missing file reads 0");
            assertEquals(10, f.engine.weight(rs));
        }
    }

    @Test
    void removedRealServerStopsItsCheckers()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final RealServerRef rs = FakeClockFixture.rs(1);
            f.engine.addRealServer(rs, 1, List.of(TcpCheckSpec.of(TEN_SECONDS)));
            f.advanceTo(0);
            assertTrue(f.engine.removeRealServer(rs));
            f.advanceTo(100_000);
            assertEquals(List.of(0L), f.runTimesMs);
            assertEquals(Long.MAX_VALUE, f.engine.nextDeadlineNs());
        }
    }
}
