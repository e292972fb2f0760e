package io.lvs4j.forwarder;

import java.util.List;

import io.lvs4j.core.service.VirtualService;

/**
 * A virtual service as {@code ipvsadm -L --stats} shows it at one moment.
 *
 * @param service     the service's definition.
 * @param realServers its real servers, newest first (ipvsadm's unsorted order).
 * @param connections connections scheduled since it was added.
 * @param inPackets   packets client to server.
 * @param outPackets  packets server to client (NAT only).
 * @param inBytes     bytes client to server.
 * @param outBytes    bytes server to client.
 */
public record ServiceStatus(
    VirtualService service,
    List<RealServerStatus> realServers,
    long connections,
    long inPackets,
    long outPackets,
    long inBytes,
    long outBytes)
{
    /** Copies the list. */
    public ServiceStatus
    {
        realServers = List.copyOf(realServers);
    }

    /**
     * A real server of this service by its address text and port.
     *
     * @param address the address, as {@link io.lvs4j.core.service.RealServer#toString()} would print it.
     * @param port    its port.
     * @return the real server's status, or null.
     */
    public RealServerStatus realServer(final String address, final int port)
    {
        for (final RealServerStatus rs : realServers)
        {
            if (rs.server().port() == port && rs.server().toString().startsWith(address + ":"))
            {
                return rs;
            }
        }
        return null;
    }
}
