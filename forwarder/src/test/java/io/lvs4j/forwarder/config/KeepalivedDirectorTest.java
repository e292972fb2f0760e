package io.lvs4j.forwarder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServerStatus;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.ServiceStatus;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * The keepalived director over a director on memory channels, checks against real sockets on 127.0.0.1 and a fake
 * clock driven by the test (no thread), except where the check thread itself is under test.
 */
@Timeout(60)
class KeepalivedDirectorTest
{
    private static final long MS = 1_000_000L;

    private final MemoryChannel eth0 = new MemoryChannel("eth0");
    private final List<AutoCloseable> resources = new ArrayList<>();
    private final List<List<String>> scripts = Collections.synchronizedList(new ArrayList<>());
    private Director director;
    private KeepalivedDirector kd;
    private long nowNs = 1_000 * MS;

    @TempDir
    Path dir;

    @AfterEach
    void close() throws Exception
    {
        if (kd != null)
        {
            kd.close();
        }
        if (director != null)
        {
            director.close();
        }
        for (final AutoCloseable r : resources)
        {
            r.close();
        }
    }

    private Director director()
    {
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, MacAddresses.parse("02:00:00:00:00:01"),
            1500, List.of(new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24),
            new DirectorInterface.Prefix(Ipv4Text.parse("127.0.0.1"), 8)));
        director = Director.launch(new Director.Context()
            .interfaces(List.of(iface))
            .channels((i, w, n) -> eth0)
            .workers(1)
            .connectionCapacity(1 << 10)
            .pollTimeoutMs(1));
        return director;
    }

    private KeepalivedDirector.Context manual()
    {
        return new KeepalivedDirector.Context()
            .startThread(false)
            .nanoClock(() -> nowNs)
            .warmupRandom(max -> 0)
            .scripts(new NotifyScripts()
            {
                public void launch(final List<String> command)
                {
                    scripts.add(command);
                }

                public void close()
                {
                }
            });
    }

    private ServerSocket listen() throws IOException
    {
        final ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        resources.add(s);
        return s;
    }

    private static ServerSocket listen(final int port) throws IOException
    {
        final ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return s;
    }

    private static int closedPort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }

    private static KeepalivedConfig parse(final String text)
    {
        return new KeepalivedParser().parse("test.conf", text, Path.of("."));
    }

    private static String config(final String vsExtra, final String... realServers)
    {
        return "virtual_server 203.0.113.10 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n" +
            vsExtra + String.join("", realServers) + "}\n";
    }

    private static String tcpChecked(final int port, final int weight, final String extra)
    {
        return "  real_server 127.0.0.1 " + port + " {\n    weight " + weight + "\n" + extra +
            "    TCP_CHECK {\n      connect_timeout 1\n      retry 1\n      delay_before_retry 1\n    }\n  }\n";
    }

    private static String unchecked(final int port, final int weight)
    {
        return "  real_server 127.0.0.1 " + port + " {\n    weight " + weight + "\n  }\n";
    }

    /** Advances the fake clock in 100 ms steps up to {@code ms}, letting real sockets answer at every step. */
    private void advance(final long ms) throws InterruptedException
    {
        final long target = nowNs + ms * MS;
        while (nowNs < target)
        {
            nowNs = Math.min(target, nowNs + 100 * MS);
            settle();
        }
    }

    private void settle() throws InterruptedException
    {
        for (int i = 0; i < 10; i++)
        {
            kd.doWork(0);
            Thread.sleep(2);
        }
    }

    private ServiceStatus service()
    {
        return director.services().stream().filter(s -> s.service().port() == 80).findFirst().orElseThrow();
    }

    private RealServerStatus rs(final int port)
    {
        return service().realServer("127.0.0.1", port);
    }

    @Test
    void startAddsTheServiceAndRealServersWithoutCheckersAtOnce()
    {
        director();
        kd = KeepalivedDirector.start(parse(config("  persistence_timeout 50\n", unchecked(8080, 3),
            unchecked(8081, 1))), director, manual());
        final ServiceStatus s = service();
        assertEquals("rr", s.service().scheduler());
        assertEquals(50, s.service().persistenceTimeoutS());
        assertEquals(2, s.realServers().size());
        assertEquals(3, rs(8080).server().weight());
        assertEquals(ConnectionFlags.MASQ, rs(8080).server().method() & ConnectionFlags.FWD_MASK);
        assertEquals("no checks: up", kd.health().describe(s.service(), rs(8080).server()));
        kd.close();
        kd = null;
        assertTrue(director.services().isEmpty(), "closing removes the configuration's services");
    }

    @Test
    void aFailingCheckRemovesAfterRetryPlusOneFailuresAndASuccessAddsBack() throws Exception
    {
        director();
        final ServerSocket one = listen();
        final ServerSocket two = listen();
        final int p1 = one.getLocalPort();
        kd = KeepalivedDirector.start(parse(config("", tcpChecked(p1, 1,
            "    notify_down \"/bin/echo down\"\n    notify_up \"/bin/echo up\"\n"),
            tcpChecked(two.getLocalPort(), 2, ""))), director, manual());
        assertEquals(2, service().realServers().size(), "non-alpha real servers start in the pool");
        advance(100);
        assertTrue(kd.health().describe(service().service(), rs(p1).server()).startsWith("TCP_CHECK up, ok"),
            kd.health().describe(service().service(), rs(p1).server()));

        one.close();
        advance(1000);
        assertNotNull(rs(p1), "one failure: retry 1 allows another attempt");
        advance(1000);
        assertNull(rs(p1), "retry + 1 = 2 failures take it out");
        assertEquals(2, rs(two.getLocalPort()).server().weight());
        assertEquals(List.of(List.of("/bin/echo", "down")), scripts);

        try (ServerSocket again = listen(p1))
        {
            advance(1100);
            assertNotNull(rs(p1), "the first success puts it back");
            assertEquals(1, rs(p1).server().weight(), "with its configured weight");
            assertEquals(List.of("/bin/echo", "up"), scripts.get(scripts.size() - 1));
        }
    }

    @Test
    void inhibitOnFailureSetsWeightZeroInsteadOfRemoving() throws Exception
    {
        director();
        final ServerSocket one = listen();
        final int p1 = one.getLocalPort();
        kd = KeepalivedDirector.start(parse(config("  inhibit_on_failure\n", tcpChecked(p1, 5, ""),
            unchecked(9000, 1))), director, manual());
        one.close();
        advance(2200);
        assertNotNull(rs(p1), "inhibited, not removed");
        assertEquals(0, rs(p1).server().weight());
        assertTrue(kd.health().describe(service().service(), rs(p1).server()).startsWith("TCP_CHECK down, failed"),
            kd.health().describe(service().service(), rs(p1).server()));
        try (ServerSocket again = listen(p1))
        {
            advance(1100);
            assertEquals(5, rs(p1).server().weight(), "weight restored on recovery");
        }
    }

    @Test
    void quorumLossPutsTheSorryServerIn() throws Exception
    {
        director();
        final ServerSocket one = listen();
        final int p1 = one.getLocalPort();
        kd = KeepalivedDirector.start(parse(config("  sorry_server 127.0.0.9 8080\n" +
            "  quorum_down \"/bin/echo quorum down\"\n", tcpChecked(p1, 1, ""))), director, manual());
        assertNull(rs(8080));
        one.close();
        advance(2200);
        assertNull(rs(p1));
        final RealServerStatus sorry = service().realServer("127.0.0.9", 8080);
        assertNotNull(sorry, "the sorry server serves: " + service());
        assertTrue(scripts.contains(List.of("/bin/echo", "quorum", "down")), scripts.toString());
        try (ServerSocket again = listen(p1))
        {
            advance(1100);
            assertNotNull(rs(p1));
            assertNull(service().realServer("127.0.0.9", 8080), "the sorry server leaves when quorum returns");
        }
    }

    @Test
    void alphaRealServersWaitForTheirFirstSuccess() throws Exception
    {
        director();
        final ServerSocket one = listen();
        kd = KeepalivedDirector.start(parse(config("  alpha\n", tcpChecked(one.getLocalPort(), 1, ""))),
            director, manual());
        assertNull(rs(one.getLocalPort()), "alpha: not in the pool before a check passed");
        advance(200);
        assertNotNull(rs(one.getLocalPort()));
    }

    @Test
    void reloadAppliesOnlyTheDifference() throws Exception
    {
        director();
        final int down = closedPort();
        kd = KeepalivedDirector.start(parse(config("", unchecked(8080, 1), unchecked(8081, 1),
            tcpChecked(down, 1, ""))), director, manual());
        advance(2200);
        assertNull(rs(down), "its check fails");
        final VirtualService web = service().service();
        // connections of unchanged real servers live in the director's table; a reload that leaves them alone
        // makes no call for them at all
        final KeepalivedDirector.Changes same = kd.reload(parse(config("", unchecked(8080, 1), unchecked(8081, 1),
            tcpChecked(down, 1, ""))));
        assertEquals(List.of(0, 0, 0, 0, 0, 0), counts(same), same.toString());
        assertNull(rs(down), "a failed real server is not put back by a reload (keepalived#1720)");

        final KeepalivedDirector.Changes changes = kd.reload(parse(
            config("", unchecked(8080, 4), unchecked(8082, 1), tcpChecked(down, 1, "")).replace("lb_algo rr",
                "lb_algo wrr") +
            "virtual_server 203.0.113.11 443 {\n  lb_algo rr\n  lb_kind NAT\n" + unchecked(8443, 1) + "}\n"));
        assertEquals(List.of(1, 0, 1, 2, 1, 1), counts(changes), changes.toString());
        assertEquals("wrr", service().service().scheduler());
        assertEquals(4, rs(8080).server().weight());
        assertNull(rs(8081));
        assertNotNull(rs(8082));
        assertEquals(2, director.services().size());
        assertEquals(web.toString(), service().service().toString());

        final KeepalivedDirector.Changes removed = kd.reload(parse(config("", unchecked(8080, 4))));
        assertEquals(1, removed.servicesRemoved());
        assertEquals(1, director.services().size());
    }

    @Test
    void reloadDrainsRemovedRealServersWhenAsked() throws Exception
    {
        director();
        kd = KeepalivedDirector.start(parse(config("", unchecked(8080, 2), unchecked(8081, 2))), director,
            manual().drainTime(Duration.ofSeconds(5)));
        kd.reload(parse(config("", unchecked(8080, 2))));
        assertNotNull(rs(8081), "draining: still there");
        assertEquals(0, rs(8081).server().weight(), "with weight 0");
        advance(4000);
        assertNotNull(rs(8081));
        advance(1100);
        assertNull(rs(8081), "deleted when the drain time is over");
        assertEquals(2, rs(8080).server().weight());
    }

    @Test
    void fwmarkServicesAreRefusedWithTheirFileAndLine() throws Exception
    {
        director();
        final Path file = dir.resolve("keepalived.conf");
        Files.writeString(file, config("", unchecked(8080, 1)) + "\nvirtual_server fwmark 7 {\n  lb_kind DR\n" +
            "  real_server 192.0.2.11 80 {\n  }\n}\n");
        final KeepalivedConfig config = new KeepalivedParser().parse(file);
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> KeepalivedDirector.start(config, director, manual()));
        assertTrue(ex.getMessage().startsWith(file + ":11: virtual_server fwmark 7: fwmark services are not " +
            "supported"), ex.getMessage());
        assertTrue(director.services().isEmpty(), "nothing applied");
    }

    @Test
    void groupsOfAddressesBecomeOneServiceEach() throws Exception
    {
        director();
        kd = KeepalivedDirector.start(parse("virtual_server_group web {\n  203.0.113.20-21 80\n}\n" +
            "virtual_server group web {\n  lb_algo rr\n  lb_kind NAT\n" + unchecked(8080, 1) + "}\n"), director,
            manual());
        assertEquals(2, director.services().size());
        for (final ServiceStatus s : director.services())
        {
            assertEquals(1, s.realServers().size(), s.toString());
        }
        final Path file = dir.resolve("marks.conf");
        Files.writeString(file, "virtual_server_group marks {\n  fwmark 3\n}\n" +
            "virtual_server group marks {\n  lb_kind DR\n}\n");
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
            () -> kd.reload(new KeepalivedParser().parse(file)));
        assertTrue(ex.getMessage().startsWith(file + ":4: virtual_server group marks: group marks names fwmark 3"),
            ex.getMessage());
        assertEquals(2, director.services().size(), "a refused reload changes nothing");
    }

    @Test
    void checksRunOnOneThreadOfTheirOwn() throws Exception
    {
        director();
        final ServerSocket one = listen();
        final int p1 = one.getLocalPort();
        kd = KeepalivedDirector.start(parse(config("", tcpChecked(p1, 1, ""), tcpChecked(closedPort(), 1, ""))),
            director, new KeepalivedDirector.Context().warmupRandom(max -> 0));
        final long threads = Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t.getName().equals(KeepalivedDirector.THREAD_NAME)).count();
        assertEquals(1, threads);
        await(() -> service().realServers().size() == 1, 5000);
        assertNotNull(rs(p1));
        await(() -> kd.checkerStatuses().size() == 2 && kd.checkerStatuses().stream().allMatch(s -> s.runs() > 0),
            3000);
        kd.reload(parse(config("", tcpChecked(p1, 3, ""))));
        assertEquals(3, rs(p1).server().weight());
        kd.close();
        kd = null;
        assertTrue(director.services().isEmpty());
        assertFalse(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals(KeepalivedDirector.THREAD_NAME) && t.isAlive()));
    }

    @Test
    void realServersAddedByHandAreTakenOver()
    {
        director();
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("wlc");
        director.addService(web);
        director.addRealServer(web, RealServers.nat("127.0.0.1", 8080, 9));
        kd = KeepalivedDirector.start(parse(config("", unchecked(8080, 2))), director, manual());
        assertEquals("rr", service().service().scheduler());
        assertEquals(2, rs(8080).server().weight());
    }

    private static List<Integer> counts(final KeepalivedDirector.Changes c)
    {
        return List.of(c.servicesAdded(), c.servicesRemoved(), c.servicesEdited(), c.realServersAdded(),
            c.realServersRemoved(), c.realServersEdited());
    }

    private static void await(final BooleanSupplier condition, final long ms) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + ms;
        while (!condition.getAsBoolean())
        {
            assertTrue(System.currentTimeMillis() < deadline, "condition not met in " + ms + " ms");
            Thread.sleep(10);
        }
    }

    @Test
    void lvsTimeoutsSetTheDirectorsTimeoutsAtStartAndOnReloadAsIpvsadmSetWould()
    {
        director();
        final ConnectionTimeoutProfiles profiles = director.timeoutProfiles();
        final int p = ConnectionTimeoutProfiles.DEFAULT_PROFILE;
        assertEquals(900_000, profiles.timeoutMs(p, TcpState.ESTABLISHED), "IPVS's default before");
        kd = KeepalivedDirector.start(parse("global_defs {\n  lvs_timeouts tcp 60 tcpfin 30 udp 20\n}\n" +
            config("", unchecked(8080, 1))), director, manual());
        assertEquals(60_000, profiles.timeoutMs(p, TcpState.ESTABLISHED));
        assertEquals(30_000, profiles.timeoutMs(p, TcpState.FIN_WAIT));
        assertEquals(20_000, profiles.timeoutMs(p, TcpState.UDP));

        kd.reload(parse("global_defs {\n  lvs_timeouts tcp 90\n}\n" + config("", unchecked(8080, 1))));
        assertEquals(90_000, profiles.timeoutMs(p, TcpState.ESTABLISHED));
        assertEquals(30_000, profiles.timeoutMs(p, TcpState.FIN_WAIT), "left out: kept");
        assertEquals(20_000, profiles.timeoutMs(p, TcpState.UDP), "left out: kept");

        kd.reload(parse(config("", unchecked(8080, 1))));
        assertEquals(90_000, profiles.timeoutMs(p, TcpState.ESTABLISHED), "no keyword: the timeouts stay");
    }
}
