package io.lvs4j.schedulers;

/**
 * Makes schedulers of one kind. Built-in kinds are registered by {@link SchedulerRegistry}; a user adds a kind by
 * listing an implementation in {@code META-INF/services/io.lvs4j.schedulers.SchedulerFactory}.
 */
public interface SchedulerFactory
{
    /** @return the name configurations use ({@code lb_algo} in keepalived, {@code -s} in ipvsadm). */
    String name();

    /**
     * Creates a scheduler for one virtual service.
     *
     * @param options the service's scheduler flags and tunables.
     * @return a new scheduler with an empty real-server list; {@link Scheduler#update} gives it servers.
     */
    Scheduler create(SchedulerOptions options);
}
