package io.lvs4j.forwarder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.core.config.keepalived.VirtualServerConfig;
import io.lvs4j.forwarder.check.CheckSpec;
import io.lvs4j.forwarder.check.DnsCheckSpec;
import io.lvs4j.forwarder.check.FileCheckSpec;
import io.lvs4j.forwarder.check.HttpCheckSpec;
import io.lvs4j.forwarder.check.MiscCheckSpec;
import io.lvs4j.forwarder.check.PingCheckSpec;
import io.lvs4j.forwarder.check.SmtpCheckSpec;
import io.lvs4j.forwarder.check.TcpCheckSpec;
import io.lvs4j.forwarder.check.UdpCheckSpec;

/**
 * keepalived's checker blocks as the engine's specs: every type, keepalived's defaults, and the virtual server's
 * values handed down.
 */
class CheckSpecsTest
{
    private static List<CheckSpec> specs(final String vsBody, final String checkers, final List<String> warnings)
    {
        final VirtualServerConfig vs = new KeepalivedParser().parse("t.conf",
            "virtual_server 203.0.113.10 80 {\n" + vsBody + "  real_server 192.0.2.11 80 {\n" + checkers +
            "  }\n}\n", Path.of(".")).virtualServers().get(0);
        return CheckSpecs.of(vs, vs.realServers().get(0).checkers(), warnings);
    }

    @Test
    void everyCheckerTypeWithKeepalivedsDefaults()
    {
        final List<String> warnings = new ArrayList<>();
        final List<CheckSpec> specs = specs("  delay_loop 6\n",
            "TCP_CHECK {\n}\n" +
            "HTTP_GET {\n url {\n path /health\n status_code 200 301-302\n digest 0123456789abcdef0123456789abcdef\n" +
            " }\n}\n" +
            "SSL_GET {\n url {\n path /\n }\n enable_sni\n sni_name example.org\n}\n" +
            "DNS_CHECK {\n type A\n name example.org\n}\n" +
            "SMTP_CHECK {\n helo_name me.example\n}\n" +
            "MISC_CHECK {\n misc_path \"/usr/bin/check 'a b' c\"\n misc_dynamic\n}\n" +
            "UDP_CHECK {\n payload 0a0b\n require_reply 0aXX\n}\n" +
            "PING_CHECK {\n}\n" +
            "FILE_CHECK {\n track_file /run/rs.state\n weight 2 reverse\n}\n", warnings);
        assertEquals(List.of("TCP_CHECK", "HTTP_GET", "SSL_GET", "DNS_CHECK", "SMTP_CHECK", "MISC_CHECK", "UDP_CHECK",
            "PING_CHECK", "FILE_CHECK"), specs.stream().map(CheckSpec::type).toList());

        final TcpCheckSpec tcp = (TcpCheckSpec)specs.get(0);
        assertEquals(Duration.ofSeconds(5), tcp.options().connectTimeout());
        assertEquals(1, tcp.options().retry());
        assertEquals(2, tcp.options().failuresToDown(), "down after retry + 1 failures");
        assertEquals(Duration.ofSeconds(1), tcp.options().delayBeforeRetry());
        assertEquals(Duration.ofSeconds(6), tcp.options().delayLoop(), "delay_loop from the virtual server");
        assertEquals(Duration.ofSeconds(6).toNanos(), tcp.options().warmupNs(), "warmup defaults to delay_loop");

        final HttpCheckSpec http = (HttpCheckSpec)specs.get(1);
        assertEquals(Duration.ofSeconds(3), http.options().delayBeforeRetry(), "HTTP_GET retries after 3 s");
        assertEquals("/health", http.urls().get(0).path());
        assertTrue(http.urls().get(0).statusCodes().contains(301) && !http.urls().get(0).statusCodes().contains(200 + 1));
        assertEquals("0123456789abcdef0123456789abcdef", http.urls().get(0).digest());
        assertEquals("1.0", http.httpProtocol());

        final HttpCheckSpec ssl = (HttpCheckSpec)specs.get(2);
        assertTrue(ssl.ssl());
        assertEquals("example.org", ssl.sniName());

        final DnsCheckSpec dns = (DnsCheckSpec)specs.get(3);
        assertEquals(3, dns.options().retry(), "DNS_CHECK retries 3 times");
        assertEquals(Duration.ofSeconds(6).toNanos(), dns.options().delayBeforeRetryNs(), "after delay_loop");
        assertEquals("A", dns.queryType());
        assertEquals("example.org", dns.name());

        assertEquals("me.example", ((SmtpCheckSpec)specs.get(4)).heloName());

        final MiscCheckSpec misc = (MiscCheckSpec)specs.get(5);
        assertEquals(List.of("/usr/bin/check", "a b", "c"), misc.command());
        assertEquals(0, misc.options().retry(), "MISC_CHECK does not retry");
        assertTrue(misc.dynamic());
        assertEquals(Duration.ofSeconds(6).toNanos(), misc.timeoutNs(), "misc_timeout defaults to delay_loop");

        final UdpCheckSpec udp = (UdpCheckSpec)specs.get(6);
        assertEquals("0a0b", udp.payload());
        assertTrue(udp.requireReply());

        assertNull(((PingCheckSpec)specs.get(7)).connectIp());

        final FileCheckSpec file = (FileCheckSpec)specs.get(8);
        assertEquals(Path.of("/run/rs.state"), file.file());
        assertEquals(2, file.weight());
        assertTrue(file.reverse());
        assertEquals(List.of(), warnings);
    }

    @Test
    void theVirtualServersValuesAreTheCheckersDefaults()
    {
        final List<CheckSpec> specs = specs("  delay_loop 2\n  retry 4\n  delay_before_retry 7\n  connect_timeout 3\n" +
            "  warmup 0\n  alpha\n", "TCP_CHECK {\n connect_port 8080\n}\nTCP_CHECK {\n retry 1\n}\n",
            new ArrayList<>());
        final TcpCheckSpec first = (TcpCheckSpec)specs.get(0);
        assertEquals(4, first.options().retry());
        assertEquals(Duration.ofSeconds(7), first.options().delayBeforeRetry());
        assertEquals(Duration.ofSeconds(3), first.options().connectTimeout());
        assertEquals(Duration.ofSeconds(2), first.options().delayLoop());
        assertEquals(0, first.options().warmupNs());
        assertTrue(first.options().alpha());
        assertEquals(8080, first.endpoint().connectPort());
        assertEquals(1, ((TcpCheckSpec)specs.get(1)).options().retry(), "the checker's own value wins");
    }

    @Test
    void whatTheEngineCannotDoIsSaid()
    {
        final List<String> warnings = new ArrayList<>();
        specs("", "TCP_CHECK {\n bind_port 999\n}\nHTTP_GET {\n url {\n path /\n regex ok\n }\n}\n", warnings);
        assertEquals(2, warnings.size(), warnings.toString());
        assertThrows(IllegalArgumentException.class,
            () -> specs("", "FILE_CHECK {\n track_file state\n}\n", new ArrayList<>()));
    }
}
