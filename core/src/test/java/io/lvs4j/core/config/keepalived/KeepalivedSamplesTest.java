package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.VirtualService;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * keepalived's own doc/samples load without errors; the warnings each produces are listed here, so a new one
 * (a keyword we stopped understanding) fails the test. The samples are read where Debian's {@code keepalived}
 * package installs them ({@code /usr/share/doc/keepalived/samples}, keepalived 2.2.7): they are GPL-2.0 files of
 * keepalived's and stay out of this repository. Without the package the tests skip with a printed reason.
 */
class KeepalivedSamplesTest
{
    /** Where Debian's keepalived package puts keepalived's doc/samples. */
    static final Path INSTALLED = Path.of("/usr/share/doc/keepalived/samples");

    /** The warnings each sample is allowed, as message prefixes in order; samples not listed must have none. */
    private static final Map<String, List<String>> EXPECTED_WARNINGS = Map.of(
        // the pre-2.0 sync group syntax without group { }
        "keepalived.conf.vrrp.lvs_syncd", List.of("unknown keyword 'VI_2'", "unknown keyword 'VI_3'",
            "vrrp_sync_group VG1 has no group", "lvs_sync_daemon_interface is deprecated"),
        // lvs4j adds and removes no routes
        "keepalived.conf.track_interface", List.of("'static_routes' is not supported by lvs4j",
            "'virtual_routes' is not supported by lvs4j"));

    private static InetAddress ip(final String s)
    {
        return Addresses.parse(s);
    }

    static Path sample(final String name)
    {
        Assumptions.assumeTrue(Files.isDirectory(INSTALLED), () ->
        {
            System.out.println("[keepalived samples] skipped: " + INSTALLED + " missing (apt-get install keepalived)");
            return "no keepalived samples";
        });
        return INSTALLED.resolve(name);
    }

