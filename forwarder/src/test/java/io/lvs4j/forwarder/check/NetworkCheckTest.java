package io.lvs4j.forwarder.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLContext;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every checker type against real sockets and processes on 127.0.0.1, driven by the engine on the test thread.
 */
final class NetworkCheckTest
{
    private static final CheckOptions ONCE = CheckOptions.DEFAULTS
        .withWarmup(Duration.ZERO).withConnectTimeout(Duration.ofSeconds(2));
    private static final byte[] BODY = "hello, health checker\n".getBytes(StandardCharsets.US_ASCII);

    private static HttpServer http;
    private static HttpsServer https;
    private static final List<String> hostHeaders = new CopyOnWriteArrayList<>();
    private static final List<String> sniNames = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void startHttp(@TempDir final Path dir) throws Exception
    {
        http = HttpServer.create(new InetSocketAddress(LocalServers.LOOPBACK, 0), 50);
        http.createContext("/", NetworkCheckTest::handle);
        http.start();

        final Path keystore = dir.resolve("server.p12");
        final Process keytool = new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
            "-genkeypair", "-keyalg", "EC", "-groupname", "secp256r1", "-alias", "server",
            "-dname", "CN=checker.test", "-validity", "2", "-storetype", "PKCS12",
            "-keystore", keystore.toString(), "-storepass", "changeit", "-keypass", "changeit")
            .redirectErrorStream(true).start();
        final String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, "keytool: " + output);
        final KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore))
        {
            ks.load(in, "changeit".toCharArray());
        }
        final KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        final SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(kmf.getKeyManagers(), null, null);
        https = HttpsServer.create(new InetSocketAddress(LocalServers.LOOPBACK, 0), 50);
        https.setHttpsConfigurator(new HttpsConfigurator(ssl));
        https.createContext("/", NetworkCheckTest::handle);
        https.start();
    }

    @AfterAll
    static void stopHttp()
    {
        http.stop(0);
        https.stop(0);
    }

    private static void handle(final HttpExchange exchange) throws IOException
    {
        hostHeaders.add(exchange.getRequestHeaders().getFirst("Host"));
        if (exchange instanceof HttpsExchange secure &&
            secure.getSSLSession() instanceof ExtendedSSLSession session)
        {
            for (final SNIServerName name : session.getRequestedServerNames())
            {
                sniNames.add(((SNIHostName)name).getAsciiName());
            }
        }
        final String path = exchange.getRequestURI().getPath();
        final int status = path.startsWith("/503") ? 503 : path.startsWith("/302") ? 302 : 200;
        exchange.sendResponseHeaders(status, BODY.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(BODY);
        }
        catch (final IOException ignore)
        {
            // the checker closed after the status
        }
    }

    private static String md5(final byte[] data) throws Exception
    {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    private static RealServerRef local(final int port)
    {
        return new RealServerRef("vs", LocalServers.LOOPBACK, port);
    }

    /**
     * Runs one check on a fresh engine on this thread until its first result.
     */
    static CheckerStatus check(final CheckSpec spec, final int port)
    {
        try (HealthChecker engine = new HealthChecker(new HealthChecker.Context()
            .warmupRandom(max -> 0).listener(new FakeClockFixture())))
        {
            engine.addRealServer(local(port), 7, List.of(spec));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (System.nanoTime() < deadline)
            {
                engine.doWork(TimeUnit.MILLISECONDS.toNanos(50));
                final CheckerStatus status = engine.statuses().get(0);
                if (status.runs() > 0)
                {
                    return status;
                }
            }
            return fail("no result within 15 s");
        }
    }

    private static void assertPass(final CheckerStatus status)
    {
        assertTrue(status.lastOk(), "expected a pass: " + status.lastMessage());
    }

    private static void assertFailure(final CheckerStatus status, final String message)
    {
        assertFalse(status.lastOk(), "expected a failure");
        assertTrue(status.lastMessage().contains(message), "'" + status.lastMessage() + "' should say " + message);
    }

    private static int closedPort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, LocalServers.LOOPBACK))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    void tcpConnects() throws IOException
    {
        try (ServerSocket server = new ServerSocket(0, 10, LocalServers.LOOPBACK))
        {
            final CheckerStatus status = check(TcpCheckSpec.of(ONCE), server.getLocalPort());
            assertPass(status);
            assertTrue(status.lastLatencyNs() > 0 && status.lastLatencyNs() < 1_000_000_000L);
        }
    }

    @Test
    void tcpRefused() throws IOException
    {
        assertFailure(check(TcpCheckSpec.of(ONCE), closedPort()), "refused");
    }

    @Test
    void tcpConnectTimeoutWhenTheAcceptQueueIsFull() throws IOException
    {
        try (ServerSocket server = new ServerSocket(0, 1, LocalServers.LOOPBACK))
        {
            // nobody accepts: once the queue is full the kernel drops further SYNs, so connects hang
            final List<SocketChannel> fillers = new ArrayList<>();
            try
            {
                for (int i = 0; i < 8; i++)
                {
                    final SocketChannel filler = SocketChannel.open(StandardProtocolFamily.INET);
                    filler.configureBlocking(false);
                    filler.connect(server.getLocalSocketAddress());
                    fillers.add(filler);
                }
                final long start = System.nanoTime();
                final CheckerStatus status = check(
                    TcpCheckSpec.of(ONCE.withConnectTimeout(Duration.ofMillis(300))), server.getLocalPort());
                assertFailure(status, "timeout after 300 ms");
                assertTrue(System.nanoTime() - start < 3_000_000_000L);
            }
            finally
            {
                for (final SocketChannel filler : fillers)
                {
                    filler.close();
                }
            }
        }
    }

    @Test
    void httpStatusAndDigest() throws Exception
    {
        final int port = http.getAddress().getPort();
        assertPass(check(HttpCheckSpec.httpGet(ONCE, HttpUrl.of("/ok")), port));
        assertPass(check(HttpCheckSpec.httpGet(ONCE, new HttpUrl("/ok", md5(BODY), null, null)), port));
        assertFailure(check(HttpCheckSpec.httpGet(ONCE, new HttpUrl("/ok", md5(new byte[1]), null, null)), port),
            "digest " + md5(BODY) + " != ");
        assertFailure(check(HttpCheckSpec.httpGet(ONCE, HttpUrl.of("/503")), port), "HTTP status 503 not in 200-299");
        assertPass(check(HttpCheckSpec.httpGet(ONCE, new HttpUrl("/503", null, StatusCodes.parse("200 500-599"),
            null)), port));
        assertFailure(check(HttpCheckSpec.httpGet(ONCE, HttpUrl.of("/ok"), HttpUrl.of("/302")), port),
            "HTTP status 302");
        assertPass(check(HttpCheckSpec.httpGet(ONCE, HttpUrl.of("/ok"), new HttpUrl("/ok2", md5(BODY), null, null)),
            port));
    }

    @Test
    void httpHostHeader() throws Exception
    {
        final int port = http.getAddress().getPort();
        hostHeaders.clear();
        check(HttpCheckSpec.httpGet(ONCE, HttpUrl.of("/ok")), port);
        check(new HttpCheckSpec(ONCE, false, Endpoint.REAL_SERVER, List.of(HttpUrl.of("/ok")), "www.example.test",
            null, "1.1"), port);
        check(new HttpCheckSpec(ONCE, false, Endpoint.REAL_SERVER,
            List.of(new HttpUrl("/ok", null, null, "url.example.test")), "www.example.test", null, "1.0C"), port);
        assertEquals(List.of("127.0.0.1:" + port, "www.example.test", "url.example.test"), hostHeaders);
    }

    @Test
    void httpConnectIpAndPortOverrideTheRealServer() throws Exception
    {
        final int port = http.getAddress().getPort();
        final HttpCheckSpec spec = new HttpCheckSpec(ONCE, false, new Endpoint(LocalServers.LOOPBACK, port,
            LocalServers.LOOPBACK), List.of(HttpUrl.of("/ok")), null, null, null);
        assertPass(check(spec, closedPort()));
    }

    @Test
    void httpReadTimeoutAndRefused() throws IOException
    {
        try (LocalServers.Silent silent = new LocalServers.Silent())
        {
            assertFailure(check(HttpCheckSpec.httpGet(ONCE.withConnectTimeout(Duration.ofMillis(300)),
                HttpUrl.of("/")), silent.port()), "timeout after 300 ms");
        }
        assertFailure(check(HttpCheckSpec.httpGet(ONCE, HttpUrl.of("/")), closedPort()), "refused");
    }

    @Test
    void sslGetWithSniAndNoCertificateVerification() throws Exception
    {
        final int port = https.getAddress().getPort();
        sniNames.clear();
        assertPass(check(HttpCheckSpec.sslGet(ONCE, "sni.example.test", new HttpUrl("/ok", md5(BODY), null, null)),
            port));
        assertTrue(sniNames.contains("sni.example.test"), "SNI sent: " + sniNames);
        assertFailure(check(HttpCheckSpec.sslGet(ONCE, null, HttpUrl.of("/503")), port), "HTTP status 503");
        assertFailure(check(HttpCheckSpec.sslGet(ONCE, null, new HttpUrl("/ok", md5(new byte[0]), null, null)), port),
            "digest");
        // TLS against a plain HTTP server fails, it does not hang
        assertFalse(check(HttpCheckSpec.sslGet(ONCE.withConnectTimeout(Duration.ofMillis(500)), null,
            HttpUrl.of("/ok")), http.getAddress().getPort()).lastOk());
    }

    @Test
    void smtp() throws IOException
    {
        try (LocalServers.Smtp good = new LocalServers.Smtp("220-mail.test ESMTP\r\n220 ready\r\n", "250 hello\r\n");
            LocalServers.Smtp bad = new LocalServers.Smtp("554 go away\r\n", "250 hello\r\n");
            LocalServers.Smtp rude = new LocalServers.Smtp("220 ready\r\n", "501 who?\r\n"))
        {
            final SmtpCheckSpec spec = new SmtpCheckSpec(ONCE, Endpoint.REAL_SERVER, SmtpCheckSpec.DEFAULT_HELO_NAME);
            assertPass(check(spec, good.port()));
            final long deadline = System.currentTimeMillis() + 2_000;
            while (good.received.size() < 2 && System.currentTimeMillis() < deadline)
            {
                Thread.onSpinWait();
            }
            assertEquals(List.of("HELO smtpchecker.keepalived.org", "QUIT"), good.received);
            assertFailure(check(spec, bad.port()), "banner not 220");
            assertFailure(check(spec, rude.port()), "HELO reply not 250");
        }
    }

    @Test
    void dns() throws IOException
    {
        try (LocalServers.Dns dns = new LocalServers.Dns())
        {
            final CheckOptions options = DnsCheckSpec.defaultOptions().withWarmup(Duration.ZERO)
                .withConnectTimeout(Duration.ofMillis(500));
            assertPass(check(new DnsCheckSpec(options, Endpoint.REAL_SERVER, "A", "good.example.test"), dns.port()));
            assertPass(check(new DnsCheckSpec(options, Endpoint.REAL_SERVER, null, null), dns.port()));
            assertFailure(check(new DnsCheckSpec(options, Endpoint.REAL_SERVER, "AAAA", "bad.example.test"),
                dns.port()), "NXDOMAIN");
            assertFailure(check(new DnsCheckSpec(options, Endpoint.REAL_SERVER, "MX", "wrongid.example.test"),
                dns.port()), "timeout");
        }
        assertFailure(check(new DnsCheckSpec(ONCE, Endpoint.REAL_SERVER, "SOA", "."), closedUdpPort()),
            "ICMP port unreachable");
    }

    private static int closedUdpPort() throws IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, LocalServers.LOOPBACK))
        {
            return socket.getLocalPort();
        }
    }

    @Test
    void udp() throws IOException
    {
        final CheckOptions quick = ONCE.withConnectTimeout(Duration.ofMillis(300));
        try (LocalServers.UdpEcho echo = new LocalServers.UdpEcho(true);
            LocalServers.UdpEcho silent = new LocalServers.UdpEcho(false))
        {
            assertPass(check(UdpCheckSpec.of(quick, "68656c6c6f", "68X56cXX"), echo.port()));
            assertFailure(check(UdpCheckSpec.of(quick, "68656c6c6f", "ffff"), echo.port()), "does not match");
            assertFailure(check(UdpCheckSpec.of(quick, "68656c6c6f", ""), silent.port()), "no reply");
            assertPass(check(UdpCheckSpec.of(quick, "68656c6c6f", null), silent.port()));
        }
        assertFailure(check(UdpCheckSpec.of(quick, "00", null), closedUdpPort()), "ICMP port unreachable");
    }

    @Test
    void miscExitCodesDynamicWeightAndTimeout()
    {
        final CheckOptions options = MiscCheckSpec.defaultOptions().withWarmup(Duration.ZERO);
        assertPass(check(new MiscCheckSpec(options, List.of("sh", "-c", "exit 0"), null, false), 80));
        assertFailure(check(new MiscCheckSpec(options, List.of("sh", "-c", "exit 1"), null, false), 80), "exit 1");
        assertFailure(check(new MiscCheckSpec(options, List.of("sh", "-c", "exit 7"), null, false), 80), "exit 7");
        assertPass(check(new MiscCheckSpec(options, List.of("sh", "-c", "exit 7"), null, true), 80));
        assertFailure(check(new MiscCheckSpec(options, List.of("/nonexistent/script"), null, false), 80),
            "IOException");

        try (HealthChecker engine = new HealthChecker(new HealthChecker.Context()
            .warmupRandom(max -> 0).listener(new FakeClockFixture())))
        {
            final RealServerRef rs = local(80);
            engine.addRealServer(rs, 10, List.of(new MiscCheckSpec(options, List.of("sh", "-c", "exit 7"), null, true)));
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (engine.statuses().get(0).runs() == 0 && System.nanoTime() < deadline)
            {
                engine.doWork(TimeUnit.MILLISECONDS.toNanos(10));
            }
            assertEquals(5, engine.weight(rs), "misc_dynamic: exit 7 is weight 5");
        }

        final long start = System.nanoTime();
        final CheckerStatus timedOut = check(new MiscCheckSpec(options, List.of("sleep", "30"),
            Duration.ofMillis(300), false), 80);
        assertFailure(timedOut, "timed out after 300 ms, killed");
        assertTrue(System.nanoTime() - start < 5_000_000_000L);
    }

    @Test
    void pingLoopback()
    {
        try
        {
            IcmpSocket.open().close();
        }
        catch (final RuntimeException | LinkageError ex)
        {
            System.out.println("NetworkCheckTest.pingLoopback skipped: no ICMP socket (needs CAP_NET_RAW or " +
                "net.ipv4.ping_group_range): " + ex);
            Assumptions.abort("no ICMP socket: " + ex);
        }
        final CheckerStatus status = check(new PingCheckSpec(ONCE, null), 0);
        assertPass(status);
        assertTrue(status.lastLatencyNs() < 1_000_000_000L);
    }
}
