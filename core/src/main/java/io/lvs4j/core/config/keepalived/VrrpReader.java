package io.lvs4j.core.config.keepalived;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Interprets the VRRP part: {@code vrrp_script}, {@code vrrp_instance}, {@code vrrp_sync_group} (§10.6, §10.7). */
final class VrrpReader
{
    private static final Set<String> UNSUPPORTED_INSTANCE = Set.of(
        "track_file", "track_process", "track_bfd", "auth_hmac", "virtual_rules", "mcast_dst_ip", "unicast_ttl",
        "check_unicast_src", "unicast_fault_no_peer", "vmac_xmit_base", "use_ipvlan", "down_timer_adverts",
        "lower_prio_no_advert", "higher_prio_send_advert", "timer_expired_backup", "skip_check_adv_addr",
        "strict_mode", "old_unicast_checksum", "v3_checksum_as_v2", "notify_master_rx_lower_pri",
        "notify_priority_changes", "notify_deleted", "debug", "native_ipv6", "no_virtual_ipaddress",
        "kernel_rx_buf_size", "garp_extra_if", "track_src_ip", "linkbeat_use_polling", "promote_secondaries");
    private static final Set<String> UNSUPPORTED_GROUP = Set.of(
        "track_interface", "track_script", "track_file", "track_process", "track_bfd", "global_tracking",
        "sync_group_tracking_weight", "notify_priority_changes", "notify_deleted");

    private final Values v;

    VrrpReader(final Values values)
    {
        this.v = values;
    }

    VrrpScript script(final ConfigNode n)
    {
        final String name = v.name(n, "a script name");
        String script = null;
        Duration interval = VrrpScript.DEFAULT_INTERVAL;
        Duration timeout = null;
        int weight = 0;
        boolean reverse = false;
        int rise = 1;
        int fall = 1;
        String user = null;
        String group = null;
        boolean initFail = false;
        for (final ConfigNode c : v.block(n))
        {
            switch (c.name())
            {
                case "script" -> script = v.joined(c, "a command");
                case "interval" -> interval = v.timer(c, false, interval);
                case "timeout" -> timeout = v.timer(c, false, timeout);
                case "weight" ->
                {
                    v.noBlock(c);
                    v.extra(c, 2);
                    final Integer w = v.integerAt(c, 0, -253, 253);
                    weight = w == null ? weight : w;
                    if (c.arg(1) != null)
                    {
                        reverse = "reverse".equals(v.oneOf(c, c.arg(1), "reverse", "noreverse"));
                    }
                }
                case "rise" -> rise = v.integer(c, 1, Integer.MAX_VALUE, rise);
                case "fall" -> fall = v.integer(c, 1, Integer.MAX_VALUE, fall);
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
                case "init_fail" -> initFail = v.flag(c, initFail);
                default -> v.unknown(c, "vrrp_script");
            }
        }
        if (script == null)
        {
            v.error(n.keyword, "vrrp_script " + name + ": expected script <command> in the block");
            return null;
        }
        if (name == null)
        {
            return null;
        }
        return new VrrpScript(name, script, interval, timeout != null ? timeout : interval, weight, reverse, rise,
            fall, user, group, initFail);
    }

