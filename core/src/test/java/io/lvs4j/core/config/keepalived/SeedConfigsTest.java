package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The seed configurations our users start from load unchanged, with every field as keepalived reads it. */
class SeedConfigsTest
{
    private static InetAddress ip(final String s)
    {
        return Addresses.parse(s);
    }

    private static KeepalivedConfig load(final String name)
    {
        return new KeepalivedParser().parse(Resources.path("seed/" + name));
    }

    @Test
    void lvsDrMaster()
    {
        final KeepalivedConfig c = load("lvs-dr-master.conf");
        assertLvsDr(c, VrrpInstance.State.MASTER);
    }

    @Test
    void lvsDrBackup()
    {
        final KeepalivedConfig c = load("lvs-dr-backup.conf");
        assertLvsDr(c, VrrpInstance.State.BACKUP);
    }

    private static void assertLvsDr(final KeepalivedConfig c, final VrrpInstance.State state)
    {
        assertEquals("LVS_DEVEL", c.globalDefs().routerId());
        assertTrue(c.globalDefs().notificationEmails().isEmpty(), "commented out");
        assertEquals(Duration.ofSeconds(30), c.globalDefs().smtpConnectTimeout(), "default, the line is a comment");

        assertEquals(1, c.vrrpInstances().size());
        final VrrpInstance vi = c.vrrpInstances().get(0);
        assertEquals("VI_1", vi.name());
        assertEquals(state, vi.state());
        assertEquals("eno16777736", vi.interfaceName(), "the trailing Chinese comment is not part of the value");
        assertEquals(51, vi.virtualRouterId());
        assertEquals(100, vi.priority());
        assertEquals(Duration.ofSeconds(1), vi.advertInt());
        assertEquals(2, vi.version());
        assertFalse(vi.nopreempt());
        assertEquals(new VrrpAuthentication(VrrpAuthentication.Type.PASS, "1111"), vi.authentication());
        assertEquals(List.of(VirtualIpAddress.of(ip("192.168.20.50"))), vi.virtualIpAddresses());
        assertEquals(32, vi.virtualIpAddresses().get(0).prefixLength());
        assertEquals(Duration.ofSeconds(5), vi.garpMasterDelay());
        assertEquals(5, vi.garpMasterRepeat());

        assertEquals(1, c.virtualServers().size());
        final VirtualServerConfig vs = c.virtualServers().get(0);
        assertEquals(VirtualServerConfig.Kind.ADDRESS, vs.kind());
        assertEquals(ip("192.168.20.50"), vs.address());
        assertEquals(80, vs.port());
        assertEquals(Duration.ofSeconds(6), vs.delayLoop());
        assertEquals("wrr", vs.scheduler());
        assertEquals(LvsMethod.DR, vs.method());
        assertEquals(0, vs.persistenceTimeoutS());
        assertNull(vs.persistenceGranularity(), "nat_mask is obsolete, not the granularity");
        assertEquals(IpProtocol.TCP, vs.protocol());
        assertEquals(1, vs.quorum());
        assertNull(vs.sorryServer());

        assertEquals(2, vs.realServers().size());
        final RealServerConfig rs1 = vs.realServers().get(0);
        final RealServerConfig rs2 = vs.realServers().get(1);
        assertEquals(ip("192.168.20.233"), rs1.address());
        assertEquals(80, rs1.port());
        assertEquals(1, rs1.weight());
        assertEquals(LvsMethod.DR, rs1.method(), "inherited from lb_kind");
        assertEquals(ip("192.168.20.203"), rs2.address());
        assertEquals(2, rs2.weight());
        for (final RealServerConfig rs : vs.realServers())
        {
            assertEquals(1, rs.checkers().size());
            final TcpCheck tcp = assertInstanceOf(TcpCheck.class, rs.checkers().get(0));
            assertEquals(Duration.ofSeconds(10), tcp.connection().connectTimeout());
            assertEquals(80, tcp.connection().connectPort());
            assertNull(tcp.connection().connectIp());
            assertEquals(Duration.ofSeconds(3), tcp.timing().delayBeforeRetry());
            // keepalived 2.x does not know nb_get_retry in TCP_CHECK: retry keeps its default of 1
            assertEquals(1, tcp.timing().retry());
            assertEquals(Duration.ofSeconds(6), tcp.timing().delayLoop(), "from the virtual server");
            assertEquals(Duration.ofSeconds(6), tcp.timing().warmup(), "warmup defaults to delay_loop");
            assertFalse(tcp.timing().alpha());
        }

        final List<String> warnings = c.warnings().stream().map(ConfigProblem::message).toList();
        assertEquals(3, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("nat_mask is obsolete"));
        assertTrue(warnings.get(1).startsWith("nb_get_retry is only known to HTTP_GET and SSL_GET"));
        assertTrue(warnings.get(2).startsWith("nb_get_retry is only known to HTTP_GET and SSL_GET"));

        final VirtualService service = ServiceModelMapping.virtualService(vs);
        assertEquals("TCP 192.168.20.50:80", service.toString());
        assertEquals("wrr", service.scheduler());
        assertFalse(service.isPersistent());
        final List<RealServer> servers = ServiceModelMapping.realServers(vs);
        assertEquals(ConnectionFlags.DROUTE, servers.get(0).method());
        assertEquals(1, servers.get(0).weight());
        assertEquals(2, servers.get(1).weight());
        assertEquals(0, servers.get(1).id());
        assertEquals(80, servers.get(1).port());
    }

