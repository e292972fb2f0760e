package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The {@code global_defs} block: identity, e-mail alerts, VRRP defaults (multicast groups, gratuitous ARP
 * pacing, protocol version, strictness) and the LVS-wide settings (sync daemon, timeouts, flushing). Values not
 * written take keepalived's defaults (§10.2 of the reference).
 *
 * @param routerId                 {@code router_id} ({@code lvs_id} is the old name); null means the host name.
 * @param notificationEmails       {@code notification_email { ... }} addresses.
 * @param notificationEmailFrom    {@code notification_email_from}, null for keepalived's default.
 * @param smtpServer               {@code smtp_server} host or address, null for none.
 * @param smtpPort                 the SMTP port, 25 by default.
 * @param smtpHeloName             {@code smtp_helo_name}, null for the host name.
 * @param smtpConnectTimeout       {@code smtp_connect_timeout}, 30 s by default.
 * @param smtpAlert                {@code smtp_alert}; null leaves keepalived's default (alerts when e-mail is set).
 * @param smtpAlertVrrp            {@code smtp_alert_vrrp}, null for the {@code smtp_alert} value.
 * @param smtpAlertChecker         {@code smtp_alert_checker}, null for the {@code smtp_alert} value.
 * @param noEmailFaults            {@code no_email_faults}.
 * @param checkerLogAllFailures    {@code checker_log_all_failures}.
 * @param defaultInterface         {@code default_interface}, null for keepalived's (eth0).
 * @param vrrpMcastGroup4          {@code vrrp_mcast_group4}, 224.0.0.18 by default.
 * @param vrrpMcastGroup6          {@code vrrp_mcast_group6}, ff02::12 by default.
 * @param lvsSyncDaemon            {@code lvs_sync_daemon}, null for none.
 * @param lvsTimeouts              {@code lvs_timeouts}, null to leave the timeouts alone.
 * @param lvsFlush                 {@code lvs_flush}: flush the IPVS table at start.
 * @param lvsFlushOnStop           {@code lvs_flush_on_stop [VS]}.
 * @param garpMasterDelay          {@code vrrp_garp_master_delay}: the second GARP burst after becoming master, 5 s
 *                                 by default, 0 for none.
 * @param garpMasterRepeat         {@code vrrp_garp_master_repeat}: GARPs per burst, 5 by default.
 * @param garpLowerPrioDelay       {@code vrrp_garp_lower_prio_delay}, the master delay unless set.
 * @param garpLowerPrioRepeat      {@code vrrp_garp_lower_prio_repeat}, the master repeat unless set.
 * @param garpMasterRefresh        {@code vrrp_garp_master_refresh}: periodic refresh, 0 (none) by default.
 * @param garpMasterRefreshRepeat  {@code vrrp_garp_master_refresh_repeat}, 1 by default.
 * @param garpInterval             {@code vrrp_garp_interval}: spacing of GARPs, 0 by default.
 * @param gnaInterval              {@code vrrp_gna_interval}: spacing of unsolicited NAs, 0 by default.
 * @param vrrpMinGarp              {@code vrrp_min_garp}.
 * @param vrrpVersion              {@code vrrp_version}, 2 by default.
 * @param vrrpStrict               {@code vrrp_strict}.
 * @param vrrpSkipCheckAdvAddr     {@code vrrp_skip_check_adv_addr}.
 * @param vrrpCheckUnicastSrc      {@code vrrp_check_unicast_src}.
 * @param vrrpStartupDelay         {@code vrrp_startup_delay}, 0 by default.
 * @param enableScriptSecurity     {@code enable_script_security}.
 * @param scriptUser               {@code script_user} user, null for keepalived_script/root.
 * @param scriptGroup              {@code script_user} group, null for the user's.
 */