    VrrpInstance instance(final ConfigNode n, final GlobalDefs global)
    {
        final String name = v.name(n, "an instance name");
        VrrpInstance.State state = VrrpInstance.State.BACKUP;
        String iface = null;
        Integer vrid = null;
        int priority = VrrpInstance.DEFAULT_PRIORITY;
        Duration advert = VrrpInstance.DEFAULT_ADVERT_INT;
        Integer version = null;
        ConfigNode versionNode = null;
        boolean nopreempt = false;
        Duration preemptDelay = Duration.ZERO;
        VrrpAuthentication auth = null;
        final List<VirtualIpAddress> vips = new ArrayList<>();
        final List<VirtualIpAddress> excluded = new ArrayList<>();
        final List<String> routes = new ArrayList<>();
        InetAddress src = null;
        final List<InetAddress> peers = new ArrayList<>();
        final List<TrackedInterface> trackIf = new ArrayList<>();
        final List<TrackedScript> trackScripts = new ArrayList<>();
        NotifyScript master = null;
        NotifyScript backup = null;
        NotifyScript fault = null;
        NotifyScript stop = null;
        NotifyScript notify = null;
        boolean smtpAlert = false;
        Duration garpDelay = global.garpMasterDelay();
        int garpRepeat = global.garpMasterRepeat();
        Duration lowerDelay = global.garpLowerPrioDelay();
        int lowerRepeat = global.garpLowerPrioRepeat();
        Duration refresh = global.garpMasterRefresh();
        int refreshRepeat = global.garpMasterRefreshRepeat();
        boolean vmac = false;
        String vmacName = null;
        boolean dontTrackPrimary = false;
        Boolean accept = null;
        String syncIf = null;
        for (final ConfigNode c : v.block(n))
        {
            switch (c.name())
            {
                case "state" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    final String s = v.oneOf(c, c.arg(0), "MASTER", "BACKUP");
                    state = s == null ? state : VrrpInstance.State.valueOf(s);
                }
                case "interface" -> iface = v.text(c, "an interface name");
                case "virtual_router_id" -> vrid = v.integer(c, 1, 255, vrid == null ? 0 : vrid);
                case "priority" -> priority = v.integer(c, 1, 255, priority);
                case "advert_int" -> advert = v.timer(c, false, advert);
                case "version" ->
                {
                    versionNode = c;
                    version = v.integer(c, 2, 3, version == null ? global.vrrpVersion() : version);
                }
                case "nopreempt" -> nopreempt = v.flag(c, nopreempt);
                case "preempt" ->
                {
                    v.noBlock(c);
                    v.extra(c, 0);
                    nopreempt = false;
                }
                case "preempt_delay" ->
                {
                    final Duration d = v.timer(c, true, preemptDelay);
                    if (d.compareTo(Duration.ofSeconds(1000)) > 0)
                    {
                        v.bad(c, c.arg(0), "a time in seconds 0..1000");
                    }
                    else
                    {
                        preemptDelay = d;
                    }
                }
                case "authentication" -> auth = authentication(c);
                case "virtual_ipaddress" -> vips.addAll(addresses(c));
                case "virtual_ipaddress_excluded" -> excluded.addAll(addresses(c));
                case "virtual_routes" ->
                {
                    routes.addAll(lines(c));
                    v.unsupported(c, "no route is added or removed");
                }
                case "unicast_src_ip", "mcast_src_ip" -> src = v.ip(c);
                case "unicast_peer" ->
                {
                    v.extra(c, 0);
                    for (final ConfigNode line : v.block(c))
                    {
                        v.noBlock(line);
                        final InetAddress a = v.ip(line, line.keyword);
                        if (a != null)
                        {
                            peers.add(a);
                        }
                        if (!line.args.isEmpty())
                        {
                            v.warning(line.args.get(0), "unicast_peer: per-peer options (min_ttl, max_ttl) are not " +
                                "supported by lvs4j; ignored");
                        }
                    }
                }
                case "track_interface" -> trackIf.addAll(trackInterfaces(c));
                case "track_script" -> trackScripts.addAll(trackScripts(c));
                case "notify_master" -> master = v.script(c);
                case "notify_backup" -> backup = v.script(c);
                case "notify_fault" -> fault = v.script(c);
                case "notify_stop" -> stop = v.script(c);
                case "notify" -> notify = v.script(c);
                case "smtp_alert" -> smtpAlert = v.flag(c, smtpAlert);
                case "garp_master_delay" -> garpDelay = v.timer(c, true, garpDelay);
                case "garp_master_repeat" -> garpRepeat = v.integer(c, 0, 0xFFFF, garpRepeat);
                case "garp_lower_prio_delay" -> lowerDelay = v.timer(c, true, lowerDelay);
                case "garp_lower_prio_repeat" -> lowerRepeat = v.integer(c, 0, 0xFFFF, lowerRepeat);
                case "garp_master_refresh" -> refresh = v.timer(c, true, refresh);
                case "garp_master_refresh_repeat" -> refreshRepeat = v.integer(c, 1, 0xFFFF, refreshRepeat);
                case "use_vmac" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    vmac = true;
                    vmacName = c.arg(0) == null ? null : c.arg(0).text;
                }
                case "dont_track_primary" -> dontTrackPrimary = v.flag(c, dontTrackPrimary);
                case "accept" -> accept = v.flag(c, true);
                case "no_accept" ->
                {
                    v.noBlock(c);
                    v.extra(c, 0);
                    accept = false;
                }
                case "lvs_sync_daemon_interface" ->
                {
                    v.warning(c.keyword, "lvs_sync_daemon_interface is deprecated; use lvs_sync_daemon in " +
                        "global_defs");
                    syncIf = v.text(c, "an interface name");
                }
                default ->
                {
                    if (UNSUPPORTED_INSTANCE.contains(c.name()))
                    {
                        v.unsupported(c);
                    }
                    else
                    {
                        v.unknown(c, "vrrp_instance");
                    }
                }
            }
        }
        if (vrid == null || vrid == 0)
        {
            v.error(n.keyword, "vrrp_instance " + name + ": expected virtual_router_id <1..255> in the block");
            return null;
        }
        if (nopreempt && state == VrrpInstance.State.MASTER)
        {
            v.warning(n.keyword, "vrrp_instance " + name + ": nopreempt needs state BACKUP; keepalived starts it " +
                "as BACKUP");
            state = VrrpInstance.State.BACKUP;
        }
        final boolean ipv6 = !vips.isEmpty() && vips.get(0).address() instanceof Inet6Address;
        int resolvedVersion = version != null ? version : global.vrrpVersion();
        if (ipv6 && resolvedVersion == 2)
        {
            if (versionNode != null)
            {
                v.warning(versionNode.keyword, "an IPv6 VRRP instance is always version 3");
            }
            resolvedVersion = 3;
        }
        if (resolvedVersion == 2 && advert.toNanos() % 1_000_000_000L != 0)
        {
            v.warning(n.keyword, "vrrp_instance " + name + ": VRRPv2 advert_int is whole seconds; " +
                Values.formatTimer(advert) + " is kept, but peers may disagree");
        }
        if (name == null)
        {
            return null;
        }
        return new VrrpInstance(name, state, iface, vrid, priority, advert, resolvedVersion, nopreempt, preemptDelay,
            auth, vips, excluded, routes, src, peers, trackIf, trackScripts, master, backup, fault, stop, notify,
            smtpAlert, garpDelay, garpRepeat, lowerDelay, lowerRepeat, refresh, refreshRepeat, vmac, vmacName,
            dontTrackPrimary, accept, syncIf);
    }

    private VrrpAuthentication authentication(final ConfigNode n)
    {
        v.extra(n, 0);
        VrrpAuthentication.Type type = null;
        String pass = null;
        for (final ConfigNode c : v.block(n))
        {
            switch (c.name())
            {
                case "auth_type" ->
                {
                    v.noBlock(c);
                    v.extra(c, 1);
                    final String t = v.oneOf(c, c.arg(0), "PASS", "AH");
                    type = t == null ? type : VrrpAuthentication.Type.valueOf(t);
                }
                case "auth_pass" ->
                {
                    pass = v.text(c, "a password");
                    if (pass != null && pass.length() > 8)
                    {
                        v.warning(c.arg(0), "auth_pass is at most 8 characters; cut to \"" + pass.substring(0, 8) +
                            "\" as keepalived does");
                        pass = pass.substring(0, 8);
                    }
                }
                default -> v.unknown(c, "authentication");
            }
        }
        if (type == null || pass == null)
        {
            v.error(n.keyword, "authentication: expected auth_type PASS|AH and auth_pass in the block");
            return null;
        }
        return new VrrpAuthentication(type, pass);
    }

    /** Lines of {@code virtual_ipaddress} and friends. */
    List<VirtualIpAddress> addresses(final ConfigNode n)
    {
        v.extra(n, 0);
        final List<VirtualIpAddress> list = new ArrayList<>();
        for (final ConfigNode line : v.block(n))
        {
            v.noBlock(line);
            final VirtualIpAddress a = address(line);
            if (a != null)
            {
                list.add(a);
            }
        }
        return list;
    }

    private VirtualIpAddress address(final ConfigNode line)
    {
        final String text = line.name();
        final int slash = text.indexOf('/');
        final InetAddress address = Values.parseIp(slash < 0 ? text : text.substring(0, slash));
        if (address == null)
        {
            v.error(line.keyword, "virtual address: expected <IP>[/<LEN>], got \"" + text + "\"");
            return null;
        }
        final int bits = address.getAddress().length * 8;
        int prefix = bits;
        if (slash >= 0)
        {
            final Long len = Values.parseLong(text.substring(slash + 1));
            if (len == null || len < 0 || len > bits)
            {
                v.error(line.keyword, "virtual address: expected a prefix length 0.." + bits + ", got \"" + text +
                    "\"");
                return null;
            }
            prefix = (int)(long)len;
        }
        InetAddress brd = null;
        String dev = null;
        String scope = null;
        String label = null;
        boolean noTrack = false;
        for (int i = 0; i < line.args.size(); i++)
        {
            final Token t = line.args.get(i);
            switch (t.text)
            {
                case "brd", "broadcast" -> brd = v.ip(line, line.arg(++i));
                case "dev" -> dev = word(line, ++i, "an interface name");
                case "scope" -> scope = word(line, ++i, "a scope (site, link, host, nowhere, global or a number)");
                case "label" -> label = word(line, ++i, "a label");
                case "no_track" -> noTrack = true;
                case "track" -> noTrack = false;
                default ->
                {
                    v.error(t, "virtual address " + text + ": expected brd, dev, scope, label or no_track, got \"" +
                        t.text + "\"");
                    return null;
                }
            }
        }
        return new VirtualIpAddress(address, prefix, brd, dev, scope, label, noTrack);
    }

    private String word(final ConfigNode line, final int i, final String expected)
    {
        final Token t = line.arg(i);
        if (t == null)
        {
            v.error(line.args.get(i - 1), line.name() + ": expected " + expected + " after " +
                line.args.get(i - 1).text);
            return null;
        }
        return t.text;
    }

    private List<String> lines(final ConfigNode n)
    {
        v.extra(n, 0);
        final List<String> lines = new ArrayList<>();
        for (final ConfigNode line : v.block(n))
        {
            v.noBlock(line);
            final StringBuilder sb = new StringBuilder(line.name());
            for (final Token t : line.args)
            {
                sb.append(' ').append(t.text);
            }
            lines.add(sb.toString());
        }
        return lines;
    }

    List<String> staticLines(final ConfigNode n)
    {
        return lines(n);
    }

    private List<TrackedInterface> trackInterfaces(final ConfigNode n)
    {
        v.extra(n, 0);
        final List<TrackedInterface> list = new ArrayList<>();
        for (final ConfigNode line : v.block(n))
        {
            v.noBlock(line);
            int weight = 0;
            boolean reverse = false;
            for (int i = 0; i < line.args.size(); i++)
            {
                final Token t = line.args.get(i);
                if ("weight".equals(t.text))
                {
                    final Integer w = v.integerAt(line, ++i, -253, 253);
                    weight = w == null ? weight : w;
                }
                else if ("reverse".equals(t.text))
                {
                    reverse = true;
                }
                else
                {
                    v.bad(line, t, "weight <-253..253> or reverse");
                }
            }
            list.add(new TrackedInterface(line.name(), weight, reverse));
        }
        return list;
    }

    private List<TrackedScript> trackScripts(final ConfigNode n)
    {
        v.extra(n, 0);
        final List<TrackedScript> list = new ArrayList<>();
        for (final ConfigNode line : v.block(n))
        {
            v.noBlock(line);
            Integer weight = null;
            Boolean reverse = null;
            for (int i = 0; i < line.args.size(); i++)
            {
                final Token t = line.args.get(i);
                switch (t.text)
                {
                    case "weight" -> weight = v.integerAt(line, ++i, -253, 253);
                    case "reverse" -> reverse = true;
                    case "noreverse" -> reverse = false;
                    default -> v.bad(line, t, "weight <-253..253>, reverse or noreverse");
                }
            }
            list.add(new TrackedScript(line.name(), weight, reverse));
        }
        return list;
    }

    VrrpSyncGroup syncGroup(final ConfigNode n)
    {
        final String name = v.name(n, "a group name");
        List<String> members = null;
        NotifyScript master = null;
        NotifyScript backup = null;
        NotifyScript fault = null;
        NotifyScript stop = null;
        NotifyScript notify = null;
        boolean smtpAlert = false;
        for (final ConfigNode c : v.block(n))
        {
            switch (c.name())
            {
                case "group" ->
                {
                    v.extra(c, 0);
                    members = v.words(c);
                }
                case "notify_master" -> master = v.script(c);
                case "notify_backup" -> backup = v.script(c);
                case "notify_fault" -> fault = v.script(c);
                case "notify_stop" -> stop = v.script(c);
                case "notify" -> notify = v.script(c);
                case "smtp_alert" -> smtpAlert = v.flag(c, smtpAlert);
                default ->
                {
                    if (UNSUPPORTED_GROUP.contains(c.name()))
                    {
                        v.unsupported(c);
                    }
                    else
                    {
                        v.unknown(c, "vrrp_sync_group");
                    }
                }
            }
        }
        if (members == null || members.isEmpty())
        {
            v.warning(n.keyword, "vrrp_sync_group " + name + " has no group { } of instances; ignored, as " +
                "keepalived does");
            return null;
        }
        return name == null ? null : new VrrpSyncGroup(name, members, master, backup, fault, stop, notify, smtpAlert);
    }
}
