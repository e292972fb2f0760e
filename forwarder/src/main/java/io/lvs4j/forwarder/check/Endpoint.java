package io.lvs4j.forwarder.check;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Where a network checker connects and from where: keepalived's {@code connect_ip}, {@code connect_port} and
 * {@code bindto}, each optional, defaulting to the real server's address and port.
 *
 * @param connectIp   {@code connect_ip}, or {@code null} for the real server's address.
 * @param connectPort {@code connect_port}, or 0 for the real server's port.
 * @param bindTo      {@code bindto}: the local source address, or {@code null} for the kernel's choice.
 */
public record Endpoint(InetAddress connectIp, int connectPort, InetAddress bindTo)
{
    /** Connect to the real server itself from any local address. */
    public static final Endpoint REAL_SERVER = new Endpoint(null, 0, null);

    /**
     * Validates the port.
     */
    public Endpoint
    {
        if (connectPort < 0 || connectPort > 65535)
        {
            throw new IllegalArgumentException("connect_port out of range: " + connectPort);
        }
    }

    /**
     * @param rs the real server the checker belongs to.
     * @return the address to connect to.
     */
    public InetSocketAddress target(final RealServerRef rs)
    {
        return new InetSocketAddress(
            connectIp != null ? connectIp : rs.address(), connectPort != 0 ? connectPort : rs.port());
    }
}
