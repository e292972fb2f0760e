package io.lvs4j.forwarder.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.TestFrames;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * The HTTP endpoint: Prometheus metrics that match the counters, and a stats page that renders in a real browser
 * (headless Chromium, when installed: a screenshot lands in target/).
 */
@Timeout(90)
class StatsEndpointTest
{
    private final MemoryChannel eth0 = new MemoryChannel("eth0");
    private Director director;
    private StatsEndpoint endpoint;

    @BeforeEach
    void start() throws Exception
    {
        final long directorMac = MacAddresses.parse("02:00:00:00:00:01");
        director = Director.launch(new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 2, directorMac, 1500, List.of(
                new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24),
                new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24)))))
            .channels((i, w, n) -> eth0)
            .workers(1)
            .neighbour("192.0.2.11", "02:00:00:00:00:a1")
            .neighbour("192.0.2.12", "02:00:00:00:00:a2"));
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("wrr");
        director.addService(web);
        director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 3));
        final var drained = director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
        director.addService(VirtualService.udp("203.0.113.10", 53).withScheduler("sh").withPersistence(600));
        for (int i = 0; i < 12; i++)
        {
            eth0.inject(TestFrames.tcp(MacAddresses.parse("02:00:00:00:00:c1"), directorMac,
                Ipv4Text.parse("198.51.100.2"), 40000 + i, Ipv4Text.parse("203.0.113.10"), 80, TcpView.SYN, 64,
                true, 0));
        }
        final long deadline = System.currentTimeMillis() + 5000;
        while (director.service(web).connections() < 12 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        director.editRealServer(web, drained.withWeight(0));
        endpoint = StatsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), director,
            (service, server) -> server.port() == 80 ? "TCP_CHECK ok" : "");
    }

    @AfterEach
    void stop()
    {
        endpoint.close();
        director.close();
    }

    private String get(final String path) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(
            HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), path);
        return response.body();
    }

    private String url(final String path)
    {
        return "http://127.0.0.1:" + endpoint.address().getPort() + path;
    }

    @Test
    void prometheusMetricsMatchTheCounters() throws Exception
    {
        final String metrics = get("/metrics");
        assertTrue(metrics.contains(
            "lvs4j_service_connections_total{service=\"TCP 203.0.113.10:80\",scheduler=\"wrr\"} 12\n"), metrics);
        assertTrue(metrics.contains("lvs4j_real_server_weight{service=\"TCP 203.0.113.10:80\"," +
            "real_server=\"192.0.2.12:80\",method=\"Route\"} 0\n"), metrics);
        assertTrue(metrics.contains("lvs4j_service_packets_in_total{service=\"TCP 203.0.113.10:80\"," +
            "scheduler=\"wrr\"} 12\n"), metrics);
        assertTrue(metrics.contains("lvs4j_drops_total{reason=\"" + DropReason.TX_FULL.name() + "\"} 0\n"));
        assertTrue(metrics.contains("lvs4j_master 1\n"));
        // every sample line is "name{labels} integer" or "name integer": what Prometheus parses
        for (final String line : metrics.split("\n"))
        {
            assertTrue(line.startsWith("# HELP ") || line.startsWith("# TYPE ") ||
                line.matches("[a-z_][a-z0-9_]*(\\{[^}]*\\})? -?\\d+"), "well-formed: " + line);
        }
    }

    @Test
    void theStatsPageRendersInChromium() throws Exception
    {
        final String html = get("/stats");
        assertTrue(html.contains("TCP 203.0.113.10:80 (wrr)"));
        assertTrue(html.contains("DRAIN"));
        assertTrue(html.contains("UDP 203.0.113.10:53 (sh, persistent 600)"));
        final String chromium = findChromium();
        Assumptions.assumeTrue(chromium != null, () ->
        {
            System.out.println("[chromium] skipped: no chromium binary (apt-get install chromium)");
            return "no chromium";
        });
        final Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        final Path screenshot = target.resolve("stats-page.png");
        Files.deleteIfExists(screenshot);
        final Path profile = Files.createTempDirectory("lvs4j-chromium");
        final List<String> common = List.of(chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--window-size=1280,900");
        final Process shot = new ProcessBuilder(concat(common, "--screenshot=" + screenshot, url("/stats")))
            .redirectErrorStream(true).start();
        final String shotLog = new String(shot.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(shot.waitFor(60, TimeUnit.SECONDS), "chromium finishes");
        assertTrue(Files.size(screenshot) > 10_000, "a screenshot of the page: " + shotLog);
        System.out.println("[chromium] stats page screenshot: " + screenshot);

        final Process dom = new ProcessBuilder(concat(common, "--dump-dom", url("/stats"))).start();
        final String rendered = new String(dom.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(dom.waitFor(60, TimeUnit.SECONDS));
        assertTrue(rendered.contains("<td class=\"state\">DRAIN</td>"), "the browser's DOM has the page: " +
            rendered.substring(0, Math.min(500, rendered.length())));
        assertTrue(rendered.contains("TCP_CHECK ok"));
    }

    private static List<String> concat(final List<String> a, final String... b)
    {
        final List<String> all = new java.util.ArrayList<>(a);
        all.addAll(List.of(b));
        return all;
    }

    private static String findChromium()
    {
        for (final String candidate : new String[] {"/usr/bin/chromium", "/usr/bin/chromium-browser",
            "/usr/bin/google-chrome"})
        {
            if (Files.isExecutable(Path.of(candidate)))
            {
                return candidate;
            }
        }
        return null;
    }
}
