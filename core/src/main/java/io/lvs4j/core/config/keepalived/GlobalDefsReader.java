package io.lvs4j.core.config.keepalived;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Interprets {@code global_defs} (§10.2), keepalived's defaults for what is not written. */
final class GlobalDefsReader
{
    private static final Set<String> UNSUPPORTED = Set.of(
        "vrrp_priority", "checker_priority", "bfd_priority", "vrrp_rt_priority", "checker_rt_priority",
        "bfd_rt_priority", "vrrp_no_swap", "checker_no_swap", "bfd_no_swap", "notify_fifo", "notify_fifo_script",
        "vrrp_notify_fifo", "vrrp_notify_fifo_script", "lvs_notify_fifo", "lvs_notify_fifo_script",
        "rs_init_notifies", "no_checker_emails", "enable_snmp_vrrp", "enable_snmp_checker", "enable_snmp_rfc",
        "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_keepalived", "enable_traps", "enable_dbus",
        "nftables", "nftables_ipvs", "nftables_priority", "vrrp_iptables", "vrrp_ipsets", "dynamic_interfaces",
        "vrrp_down_timer_adverts", "vrrp_lower_prio_no_advert", "vrrp_higher_prio_send_advert",
        "v3_checksum_as_v2", "vrrp_garp_extra_if", "max_auto_priority", "linkbeat_use_polling", "snmp_socket",
        "vrrp_netlink_cmd_rcv_bufs", "vrrp_netlink_monitor_rcv_bufs", "lvs_netlink_cmd_rcv_bufs",
        "lvs_netlink_monitor_rcv_bufs", "process_monitor_rcv_bufs", "vrrp_rx_bufs_policy", "vrrp_rx_bufs_multiplier",
        "umask", "instance", "net_namespace", "use_pid_dir", "smtp_alert_bfd", "router_id_script",
        "vrrp_skip_check_adv_addr_all", "script_security", "child_wait_time", "checker_log_all_failures_bfd",
        "random_seed", "reload_check_config", "reload_time_file", "reload_repeat", "reload_file",
        "config_save_dir", "vrrp_track_process_timer", "fifo_write_vrrp_states_on_reload", "vrrp_startup_fault");

    /** What lvs4j does instead of keepalived's e-mail. */
    private static final String NO_MAIL = "no e-mail is sent to notification_email (state changes and checker " +
        "results are only logged)";

    private final Values v;

    GlobalDefsReader(final Values values)
    {
        this.v = values;
    }

