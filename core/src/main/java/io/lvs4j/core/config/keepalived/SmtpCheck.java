package io.lvs4j.core.config.keepalived;

import java.util.List;
import java.util.Objects;

/**
 * {@code SMTP_CHECK}: passes on a {@code 220} banner and a {@code 250} answer to {@code HELO}.
 *
 * @param connection the default connection (the real server).
 * @param timing     period and retries.
 * @param heloName   {@code helo_name}, {@code smtpchecker.keepalived.org} by default.
 * @param hosts      {@code host { }} blocks: extra endpoints that must all pass; empty to check the default one.
 */
public record SmtpCheck(ConnectionOptions connection, CheckerTiming timing, String heloName,
    List<ConnectionOptions> hosts) implements Checker
{
    /** {@code helo_name}'s default. */
    public static final String DEFAULT_HELO_NAME = "smtpchecker.keepalived.org";

    /**
     * Checks the fields.
     *
     * @param connection default connection.
     * @param timing     timing.
     * @param heloName   HELO name.
     * @param hosts      extra hosts.
     */
    public SmtpCheck
    {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(heloName, "heloName");
        hosts = List.copyOf(hosts);
    }

    @Override
    public String keyword()
    {
        return "SMTP_CHECK";
    }
}
