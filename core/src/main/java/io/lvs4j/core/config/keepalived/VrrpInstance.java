package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@code vrrp_instance <NAME> { }} block (§10.7) with defaults resolved, global GARP settings included.
 *
 * @param name                    the instance's name.
 * @param state                   {@code state}: the initial state, BACKUP by default.
 * @param interfaceName           {@code interface}, null for {@code default_interface}.
 * @param virtualRouterId         {@code virtual_router_id}, 1..255 (mandatory).
 * @param priority                {@code priority}, 1..255, 100 by default.
 * @param advertInt               {@code advert_int}, 1 s by default.
 * @param version                 {@code version}, else {@code vrrp_version}; 3 for IPv6 instances.
 * @param nopreempt               {@code nopreempt}.
 * @param preemptDelay            {@code preempt_delay}, 0 by default.
 * @param authentication          {@code authentication}, null for none.
 * @param virtualIpAddresses      {@code virtual_ipaddress}.
 * @param excludedIpAddresses     {@code virtual_ipaddress_excluded}.
 * @param virtualRoutes           {@code virtual_routes} lines as written (not interpreted).
 * @param unicastSrcIp            {@code unicast_src_ip} (or {@code mcast_src_ip}), null for the interface's.
 * @param unicastPeers            {@code unicast_peer} addresses; empty for multicast.
 * @param trackInterfaces         {@code track_interface}.
 * @param trackScripts            {@code track_script}.
 * @param notifyMaster            {@code notify_master}, null for none.
 * @param notifyBackup            {@code notify_backup}, null for none.
 * @param notifyFault             {@code notify_fault}, null for none.
 * @param notifyStop              {@code notify_stop}, null for none.
 * @param notifyGeneric           {@code notify}, null for none.
 * @param smtpAlert               {@code smtp_alert}.
 * @param garpMasterDelay         {@code garp_master_delay}, the global value by default.
 * @param garpMasterRepeat        {@code garp_master_repeat}, the global value by default.
 * @param garpLowerPrioDelay      {@code garp_lower_prio_delay}, the global value by default.
 * @param garpLowerPrioRepeat     {@code garp_lower_prio_repeat}, the global value by default.
 * @param garpMasterRefresh       {@code garp_master_refresh}, the global value by default.
 * @param garpMasterRefreshRepeat {@code garp_master_refresh_repeat}, the global value by default.
 * @param useVmac                 {@code use_vmac}: RFC virtual MAC on a macvlan.
 * @param vmacName                the macvlan's name given to {@code use_vmac}, null for the default.
 * @param dontTrackPrimary        {@code dont_track_primary}.
 * @param accept                  {@code accept} (true), {@code no_accept} (false) or null for the default.
 * @param lvsSyncDaemonInterface  {@code lvs_sync_daemon_interface} (deprecated spelling), null for none.
 */
public record VrrpInstance(
    String name,
    State state,
    String interfaceName,
    int virtualRouterId,
    int priority,
    Duration advertInt,
    int version,
    boolean nopreempt,
    Duration preemptDelay,
    VrrpAuthentication authentication,
    List<VirtualIpAddress> virtualIpAddresses,
    List<VirtualIpAddress> excludedIpAddresses,
    List<String> virtualRoutes,
    InetAddress unicastSrcIp,
    List<InetAddress> unicastPeers,
    List<TrackedInterface> trackInterfaces,
    List<TrackedScript> trackScripts,
    NotifyScript notifyMaster,
    NotifyScript notifyBackup,
    NotifyScript notifyFault,
    NotifyScript notifyStop,
    NotifyScript notifyGeneric,
    boolean smtpAlert,
    Duration garpMasterDelay,
    int garpMasterRepeat,
    Duration garpLowerPrioDelay,
    int garpLowerPrioRepeat,
    Duration garpMasterRefresh,
    int garpMasterRefreshRepeat,
    boolean useVmac,
    String vmacName,
    boolean dontTrackPrimary,
    Boolean accept,
    String lvsSyncDaemonInterface)
{
    /** {@code priority}'s default. */
    public static final int DEFAULT_PRIORITY = 100;
    /** {@code advert_int}'s default. */
    public static final Duration DEFAULT_ADVERT_INT = Duration.ofSeconds(1);

    /** The initial states {@code state} accepts. */
    public enum State
    {
        /** Start as master (with priority 255 at once, else after the first advert interval). */
        MASTER,
        /** Start as backup (the default). */
        BACKUP
    }

    /**
     * Checks the fields.
     *
     * @param name                    name.
     * @param state                   state.
     * @param interfaceName           interface.
     * @param virtualRouterId         VRID.
     * @param priority                priority.
     * @param advertInt               advert interval.
     * @param version                 version.
     * @param nopreempt               nopreempt.
     * @param preemptDelay            preempt delay.
     * @param authentication          authentication.
     * @param virtualIpAddresses      VIPs.
     * @param excludedIpAddresses     excluded VIPs.
     * @param virtualRoutes           routes.
     * @param unicastSrcIp            unicast source.
     * @param unicastPeers            peers.
     * @param trackInterfaces         tracked interfaces.
     * @param trackScripts            tracked scripts.
     * @param notifyMaster            master script.
     * @param notifyBackup            backup script.
     * @param notifyFault             fault script.
     * @param notifyStop              stop script.
     * @param notifyGeneric           generic script.
     * @param smtpAlert               SMTP alerts.
     * @param garpMasterDelay         GARP delay.
     * @param garpMasterRepeat        GARP repeat.
     * @param garpLowerPrioDelay      lower priority GARP delay.
     * @param garpLowerPrioRepeat     lower priority GARP repeat.
     * @param garpMasterRefresh       refresh.
     * @param garpMasterRefreshRepeat refresh repeat.
     * @param useVmac                 use_vmac.
     * @param vmacName                vmac name.
     * @param dontTrackPrimary        dont_track_primary.
     * @param accept                  accept.
     * @param lvsSyncDaemonInterface  sync daemon interface.
     */
    public VrrpInstance
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(advertInt, "advertInt");
        Objects.requireNonNull(preemptDelay, "preemptDelay");
        Objects.requireNonNull(garpMasterDelay, "garpMasterDelay");
        Objects.requireNonNull(garpLowerPrioDelay, "garpLowerPrioDelay");
        Objects.requireNonNull(garpMasterRefresh, "garpMasterRefresh");
        virtualIpAddresses = List.copyOf(virtualIpAddresses);
        excludedIpAddresses = List.copyOf(excludedIpAddresses);
        virtualRoutes = List.copyOf(virtualRoutes);
        unicastPeers = List.copyOf(unicastPeers);
        trackInterfaces = List.copyOf(trackInterfaces);
        trackScripts = List.copyOf(trackScripts);
        if (virtualRouterId < 1 || virtualRouterId > 255 || priority < 1 || priority > 255)
        {
            throw new IllegalArgumentException("virtual_router_id " + virtualRouterId + " priority " + priority);
        }
    }
}
