package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * {@code DNS_CHECK}: a UDP query; passes on a reply with the same id, QR set and RCODE 0.
 *
 * @param connection where to send (the real server's port unless {@code connect_port} is set).
 * @param timing     period and retries (retry 3, delay_before_retry = delay_loop by default).
 * @param type       {@code type}: A, NS, CNAME, SOA (default), MX, TXT or AAAA.
 * @param name       {@code name}, the root {@code .} by default.
 */
public record DnsCheck(ConnectionOptions connection, CheckerTiming timing, String type, String name)
    implements Checker
{
    /**
     * Checks the fields.
     *
     * @param connection where.
     * @param timing     timing.
     * @param type       query type.
     * @param name       query name.
     */
    public DnsCheck
    {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(name, "name");
    }

    @Override
    public String keyword()
    {
        return "DNS_CHECK";
    }
}
