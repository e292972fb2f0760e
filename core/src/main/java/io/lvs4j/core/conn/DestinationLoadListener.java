package io.lvs4j.core.conn;

/**
 * Told that a destination's load may have changed: a connection was bound, unbound or changed between active and
 * inactive, or its OVERLOAD/AVAILABLE flags or thresholds changed. Schedulers that keep an index over the loads
 * (the least-connection family's tournament tree) register one per destination so they can keep the exact choice
 * without scanning every server on each pick.
 * <p>
 * Called on the thread that changed the counts, right after the change, often a worker on the hot path: it must
 * not allocate, lock or block, and should do little more than note which destination changed.
 */
@FunctionalInterface
public interface DestinationLoadListener
{
    /**
     * @param dest the destination id whose counts or flags changed.
     */
    void onLoadChanged(int dest);
}
