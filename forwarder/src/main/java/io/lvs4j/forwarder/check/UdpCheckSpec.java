package io.lvs4j.forwarder.check;

import java.util.HexFormat;
import java.util.Objects;

/**
 * {@code UDP_CHECK}: sends {@code payload} to the real server.
 * <p>
 * Without {@code require_reply} the check passes unless an ICMP error (port unreachable) comes back within
 * {@code connect_timeout}: UDP has no handshake, so silence is success, as in keepalived. With it, a reply must
 * arrive in time, be {@code [minReplyLength, maxReplyLength]} bytes long and start with {@code replyPattern}, hex in
 * which an {@code X} nibble matches anything.
 *
 * @param options        timing and counting.
 * @param endpoint       where to send.
 * @param payload        {@code payload} as hex (may be empty).
 * @param requireReply   {@code require_reply}.
 * @param replyPattern   the hex pattern after {@code require_reply}, or {@code null}/empty to accept any reply.
 * @param minReplyLength {@code min_reply_length} (keepalived's default 0).
 * @param maxReplyLength {@code max_reply_length} (keepalived's default 255).
 */
public record UdpCheckSpec(
    CheckOptions options,
    Endpoint endpoint,
    String payload,
    boolean requireReply,
    String replyPattern,
    int minReplyLength,
    int maxReplyLength) implements CheckSpec
{
    /**
     * Validates the components, including that the hex parses.
     */
    public UdpCheckSpec
    {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(endpoint, "endpoint");
        payload = payload == null ? "" : payload;
        HexFormat.of().parseHex(payload);
        if (replyPattern != null && !replyPattern.isEmpty())
        {
            if ((replyPattern.length() & 1) != 0 || !replyPattern.matches("[0-9a-fA-FxX]*"))
            {
                throw new IllegalArgumentException("require_reply must be hex with X wildcards: " + replyPattern);
            }
        }
        if (minReplyLength < 0 || maxReplyLength < minReplyLength)
        {
            throw new IllegalArgumentException("bad reply lengths: " + minReplyLength + ".." + maxReplyLength);
        }
    }

    /**
     * @param options  timing and counting.
     * @param payload  hex to send.
     * @param pattern  hex the reply must start with, or {@code null} to need no reply at all.
     * @return a check of the real server's own address and port with keepalived's reply length limits.
     */
    public static UdpCheckSpec of(final CheckOptions options, final String payload, final String pattern)
    {
        return new UdpCheckSpec(options, Endpoint.REAL_SERVER, payload, pattern != null, pattern, 0, 255);
    }

    /**
     * @return the payload's bytes.
     */
    public byte[] payloadBytes()
    {
        return HexFormat.of().parseHex(payload);
    }

    /**
     * Whether a reply is acceptable.
     *
     * @param reply  the datagram.
     * @param length its length.
     * @return true when its length is within limits and it starts with the pattern.
     */
    public boolean matches(final byte[] reply, final int length)
    {
        if (length < minReplyLength || length > maxReplyLength)
        {
            return false;
        }
        if (replyPattern == null || replyPattern.isEmpty())
        {
            return true;
        }
        final int bytes = replyPattern.length() / 2;
        if (length < bytes)
        {
            return false;
        }
        for (int i = 0; i < bytes; i++)
        {
            final int b = reply[i] & 0xFF;
            if (!nibbleMatches(replyPattern.charAt(2 * i), b >>> 4) ||
                !nibbleMatches(replyPattern.charAt(2 * i + 1), b & 0xF))
            {
                return false;
            }
        }
        return true;
    }

    private static boolean nibbleMatches(final char c, final int nibble)
    {
        return c == 'x' || c == 'X' || Character.digit(c, 16) == nibble;
    }

    /** {@inheritDoc} */
    public String type()
    {
        return "UDP_CHECK";
    }
}
