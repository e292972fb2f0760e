package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * {@code UDP_CHECK}: sends a datagram and fails on an ICMP unreachable, or, with {@code require_reply}, unless a
 * reply (matching a pattern if given) comes back.
 *
 * @param connection     where to send.
 * @param timing         period and retries.
 * @param payload        {@code payload} as lowercase hex, null for an empty datagram.
 * @param requireReply   whether a reply is needed.
 * @param replyPattern   the {@code require_reply} pattern, lowercase hex with {@code x} wildcards, null for any.
 * @param minReplyLength {@code min_reply_length}, 0 by default.
 * @param maxReplyLength {@code max_reply_length}, 255 by default.
 */
public record UdpCheck(
    ConnectionOptions connection, CheckerTiming timing, String payload, boolean requireReply, String replyPattern,
    int minReplyLength, int maxReplyLength) implements Checker
{
    /** {@code max_reply_length}'s default. */
    public static final int DEFAULT_MAX_REPLY_LENGTH = 255;

    /**
     * Checks the fields.
     *
     * @param connection     where to send.
     * @param timing         timing.
     * @param payload        payload hex or null.
     * @param requireReply   reply needed.
     * @param replyPattern   pattern or null.
     * @param minReplyLength minimum reply.
     * @param maxReplyLength maximum reply.
     */
    public UdpCheck
    {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timing, "timing");
    }

    @Override
    public String keyword()
    {
        return "UDP_CHECK";
    }
}
