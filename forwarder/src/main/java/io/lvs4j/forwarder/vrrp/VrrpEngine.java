package io.lvs4j.forwarder.vrrp;

import java.io.IOException;
import java.net.Inet4Address;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.stream.Stream;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.config.keepalived.GlobalDefs;
import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.NotifyScript;
import io.lvs4j.core.config.keepalived.TrackedInterface;
import io.lvs4j.core.config.keepalived.TrackedScript;
import io.lvs4j.core.config.keepalived.VirtualIpAddress;
import io.lvs4j.core.config.keepalived.VrrpInstance;
import io.lvs4j.core.config.keepalived.VrrpScript;
import io.lvs4j.core.config.keepalived.VrrpSyncGroup;
import io.lvs4j.core.packet.ArpBuilder;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.nativeio.NetworkInterfaceInfo;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.pipeline.DirectorInterface;

/**
 * keepalived's VRRP for a {@link Director}: the {@code vrrp_instance}, {@code vrrp_script} and
 * {@code vrrp_sync_group} blocks of a configuration run on one thread ({@code lvs4j-vrrp}) that drains the
 * director's VRRP inbox, checks adverts ({@link VrrpReceiver}), drives one {@link VrrpRouter} per instance, sends
 * adverts and gratuitous ARP through {@link Director#sendFrame}, and makes the director master or backup
 * ({@link Director#master}). The director answers ARP for its VIPs with the RFC virtual MAC
 * {@code 00:00:5e:00:01:VRID} (set here with {@link Director#virtualMac}), and adverts leave from that MAC, so a
 * takeover moves the MAC on the switch without the kernel holding the VIP.
 * <p>
 * The director has one role flag, so it is master while any instance is master: instances of one director belong
 * in one {@code vrrp_sync_group}. Only IPv4 is implemented (VRRPv2 with PASS or no auth, VRRPv3 over IPv4).
 */
