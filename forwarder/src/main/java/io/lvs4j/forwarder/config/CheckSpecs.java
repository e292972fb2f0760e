package io.lvs4j.forwarder.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.lvs4j.core.config.keepalived.Checker;
import io.lvs4j.core.config.keepalived.CheckerTiming;
import io.lvs4j.core.config.keepalived.ConnectionOptions;
import io.lvs4j.core.config.keepalived.DnsCheck;
import io.lvs4j.core.config.keepalived.FileCheck;
import io.lvs4j.core.config.keepalived.HttpCheck;
import io.lvs4j.core.config.keepalived.MiscCheck;
import io.lvs4j.core.config.keepalived.PingCheck;
import io.lvs4j.core.config.keepalived.SmtpCheck;
import io.lvs4j.core.config.keepalived.TcpCheck;
import io.lvs4j.core.config.keepalived.UdpCheck;
import io.lvs4j.core.config.keepalived.VirtualServerConfig;
import io.lvs4j.forwarder.check.CheckOptions;
import io.lvs4j.forwarder.check.CheckSpec;
import io.lvs4j.forwarder.check.DnsCheckSpec;
import io.lvs4j.forwarder.check.Endpoint;
import io.lvs4j.forwarder.check.FileCheckSpec;
import io.lvs4j.forwarder.check.HttpCheckSpec;
import io.lvs4j.forwarder.check.HttpUrl;
import io.lvs4j.forwarder.check.MiscCheckSpec;
import io.lvs4j.forwarder.check.PingCheckSpec;
import io.lvs4j.forwarder.check.SmtpCheckSpec;
import io.lvs4j.forwarder.check.StatusCodes;
import io.lvs4j.forwarder.check.TcpCheckSpec;
import io.lvs4j.forwarder.check.UdpCheckSpec;

/**
 * Maps keepalived's checker blocks onto the health checker's specs. The parser has already resolved every value
 * (checker block, then real server, then virtual server, then the checker type's default, as keepalived inherits
 * them), so this is a field-for-field translation; what the engine cannot do is reported as a warning, never
 * silently dropped.
 */
public final class CheckSpecs
{
    private CheckSpecs()
    {
    }

    /**
     * The specs of one real server's checkers.
     *
     * @param vs       the virtual server (its {@code delay_loop} times FILE_CHECK, which has no timing of its own).
     * @param checkers the real server's checkers.
     * @param warnings receives one line per option the engine does not honour.
     * @return the specs, in configuration order (an SMTP_CHECK with {@code host} blocks gives one per host).
     * @throws IllegalArgumentException when a checker cannot be run at all (a FILE_CHECK naming no file path).
     */
    public static List<CheckSpec> of(
        final VirtualServerConfig vs, final List<Checker> checkers, final List<String> warnings)
    {
        final List<CheckSpec> specs = new ArrayList<>(checkers.size());
        for (final Checker checker : checkers)
        {
            map(vs, checker, specs, warnings);
        }
        return specs;
    }

    /**
     * keepalived's timing as the engine's options: retry + 1 consecutive failures take a checker down, one success
     * brings it up (rise 1, fall 0).
     *
     * @param connectTimeout {@code connect_timeout}.
     * @param timing         the resolved timing.
     * @return the options.
     */
    public static CheckOptions options(final java.time.Duration connectTimeout, final CheckerTiming timing)
    {
        return new CheckOptions(connectTimeout, timing.retry(), timing.delayBeforeRetry(), timing.delayLoop(),
            timing.warmup(), timing.alpha(), 1, 0);
    }

