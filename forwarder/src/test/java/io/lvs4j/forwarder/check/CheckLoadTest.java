package io.lvs4j.forwarder.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutorService;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.Test;

/**
 * 300 checkers at a 100 ms delay_loop on the engine's single thread for 3 s: every checker keeps its pace, none
 * fails, and no duty cycle blocks.
 */
final class CheckLoadTest
{
    private static final int TCP_CHECKERS = 200;
    private static final int HTTP_CHECKERS = 100;
    private static final long RUN_NS = TimeUnit.SECONDS.toNanos(3);

    @Test
    void threeHundredCheckersEveryHundredMillisecondsOnOneThread() throws IOException
    {
        final ExecutorService executor = Executors.newFixedThreadPool(2);
        final HttpServer http = HttpServer.create(new InetSocketAddress(LocalServers.LOOPBACK, 0), 1024);
        http.createContext("/", exchange ->
        {
            exchange.sendResponseHeaders(200, 2);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write("ok".getBytes());
            }
            catch (final IOException ignore)
            {
                // the checker closes after the status line
            }
        });
        http.setExecutor(executor);
        http.start();
        try (LocalServers.Closer tcp = new LocalServers.Closer();
            HealthChecker engine = new HealthChecker(new HealthChecker.Context().listener(new FakeClockFixture())))
        {
            // first use loads classes (selector, digest, probes): not what the cycle bound is about
            NetworkCheckTest.check(new TcpCheckSpec(CheckOptions.DEFAULTS.withWarmup(Duration.ZERO),
                new Endpoint(LocalServers.LOOPBACK, tcp.port(), null)), 80);
            NetworkCheckTest.check(new HttpCheckSpec(CheckOptions.DEFAULTS.withWarmup(Duration.ZERO), false,
                new Endpoint(LocalServers.LOOPBACK, http.getAddress().getPort(), null), List.of(HttpUrl.of("/")),
                null, null, null), 80);

            final CheckOptions options = CheckOptions.DEFAULTS
                .withDelayLoop(Duration.ofMillis(100)).withConnectTimeout(Duration.ofSeconds(1));
            for (int i = 0; i < TCP_CHECKERS + HTTP_CHECKERS; i++)
            {
                // distinct real servers; the checks connect to the local servers through connect_ip/connect_port
                final RealServerRef rs = new RealServerRef("vs",
                    InetAddress.getByAddress(new byte[]{(byte)192, 0, (byte)(2 + (i >> 8)), (byte)i}), 80);
                final CheckSpec spec = i < TCP_CHECKERS ?
                    new TcpCheckSpec(options, new Endpoint(LocalServers.LOOPBACK, tcp.port(), null)) :
                    new HttpCheckSpec(options, false, new Endpoint(LocalServers.LOOPBACK, http.getAddress().getPort(),
                        null), List.of(HttpUrl.of("/")), null, null, null);
                engine.addRealServer(rs, 1, List.of(spec));
            }

            final long start = System.nanoTime();
            long longestCycleNs = 0;
            long longestAtNs = 0;
            long now;
            while ((now = System.nanoTime()) - start < RUN_NS)
            {
                engine.doWork(TimeUnit.MILLISECONDS.toNanos(5));
                final long cycleNs = System.nanoTime() - now;
                if (cycleNs > longestCycleNs)
                {
                    longestCycleNs = cycleNs;
                    longestAtNs = now - start;
                }
            }
            System.out.printf("CheckLoadTest: longest cycle at %.1f ms%n", longestAtNs / 1e6);

            final List<CheckerStatus> statuses = engine.statuses();
            assertEquals(TCP_CHECKERS + HTTP_CHECKERS, statuses.size());
            long minRuns = Long.MAX_VALUE;
            long maxRuns = 0;
            long totalRuns = 0;
            long maxLatencyNs = 0;
            for (final CheckerStatus status : statuses)
            {
                assertEquals(0, status.failures(), status.rs() + ": " + status.lastMessage());
                assertTrue(status.up());
                minRuns = Math.min(minRuns, status.runs());
                maxRuns = Math.max(maxRuns, status.runs());
                totalRuns += status.runs();
                maxLatencyNs = Math.max(maxLatencyNs, status.lastLatencyNs());
            }
            System.out.printf("CheckLoadTest: %d checkers, %d results in 3 s, runs per checker %d..%d, " +
                    "longest duty cycle %.1f ms, longest last latency %.1f ms%n",
                statuses.size(), totalRuns, minRuns, maxRuns, longestCycleNs / 1e6, maxLatencyNs / 1e6);
            // first run within warmup (<= 100 ms), then one per 100 ms plus the check's own latency: ~27-30 in 3 s
            assertTrue(minRuns >= 24, "a checker fell behind: " + minRuns + " runs");
            assertTrue(maxRuns <= 31, "a checker ran too often: " + maxRuns + " runs");
            // a blocked call would hold a cycle for connect_timeout (1 s); CPU shared with other builds and the JIT
            // can stretch one to tens of milliseconds, which is not blocking
            assertTrue(longestCycleNs < TimeUnit.MILLISECONDS.toNanos(250),
                "a duty cycle took " + longestCycleNs / 1e6 + " ms");
        }
        finally
        {
            http.stop(0);
            executor.shutdownNow();
        }
    }
}
