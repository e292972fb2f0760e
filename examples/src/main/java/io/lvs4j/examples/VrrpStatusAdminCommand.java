package io.lvs4j.examples;

import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

import io.lvs4j.core.config.keepalived.VrrpInstance;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.admin.AdminCommand;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.stats.DropReason;
import io.lvs4j.forwarder.vrrp.VrrpCounters;
import io.lvs4j.forwarder.vrrp.VrrpDropReason;
import io.lvs4j.forwarder.vrrp.VrrpEngine;

/**
 * The director's admin socket: {@code --vrrp} (from {@code lvs4j ipvsadm --vrrp}) lists the VRRP engine's state
 * (each instance's state and effective priority, whether the director forwards, the adverts received and sent, the
 * drops by reason), one fact per line so that scripts and lab tests can read it; everything else goes to the wrapped
 * command.
 */
public final class VrrpStatusAdminCommand implements AdminCommand
{
    /** The argument that asks for the VRRP status. */
    public static final String VRRP = "--vrrp";

    private final AdminCommand next;
    private final Supplier<VrrpEngine> engine;
    private final Supplier<List<VrrpInstance>> instances;
    private final Director director;

    /**
     * @param next      what answers every other command.
     * @param director  the director the engine drives.
     * @param engine    the running engine, null while there is none (VRRP off).
     * @param instances the configuration's VRRP instances (their names).
     */
    public VrrpStatusAdminCommand(final AdminCommand next, final Director director,
        final Supplier<VrrpEngine> engine, final Supplier<List<VrrpInstance>> instances)
    {
        this.next = Objects.requireNonNull(next);
        this.director = Objects.requireNonNull(director);
        this.engine = Objects.requireNonNull(engine);
        this.instances = Objects.requireNonNull(instances);
    }

    @Override
    public AdminResponse execute(final List<String> argv)
    {
        if (argv.size() == 1 && VRRP.equals(argv.get(0)))
        {
            final VrrpEngine running = engine.get();
            if (running == null)
            {
                return AdminResponse.error(1, "lvs4j director: VRRP is not running (no vrrp_instance, or " +
                    "--no-vrrp)\n");
            }
            return AdminResponse.ok(status(running, director, instances.get()));
        }
        return next.execute(argv);
    }

    /**
     * Renders the status.
     *
     * @param engine    the engine.
     * @param director  the director it drives.
     * @param instances the instances to list.
     * @return lines such as {@code instance VI_1 state MASTER priority 100}, {@code director master yes},
     *         {@code adverts received 12 sent 30 refused 0 transitions 2}, {@code drop TTL 1}.
     */
    static String status(final VrrpEngine engine, final Director director, final List<VrrpInstance> instances)
    {
        final StringBuilder sb = new StringBuilder();
        for (final VrrpInstance vi : instances)
        {
            sb.append("instance ").append(vi.name()).append(" state ").append(engine.state(vi.name()))
                .append(" priority ").append(engine.priority(vi.name())).append('\n');
        }
        sb.append("director master ").append(director.isMaster() ? "yes" : "no")
            .append(" forwarded ").append(director.forwarded())
            .append(" control_queue_full ").append(director.drops(DropReason.CONTROL_QUEUE_FULL)).append('\n');
        final VrrpCounters c = engine.counters();
        sb.append("adverts received ").append(c.advertsReceived()).append(" sent ").append(c.advertsSent())
            .append(" refused ").append(c.sendsRefused()).append(" transitions ").append(c.transitions())
            .append('\n');
        for (final VrrpDropReason reason : VrrpDropReason.values())
        {
            sb.append("drop ").append(reason.name()).append(' ').append(c.drops(reason)).append('\n');
        }
        return sb.toString();
    }
}
