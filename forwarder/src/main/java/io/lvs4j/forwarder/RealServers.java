package io.lvs4j.forwarder;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * Real servers as ipvsadm's {@code -a -r ADDRESS:PORT -g|-m|-i -w WEIGHT} describes them, for
 * {@link Director#addRealServer}. The id is left 0: the director assigns it.
 */
public final class RealServers
{
    private RealServers()
    {
    }

    /**
     * A real server reached by direct routing ({@code -g}, "Route").
     *
     * @param address IPv4 address.
     * @param port    port (must equal the virtual port).
     * @param weight  weight.
     * @return the real server.
     */
    public static RealServer direct(final String address, final int port, final int weight)
    {
        return of(address, port, weight, ConnectionFlags.DROUTE);
    }

    /**
     * A real server reached by NAT ({@code -m}, "Masq").
     *
     * @param address IPv4 address.
     * @param port    port the virtual port is translated to.
     * @param weight  weight.
     * @return the real server.
     */
    public static RealServer nat(final String address, final int port, final int weight)
    {
        return of(address, port, weight, ConnectionFlags.MASQ);
    }

    /**
     * A real server reached through an IP-in-IP tunnel ({@code -i}, "Tunnel").
     *
     * @param address IPv4 address.
     * @param port    port (must equal the virtual port).
     * @param weight  weight.
     * @return the real server.
     */
    public static RealServer tunnel(final String address, final int port, final int weight)
    {
        return of(address, port, weight, ConnectionFlags.TUNNEL);
    }

    /**
     * A real server with any method.
     *
     * @param address IPv4 address.
     * @param port    port.
     * @param weight  weight.
     * @param method  {@link ConnectionFlags#DROUTE}, {@link ConnectionFlags#MASQ} or {@link ConnectionFlags#TUNNEL}.
     * @return the real server.
     */
    public static RealServer of(final String address, final int port, final int weight, final int method)
    {
        return new RealServer(0, FlowKey.AF_INET, 0, Ipv4Text.parse(address) & 0xFFFF_FFFFL, port, weight, weight,
            method, 0, 0);
    }
}
