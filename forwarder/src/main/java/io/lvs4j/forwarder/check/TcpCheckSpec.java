package io.lvs4j.forwarder.check;

import java.util.Objects;

/**
 * {@code TCP_CHECK}: passes when a TCP connect completes within {@code connect_timeout}; the socket is then closed.
 *
 * @param options  timing and counting.
 * @param endpoint where to connect.
 */
public record TcpCheckSpec(CheckOptions options, Endpoint endpoint) implements CheckSpec
{
    /**
     * Validates the components.
     */
    public TcpCheckSpec
    {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(endpoint, "endpoint");
    }

    /**
     * @param options timing and counting.
     * @return a check of the real server's own address and port.
     */
    public static TcpCheckSpec of(final CheckOptions options)
    {
        return new TcpCheckSpec(options, Endpoint.REAL_SERVER);
    }

    /** {@inheritDoc} */
    public String type()
    {
        return "TCP_CHECK";
    }
}