    private static void map(
        final VirtualServerConfig vs, final Checker checker, final List<CheckSpec> specs, final List<String> warnings)
    {
        if (checker instanceof TcpCheck tcp)
        {
            specs.add(new TcpCheckSpec(options(tcp.connection().connectTimeout(), tcp.timing()),
                endpoint(tcp.connection(), "TCP_CHECK", warnings)));
        }
        else if (checker instanceof UdpCheck udp)
        {
            specs.add(new UdpCheckSpec(options(udp.connection().connectTimeout(), udp.timing()),
                endpoint(udp.connection(), "UDP_CHECK", warnings), udp.payload(), udp.requireReply(),
                udp.replyPattern(), udp.minReplyLength(), udp.maxReplyLength()));
        }
        else if (checker instanceof HttpCheck http)
        {
            specs.add(http(http, warnings));
        }
        else if (checker instanceof DnsCheck dns)
        {
            specs.add(new DnsCheckSpec(options(dns.connection().connectTimeout(), dns.timing()),
                endpoint(dns.connection(), "DNS_CHECK", warnings), dns.type(), dns.name()));
        }
        else if (checker instanceof SmtpCheck smtp)
        {
            // keepalived checks the host blocks when there are any, else the real server itself
            final List<ConnectionOptions> targets = smtp.hosts().isEmpty() ? List.of(smtp.connection()) :
                smtp.hosts();
            for (final ConnectionOptions target : targets)
            {
                specs.add(new SmtpCheckSpec(options(target.connectTimeout(), smtp.timing()),
                    endpoint(target, "SMTP_CHECK", warnings), smtp.heloName()));
            }
        }
        else if (checker instanceof MiscCheck misc)
        {
            if (misc.user() != null)
            {
                warnings.add("MISC_CHECK " + misc.path() + ": user " + misc.user() +
                    " is not honoured; the command runs as the director's user");
            }
            specs.add(new MiscCheckSpec(options(ConnectionOptions.DEFAULT_CONNECT_TIMEOUT, misc.timing()),
                words(misc.path()), misc.timeout(), misc.dynamic()));
        }
        else if (checker instanceof FileCheck file)
        {
            if (!file.trackFile().startsWith("/"))
            {
                throw new IllegalArgumentException("FILE_CHECK track_file " + file.trackFile() +
                    ": lvs4j reads the tracked file itself and needs its absolute path (track_file blocks are " +
                    "not supported)");
            }
            specs.add(new FileCheckSpec(CheckOptions.DEFAULTS.withDelayLoop(vs.delayLoop()),
                Path.of(file.trackFile()), file.weight(), file.reverse()));
        }
        else
        {
            final PingCheck ping = (PingCheck)checker;
            if (ping.connection().bindTo() != null || ping.connection().connectPort() != 0)
            {
                warnings.add("PING_CHECK: bindto and connect_port are not used by the ICMP echo");
            }
            specs.add(new PingCheckSpec(options(ping.connection().connectTimeout(), ping.timing()),
                ping.connection().connectIp()));
        }
    }

    private static HttpCheckSpec http(final HttpCheck http, final List<String> warnings)
    {
        final List<HttpUrl> urls = new ArrayList<>(http.urls().size());
        for (final io.lvs4j.core.config.keepalived.HttpUrl url : http.urls())
        {
            if (url.regex() != null)
            {
                warnings.add(http.keyword() + " url " + url.path() + ": regex is not supported; only status and " +
                    "digest are checked");
            }
            final List<int[]> ranges = new ArrayList<>();
            for (final io.lvs4j.core.config.keepalived.HttpUrl.StatusRange r : url.statusCodes())
            {
                ranges.add(new int[]{r.from(), r.to()});
            }
            urls.add(new HttpUrl(url.path(), url.digest(), ranges.isEmpty() ? null : new StatusCodes(ranges),
                url.virtualhost()));
        }
        final String sni = http.tls() && http.enableSni() ?
            (http.sniName() != null ? http.sniName() : http.virtualhost()) : null;
        final CheckOptions options = options(http.connection().connectTimeout(), http.timing());
        return new HttpCheckSpec(options, http.tls(), endpoint(http.connection(), http.keyword(), warnings), urls,
            http.virtualhost(), sni, http.httpProtocol());
    }

    private static Endpoint endpoint(final ConnectionOptions c, final String type, final List<String> warnings)
    {
        if (c.bindPort() != 0 || c.bindInterface() != null || c.fwmark() != 0)
        {
            warnings.add(type + ": bind_port, bind_if and fwmark are not supported; the checker connects without them");
        }
        return new Endpoint(c.connectIp(), c.connectPort(), c.bindTo());
    }

    /**
     * Splits a {@code misc_path} into words as keepalived does: on blanks, with single or double quotes grouping.
     *
     * @param command the command line.
     * @return the program and its arguments.
     */
    static List<String> words(final String command)
    {
        final List<String> words = new ArrayList<>();
        final StringBuilder word = new StringBuilder();
        char quote = 0;
        boolean inWord = false;
        for (int i = 0; i < command.length(); i++)
        {
            final char c = command.charAt(i);
            if (quote != 0)
            {
                if (c == quote)
                {
                    quote = 0;
                }
                else
                {
                    word.append(c);
                }
            }
            else if (c == '"' || c == '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (Character.isWhitespace(c))
            {
                if (inWord)
                {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            }
            else
            {
                word.append(c);
                inWord = true;
            }
        }
        if (inWord)
        {
            words.add(word.toString());
        }
        return words;
    }
}
