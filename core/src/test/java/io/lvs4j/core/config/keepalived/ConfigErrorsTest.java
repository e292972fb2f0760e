package io.lvs4j.core.config.keepalived;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every error path names the file, line and column and says what was expected. */
class ConfigErrorsTest
{
    @TempDir
    Path dir;

    private List<String> problems(final String text)
    {
        return new KeepalivedParser().check("t.conf", text, dir).problems().stream().map(ConfigProblem::toString)
            .toList();
    }

    private static String vs(final String inner)
    {
        return "virtual_server 192.0.2.1 80 {\n" + inner + "\n}\n";
    }

    private static String rs(final String inner)
    {
        return vs("  real_server 192.0.2.10 80 {\n" + inner + "\n  }");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '^', textBlock = """
        delay_loop -1           ^ t.conf:2:12: delay_loop: expected a time in seconds (above 0..1000000000), got "-1"
        delay_loop 0            ^ t.conf:2:12: delay_loop: expected a time in seconds (above 0..1000000000), got "0"
        delay_loop 1.5s         ^ t.conf:2:12: delay_loop: expected a time in seconds (above 0..1000000000), got "1.5s"
        lb_kind FOO             ^ t.conf:2:9: lb_kind: expected NAT|DR|TUN, got "FOO"
        lb_kind nat             ^ t.conf:2:9: lb_kind: expected NAT|DR|TUN, got "nat"
        lb_kind TUN type vxlan  ^ t.conf:2:18: lb_kind: expected ipip|gue|gre, got "vxlan"
        lb_kind TUN type gue    ^ t.conf:2:1: lb_kind: TUN type gue needs a port
        lb_kind TUN port 6080   ^ t.conf:2:1: lb_kind: a tunnel port is only for type gue
        lb_kind TUN csum        ^ t.conf:2:1: lb_kind: checksum option csum is not available with type ipip
        lb_kind TUN bogus       ^ t.conf:2:13: lb_kind: expected a tunnel option (type ipip|gue|gre, port N, nocsum|csum|remcsum), got "bogus"
        protocol ICMP           ^ t.conf:2:10: protocol: expected TCP|UDP|SCTP, got "ICMP"
        persistence_timeout 9999999 ^ t.conf:2:21: persistence_timeout: expected an integer 0..2678400, got "9999999"
        persistence_granularity 255.0.x.0 ^ t.conf:2:25: persistence_granularity: expected an IPv4 netmask, got "255.0.x.0"
        persistence_granularity 33 ^ t.conf:2:25: persistence_granularity: expected an integer 1..32, got "33"
        ha_suspend maybe        ^ t.conf:2:12: ha_suspend: expected on|off|yes|no|true|false, got "maybe"
        quorum 0                ^ t.conf:2:8: quorum: expected an integer 1..2147483647, got "0"
        weight x                ^ t.conf:2:8: weight: expected an integer 0..65535, got "x"
        weight                  ^ t.conf:2:1: weight: expected an integer 0..65535, got nothing
        sorry_server 192.0.2.999 80 ^ t.conf:2:14: sorry_server: expected an IP address, got "192.0.2.999"
        ip_family inet4         ^ t.conf:2:11: ip_family: expected inet|inet6, got "inet4"
        weight 1 { }            ^ t.conf:2:10: weight: takes no { } block
        """)
    void badVirtualServerValues(final String line, final String expected)
    {
        assertEquals(List.of(expected), problems(vs(line)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '^', textBlock = """
        weight 70000            ^ t.conf:3:8: weight: expected an integer 0..65535, got "70000"
        uthreshold -1           ^ t.conf:3:12: uthreshold: expected an integer 0..2147483647, got "-1"
        inhibit_on_failure 2    ^ t.conf:3:20: inhibit_on_failure: expected on|off|yes|no|true|false, got "2"
        TCP_CHECK { connect_port 65536 } ^ t.conf:3:26: connect_port: expected a port 0..65535, got "65536"
        TCP_CHECK { connect_ip 10.0.0 } ^ t.conf:3:24: connect_ip: expected an IP address, got "10.0.0"
        TCP_CHECK { connect_timeout never } ^ t.conf:3:29: connect_timeout: expected a time in seconds (above 0..1000000000), got "never"
        TCP_CHECK { retry many } ^ t.conf:3:19: retry: expected an integer 0..2147483647, got "many"
        HTTP_GET { connect_port 80 } ^ t.conf:3:1: HTTP_GET: expected at least one url { path ... } block
        HTTP_GET { url { path / } http_protocol 2 } ^ t.conf:3:41: http_protocol: expected 1.0|1.0C|1.1, got "2"
        MISC_CHECK { misc_timeout 3 } ^ t.conf:3:1: MISC_CHECK: expected misc_path <command> in the block
        FILE_CHECK { weight 3 } ^ t.conf:3:1: FILE_CHECK: expected track_file <NAME> in the block
        DNS_CHECK { type PTR }  ^ t.conf:3:18: type: expected A|NS|CNAME|SOA|MX|TXT|AAAA, got "PTR"
        UDP_CHECK { payload 0g } ^ t.conf:3:21: payload: expected hex bytes, got "0g"
        """)
    void badRealServerAndCheckerValues(final String line, final String expected)
    {
        assertEquals(List.of(expected), problems(rs(line)));
    }

    @Test
    void urlWithoutPathIsAnError()
    {
        assertEquals(List.of("t.conf:3:12: url: expected path <PATH> in the block",
            "t.conf:3:1: HTTP_GET: expected at least one url { path ... } block"),
            problems(rs("HTTP_GET { url { status_code 200 } }")));
    }

    @Test
    void urlValues()
    {
        assertEquals(List.of(
            "t.conf:6:8: digest: expected an MD5 digest of 32 hex digits, got \"0123\"",
            "t.conf:7:13: status_code: expected a status code N or range N-M (100..999), got \"2xx\"",
            "t.conf:7:17: status_code: expected a status code N or range N-M (100..999), got \"299-200\""),
            problems(rs("HTTP_GET {\nurl {\npath /\ndigest 0123\nstatus_code 2xx 299-200 200-299\n}\n}")));
    }

    @Test
    void thresholdsMustBeOrdered()
    {
        assertEquals(List.of("t.conf:4:1: lthreshold: expected at most uthreshold 10, got 20"),
            problems(rs("uthreshold 10\nlthreshold 20")));
    }

    @Test
    void badAddressesAndPorts()
    {
        assertEquals(List.of("t.conf:1:16: virtual_server: expected an IP address, got \"10.0.0.300\""),
            problems("virtual_server 10.0.0.300 80 {\n}\n"));
        assertEquals(List.of("t.conf:1:26: virtual_server: expected a port 0..65535, got \"http\""),
            problems("virtual_server 192.0.2.1 http {\n}\n"));
        assertEquals(List.of("t.conf:2:25: real_server: expected a port 0..65535, got \"70000\""),
            problems(vs("  real_server 192.0.2.3 70000")));
        assertEquals(List.of("t.conf:1:1: virtual_server: expected <IP> [<PORT>] | fwmark <INT> | group <NAME>, " +
            "got nothing"), problems("virtual_server {\n}\n"));
        assertEquals(List.of("t.conf:1:23: virtual_server: expected an integer 1..4294967295, got \"0\""),
            problems("virtual_server fwmark 0 {\n}\n"));
        assertEquals(List.of("t.conf:1:22: virtual_server group: no virtual_server_group named \"NOPE\""),
            problems("virtual_server group NOPE {\n}\n"));
    }

    @Test
    void badGroupRanges()
    {
        assertEquals(List.of(
            "t.conf:2:3: virtual_server_group: expected a range whose end is not below its start, got \"10.0.0.9-3\"",
            "t.conf:3:3: virtual_server_group: expected an IP address or range (a.b.c.d, a.b.c.d-e, a.b.c.d/nn), " +
                "got \"10.0.0.1/40\"",
            "t.conf:4:3: virtual_server_group: expected an IP address or range (a.b.c.d, a.b.c.d-e, a.b.c.d/nn), " +
                "got \"10.0.0.1-300\"",
            "t.conf:5:12: fwmark: expected inet|inet6, got \"ipv4\""),
            problems("virtual_server_group G {\n  10.0.0.9-3 80\n  10.0.0.1/40\n  10.0.0.1-300 80\n  fwmark 3 ipv4\n}\n"));
    }

    @Test
    void vrrpProblems()
    {
        assertEquals(List.of("t.conf:1:1: vrrp_instance VI_1: expected virtual_router_id <1..255> in the block"),
            problems("vrrp_instance VI_1 {\n  priority 100\n}\n"));
        assertEquals(List.of("t.conf:1:40: virtual_router_id: expected an integer 1..255, got \"256\"",
                "t.conf:1:1: vrrp_instance VI_1: expected virtual_router_id <1..255> in the block"),
            problems("vrrp_instance VI_1 { virtual_router_id 256 }"));
        assertEquals(List.of("t.conf:3:9: state: expected MASTER|BACKUP, got \"master\""),
            problems("vrrp_instance VI_1 {\n  virtual_router_id 1\n  state master\n}\n"));
        assertEquals(List.of("t.conf:3:12: priority: expected an integer 1..255, got \"0\""),
            problems("vrrp_instance VI_1 {\n  virtual_router_id 1\n  priority 0\n}\n"));
        assertEquals(List.of("t.conf:3:30: auth_type: expected PASS|AH, got \"MD5\"",
                "t.conf:3:3: authentication: expected auth_type PASS|AH and auth_pass in the block"),
            problems("vrrp_instance VI_1 {\n  virtual_router_id 1\n  authentication { auth_type MD5 }\n}\n"));
        assertEquals(List.of("t.conf:3:33: virtual address 192.0.2.1: expected brd, dev, scope, label or no_track, " +
                "got \"device\""),
            problems("vrrp_instance VI_1 {\n  virtual_router_id 1\n  virtual_ipaddress { 192.0.2.1 device eth0 }\n}\n"));
        assertEquals(List.of("t.conf:3:23: virtual address: expected a prefix length 0..32, got \"192.0.2.1/33\""),
            problems("vrrp_instance VI_1 {\n  virtual_router_id 1\n  virtual_ipaddress { 192.0.2.1/33 }\n}\n"));
        assertEquals(List.of("t.conf:3:3: virtual_ipaddress: expected a { } block"),
            problems("vrrp_instance VI_1 {\n  virtual_router_id 1\n  virtual_ipaddress\n}\n"));
        assertEquals(List.of("t.conf:1:1: vrrp_script chk: expected script <command> in the block"),
            problems("vrrp_script chk {\ninterval 2\n}"));
        assertEquals(List.of("t.conf:3:8: weight: expected an integer -253..253, got \"300\""),
            problems("vrrp_script chk2 {\nscript x\nweight 300\n}"));
        assertEquals(List.of("t.conf:2:1: vrrp_instance VI_1 is defined twice",
                "t.conf:2:1: vrrp_instance VI_1: virtual_router_id 1 is already used by VI_1 on the same interface"),
            problems("vrrp_instance VI_1 { virtual_router_id 1 }\nvrrp_instance VI_1 { virtual_router_id 1 }\n"));
        assertEquals(List.of("t.conf:3:9: group: expected a { } block",
                "t.conf:2:1: warning: vrrp_sync_group G has no group { } of instances; ignored, as keepalived does"),
            problems("vrrp_instance VI_1 { virtual_router_id 1 }\nvrrp_sync_group G {\n  group VI_1\n}\n"));
    }

    @Test
    void braces()
    {
        assertEquals(List.of("t.conf:1:29: unbalanced '{': the block opened here is not closed before the end of " +
            "the input"), problems("virtual_server 192.0.2.1 80 {\n  lb_algo rr\n"));
        assertEquals(List.of("t.conf:2:1: unexpected '}': no block is open here"),
            problems("global_defs { router_id a }\n}\n"));
        assertEquals(List.of("t.conf:1:1: unexpected '{': no keyword before it takes this block"),
            problems("{ router_id a }\n"));
        final List<String> unterminated = problems("vrrp_script chk {\n  script \"killall -0 x\n}\n");
        assertEquals("t.conf:2:10: unterminated quoted string: expected a closing '\"' before the end of the line",
            unterminated.get(0));
    }

    @Test
    void unknownKeywordsAreWarningsNotErrors()
    {
        final KeepalivedParser.Result r = new KeepalivedParser().check("t.conf",
            "global_defs {\n  frobnicate 1\n}\nfoo_bar { baz }\n" + rs("  bogus 3\n  BFD_CHECK { name x }"), dir);
        assertTrue(r.ok());
        assertEquals(List.of(
            "t.conf:2:3: warning: unknown keyword 'frobnicate' in global_defs; ignored",
            "t.conf:4:1: warning: unknown keyword 'foo_bar' in the top level; ignored",
            "t.conf:7:3: warning: unknown keyword 'bogus' in real_server; ignored",
            "t.conf:8:3: warning: 'BFD_CHECK' is not supported by lvs4j; ignored"),
            r.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void allProblemsInOnePass()
    {
        final String text = """
            global_defs {
              vrrp_version 4
            }
            virtual_server 192.0.2.1 80 {
              lb_kind XX
              real_server 192.0.2.300 80 {
                weight -1
              }
              foo 1
            }
            vrrp_instance VI_1 {
              state UP
            }
            """;
        final KeepalivedConfigException ex = assertThrows(KeepalivedConfigException.class,
            () -> new KeepalivedParser().parse("t.conf", text, dir));
        assertEquals(List.of(
            "t.conf:2:16: vrrp_version: expected an integer 2..3, got \"4\"",
            "t.conf:5:11: lb_kind: expected NAT|DR|TUN, got \"XX\"",
            "t.conf:9:3: warning: unknown keyword 'foo' in virtual_server; ignored",
            "t.conf:6:15: real_server: expected an IP address, got \"192.0.2.300\"",
            "t.conf:7:12: weight: expected an integer 0..65535, got \"-1\"",
            "t.conf:12:9: state: expected MASTER|BACKUP, got \"UP\"",
            "t.conf:11:1: vrrp_instance VI_1: expected virtual_router_id <1..255> in the block"),
            ex.problems().stream().map(ConfigProblem::toString).toList());
        assertEquals(6, ex.errors().size());
        assertTrue(ex.getMessage().startsWith("6 errors in keepalived configuration"));
    }

    @Test
    void includeOfAMissingFile() throws Exception
    {
        final Path main = dir.resolve("main.conf");
        Files.writeString(main, "global_defs {\n}\ninclude conf.d/missing.conf\ninclude conf.d/*.conf\n");
        final KeepalivedParser.Result r = new KeepalivedParser().check(main);
        assertFalse(r.ok());
        assertEquals(List.of(
            main + ":3:1: include: file not found: " + dir.resolve("conf.d/missing.conf"),
            main + ":4:1: warning: include: no file matches \"conf.d/*.conf\""),
            r.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void includeCycle() throws Exception
    {
        final Path main = dir.resolve("main.conf");
        Files.writeString(main, "include a.conf\n");
        Files.writeString(dir.resolve("a.conf"), "! a\ninclude sub/b.conf\n");
        Files.createDirectories(dir.resolve("sub"));
        Files.writeString(dir.resolve("sub/b.conf"), "\n\n  include ../a.conf\n");
        final KeepalivedParser.Result r = new KeepalivedParser().check(main);
        assertEquals(List.of("sub/b.conf:3:3: include cycle: main.conf -> a.conf -> sub/b.conf -> " +
            "a.conf"), r.problems().stream().map(ConfigProblem::toString).toList());
    }

    @Test
    void unreadableMainFile()
    {
        final Path missing = dir.resolve("nope.conf");
        final ConfigCheck.Verdict v = ConfigCheck.check(missing, null);
        assertFalse(v.ok());
        assertTrue(v.errors().get(0).toString().startsWith(missing + ":0:0: cannot read the configuration"));
        assertTrue(v.summary().startsWith(missing + ": 1 error, 0 warnings; first: "));
    }
}
