package io.lvs4j.core.config.keepalived;

import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.ServiceFlags;

/**
 * Interprets the LVS part of a configuration ({@code check_parser.c}'s keywords): virtual server groups, virtual
 * servers, real servers and their checkers, with keepalived's defaults and inheritance.
 */
final class LvsReader
{
    /** The IPVS schedulers (ipvsadm names). */
    static final Set<String> SCHEDULERS =
        Set.of("rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");
    static final long MAX_PERSISTENCE_S = 2_678_400L;

    private static final Set<String> UNSUPPORTED_VS = Set.of("snmp_name", "lvs_flush_on_stop");
    private static final Set<String> UNSUPPORTED_RS = Set.of("snmp_name", "smtp_alert", "delay_loop_jitter");
    private static final Set<String> UNSUPPORTED_CHECKERS = Set.of("BFD_CHECK");

    private final Values v;

    LvsReader(final Values values)
    {
        this.v = values;
    }

    // ---------------------------------------------------------------- virtual_server_group

    VirtualServerGroup group(final ConfigNode n)
    {
        final String name = v.name(n, "a group name");
        final List<VirtualServerGroup.Entry> entries = new ArrayList<>();
        for (final ConfigNode line : v.block(n))
        {
            v.noBlock(line);
            if ("fwmark".equals(line.name()))
            {
                final Integer mark = v.integerAt(line, 0, 1, 0xFFFF_FFFFL);
                int family = 0;
                if (line.arg(1) != null)
                {
                    final String f = v.oneOf(line, line.arg(1), "inet", "inet6");
                    family = f == null ? 0 : "inet".equals(f) ? FlowKey.AF_INET : FlowKey.AF_INET6;
                }
                v.extra(line, 2);
                if (mark != null)
                {
                    entries.add(new VirtualServerGroup.Entry(null, null, 0, mark, family));
                }
                continue;
            }
            final InetAddress[] range = range(line, line.keyword);
            int port = 0;
            if (line.arg(0) != null)
            {
                port = v.port(line, line.arg(0));
            }
            v.extra(line, 1);
            if (range != null && port >= 0)
            {
                entries.add(new VirtualServerGroup.Entry(range[0], range[1], port, 0, Addresses.family(range[0])));
            }
        }
        return name == null ? null : new VirtualServerGroup(name, entries);
    }

    /** {@code a.b.c.d}, {@code a.b.c.d-e}, {@code a.b.c.d-e.f.g.h}, {@code a.b.c.d/nn} and the IPv6 forms. */
    private InetAddress[] range(final ConfigNode line, final Token t)
    {
        final String text = t.text;
        final String expected = "an IP address or range (a.b.c.d, a.b.c.d-e, a.b.c.d/nn)";
        final int slash = text.indexOf('/');
        final int dash = text.indexOf('-');
        try
        {
            if (slash > 0)
            {
                final InetAddress first = Addresses.parse(text.substring(0, slash));
                final int bits = first.getAddress().length * 8;
                final Long len = Values.parseLong(text.substring(slash + 1));
                if (len == null || len < 0 || len > bits)
                {
                    v.error(t, "virtual_server_group: expected " + expected + ", got \"" + text + "\"");
                    return null;
                }
                final BigInteger hostMask = BigInteger.ONE.shiftLeft(bits - (int)(long)len).subtract(BigInteger.ONE);
                return new InetAddress[] {first, toAddress(VirtualServerGroup.Entry.number(first).or(hostMask), bits)};
            }
            if (dash > 0)
            {
                final InetAddress first = Addresses.parse(text.substring(0, dash));
                final String end = text.substring(dash + 1);
                final InetAddress last;
                if (end.indexOf('.') >= 0 || end.indexOf(':') >= 0)
                {
                    last = Addresses.parse(end);
                }
                else
                {
                    // the last octet (IPv4, decimal) or the last group (IPv6, hex), as keepalived reads it
                    final boolean v4 = first instanceof Inet4Address;
                    final int value = Integer.parseInt(end, v4 ? 10 : 16);
                    if (value > (v4 ? 255 : 0xFFFF))
                    {
                        throw new IllegalArgumentException(end);
                    }
                    final byte[] b = first.getAddress();
                    if (v4)
                    {
                        b[3] = (byte)value;
                    }
                    else
                    {
                        b[14] = (byte)(value >>> 8);
                        b[15] = (byte)value;
                    }
                    last = InetAddress.getByAddress(b);
                }
                if (last.getClass() != first.getClass() || VirtualServerGroup.Entry.number(last)
                    .compareTo(VirtualServerGroup.Entry.number(first)) < 0)
                {
                    v.error(t, "virtual_server_group: expected a range whose end is not below its start, got \"" +
                        text + "\"");
                    return null;
                }
                return new InetAddress[] {first, last};
            }
            final InetAddress a = Addresses.parse(text);
            return new InetAddress[] {a, a};
        }
        catch (final IllegalArgumentException | UnknownHostException ex)
        {
            v.error(t, "virtual_server_group: expected " + expected + ", got \"" + text + "\"");
            return null;
        }
    }

