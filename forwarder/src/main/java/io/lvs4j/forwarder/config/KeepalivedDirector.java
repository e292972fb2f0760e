package io.lvs4j.forwarder.config;

import java.io.IOException;
import java.net.Inet4Address;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongUnaryOperator;
import java.util.function.Predicate;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.LvsTimeouts;
import io.lvs4j.core.config.keepalived.NotifyScript;
import io.lvs4j.core.config.keepalived.RealServerConfig;
import io.lvs4j.core.config.keepalived.ServiceModelMapping;
import io.lvs4j.core.config.keepalived.SorryServer;
import io.lvs4j.core.config.keepalived.VirtualServerConfig;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.check.CheckSpec;
import io.lvs4j.forwarder.check.CheckerStatus;
import io.lvs4j.forwarder.check.HealthChecker;
import io.lvs4j.forwarder.check.HealthDecision;
import io.lvs4j.forwarder.check.HealthListenerRouter;
import io.lvs4j.forwarder.check.RealServerRef;
import io.lvs4j.forwarder.check.ServicePolicySpec;
import io.lvs4j.forwarder.check.VirtualServiceHealthPolicy;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.sync.KeepalivedSync;
import io.lvs4j.forwarder.sync.SyncDaemon;
import io.lvs4j.forwarder.web.RealServerHealth;

/**
 * Runs the LVS part of a keepalived configuration on a running {@link Director}, as keepalived's healthchecker
 * process drives IPVS: every {@code virtual_server} becomes a service (a group one service per address), its real
 * servers are registered with one {@link HealthChecker} and a {@link VirtualServiceHealthPolicy} per virtual server
 * turns their transitions into the director's edits: ADD adds the real server with its configured weight and
 * method, REMOVE deletes it, SET_WEIGHT edits it ({@code inhibit_on_failure} gives weight 0), and a lost quorum puts
 * the {@code sorry_server} in. Real servers without checkers are added at once. {@code notify_up},
 * {@code notify_down}, {@code quorum_up} and {@code quorum_down} are started by {@link NotifyScripts}, off the check
 * thread.
 * <p>
 * All checks run on one thread of its own ({@value #THREAD_NAME}, looping {@link HealthChecker#doWork(long)}), never
 * a thread per check; that thread may live in a network namespace ({@link Context#networkNamespace(String)}), so the
 * checks leave from the director's side of the network. {@link #reload(KeepalivedConfig)} applies only the
 * difference to the director: unchanged services and real servers are left alone, so their connections live on.
 * <p>
 * {@code lvs_sync_daemon} in {@code global_defs} (or a {@code vrrp_instance}'s deprecated
 * {@code lvs_sync_daemon_interface}) starts connection sync ({@link KeepalivedSync}): following the named instance's
 * role ({@link Context#vrrpRole}), or master and backup at once without an instance; a reload that changes it
 * restarts it.
 * <p>
 * What the director cannot serve (fwmark services, IPv6, groups naming fwmarks) is refused with the
 * {@code file:line} of the {@code virtual_server} and nothing is applied.
 */
public final class KeepalivedDirector implements AutoCloseable
{
    /** The name of the check thread. */
    public static final String THREAD_NAME = "lvs4j-checks";

    private static final Logger LOG = LoggerFactory.getLogger(KeepalivedDirector.class);
    private static final long MAX_WAIT_NS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long STATUS_REFRESH_NS = TimeUnit.MILLISECONDS.toNanos(200);

    /**
     * The knobs, with defaults that work: the system clock, random warmup, no drain, a thread of its own in the
     * caller's network namespace.
     */
    public static final class Context
    {
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private LongUnaryOperator warmupRandom;
        private Duration drainTime = Duration.ZERO;
        private String networkNamespace;
        private boolean startThread = true;
        private NotifyScripts scripts;
        private Predicate<String> vrrpRole;

        /**
         * @param clock the clock checks and drains are timed on (a fake one in tests, with {@code startThread(false)}).
         * @return this.
         */
        public Context nanoClock(final NanoClock clock)
        {
            this.nanoClock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * @param random given {@code warmup} in nanoseconds, the first check's delay (default uniformly random in
         *               {@code [0, warmup]}, as keepalived).
         * @return this.
         */
        public Context warmupRandom(final LongUnaryOperator random)
        {
            this.warmupRandom = random;
            return this;
        }

        /**
         * @param time how long a real server removed by a reload keeps serving its connections with weight 0 before
         *             it is deleted; zero (default) deletes it at once, as keepalived.
         * @return this.
         */
        public Context drainTime(final Duration time)
        {
            if (time.isNegative())
            {
                throw new IllegalArgumentException("drain time must not be negative: " + time);
            }
            this.drainTime = time;
            return this;
        }

