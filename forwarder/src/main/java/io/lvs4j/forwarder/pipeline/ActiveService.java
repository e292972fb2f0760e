package io.lvs4j.forwarder.pipeline;

import io.lvs4j.core.service.VirtualService;
import io.lvs4j.schedulers.Scheduler;

/**
 * A virtual service as the workers see it: its configuration, its live scheduler (which holds the current real
 * server list) and its counter id. Immutable apart from the scheduler's own state; a configuration change makes
 * a new one inside a new {@link ForwardingSnapshot}.
 *
 * @param id        the service's counter id.
 * @param config    the service's definition.
 * @param scheduler its scheduler, shared by the snapshots until the scheduler changes.
 */
public record ActiveService(int id, VirtualService config, Scheduler scheduler)
{
    /**
     * The key the service table files a service under.
     *
     * @param protocol the IP protocol.
     * @param address  the IPv4 virtual address.
     * @param port     the virtual port (0 for catch-all).
     * @return the key.
     */
    public static long key(final int protocol, final int address, final int port)
    {
        return ((long)protocol << 48) | ((long)port << 32) | (address & 0xFFFF_FFFFL);
    }
}
