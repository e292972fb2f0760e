package io.lvs4j.core.ipvsadm;

import java.util.List;
import java.util.Objects;

import io.lvs4j.core.service.VirtualService;
import io.lvs4j.core.stats.IpvsStats;

/**
 * One listed virtual service: its configuration ({@link VirtualService}: address or fwmark, scheduler, flags,
 * persistence, netmask), its persistence engine, its real servers in the director's order (the listing sorts
 * them unless {@code --nosort}) and its statistics.
 *
 * @param service         the service.
 * @param persistenceEngine the persistence engine ({@code --pe}, e.g. {@code sip}), or the empty string.
 * @param destinations    the real servers.
 * @param stats           counters and rates of the whole service.
 */
public record ServiceEntry(
    VirtualService service, String persistenceEngine, List<DestinationEntry> destinations, IpvsStats stats)
{
    /**
     * Checks and copies.
     *
     * @param service           the service.
     * @param persistenceEngine persistence engine name, "" for none.
     * @param destinations      the real servers.
     * @param stats             the statistics.
     */
    public ServiceEntry
    {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(persistenceEngine, "persistenceEngine");
        destinations = List.copyOf(destinations);
        Objects.requireNonNull(stats, "stats");
    }

    /**
     * A service without persistence engine and with zero statistics.
     *
     * @param service      the service.
     * @param destinations its real servers.
     * @return the entry.
     */
    public static ServiceEntry of(final VirtualService service, final List<DestinationEntry> destinations)
    {
        return new ServiceEntry(service, "", destinations, IpvsStats.ZERO);
    }
}
