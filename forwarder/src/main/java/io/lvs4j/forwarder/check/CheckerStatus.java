package io.lvs4j.forwarder.check;

/**
 * A checker's state and last result, copied out for a stats page.
 *
 * @param rs             the real server.
 * @param type           the checker's keyword, e.g. {@code HTTP_GET}.
 * @param index          the checker's position among the real server's checkers.
 * @param up             whether the checker is up.
 * @param runs           results so far.
 * @param failures       failed results so far.
 * @param lastOk         whether the last result was a pass ({@code false} before the first).
 * @param lastLatencyNs  how long the last check took.
 * @param lastMessage    what the last check found, e.g. {@code "status 503 not in 200-299"}; empty before the first.
 * @param lastResultNs   when the last result came, on the checker's nano clock (0 before the first).
 */
public record CheckerStatus(
    RealServerRef rs,
    String type,
    int index,
    boolean up,
    long runs,
    long failures,
    boolean lastOk,
    long lastLatencyNs,
    String lastMessage,
    long lastResultNs)
{
}
