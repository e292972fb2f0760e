package io.lvs4j.forwarder.web;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;

/**
 * What the health checks say about a real server, for the stats page: whatever runs the checks answers it.
 */
@FunctionalInterface
public interface RealServerHealth
{
    /** No checks: nothing to say. */
    RealServerHealth NONE = (service, server) -> "";

    /**
     * A short text for the check column ({@code "TCP_CHECK ok 1.2 ms"}, {@code "HTTP_GET: status 503"}).
     *
     * @param service the service.
     * @param server  the real server.
     * @return the text, empty when unknown.
     */
    String describe(VirtualService service, RealServer server);
}
