package io.lvs4j.forwarder.check;

/**
 * One thing the director (or whoever runs notification scripts) should do because of a health change: the output
 * of {@link VirtualServiceHealthPolicy}, applied by the caller, so the health checker never touches the director.
 *
 * @param kind   what to do.
 * @param target the real server (or sorry server) concerned; for quorum decisions a reference naming the service
 *               with the wildcard address.
 * @param weight the weight for {@link Kind#ADD} and {@link Kind#SET_WEIGHT}, else 0.
 * @param reason why, for logs.
 */
public record HealthDecision(Kind kind, RealServerRef target, int weight, String reason)
{
    /**
     * What to do.
     */
    public enum Kind
    {
        /** Add the real server to the service with {@code weight} (ipvsadm {@code -a}). */
        ADD,
        /** Remove the real server from the service (ipvsadm {@code -d}). */
        REMOVE,
        /** Change the real server's weight (ipvsadm {@code -e}); 0 inhibits it. */
        SET_WEIGHT,
        /** The real server came up: run {@code notify_up}, write the FIFO line. No director change. */
        NOTIFY_UP,
        /** The real server went down: run {@code notify_down}, write the FIFO line. No director change. */
        NOTIFY_DOWN,
        /** The service gained quorum: run {@code quorum_up}. */
        QUORUM_UP,
        /** The service lost quorum: run {@code quorum_down}. */
        QUORUM_DOWN
    }

    /**
     * @return whether this changes the director's tables (as opposed to a notification).
     */
    public boolean changesDirector()
    {
        return kind == Kind.ADD || kind == Kind.REMOVE || kind == Kind.SET_WEIGHT;
    }
}
