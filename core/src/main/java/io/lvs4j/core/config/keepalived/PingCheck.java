package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * {@code PING_CHECK}: passes when an ICMP echo is answered.
 *
 * @param connection where to send the echo (its port is unused).
 * @param timing     period and retries.
 */
public record PingCheck(ConnectionOptions connection, CheckerTiming timing) implements Checker
{
    /**
     * Checks the fields.
     *
     * @param connection where to send.
     * @param timing     timing.
     */
    public PingCheck
    {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timing, "timing");
    }

    @Override
    public String keyword()
    {
        return "PING_CHECK";
    }
}
