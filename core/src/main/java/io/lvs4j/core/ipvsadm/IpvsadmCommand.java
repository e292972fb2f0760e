package io.lvs4j.core.ipvsadm;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;

/**
 * One ipvsadm invocation, parsed and validated by {@link IpvsadmCommandLine}: what to do ({@link Verb}) and with
 * what, in the form the director applies. An immutable value.
 * <p>
 * As with ipvsadm, options that were not given carry ipvsadm's defaults: weight 1, direct routing, netmask
 * /32 (/128), scheduler {@code wlc} for {@code -A/-E}, tunnel type ipip. {@link #has(Option)} tells which were
 * given, for an editor that wants to know (ipvsadm itself sends the defaults: {@code -e} without {@code -w} sets
 * the weight back to 1).
 */
public final class IpvsadmCommand
{
    /** The command, in ipvsadm's {@code CMD_*} order (which indexes its option table). */
    public enum Verb
    {
        /** {@code -A}: add a virtual service. */
        ADD_SERVICE("add-service"),
        /** {@code -E}: edit a virtual service. */
        EDIT_SERVICE("edit-service"),
        /** {@code -D}: delete a virtual service and its real servers. */
        DELETE_SERVICE("delete-service"),
        /** {@code -C}: delete every service. */
        FLUSH("flush"),
        /** {@code -L / -l}: list. */
        LIST("list"),
        /** {@code -a}: add a real server. */
        ADD_SERVER("add-server"),
        /** {@code -d}: delete a real server. */
        DELETE_SERVER("delete-server"),
        /** {@code -e}: edit a real server. */
        EDIT_SERVER("edit-server"),
        /** {@code --set tcp tcpfin udp}: set the protocol timeouts (0 leaves one unchanged). */
        SET_TIMEOUT("set"),
        /** {@code --start-daemon master|backup}: start connection synchronisation. */
        START_DAEMON("start-daemon"),
        /** {@code --stop-daemon master|backup}: stop it. */
        STOP_DAEMON("stop-daemon"),
        /** {@code -R}: read commands from standard input ({@link IpvsadmRestore}). */
        RESTORE("restore"),
        /** {@code -S}: print the rules ({@link IpvsadmSave}). */
        SAVE("save"),
        /** {@code -Z}: zero the counters of one service or all. */
        ZERO("zero"),
        /** {@code -h}: print {@link IpvsadmCommandLine#usage(String)} and exit 0. */
        HELP("help"),
        /** {@code -v}: print {@link IpvsadmCommandLine#VERSION} and exit 0. */
        VERSION("version");

        private final String ipvsadmName;

        Verb(final String ipvsadmName)
        {
            this.ipvsadmName = ipvsadmName;
        }

        /** @return the name ipvsadm's messages use ({@code cmdnames[]}). */
        public String ipvsadmName()
        {
            return ipvsadmName;
        }
    }

    /** The options, in ipvsadm's {@code OPTC_*} order (the order its checks report them in). */
    public enum Option
    {
        /** {@code -n}. */
        NUMERIC("numeric"),
        /** {@code -c}. */
        CONNECTION("connection"),
        /** {@code -t/-u/--sctp-service/-f}. */
        SERVICE("service-address"),
        /** {@code -s}. */
        SCHEDULER("scheduler"),
        /** {@code -p}. */
        PERSISTENT("persistent"),
        /** {@code -M}. */
        NETMASK("netmask"),
        /** {@code -r}. */
        SERVER("real-server"),
        /** {@code -g/-i/-m}. */
        FORWARD("forwarding-method"),
        /** {@code -w}. */
        WEIGHT("weight"),
        /** {@code -x}. */
        UTHRESHOLD("u-threshold"),
        /** {@code -y}. */
        LTHRESHOLD("l-threshold"),
        /** {@code --mcast-interface}. */
        MCAST("mcast-interface"),
        /** {@code --timeout}. */
        TIMEOUT("timeout"),
        /** {@code --daemon}. */
        DAEMON("daemon"),
        /** {@code --stats}. */
        STATS("stats"),
        /** {@code --rate}. */
        RATE("rate"),
        /** {@code --thresholds}. */
        THRESHOLDS("thresholds"),
        /** {@code --persistent-conn}. */
        PERSISTENTCONN("persistent-conn"),
        /** {@code --nosort}. */
        NOSORT("nosort"),
        /** {@code --syncid}. */
        SYNCID("syncid"),
        /** {@code -X/--exact}. */
        EXACT("exact"),
        /** {@code -o}. */
        ONEPACKET("ops"),
        /** {@code --pe}. */
        PERSISTENCE_ENGINE("pe"),
        /** {@code -b}. */
        SCHED_FLAGS("sched-flags"),
        /** {@code --mcast-group}. */
        MCAST_GROUP("mcast-group"),
        /** {@code --mcast-port}. */
        MCAST_PORT("mcast-port"),
        /** {@code --mcast-ttl}. */
        MCAST_TTL("mcast-ttl"),
        /** {@code --sync-maxlen}. */
        SYNC_MAXLEN("sync-maxlen"),
        /** {@code --tun-info}. */
        TUN_INFO("tun-info"),
        /** {@code --tun-type}. */
        TUN_TYPE("tun-type"),
        /** {@code --tun-port}. */
        TUN_PORT("tun-port"),
        /** {@code --tun-nocsum}. */
        TUN_NOCSUM("tun-nocsum"),
        /** {@code --tun-csum}. */
        TUN_CSUM("tun-csum"),
        /** {@code --tun-remcsum}. */
        TUN_REMCSUM("tun-remcsum");

        private final String ipvsadmName;

        Option(final String ipvsadmName)
        {
            this.ipvsadmName = ipvsadmName;
        }

