package io.lvs4j.forwarder.check;

/**
 * Receives a real server's health transitions from the {@link HealthChecker}, on the checker's thread. A real server
 * is up when all its checkers are up; the first failing checker takes it down and the last recovering one brings it
 * back, as keepalived's {@code num_failed_checkers}.
 */
public interface RealServerHealthListener
{
    /**
     * A real server was registered; says where it starts (down when any checker is {@code alpha}).
     *
     * @param rs     the real server.
     * @param up     whether it starts up.
     * @param weight its effective weight.
     */
    void onRegistered(RealServerRef rs, boolean up, int weight);

    /**
     * All checkers of a real server are up again.
     *
     * @param rs     the real server.
     * @param reason the checker and result that completed the recovery.
     */
    void onUp(RealServerRef rs, String reason);

    /**
     * A checker of an up real server was declared down.
     *
     * @param rs     the real server.
     * @param reason the checker and its failure.
     */
    void onDown(RealServerRef rs, String reason);

    /**
     * The effective weight changed ({@code misc_dynamic} or a weighted {@code FILE_CHECK}), whether up or down.
     *
     * @param rs     the real server.
     * @param weight the new effective weight, clamped to {@code [0, Integer.MAX_VALUE]}.
     */
    void onWeightChanged(RealServerRef rs, int weight);

    /**
     * The real server was removed from the checker (configuration change); no more events follow for it.
     *
     * @param rs the real server.
     */
    default void onUnregistered(final RealServerRef rs)
    {
    }
}
