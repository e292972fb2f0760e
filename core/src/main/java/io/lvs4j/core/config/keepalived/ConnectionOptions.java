package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how a checker connects ({@code connect_ip}, {@code connect_port}, {@code bindto},
 * {@code bind_port}, {@code bind_if}, {@code connect_timeout}, {@code fwmark}); also an SMTP_CHECK {@code host}.
 *
 * @param connectIp      the address to check, null for the real server's.
 * @param connectPort    the port to check, 0 for the real server's.
 * @param bindTo         the source address, null for the kernel's choice.
 * @param bindPort       the source port, 0 for any.
 * @param bindInterface  the source interface (IPv6 link-local), null for none.
 * @param connectTimeout how long a connection attempt may take, 5 s by default.
 * @param fwmark         the mark put on checker packets, 0 for none.
 */
public record ConnectionOptions(
    InetAddress connectIp, int connectPort, InetAddress bindTo, int bindPort, String bindInterface,
    Duration connectTimeout, int fwmark)
{
    /** {@code connect_timeout}'s default. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Checks the fields.
     *
     * @param connectIp      address or null.
     * @param connectPort    port or 0.
     * @param bindTo         source or null.
     * @param bindPort       source port or 0.
     * @param bindInterface  interface or null.
     * @param connectTimeout timeout.
     * @param fwmark         mark or 0.
     */
    public ConnectionOptions
    {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        if (connectPort < 0 || connectPort > 0xFFFF || bindPort < 0 || bindPort > 0xFFFF)
        {
            throw new IllegalArgumentException("port out of range");
        }
    }

    /**
     * @param connectTimeout the timeout.
     * @return options that check the real server's own address and port.
     */
    public static ConnectionOptions of(final Duration connectTimeout)
    {
        return new ConnectionOptions(null, 0, null, 0, null, connectTimeout, 0);
    }
}