        /** @return the name ipvsadm's messages use ({@code optnames[]}). */
        public String ipvsadmName()
        {
            return ipvsadmName;
        }
    }

    private final Verb verb;
    private final Set<Option> options;
    private final Set<ListFormat> format;
    private final ServiceKey serviceKey;
    private final VirtualService service;
    private final String persistenceEngine;
    private final RealServer server;
    private final int tunnelType;
    private final int tunnelPort;
    private final int tunnelFlags;
    private final int[] timeouts;
    private final String daemonState;
    private final String mcastInterface;
    private final int syncId;
    private final String mcastGroup;
    private final int mcastPort;
    private final int mcastTtl;
    private final int syncMaxLen;

    IpvsadmCommand(
        final Verb verb,
        final Set<Option> options,
        final Set<ListFormat> format,
        final ServiceKey serviceKey,
        final VirtualService service,
        final String persistenceEngine,
        final RealServer server,
        final int tunnelType,
        final int tunnelPort,
        final int tunnelFlags,
        final int[] timeouts,
        final String daemonState,
        final String mcastInterface,
        final int syncId,
        final String mcastGroup,
        final int mcastPort,
        final int mcastTtl,
        final int syncMaxLen)
    {
        this.verb = verb;
        this.options = Collections.unmodifiableSet(options.isEmpty() ?
            EnumSet.noneOf(Option.class) : EnumSet.copyOf(options));
        this.format = Collections.unmodifiableSet(format.isEmpty() ?
            EnumSet.noneOf(ListFormat.class) : EnumSet.copyOf(format));
        this.serviceKey = serviceKey;
        this.service = service;
        this.persistenceEngine = persistenceEngine;
        this.server = server;
        this.tunnelType = tunnelType;
        this.tunnelPort = tunnelPort;
        this.tunnelFlags = tunnelFlags;
        this.timeouts = timeouts.clone();
        this.daemonState = daemonState;
        this.mcastInterface = mcastInterface;
        this.syncId = syncId;
        this.mcastGroup = mcastGroup;
        this.mcastPort = mcastPort;
        this.mcastTtl = mcastTtl;
        this.syncMaxLen = syncMaxLen;
    }

    /** @return what to do. */
    public Verb verb()
    {
        return verb;
    }

    /**
     * @param option an option.
     * @return true when it was given on the command line.
     */
    public boolean has(final Option option)
    {
        return options.contains(option);
    }

    /** @return the options given, unmodifiable. */
    public Set<Option> options()
    {
        return options;
    }

    /** @return the listing format ({@code -n}, {@code --stats}, ...), unmodifiable. */
    public Set<ListFormat> format()
    {
        return format;
    }

    /** @return the service named by {@code -t/-u/--sctp-service/-f}, or null when none was given. */
    public ServiceKey serviceKey()
    {
        return serviceKey;
    }

    /** @return the whole service for {@code -A} and {@code -E} (scheduler, flags, persistence...), else null. */
    public VirtualService service()
    {
        return service;
    }

    /** @return the persistence engine ({@code --pe}), "" for none. */
    public String persistenceEngine()
    {
        return persistenceEngine;
    }

    /**
     * The real server of {@code -a}, {@code -e}, {@code -d}: address, port (forced to the service's for DR and
     * TUN on non-fwmark services, as ipvsadm does), weight, method, thresholds. Its {@link RealServer#id() id} is
     * 0 and means nothing: the director gives ids.
     *
     * @return the real server, or null when {@code -r} was not given.
     */
    public RealServer server()
    {
        return server;
    }

    /** @return {@link DestinationEntry#TUN_IPIP}, {@code TUN_GUE} or {@code TUN_GRE}. */
    public int tunnelType()
    {
        return tunnelType;
    }

    /** @return the GUE port ({@code --tun-port}), 0 when not given. */
    public int tunnelPort()
    {
        return tunnelPort;
    }

    /** @return {@link DestinationEntry#TUN_NOCSUM}, {@code TUN_CSUM} or {@code TUN_REMCSUM}. */
    public int tunnelFlags()
    {
        return tunnelFlags;
    }

    /** @return the TCP timeout of {@code --set}, 0 to leave it. */
    public int tcpTimeoutS()
    {
        return timeouts[0];
    }

    /** @return the TCP FIN timeout of {@code --set}, 0 to leave it. */
    public int tcpFinTimeoutS()
    {
        return timeouts[1];
    }

    /** @return the UDP timeout of {@code --set}, 0 to leave it. */
    public int udpTimeoutS()
    {
        return timeouts[2];
    }

    /** @return {@code master} or {@code backup} for the daemon commands, else null. */
    public String daemonState()
    {
        return daemonState;
    }

    /** @return the sync daemon's interface ({@code eth0} by default for {@code --start-daemon}), or "". */
    public String mcastInterface()
    {
        return mcastInterface;
    }

    /** @return the sync id ({@code --syncid}), 0 when not given. */
    public int syncId()
    {
        return syncId;
    }

    /** @return the multicast group as given ({@code --mcast-group}), or null. */
    public String mcastGroup()
    {
        return mcastGroup;
    }

    /** @return the multicast port, 0 when not given (the kernel's 8848). */
    public int mcastPort()
    {
        return mcastPort;
    }

    /** @return the multicast TTL, 0 when not given (the kernel's 1). */
    public int mcastTtl()
    {
        return mcastTtl;
    }

    /** @return the largest sync message, 0 when not given. */
    public int syncMaxLen()
    {
        return syncMaxLen;
    }

    @Override
    public String toString()
    {
        return "IpvsadmCommand{" + verb + (serviceKey != null ? " " + serviceKey : "") +
            (service != null ? " " + service : "") + (server != null ? " -r " + server : "") + " options=" + options +
            "}";
    }
}
