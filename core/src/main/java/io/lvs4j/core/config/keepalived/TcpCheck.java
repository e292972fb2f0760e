package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * {@code TCP_CHECK}: passes when a TCP connection completes within {@code connect_timeout}.
 *
 * @param connection where to connect.
 * @param timing     period and retries (retry 1, delay_before_retry 1 s by default).
 */
public record TcpCheck(ConnectionOptions connection, CheckerTiming timing) implements Checker
{
    /**
     * Checks the fields.
     *
     * @param connection where to connect.
     * @param timing     timing.
     */
    public TcpCheck
    {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timing, "timing");
    }

    @Override
    public String keyword()
    {
        return "TCP_CHECK";
    }
}