    GlobalDefs read(final List<ConfigNode> blocks)
    {
        final GlobalDefs d = GlobalDefs.defaults();
        String routerId = d.routerId();
        final List<String> emails = new ArrayList<>();
        String emailFrom = null;
        String smtpServer = null;
        int smtpPort = d.smtpPort();
        String helo = null;
        Duration smtpTimeout = d.smtpConnectTimeout();
        Boolean smtpAlert = null;
        Boolean smtpAlertVrrp = null;
        Boolean smtpAlertChecker = null;
        boolean noEmailFaults = false;
        boolean logAll = false;
        String defaultInterface = null;
        InetAddress group4 = d.vrrpMcastGroup4();
        InetAddress group6 = d.vrrpMcastGroup6();
        LvsSyncDaemon sync = null;
        LvsTimeouts timeouts = null;
        boolean flush = false;
        GlobalDefs.FlushOnStop flushOnStop = GlobalDefs.FlushOnStop.OFF;
        Duration garpDelay = d.garpMasterDelay();
        int garpRepeat = d.garpMasterRepeat();
        Duration lowerDelay = null;
        Integer lowerRepeat = null;
        Duration refresh = d.garpMasterRefresh();
        int refreshRepeat = d.garpMasterRefreshRepeat();
        Duration garpInterval = d.garpInterval();
        Duration gnaInterval = d.gnaInterval();
        boolean minGarp = false;
        int version = d.vrrpVersion();
        boolean strict = false;
        boolean skipCheck = false;
        boolean checkUnicastSrc = false;
        Duration startupDelay = d.vrrpStartupDelay();
        boolean scriptSecurity = false;
        String scriptUser = null;
        String scriptGroup = null;

        for (final ConfigNode block : blocks)
        {
            v.extra(block, 0);
            for (final ConfigNode c : v.block(block))
            {
                switch (c.name())
                {
                    case "router_id" -> routerId = v.text(c, "a router id");
                    case "lvs_id" ->
                    {
                        v.warning(c.keyword, "lvs_id is the old name of router_id");
                        routerId = v.text(c, "a router id");
                    }
                    case "notification_email" -> emails.addAll(v.words(c));
                    case "notification_email_from" -> emailFrom = v.text(c, "an e-mail address");
                    case "smtp_server" ->
                    {
                        v.noBlock(c);
                        v.extra(c, 2);
                        if (c.arg(0) == null)
                        {
                            v.bad(c, null, "an SMTP server address or name");
                        }
                        else
                        {
                            smtpServer = c.arg(0).text;
                            // keepalived mails only through smtp_server, so one warning here covers
                            // notification_email and every smtp_alert
                            v.unsupported(c, NO_MAIL);
                            if (c.arg(1) != null)
                            {
                                final int p = v.port(c, c.arg(1));
                                smtpPort = p > 0 ? p : smtpPort;
                            }
                        }
                    }
                    case "smtp_helo_name" -> helo = v.text(c, "a HELO name");
                    case "smtp_connect_timeout" -> smtpTimeout = v.timer(c, false, smtpTimeout);
                    case "smtp_alert" -> smtpAlert = v.flag(c, false);
                    case "smtp_alert_vrrp" -> smtpAlertVrrp = v.flag(c, false);
                    case "smtp_alert_checker" -> smtpAlertChecker = v.flag(c, false);
                    case "no_email_faults" -> noEmailFaults = v.flag(c, noEmailFaults);
                    case "checker_log_all_failures" -> logAll = v.flag(c, logAll);
                    case "default_interface" -> defaultInterface = v.text(c, "an interface name");
                    case "vrrp_mcast_group4" ->
                    {
                        final InetAddress a = v.ipv4(c);
                        group4 = a == null ? group4 : a;
                        if (!group4.equals(d.vrrpMcastGroup4()))
                        {
                            v.unsupported(c, "adverts are sent to and received from 224.0.0.18");
                        }
                    }
                    case "vrrp_mcast_group6" ->
                    {
                        final InetAddress a = v.ip(c);
                        if (a != null && !(a instanceof Inet6Address))
                        {
                            v.bad(c, c.arg(0), "an IPv6 address");
                        }
                        else if (a != null)
                        {
                            group6 = a;
                            if (!group6.equals(d.vrrpMcastGroup6()))
                            {
                                v.unsupported(c, "adverts are sent to and received from ff02::12");
                            }
                        }
                    }
                    case "lvs_sync_daemon" ->
                    {
                        final LvsSyncDaemon s = syncDaemon(c);
                        sync = s == null ? sync : s;
                    }
                    case "lvs_timeouts" -> timeouts = timeouts(c);
                    case "lvs_flush" -> flush = v.flag(c, flush);
                    case "lvs_flush_on_stop" ->
                    {
                        v.noBlock(c);
                        v.extra(c, 1);
                        if (c.arg(0) == null)
                        {
                            flushOnStop = GlobalDefs.FlushOnStop.ALL;
                        }
                        else if (v.oneOf(c, c.arg(0), "VS") != null)
                        {
                            flushOnStop = GlobalDefs.FlushOnStop.VS;
                        }
                    }
                    case "vrrp_garp_master_delay" -> garpDelay = v.timer(c, true, garpDelay);
                    case "vrrp_garp_master_repeat" -> garpRepeat = v.integer(c, 0, 0xFFFF, garpRepeat);
                    case "vrrp_garp_lower_prio_delay" -> lowerDelay = v.timer(c, true, lowerDelay);
                    case "vrrp_garp_lower_prio_repeat" ->
                        lowerRepeat = v.integer(c, 0, 0xFFFF, lowerRepeat == null ? garpRepeat : lowerRepeat);
                    case "vrrp_garp_master_refresh" -> refresh = v.timer(c, true, refresh);
                    case "vrrp_garp_master_refresh_repeat" -> refreshRepeat = v.integer(c, 1, 0xFFFF, refreshRepeat);
                    case "vrrp_garp_interval" -> garpInterval = spacing(c, garpInterval);
                    case "vrrp_gna_interval" -> gnaInterval = spacing(c, gnaInterval);
                    case "vrrp_min_garp" ->
                    {
                        minGarp = v.flag(c, minGarp);
                        // keepalived's vrrp_min_garp_handler: one GARP/NA and no second burst, but only where the
                        // value is still keepalived's default (a value written before it stays; one written after
                        // it wins); the lower-priority values follow the master ones at the end, as without it
                        if (minGarp && garpRepeat == GlobalDefs.DEFAULT_GARP_MASTER_REPEAT)
                        {
                            garpRepeat = 1;
                        }
                        if (minGarp && garpDelay.equals(GlobalDefs.DEFAULT_GARP_MASTER_DELAY))
                        {
                            garpDelay = Duration.ZERO;
                        }
                    }
                    case "vrrp_version" -> version = v.integer(c, 2, 3, version);
                    case "vrrp_strict" ->
                    {
                        strict = v.flag(c, strict);
                        if (strict)
                        {
                            v.unsupported(c, "its checks and the drop of VIP traffic while not master are not made");
                        }
                    }
                    case "vrrp_skip_check_adv_addr" -> skipCheck = v.flag(c, skipCheck);
                    case "vrrp_check_unicast_src" -> checkUnicastSrc = v.flag(c, checkUnicastSrc);
                    case "vrrp_startup_delay" ->
                    {
                        startupDelay = v.timer(c, true, startupDelay);
                        if (!startupDelay.isZero())
                        {
                            v.unsupported(c, "VRRP starts at once");
                        }
                    }
                    case "enable_script_security" ->
                    {
                        scriptSecurity = v.flag(c, scriptSecurity);
                        if (scriptSecurity)
                        {
                            v.unsupported(c, "scripts are run without checking who can write them");
                        }
                    }
                    case "script_user" ->
                    {
                        v.noBlock(c);
                        v.extra(c, 2);
                        if (c.arg(0) == null)
                        {
                            v.bad(c, null, "a user name");
                        }
                        else
                        {
                            scriptUser = c.arg(0).text;
                            scriptGroup = c.arg(1) == null ? null : c.arg(1).text;
                            v.unsupported(c, "scripts run as the user that runs lvs4j");
                        }
                    }
                    default ->
                    {
                        if (UNSUPPORTED.contains(c.name()))
                        {
                            v.unsupported(c);
                        }
                        else
                        {
                            v.unknown(c, "global_defs");
                        }
                    }
                }
            }
        }
        return new GlobalDefs(routerId, emails, emailFrom, smtpServer, smtpPort, helo, smtpTimeout, smtpAlert,
            smtpAlertVrrp, smtpAlertChecker, noEmailFaults, logAll, defaultInterface, group4, group6, sync, timeouts,
            flush, flushOnStop, garpDelay, garpRepeat, lowerDelay != null ? lowerDelay : garpDelay,
            lowerRepeat != null ? lowerRepeat : garpRepeat, refresh, refreshRepeat, garpInterval, gnaInterval,
            minGarp, version, strict, skipCheck, checkUnicastSrc, startupDelay, scriptSecurity, scriptUser,
            scriptGroup);
    }

