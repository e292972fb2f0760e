package io.lvs4j.core.config.keepalived;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The keywords the samples do not use, each parsed once and checked; and the mapping to the service model. */
class KeywordCoverageTest
{
    private static final String TEXT = """
        global_defs {
          notification_email_from lb@example.org
          smtp_server 192.0.2.25 2525
          smtp_helo_name lb1
          smtp_alert_vrrp on
          smtp_alert_checker off
          no_email_faults
          checker_log_all_failures
          default_interface eth9
          vrrp_mcast_group4 224.0.0.19
          vrrp_mcast_group6 ff02::13
          lvs_sync_daemon eth1 VI_1 id 7 maxlen 1400 port 8849 ttl 2 group 239.1.1.1
          lvs_timeouts tcp 900 tcpfin 30 udp 60
          lvs_flush
          lvs_flush_on_stop VS
          vrrp_garp_master_delay 2
          vrrp_garp_master_repeat 3
          vrrp_garp_master_refresh 60
          vrrp_garp_master_refresh_repeat 2
          vrrp_min_garp
          vrrp_version 3
          vrrp_check_unicast_src
          vrrp_startup_delay 1.5
          script_user nobody nogroup
          enable_dbus
        }
        static_ipaddress {
          192.0.2.200/24 dev eth0
        }
        static_routes {
          0.0.0.0/0 via 192.0.2.1
        }
        virtual_server 2001:db8::10 443 {
          lvs_sched mh
          mh-port
          mh-fallback
          lvs_method TUN type gue port 6080 remcsum
          persistence_timeout
          persistence_granularity 64
          persistence_engine sip
          protocol SCTP
          ha_suspend
          virtualhost www.example.org
          quorum_up "/bin/up" root wheel
          weight 5
          sorry_server 2001:db8::99 443
          sorry_server_inhibit
          sorry_server_lvs_method DR
          inhibit_on_failure
          connect_timeout 2
          retry 4
          delay_before_retry 0.5
          warmup 0
          smtp_alert
          real_server 2001:db8::20 443 {
            lvs_method DR
            uthreshold 100
            lthreshold 50
            inhibit_on_failure off
            notify_up /bin/rs-up
            notify_down "/bin/rs-down now"
            alpha yes
            delay_loop 9
            SSL_GET {
              url {
                path /health
                status_code 200-204 301
                virtualhost h.example.org
                regex ^OK
                regex_no_match
              }
              enable_sni
              sni_name sni.example.org
              http_protocol 1.1
              fast_recovery
              tls_compliant
              bind_if eth0
              bind_port 5000
              bindto 2001:db8::1
              fwmark 9
            }
            DNS_CHECK {
              type A
              name example.org
            }
            UDP_CHECK {
              payload 0A0B
              require_reply 0Axx
              min_reply_length 2
              max_reply_length 100
            }
            FILE_CHECK {
              track_file flag
              weight -10 reverse
              dynamic
            }
            MISC_CHECK {
              misc_path /bin/check 1
              misc_timeout 4
              misc_dynamic
              user nobody nogroup
              log_all_failures
            }
          }
          real_server 2001:db8::21 {
          }
        }
        virtual_server fwmark 5 {
          ip_family inet6
          ops
          flag-3
          hashed
          lb_algo sh
          sh-port
          real_server 2001:db8::30 0
        }
        vrrp_script chk {
          script /bin/true
          user nobody
          init_fail
          timeout 3
        }
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 9
          advert_int 0.5
          preempt_delay 30
          nopreempt
          preempt
          mcast_src_ip 192.0.2.2
          unicast_peer {
            192.0.2.3
            192.0.2.4 min_ttl 1
          }
          virtual_ipaddress_excluded {
            198.51.100.9
          }
          track_interface {
            eth1 weight -10 reverse
          }
          track_script {
            chk noreverse
            missing
          }
          notify_backup /bin/b
          notify_fault /bin/f
          notify_stop /bin/s
          notify "/bin/n all"
          garp_lower_prio_delay 1
          garp_lower_prio_repeat 2
          garp_master_refresh 10
          garp_master_refresh_repeat 3
          use_vmac vrrp9
          dont_track_primary
          no_accept
          track_file f
        }
        vrrp_sync_group SG {
          group { VI_1 VI_X }
          notify_stop /bin/gs
          notify /bin/gn
          smtp_alert
        }
        """;

