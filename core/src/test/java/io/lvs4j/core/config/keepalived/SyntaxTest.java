package io.lvs4j.core.config.keepalived;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The file syntax of §10.1: comments, quotes, braces, includes, parameters, conditional lines, booleans, timers. */
class SyntaxTest
{
    @TempDir
    Path dir;

    private KeepalivedConfig parse(final String text)
    {
        return new KeepalivedParser().parse("t.conf", text, dir);
    }

    @Test
    void commentsQuotesAndBracesOnTheNextLine()
    {
        final KeepalivedConfig c = parse("""
            # a comment
            ! another
            vrrp_script chk   # trailing
            {
              script "/bin/check --x \\"a b\\" # not a comment"   ! trailing
              interval 2.5
            }
            vrrp_instance VI_1
            {
              virtual_router_id 7 ; priority 9
              virtual_ipaddress
              {
                192.0.2.1/24 dev eth0 label eth0:1 brd 192.0.2.255 scope global no_track
              }
              track_script { chk weight -3 reverse }
            }
            """);
        final VrrpScript s = c.vrrpScripts().get(0);
        assertEquals("/bin/check --x \"a b\" # not a comment", s.script());
        assertEquals(Duration.ofMillis(2500), s.interval());
        final VrrpInstance i = c.vrrpInstances().get(0);
        assertEquals(7, i.virtualRouterId());
        assertEquals(1, c.warnings().size(), "keepalived has no ';' separator: the rest of the line is extra words");
        assertEquals(new VirtualIpAddress(Addresses.parse("192.0.2.1"), 24, Addresses.parse("192.0.2.255"), "eth0",
            "global", "eth0:1", true), i.virtualIpAddresses().get(0));
        assertEquals(List.of(new TrackedScript("chk", -3, true)), i.trackScripts());
    }

    @Test
    void booleansAndTimers()
    {
        final KeepalivedConfig c = parse("""
            global_defs {
              vrrp_strict yes
              lvs_flush off
              vrrp_skip_check_adv_addr TRUE
              enable_script_security
              smtp_alert no
              vrrp_garp_interval 0.000001
              vrrp_gna_interval .5
              vrrp_garp_master_refresh 60.
            }
            """);
        final GlobalDefs g = c.globalDefs();
        assertTrue(g.vrrpStrict());
        assertEquals(false, g.lvsFlush());
        assertTrue(g.vrrpSkipCheckAdvAddr());
        assertTrue(g.enableScriptSecurity());
        assertEquals(Boolean.FALSE, g.smtpAlert());
        assertEquals(Duration.ofNanos(1000), g.garpInterval());
        assertEquals(Duration.ofMillis(500), g.gnaInterval());
        assertEquals(Duration.ofSeconds(60), g.garpMasterRefresh());
        assertEquals(Duration.ofNanos(1000), Values.parseTimer("0.0000005"), "rounded to microseconds");
        assertEquals("2.71828", Values.formatTimer(Values.parseTimer("2.71828")));
    }

    @Test
    void parametersAndConditionalLines()
    {
        final String text = """
            $VIP=192.0.2.10
            $PORT = 443
            $ALGO=${SCHED}
            $SCHED=wrr
            @node1 $PRIO=150
            @^node1 $PRIO=50
            virtual_server $VIP $PORT {
              lb_algo $SCHED
              real_server 192.0.2.20 ${PORT}
            }
            vrrp_instance VI_1 {
              virtual_router_id 1
              priority $PRIO
              notify_master "/bin/echo $HOME"
            @node2  nopreempt
            }
            """;
        final KeepalivedConfig n1 = new KeepalivedParser("node1").parse("t.conf", text, dir);
        final VirtualServerConfig vs = n1.virtualServers().get(0);
        assertEquals(Addresses.parse("192.0.2.10"), vs.address());
        assertEquals(443, vs.port());
        assertEquals("wrr", vs.scheduler());
        assertEquals(443, vs.realServers().get(0).port());
        assertEquals(150, n1.vrrpInstances().get(0).priority());
        assertEquals("/bin/echo $HOME", n1.vrrpInstances().get(0).notifyMaster().command(), "not ours: quoted");
        assertEquals(false, n1.vrrpInstances().get(0).nopreempt());
        final KeepalivedConfig n2 = new KeepalivedParser("node2").parse("t.conf", text, dir);
        assertEquals(50, n2.vrrpInstances().get(0).priority());
        assertTrue(n2.vrrpInstances().get(0).nopreempt());
        assertEquals(50, new KeepalivedParser().parse("t.conf", text, dir).vrrpInstances().get(0).priority());
    }

    @Test
    void undefinedParameterOutsideQuotesIsAWarning()
    {
        final KeepalivedParser.Result r = new KeepalivedParser().check("t.conf",
            "global_defs {\n  router_id $NAME\n}\n", dir);
        assertTrue(r.ok());
        assertEquals("t.conf:2:13: warning: $NAME is not defined; left as written", r.problems().get(0).toString());
        assertEquals("$NAME", r.config().globalDefs().routerId());
    }

    @Test
    void includesAreRelativeGlobbedNestedAndInOrder() throws Exception
    {
        final Path main = dir.resolve("keepalived.conf");
        Files.createDirectories(dir.resolve("conf.d/vs"));
        Files.writeString(main, """
            global_defs {
              include defs.inc
            }
            include "conf.d/*.conf"
            include conf.d/{x,y}.extra
            """);
        Files.writeString(dir.resolve("defs.inc"), "router_id FROM_INCLUDE\n");
        Files.writeString(dir.resolve("conf.d/b.conf"), "include vs/*.vs\n");
        Files.writeString(dir.resolve("conf.d/a.conf"), "virtual_server 192.0.2.1 80 {\n}\n");
        Files.writeString(dir.resolve("conf.d/vs/one.vs"), "virtual_server 192.0.2.2 80 {\n}\n");
        Files.writeString(dir.resolve("conf.d/y.extra"), "virtual_server 192.0.2.3 80 {\n  bogus\n}\n");
        final KeepalivedConfig c = new KeepalivedParser().parse(main);
        assertEquals("FROM_INCLUDE", c.globalDefs().routerId());
        assertEquals(List.of("192.0.2.1 80", "192.0.2.2 80", "192.0.2.3 80"),
            c.virtualServers().stream().map(VirtualServerConfig::key).toList());
        assertEquals(List.of(main, dir.resolve("defs.inc"), dir.resolve("conf.d/a.conf"), dir.resolve("conf.d/b.conf"),
            dir.resolve("conf.d/vs/one.vs"), dir.resolve("conf.d/y.extra")).stream().map(p -> p.toAbsolutePath()
            .normalize()).toList(), c.files());
        assertEquals("conf.d/y.extra:2:3: warning: unknown keyword 'bogus' in virtual_server; ignored",
            c.warnings().get(0).toString());
    }
}
