package io.lvs4j.core.ipvsadm;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.core.stats.IpvsStats;

/**
 * ipvsadm 1.31's listings, byte for byte: {@code -L} / {@code -Ln} with {@code --stats}, {@code --rate},
 * {@code --thresholds}, {@code --persistent-conn}, {@code --tun-info}, {@code --exact}, {@code --nosort}, one
 * service ({@code -L -t ...}), {@code --timeout}, and the connection listing {@code -Lc}. Text is returned with
 * every line ending in {@code \n}, trailing blanks included where ipvsadm prints them.
 * <p>
 * It follows {@code print_title} and {@code print_service_entry}: the service column truncated to 33 characters
 * and the real-server column to 28 for IPv4 (never for IPv6), K/M/G/T abbreviations of {@code print_largenum},
 * sorting as libipvs and glibc's {@code qsort} do. Names (without {@link ListFormat#NUMERIC}) come from the
 * {@link IpvsadmResolver} only. Stateless; thread-safe.
 */
public final class IpvsadmListing
{
    /** The IPVS version the header shows, as the kernel reports it. */
    public static final String IPVS_VERSION = "1.2.1";

    private final IpvsadmResolver resolver;

    /**
     * A listing that resolves names through {@code resolver} when {@link ListFormat#NUMERIC} is not asked for.
     *
     * @param resolver host and service names.
     */
    public IpvsadmListing(final IpvsadmResolver resolver)
    {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** @return a listing that never resolves names: {@code -L} and {@code -Ln} look the same. */
    public static IpvsadmListing numeric()
    {
        return new IpvsadmListing(IpvsadmResolver.NUMERIC);
    }

    /**
     * What an {@code -L} or {@code -S} command prints for this state ({@code process_options}' dispatch): the
     * connections for {@code -c}, one service when one is named, the timeouts for {@code --timeout}, else all.
     *
     * @param command     a {@link IpvsadmCommand.Verb#LIST} or {@link IpvsadmCommand.Verb#SAVE} command.
     * @param snapshot    the director's state.
     * @param connections the connection table, for {@code -c}.
     * @return the output.
     * @throws IpvsadmException         "No such service" (exit 1) when the named service does not exist.
     * @throws IllegalArgumentException for other verbs, and for {@code --daemon}, which needs the sync daemons'
     *                                  state a snapshot does not hold.
     */
    public String render(
        final IpvsadmCommand command, final IpvsSnapshot snapshot, final List<ConnectionEntry> connections)
    {
        if (command.verb() == IpvsadmCommand.Verb.SAVE)
        {
            return new IpvsadmSave(resolver).save(snapshot, command.format().contains(ListFormat.NUMERIC));
        }
        if (command.verb() != IpvsadmCommand.Verb.LIST)
        {
            throw new IllegalArgumentException("not a listing command: " + command.verb());
        }
        if (command.has(IpvsadmCommand.Option.CONNECTION))
        {
            return listConnections(connections, command.format());
        }
        if (command.has(IpvsadmCommand.Option.SERVICE))
        {
            return listService(snapshot, command.serviceKey(), command.format());
        }
        if (command.has(IpvsadmCommand.Option.TIMEOUT))
        {
            return listTimeout(snapshot);
        }
        if (command.has(IpvsadmCommand.Option.DAEMON))
        {
            throw new IllegalArgumentException("--daemon: sync daemon state is not part of the snapshot");
        }
        return list(snapshot, command.format());
    }

    /**
     * {@code list_all}: the header, the column titles and every service with its real servers.
     *
     * @param snapshot the director's state.
     * @param format   the listing options.
     * @return the listing.
     */
    public String list(final IpvsSnapshot snapshot, final Set<ListFormat> format)
    {
        final StringBuilder sb = new StringBuilder(256);
        sb.append("IP Virtual Server version ").append(IPVS_VERSION).append(" (size=")
            .append(snapshot.connectionTableSize()).append(")\n");
        final List<ServiceEntry> services = format.contains(ListFormat.NOSORT) ? snapshot.services() :
            Sorting.qsort(snapshot.services(), Sorting.SERVICES);
        appendTitle(sb, format);
        for (final ServiceEntry entry : services)
        {
            appendService(sb, entry, format);
        }
        return sb.toString();
    }

    /**
     * {@code list_service}: the column titles and one service, without the header line.
     *
     * @param snapshot the director's state.
     * @param key      the service named on the command line.
     * @param format   the listing options.
     * @return the listing.
     * @throws IpvsadmException "No such service" (exit 1) when there is none.
     */
    public String listService(final IpvsSnapshot snapshot, final ServiceKey key, final Set<ListFormat> format)
    {
        for (final ServiceEntry entry : snapshot.services())
        {
            if (key.matches(entry.service()))
            {
                final StringBuilder sb = new StringBuilder(256);
                appendTitle(sb, format);
                appendService(sb, entry, format);
                return sb.toString();
            }
        }
        throw new IpvsadmException("No such service", IpvsadmException.EXIT_FAILURE);
    }

    /**
     * {@code list_timeout}.
     *
     * @param snapshot the director's state.
     * @return {@code Timeout (tcp tcpfin udp): 900 120 300} and a newline.
     */
    public static String listTimeout(final IpvsSnapshot snapshot)
    {
        return "Timeout (tcp tcpfin udp): " + snapshot.tcpTimeoutS() + " " + snapshot.tcpFinTimeoutS() + " " +
            snapshot.udpTimeoutS() + "\n";
    }

    /**
     * {@code list_conn}: the connection table as {@code ipvsadm -Lc} / {@code -Lnc} prints it.
     *
     * @param connections the connection entries, in the table's order (ipvsadm does not sort them).
     * @param format      the listing options ({@link ListFormat#NUMERIC}, {@link ListFormat#PERSISTENT_CONN}).
     * @return the listing.
     */
    public String listConnections(final List<ConnectionEntry> connections, final Set<ListFormat> format)
    {
        final boolean pe = format.contains(ListFormat.PERSISTENT_CONN);
        final StringBuilder sb = new StringBuilder(128 + 80 * connections.size());
        sb.append("IPVS connection entries\n");
        sb.append("pro expire ");
        pad(sb, "state", 11).append(' ');
        pad(sb, "source", 18).append(' ');
        pad(sb, "virtual", 18).append(' ');
        if (pe)
        {
            pad(sb, "destination", 18).append(' ');
            pad(sb, "pe name", 16).append(' ').append("pe_data\n");
        }
        else
        {
            sb.append("destination\n");
        }
        for (final ConnectionEntry c : connections)
        {
            final String protocol = IpProtocol.name(c.protocol());
            final int proto = c.protocol() == IpProtocol.TCP || c.protocol() == IpProtocol.UDP ||
                c.protocol() == IpProtocol.SCTP ? c.protocol() : 0;
            // the client's family decides how the virtual address is read, as ipvsadm's print_conn does
            final Endpoint client = c.client();
            final Endpoint virtual = c.virtual();
            final Endpoint destination = c.destination();
            final String cname = addrPortName(client.family(), client.addressHi(), client.addressLo(), client.port(),
                proto, format);
            final String vname = addrPortName(client.family(), virtual.addressHi(), virtual.addressLo(),
                virtual.port(), proto, format);
            final String dname = addrPortName(destination.family(), destination.addressHi(),
                destination.addressLo(), destination.port(), proto, format);
            final long expires = c.expiresSeconds() & 0xFFFF_FFFFL;
            final StringBuilder expire = new StringBuilder(8);
            zero2(expire, (int)(expires / 60)).append(':');
            zero2(expire, (int)(expires % 60));
            pad(sb, protocol, 3).append(' ');
            pad(sb, expire.toString(), 6).append(' ');
            pad(sb, c.state(), 11).append(' ');
            pad(sb, cname, 18).append(' ');
            pad(sb, vname, 18).append(' ');
            if (pe && c.peName() != null && c.peData() != null)
            {
                pad(sb, dname, 16).append(' ');
                pad(sb, c.peName(), 18).append(' ').append(c.peData()).append('\n');
            }
            else
            {
                sb.append(dname).append('\n');
            }
        }
        return sb.toString();
    }

    private static StringBuilder zero2(final StringBuilder sb, final int value)
    {
        if (value >= 0 && value < 10)
        {
            sb.append('0');
        }
        return sb.append(value);
    }

    private static void appendTitle(final StringBuilder sb, final Set<ListFormat> format)
    {
        if (format.contains(ListFormat.STATS))
        {
            pad(sb, "Prot LocalAddress:Port", 33);
            for (final String t : new String[] {"Conns", "InPkts", "OutPkts", "InBytes", "OutBytes"})
            {
                sb.append(' ');
                padLeft(sb, t, 8);
            }
            sb.append("\n  -> RemoteAddress:Port\n");
        }
        else if (format.contains(ListFormat.RATE))
        {
            pad(sb, "Prot LocalAddress:Port", 33);
            for (final String t : new String[] {"CPS", "InPPS", "OutPPS", "InBPS", "OutBPS"})
            {
                sb.append(' ');
                padLeft(sb, t, 8);
            }
            sb.append("\n  -> RemoteAddress:Port\n");
        }
        else if (format.contains(ListFormat.THRESHOLDS))
        {
            pad(sb, "Prot LocalAddress:Port", 33).append(' ');
            pad(sb, "Uthreshold", 10).append(' ');
            pad(sb, "Lthreshold", 10).append(' ');
            pad(sb, "ActiveConn", 10).append(' ');
            pad(sb, "InActConn", 10).append("\n  -> RemoteAddress:Port\n");
        }
        else if (format.contains(ListFormat.PERSISTENT_CONN))
        {
            pad(sb, "Prot LocalAddress:Port", 33).append(' ');
            pad(sb, "Weight", 9).append(' ');
            pad(sb, "PersistConn", 11).append(' ');
            pad(sb, "ActiveConn", 10).append(' ');
            pad(sb, "InActConn", 10).append("\n  -> RemoteAddress:Port\n");
        }
        else if (format.contains(ListFormat.TUN_INFO))
        {
            sb.append("Prot LocalAddress:Port Scheduler Flags\n")
                .append("  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n");
        }
        else
        {
            sb.append("Prot LocalAddress:Port Scheduler Flags\n")
                .append("  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
        }
    }

    private void appendService(final StringBuilder sb, final ServiceEntry entry, final Set<ListFormat> format)
    {
        final VirtualService se = entry.service();
        final String svcName = serviceName(se, format, false);
        final IpvsStats stats = entry.stats();
        final boolean exact = format.contains(ListFormat.EXACT);
        if (format.contains(ListFormat.STATS))
        {
            pad(sb, svcName, 33);
            largeNumber(sb, stats.conns(), exact);
            largeNumber(sb, stats.inPackets(), exact);
            largeNumber(sb, stats.outPackets(), exact);
            largeNumber(sb, stats.inBytes(), exact);
            largeNumber(sb, stats.outBytes(), exact);
        }
        else if (format.contains(ListFormat.RATE))
        {
            pad(sb, svcName, 33);
            largeNumber(sb, stats.cps(), exact);
            largeNumber(sb, stats.inPps(), exact);
            largeNumber(sb, stats.outPps(), exact);
            largeNumber(sb, stats.inBps(), exact);
            largeNumber(sb, stats.outBps(), exact);
        }
        else
        {
            sb.append(svcName).append(' ').append(se.scheduler());
            final String flags = schedFlags(se);
            if (!flags.isEmpty())
            {
                sb.append(" (").append(flags).append(')');
            }
            if (se.isPersistent())
            {
                sb.append(" persistent ").append(Integer.toUnsignedString(se.persistenceTimeoutS()));
                appendMask(sb, se, " mask ");
                if (!entry.persistenceEngine().isEmpty())
                {
                    sb.append(" pe ").append(entry.persistenceEngine());
                }
            }
            if ((se.flags() & ServiceFlags.ONEPACKET) != 0)
            {
                sb.append(" ops");
            }
        }
        sb.append('\n');

        final List<DestinationEntry> dests = format.contains(ListFormat.NOSORT) ? entry.destinations() :
            Sorting.qsort(entry.destinations(), Sorting.DESTINATIONS);
        final int protocol = Sorting.listedProtocol(se);
        for (final DestinationEntry e : dests)
        {
            final RealServer d = e.server();
            String dname = addrPortName(d.family(), d.addressHi(), d.addressLo(), d.port(), protocol, format);
            if (d.family() != FlowKey.AF_INET6 && dname.length() > 28)
            {
                dname = dname.substring(0, 28);
            }
            final IpvsStats ds = e.stats();
            sb.append("  -> ");
            if (format.contains(ListFormat.STATS))
            {
                pad(sb, dname, 28);
                largeNumber(sb, ds.conns(), exact);
                largeNumber(sb, ds.inPackets(), exact);
                largeNumber(sb, ds.outPackets(), exact);
                largeNumber(sb, ds.inBytes(), exact);
                largeNumber(sb, ds.outBytes(), exact);
            }
            else if (format.contains(ListFormat.RATE))
            {
                pad(sb, dname, 28);
                sb.append(' ');
                padLeft(sb, Long.toUnsignedString(ds.cps()), 8).append(' ');
                padLeft(sb, Long.toUnsignedString(ds.inPps()), 8).append(' ');
                padLeft(sb, Long.toUnsignedString(ds.outPps()), 8);
                largeNumber(sb, ds.inBps(), exact);
                largeNumber(sb, ds.outBps(), exact);
            }
            else if (format.contains(ListFormat.THRESHOLDS))
            {
                pad(sb, dname, 28).append(' ');
                pad(sb, Integer.toUnsignedString(d.upperThreshold()), 10).append(' ');
                pad(sb, Integer.toUnsignedString(d.lowerThreshold()), 10).append(' ');
                pad(sb, Integer.toUnsignedString(e.activeConns()), 10).append(' ');
                pad(sb, Integer.toUnsignedString(e.inactiveConns()), 10);
            }
            else if (format.contains(ListFormat.PERSISTENT_CONN))
            {
                pad(sb, dname, 28).append(' ');
                pad(sb, Integer.toUnsignedString(d.weight()), 9).append(' ');
                pad(sb, Integer.toUnsignedString(e.persistentConns()), 11).append(' ');
                pad(sb, Integer.toUnsignedString(e.activeConns()), 10).append(' ');
                pad(sb, Integer.toUnsignedString(e.inactiveConns()), 10);
            }
            else
            {
                pad(sb, dname, 28).append(' ');
                pad(sb, forwardName(d.method()), 7).append(' ');
                if (format.contains(ListFormat.TUN_INFO))
                {
                    pad(sb, tunnelInfo(e), 13).append(' ');
                }
                pad(sb, Integer.toString(d.weight()), 6).append(' ');
                pad(sb, Integer.toUnsignedString(e.activeConns()), 10).append(' ');
                pad(sb, Integer.toUnsignedString(e.inactiveConns()), 10);
            }
            sb.append('\n');
        }
    }

    /**
     * The service's name as ipvsadm builds {@code svc_name}: {@code TCP  addr:port} (truncated to 33 characters
     * for IPv4) or {@code FWM  7}; in rule form {@code -t addr:port} or {@code -f 7}.
     */
    String serviceName(final VirtualService se, final Set<ListFormat> format, final boolean rule)
    {
        if (se.fwmark() != 0)
        {
            final String mark = Integer.toUnsignedString(se.fwmark());
            if (rule)
            {
                return se.family() == FlowKey.AF_INET6 ? "-f " + mark + " -6" : "-f " + mark;
            }
            return se.family() == FlowKey.AF_INET6 ? "FWM  " + mark + " IPv6" : "FWM  " + mark;
        }
        final String vname = addrPortName(se.family(), se.addressHi(), se.addressLo(), se.port(), se.protocol(),
            format);
        if (rule)
        {
            final String option;
            switch (se.protocol())
            {
                case IpProtocol.TCP: option = "-t"; break;
                case IpProtocol.UDP: option = "-u"; break;
                case IpProtocol.SCTP: option = "--sctp-service"; break;
                default: option = "--xxx-service"; break;
            }
            return option + " " + vname;
        }
        final String protocol;
        switch (se.protocol())
        {
            case IpProtocol.TCP: protocol = "TCP"; break;
            case IpProtocol.UDP: protocol = "UDP"; break;
            case IpProtocol.SCTP: protocol = "SCTP"; break;
            default: protocol = "?"; break;
        }
        final String name = pad(new StringBuilder(40), protocol, 4).append(' ').append(vname).toString();
        return se.family() != FlowKey.AF_INET6 && name.length() > 33 ? name.substring(0, 33) : name;
    }

    /** {@code addrport_to_anyname}: {@code addr:port} or {@code [v6]:port}, names unless numeric. */
    String addrPortName(
        final int family, final long hi, final long lo, final int port, final int protocol, final Set<ListFormat> format)
    {
        final StringBuilder sb = new StringBuilder(48);
        if (family != FlowKey.AF_INET)
        {
            sb.append('[');
        }
        final String host = format.contains(ListFormat.NUMERIC) ? null : resolver.hostName(family, hi, lo);
        if (host != null)
        {
            sb.append(host);
        }
        else
        {
            InetText.appendNtop(sb, family, hi, lo);
        }
        if (family != FlowKey.AF_INET)
        {
            sb.append(']');
        }
        sb.append(':');
        final boolean named = !format.contains(ListFormat.NUMERIC) &&
            (protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == IpProtocol.SCTP);
        final String service = named ? resolver.serviceName(port, protocol) : null;
        if (service != null)
        {
            sb.append(service);
        }
        else
        {
            sb.append(port);
        }
        // snprintf(buf, 60, ...)
        return sb.length() > 59 ? sb.substring(0, 59) : sb.toString();
    }

    /** {@code print_sched_flags}: the names of the scheduler flags that apply to the service's scheduler. */
    static String schedFlags(final VirtualService se)
    {
        final StringBuilder flags = new StringBuilder();
        final int f = se.flags();
        if (se.scheduler().equals("sh"))
        {
            appendFlag(flags, f, ServiceFlags.SH_FALLBACK, "sh-fallback");
            appendFlag(flags, f, ServiceFlags.SH_PORT, "sh-port");
        }
        else if (se.scheduler().equals("mh"))
        {
            appendFlag(flags, f, ServiceFlags.MH_FALLBACK, "mh-fallback");
            appendFlag(flags, f, ServiceFlags.MH_PORT, "mh-port");
        }
        else
        {
            appendFlag(flags, f, ServiceFlags.SCHED1, "flag-1");
            appendFlag(flags, f, ServiceFlags.SCHED2, "flag-2");
            appendFlag(flags, f, ServiceFlags.SCHED3, "flag-3");
        }
        return flags.toString();
    }

    private static void appendFlag(final StringBuilder sb, final int flags, final int flag, final String name)
    {
        if ((flags & flag) != 0)
        {
            if (sb.length() > 0)
            {
                sb.append(',');
            }
            sb.append(name);
        }
    }

    /** The persistence mask as ipvsadm adds it: dotted for IPv4 unless /32, a prefix for IPv6 unless 128. */
    static void appendMask(final StringBuilder sb, final VirtualService se, final String label)
    {
        if (se.family() == FlowKey.AF_INET && se.netmask() != 0xFFFF_FFFF)
        {
            InetText.appendV4(sb.append(label), se.netmask() & 0xFFFF_FFFFL);
        }
        if (se.family() == FlowKey.AF_INET6 && se.netmask() != 128)
        {
            sb.append(label).append(se.netmask());
        }
    }

    /** {@code fwd_name}; glibc prints a null string as {@code (null)}. */
    static String forwardName(final int method)
    {
        switch (method & ConnectionFlags.FWD_MASK)
        {
            case ConnectionFlags.MASQ: return "Masq";
            case ConnectionFlags.LOCALNODE: return "Local";
            case ConnectionFlags.TUNNEL: return "Tunnel";
            case ConnectionFlags.DROUTE: return "Route";
            default: return "(null)";
        }
    }

    private static final String[] TUNNEL_NAMES = {"ipip", "gue", "gre"};
    private static final String[] TUNNEL_FLAGS = {"-c", "+c", "r+c"};

    /** {@code fwd_tun_info}: {@code ipip}, {@code gue:port:flags}, {@code gre:flags}, or {@code n/a}. */
    static String tunnelInfo(final DestinationEntry e)
    {
        if ((e.server().method() & ConnectionFlags.FWD_MASK) != ConnectionFlags.TUNNEL)
        {
            return "n/a";
        }
        switch (e.tunnelType())
        {
            case DestinationEntry.TUN_GUE:
                return "gue:" + e.tunnelPort() + ":" + TUNNEL_FLAGS[e.tunnelFlags()];
            case DestinationEntry.TUN_GRE:
                return "gre:" + TUNNEL_FLAGS[e.tunnelFlags()];
            default:
                return TUNNEL_NAMES[e.tunnelType()];
        }
    }

    /**
     * {@code print_largenum}: a statistics figure in 9 columns, abbreviated with decimal K/M/G/T from 100 million
     * on, or exact in {@code max(9, digits + 1)} columns.
     *
     * @param sb    where to append.
     * @param value the unsigned value.
     * @param exact {@code --exact}.
     * @return {@code sb}.
     */
    public static StringBuilder largeNumber(final StringBuilder sb, final long value, final boolean exact)
    {
        final String digits = Long.toUnsignedString(value);
        if (exact)
        {
            return padLeft(sb, digits, digits.length() <= 8 ? 9 : digits.length() + 1);
        }
        if (Long.compareUnsigned(value, 100_000_000L) < 0)
        {
            return padLeft(sb, digits, 9);
        }
        final long divisor;
        final char suffix;
        if (Long.compareUnsigned(value, 1_000_000_000L) < 0)
        {
            divisor = 1000L;
            suffix = 'K';
        }
        else if (Long.compareUnsigned(value, 100_000_000_000L) < 0)
        {
            divisor = 1_000_000L;
            suffix = 'M';
        }
        else if (Long.compareUnsigned(value, 100_000_000_000_000L) < 0)
        {
            divisor = 1_000_000_000L;
            suffix = 'G';
        }
        else
        {
            divisor = 1_000_000_000_000L;
            suffix = 'T';
        }
        return padLeft(sb, Long.toUnsignedString(Long.divideUnsigned(value, divisor)), 8).append(suffix);
    }

    /** {@code %-Ns}. */
    static StringBuilder pad(final StringBuilder sb, final String s, final int width)
    {
        sb.append(s);
        for (int i = s.length(); i < width; i++)
        {
            sb.append(' ');
        }
        return sb;
    }

    /** {@code %Ns}. */
    static StringBuilder padLeft(final StringBuilder sb, final String s, final int width)
    {
        for (int i = s.length(); i < width; i++)
        {
            sb.append(' ');
        }
        return sb.append(s);
    }

    /**
     * The listing options of a plain {@code -Ln}.
     *
     * @return {@link ListFormat#NUMERIC} alone.
     */
    public static Set<ListFormat> numericFormat()
    {
        return EnumSet.of(ListFormat.NUMERIC);
    }
}
