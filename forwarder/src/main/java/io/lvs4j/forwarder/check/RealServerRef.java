package io.lvs4j.forwarder.check;

import java.net.InetAddress;
import java.util.Objects;

/**
 * Names a real server of a virtual service for the health checker and its listeners: lvs4j's own small key, so the
 * checker depends on neither the configuration model nor the director.
 *
 * @param service the virtual service's name (e.g. {@code "203.0.113.10:80/TCP"} or a fwmark), as the caller keys it.
 * @param address the real server's address.
 * @param port    the real server's port (0 for port-less services).
 */
public record RealServerRef(String service, InetAddress address, int port)
{
    /**
     * Validates the components.
     */
    public RealServerRef
    {
        Objects.requireNonNull(service, "service");
        Objects.requireNonNull(address, "address");
        if (port < 0 || port > 65535)
        {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /** @return {@code [address]:port} in keepalived's log style. */
    public String toString()
    {
        return "[" + address.getHostAddress() + "]:" + port + " of " + service;
    }
}