public final class VrrpEngine implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(VrrpEngine.class);
    private static final long LINK_POLL_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(2);
    private static final int DRAIN_LIMIT = 256;

    /**
     * Starts processes (track and notify scripts): replaceable in tests.
     */
    @FunctionalInterface
    public interface ProcessLauncher
    {
        /**
         * Starts a command.
         *
         * @param command the command and its arguments.
         * @return the process.
         * @throws IOException when it cannot start.
         */
        Process start(List<String> command) throws IOException;
    }

    private final Director director;
    private final Context context;
    private final LongSupplier clock;
    private final VrrpCounters counters = new VrrpCounters();
    private final VrrpReceiver receiver = new VrrpReceiver(counters);
    private final List<Instance> instances = new ArrayList<>();
    /** Per interface index: the virtual MAC the director answers with there, 0 for the interface's own. */
    private final long[] interfaceMacs;
    private final Map<String, VrrpScriptTracker> scripts = new LinkedHashMap<>();
    private final Map<String, Boolean> links = new HashMap<>();
    private final UnsafeBuffer scratch = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
    private final MessageHandler onFrame = this::onFrame;
    private final Thread thread;
    private volatile boolean running = true;
    private long now;
    private long nextLinkPoll = Long.MIN_VALUE;
    private int identification;
    private boolean propagating;
    private boolean closed;

    private VrrpEngine(final Director director, final KeepalivedConfig config, final Context context)
    {
        this.director = Objects.requireNonNull(director);
        this.context = context;
        this.clock = context.clock;
        final GlobalDefs globals = config.globalDefs();
        final Map<String, Group> groups = new HashMap<>();
        for (final VrrpSyncGroup g : config.vrrpSyncGroups())
        {
            final Group group = new Group(g);
            for (final String member : g.members())
            {
                groups.put(member, group);
            }
        }
        final List<DirectorInterface> interfaces = director.interfaces();
        this.interfaceMacs = new long[interfaces.size()];
        for (final DirectorInterface iface : interfaces)
        {
            for (final DirectorInterface.Prefix p : iface.addresses())
            {
                receiver.ownAddress(iface.index(), p.address());
            }
        }
        for (final VrrpInstance vi : config.vrrpInstances())
        {
            final DirectorInterface iface = resolve(vi, interfaces);
            final int primary = iface.addresses().isEmpty() ? 0 : iface.addresses().get(0).address();
            final VrrpInstanceSpec spec = VrrpInstanceSpec.of(vi, iface.index(), primary,
                globals != null && globals.vrrpSkipCheckAdvAddr());
            if (spec.sourceAddress() == 0)
            {
                throw new IllegalArgumentException(vi.name() + ": interface " + iface.name() + " has no IPv4 address");
            }
            receiver.add(spec);
            final Instance instance = new Instance(vi, spec, iface, groups.get(vi.name()),
                addressInterfaces(vi, iface, interfaces));
            if (instance.group != null)
            {
                instance.group.members.add(instance);
            }
            for (final TrackedScript ts : vi.trackScripts())
            {
                final VrrpScript script = config.vrrpScript(ts.name()).orElseThrow(() ->
                    new IllegalArgumentException(vi.name() + ": no vrrp_script " + ts.name()));
                scripts.computeIfAbsent(script.name(), n -> new VrrpScriptTracker(script,
                    inNamespace(List.of("/bin/sh", "-c", script.script())), context.launcher));
                instance.tracked.add(new Tracked(script.name(), true,
                    ts.weight() != null ? ts.weight() : script.weight(),
                    ts.reverse() != null ? ts.reverse() : script.reverse()));
            }
            for (final TrackedInterface ti : vi.trackInterfaces())
            {
                instance.tracked.add(new Tracked(context.alias(ti.name()), false, ti.weight(), ti.reverse()));
            }
            if (!vi.dontTrackPrimary() && context.trackPrimary)
            {
                instance.tracked.add(new Tracked(iface.name(), false, 0, false));
            }
            instances.add(instance);
        }
        director.receiveVrrp();
        for (final Instance instance : instances)
        {
            final int index = instance.spec.iface();
            if (interfaceMacs[index] == 0)
            {
                interfaceMacs[index] = instance.virtualMac;
                director.virtualMac(index, instance.virtualMac);
            }
            else if (interfaceMacs[index] != instance.virtualMac)
            {
                // the director answers ARP with one MAC per interface, so every instance on it advertises and
                // announces that one: a MAC hosts learn must be one the director receives and answers with
                LOG.info("{}: shares the virtual MAC {} of the first instance on {}", instance.spec.name(),
                    MacAddresses.toString(interfaceMacs[index]), interfaces.get(index).name());
                instance.virtualMac = interfaceMacs[index];
            }
        }
        // the instances' addresses that are no service VIP (a NAT gateway) must follow the master as well
        director.announcedAddresses(instances.stream().flatMapToInt(i -> Arrays.stream(i.announced))
            .distinct().toArray());
        director.master(false);
        for (final Instance instance : instances)
        {
            // a backup sends nothing, yet on taking over its first advert should reach the peer, not broadcast
            for (final int peer : instance.spec.unicastPeers())
            {
                director.nextHopMac(peer);
            }
        }
        now = clock.getAsLong();
        updateTracking();
        for (final Instance instance : instances)
        {
            instance.router.start(now);
        }
        updateTracking();
        thread = new Thread(this::run, "lvs4j-vrrp");
        thread.setDaemon(true);
        if (context.startThread)
        {
            thread.start();
        }
        LOG.info("lvs4j VRRP started: {}", instances.stream().map(i -> i.router).toList());
    }

    /**
     * Starts the engine for a director. Launch the director with {@code Context.master(false)}: a director that
     * starts as master answers ARP for its VIPs (and announces them when services are added) before the engine has
     * heard the peer's adverts.
     *
     * @param director the director (its VRRP frames come here from now on).
     * @param config   the configuration whose VRRP blocks run.
     * @param context  options.
     * @return the running engine.
     */
    public static VrrpEngine launch(final Director director, final KeepalivedConfig config, final Context context)
    {
        return new VrrpEngine(director, config, context.conclude());
    }

    private int[] addressInterfaces(
        final VrrpInstance vi, final DirectorInterface primary, final List<DirectorInterface> interfaces)
    {
        // parallel to Instance.announced: the IPv4 virtual_ipaddress then virtual_ipaddress_excluded entries
        return announcedEntries(vi).mapToInt(a ->
        {
            if (a.device() == null)
            {
                return primary.index();
            }
            final String name = context.alias(a.device());
            for (final DirectorInterface iface : interfaces)
            {
                if (iface.name().equals(name))
                {
                    return iface.index();
                }
            }
            LOG.warn("{}: {} dev {} is not a served interface; announced on {}", vi.name(),
                a.address().getHostAddress(), a.device(), primary.name());
            return primary.index();
        }).toArray();
    }

    /**
     * The IPv4 addresses an instance owns while master: virtual_ipaddress, which its adverts list, then
     * virtual_ipaddress_excluded, which keepalived manages the same way but leaves out of the adverts.
     */
    private static Stream<VirtualIpAddress> announcedEntries(final VrrpInstance vi)
    {
        return Stream.concat(vi.virtualIpAddresses().stream(), vi.excludedIpAddresses().stream())
            .filter(a -> a.address() instanceof Inet4Address);
    }

    private DirectorInterface resolve(final VrrpInstance vi, final List<DirectorInterface> interfaces)
    {
        final String name = vi.interfaceName() == null ? null : context.alias(vi.interfaceName());
        for (final DirectorInterface iface : interfaces)
        {
            if (iface.name().equals(name))
            {
                return iface;
            }
        }
        if (name == null && interfaces.size() == 1)
        {
            return interfaces.get(0);
        }
        throw new IllegalArgumentException(vi.name() + ": interface " + vi.interfaceName() +
            " is not one of the director's " + interfaces.stream().map(DirectorInterface::name).toList());
    }

    private void run()
    {
        while (running)
        {
            final long next = doWork();
            final long wait = Math.min(MAX_PARK_NS, next - clock.getAsLong());
            if (wait > 0)
            {
                LockSupport.parkNanos(wait);
            }
        }
    }

    /**
     * One pass: received adverts, trackers, timers, gratuitous ARP bursts. The engine's thread calls it; a test
     * launching with {@link Context#startThread(boolean) startThread(false)} calls it with a fake clock.
     *
     * @return the next deadline (nanoseconds on the engine's clock).
     */
    public long doWork()
    {
        now = clock.getAsLong();
        director.drainVrrp(onFrame, DRAIN_LIMIT);
        updateTracking();
        long next = now + LINK_POLL_NS;
        for (final Instance instance : instances)
        {
            next = Math.min(next, instance.router.poll(now));
            next = Math.min(next, instance.pollGarp());
        }
        return next;
    }

    private void onFrame(final int msgTypeId, final DirectBuffer buffer, final int index, final int length)
    {
        final int iface = msgTypeId - 1;
        if (receiver.check(iface, buffer, index, length) != null)
        {
            return;
        }
        final VrrpInstanceSpec spec = receiver.instance();
        for (final Instance instance : instances)
        {
            if (instance.spec == spec)
            {
                if (!instance.router.onAdvert(now, receiver.priority(), receiver.source(), receiver.advertIntervalNs()))
                {
                    counters.drop(VrrpDropReason.NOT_RUNNING);
                }
                return;
            }
        }
    }

    private void updateTracking()
    {
        if (now >= nextLinkPoll)
        {
            nextLinkPoll = now + LINK_POLL_NS;
            links.clear();
        }
        for (final VrrpScriptTracker tracker : scripts.values())
        {
            tracker.poll(now);
        }
        for (final Instance instance : instances)
        {
            instance.computeTracking();
        }
        for (final Instance instance : instances)
        {
            boolean fault = instance.fault;
            if (instance.group != null)
            {
                // a sync group faults as one (keepalived: one member in FAULT takes the group to FAULT)
                for (final Instance member : instance.group.members)
                {
                    fault |= member.fault;
                }
            }
            if (instance.router.state() != VrrpState.INIT || fault)
            {
                instance.router.priority(instance.priority);
                instance.router.fault(now, fault);
            }
        }
    }

    private boolean linkUp(final String name)
    {
        return links.computeIfAbsent(name, context.linkState::test);
    }

    private List<String> inNamespace(final List<String> command)
    {
        if (context.networkNamespace == null)
        {
            return command;
        }
        final List<String> wrapped = new ArrayList<>(List.of("ip", "netns", "exec", context.networkNamespace));
        wrapped.addAll(command);
        return wrapped;
    }

    private void runNotify(final NotifyScript script, final String... arguments)
    {
        if (script == null)
        {
            return;
        }
        final List<String> command = new ArrayList<>(List.of("/bin/sh", "-c",
            arguments.length == 0 ? script.command() : script.command() + " \"$@\"", "sh"));
        command.addAll(List.of(arguments));
        try
        {
            // not waited for: the JDK reaps it, and a slow script never stalls the state machine
            context.launcher.start(inNamespace(command));
        }
        catch (final IOException ex)
        {
            LOG.warn("notify script {} cannot start: {}", script.command(), ex.getMessage());
        }
    }

    /** @return the counters. */
    public VrrpCounters counters()
    {
        return counters;
    }

    /**
     * @param name an instance's name.
     * @return its state, null when there is no such instance.
     */
    public VrrpState state(final String name)
    {
        final Instance instance = instance(name);
        return instance == null ? null : instance.router.state();
    }

    /**
     * @param name an instance's name.
     * @return its effective priority, -1 when there is no such instance.
     */
    public int priority(final String name)
    {
        final Instance instance = instance(name);
        return instance == null ? -1 : instance.router.priority();
    }

    /**
     * @param name an instance's name.
     * @return its state machine (for tests and diagnostics), null when there is no such instance.
     */
    public VrrpRouter router(final String name)
    {
        final Instance instance = instance(name);
        return instance == null ? null : instance.router;
    }

    private Instance instance(final String name)
    {
        for (final Instance instance : instances)
        {
            if (instance.config.name().equals(name))
            {
                return instance;
            }
        }
        return null;
    }

    /**
     * Stops gracefully: the thread ends, every master sends a priority-0 advert (its backup takes over after skew
     * time), {@code notify_stop} runs, and the director stops answering for the VIPs. Close the engine before the
     * director, so the release adverts still go out.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        running = false;
        if (thread.isAlive())
        {
            LockSupport.unpark(thread);
            try
            {
                thread.join(5000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        now = clock.getAsLong();
        final long sentBefore = counters.advertsSent();
        for (final Instance instance : instances)
        {
            instance.router.stop(now);
        }
        scripts.values().forEach(VrrpScriptTracker::close);
        if (counters.advertsSent() != sentBefore)
        {
            // the worker sends control frames on its next pass: give the release adverts time to leave before the
            // caller closes the director
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        LOG.info("lvs4j VRRP stopped");
    }

    private void sendAdvert(final Instance instance, final int priority)
    {
        final VrrpInstanceSpec spec = instance.spec;
        final int vrrpAt = EthernetView.HEADER_LENGTH + 20;
        if (!spec.unicast())
        {
            sendAdvert(instance, priority, VrrpPacket.MULTICAST_GROUP, VrrpPacket.MULTICAST_MAC, vrrpAt);
            return;
        }
        for (final int peer : spec.unicastPeers())
        {
            // the next hop's MAC, whose resolution this asks for; until the first ARP reply the advert goes to
            // broadcast (the peer accepts it: the IP destination is its own)
            final long mac = director.nextHopMac(peer);
            sendAdvert(instance, priority, peer, mac == NeighbourTable.NONE ? MacAddresses.BROADCAST : mac, vrrpAt);
        }
    }

    private void sendAdvert(
        final Instance instance, final int priority, final int destination, final long destinationMac,
        final int vrrpAt)
    {
        final VrrpInstanceSpec spec = instance.spec;
        final int length = spec.version() == 2 ?
            VrrpPacket.writeV2(scratch, vrrpAt, spec.vrid(), priority, spec.advertIntervalCs() / 100,
                spec.authType(), spec.authData(), spec.addresses()) :
            VrrpPacket.writeV3(scratch, vrrpAt, spec.vrid(), priority, spec.advertIntervalCs(), spec.addresses(),
                spec.sourceAddress(), destination);
        final int frameLength = VrrpPacket.writeFrameHeaders(scratch, 0, destinationMac, instance.virtualMac,
            spec.sourceAddress(), destination, ++identification & 0xFFFF, VrrpPacket.TTL, length);
        if (director.sendFrame(spec.iface(), scratch, 0, frameLength))
        {
            counters.sent();
        }
        else
        {
            counters.sendRefused();
        }
    }

    private void sendGarps(final Instance instance, final int repeat)
    {
        for (int r = 0; r < repeat; r++)
        {
            final int[] vips = instance.announced;
            for (int k = 0; k < vips.length; k++)
            {
                // keepalived announces an address on its own device (virtual_ipaddress ... dev IF), with the MAC
                // the director answers ARP with there
                final int index = instance.addressIfaces[k];
                final long mac = index == instance.spec.iface() ? instance.virtualMac :
                    interfaceMacs[index] != 0 ? interfaceMacs[index] : director.interfaces().get(index).mac();
                final int length = ArpBuilder.writeGratuitous(scratch, 0, EthernetView.NO_VLAN, mac, vips[k]);
                if (!director.sendFrame(index, scratch, 0, length))
                {
                    counters.sendRefused();
                }
            }
        }
    }

    private void updateDirectorRole()
    {
        boolean anyMaster = false;
        for (final Instance instance : instances)
        {
            anyMaster |= instance.router.state() == VrrpState.MASTER;
        }
        try
        {
            director.master(anyMaster);
        }
        catch (final IllegalStateException ex)
        {
            // the director closed first: nothing to own any more
            LOG.debug("director closed: {}", ex.getMessage());
        }
    }

    /**
     * An object an instance tracks, with its weight.
     *
     * @param name    the script's or interface's name.
     * @param script  true for a script, false for an interface.
     * @param weight  the weight (0: down means FAULT).
     * @param reverse keepalived's {@code reverse}.
     */
    private record Tracked(String name, boolean script, int weight, boolean reverse)
    {
    }

    /** A sync group's members. */
    private static final class Group
    {
        private final VrrpSyncGroup config;
        private final List<Instance> members = new ArrayList<>();

        private Group(final VrrpSyncGroup config)
        {
            this.config = config;
        }
    }

    /** One instance: its state machine, tracking and GARP timers. */
    private final class Instance implements VrrpRouter.Listener
    {
        private final VrrpInstance config;
        private final VrrpInstanceSpec spec;
        private final Group group;
        private final VrrpRouter router;
        private final int[] addressIfaces;
        /** The addresses gratuitous ARPs announce and the director answers for: adverts' plus excluded ones. */
        private final int[] announced;
        private long virtualMac;
        private final List<Tracked> tracked = new ArrayList<>();
        private final long garpDelayNs;
        private final long garpRefreshNs;
        private long garpSecondBurst = VrrpRouter.NEVER;
        private long garpRefresh = VrrpRouter.NEVER;
        private long lowerPrioritySecondBurst = VrrpRouter.NEVER;
        private int priority;
        private boolean fault;

        private Instance(final VrrpInstance config, final VrrpInstanceSpec spec, final DirectorInterface iface,
            final Group group, final int[] addressIfaces)
        {
            this.config = config;
            this.addressIfaces = addressIfaces;
            this.announced = announcedEntries(config).mapToInt(a -> ByteBuffer.wrap(a.address().getAddress())
                .getInt()).toArray();
            this.spec = spec;
            this.group = group;
            this.virtualMac = MacAddresses.vrrpVirtualMac(spec.vrid(), false);
            this.priority = spec.priority();
            this.garpDelayNs = config.garpMasterDelay().toNanos();
            this.garpRefreshNs = config.garpMasterRefresh().toNanos();
            this.router = new VrrpRouter(spec.name(), spec.vrid(), spec.version(), spec.priority(),
                spec.advertIntervalNs(), spec.nopreempt(), TimeUnit.MILLISECONDS.toNanos(spec.preemptDelayMs()),
                spec.sourceAddress(), this);
        }

        private void computeTracking()
        {
            boolean down = false;
            int p = spec.priority();
            for (final Tracked t : tracked)
            {
                final boolean up = t.script ? scripts.get(t.name).up() : linkUp(t.name);
                if (t.weight == 0 || (group != null && !t.script))
                {
                    // keepalived: weight 0 (and, in a sync group, any tracked interface) faults the instance;
                    // reverse faults it while the object is up
                    down |= up == t.reverse;
                }
                else if (group == null)
                {
                    // keepalived: a positive weight counts while up, a negative one while down; reverse flips sign
                    final int w = t.reverse ? -t.weight : t.weight;
                    if (up && t.weight > 0)
                    {
                        p += w;
                    }
                    else if (!up && t.weight < 0)
                    {
                        p += w;
                    }
                }
            }
            this.fault = down;
            this.priority = spec.priority() == VrrpRouter.OWNER_PRIORITY ? VrrpRouter.OWNER_PRIORITY :
                Math.max(1, Math.min(254, p));
        }

        private long pollGarp()
        {
            if (router.state() != VrrpState.MASTER)
            {
                return VrrpRouter.NEVER;
            }
            if (now >= garpSecondBurst)
            {
                garpSecondBurst = VrrpRouter.NEVER;
                sendGarps(this, config.garpMasterRepeat());
            }
            if (now >= garpRefresh)
            {
                garpRefresh = now + garpRefreshNs;
                sendGarps(this, config.garpMasterRefreshRepeat());
            }
            if (now >= lowerPrioritySecondBurst)
            {
                lowerPrioritySecondBurst = VrrpRouter.NEVER;
                sendGarps(this, config.garpLowerPrioRepeat());
            }
            return Math.min(Math.min(garpSecondBurst, garpRefresh), lowerPrioritySecondBurst);
        }

        @Override
        public void lowerPriorityAnswered(final VrrpRouter router)
        {
            // keepalived's vrrp_state_master_rx: garp_lower_prio_repeat GARPs now and again after
            // garp_lower_prio_delay
            sendGarps(this, config.garpLowerPrioRepeat());
            final long delay = config.garpLowerPrioDelay().toNanos();
            lowerPrioritySecondBurst = delay > 0 && config.garpLowerPrioRepeat() > 0 ? now + delay : VrrpRouter.NEVER;
        }

        @Override
        public void sendAdvert(final VrrpRouter router, final int priority)
        {
            VrrpEngine.this.sendAdvert(this, priority);
        }

        @Override
        public void stateChanged(final VrrpRouter router, final VrrpState from, final VrrpState to)
        {
            counters.transition();
            LOG.info("VRRP_Instance({}) {} -> {} (priority {})", spec.name(), from, to, router.priority());
            if (to == VrrpState.MASTER)
            {
                // keepalived: a burst of garp_master_repeat GARPs now, another after garp_master_delay
                sendGarps(this, config.garpMasterRepeat());
                lowerPrioritySecondBurst = VrrpRouter.NEVER;
                garpSecondBurst = garpDelayNs > 0 ? now + garpDelayNs : VrrpRouter.NEVER;
                garpRefresh = garpRefreshNs > 0 ? now + garpRefreshNs : VrrpRouter.NEVER;
            }
            updateDirectorRole();
            final String state = to == VrrpState.INIT ? "STOP" : to.name();
            runNotify(to == VrrpState.MASTER ? config.notifyMaster() : to == VrrpState.BACKUP ? config.notifyBackup() :
                to == VrrpState.FAULT ? config.notifyFault() : config.notifyStop());
            runNotify(config.notifyGeneric(), "INSTANCE", spec.name(), state, Integer.toString(router.priority()));
            if (group != null && !propagating)
            {
                propagating = true;
                try
                {
                    for (final Instance member : group.members)
                    {
                        if (member != this)
                        {
                            if (to == VrrpState.MASTER)
                            {
                                member.router.forceMaster(now);
                            }
                            else if (to == VrrpState.BACKUP)
                            {
                                member.router.forceBackup(now);
                            }
                        }
                    }
                    final VrrpSyncGroup g = group.config;
                    runNotify(to == VrrpState.MASTER ? g.notifyMaster() : to == VrrpState.BACKUP ? g.notifyBackup() :
                        to == VrrpState.FAULT ? g.notifyFault() : g.notifyStop());
                    // keepalived's send_group_notifies passes priority 0 for a group
                    runNotify(g.notifyGeneric(), "GROUP", g.name(), state, "0");
                }
                finally
                {
                    propagating = false;
                }
            }
        }
    }

    /**
     * The engine's options (Aeron style: every knob in one place, defaults that work).
     */
    public static final class Context
    {
        private LongSupplier clock = System::nanoTime;
        private final Map<String, String> aliases = new HashMap<>();
        private String networkNamespace;
        private ProcessLauncher launcher = command -> new ProcessBuilder(command)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        private Predicate<String> linkState;
        private boolean startThread = true;
        private boolean trackPrimary = true;

        /**
         * The clock timers run on (nanoseconds, monotonic); a fake one in tests.
         *
         * @param nanos the clock.
         * @return this.
         */
        public Context clock(final LongSupplier nanos)
        {
            this.clock = Objects.requireNonNull(nanos);
            return this;
        }

        /**
         * Runs an instance configured on interface {@code configured} on the director's interface {@code actual}
         * (the seed configurations name {@code eno16777736}; a lab's director has other names), so the
         * {@code vrrp_instance} blocks run unchanged.
         *
         * @param configured the name in the configuration.
         * @param actual     the director's interface name.
         * @return this.
         */
        public Context interfaceAlias(final String configured, final String actual)
        {
            aliases.put(configured, actual);
            return this;
        }

        private String alias(final String name)
        {
            return aliases.getOrDefault(name, name);
        }

        /**
         * The director's network namespace: scripts run there ({@code ip netns exec}) and link states are read
         * there.
         *
         * @param name the namespace, null for the JVM's.
         * @return this.
         */
        public Context networkNamespace(final String name)
        {
            this.networkNamespace = name;
            return this;
        }

        /**
         * How processes start (track and notify scripts).
         *
         * @param launcher the launcher.
         * @return this.
         */
        public Context launcher(final ProcessLauncher launcher)
        {
            this.launcher = Objects.requireNonNull(launcher);
            return this;
        }

        /**
         * How an interface's link state is read; by default the interface's flags in the director's namespace
         * ({@code IFF_UP} and {@code IFF_RUNNING}: operstate {@code up} or {@code unknown} count as up).
         *
         * @param up answers whether an interface is up.
         * @return this.
         */
        public Context linkState(final Predicate<String> up)
        {
            this.linkState = up;
            return this;
        }

        /**
         * Whether the engine runs its own thread (false: the caller calls {@link #doWork()}).
         *
         * @param start whether to start it.
         * @return this.
         */
        public Context startThread(final boolean start)
        {
            this.startThread = start;
            return this;
        }

        /**
         * Whether an instance faults when its own interface's link is down (keepalived's default, unless
         * {@code dont_track_primary}).
         *
         * @param track whether to.
         * @return this.
         */
        public Context trackPrimary(final boolean track)
        {
            this.trackPrimary = track;
            return this;
        }

        private Context conclude()
        {
            if (linkState == null)
            {
                final String ns = networkNamespace;
                linkState = name -> operstateUp(ns, name);
            }
            return this;
        }

        private static boolean operstateUp(final String ns, final String name)
        {
            // an ioctl from inside the namespace: /sys/class/net shows the namespace sysfs was mounted in (the
            // host's), so a thread that joined the director's namespace read the host's interface of that name
            try
            {
                return ns == null ? NetworkInterfaceInfo.isRunning(name) :
                    NetworkNamespace.call(ns, () -> NetworkInterfaceInfo.isRunning(name));
            }
            catch (final Exception ex)
            {
                return false;
            }
        }
    }
}