        /**
         * @param name the network namespace the check thread joins before its first check (the director's), or
         *             null for the caller's.
         * @return this.
         */
        public Context networkNamespace(final String name)
        {
            this.networkNamespace = name;
            return this;
        }

        /**
         * @param start false to run no thread: the caller drives {@link #doWork(long)} (tests on a fake clock).
         * @return this.
         */
        public Context startThread(final boolean start)
        {
            this.startThread = start;
            return this;
        }

        /**
         * @param launcher how notify and quorum scripts are started (default: a process per script, started off the
         *                 check thread).
         * @return this.
         */
        public Context scripts(final NotifyScripts launcher)
        {
            this.scripts = launcher;
            return this;
        }

        /**
         * @param instanceIsMaster whether a VRRP instance is MASTER now, by name: what {@code lvs_sync_daemon IF
         *                         INSTANCE} follows (called from the sync daemon's thread). Default: the director's
         *                         own role ({@link Director#isMaster()}, master while any instance is).
         * @return this.
         */
        public Context vrrpRole(final Predicate<String> instanceIsMaster)
        {
            this.vrrpRole = instanceIsMaster;
            return this;
        }
    }

    /**
     * What a {@link #reload} (or the start) did to the director.
     *
     * @param servicesAdded      services added.
     * @param servicesRemoved    services deleted.
     * @param servicesEdited     services edited (scheduler, persistence, flags).
     * @param realServersAdded   real servers added (to each service of a group).
     * @param realServersRemoved real servers deleted.
     * @param realServersEdited  real servers edited (weight, method, thresholds), drains included.
     * @param warnings           configuration the checks do not honour, one line each.
     */
    public record Changes(
        int servicesAdded, int servicesRemoved, int servicesEdited, int realServersAdded, int realServersRemoved,
        int realServersEdited, List<String> warnings)
    {
        /**
         * Copies the list.
         *
         * @param servicesAdded      added.
         * @param servicesRemoved    removed.
         * @param servicesEdited     edited.
         * @param realServersAdded   added.
         * @param realServersRemoved removed.
         * @param realServersEdited  edited.
         * @param warnings           warnings.
         */
        public Changes
        {
            warnings = List.copyOf(warnings);
        }

        /** @return a line for the log. */
        @Override
        public String toString()
        {
            return "services +" + servicesAdded + " -" + servicesRemoved + " ~" + servicesEdited + ", real servers +" +
                realServersAdded + " -" + realServersRemoved + " ~" + realServersEdited;
        }
    }

    /** A virtual server as planned from the configuration, checked against what the director can serve. */
    private record PlannedUnit(String name, VirtualServerConfig config, List<VirtualService> services,
        List<PlannedMember> members, ServicePolicySpec policy)
    {
    }

    /** A real server as planned, with its checkers as the engine's specs. */
    private record PlannedMember(RealServerConfig config, List<CheckSpec> specs)
    {
    }

    /** A configuration checked and mapped, ready to apply. */
    private record Plan(KeepalivedConfig config, List<PlannedUnit> units, List<String> warnings)
    {
    }

    /** A virtual server being run: its services, its real servers, its policy and what the director holds. */
    private static final class Unit
    {
        final String name;
        PlannedUnit plan;
        VirtualServiceHealthPolicy policy;
        final Map<String, Member> members = new LinkedHashMap<>();
        Map<RealServerRef, RealServer> desired = new LinkedHashMap<>();
        final Map<RealServerRef, RealServer> applied = new LinkedHashMap<>();
        boolean collecting;

        Unit(final String name)
        {
            this.name = name;
        }

        Member member(final RealServerRef ref)
        {
            final Member m = members.get(endpoint(ref.address().getHostAddress(), ref.port()));
            return m != null && m.ref.equals(ref) ? m : null;
        }
    }

    /** A real server being checked. */
    private static final class Member
    {
        final RealServerRef ref;
        PlannedMember plan;

        Member(final RealServerRef ref, final PlannedMember plan)
        {
            this.ref = ref;
            this.plan = plan;
        }
    }

    private final Director director;
    private final Context context;
    private final HealthChecker checker;
    private final HealthListenerRouter router = new HealthListenerRouter();
    private final NotifyScripts scripts;
    private final boolean ownScripts;
    private final Map<String, Unit> units = new LinkedHashMap<>();
    private final Map<RealServerRef, Long> drains = new HashMap<>();
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private volatile boolean running = true;
    private volatile Map<String, String> healthText = Map.of();
    private volatile List<CheckerStatus> statuses = List.of();
    private volatile KeepalivedConfig config;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    private long nextStatusNs;
    private int[] counts = new int[6];
    private boolean closed;
    private KeepalivedSync syncSetting;
    private SyncDaemon sync;