    /** vrrp_garp_interval / vrrp_gna_interval, with a warning when it asks for spacing. */
    private Duration spacing(final ConfigNode c, final Duration fallback)
    {
        final Duration d = v.timer(c, true, fallback);
        if (!d.isZero())
        {
            v.unsupported(c, "the gratuitous ARPs / NAs of a burst are sent back to back");
        }
        return d;
    }

    private LvsSyncDaemon syncDaemon(final ConfigNode c)
    {
        v.noBlock(c);
        if (c.arg(0) == null)
        {
            v.bad(c, null, "an interface name");
            return null;
        }
        final String iface = c.arg(0).text;
        String instance = null;
        int id = LvsSyncDaemon.UNSET_SYNC_ID;
        int maxLen = 0;
        int port = LvsSyncDaemon.DEFAULT_PORT;
        int ttl = 1;
        InetAddress group = null;
        for (int i = 1; i < c.args.size(); i++)
        {
            final Token t = c.args.get(i);
            switch (t.text)
            {
                case "inst" ->
                {
                    final Token name = c.arg(++i);
                    if (name == null)
                    {
                        v.bad(c, null, "a VRRP instance name after inst");
                    }
                    else
                    {
                        instance = name.text;
                    }
                }
                case "id" ->
                {
                    final Integer x = v.integerAt(c, ++i, 0, 255);
                    id = x == null ? id : x;
                }
                case "maxlen" ->
                {
                    final Integer x = v.integerAt(c, ++i, 1, 65_507);
                    maxLen = x == null ? maxLen : x;
                }
                case "port" ->
                {
                    final int p = v.port(c, c.arg(++i));
                    port = p > 0 ? p : port;
                }
                case "ttl" ->
                {
                    final Integer x = v.integerAt(c, ++i, 1, 255);
                    ttl = x == null ? ttl : x;
                }
                case "group" -> group = v.ip(c, c.arg(++i));
                default ->
                {
                    if (i == 1 && instance == null)
                    {
                        // the instance name may be written without "inst"
                        instance = t.text;
                    }
                    else
                    {
                        v.bad(c, t, "inst NAME, id N, maxlen N, port N, ttl N or group IP");
                    }
                }
            }
        }
        return new LvsSyncDaemon(iface, instance, id, maxLen, port, ttl, group);
    }

    private LvsTimeouts timeouts(final ConfigNode c)
    {
        v.noBlock(c);
        int tcp = 0;
        int tcpFin = 0;
        int udp = 0;
        if (c.args.isEmpty())
        {
            v.bad(c, null, "tcp SECS, tcpfin SECS or udp SECS");
        }
        for (int i = 0; i < c.args.size(); i++)
        {
            final Token t = c.args.get(i);
            final String which = v.oneOf(c, t, "tcp", "tcpfin", "udp");
            if (which == null)
            {
                continue;
            }
            final Integer s = v.integerAt(c, ++i, 0, 86_400 * 365);
            if (s == null)
            {
                continue;
            }
            switch (which)
            {
                case "tcp" -> tcp = s;
                case "tcpfin" -> tcpFin = s;
                default -> udp = s;
            }
        }
        return new LvsTimeouts(tcp, tcpFin, udp);
    }
}
