package io.lvs4j.core.ipvsadm;

import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;

/**
 * {@code ipvsadm -S} ({@code ipvsadm-save}): the rules as commands, one per line, without the program name, in
 * ipvsadm's sorted order, exactly as ipvsadm 1.31 writes them:
 * <pre>
 * -A -t 10.0.0.100:80 -s wlc -p 360 -M 255.255.255.0
 * -a -t 10.0.0.100:80 -r 192.168.1.11:80 -g -w 1
 * -A -f 7 -s sh -b sh-fallback,sh-port
 * -a -f 7 -r 192.168.1.13:0 -i -w 1 --tun-type ipip
 * </pre>
 * Thresholds and statistics are not saved (ipvsadm does not); {@code Local} servers are saved as {@code -g}.
 * Without {@code -n}, addresses and ports are written as names where the {@link IpvsadmResolver} knows them.
 * {@link IpvsadmRestore} reads it back. Stateless; thread-safe.
 */
public final class IpvsadmSave
{
    private final IpvsadmListing names;

    /**
     * A saver that names hosts and ports through {@code resolver} unless numeric output is asked for.
     *
     * @param resolver host and service names.
     */
    public IpvsadmSave(final IpvsadmResolver resolver)
    {
        this.names = new IpvsadmListing(Objects.requireNonNull(resolver, "resolver"));
    }

    /** @return a saver that always writes numbers ({@code -S} and {@code -S -n} alike). */
    public static IpvsadmSave numeric()
    {
        return new IpvsadmSave(IpvsadmResolver.NUMERIC);
    }

    /**
     * The rules of a state.
     *
     * @param snapshot the director's state.
     * @param numeric  {@code -S -n}: numbers instead of names.
     * @return one command per line, each ending in a newline.
     */
    public String save(final IpvsSnapshot snapshot, final boolean numeric)
    {
        final Set<ListFormat> format = numeric ? EnumSet.of(ListFormat.NUMERIC) : EnumSet.noneOf(ListFormat.class);
        final StringBuilder sb = new StringBuilder(256);
        for (final ServiceEntry entry : Sorting.qsort(snapshot.services(), Sorting.SERVICES))
        {
            appendService(sb, entry, format);
        }
        return sb.toString();
    }

    private void appendService(final StringBuilder sb, final ServiceEntry entry, final Set<ListFormat> format)
    {
        final VirtualService se = entry.service();
        final String svcName = names.serviceName(se, format, true);
        sb.append("-A ").append(svcName).append(" -s ").append(se.scheduler());
        if (se.isPersistent())
        {
            sb.append(" -p ").append(Integer.toUnsignedString(se.persistenceTimeoutS()));
            IpvsadmListing.appendMask(sb, se, " -M ");
        }
        if (!entry.persistenceEngine().isEmpty())
        {
            sb.append(" --pe ").append(entry.persistenceEngine());
        }
        if ((se.flags() & ServiceFlags.ONEPACKET) != 0)
        {
            sb.append(" -o");
        }
        if ((se.flags() & (ServiceFlags.SCHED1 | ServiceFlags.SCHED2 | ServiceFlags.SCHED3)) != 0)
        {
            sb.append(" -b ").append(IpvsadmListing.schedFlags(se));
        }
        sb.append('\n');

        final List<DestinationEntry> dests = Sorting.qsort(entry.destinations(), Sorting.DESTINATIONS);
        final int protocol = Sorting.listedProtocol(se);
        for (final DestinationEntry e : dests)
        {
            final RealServer d = e.server();
            final String dname = names.addrPortName(d.family(), d.addressHi(), d.addressLo(), d.port(), protocol,
                format);
            sb.append("-a ").append(svcName).append(" -r ").append(dname).append(' ')
                .append(forwardSwitch(d.method())).append(" -w ").append(d.weight());
            if ((d.method() & ConnectionFlags.FWD_MASK) == ConnectionFlags.TUNNEL)
            {
                switch (e.tunnelType())
                {
                    case DestinationEntry.TUN_GRE:
                        sb.append(" --tun-type gre ").append(TUNNEL_FLAG_OPTIONS[e.tunnelFlags()]);
                        break;
                    case DestinationEntry.TUN_GUE:
                        sb.append(" --tun-type gue --tun-port ").append(e.tunnelPort()).append(' ')
                            .append(TUNNEL_FLAG_OPTIONS[e.tunnelFlags()]);
                        break;
                    default:
                        sb.append(" --tun-type ipip");
                        break;
                }
            }
            sb.append('\n');
        }
    }

    private static final String[] TUNNEL_FLAG_OPTIONS = {"--tun-nocsum", "--tun-csum", "--tun-remcsum"};

    /** {@code fwd_switch}: Local is saved as {@code -g}. */
    private static String forwardSwitch(final int method)
    {
        switch (method & ConnectionFlags.FWD_MASK)
        {
            case ConnectionFlags.MASQ: return "-m";
            case ConnectionFlags.TUNNEL: return "-i";
            case ConnectionFlags.LOCALNODE:
            case ConnectionFlags.DROUTE: return "-g";
            default: return "(null)";
        }
    }
}