    private KeepalivedDirector(final Director director, final Context context)
    {
        this.director = Objects.requireNonNull(director, "director");
        this.context = context;
        this.ownScripts = context.scripts == null;
        this.scripts = ownScripts ? NotifyScripts.processes() : context.scripts;
        final HealthChecker.Context checks = new HealthChecker.Context().nanoClock(context.nanoClock).listener(router);
        if (context.warmupRandom != null)
        {
            checks.warmupRandom(context.warmupRandom);
        }
        this.checker = new HealthChecker(checks);
        this.thread = context.startThread ? new Thread(this::run, THREAD_NAME) : null;
    }

    /**
     * Checks the configuration against what the director can serve, adds its services and real servers, and starts
     * the checks.
     *
     * @param config   the configuration.
     * @param director the running director.
     * @param context  the knobs.
     * @return the running keepalived director; close it to stop the checks and remove its services.
     * @throws IllegalArgumentException naming {@code file:line} when a virtual server cannot be served; nothing is
     *                                  applied then.
     */
    public static KeepalivedDirector start(
        final KeepalivedConfig config, final Director director, final Context context)
    {
        final Plan plan = plan(config);
        final KeepalivedDirector kd = new KeepalivedDirector(director, context);
        try
        {
            if (kd.thread != null)
            {
                kd.thread.setDaemon(true);
                kd.thread.start();
                await(kd.started);
            }
            final Changes changes = kd.submit(() -> kd.apply(plan));
            LOG.info("keepalived configuration applied: {}", changes);
            kd.applyTimeouts(config);
            kd.applySync(config);
            return kd;
        }
        catch (final RuntimeException | Error ex)
        {
            kd.close();
            throw ex;
        }
    }

    /**
     * Applies a new configuration: only the difference reaches the director. Unchanged services and real servers
     * stay (their connections too); new ones are added; removed ones deleted (real servers drained first when a
     * drain time is set); changed schedulers, persistence, weights and methods are edited. Real servers whose
     * checkers did not change keep their health state (a failed one is not put back by a reload).
     *
     * @param next the new configuration.
     * @return what changed.
     * @throws IllegalArgumentException naming {@code file:line} when a virtual server cannot be served; nothing
     *                                  changes then.
     */
    public Changes reload(final KeepalivedConfig next)
    {
        final Plan plan = plan(next);
        final Changes changes = submit(() -> apply(plan));
        LOG.info("keepalived configuration reloaded: {}", changes);
        applyTimeouts(next);
        applySync(next);
        return changes;
    }

    /**
     * Sets the connection timeouts {@code global_defs { lvs_timeouts tcp T tcpfin F udp U }} gives, as keepalived
     * does with {@code ipvsadm --set} at start and on every reload: a value of 0 or left out keeps the current one,
     * and a reload without the keyword leaves the timeouts as they are.
     */
    private void applyTimeouts(final KeepalivedConfig next)
    {
        final LvsTimeouts t = next.globalDefs().lvsTimeouts();
        if (t == null || (t.tcpS() <= 0 && t.tcpFinS() <= 0 && t.udpS() <= 0))
        {
            return;
        }
        director.setTimeouts(Math.max(0, t.tcpS()), Math.max(0, t.tcpFinS()), Math.max(0, t.udpS()));
        LOG.info("lvs_timeouts: tcp {} tcpfin {} udp {}", t.tcpS(), t.tcpFinS(), t.udpS());
    }

    /**
     * Starts, restarts or stops connection sync when the configuration's {@code lvs_sync_daemon} (or a
     * {@code vrrp_instance}'s {@code lvs_sync_daemon_interface}) differs from what runs. A daemon that cannot
     * start (no such interface) is logged and left off; the next reload tries again.
     */
    private synchronized void applySync(final KeepalivedConfig next)
    {
        if (closed)
        {
            return;
        }
        final List<String> warnings = new ArrayList<>();
        final KeepalivedSync wanted = KeepalivedSync.of(next, warnings);
        warnings.forEach(LOG::warn);
        if (Objects.equals(wanted, syncSetting) && (sync != null || wanted == null))
        {
            return;
        }
        stopSync();
        if (wanted == null)
        {
            return;
        }
        final Predicate<String> role = context.vrrpRole != null ? context.vrrpRole : name -> director.isMaster();
        try
        {
            sync = wanted.start(director, context.networkNamespace, role);
            syncSetting = wanted;
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.error("lvs_sync_daemon {}: cannot start connection sync: {}", wanted.interfaceName(), ex.toString());
        }
    }

    private synchronized void stopSync()
    {
        if (sync != null)
        {
            sync.close();
            LOG.info("lvs_sync_daemon on {} stopped", syncSetting.interfaceName());
        }
        sync = null;
        syncSetting = null;
    }

    /** @return the running connection sync, or null when the configuration has none (or it could not start). */
    public synchronized SyncDaemon connectionSync()
    {
        return sync;
    }

    /** @return the sync setting that runs, or null. */
    public synchronized KeepalivedSync connectionSyncSetting()
    {
        return syncSetting;
    }

