package io.lvs4j.core.ipvsadm;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.VirtualService;

/**
 * Which virtual service a command names ({@code -t/-u/--sctp-service host:port} or {@code -f mark [-6]}): what
 * the kernel looks a service up by. A value of its own because commands other than {@code -A/-E} may name a
 * service that could not be built as a {@link VirtualService} on its own (port 0 without persistence).
 *
 * @param family    {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}.
 * @param protocol  {@link IpProtocol#TCP}, {@code UDP} or {@code SCTP}; {@link IpProtocol#IP} for a fwmark.
 * @param addressHi address, high 64 bits (0 for IPv4 and fwmark services).
 * @param addressLo address, low 64 bits (IPv4 in the low 32 bits).
 * @param port      the virtual port; 0 for fwmark services.
 * @param fwmark    the firewall mark, 0 unless a fwmark service.
 */
public record ServiceKey(int family, int protocol, long addressHi, long addressLo, int port, int fwmark)
{
    /**
     * The key of a service.
     *
     * @param service the service.
     * @return its key.
     */
    public static ServiceKey of(final VirtualService service)
    {
        return new ServiceKey(service.family(), service.protocol(), service.addressHi(), service.addressLo(),
            service.port(), service.fwmark());
    }

    /**
     * @param service a service.
     * @return true when this key names it (what {@code -E}, {@code -D}, {@code -a}, {@code -L -t ...} match on).
     */
    public boolean matches(final VirtualService service)
    {
        return equals(of(service));
    }

    /** @return true for a fwmark service. */
    public boolean isFwmark()
    {
        return fwmark != 0;
    }
}
