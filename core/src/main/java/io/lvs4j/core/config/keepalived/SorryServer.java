package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.util.Objects;

/**
 * {@code sorry_server <IP> [<PORT>]} with {@code sorry_server_inhibit} and {@code sorry_server_lvs_method}: the
 * server that takes the traffic while a virtual server has lost its quorum.
 *
 * @param address the address.
 * @param port    the port, 0 when not written.
 * @param method  the forwarding method, the virtual server's by default.
 * @param inhibit set its weight to 0 instead of removing it when quorum returns.
 */
public record SorryServer(InetAddress address, int port, LvsMethod method, boolean inhibit)
{
    /**
     * Checks the fields.
     *
     * @param address address.
     * @param port    port.
     * @param method  method.
     * @param inhibit inhibit.
     */
    public SorryServer
    {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(method, "method");
    }
}
