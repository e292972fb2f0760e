package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

/**
 * Picks the real server for a new connection of one virtual service (an IPVS scheduler, {@code ip_vs_scheduler}).
 * <p>
 * Threading: {@link #update} and {@link #tick} come from the control plane, one call at a time; {@link #pick}
 * comes from any number of workers at once, also while an update runs, and never allocates, locks or blocks.
 * A pick sees either the list before an update or the one after, never a mix.
 * <p>
 * Real servers are taken in their list order (newest first) for every tie-break and table layout, a server of
 * weight 0 gets no new connection and an OVERLOADed one is skipped, as section 3.2 of the reference says (with the
 * kernel's one exception: lblc keeps sending a cached destination address to its server while that server passes
 * lblc's own overload test, whatever its OVERLOAD flag).
 */
public interface Scheduler
{
    /** @return the ipvsadm name ({@code rr}, {@code wlc}, {@code maglev}, ...). */
    String name();

    /**
     * Takes the service's real servers after any change (add, edit, delete; the kernel's {@code add_dest},
     * {@code upd_dest}, {@code del_dest}) and rebuilds what the scheduler derives from them, off the hot path.
     *
     * @param servers the new list; later picks choose among these.
     */
    void update(RealServerList servers);

    /** @return the list the scheduler picks from now. */
    RealServerList servers();

    /**
     * Chooses a real server for a new connection.
     *
     * @param flow  the packet's flow, oriented client to virtual service (source = client); for the kernel's
     *              "inverse" cases the caller passes it reversed.
     * @param nowMs the worker's clock in milliseconds (the table clock), read once per batch.
     * @return the chosen server, or null when none is available ("no destination available").
     */
    RealServer pick(FlowKey flow, long nowMs);

    /**
     * Periodic housekeeping (the lblc/lblcr table's garbage collection); the control plane calls it about once a
     * second. Does nothing for schedulers without timed state.
     *
     * @param nowMs the clock in milliseconds.
     */
    default void tick(final long nowMs)
    {
    }

    /**
     * Lets go of what the scheduler registered outside itself (the least-connection family's load listeners on the
     * destination counters). The control plane calls it when the service is deleted or changes scheduler.
     */
    default void close()
    {
    }
}