    /** @return the configuration applied last. */
    public KeepalivedConfig config()
    {
        return config;
    }

    /**
     * Runs one cycle of the check loop; only without a thread ({@link Context#startThread(boolean)} false), from
     * the caller's one thread.
     *
     * @param maxWaitNs the longest wait for sockets and timers.
     * @return work done.
     */
    public int doWork(final long maxWaitNs)
    {
        if (thread != null)
        {
            throw new IllegalStateException("the check thread runs the loop");
        }
        return cycle(maxWaitNs, true);
    }

    /**
     * @return every checker's state and last result (refreshed a few times a second), for pages and tests.
     */
    public List<CheckerStatus> checkerStatuses()
    {
        return statuses;
    }

    /**
     * @return the checks' view for the stats page's check column: check type, up/down, last result and latency.
     */
    public RealServerHealth health()
    {
        return (service, server) ->
        {
            final String text = healthText.get(key(service.toString(), addressOf(server), server.port()));
            return text != null ? text : "";
        };
    }

    /**
     * Stops the checks, runs the {@code omega} notifications and removes this configuration's services from the
     * director, as keepalived's checker does when it stops.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        // first, so that no sync message goes out about services being removed below
        stopSync();
        try
        {
            if (thread != null && thread.isAlive())
            {
                execute(this::shutdown);
                running = false;
                checker.wakeup();
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
            else
            {
                running = false;
                shutdown();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            checker.close();
            if (ownScripts)
            {
                scripts.close();
            }
        }
    }

    // ---------------------------------------------------------------- planning (caller's thread)

    private static Plan plan(final KeepalivedConfig config)
    {
        final List<String> warnings = new ArrayList<>();
        final List<PlannedUnit> units = new ArrayList<>();
        for (final VirtualServerConfig vs : config.virtualServers())
        {
            final String where = ConfigLocator.locate(config, vs);
            final String name = "virtual_server " + vs.key() + (vs.kind() == VirtualServerConfig.Kind.ADDRESS ?
                " " + protocolName(vs.protocol()) : "");
            if (vs.kind() == VirtualServerConfig.Kind.FWMARK)
            {
                throw refuse(where, name, "fwmark services are not supported by the lvs4j director (it serves IPv4 " +
                    "address:port services); write virtual_server <IP> <PORT>");
            }
            final List<VirtualService> services;
            try
            {
                services = ServiceModelMapping.virtualServices(vs, config);
            }
            catch (final IllegalArgumentException ex)
            {
                throw refuse(where, name, ex.getMessage());
            }
            for (final VirtualService s : services)
            {
                if (s.fwmark() != 0)
                {
                    throw refuse(where, name, "group " + vs.group() + " names fwmark " + s.fwmark() +
                        "; the lvs4j director serves IPv4 address:port services only");
                }
                if (s.family() != FlowKey.AF_INET)
                {
                    throw refuse(where, name, s + " is IPv6; the lvs4j director serves IPv4 services only");
                }
            }
            if (vs.sorryServer() != null && !(vs.sorryServer().address() instanceof Inet4Address))
            {
                throw refuse(where, name, "sorry_server " + vs.sorryServer().address().getHostAddress() +
                    " is IPv6; the lvs4j director reaches IPv4 real servers only");
            }
            final List<PlannedMember> members = new ArrayList<>();
            final Set<String> seen = new LinkedHashSet<>();
            for (final RealServerConfig rs : vs.realServers())
            {
                if (!(rs.address() instanceof Inet4Address))
                {
                    throw refuse(where, name, "real_server " + rs.endpoint() +
                        " is IPv6; the lvs4j director reaches IPv4 real servers only");
                }
                if (!seen.add(endpoint(rs.address().getHostAddress(), rs.port())))
                {
                    throw refuse(where, name, "real_server " + rs.endpoint() + " is listed twice");
                }
                final List<String> local = new ArrayList<>();
                final List<CheckSpec> specs;
                try
                {
                    specs = CheckSpecs.of(vs, rs.checkers(), local);
                }
                catch (final IllegalArgumentException ex)
                {
                    throw refuse(where, name, "real_server " + rs.endpoint() + ": " + ex.getMessage());
                }
                for (final String w : local)
                {
                    warnings.add(where + ": " + name + ", real_server " + rs.endpoint() + ": " + w);
                }
                members.add(new PlannedMember(rs, specs));
            }
            if (vs.haSuspend())
            {
                warnings.add(where + ": " + name + ": ha_suspend is not supported; checks always run");
            }
            units.add(new PlannedUnit(name, vs, services, members, policy(vs)));
        }
        return new Plan(config, units, warnings);
    }

    private static ServicePolicySpec policy(final VirtualServerConfig vs)
    {
        ServicePolicySpec spec = ServicePolicySpec.DEFAULTS.withQuorum(Math.max(1, vs.quorum()), vs.hysteresis())
            .withOmega(vs.omega());
        final SorryServer sorry = vs.sorryServer();
        if (sorry != null)
        {
            spec = spec.withSorryServer(sorry.address(), sorry.port() != 0 ? sorry.port() : vs.port(),
                sorry.inhibit());
        }
        // the service's value; each real server's own (inherited from the virtual server) is set at registration
        return spec.withInhibitOnFailure(vs.inhibitOnFailure());
    }

    private static IllegalArgumentException refuse(final String where, final String name, final String why)
    {
        return new IllegalArgumentException(where + ": " + name + ": " + why);
    }

    // ---------------------------------------------------------------- the check thread

    private void run()
    {
        try
        {
            if (context.networkNamespace != null)
            {
                NetworkNamespace.enterCurrentThread(context.networkNamespace);
            }
        }
        catch (final RuntimeException ex)
        {
            running = false;
            started.completeExceptionally(ex);
            failTasks(ex);
            return;
        }
        started.complete(null);
        while (running)
        {
            try
            {
                cycle(MAX_WAIT_NS, false);
            }
            catch (final RuntimeException ex)
            {
                // a check or an edit that failed must not end the checks of everything else
                LOG.warn("check loop: {}", ex.toString(), ex);
                sleepQuietly();
            }
        }
        runTasks();
    }

    private int cycle(final long maxWaitNs, final boolean manual)
    {
        int work = runTasks();
        long wait = maxWaitNs;
        final long now = context.nanoClock.nanoTime();
        for (final long deadline : drains.values())
        {
            wait = Math.min(wait, Math.max(0, deadline - now));
        }
        work += checker.doWork(tasks.isEmpty() ? wait : 0);
        work += expireDrains(context.nanoClock.nanoTime());
        final long after = context.nanoClock.nanoTime();
        if (manual || after - nextStatusNs >= 0)
        {
            nextStatusNs = after + STATUS_REFRESH_NS;
            refreshStatus();
        }
        return work;
    }

    private int runTasks()
    {
        int work = 0;
        Runnable task;
        while ((task = tasks.poll()) != null)
        {
            task.run();
            work++;
        }
        return work;
    }

    private void failTasks(final Throwable cause)
    {
        Runnable task;
        while ((task = tasks.poll()) != null)
        {
            if (task instanceof Failable f)
            {
                f.fail(cause);
            }
        }
    }

    /** A task that can be told it will never run. */
    private interface Failable extends Runnable
    {
        void fail(Throwable cause);
    }

