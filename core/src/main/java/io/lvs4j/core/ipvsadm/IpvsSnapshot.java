package io.lvs4j.core.ipvsadm;

import java.util.List;

/**
 * What {@code ipvsadm -L} and {@code -S} read from the kernel, taken from a running director at one instant:
 * the services with their real servers and statistics, the connection table size for the listing's header and
 * the protocol timeouts for {@code --timeout}. An immutable value.
 *
 * @param connectionTableSize the connection table's bucket count ({@code (size=4096)}).
 * @param services            the services in the director's order (listings sort them unless {@code --nosort}).
 * @param tcpTimeoutS         TCP established timeout in seconds.
 * @param tcpFinTimeoutS      TCP FIN_WAIT timeout in seconds.
 * @param udpTimeoutS         UDP timeout in seconds.
 */
public record IpvsSnapshot(
    int connectionTableSize, List<ServiceEntry> services, int tcpTimeoutS, int tcpFinTimeoutS, int udpTimeoutS)
{
    /** The kernel's default connection table size: 2^12 buckets. */
    public static final int DEFAULT_TABLE_SIZE = 4096;

    /**
     * Copies the list.
     *
     * @param connectionTableSize table size.
     * @param services            services.
     * @param tcpTimeoutS         TCP timeout.
     * @param tcpFinTimeoutS      TCP FIN timeout.
     * @param udpTimeoutS         UDP timeout.
     */
    public IpvsSnapshot
    {
        services = List.copyOf(services);
    }

    /**
     * A snapshot with the kernel's default timeouts (900, 120, 300 s).
     *
     * @param connectionTableSize table size.
     * @param services            services.
     */
    public IpvsSnapshot(final int connectionTableSize, final List<ServiceEntry> services)
    {
        this(connectionTableSize, services, 900, 120, 300);
    }
}
