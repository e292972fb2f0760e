/**
 * Every IPVS scheduler, with the kernel's semantics (reference section 3), plus weighted Maglev, behind one
 * small interface, {@link io.lvs4j.schedulers.Scheduler}, and found by their ipvsadm names through
 * {@link io.lvs4j.schedulers.SchedulerRegistry}.
 * <p>
 * A scheduler receives its service's real servers as an immutable
 * {@link io.lvs4j.core.service.RealServerList} from the control plane ({@code update}), rebuilds whatever it
 * derives from them there, and publishes it in one volatile write; workers call {@code pick} concurrently, without
 * allocation or locks, reading live connection counts from the
 * {@link io.lvs4j.core.conn.DestinationCounters} the connection table maintains.
 */
package io.lvs4j.schedulers;