    private static KeepalivedConfig config()
    {
        return new KeepalivedParser().parse("k.conf", TEXT, Path.of("."));
    }

    @Test
    void warningsAreTheUnsupportedKeywords()
    {
        assertEquals(List.of(
            "k.conf:3:3: warning: 'smtp_server' is not supported by lvs4j; no e-mail is sent to notification_email " +
                "(state changes and checker results are only logged)",
            "k.conf:10:3: warning: 'vrrp_mcast_group4' is not supported by lvs4j; adverts are sent to and received " +
                "from 224.0.0.18",
            "k.conf:11:3: warning: 'vrrp_mcast_group6' is not supported by lvs4j; adverts are sent to and received " +
                "from ff02::12",
            "k.conf:23:3: warning: 'vrrp_startup_delay' is not supported by lvs4j; VRRP starts at once",
            "k.conf:24:3: warning: 'script_user' is not supported by lvs4j; scripts run as the user that runs lvs4j",
            "k.conf:25:3: warning: 'enable_dbus' is not supported by lvs4j; ignored",
            "k.conf:27:1: warning: 'static_ipaddress' is not supported by lvs4j; no address is added to the system",
            "k.conf:30:1: warning: 'static_routes' is not supported by lvs4j; no route is added to the system",
            "k.conf:40:3: warning: 'persistence_engine' is not supported by lvs4j; persistence follows the client " +
                "address, not the SIP Call-ID",
            "k.conf:133:15: warning: unicast_peer: per-peer options (min_ttl, max_ttl) are not supported by lvs4j; " +
                "ignored",
            "k.conf:156:3: warning: 'track_file' is not supported by lvs4j; ignored",
            "k.conf:123:1: warning: vrrp_instance VI_1: track_script missing is not a vrrp_script; ignored, as " +
                "keepalived does",
            "k.conf:158:1: warning: vrrp_sync_group SG: VI_X is not a vrrp_instance; left out, as keepalived does"),
            config().warnings().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void globalDefs()
    {
        final GlobalDefs g = config().globalDefs();
        assertEquals("lb@example.org", g.notificationEmailFrom());
        assertEquals("192.0.2.25", g.smtpServer());
        assertEquals(2525, g.smtpPort());
        assertEquals("lb1", g.smtpHeloName());
        assertNull(g.smtpAlert());
        assertEquals(Boolean.TRUE, g.smtpAlertVrrp());
        assertEquals(Boolean.FALSE, g.smtpAlertChecker());
        assertTrue(g.noEmailFaults());
        assertTrue(g.checkerLogAllFailures());
        assertEquals("eth9", g.defaultInterface());
        assertEquals(Addresses.parse("224.0.0.19"), g.vrrpMcastGroup4());
        assertEquals(Addresses.parse("ff02::13"), g.vrrpMcastGroup6());
        assertEquals(new LvsSyncDaemon("eth1", "VI_1", 7, 1400, 8849, 2, Addresses.parse("239.1.1.1")),
            g.lvsSyncDaemon());
        assertEquals(new LvsTimeouts(900, 30, 60), g.lvsTimeouts());
        assertTrue(g.lvsFlush());
        assertEquals(GlobalDefs.FlushOnStop.VS, g.lvsFlushOnStop());
        assertEquals(Duration.ofSeconds(2), g.garpMasterDelay());
        assertEquals(3, g.garpMasterRepeat());
        assertEquals(Duration.ofSeconds(2), g.garpLowerPrioDelay(), "the master delay");
        assertEquals(3, g.garpLowerPrioRepeat(), "the master repeat");
        assertEquals(Duration.ofSeconds(60), g.garpMasterRefresh());
        assertEquals(2, g.garpMasterRefreshRepeat());
        assertTrue(g.vrrpMinGarp());
        assertEquals(3, g.vrrpVersion());
        assertTrue(g.vrrpCheckUnicastSrc());
        assertEquals(Duration.ofMillis(1500), g.vrrpStartupDelay());
        assertEquals("nobody", g.scriptUser());
        assertEquals("nogroup", g.scriptGroup());
        final KeepalivedConfig c = config();
        assertEquals(List.of(new VirtualIpAddress(Addresses.parse("192.0.2.200"), 24, null, "eth0", null, null, false)),
            c.staticIpAddresses());
        assertEquals(List.of("0.0.0.0/0 via 192.0.2.1"), c.staticRoutes());
    }

    @Test
    void virtualServerKeywordsAndInheritance()
    {
        final VirtualServerConfig vs = config().virtualServers().get(0);
        assertEquals("mh", vs.scheduler());
        assertEquals(ServiceFlags.MH_PORT | ServiceFlags.MH_FALLBACK, vs.flags());
        assertEquals(new LvsMethod(LvsMethod.Kind.TUN, LvsMethod.TunnelType.GUE, 6080,
            LvsMethod.TunnelChecksum.REMCSUM), vs.method());
        assertEquals(360, vs.persistenceTimeoutS(), "persistence_timeout without a value");
        assertEquals(64, vs.persistenceGranularity());
        assertEquals("sip", vs.persistenceEngine());
        assertEquals(IpProtocol.SCTP, vs.protocol());
        assertTrue(vs.haSuspend());
        assertEquals("www.example.org", vs.virtualhost());
        assertEquals(new NotifyScript("/bin/up", "root", "wheel"), vs.quorumUp());
        assertEquals(5, vs.weight());
        assertEquals(new SorryServer(Addresses.parse("2001:db8::99"), 443, LvsMethod.DR, true), vs.sorryServer());
        assertTrue(vs.inhibitOnFailure());
        assertEquals(Duration.ofSeconds(2), vs.connectTimeout());
        assertEquals(4, vs.retry());
        assertEquals(Duration.ofMillis(500), vs.delayBeforeRetry());
        assertEquals(Duration.ZERO, vs.warmup());
        assertEquals(Boolean.TRUE, vs.smtpAlert());

        final RealServerConfig rs = vs.realServers().get(0);
        assertEquals(LvsMethod.DR, rs.method());
        assertEquals(5, rs.weight(), "the virtual server's weight");
        assertEquals(100, rs.upperThreshold());
        assertEquals(50, rs.lowerThreshold());
        assertFalse(rs.inhibitOnFailure());
        assertEquals(NotifyScript.of("/bin/rs-up"), rs.notifyUp());
        assertEquals(NotifyScript.of("/bin/rs-down now"), rs.notifyDown());
        assertEquals(Boolean.TRUE, rs.alpha());
        assertEquals(Duration.ofSeconds(9), rs.delayLoop());
        final RealServerConfig bare = vs.realServers().get(1);
        assertEquals(0, bare.port());
        assertTrue(bare.inhibitOnFailure(), "inherited");
        assertEquals(vs.method(), bare.method(), "inherited");

        final HttpCheck ssl = assertInstanceOf(HttpCheck.class, rs.checkers().get(0));
        assertTrue(ssl.tls());
        assertEquals(new HttpUrl("/health", null, List.of(new HttpUrl.StatusRange(200, 204),
            new HttpUrl.StatusRange(301, 301)), "h.example.org", "^OK", true), ssl.urls().get(0));
        assertTrue(ssl.urls().get(0).passes(204));
        assertFalse(ssl.urls().get(0).passes(300));
        assertTrue(ssl.enableSni());
        assertEquals("sni.example.org", ssl.sniName());
        assertEquals("1.1", ssl.httpProtocol());
        assertTrue(ssl.fastRecovery());
        assertTrue(ssl.tlsCompliant());
        assertEquals("www.example.org", ssl.virtualhost());
        assertEquals(new ConnectionOptions(null, 0, Addresses.parse("2001:db8::1"), 5000, "eth0",
            Duration.ofSeconds(2), 9), ssl.connection());
        assertEquals(new CheckerTiming(4, Duration.ofMillis(500), Duration.ZERO, Duration.ofSeconds(9), true, false),
            ssl.timing(), "virtual server, then real server values");

        final DnsCheck dns = assertInstanceOf(DnsCheck.class, rs.checkers().get(1));
        assertEquals("A", dns.type());
        assertEquals("example.org", dns.name());
        final UdpCheck udp = assertInstanceOf(UdpCheck.class, rs.checkers().get(2));
        assertEquals("0a0b", udp.payload());
        assertTrue(udp.requireReply());
        assertEquals("0axx", udp.replyPattern());
        assertEquals(2, udp.minReplyLength());
        assertEquals(100, udp.maxReplyLength());
        assertEquals(new FileCheck("flag", -10, true, true), rs.checkers().get(3));
        final MiscCheck misc = assertInstanceOf(MiscCheck.class, rs.checkers().get(4));
        assertEquals("/bin/check 1", misc.path());
        assertEquals(Duration.ofSeconds(4), misc.timeout());
        assertTrue(misc.dynamic());
        assertEquals("nobody", misc.user());
        assertEquals("nogroup", misc.group());
        assertTrue(misc.timing().logAllFailures());
        assertEquals(4, misc.timing().retry(), "the virtual server's retry beats MISC_CHECK's default 0");

        final VirtualServerConfig fw = config().virtualServers().get(1);
        assertEquals(FlowKey.AF_INET6, fw.ipFamily());
        assertEquals(ServiceFlags.ONEPACKET | ServiceFlags.SCHED3 | ServiceFlags.HASHED | ServiceFlags.SH_PORT,
            fw.flags());
    }

    @Test
    void vrrpKeywords()
    {
        final KeepalivedConfig c = config();
        final VrrpScript s = c.vrrpScript("chk").orElseThrow();
        assertEquals("nobody", s.user());
        assertTrue(s.initFail());
        assertEquals(Duration.ofSeconds(3), s.timeout());
        final VrrpInstance i = c.vrrpInstance("VI_1").orElseThrow();
        assertEquals(Duration.ofMillis(500), i.advertInt());
        assertEquals(3, i.version(), "vrrp_version 3 from global_defs");
        assertEquals(Duration.ofSeconds(30), i.preemptDelay());
        assertFalse(i.nopreempt(), "preempt after nopreempt");
        assertEquals(Addresses.parse("192.0.2.2"), i.unicastSrcIp());
        assertEquals(List.of(Addresses.parse("192.0.2.3"), Addresses.parse("192.0.2.4")), i.unicastPeers());
        assertEquals(List.of(VirtualIpAddress.of(Addresses.parse("198.51.100.9"))), i.excludedIpAddresses());
        assertEquals(List.of(new TrackedInterface("eth1", -10, true)), i.trackInterfaces());
        assertEquals(List.of(new TrackedScript("chk", null, false)), i.trackScripts());
        assertEquals(NotifyScript.of("/bin/b"), i.notifyBackup());
        assertEquals(NotifyScript.of("/bin/f"), i.notifyFault());
        assertEquals(NotifyScript.of("/bin/s"), i.notifyStop());
        assertEquals(NotifyScript.of("/bin/n all"), i.notifyGeneric());
        assertEquals(Duration.ofSeconds(2), i.garpMasterDelay(), "global");
        assertEquals(Duration.ofSeconds(1), i.garpLowerPrioDelay());
        assertEquals(2, i.garpLowerPrioRepeat());
        assertEquals(Duration.ofSeconds(10), i.garpMasterRefresh());
        assertEquals(3, i.garpMasterRefreshRepeat());
        assertTrue(i.useVmac());
        assertEquals("vrrp9", i.vmacName());
        assertTrue(i.dontTrackPrimary());
        assertEquals(Boolean.FALSE, i.accept());
        final VrrpSyncGroup g = c.vrrpSyncGroups().get(0);
        assertEquals(List.of("VI_1"), g.members());
        assertEquals(NotifyScript.of("/bin/gs"), g.notifyStop());
        assertEquals(NotifyScript.of("/bin/gn"), g.notifyGeneric());
        assertTrue(g.smtpAlert());
    }

    @Test
    void mapsOntoTheServiceModel()
    {
        final KeepalivedConfig c = config();
        final VirtualService tun = ServiceModelMapping.virtualService(c.virtualServers().get(0));
        assertEquals("SCTP [2001:db8:0:0:0:0:0:10]:443", tun.toString());
        assertEquals("mh", tun.scheduler());
        assertEquals(360, tun.persistenceTimeoutS());
        assertEquals(64, tun.netmask());
        assertEquals(ServiceFlags.MH_PORT | ServiceFlags.MH_FALLBACK | ServiceFlags.PERSISTENT, tun.flags());
        final RealServer rs = ServiceModelMapping.realServer(c.virtualServers().get(0).realServers().get(0));
        assertEquals(ConnectionFlags.DROUTE, rs.method());
        assertEquals(100, rs.upperThreshold());
        assertEquals(50, rs.lowerThreshold());
        assertEquals(FlowKey.AF_INET6, rs.family());
        assertEquals(ConnectionFlags.TUNNEL,
            ServiceModelMapping.realServer(c.virtualServers().get(0).realServers().get(1)).method());
        final VirtualService fw = ServiceModelMapping.virtualService(c.virtualServers().get(1));
        assertEquals(5, fw.fwmark());
        assertEquals(FlowKey.AF_INET6, fw.family());
        assertEquals(IpProtocol.IP, fw.protocol());
        assertEquals(128, fw.netmask());
        assertTrue((fw.flags() & ServiceFlags.ONEPACKET) != 0);
    }

    @Test
    void groupExpansionHasALimit()
    {
        final KeepalivedConfig c = new KeepalivedParser().parse("g.conf",
            "virtual_server_group G {\n  10.0.0.0/8 80\n}\nvirtual_server group G {\n}\n", Path.of("."));
        assertEquals(Addresses.parse("10.255.255.255"), c.virtualServerGroups().get(0).entries().get(0).last());
        assertThrows(IllegalArgumentException.class,
            () -> ServiceModelMapping.virtualServices(c.virtualServers().get(0), c));
        assertThrows(IllegalArgumentException.class,
            () -> ServiceModelMapping.virtualService(c.virtualServers().get(0)));
    }

    @Test
    void keepalivedNormalisations()
    {
        final KeepalivedParser.Result r = new KeepalivedParser().check("n.conf", """
            virtual_server 192.0.2.1 0 {
              ops
              sh-port
              lb_algo rr
            }
            vrrp_instance VI_1 {
              virtual_router_id 1
              state MASTER
              nopreempt
              authentication {
                auth_type PASS
                auth_pass 123456789
              }
            }
            """, Path.of("."));
        assertTrue(r.ok());
        assertEquals(List.of(
            "n.conf:1:1: warning: virtual_server 192.0.2.1 has port 0 without persistence; persistence_timeout 360 " +
                "applied, as keepalived does",
            "n.conf:2:3: warning: ops is only for UDP (or fwmark) services; cleared, as keepalived does",
            "n.conf:3:3: warning: sh-port needs the sh or mh scheduler; cleared",
            "n.conf:12:15: warning: auth_pass is at most 8 characters; cut to \"12345678\" as keepalived does",
            "n.conf:6:1: warning: vrrp_instance VI_1: nopreempt needs state BACKUP; keepalived starts it as BACKUP"),
            r.problems().stream().map(ConfigProblem::toString).toList());
        final VirtualServerConfig vs = r.config().virtualServers().get(0);
        assertEquals(0, vs.flags());
        assertEquals(360, vs.persistenceTimeoutS());
        assertEquals(VrrpInstance.State.BACKUP, r.config().vrrpInstances().get(0).state());
        assertEquals("12345678", r.config().vrrpInstances().get(0).authentication().password());
    }

    @Test
    void configCheckSummary()
    {
        final ConfigCheck.Verdict ok = ConfigCheck.check(Resources.path("seed/lvs-dr-master.conf"), null);
        assertTrue(ok.ok());
        assertTrue(ok.summary().endsWith("lvs-dr-master.conf: configuration OK, 3 warnings (1 virtual server, " +
            "2 real servers, 1 VRRP instance)"), ok.summary());
        final ConfigCheck.Verdict bad = ConfigCheck.check("x.conf", "vrrp_instance V { priority 0 }\n}\n",
            Path.of("."), null);
        assertFalse(bad.ok());
        assertNull(bad.config());
        assertEquals(3, bad.errors().size());
        assertEquals("x.conf: 3 errors, 0 warnings; first: x.conf:2:1: unexpected '}': no block is open here",
            bad.summary());
    }
}