    private static KeepalivedConfig load(final String name, final String configId)
    {
        return new KeepalivedParser(configId).parse(sample(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "keepalived.conf.sample", "keepalived.conf.HTTP_GET.port", "keepalived.conf.SSL_GET",
        "keepalived.conf.misc_check", "keepalived.conf.vrrp", "keepalived.conf.fwmark", "keepalived.conf.inhibit",
        "keepalived.conf.quorum", "keepalived.conf.virtualhost", "keepalived.conf.status_code",
        "keepalived.conf.virtual_server_group", "keepalived.conf.UDP_CHECK", "keepalived.conf.PING_CHECK",
        "keepalived.conf.SMTP_CHECK", "keepalived.conf.vrrp.sync", "keepalived.conf.vrrp.localcheck",
        "keepalived.conf.track_interface", "keepalived.conf.IPv6", "keepalived.conf.vrrp.lvs_syncd"})
    void loadsWithOnlyTheListedWarnings(final String name)
    {
        final KeepalivedConfig c = load(name, null);
        final List<String> all = c.warnings().stream().map(ConfigProblem::message).toList();
        // most samples name an smtp_server: lvs4j sends no mail, and says so once, at smtp_server
        final List<String> mail = all.stream().filter(m -> m.startsWith("'smtp_server' is not supported")).toList();
        assertEquals(c.globalDefs().smtpServer() != null ? 1 : 0, mail.size(), all.toString());
        final List<String> messages = all.stream().filter(m -> !mail.contains(m)).toList();
        final List<String> expected = EXPECTED_WARNINGS.getOrDefault(name, List.of());
        assertEquals(expected.size(), messages.size(), messages.toString());
        for (int i = 0; i < expected.size(); i++)
        {
            assertTrue(messages.get(i).startsWith(expected.get(i)), messages.get(i));
        }
        // and the writer gives text that parses back to the same model
        assertEquals(c, new KeepalivedParser().parse("written", KeepalivedConfigWriter.write(c), Resources.path(".")));
    }

    @Test
    void conditionalConfigurationFollowsTheConfigId()
    {
        final KeepalivedConfig high = load("keepalived.conf.conditional_conf", "high");
        final KeepalivedConfig low = load("keepalived.conf.conditional_conf", "low");
        assertEquals("/etc/keepalived/scripts/check_high_VI_0.sh", high.vrrpScripts().get(0).script());
        assertEquals("/etc/keepalived/scripts/check_low_VI_0.sh", low.vrrpScripts().get(0).script());
        assertEquals(170, high.vrrpInstances().get(0).priority());
        assertEquals(85, low.vrrpInstances().get(0).priority());
        assertEquals(List.of("'net_namespace' is not supported by lvs4j; ignored"),
            high.warnings().stream().map(ConfigProblem::message).toList());
        final VrrpScript s = low.vrrpScripts().get(0);
        assertEquals(Duration.ofSeconds(10), s.timeout());
        assertEquals(3, s.rise());
        assertEquals(3, s.fall());
        final VrrpInstance vi = low.vrrpInstances().get(0);
        assertEquals(3, vi.version());
        assertEquals(Duration.ofSeconds(12), vi.advertInt());
        assertTrue(vi.useVmac());
        assertEquals(List.of(new TrackedInterface("eth3", 0, false), new TrackedInterface("eth2", 20, false)),
            vi.trackInterfaces());
        assertEquals(List.of(new TrackedScript("check_VI_0", null, null)), vi.trackScripts());
        assertEquals(List.of(VirtualIpAddress.of(ip("10.1.0.254"))), vi.virtualIpAddresses());

        // without an id both @ lines are skipped and the script has no command
        final KeepalivedParser.Result none = new KeepalivedParser().check(
            sample("keepalived.conf.conditional_conf"));
        assertFalse(none.ok());
        assertEquals("vrrp_script check_VI_0: expected script <command> in the block",
            none.problems().get(0).message());
    }

    @Test
    void sampleWithHttpGetAndSorryServer()
    {
        final KeepalivedConfig c = load("keepalived.conf.sample", null);
        assertEquals(List.of("acassen"), c.globalDefs().notificationEmails());
        assertEquals("Alexandre.Cassen@firewall.loc", c.globalDefs().notificationEmailFrom());
        assertEquals("192.168.200.1", c.globalDefs().smtpServer());
        assertEquals(25, c.globalDefs().smtpPort());
        final VrrpInstance vi = c.vrrpInstances().get(0);
        assertTrue(vi.nopreempt());
        assertEquals(VrrpInstance.State.BACKUP, vi.state(), "default state");
        assertEquals(3, vi.virtualIpAddresses().size());
        final VirtualServerConfig vs = c.virtualServers().get(0);
        assertEquals("rr", vs.scheduler());
        assertEquals(LvsMethod.NAT, vs.method());
        assertEquals(50, vs.persistenceTimeoutS());
        assertEquals(new SorryServer(ip("192.168.200.200"), 1358, LvsMethod.NAT, false), vs.sorryServer());
        final HttpCheck http = assertInstanceOf(HttpCheck.class, vs.realServers().get(0).checkers().get(0));
        assertFalse(http.tls());
        assertEquals(List.of(new HttpUrl("/testurl3/test.jsp", "640205b7b0fc66c1ea91c463fac6334d",
            HttpUrl.DEFAULT_STATUS, null, null, false)), http.urls());
        assertEquals(Duration.ofSeconds(3), http.connection().connectTimeout());
        assertEquals(3, http.timing().retry());
        assertEquals(Duration.ofSeconds(3), http.timing().delayBeforeRetry());
        assertEquals("1.0", http.httpProtocol());
        final VirtualService service = ServiceModelMapping.virtualService(vs);
        assertEquals(50, service.persistenceTimeoutS());
        assertEquals(0xFFFF_FFFF, service.netmask());
    }

    @Test
    void sslGetPortVirtualhostAndStatusCodes()
    {
        final HttpCheck port = assertInstanceOf(HttpCheck.class,
            load("keepalived.conf.HTTP_GET.port", null).virtualServers().get(0).realServers().get(0).checkers().get(0));
        assertTrue(port.tls());
        assertEquals(444, port.connection().connectPort());
        assertEquals(3, port.timing().retry(), "nb_get_retry is retry in SSL_GET");

        final HttpCheck vh = assertInstanceOf(HttpCheck.class,
            load("keepalived.conf.virtualhost", null).virtualServers().get(0).realServers().get(0).checkers().get(0));
        assertEquals("www.firewall.loc", vh.virtualhost(), "inherited from the virtual server");
        assertEquals(2, vh.urls().size());

        final HttpCheck codes = assertInstanceOf(HttpCheck.class,
            load("keepalived.conf.status_code", null).virtualServers().get(0).realServers().get(0).checkers().get(0));
        assertEquals(List.of(new HttpUrl.StatusRange(200, 299), new HttpUrl.StatusRange(400, 499),
            new HttpUrl.StatusRange(503, 503), new HttpUrl.StatusRange(505, 505)), codes.urls().get(0).statusCodes());
        assertNull(codes.urls().get(0).digest());
        assertEquals("9b3a0c85a887a256d6939da88aabd8cd", codes.urls().get(1).digest());
        assertEquals(List.of(new HttpUrl.StatusRange(200, 200)), codes.urls().get(1).statusCodes());

        final KeepalivedConfig ssl = load("keepalived.conf.SSL_GET", null);
        assertEquals(VrrpAuthentication.Type.AH, ssl.vrrpInstances().get(0).authentication().type());
        assertEquals(2, ssl.virtualServers().size());
        assertTrue(((HttpCheck)ssl.virtualServers().get(0).realServers().get(0).checkers().get(0)).tls());
        assertFalse(((HttpCheck)ssl.virtualServers().get(1).realServers().get(0).checkers().get(0)).tls());
    }

    @Test
    void miscUdpPingSmtpChecks()
    {
        final MiscCheck misc = assertInstanceOf(MiscCheck.class,
            load("keepalived.conf.misc_check", null).virtualServers().get(0).realServers().get(0).checkers().get(0));
        assertEquals("/usr/local/bin/script.sh", misc.path());
        assertFalse(misc.dynamic(), "misc_dynamic is commented out");
        assertEquals(0, misc.timing().retry(), "MISC_CHECK retries 0 by default");
        assertEquals(Duration.ofSeconds(6), misc.timeout(), "misc_timeout defaults to delay_loop");

        final VirtualServerConfig udpVs = load("keepalived.conf.UDP_CHECK", null).virtualServers().get(0);
        assertEquals(IpProtocol.UDP, udpVs.protocol());
        final UdpCheck udp = assertInstanceOf(UdpCheck.class, udpVs.realServers().get(0).checkers().get(0));
        assertEquals(3, udp.timing().retry());
        assertFalse(udp.requireReply());
        assertEquals(255, udp.maxReplyLength());

        final PingCheck ping = assertInstanceOf(PingCheck.class,
            load("keepalived.conf.PING_CHECK", null).virtualServers().get(0).realServers().get(0).checkers().get(0));
        assertEquals(4, ping.timing().retry());
        assertEquals(Duration.ofSeconds(1), ping.timing().delayBeforeRetry());

        final VirtualServerConfig smtpVs = load("keepalived.conf.SMTP_CHECK", null).virtualServers().get(0);
        assertEquals(Duration.ofSeconds(60), smtpVs.delayLoop());
        final SmtpCheck simple = assertInstanceOf(SmtpCheck.class, smtpVs.realServers().get(0).checkers().get(0));
        assertEquals("foo.bar.com", simple.heloName());
        assertEquals(2, simple.timing().retry());
        assertEquals(Duration.ofSeconds(5), simple.timing().delayBeforeRetry());
        assertTrue(simple.hosts().isEmpty());
        final SmtpCheck hosts = assertInstanceOf(SmtpCheck.class, smtpVs.realServers().get(2).checkers().get(0));
        assertEquals(3, hosts.hosts().size());
        assertEquals(new ConnectionOptions(ip("172.16.1.12"), 25, ip("172.16.1.2"), 0, null, Duration.ofSeconds(10),
            0), hosts.hosts().get(0));
        assertEquals(587, hosts.hosts().get(2).connectPort());
    }

    @Test
    void fwmarkQuorumInhibitAndGroups()
    {
        final VirtualServerConfig fw = load("keepalived.conf.fwmark", null).virtualServers().get(0);
        assertEquals(VirtualServerConfig.Kind.FWMARK, fw.kind());
        assertEquals(1, fw.fwmark());
        assertEquals(0, fw.realServers().get(0).port(), "no port written");
        assertEquals("FWM  1", ServiceModelMapping.virtualService(fw).toString());
        assertEquals(900, ServiceModelMapping.virtualService(fw).persistenceTimeoutS());

        final VirtualServerConfig q = load("keepalived.conf.quorum", null).virtualServers().get(0);
        assertTrue(q.alpha());
        assertTrue(q.omega());
        assertEquals(7, q.quorum());
        assertEquals(2, q.hysteresis());
        assertEquals(NotifyScript.of("/usr/local/sbin/quorum-up.sh"), q.quorumUp());
        assertEquals(NotifyScript.of("/usr/local/sbin/quorum-down.sh"), q.quorumDown());
        assertEquals(10, q.realServers().size());
        assertTrue(((TcpCheck)q.realServers().get(9).checkers().get(0)).timing().alpha(), "alpha inherited");

        final RealServerConfig inhibit = load("keepalived.conf.inhibit", null).virtualServers().get(0).realServers()
            .get(0);
        assertTrue(inhibit.inhibitOnFailure());

        final KeepalivedConfig g = load("keepalived.conf.virtual_server_group", null);
        final VirtualServerGroup vsg = g.virtualServerGroups().get(0);
        assertEquals("VSG_1", vsg.name());
        assertEquals(6, vsg.entries().size());
        assertEquals(new VirtualServerGroup.Entry(ip("192.168.200.3"), ip("192.168.200.10"), 80, 0, 4),
            vsg.entries().get(3));
        assertEquals(new VirtualServerGroup.Entry(null, null, 0, 2, 0), vsg.entries().get(5));
        final List<VirtualService> services = ServiceModelMapping.virtualServices(g.virtualServers().get(0), g);
        assertEquals(3 + 8 + 2, services.size());
        assertEquals("TCP 192.168.200.10:80", services.get(10).toString());
        assertEquals("FWM  2", services.get(12).toString());

        final KeepalivedConfig v6 = load("keepalived.conf.IPv6", null);
        assertEquals(new VirtualServerGroup.Entry(ip("ae00::2"), ip("ae00::9"), 80, 0, 6),
            v6.virtualServerGroups().get(0).entries().get(0));
        assertEquals(128, ServiceModelMapping.virtualService(v6.virtualServers().get(0)).netmask());
    }

    @Test
    void vrrpSamples()
    {
        final KeepalivedConfig vrrp = load("keepalived.conf.vrrp", null);
        assertEquals(4, vrrp.vrrpInstances().size());
        assertEquals(Duration.ofSeconds(10), vrrp.vrrpInstances().get(0).garpMasterDelay());
        assertEquals(Duration.ofSeconds(5), vrrp.vrrpInstances().get(1).garpMasterDelay(), "global default");
        assertTrue(vrrp.vrrpInstances().get(3).smtpAlert());

        final KeepalivedConfig sync = load("keepalived.conf.vrrp.sync", null);
        assertEquals(List.of("VI_1", "VI_2", "VI_5", "VI_6", "VI_7", "VI_8", "VI_9"),
            sync.vrrpSyncGroups().get(0).members());
        assertEquals(NotifyScript.of("/usr/local/bin/vrrp.back arg1 arg2"), sync.vrrpSyncGroups().get(0).notifyBackup());
        assertEquals(25, sync.vrrpInstances().get(0).virtualIpAddresses().get(0).prefixLength());

        final VrrpInstance local = load("keepalived.conf.vrrp.localcheck", null).vrrpInstances().get(0);
        assertEquals(List.of(new TrackedInterface("eth1", 2, false), new TrackedInterface("eth2", -2, false),
            new TrackedInterface("eth3", 0, false)), local.trackInterfaces());
        assertEquals(new TrackedScript("chk_haproxy", 2, null), local.trackScripts().get(1));

        final VrrpInstance track = load("keepalived.conf.track_interface", null).vrrpInstances().get(0);
        assertEquals("eth0.1", track.interfaceName());
        assertEquals("eth1", track.virtualIpAddresses().get(1).device());
        assertEquals(List.of("192.168.110.0/24 via 192.168.200.254 dev eth1", "192.168.111.0/24 dev eth2",
            "192.168.112.0/24 via 192.168.100.254"), track.virtualRoutes());

        final KeepalivedConfig syncd = load("keepalived.conf.vrrp.lvs_syncd", null);
        assertEquals("eth1", syncd.vrrpInstances().get(0).lvsSyncDaemonInterface());
        assertEquals("grr02", syncd.vrrpInstances().get(0).authentication().password());
        assertTrue(syncd.vrrpSyncGroups().isEmpty());
    }
}
