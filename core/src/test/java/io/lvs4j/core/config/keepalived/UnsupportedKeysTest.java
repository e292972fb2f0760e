package io.lvs4j.core.config.keepalived;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Keys lvs4j parses but does not act on warn, so a keepalived user does not silently get other behaviour; and
 * {@code vrrp_min_garp}, which the parser resolves into the GARP values the VRRP engine applies.
 */
class UnsupportedKeysTest
{
    private static KeepalivedConfig parse(final String text)
    {
        return new KeepalivedParser().parse("t.conf", text, Path.of("."));
    }

    private static List<String> warnings(final String text)
    {
        return parse(text).warnings().stream().map(ConfigProblem::toString).toList();
    }

    private static final String INSTANCE = """
        vrrp_instance VI_1 {
          interface eth0
          virtual_router_id 51
          virtual_ipaddress {
            192.0.2.10
          }
        }
        """;

    @Test
    void vrrpMinGarpSendsOneGarpAndNoSecondBurst()
    {
        final KeepalivedConfig c = parse("global_defs {\n  vrrp_min_garp\n}\n" + INSTANCE);
        final GlobalDefs g = c.globalDefs();
        assertEquals(Duration.ZERO, g.garpMasterDelay());
        assertEquals(1, g.garpMasterRepeat());
        assertEquals(Duration.ZERO, g.garpLowerPrioDelay());
        assertEquals(1, g.garpLowerPrioRepeat());
        // the instance takes the global values, as in keepalived
        assertEquals(Duration.ZERO, c.vrrpInstances().get(0).garpMasterDelay());
        assertEquals(1, c.vrrpInstances().get(0).garpMasterRepeat());
        assertEquals(List.of(), c.warnings());
    }

    @Test
    void vrrpMinGarpKeepsValuesWrittenBeforeAndYieldsToValuesWrittenAfter()
    {
        final GlobalDefs before = parse("global_defs {\n  vrrp_garp_master_repeat 3\n  vrrp_min_garp\n}\n")
            .globalDefs();
        assertEquals(3, before.garpMasterRepeat());
        assertEquals(Duration.ZERO, before.garpMasterDelay());
        final GlobalDefs after = parse("global_defs {\n  vrrp_min_garp\n  vrrp_garp_master_delay 2\n}\n")
            .globalDefs();
        assertEquals(Duration.ofSeconds(2), after.garpMasterDelay());
        assertEquals(1, after.garpMasterRepeat());
        final GlobalDefs off = parse("global_defs {\n  vrrp_min_garp off\n}\n").globalDefs();
        assertEquals(GlobalDefs.DEFAULT_GARP_MASTER_DELAY, off.garpMasterDelay());
        assertEquals(GlobalDefs.DEFAULT_GARP_MASTER_REPEAT, off.garpMasterRepeat());
    }

    @Test
    void vrrpMinGarpRoundTrips()
    {
        final KeepalivedConfig c = parse("global_defs {\n  vrrp_garp_master_repeat 5\n  vrrp_min_garp\n}\n");
        assertEquals(c, new KeepalivedParser().parse("w.conf", KeepalivedConfigWriter.write(c), Path.of(".")));
    }

    @Test
    void globalKeysLvs4jDoesNotActOnWarn()
    {
        assertEquals(List.of(
            "t.conf:2:3: warning: 'smtp_server' is not supported by lvs4j; no e-mail is sent to notification_email " +
                "(state changes and checker results are only logged)",
            "t.conf:3:3: warning: 'vrrp_mcast_group4' is not supported by lvs4j; adverts are sent to and received " +
                "from 224.0.0.18",
            "t.conf:4:3: warning: 'vrrp_mcast_group6' is not supported by lvs4j; adverts are sent to and received " +
                "from ff02::12",
            "t.conf:5:3: warning: 'vrrp_garp_interval' is not supported by lvs4j; the gratuitous ARPs / NAs of a " +
                "burst are sent back to back",
            "t.conf:6:3: warning: 'vrrp_gna_interval' is not supported by lvs4j; the gratuitous ARPs / NAs of a " +
                "burst are sent back to back",
            "t.conf:7:3: warning: 'vrrp_strict' is not supported by lvs4j; its checks and the drop of VIP traffic " +
                "while not master are not made",
            "t.conf:8:3: warning: 'vrrp_startup_delay' is not supported by lvs4j; VRRP starts at once",
            "t.conf:9:3: warning: 'enable_script_security' is not supported by lvs4j; scripts are run without " +
                "checking who can write them",
            "t.conf:10:3: warning: 'script_user' is not supported by lvs4j; scripts run as the user that runs lvs4j"),
            warnings("""
                global_defs {
                  smtp_server 192.0.2.25
                  vrrp_mcast_group4 224.0.0.19
                  vrrp_mcast_group6 ff02::13
                  vrrp_garp_interval 0.001
                  vrrp_gna_interval 0.001
                  vrrp_strict
                  vrrp_startup_delay 5
                  enable_script_security
                  script_user nobody
                }
                """));
    }

    @Test
    void theSameKeysAtTheirDefaultsOrOffDoNotWarn()
    {
        assertEquals(List.of(), warnings("""
            global_defs {
              notification_email {
                ops@example.org
              }
              notification_email_from lb@example.org
              smtp_alert
              vrrp_mcast_group4 224.0.0.18
              vrrp_mcast_group6 ff02::12
              vrrp_garp_interval 0
              vrrp_gna_interval 0
              vrrp_strict off
              vrrp_startup_delay 0
              enable_script_security no
              lvs_flush
              router_id lb1
            }
            """ + INSTANCE));
    }

    @Test
    void instanceAndServerKeysLvs4jDoesNotActOnWarn()
    {
        assertEquals(List.of(
            "t.conf:1:1: warning: 'static_ipaddress' is not supported by lvs4j; no address is added to the system",
            "t.conf:4:1: warning: 'static_routes' is not supported by lvs4j; no route is added to the system",
            "t.conf:14:3: warning: 'virtual_routes' is not supported by lvs4j; no route is added or removed",
            "t.conf:21:3: warning: 'persistence_engine' is not supported by lvs4j; persistence follows the client " +
                "address, not the SIP Call-ID"),
            warnings("""
                static_ipaddress {
                  192.0.2.200/24 dev eth0
                }
                static_routes {
                  198.51.100.0/24 via 192.0.2.1
                }
                vrrp_instance VI_1 {
                  interface eth0
                  virtual_router_id 51
                  virtual_ipaddress { 192.0.2.10 }
                  virtual_ipaddress_excluded {
                    192.0.2.11
                  }
                  virtual_routes {
                    203.0.113.0/24 via 192.0.2.1
                  }
                  use_vmac
                }
                virtual_server 192.0.2.10 5060 {
                  protocol UDP
                  persistence_engine sip
                  persistence_timeout 60
                  real_server 192.0.2.21 5060 {
                  }
                }
                """));
    }
}