    private <T> T submit(final java.util.function.Supplier<T> task)
    {
        if (thread == null || Thread.currentThread() == thread)
        {
            return task.get();
        }
        if (!thread.isAlive() || !running)
        {
            throw new IllegalStateException("the check thread is not running");
        }
        final CompletableFuture<T> result = new CompletableFuture<>();
        tasks.add(new Failable()
        {
            @Override
            public void run()
            {
                try
                {
                    result.complete(task.get());
                }
                catch (final Throwable ex)
                {
                    result.completeExceptionally(ex);
                }
            }

            @Override
            public void fail(final Throwable cause)
            {
                result.completeExceptionally(cause);
            }
        });
        checker.wakeup();
        return await(result);
    }

    private void execute(final Runnable task)
    {
        submit(() ->
        {
            task.run();
            return null;
        });
    }

    private static <T> T await(final CompletableFuture<T> future)
    {
        try
        {
            return future.get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the check thread", ex);
        }
        catch (final ExecutionException | CompletionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof RuntimeException r)
            {
                throw r;
            }
            if (cause instanceof Error e)
            {
                throw e;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static void sleepQuietly()
    {
        try
        {
            Thread.sleep(100);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------- applying (check thread)

    private Changes apply(final Plan plan)
    {
        counts = new int[6];
        final Map<String, PlannedUnit> wanted = new LinkedHashMap<>();
        plan.units().forEach(u -> wanted.put(u.name(), u));
        for (final Unit unit : List.copyOf(units.values()))
        {
            if (!wanted.containsKey(unit.name))
            {
                removeUnit(unit);
            }
        }
        for (final PlannedUnit planned : plan.units())
        {
            final Unit unit = units.get(planned.name());
            if (unit == null)
            {
                addUnit(planned);
            }
            else
            {
                updateUnit(unit, planned);
            }
        }
        for (final String w : plan.warnings())
        {
            LOG.warn(w);
        }
        config = plan.config();
        refreshStatus();
        return new Changes(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], plan.warnings());
    }

    private void addUnit(final PlannedUnit planned)
    {
        final Unit unit = new Unit(planned.name());
        unit.plan = planned;
        units.put(unit.name, unit);
        for (final VirtualService service : planned.services())
        {
            addService(service);
        }
        unit.policy = newPolicy(unit, planned.policy());
        router.route(unit.name, unit.policy);
        for (final PlannedMember pm : planned.members())
        {
            register(unit, pm);
        }
        unit.policy.start();
    }

    private void updateUnit(final Unit unit, final PlannedUnit planned)
    {
        final PlannedUnit old = unit.plan;
        unit.plan = planned;
        final Map<String, VirtualService> before = new LinkedHashMap<>();
        old.services().forEach(s -> before.put(s.toString(), s));
        for (final VirtualService service : planned.services())
        {
            final VirtualService previous = before.remove(service.toString());
            if (previous == null)
            {
                addService(service);
                for (final RealServer rs : unit.applied.values())
                {
                    addRealServer(service, rs);
                }
            }
            else if (!sameService(previous, service))
            {
                guard(() -> director.editService(service), "edit " + service);
                counts[2]++;
            }
        }
        for (final VirtualService gone : before.values())
        {
            deleteService(gone);
        }

        // the old policy hears nothing more; the new one is told where every real server stands now
        router.unroute(unit.name);
        final Map<String, PlannedMember> next = new LinkedHashMap<>();
        planned.members().forEach(m -> next.put(endpoint(m.config()), m));
        final List<PlannedMember> toRegister = new ArrayList<>();
        final List<Member> kept = new ArrayList<>();
        for (final Member member : List.copyOf(unit.members.values()))
        {
            final String key = endpoint(member.plan.config());
            final PlannedMember pm = next.get(key);
            if (pm == null)
            {
                checker.removeRealServer(member.ref);
                unit.members.remove(key);
            }
            else if (sameChecks(member.plan, pm, old.config(), planned.config()))
            {
                member.plan = pm;
                kept.add(member);
            }
            else
            {
                checker.removeRealServer(member.ref);
                unit.members.remove(key);
                toRegister.add(pm);
            }
        }
        for (final PlannedMember pm : planned.members())
        {
            if (!unit.members.containsKey(endpoint(pm.config())) && !toRegister.contains(pm))
            {
                toRegister.add(pm);
            }
        }
        unit.desired = new LinkedHashMap<>();
        unit.collecting = true;
        unit.policy = newPolicy(unit, planned.policy());
        router.route(unit.name, unit.policy);
        try
        {
            for (final Member member : kept)
            {
                unit.policy.inhibitOnFailure(member.ref, member.plan.config().inhibitOnFailure());
                unit.policy.onRegistered(member.ref, checker.isUp(member.ref), checker.weight(member.ref));
            }
            for (final PlannedMember pm : toRegister)
            {
                register(unit, pm);
            }
            unit.policy.start();
        }
        finally
        {
            unit.collecting = false;
        }
        final Set<RealServerRef> targets = new LinkedHashSet<>(unit.applied.keySet());
        targets.addAll(unit.desired.keySet());
        final long now = context.nanoClock.nanoTime();
        for (final RealServerRef target : targets)
        {
            if (unit.desired.containsKey(target))
            {
                drains.remove(target);
            }
            else if (unit.member(target) == null && !context.drainTime.isZero() && !isSorry(unit, target))
            {
                // a real server the new configuration removed: no new connections, the old ones finish
                final RealServer have = unit.applied.get(target);
                unit.desired.put(target, withWeight(have, 0));
                drains.putIfAbsent(target, now + context.drainTime.toNanos());
            }
            reconcile(unit, target);
        }
    }

    private void removeUnit(final Unit unit)
    {
        router.unroute(unit.name);
        for (final Member member : unit.members.values())
        {
            checker.removeRealServer(member.ref);
        }
        for (final VirtualService service : unit.plan.services())
        {
            deleteService(service);
        }
        unit.applied.keySet().forEach(drains::remove);
        units.remove(unit.name);
    }

    private void register(final Unit unit, final PlannedMember pm)
    {
        final RealServerConfig rs = pm.config();
        final RealServerRef ref = new RealServerRef(unit.name, rs.address(), rs.port());
        unit.members.put(endpoint(rs), new Member(ref, pm));
        unit.policy.inhibitOnFailure(ref, rs.inhibitOnFailure());
        checker.addRealServer(ref, rs.weight(), pm.specs());
    }

    private VirtualServiceHealthPolicy newPolicy(final Unit unit, final ServicePolicySpec spec)
    {
        return new VirtualServiceHealthPolicy(unit.name, spec, decision -> onDecision(unit, decision));
    }

    private void onDecision(final Unit unit, final HealthDecision decision)
    {
        if (units.get(unit.name) != unit)
        {
            return;
        }
        final RealServerRef target = decision.target();
        switch (decision.kind())
        {
            case ADD, SET_WEIGHT ->
            {
                final RealServer model = model(unit, target, decision.weight());
                if (model == null)
                {
                    return;
                }
                unit.desired.put(target, model);
                log(decision);
                if (!unit.collecting)
                {
                    reconcile(unit, target);
                }
            }
            case REMOVE ->
            {
                unit.desired.remove(target);
                log(decision);
                if (!unit.collecting)
                {
                    reconcile(unit, target);
                }
            }
            case NOTIFY_UP, NOTIFY_DOWN ->
            {
                final boolean up = decision.kind() == HealthDecision.Kind.NOTIFY_UP;
                LOG.info("{} {} {}: {}", unit.name, endpoint(target.address().getHostAddress(), target.port()),
                    up ? "UP" : "DOWN", decision.reason());
                final Member member = unit.member(target);
                if (member != null && !unit.collecting)
                {
                    runScript(up ? member.plan.config().notifyUp() : member.plan.config().notifyDown());
                }
            }
            case QUORUM_UP, QUORUM_DOWN ->
            {
                final boolean up = decision.kind() == HealthDecision.Kind.QUORUM_UP;
                LOG.info("{} quorum {}: {}", unit.name, up ? "UP" : "DOWN", decision.reason());
                if (!unit.collecting)
                {
                    runScript(up ? unit.plan.config().quorumUp() : unit.plan.config().quorumDown());
                }
            }
        }
    }

    private void runScript(final NotifyScript script)
    {
        if (script != null)
        {
            if (script.user() != null)
            {
                LOG.debug("script {}: user {} is not honoured; it runs as the director's user", script.command(),
                    script.user());
            }
            scripts.launch(CheckSpecs.words(script.command()));
        }
    }

    private static void log(final HealthDecision decision)
    {
        LOG.debug("{} {} weight {}: {}", decision.kind(), decision.target(), decision.weight(), decision.reason());
    }

    /** Brings the director's entry for one target in line with what the policy wants, on every service. */
    private void reconcile(final Unit unit, final RealServerRef target)
    {
        final RealServer want = unit.desired.get(target);
        final RealServer have = unit.applied.get(target);
        if (want == null)
        {
            if (have != null)
            {
                unit.applied.remove(target);
                drains.remove(target);
                for (final VirtualService service : unit.plan.services())
                {
                    guard(() -> director.deleteRealServer(service, have), "delete " + have + " from " + service);
                    counts[4]++;
                }
            }
        }
        else if (have == null)
        {
            unit.applied.put(target, want);
            for (final VirtualService service : unit.plan.services())
            {
                addRealServer(service, want);
            }
        }
        else if (!sameRealServer(have, want))
        {
            unit.applied.put(target, want);
            for (final VirtualService service : unit.plan.services())
            {
                guard(() -> director.editRealServer(service, want), "edit " + want + " of " + service);
                counts[5]++;
            }
        }
    }

    private int expireDrains(final long nowNs)
    {
        if (drains.isEmpty())
        {
            return 0;
        }
        int work = 0;
        for (final Map.Entry<RealServerRef, Long> e : List.copyOf(drains.entrySet()))
        {
            if (nowNs - e.getValue() >= 0)
            {
                drains.remove(e.getKey());
                final Unit unit = units.get(e.getKey().service());
                if (unit != null && unit.member(e.getKey()) == null)
                {
                    unit.desired.remove(e.getKey());
                    reconcile(unit, e.getKey());
                    LOG.info("{}: drained real server {} deleted", unit.name,
                        endpoint(e.getKey().address().getHostAddress(), e.getKey().port()));
                }
                work++;
            }
        }
        return work;
    }

    private void shutdown()
    {
        for (final Unit unit : List.copyOf(units.values()))
        {
            // omega: the down scripts run as if everything went down
            unit.policy.shutdown();
            removeUnit(unit);
        }
        statuses = List.of();
        healthText = Map.of();
    }

    private void addService(final VirtualService service)
    {
        try
        {
            director.addService(service);
        }
        catch (final IllegalStateException ex)
        {
            // already there (added by hand with ipvsadm, say): take it over as configured
            guard(() -> director.editService(service), "edit " + service);
        }
        counts[0]++;
    }

    private void deleteService(final VirtualService service)
    {
        guard(() -> director.deleteService(service), "delete " + service);
        counts[1]++;
    }

    private void addRealServer(final VirtualService service, final RealServer rs)
    {
        try
        {
            director.addRealServer(service, rs);
        }
        catch (final IllegalStateException ex)
        {
            guard(() -> director.editRealServer(service, rs), "edit " + rs + " of " + service);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("add {} to {}: {}", rs, service, ex.getMessage());
        }
        counts[3]++;
    }

    private static void guard(final Runnable edit, final String what)
    {
        try
        {
            edit.run();
        }
        catch (final RuntimeException ex)
        {
            // the director refused (someone edited it by hand): say so, keep checking
            LOG.warn("{}: {}", what, ex.getMessage());
        }
    }

    // ---------------------------------------------------------------- status

    private void refreshStatus()
    {
        final List<CheckerStatus> all = checker.statuses();
        final Map<RealServerRef, StringBuilder> byRef = new LinkedHashMap<>();
        for (final CheckerStatus s : all)
        {
            final StringBuilder sb = byRef.computeIfAbsent(s.rs(), r -> new StringBuilder());
            if (sb.length() > 0)
            {
                sb.append("; ");
            }
            sb.append(describe(s));
        }
        final Map<String, String> text = new HashMap<>();
        for (final Unit unit : units.values())
        {
            for (final Member member : unit.members.values())
            {
                final StringBuilder sb = byRef.get(member.ref);
                final String t = sb != null ? sb.toString() : "no checks: up";
                for (final VirtualService service : unit.plan.services())
                {
                    text.put(key(service.toString(), member.ref.address().getHostAddress(), member.ref.port()), t);
                }
            }
        }
        statuses = List.copyOf(all);
        healthText = Map.copyOf(text);
    }

    /**
     * @param s a checker's status.
     * @return {@code TCP_CHECK up, ok 0.4 ms} or {@code TCP_CHECK down, failed: connection refused (0.1 ms)}.
     */
    static String describe(final CheckerStatus s)
    {
        final StringBuilder sb = new StringBuilder(s.type()).append(s.up() ? " up" : " down");
        if (s.runs() == 0)
        {
            return sb.append(", not run yet").toString();
        }
        sb.append(s.lastOk() ? ", ok" : ", failed");
        if (!s.lastOk() && !s.lastMessage().isEmpty())
        {
            sb.append(": ").append(s.lastMessage());
        }
        return sb.append(String.format(" (%.1f ms)", s.lastLatencyNs() / 1e6)).toString();
    }

    // ---------------------------------------------------------------- models

    private RealServer model(final Unit unit, final RealServerRef target, final int weight)
    {
        final Member member = unit.member(target);
        if (member != null)
        {
            return withWeight(ServiceModelMapping.realServer(member.plan.config()), weight);
        }
        final SorryServer sorry = unit.plan.config().sorryServer();
        if (isSorry(unit, target))
        {
            final int port = sorry.port() != 0 ? sorry.port() : unit.plan.config().port();
            final RealServerConfig rs = new RealServerConfig(sorry.address(), port, Math.max(1, weight),
                sorry.method(), 0, 0, false, null, null, null, null, null, null, null, null, null, List.of());
            return withWeight(ServiceModelMapping.realServer(rs), weight);
        }
        LOG.warn("{}: decision for an unknown real server {}", unit.name, target);
        return null;
    }

    private static boolean isSorry(final Unit unit, final RealServerRef target)
    {
        final SorryServer sorry = unit.plan.config().sorryServer();
        if (sorry == null || !sorry.address().equals(target.address()))
        {
            return false;
        }
        return target.port() == (sorry.port() != 0 ? sorry.port() : unit.plan.config().port());
    }

    private static RealServer withWeight(final RealServer rs, final int weight)
    {
        return new RealServer(0, rs.family(), rs.addressHi(), rs.addressLo(), rs.port(), weight,
            weight != 0 ? weight : Math.max(rs.lastWeight(), 0), rs.method(), rs.upperThreshold(),
            rs.lowerThreshold());
    }

    private static boolean sameRealServer(final RealServer a, final RealServer b)
    {
        return a.weight() == b.weight() && a.method() == b.method() && a.upperThreshold() == b.upperThreshold() &&
            a.lowerThreshold() == b.lowerThreshold();
    }

    private static boolean sameService(final VirtualService a, final VirtualService b)
    {
        return a.scheduler().equals(b.scheduler()) && a.flags() == b.flags() &&
            a.persistenceTimeoutS() == b.persistenceTimeoutS() && a.netmask() == b.netmask();
    }

    private static boolean sameChecks(
        final PlannedMember a, final PlannedMember b, final VirtualServerConfig va, final VirtualServerConfig vb)
    {
        // the resolved checker blocks carry every inherited value; FILE_CHECK also takes the service's delay_loop
        return a.config().checkers().equals(b.config().checkers()) && a.config().weight() == b.config().weight() &&
            va.delayLoop().equals(vb.delayLoop());
    }

    private static String endpoint(final RealServerConfig rs)
    {
        return endpoint(rs.address().getHostAddress(), rs.port());
    }

    private static String endpoint(final String address, final int port)
    {
        return address + ':' + port;
    }

    private static String key(final String service, final String address, final int port)
    {
        return service + ' ' + address + ':' + port;
    }

    private static String addressOf(final RealServer server)
    {
        final String text = server.toString();
        final int colon = text.lastIndexOf(':', text.indexOf(' ') < 0 ? text.length() : text.indexOf(' '));
        return colon > 0 ? text.substring(0, colon) : text;
    }

    private static String protocolName(final int protocol)
    {
        return io.lvs4j.core.flow.IpProtocol.name(protocol);
    }
}