public record GlobalDefs(
    String routerId,
    List<String> notificationEmails,
    String notificationEmailFrom,
    String smtpServer,
    int smtpPort,
    String smtpHeloName,
    Duration smtpConnectTimeout,
    Boolean smtpAlert,
    Boolean smtpAlertVrrp,
    Boolean smtpAlertChecker,
    boolean noEmailFaults,
    boolean checkerLogAllFailures,
    String defaultInterface,
    InetAddress vrrpMcastGroup4,
    InetAddress vrrpMcastGroup6,
    LvsSyncDaemon lvsSyncDaemon,
    LvsTimeouts lvsTimeouts,
    boolean lvsFlush,
    FlushOnStop lvsFlushOnStop,
    Duration garpMasterDelay,
    int garpMasterRepeat,
    Duration garpLowerPrioDelay,
    int garpLowerPrioRepeat,
    Duration garpMasterRefresh,
    int garpMasterRefreshRepeat,
    Duration garpInterval,
    Duration gnaInterval,
    boolean vrrpMinGarp,
    int vrrpVersion,
    boolean vrrpStrict,
    boolean vrrpSkipCheckAdvAddr,
    boolean vrrpCheckUnicastSrc,
    Duration vrrpStartupDelay,
    boolean enableScriptSecurity,
    String scriptUser,
    String scriptGroup)
{
    /** SMTP's port. */
    public static final int DEFAULT_SMTP_PORT = 25;
    /** {@code smtp_connect_timeout}'s default. */
    public static final Duration DEFAULT_SMTP_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    /** {@code vrrp_garp_master_delay}'s default. */
    public static final Duration DEFAULT_GARP_MASTER_DELAY = Duration.ofSeconds(5);
    /** {@code vrrp_garp_master_repeat}'s default. */
    public static final int DEFAULT_GARP_MASTER_REPEAT = 5;

    /** What {@code lvs_flush_on_stop} asks for. */
    public enum FlushOnStop
    {
        /** Leave the table as it is (the default). */
        OFF,
        /** Flush the whole IPVS table. */
        ALL,
        /** Remove only the virtual servers this configuration made ({@code lvs_flush_on_stop VS}). */
        VS
    }

    /**
     * Checks the fields and makes the list immutable.
     *
     * @param routerId                router id.
     * @param notificationEmails      addresses.
     * @param notificationEmailFrom   sender.
     * @param smtpServer              SMTP server.
     * @param smtpPort                SMTP port.
     * @param smtpHeloName            HELO name.
     * @param smtpConnectTimeout      SMTP timeout.
     * @param smtpAlert               alerts.
     * @param smtpAlertVrrp           VRRP alerts.
     * @param smtpAlertChecker        checker alerts.
     * @param noEmailFaults           no fault mails.
     * @param checkerLogAllFailures   log all checker failures.
     * @param defaultInterface        default interface.
     * @param vrrpMcastGroup4         IPv4 group.
     * @param vrrpMcastGroup6         IPv6 group.
     * @param lvsSyncDaemon           sync daemon.
     * @param lvsTimeouts             timeouts.
     * @param lvsFlush                flush at start.
     * @param lvsFlushOnStop          flush at stop.
     * @param garpMasterDelay         GARP delay.
     * @param garpMasterRepeat        GARP repeat.
     * @param garpLowerPrioDelay      lower-priority GARP delay.
     * @param garpLowerPrioRepeat     lower-priority GARP repeat.
     * @param garpMasterRefresh       GARP refresh.
     * @param garpMasterRefreshRepeat GARP refresh repeat.
     * @param garpInterval            GARP spacing.
     * @param gnaInterval             NA spacing.
     * @param vrrpMinGarp             minimal GARPs.
     * @param vrrpVersion             VRRP version.
     * @param vrrpStrict              strict mode.
     * @param vrrpSkipCheckAdvAddr    skip address checks.
     * @param vrrpCheckUnicastSrc     check unicast sources.
     * @param vrrpStartupDelay        startup delay.
     * @param enableScriptSecurity    script security.
     * @param scriptUser              script user.
     * @param scriptGroup             script group.
     */
    public GlobalDefs
    {
        notificationEmails = List.copyOf(notificationEmails);
        Objects.requireNonNull(smtpConnectTimeout, "smtpConnectTimeout");
        Objects.requireNonNull(vrrpMcastGroup4, "vrrpMcastGroup4");
        Objects.requireNonNull(vrrpMcastGroup6, "vrrpMcastGroup6");
        Objects.requireNonNull(lvsFlushOnStop, "lvsFlushOnStop");
        Objects.requireNonNull(garpMasterDelay, "garpMasterDelay");
        Objects.requireNonNull(garpLowerPrioDelay, "garpLowerPrioDelay");
        Objects.requireNonNull(garpMasterRefresh, "garpMasterRefresh");
        Objects.requireNonNull(garpInterval, "garpInterval");
        Objects.requireNonNull(gnaInterval, "gnaInterval");
        Objects.requireNonNull(vrrpStartupDelay, "vrrpStartupDelay");
        if (vrrpVersion != 2 && vrrpVersion != 3)
        {
            throw new IllegalArgumentException("vrrp_version " + vrrpVersion);
        }
    }

    /** @return the values keepalived uses when {@code global_defs} is empty or absent. */
    public static GlobalDefs defaults()
    {
        return new GlobalDefs(null, List.of(), null, null, DEFAULT_SMTP_PORT, null, DEFAULT_SMTP_CONNECT_TIMEOUT,
            null, null, null, false, false, null, Addresses.parse("224.0.0.18"), Addresses.parse("ff02::12"), null,
            null, false, FlushOnStop.OFF, DEFAULT_GARP_MASTER_DELAY, DEFAULT_GARP_MASTER_REPEAT,
            DEFAULT_GARP_MASTER_DELAY, DEFAULT_GARP_MASTER_REPEAT, Duration.ZERO, 1, Duration.ZERO, Duration.ZERO,
            false, 2, false, false, false, Duration.ZERO, false, null, null);
    }
}
