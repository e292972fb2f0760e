package io.lvs4j.forwarder.check;

import java.util.Objects;

/**
 * {@code PING_CHECK}: passes when an ICMP echo reply comes back within {@code connect_timeout}. IPv4 only.
 *
 * @param options   timing and counting.
 * @param connectIp the address to ping, or {@code null} for the real server's.
 */
public record PingCheckSpec(CheckOptions options, java.net.InetAddress connectIp) implements CheckSpec
{
    /**
     * Validates the components.
     */
    public PingCheckSpec
    {
        Objects.requireNonNull(options, "options");
    }

    /** {@inheritDoc} */
    public String type()
    {
        return "PING_CHECK";
    }
}