    private static InetAddress toAddress(final BigInteger value, final int bits)
    {
        final byte[] raw = value.toByteArray();
        final byte[] b = new byte[bits / 8];
        final int n = Math.min(raw.length, b.length);
        System.arraycopy(raw, raw.length - n, b, b.length - n, n);
        try
        {
            return InetAddress.getByAddress(b);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    // ---------------------------------------------------------------- virtual_server

    /** Defaults a checker inherits from its real server and virtual server. */
    private record Inherited(
        Duration connectTimeout, Integer retry, Duration delayBeforeRetry, Duration warmup, Duration delayLoop,
        boolean alpha, String virtualhost)
    {
    }

    VirtualServerConfig virtualServer(final ConfigNode n)
    {
        InetAddress address = null;
        int port = 0;
        int fwmark = 0;
        String group = null;
        final Token first = n.arg(0);
        if (first == null)
        {
            v.bad(n, null, "<IP> [<PORT>] | fwmark <INT> | group <NAME>");
            v.block(n);
            return null;
        }
        boolean keyOk = true;
        if ("fwmark".equals(first.text))
        {
            final Integer mark = v.integerAt(n, 1, 1, 0xFFFF_FFFFL);
            keyOk = mark != null;
            fwmark = mark == null ? 0 : mark;
            v.extra(n, 2);
        }
        else if ("group".equals(first.text))
        {
            if (n.arg(1) == null)
            {
                v.bad(n, null, "a virtual_server_group name after group");
                keyOk = false;
            }
            else
            {
                group = n.arg(1).text;
            }
            v.extra(n, 2);
        }
        else
        {
            address = v.ip(n, first);
            keyOk = address != null;
            if (n.arg(1) != null)
            {
                port = v.port(n, n.arg(1));
                keyOk &= port >= 0;
            }
            v.extra(n, 2);
        }

        String scheduler = VirtualServerConfig.DEFAULT_SCHEDULER;
        int flags = 0;
        LvsMethod method = LvsMethod.NAT;
        int persistence = 0;
        ConfigNode granularity = null;
        String engine = null;
        int protocol = IpProtocol.TCP;
        int ipFamily = 0;
        boolean haSuspend = false;
        String virtualhost = null;
        boolean alpha = false;
        boolean omega = false;
        int quorum = 1;
        int hysteresis = 0;
        NotifyScript quorumUp = null;
        NotifyScript quorumDown = null;
        int weight = RealServerConfig.DEFAULT_WEIGHT;
        ConfigNode sorryNode = null;
        boolean sorryInhibit = false;
        LvsMethod sorryMethod = null;
        boolean inhibit = false;
        Duration delayLoop = VirtualServerConfig.DEFAULT_DELAY_LOOP;
        Duration connectTimeout = null;
        Integer retry = null;
        Duration delayBeforeRetry = null;
        Duration warmup = null;
        Boolean smtpAlert = null;
        final List<ConfigNode> realServerNodes = new ArrayList<>();
        ConfigNode opsNode = null;
        ConfigNode schedFlagNode = null;

        for (final ConfigNode c : v.block(n))
        {
            switch (c.name())
            {
                case "lb_algo", "lvs_sched" ->
                {
                    final String s = v.text(c, "a scheduler name");
                    if (s != null)
                    {
                        if (!SCHEDULERS.contains(s))
                        {
                            v.warning(c.arg(0), c.name() + ": \"" + s + "\" is not an IPVS scheduler (" +
                                String.join("|", new java.util.TreeSet<>(SCHEDULERS)) + "); kept as written");
                        }
                        scheduler = s;
                    }
                }
                case "lb_kind", "lvs_method" ->
                {
                    final LvsMethod m = method(c);
                    method = m == null ? method : m;
                }
                case "ops" ->
                {
                    opsNode = c;
                    flags = set(flags, ServiceFlags.ONEPACKET, v.flag(c, false));
                }
                case "hashed" -> flags = set(flags, ServiceFlags.HASHED, v.flag(c, false));
                case "flag-1", "sh-fallback", "mh-fallback" ->
                {
                    schedFlagNode = c;
                    flags = set(flags, ServiceFlags.SCHED1, v.flag(c, false));
                }
                case "flag-2", "sh-port", "mh-port" ->
                {
                    schedFlagNode = c;
                    flags = set(flags, ServiceFlags.SCHED2, v.flag(c, false));
                }
                case "flag-3" -> flags = set(flags, ServiceFlags.SCHED3, v.flag(c, false));
                case "persistence_engine" ->
                {
                    engine = v.text(c, "a persistence engine name (sip)");
                    v.unsupported(c, "persistence follows the client address, not the SIP Call-ID");
                }
                case "persistence_timeout" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    if (c.arg(0) == null)
                    {
                        persistence = VirtualServerConfig.DEFAULT_PERSISTENCE_TIMEOUT_S;
                    }
                    else
                    {
                        final Integer p = v.integerAt(c, 0, 0, MAX_PERSISTENCE_S);
                        persistence = p == null ? persistence : p;
                    }
                }
                case "persistence_granularity" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    granularity = c;
                }
                case "protocol" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    final String p = v.oneOf(c, c.arg(0), "TCP", "UDP", "SCTP");
                    if (p != null)
                    {
                        protocol = "TCP".equals(p) ? IpProtocol.TCP : "UDP".equals(p) ? IpProtocol.UDP : IpProtocol.SCTP;
                    }
                }
                case "ip_family" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    final String f = v.oneOf(c, c.arg(0), "inet", "inet6");
                    ipFamily = f == null ? ipFamily : "inet".equals(f) ? FlowKey.AF_INET : FlowKey.AF_INET6;
                }
                case "ha_suspend" -> haSuspend = v.flag(c, haSuspend);
                case "virtualhost" -> virtualhost = v.text(c, "a host name");
                case "alpha" -> alpha = v.flag(c, alpha);
                case "omega" -> omega = v.flag(c, omega);
                case "quorum" -> quorum = v.integer(c, 1, 0xFFFF_FFFFL >>> 1, quorum);
                case "hysteresis" -> hysteresis = v.integer(c, 0, 0xFFFF_FFFFL >>> 1, hysteresis);
                case "quorum_up" -> quorumUp = v.script(c);
                case "quorum_down" -> quorumDown = v.script(c);
                case "weight" -> weight = v.integer(c, 0, RealServerConfig.MAX_WEIGHT, weight);
                case "sorry_server" -> sorryNode = c;
                case "sorry_server_inhibit" -> sorryInhibit = v.flag(c, sorryInhibit);
                case "sorry_server_lvs_method" -> sorryMethod = method(c);
                case "inhibit_on_failure" -> inhibit = v.flag(c, inhibit);
                case "delay_loop" -> delayLoop = v.timer(c, false, delayLoop);
                case "connect_timeout" -> connectTimeout = v.timer(c, false, connectTimeout);
                case "retry" -> retry = v.integer(c, 0, Integer.MAX_VALUE, retry == null ? 0 : retry);
                case "delay_before_retry" -> delayBeforeRetry = v.timer(c, true, delayBeforeRetry);
                case "warmup" -> warmup = v.timer(c, true, warmup);
                case "smtp_alert" -> smtpAlert = v.flag(c, false);
                case "real_server" -> realServerNodes.add(c);
                case "nat_mask" -> v.warning(c.keyword, "nat_mask is obsolete (keepalived no longer has it); ignored");
                default ->
                {
                    if (UNSUPPORTED_VS.contains(c.name()))
                    {
                        v.unsupported(c);
                    }
                    else
                    {
                        v.unknown(c, "virtual_server");
                    }
                }
            }
        }

        final int family = address != null ? Addresses.family(address) : ipFamily != 0 ? ipFamily : 0;
        final Integer mask = granularity == null ? null : granularity(granularity, family);
        if (address != null && port == 0 && persistence == 0)
        {
            // keepalived forces persistence on a port-0 service, which IPVS only accepts persistent
            v.warning(n.keyword, "virtual_server " + Addresses.text(address) +
                " has port 0 without persistence; persistence_timeout 360 applied, as keepalived does");
            persistence = VirtualServerConfig.DEFAULT_PERSISTENCE_TIMEOUT_S;
        }
        if ((flags & ServiceFlags.ONEPACKET) != 0 && protocol != IpProtocol.UDP && fwmark == 0)
        {
            v.warning(opsNode.keyword, "ops is only for UDP (or fwmark) services; cleared, as keepalived does");
            flags &= ~ServiceFlags.ONEPACKET;
        }
        if ((flags & (ServiceFlags.SCHED1 | ServiceFlags.SCHED2)) != 0 && !"sh".equals(scheduler) &&
            !"mh".equals(scheduler) && schedFlagNode != null && !schedFlagNode.name().startsWith("flag-"))
        {
            v.warning(schedFlagNode.keyword, schedFlagNode.name() + " needs the sh or mh scheduler; cleared");
            flags &= ~(ServiceFlags.SCHED1 | ServiceFlags.SCHED2);
        }

        SorryServer sorry = null;
        if (sorryNode != null)
        {
            v.noBlock(sorryNode);
            v.extra(sorryNode, 2);
            final InetAddress a = v.ip(sorryNode, sorryNode.arg(0));
            final int p = sorryNode.arg(1) == null ? 0 : v.port(sorryNode, sorryNode.arg(1));
            if (a != null && p >= 0)
            {
                sorry = new SorryServer(a, p, sorryMethod == null ? method : sorryMethod, sorryInhibit);
            }
        }

        final Inherited inherited = new Inherited(connectTimeout, retry, delayBeforeRetry, warmup, delayLoop, alpha,
            virtualhost);
        final List<RealServerConfig> realServers = new ArrayList<>();
        for (final ConfigNode rs : realServerNodes)
        {
            final RealServerConfig r = realServer(rs, weight, method, inhibit, inherited);
            if (r != null)
            {
                realServers.add(r);
            }
        }
        if (!keyOk)
        {
            return null;
        }
        return new VirtualServerConfig(address, port, fwmark, group, scheduler, flags, method, persistence, mask,
            engine, fwmark == 0 ? protocol : IpProtocol.TCP, ipFamily, haSuspend, virtualhost, alpha, omega, quorum,
            hysteresis, quorumUp, quorumDown, weight, sorry, inhibit, delayLoop, connectTimeout, retry,
            delayBeforeRetry, warmup, smtpAlert, realServers);
    }

    private static int set(final int flags, final int bit, final boolean on)
    {
        return on ? flags | bit : flags & ~bit;
    }

    private Integer granularity(final ConfigNode c, final int family)
    {
        final Token t = c.arg(0);
        if (t == null)
        {
            v.bad(c, null, "a netmask (IPv4) or prefix length (IPv6)");
            return null;
        }
        if (t.text.indexOf('.') >= 0)
        {
            final InetAddress a = Values.parseIp(t.text);
            if (!(a instanceof Inet4Address) || family == FlowKey.AF_INET6)
            {
                v.bad(c, t, family == FlowKey.AF_INET6 ? "a prefix length 1..128" : "an IPv4 netmask");
                return null;
            }
            return ByteBuffer.wrap(a.getAddress()).getInt();
        }
        if (family == FlowKey.AF_INET6)
        {
            return v.integerAt(c, 0, 1, 128);
        }
        final Integer len = v.integerAt(c, 0, 1, 32);
        return len == null ? null : (int)(0xFFFF_FFFFL << (32 - len));
    }

    /** {@code NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]}. */
    LvsMethod method(final ConfigNode c)
    {
        v.noBlock(c);
        final String kind = v.oneOf(c, c.arg(0), "NAT", "DR", "TUN");
        if (kind == null)
        {
            return null;
        }
        if (!"TUN".equals(kind))
        {
            v.extra(c, 1);
            return "NAT".equals(kind) ? LvsMethod.NAT : LvsMethod.DR;
        }
        LvsMethod.TunnelType type = LvsMethod.TunnelType.IPIP;
        int port = 0;
        LvsMethod.TunnelChecksum checksum = LvsMethod.TunnelChecksum.NOCSUM;
        boolean ok = true;
        for (int i = 1; i < c.args.size(); i++)
        {
            final Token t = c.args.get(i);
            switch (t.text)
            {
                case "type" ->
                {
                    final String ty = v.oneOf(c, c.arg(++i), "ipip", "gue", "gre");
                    ok &= ty != null;
                    type = ty == null ? type : LvsMethod.TunnelType.valueOf(ty.toUpperCase(Locale.ROOT));
                }
                case "port" ->
                {
                    final Token p = c.arg(++i);
                    port = v.port(c, p);
                    ok &= port > 0;
                    if (port == 0)
                    {
                        v.bad(c, p, "a tunnel port 1..65535");
                    }
                }
                case "nocsum" -> checksum = LvsMethod.TunnelChecksum.NOCSUM;
                case "csum" -> checksum = LvsMethod.TunnelChecksum.CSUM;
                case "remcsum" -> checksum = LvsMethod.TunnelChecksum.REMCSUM;
                default ->
                {
                    v.bad(c, t, "a tunnel option (type ipip|gue|gre, port N, nocsum|csum|remcsum)");
                    ok = false;
                }
            }
        }
        if (!ok)
        {
            return null;
        }
        if (type == LvsMethod.TunnelType.GUE && port == 0)
        {
            v.error(c.keyword, c.name() + ": TUN type gue needs a port");
            return null;
        }
        if (type != LvsMethod.TunnelType.GUE && port != 0)
        {
            v.error(c.keyword, c.name() + ": a tunnel port is only for type gue");
            return null;
        }
        if (type == LvsMethod.TunnelType.IPIP && checksum != LvsMethod.TunnelChecksum.NOCSUM ||
            type == LvsMethod.TunnelType.GRE && checksum == LvsMethod.TunnelChecksum.REMCSUM)
        {
            v.error(c.keyword, c.name() + ": checksum option " + checksum.name().toLowerCase(Locale.ROOT) +
                " is not available with type " + type.name().toLowerCase(Locale.ROOT));
            return null;
        }
        return new LvsMethod(LvsMethod.Kind.TUN, type, port, checksum);
    }

    // ---------------------------------------------------------------- real_server

    private RealServerConfig realServer(
        final ConfigNode n, final int vsWeight, final LvsMethod vsMethod, final boolean vsInhibit,
        final Inherited vs)
    {
        final InetAddress address = v.ip(n, n.arg(0));
        final int port = n.arg(1) == null ? 0 : v.port(n, n.arg(1));
        v.extra(n, 2);
        int weight = vsWeight;
        LvsMethod method = vsMethod;
        int upper = 0;
        int lower = 0;
        ConfigNode lowerNode = null;
        boolean inhibit = vsInhibit;
        NotifyScript up = null;
        NotifyScript down = null;
        Boolean alpha = null;
        String virtualhost = null;
        Duration connectTimeout = null;
        Integer retry = null;
        Duration delayBeforeRetry = null;
        Duration warmup = null;
        Duration delayLoop = null;
        final List<ConfigNode> checkerNodes = new ArrayList<>();
        final List<ConfigNode> children = n.hasBlock() ? n.children : List.of();
        for (final ConfigNode c : children)
        {
            switch (c.name())
            {
                case "weight" -> weight = v.integer(c, 0, RealServerConfig.MAX_WEIGHT, weight);
                case "lvs_method", "lb_kind" ->
                {
                    final LvsMethod m = method(c);
                    method = m == null ? method : m;
                }
                case "uthreshold" -> upper = v.integer(c, 0, Integer.MAX_VALUE, upper);
                case "lthreshold" ->
                {
                    lowerNode = c;
                    lower = v.integer(c, 0, Integer.MAX_VALUE, lower);
                }
                case "inhibit_on_failure" -> inhibit = v.flag(c, inhibit);
                case "notify_up" -> up = v.script(c);
                case "notify_down" -> down = v.script(c);
                case "alpha" -> alpha = v.flag(c, false);
                case "virtualhost" -> virtualhost = v.text(c, "a host name");
                case "connect_timeout" -> connectTimeout = v.timer(c, false, connectTimeout);
                case "retry" -> retry = v.integer(c, 0, Integer.MAX_VALUE, retry == null ? 0 : retry);
                case "delay_before_retry" -> delayBeforeRetry = v.timer(c, true, delayBeforeRetry);
                case "warmup" -> warmup = v.timer(c, true, warmup);
                case "delay_loop" -> delayLoop = v.timer(c, false, delayLoop);
                case "TCP_CHECK", "UDP_CHECK", "HTTP_GET", "SSL_GET", "DNS_CHECK", "SMTP_CHECK", "MISC_CHECK",
                    "FILE_CHECK", "PING_CHECK" -> checkerNodes.add(c);
                default ->
                {
                    if (UNSUPPORTED_RS.contains(c.name()) || UNSUPPORTED_CHECKERS.contains(c.name()))
                    {
                        v.unsupported(c);
                    }
                    else
                    {
                        v.unknown(c, "real_server");
                    }
                }
            }
        }
        if (upper != 0 && lower > upper)
        {
            v.error(lowerNode.keyword, "lthreshold: expected at most uthreshold " + upper + ", got " + lower);
            lower = upper;
        }
        final Inherited inherited = new Inherited(
            connectTimeout != null ? connectTimeout : vs.connectTimeout,
            retry != null ? retry : vs.retry,
            delayBeforeRetry != null ? delayBeforeRetry : vs.delayBeforeRetry,
            warmup != null ? warmup : vs.warmup,
            delayLoop != null ? delayLoop : vs.delayLoop,
            alpha != null ? alpha : vs.alpha,
            virtualhost != null ? virtualhost : vs.virtualhost);
        final List<Checker> checkers = new ArrayList<>();
        for (final ConfigNode c : checkerNodes)
        {
            final Checker checker = checker(c, inherited);
            if (checker != null)
            {
                checkers.add(checker);
            }
        }
        if (address == null || port < 0)
        {
            return null;
        }
        return new RealServerConfig(address, port, weight, method, upper, lower, inhibit, up, down, alpha,
            virtualhost, connectTimeout, retry, delayBeforeRetry, warmup, delayLoop, checkers);
    }

    // ---------------------------------------------------------------- checkers

    /** The keywords every checker shares, collected before the type's own are known. */
    private final class Draft
    {
        InetAddress connectIp;
        int connectPort;
        InetAddress bindTo;
        int bindPort;
        String bindInterface;
        Duration connectTimeout;
        int fwmark;
        Integer retry;
        Duration delayBeforeRetry;
        Duration warmup;
        Duration delayLoop;
        Boolean alpha;
        boolean logAllFailures;

        boolean common(final ConfigNode c, final boolean connection)
        {
            if (connection && connection(c))
            {
                return true;
            }
            switch (c.name())
            {
                case "retry" -> retry = v.integer(c, 0, Integer.MAX_VALUE, retry == null ? 0 : retry);
                case "delay_before_retry" -> delayBeforeRetry = v.timer(c, true, delayBeforeRetry);
                case "warmup" -> warmup = v.timer(c, true, warmup);
                case "delay_loop" -> delayLoop = v.timer(c, false, delayLoop);
                case "alpha" -> alpha = v.flag(c, false);
                case "log_all_failures" -> logAllFailures = v.flag(c, logAllFailures);
                default ->
                {
                    return false;
                }
            }
            return true;
        }

        boolean connection(final ConfigNode c)
        {
            switch (c.name())
            {
                case "connect_ip" -> connectIp = v.ip(c);
                case "connect_port" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    connectPort = Math.max(0, v.port(c, c.arg(0)));
                }
                case "bindto" -> bindTo = v.ip(c);
                case "bind_port" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    bindPort = Math.max(0, v.port(c, c.arg(0)));
                }
                case "bind_if" -> bindInterface = v.text(c, "an interface name");
                case "connect_timeout" -> connectTimeout = v.timer(c, false, connectTimeout);
                case "fwmark" -> fwmark = v.integer(c, 0, 0xFFFF_FFFFL, fwmark);
                default ->
                {
                    return false;
                }
            }
            return true;
        }

        ConnectionOptions connectionOptions(final Inherited in)
        {
            final Duration timeout = connectTimeout != null ? connectTimeout
                : in.connectTimeout != null ? in.connectTimeout : ConnectionOptions.DEFAULT_CONNECT_TIMEOUT;
            return new ConnectionOptions(connectIp, connectPort, bindTo, bindPort, bindInterface, timeout, fwmark);
        }

        CheckerTiming timing(final Inherited in, final int defaultRetry, final Duration defaultDelayBeforeRetry)
        {
            final Duration loop = delayLoop != null ? delayLoop : in.delayLoop;
            final int r = retry != null ? retry : in.retry != null ? in.retry : defaultRetry;
            final Duration dbr = delayBeforeRetry != null ? delayBeforeRetry
                : in.delayBeforeRetry != null ? in.delayBeforeRetry
                : defaultDelayBeforeRetry != null ? defaultDelayBeforeRetry : loop;
            final Duration w = warmup != null ? warmup : in.warmup != null ? in.warmup : loop;
            return new CheckerTiming(r, dbr, w, loop, alpha != null ? alpha : in.alpha, logAllFailures);
        }

        void unknownIn(final ConfigNode c, final String checker)
        {
            if ("nb_get_retry".equals(c.name()))
            {
                // keepalived 2.x knows nb_get_retry only in HTTP_GET/SSL_GET; elsewhere its value is lost
                v.warning(c.keyword, "nb_get_retry is only known to HTTP_GET and SSL_GET; keepalived ignores it in " +
                    checker + ", so retry keeps its default: write retry instead");
            }
            else
            {
                v.unknown(c, checker);
            }
        }
    }

    private static final Duration ONE_SECOND = Duration.ofSeconds(1);
    private static final Duration THREE_SECONDS = Duration.ofSeconds(3);

    private Checker checker(final ConfigNode n, final Inherited in)
    {
        final String type = n.name();
        v.extra(n, 0);
        final Draft d = new Draft();
        final List<ConfigNode> children = v.block(n);
        switch (type)
        {
            case "TCP_CHECK", "PING_CHECK" ->
            {
                for (final ConfigNode c : children)
                {
                    if (!d.common(c, true))
                    {
                        d.unknownIn(c, type);
                    }
                }
                final ConnectionOptions co = d.connectionOptions(in);
                final CheckerTiming t = d.timing(in, 1, ONE_SECOND);
                return "TCP_CHECK".equals(type) ? new TcpCheck(co, t) : new PingCheck(co, t);
            }
            case "UDP_CHECK" ->
            {
                return udp(n, children, d, in);
            }
            case "HTTP_GET", "SSL_GET" ->
            {
                return http(n, children, d, in);
            }
            case "DNS_CHECK" ->
            {
                String qtype = "SOA";
                String name = ".";
                for (final ConfigNode c : children)
                {
                    if (d.common(c, true))
                    {
                        continue;
                    }
                    switch (c.name())
                    {
                        case "type" ->
                        {
                            v.noBlock(c);
                            v.extra(c, 1);
                            final String t = v.oneOf(c, c.arg(0), "A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA");
                            qtype = t == null ? qtype : t;
                        }
                        case "name" ->
                        {
                            final String s = v.text(c, "a domain name");
                            name = s == null ? name : s;
                        }
                        default -> d.unknownIn(c, type);
                    }
                }
                final CheckerTiming t = d.timing(in, 3, null);
                return new DnsCheck(d.connectionOptions(in), t, qtype, name);
            }
            case "SMTP_CHECK" ->
            {
                String helo = SmtpCheck.DEFAULT_HELO_NAME;
                final List<ConnectionOptions> hosts = new ArrayList<>();
                for (final ConfigNode c : children)
                {
                    if (d.common(c, true))
                    {
                        continue;
                    }
                    switch (c.name())
                    {
                        case "helo_name" ->
                        {
                            final String s = v.text(c, "a HELO name");
                            helo = s == null ? helo : s;
                        }
                        case "host" ->
                        {
                            v.extra(c, 0);
                            final Draft h = new Draft();
                            for (final ConfigNode hc : v.block(c))
                            {
                                if (!h.connection(hc))
                                {
                                    v.unknown(hc, "SMTP_CHECK host");
                                }
                            }
                            // a host inherits the checker's timeout, as keepalived copies the checker's options
                            final Duration ct = h.connectTimeout != null ? h.connectTimeout : d.connectTimeout;
                            h.connectTimeout = ct;
                            hosts.add(h.connectionOptions(in));
                        }
                        default -> d.unknownIn(c, type);
                    }
                }
                return new SmtpCheck(d.connectionOptions(in), d.timing(in, 1, ONE_SECOND), helo, hosts);
            }
            case "MISC_CHECK" ->
            {
                String path = null;
                Duration timeout = null;
                boolean dynamic = false;
                String user = null;
                String group = null;
                for (final ConfigNode c : children)
                {
                    if (d.common(c, false))
                    {
                        continue;
                    }
                    switch (c.name())
                    {
                        case "misc_path" -> path = v.joined(c, "a command");
                        case "misc_timeout" -> timeout = v.timer(c, false, timeout);
                        case "misc_dynamic" -> dynamic = v.flag(c, dynamic);
                        case "user" ->
                        {
                            v.noBlock(c);
                            v.extra(c, 2);
                            if (c.arg(0) == null)
                            {
                                v.bad(c, null, "a user name");
                            }
                            else
                            {
                                user = c.arg(0).text;
                                group = c.arg(1) == null ? null : c.arg(1).text;
                            }
                        }
                        default -> d.unknownIn(c, type);
                    }
                }
                if (path == null)
                {
                    v.error(n.keyword, "MISC_CHECK: expected misc_path <command> in the block");
                    return null;
                }
                final CheckerTiming t = d.timing(in, 0, ONE_SECOND);
                return new MiscCheck(t, path, timeout != null ? timeout : t.delayLoop(), dynamic, user, group);
            }
            case "FILE_CHECK" ->
            {
                String file = null;
                int weight = 0;
                boolean reverse = false;
                boolean dynamic = false;
                for (final ConfigNode c : children)
                {
                    switch (c.name())
                    {
                        case "track_file", "file" -> file = v.text(c, "a track_file name");
                        case "weight" ->
                        {
                            v.noBlock(c);
                            v.extra(c, 2);
                            final Integer w = v.integerAt(c, 0, -254, 254);
                            weight = w == null ? weight : w;
                            if (c.arg(1) != null)
                            {
                                reverse = v.oneOf(c, c.arg(1), "reverse") != null;
                            }
                        }
                        case "dynamic" -> dynamic = v.flag(c, dynamic);
                        default -> v.unknown(c, type);
                    }
                }
                if (file == null)
                {
                    v.error(n.keyword, "FILE_CHECK: expected track_file <NAME> in the block");
                    return null;
                }
                return new FileCheck(file, weight, reverse, dynamic);
            }
            default -> throw new IllegalStateException(type);
        }
    }

    private Checker udp(final ConfigNode n, final List<ConfigNode> children, final Draft d, final Inherited in)
    {
        String payload = null;
        boolean requireReply = false;
        String pattern = null;
        int min = 0;
        int max = UdpCheck.DEFAULT_MAX_REPLY_LENGTH;
        for (final ConfigNode c : children)
        {
            if (d.common(c, true))
            {
                continue;
            }
            switch (c.name())
            {
                case "payload" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    final Token t = c.arg(0);
                    if (t == null || !t.text.matches("([0-9A-Fa-f]{2})+"))
                    {
                        v.bad(c, t, "hex bytes");
                    }
                    else
                    {
                        payload = t.text.toLowerCase(Locale.ROOT);
                    }
                }
                case "require_reply" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    requireReply = true;
                    final Token t = c.arg(0);
                    if (t != null)
                    {
                        if (!t.text.matches("([0-9A-Fa-fXx]{2})+"))
                        {
                            v.bad(c, t, "hex bytes (X for any digit)");
                        }
                        else
                        {
                            pattern = t.text.toLowerCase(Locale.ROOT);
                        }
                    }
                }
                case "min_reply_length" -> min = v.integer(c, 0, 0xFFFF, min);
                case "max_reply_length" -> max = v.integer(c, 0, 0xFFFF, max);
                default -> d.unknownIn(c, n.name());
            }
        }
        if (min > max)
        {
            v.error(n.keyword, "UDP_CHECK: min_reply_length " + min + " is above max_reply_length " + max);
        }
        return new UdpCheck(d.connectionOptions(in), d.timing(in, 1, ONE_SECOND), payload, requireReply, pattern,
            min, max);
    }

    private Checker http(final ConfigNode n, final List<ConfigNode> children, final Draft d, final Inherited in)
    {
        final boolean tls = "SSL_GET".equals(n.name());
        final List<HttpUrl> urls = new ArrayList<>();
        String virtualhost = null;
        String protocol = "1.0";
        boolean sni = false;
        String sniName = null;
        boolean fastRecovery = false;
        boolean tlsCompliant = false;
        for (final ConfigNode c : children)
        {
            if (d.common(c, true))
            {
                continue;
            }
            switch (c.name())
            {
                case "nb_get_retry" ->
                {
                    v.warning(c.keyword, "nb_get_retry is deprecated; write retry");
                    d.retry = v.integer(c, 0, Integer.MAX_VALUE, d.retry == null ? 0 : d.retry);
                }
                case "virtualhost" -> virtualhost = v.text(c, "a host name");
                case "http_protocol" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    final String p = v.oneOf(c, c.arg(0), "1.0", "1.0C", "1.1");
                    protocol = p == null ? protocol : p;
                }
                case "enable_sni" -> sni = v.flag(c, sni);
                case "sni_name" -> sniName = v.text(c, "a server name");
                case "fast_recovery" -> fastRecovery = v.flag(c, fastRecovery);
                case "tls_compliant" -> tlsCompliant = v.flag(c, tlsCompliant);
                case "url" ->
                {
                    final HttpUrl url = url(c);
                    if (url != null)
                    {
                        urls.add(url);
                    }
                }
                default -> d.unknownIn(c, n.name());
            }
        }
        if (urls.isEmpty())
        {
            v.error(n.keyword, n.name() + ": expected at least one url { path ... } block");
            return null;
        }
        return new HttpCheck(tls, d.connectionOptions(in), d.timing(in, 1, THREE_SECONDS), urls,
            virtualhost != null ? virtualhost : in.virtualhost, protocol, sni, sniName, fastRecovery, tlsCompliant);
    }

    private HttpUrl url(final ConfigNode n)
    {
        v.extra(n, 0);
        String path = null;
        String digest = null;
        final List<HttpUrl.StatusRange> codes = new ArrayList<>();
        String virtualhost = null;
        String regex = null;
        boolean noMatch = false;
        for (final ConfigNode c : v.block(n))
        {
            switch (c.name())
            {
                case "path" -> path = v.text(c, "a path");
                case "digest" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    final Token t = c.arg(0);
                    if (t == null || !t.text.matches("[0-9A-Fa-f]{32}"))
                    {
                        v.bad(c, t, "an MD5 digest of 32 hex digits");
                    }
                    else
                    {
                        digest = t.text.toLowerCase(Locale.ROOT);
                    }
                }
                case "status_code" ->
                {
                    v.noBlock(c);
                    if (c.args.isEmpty())
                    {
                        v.bad(c, null, "a status code N or range N-M (100..999)");
                    }
                    for (final Token t : c.args)
                    {
                        final HttpUrl.StatusRange r = statusRange(t.text);
                        if (r == null)
                        {
                            v.bad(c, t, "a status code N or range N-M (100..999)");
                        }
                        else
                        {
                            codes.add(r);
                        }
                    }
                }
                case "virtualhost" -> virtualhost = v.text(c, "a host name");
                case "regex" -> regex = v.text(c, "a regular expression");
                case "regex_no_match" -> noMatch = v.flag(c, noMatch);
                case "regex_options", "regex_stack", "regex_min_offset", "regex_max_offset" -> v.unsupported(c);
                default -> v.unknown(c, "url");
            }
        }
        if (path == null)
        {
            v.error(n.keyword, "url: expected path <PATH> in the block");
            return null;
        }
        return new HttpUrl(path, digest, codes.isEmpty() ? HttpUrl.DEFAULT_STATUS : codes, virtualhost, regex,
            noMatch);
    }

    private static HttpUrl.StatusRange statusRange(final String text)
    {
        if (!text.matches("\\d{3}(-\\d{3})?"))
        {
            return null;
        }
        final int dash = text.indexOf('-');
        final int from = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
        final int to = dash < 0 ? from : Integer.parseInt(text.substring(dash + 1));
        if (from < 100 || to > 999 || from > to)
        {
            return null;
        }
        return new HttpUrl.StatusRange(from, to);
    }
}
