package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.ServiceFlags;

/**
 * Writes a {@link KeepalivedConfig} back as keepalived configuration text. Every resolved value is written
 * explicitly, so parsing the text gives an equal model (the round trip the property tests hold it to); comments,
 * includes and parameters of the original are not kept.
 */
public final class KeepalivedConfigWriter
{
    private final StringBuilder out = new StringBuilder(4096);
    private int depth;

    private KeepalivedConfigWriter()
    {
    }

    /**
     * @param config a configuration.
     * @return it as keepalived.conf text.
     */
    public static String write(final KeepalivedConfig config)
    {
        final KeepalivedConfigWriter w = new KeepalivedConfigWriter();
        w.global(config.globalDefs());
        if (!config.staticIpAddresses().isEmpty())
        {
            w.open("static_ipaddress");
            config.staticIpAddresses().forEach(w::vip);
            w.close();
        }
        w.lines("static_routes", config.staticRoutes());
        config.virtualServerGroups().forEach(w::group);
        config.virtualServers().forEach(w::virtualServer);
        config.vrrpScripts().forEach(w::script);
        config.vrrpInstances().forEach(w::instance);
        config.vrrpSyncGroups().forEach(w::syncGroup);
        return w.out.toString();
    }

    /**
     * A word as the lexer reads it back: bare when it can be, else quoted with {@code \"} and {@code \\} escaped.
     *
     * @param word any text.
     * @return the token.
     */
    public static String quote(final String word)
    {
        if (!word.isEmpty() && word.matches("[^\\s\"#!{}$@\\\\]+"))
        {
            return word;
        }
        return '"' + word.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private void line(final String keyword, final Object... values)
    {
        out.append("    ".repeat(depth)).append(keyword);
        for (final Object v : values)
        {
            out.append(' ').append(v);
        }
        out.append('\n');
    }

    private void open(final String keyword, final Object... values)
    {
        out.append("    ".repeat(depth)).append(keyword);
        for (final Object v : values)
        {
            out.append(' ').append(v);
        }
        out.append(" {\n");
        depth++;
    }

    private void close()
    {
        depth--;
        out.append("    ".repeat(depth)).append("}\n");
    }

    private void lines(final String block, final List<String> lines)
    {
        if (!lines.isEmpty())
        {
            open(block);
            lines.forEach(l -> line(l));
            close();
        }
    }

    private void optional(final String keyword, final Object value)
    {
        if (value != null)
        {
            line(keyword, value instanceof Duration d ? t(d) : value instanceof InetAddress a ? ip(a)
                : value instanceof String s ? quote(s) : value instanceof Boolean b ? onOff(b) : value);
        }
    }

    private void flag(final String keyword, final boolean value)
    {
        line(keyword, onOff(value));
    }

    private void script(final String keyword, final NotifyScript s)
    {
        if (s != null)
        {
            out.append("    ".repeat(depth)).append(keyword).append(' ').append(quoteAlways(s.command()));
            if (s.user() != null)
            {
                out.append(' ').append(quote(s.user()));
                if (s.group() != null)
                {
                    out.append(' ').append(quote(s.group()));
                }
            }
            out.append('\n');
        }
    }

    private static String quoteAlways(final String s)
    {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String onOff(final boolean b)
    {
        return b ? "on" : "off";
    }

    private static String t(final Duration d)
    {
        return Values.formatTimer(d);
    }

    private static String ip(final InetAddress a)
    {
        return Addresses.text(a);
    }

    private void global(final GlobalDefs g)
    {
        open("global_defs");
        optional("router_id", g.routerId());
        if (!g.notificationEmails().isEmpty())
        {
            open("notification_email");
            g.notificationEmails().forEach(e -> line(quote(e)));
            close();
        }
        optional("notification_email_from", g.notificationEmailFrom());
        if (g.smtpServer() != null)
        {
            line("smtp_server", quote(g.smtpServer()), g.smtpPort());
        }
        optional("smtp_helo_name", g.smtpHeloName());
        line("smtp_connect_timeout", t(g.smtpConnectTimeout()));
        optional("smtp_alert", g.smtpAlert());
        optional("smtp_alert_vrrp", g.smtpAlertVrrp());
        optional("smtp_alert_checker", g.smtpAlertChecker());
        flag("no_email_faults", g.noEmailFaults());
        flag("checker_log_all_failures", g.checkerLogAllFailures());
        optional("default_interface", g.defaultInterface());
        line("vrrp_mcast_group4", ip(g.vrrpMcastGroup4()));
        line("vrrp_mcast_group6", ip(g.vrrpMcastGroup6()));
        final LvsSyncDaemon s = g.lvsSyncDaemon();
        if (s != null)
        {
            final StringBuilder sb = new StringBuilder(quote(s.interfaceName()));
            if (s.instance() != null)
            {
                sb.append(" inst ").append(quote(s.instance()));
            }
            if (s.syncId() != LvsSyncDaemon.UNSET_SYNC_ID)
            {
                sb.append(" id ").append(s.syncId());
            }
            if (s.maxLength() != 0)
            {
                sb.append(" maxlen ").append(s.maxLength());
            }
            sb.append(" port ").append(s.port()).append(" ttl ").append(s.ttl());
            if (s.group() != null)
            {
                sb.append(" group ").append(ip(s.group()));
            }
            line("lvs_sync_daemon", sb);
        }
        if (g.lvsTimeouts() != null)
        {
            line("lvs_timeouts", "tcp", g.lvsTimeouts().tcpS(), "tcpfin", g.lvsTimeouts().tcpFinS(), "udp",
                g.lvsTimeouts().udpS());
        }
        flag("lvs_flush", g.lvsFlush());
        switch (g.lvsFlushOnStop())
        {
            case ALL -> line("lvs_flush_on_stop");
            case VS -> line("lvs_flush_on_stop", "VS");
            default ->
            {
            }
        }
        // before the GARP values: vrrp_min_garp only changes values still at keepalived's default, so the
        // values written after it are kept as they are
        flag("vrrp_min_garp", g.vrrpMinGarp());
        line("vrrp_garp_master_delay", t(g.garpMasterDelay()));
        line("vrrp_garp_master_repeat", g.garpMasterRepeat());
        line("vrrp_garp_lower_prio_delay", t(g.garpLowerPrioDelay()));
        line("vrrp_garp_lower_prio_repeat", g.garpLowerPrioRepeat());
        line("vrrp_garp_master_refresh", t(g.garpMasterRefresh()));
        line("vrrp_garp_master_refresh_repeat", g.garpMasterRefreshRepeat());
        line("vrrp_garp_interval", t(g.garpInterval()));
        line("vrrp_gna_interval", t(g.gnaInterval()));
        line("vrrp_version", g.vrrpVersion());
        flag("vrrp_strict", g.vrrpStrict());
        flag("vrrp_skip_check_adv_addr", g.vrrpSkipCheckAdvAddr());
        flag("vrrp_check_unicast_src", g.vrrpCheckUnicastSrc());
        line("vrrp_startup_delay", t(g.vrrpStartupDelay()));
        flag("enable_script_security", g.enableScriptSecurity());
        if (g.scriptUser() != null)
        {
            line("script_user", quote(g.scriptUser()) + (g.scriptGroup() == null ? "" : " " + quote(g.scriptGroup())));
        }
        close();
    }

    private void group(final VirtualServerGroup g)
    {
        open("virtual_server_group", quote(g.name()));
        for (final VirtualServerGroup.Entry e : g.entries())
        {
            if (e.isFwmark())
            {
                line("fwmark", e.fwmark() + (e.family() == 0 ? "" : e.family() == FlowKey.AF_INET ? " inet" : " inet6"));
            }
            else
            {
                line(e.first().equals(e.last()) ? ip(e.first()) : ip(e.first()) + "-" + ip(e.last()), e.port());
            }
        }
        close();
    }

    private static String method(final LvsMethod m)
    {
        if (m.kind() != LvsMethod.Kind.TUN)
        {
            return m.kind().name();
        }
        final StringBuilder sb = new StringBuilder("TUN type ").append(m.tunnelType().name().toLowerCase());
        if (m.tunnelType() == LvsMethod.TunnelType.GUE)
        {
            sb.append(" port ").append(m.tunnelPort());
        }
        return sb.append(' ').append(m.checksum().name().toLowerCase()).toString();
    }

    private void virtualServer(final VirtualServerConfig vs)
    {
        switch (vs.kind())
        {
            case ADDRESS -> open("virtual_server", ip(vs.address()), vs.port());
            case FWMARK -> open("virtual_server", "fwmark", vs.fwmark());
            default -> open("virtual_server", "group", quote(vs.group()));
        }
        line("lb_algo", quote(vs.scheduler()));
        if ((vs.flags() & ServiceFlags.ONEPACKET) != 0)
        {
            line("ops");
        }
        if ((vs.flags() & ServiceFlags.HASHED) != 0)
        {
            line("hashed");
        }
        if ((vs.flags() & ServiceFlags.SCHED1) != 0)
        {
            line("flag-1");
        }
        if ((vs.flags() & ServiceFlags.SCHED2) != 0)
        {
            line("flag-2");
        }
        if ((vs.flags() & ServiceFlags.SCHED3) != 0)
        {
            line("flag-3");
        }
        line("lb_kind", method(vs.method()));
        line("persistence_timeout", vs.persistenceTimeoutS());
        if (vs.persistenceGranularity() != null)
        {
            final int family = vs.address() != null ? Addresses.family(vs.address()) : vs.ipFamily();
            line("persistence_granularity", family == FlowKey.AF_INET6 ? vs.persistenceGranularity().toString()
                : mask(vs.persistenceGranularity()));
        }
        optional("persistence_engine", vs.persistenceEngine());
        if (vs.fwmark() == 0)
        {
            line("protocol", IpProtocol.name(vs.protocol()));
        }
        if (vs.ipFamily() != 0)
        {
            line("ip_family", vs.ipFamily() == FlowKey.AF_INET ? "inet" : "inet6");
        }
        flag("ha_suspend", vs.haSuspend());
        optional("virtualhost", vs.virtualhost());
        flag("alpha", vs.alpha());
        flag("omega", vs.omega());
        line("quorum", vs.quorum());
        line("hysteresis", vs.hysteresis());
        script("quorum_up", vs.quorumUp());
        script("quorum_down", vs.quorumDown());
        line("weight", vs.weight());
        if (vs.sorryServer() != null)
        {
            line("sorry_server", ip(vs.sorryServer().address()), vs.sorryServer().port());
            flag("sorry_server_inhibit", vs.sorryServer().inhibit());
            line("sorry_server_lvs_method", method(vs.sorryServer().method()));
        }
        flag("inhibit_on_failure", vs.inhibitOnFailure());
        line("delay_loop", t(vs.delayLoop()));
        optional("connect_timeout", vs.connectTimeout());
        optional("retry", vs.retry());
        optional("delay_before_retry", vs.delayBeforeRetry());
        optional("warmup", vs.warmup());
        optional("smtp_alert", vs.smtpAlert());
        vs.realServers().forEach(this::realServer);
        close();
    }

    private static String mask(final int mask)
    {
        final byte[] b = ByteBuffer.allocate(4).putInt(mask).array();
        return (b[0] & 0xFF) + "." + (b[1] & 0xFF) + "." + (b[2] & 0xFF) + "." + (b[3] & 0xFF);
    }

    private void realServer(final RealServerConfig rs)
    {
        open("real_server", ip(rs.address()), rs.port());
        line("weight", rs.weight());
        line("lvs_method", method(rs.method()));
        line("uthreshold", rs.upperThreshold());
        line("lthreshold", rs.lowerThreshold());
        flag("inhibit_on_failure", rs.inhibitOnFailure());
        script("notify_up", rs.notifyUp());
        script("notify_down", rs.notifyDown());
        optional("alpha", rs.alpha());
        optional("virtualhost", rs.virtualhost());
        optional("connect_timeout", rs.connectTimeout());
        optional("retry", rs.retry());
        optional("delay_before_retry", rs.delayBeforeRetry());
        optional("warmup", rs.warmup());
        optional("delay_loop", rs.delayLoop());
        rs.checkers().forEach(this::checker);
        close();
    }

    private void connection(final ConnectionOptions c)
    {
        optional("connect_ip", c.connectIp());
        if (c.connectPort() != 0)
        {
            line("connect_port", c.connectPort());
        }
        optional("bindto", c.bindTo());
        if (c.bindPort() != 0)
        {
            line("bind_port", c.bindPort());
        }
        optional("bind_if", c.bindInterface());
        line("connect_timeout", t(c.connectTimeout()));
        if (c.fwmark() != 0)
        {
            line("fwmark", Integer.toUnsignedString(c.fwmark()));
        }
    }

    private void timing(final CheckerTiming t)
    {
        line("retry", t.retry());
        line("delay_before_retry", t(t.delayBeforeRetry()));
        line("warmup", t(t.warmup()));
        line("delay_loop", t(t.delayLoop()));
        flag("alpha", t.alpha());
        flag("log_all_failures", t.logAllFailures());
    }

    private void checker(final Checker checker)
    {
        open(checker.keyword());
        if (checker instanceof TcpCheck c)
        {
            connection(c.connection());
            timing(c.timing());
        }
        else if (checker instanceof PingCheck c)
        {
            connection(c.connection());
            timing(c.timing());
        }
        else if (checker instanceof UdpCheck c)
        {
            connection(c.connection());
            timing(c.timing());
            optional("payload", c.payload());
            if (c.requireReply())
            {
                line("require_reply" + (c.replyPattern() == null ? "" : " " + c.replyPattern()));
            }
            line("min_reply_length", c.minReplyLength());
            line("max_reply_length", c.maxReplyLength());
        }
        else if (checker instanceof HttpCheck c)
        {
            connection(c.connection());
            timing(c.timing());
            for (final HttpUrl u : c.urls())
            {
                open("url");
                line("path", quote(u.path()));
                optional("digest", u.digest());
                final StringBuilder codes = new StringBuilder();
                for (final HttpUrl.StatusRange r : u.statusCodes())
                {
                    codes.append(codes.length() == 0 ? "" : " ").append(r.from());
                    if (r.to() != r.from())
                    {
                        codes.append('-').append(r.to());
                    }
                }
                line("status_code", codes);
                optional("virtualhost", u.virtualhost());
                optional("regex", u.regex());
                flag("regex_no_match", u.regexNoMatch());
                close();
            }
            optional("virtualhost", c.virtualhost());
            line("http_protocol", c.httpProtocol());
            flag("enable_sni", c.enableSni());
            optional("sni_name", c.sniName());
            flag("fast_recovery", c.fastRecovery());
            flag("tls_compliant", c.tlsCompliant());
        }
        else if (checker instanceof DnsCheck c)
        {
            connection(c.connection());
            timing(c.timing());
            line("type", c.type());
            line("name", quote(c.name()));
        }
        else if (checker instanceof SmtpCheck c)
        {
            connection(c.connection());
            timing(c.timing());
            line("helo_name", quote(c.heloName()));
            for (final ConnectionOptions h : c.hosts())
            {
                open("host");
                connection(h);
                close();
            }
        }
        else if (checker instanceof MiscCheck c)
        {
            timing(c.timing());
            line("misc_path", quoteAlways(c.path()));
            line("misc_timeout", t(c.timeout()));
            flag("misc_dynamic", c.dynamic());
            if (c.user() != null)
            {
                line("user", quote(c.user()) + (c.group() == null ? "" : " " + quote(c.group())));
            }
        }
        else if (checker instanceof FileCheck c)
        {
            line("track_file", quote(c.trackFile()));
            line("weight", c.weight() + (c.reverse() ? " reverse" : ""));
            flag("dynamic", c.dynamic());
        }
        close();
    }

    private void script(final VrrpScript s)
    {
        open("vrrp_script", quote(s.name()));
        line("script", quoteAlways(s.script()));
        line("interval", t(s.interval()));
        line("timeout", t(s.timeout()));
        line("weight", s.weight() + (s.reverse() ? " reverse" : ""));
        line("rise", s.rise());
        line("fall", s.fall());
        if (s.user() != null)
        {
            line("user", quote(s.user()) + (s.group() == null ? "" : " " + quote(s.group())));
        }
        flag("init_fail", s.initFail());
        close();
    }

    private void vip(final VirtualIpAddress a)
    {
        final StringBuilder sb = new StringBuilder(ip(a.address())).append('/').append(a.prefixLength());
        if (a.broadcast() != null)
        {
            sb.append(" brd ").append(ip(a.broadcast()));
        }
        if (a.device() != null)
        {
            sb.append(" dev ").append(quote(a.device()));
        }
        if (a.scope() != null)
        {
            sb.append(" scope ").append(quote(a.scope()));
        }
        if (a.label() != null)
        {
            sb.append(" label ").append(quote(a.label()));
        }
        if (a.noTrack())
        {
            sb.append(" no_track");
        }
        line(sb.toString());
    }

    private void instance(final VrrpInstance i)
    {
        open("vrrp_instance", quote(i.name()));
        line("state", i.state().name());
        optional("interface", i.interfaceName());
        line("virtual_router_id", i.virtualRouterId());
        line("priority", i.priority());
        line("advert_int", t(i.advertInt()));
        line("version", i.version());
        flag("nopreempt", i.nopreempt());
        line("preempt_delay", t(i.preemptDelay()));
        if (i.authentication() != null)
        {
            open("authentication");
            line("auth_type", i.authentication().type().name());
            line("auth_pass", quote(i.authentication().password()));
            close();
        }
        if (!i.virtualIpAddresses().isEmpty())
        {
            open("virtual_ipaddress");
            i.virtualIpAddresses().forEach(this::vip);
            close();
        }
        if (!i.excludedIpAddresses().isEmpty())
        {
            open("virtual_ipaddress_excluded");
            i.excludedIpAddresses().forEach(this::vip);
            close();
        }
        lines("virtual_routes", i.virtualRoutes());
        optional("unicast_src_ip", i.unicastSrcIp());
        if (!i.unicastPeers().isEmpty())
        {
            open("unicast_peer");
            i.unicastPeers().forEach(p -> line(ip(p)));
            close();
        }
        if (!i.trackInterfaces().isEmpty())
        {
            open("track_interface");
            i.trackInterfaces().forEach(t -> line(quote(t.name()), "weight", t.weight() + (t.reverse() ? " reverse" : "")));
            close();
        }
        if (!i.trackScripts().isEmpty())
        {
            open("track_script");
            for (final TrackedScript t : i.trackScripts())
            {
                line(quote(t.name()) + (t.weight() == null ? "" : " weight " + t.weight()) +
                    (t.reverse() == null ? "" : t.reverse() ? " reverse" : " noreverse"));
            }
            close();
        }
        script("notify_master", i.notifyMaster());
        script("notify_backup", i.notifyBackup());
        script("notify_fault", i.notifyFault());
        script("notify_stop", i.notifyStop());
        script("notify", i.notifyGeneric());
        flag("smtp_alert", i.smtpAlert());
        line("garp_master_delay", t(i.garpMasterDelay()));
        line("garp_master_repeat", i.garpMasterRepeat());
        line("garp_lower_prio_delay", t(i.garpLowerPrioDelay()));
        line("garp_lower_prio_repeat", i.garpLowerPrioRepeat());
        line("garp_master_refresh", t(i.garpMasterRefresh()));
        line("garp_master_refresh_repeat", i.garpMasterRefreshRepeat());
        if (i.useVmac())
        {
            line("use_vmac" + (i.vmacName() == null ? "" : " " + quote(i.vmacName())));
        }
        flag("dont_track_primary", i.dontTrackPrimary());
        if (i.accept() != null)
        {
            line(i.accept() ? "accept" : "no_accept");
        }
        optional("lvs_sync_daemon_interface", i.lvsSyncDaemonInterface());
        close();
    }

    private void syncGroup(final VrrpSyncGroup g)
    {
        open("vrrp_sync_group", quote(g.name()));
        open("group");
        g.members().forEach(m -> line(quote(m)));
        close();
        script("notify_master", g.notifyMaster());
        script("notify_backup", g.notifyBackup());
        script("notify_fault", g.notifyFault());
        script("notify_stop", g.notifyStop());
        script("notify", g.notifyGeneric());
        flag("smtp_alert", g.smtpAlert());
        close();
    }
}
