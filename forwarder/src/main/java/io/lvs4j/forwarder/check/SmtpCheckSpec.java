package io.lvs4j.forwarder.check;

import java.util.Objects;

/**
 * {@code SMTP_CHECK}: passes when the server greets with a {@code 220} banner and answers {@code HELO} with
 * {@code 250}; the checker then says {@code QUIT} and closes.
 *
 * @param options  timing and counting.
 * @param endpoint where to connect.
 * @param heloName {@code helo_name} (default {@value #DEFAULT_HELO_NAME}).
 */
public record SmtpCheckSpec(CheckOptions options, Endpoint endpoint, String heloName) implements CheckSpec
{
    /** keepalived's default {@code helo_name}. */
    public static final String DEFAULT_HELO_NAME = "smtpchecker.keepalived.org";

    /**
     * Validates the components.
     */
    public SmtpCheckSpec
    {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(endpoint, "endpoint");
        if (heloName == null || heloName.isBlank() || heloName.indexOf('\r') >= 0 || heloName.indexOf('\n') >= 0)
        {
            throw new IllegalArgumentException("bad helo_name: " + heloName);
        }
    }

    /** {@inheritDoc} */
    public String type()
    {
        return "SMTP_CHECK";
    }
}
