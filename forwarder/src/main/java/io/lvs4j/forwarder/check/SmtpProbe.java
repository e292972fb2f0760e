package io.lvs4j.forwarder.check;

import java.nio.ByteBuffer;

/**
 * SMTP_CHECK: waits for the {@code 220} banner, says {@code HELO}, expects {@code 250}, says {@code QUIT} and passes
 * once that is written. Multi-line replies ({@code 220-...}) are read to their last line.
 */
final class SmtpProbe extends StreamProbe
{
    private static final int BANNER = 0;
    private static final int HELO = 1;
    private static final int QUIT = 2;

    private final String heloName;
    private final StringBuilder line = new StringBuilder();
    private int state = BANNER;

    SmtpProbe(final HealthChecker host, final Checker checker, final SmtpCheckSpec spec, final RealServerRef rs)
    {
        super(host, checker, spec.endpoint().target(rs), spec.endpoint().bindTo(), false, null);
        this.heloName = spec.heloName();
    }

    void onConnected()
    {
        // the server speaks first
    }

    void onData(final ByteBuffer data)
    {
        while (data.hasRemaining() && !isDone() && state != QUIT)
        {
            final char c = (char)(data.get() & 0xFF);
            if (c != '\n')
            {
                if (line.length() > 1024)
                {
                    fail("SMTP reply line too long");
                    return;
                }
                line.append(c);
                continue;
            }
            final String reply = line.toString().strip();
            line.setLength(0);
            if (reply.length() >= 4 && reply.charAt(3) == '-')
            {
                continue;
            }
            onReply(reply);
        }
    }

    private void onReply(final String reply)
    {
        final String expected = state == BANNER ? "220" : "250";
        if (!reply.startsWith(expected))
        {
            fail((state == BANNER ? "banner" : "HELO reply") + " not " + expected + ": " + abbreviate(reply));
            return;
        }
        if (state == BANNER)
        {
            state = HELO;
            send("HELO " + heloName + "\r\n");
        }
        else
        {
            state = QUIT;
            send("QUIT\r\n");
        }
    }

    void onSent()
    {
        if (state == QUIT)
        {
            pass("220 banner, HELO 250");
        }
    }

    void onEof()
    {
        fail("connection closed by the server " + (state == BANNER ? "before the banner" : "after HELO"));
    }

    private static String abbreviate(final String text)
    {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