    @Test
    void lvsDrMasterWarningsPointAtTheirLines()
    {
        final KeepalivedConfig c = load("lvs-dr-master.conf");
        final ConfigProblem natMask = c.warnings().get(0);
        assertTrue(natMask.file().endsWith("lvs-dr-master.conf"));
        assertEquals(25, natMask.line());
        assertEquals(9, natMask.column());
        final ConfigProblem nbGetRetry = c.warnings().get(1);
        assertEquals(32, nbGetRetry.line());
        assertEquals(25, nbGetRetry.column());
    }

    @Test
    void haproxyPairs()
    {
        assertHaproxy(load("haproxy-master.conf"), VrrpInstance.State.MASTER, "eth0", 105, "192.168.17.146", 0);
        assertHaproxy(load("haproxy-backup.conf"), VrrpInstance.State.BACKUP, "eth0", 100, "192.168.17.146", 0);
        assertHaproxy(load("haproxy-master-weight.conf"), VrrpInstance.State.MASTER, "ens18", 105, "192.168.0.146", -2);
        assertHaproxy(load("haproxy-backup-weight.conf"), VrrpInstance.State.BACKUP, "ens18", 100, "192.168.0.146", -2);
    }

    private static void assertHaproxy(
        final KeepalivedConfig c, final VrrpInstance.State state, final String iface, final int priority,
        final String vip, final int weight)
    {
        assertTrue(c.warnings().isEmpty(), c.warnings().toString());
        assertTrue(c.virtualServers().isEmpty());
        assertEquals(GlobalDefs.defaults(), c.globalDefs());
        final VrrpScript script = c.vrrpScript("chk_haproxy").orElseThrow();
        assertEquals("killall -0 haproxy", script.script());
        assertEquals(Duration.ofSeconds(2), script.interval());
        assertEquals(Duration.ofSeconds(2), script.timeout(), "timeout defaults to the interval");
        assertEquals(weight, script.weight());
        assertEquals(1, script.rise());
        assertEquals(1, script.fall());
        final VrrpInstance vi = c.vrrpInstance("VI_1").orElseThrow();
        assertEquals(state, vi.state());
        assertEquals(iface, vi.interfaceName());
        assertEquals(51, vi.virtualRouterId());
        assertEquals(priority, vi.priority());
        assertEquals(Duration.ofSeconds(1), vi.advertInt(), "default");
        assertNull(vi.authentication());
        assertEquals(List.of(VirtualIpAddress.of(ip(vip))), vi.virtualIpAddresses());
        assertEquals(List.of(new TrackedScript("chk_haproxy", null, null)), vi.trackScripts());
    }
}
