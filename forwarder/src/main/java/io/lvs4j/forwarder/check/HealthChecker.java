package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.function.LongUnaryOperator;

import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemNanoClock;

/**
 * The health-check engine: every checker of every real server, run on one thread (the control plane's) without
 * ever blocking it.
 * <p>
 * Network checks are non-blocking channels on one {@link Selector} (TCP connect, HTTP, SMTP, UDP, DNS; TLS through
 * an {@code SSLEngine} over the same channels), MISC_CHECK processes are polled for exit, ICMP echo uses a
 * non-blocking raw socket polled with zero timeout, and all delays live in one deadline-ordered timer queue on an
 * injectable {@link NanoClock}. {@link #doWork()} is an Agrona agent's duty cycle; {@link #doWork(long)} may wait
 * in the selector until the next deadline, for a thread of its own.
 * <p>
 * Each checker follows keepalived's state machine (see {@link Checker}); a real server is up only when all its
 * checkers are up, and its transitions and weight changes go to the {@link RealServerHealthListener}. What to do
 * with them (remove, inhibit, sorry server, quorum) is {@link VirtualServiceHealthPolicy}'s business.
 * <p>
 * Not thread-safe: every method but {@link #wakeup()} must be called on the engine's thread.
 */
public final class HealthChecker implements AutoCloseable
{
    /** While processes or pings are outstanding the selector waits at most this long, so their polls stay timely. */
    static final long POLL_INTERVAL_NS = 2_000_000L;

    /**
     * The engine's knobs, with defaults that work.
     */
    public static final class Context
    {
        private NanoClock nanoClock = SystemNanoClock.INSTANCE;
        private LongUnaryOperator warmupRandom;
        private RealServerHealthListener listener;

        /**
         * @param clock the clock all delays are measured on (a fake one in tests).
         * @return this.
         */
        public Context nanoClock(final NanoClock clock)
        {
            this.nanoClock = Objects.requireNonNull(clock);
            return this;
        }

        /**
         * @param random given {@code warmup} in nanoseconds, returns the first run's delay in {@code [0, warmup]}
         *               (default uniformly random, as keepalived).
         * @return this.
         */
        public Context warmupRandom(final LongUnaryOperator random)
        {
            this.warmupRandom = random;
            return this;
        }

        /**
         * @param listener receives real servers' transitions.
         * @return this.
         */
        public Context listener(final RealServerHealthListener listener)
        {
            this.listener = listener;
            return this;
        }
    }

    private final NanoClock clock;
    private final LongUnaryOperator warmupRandom;
    private final RealServerHealthListener listener;
    private final Selector selector;
    private final TimerQueue timers = new TimerQueue();
    private final Map<RealServerRef, RealServerState> servers = new LinkedHashMap<>();
    private final ArrayList<MiscProbe> processes = new ArrayList<>();
    private IcmpPinger pinger;
    private java.util.function.Function<Checker, Probe> probeFactory;
    private boolean closed;

    /**
     * Opens the selector.
     *
     * @param context the knobs; a listener is required.
     */
    public HealthChecker(final Context context)
    {
        this.clock = context.nanoClock;
        this.listener = Objects.requireNonNull(context.listener, "listener");
        if (context.warmupRandom != null)
        {
            this.warmupRandom = context.warmupRandom;
        }
        else
        {
            final SplittableRandom random = new SplittableRandom();
            this.warmupRandom = (max) -> max <= 0 ? 0 : random.nextLong(max + 1);
        }
        try
        {
            this.selector = Selector.open();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Registers a real server and starts its checkers: each first runs after a random part of its {@code warmup}.
     * The listener hears {@link RealServerHealthListener#onRegistered} at once: up unless a checker is alpha (or a
     * FILE_CHECK reads down).
     *
     * @param rs     the real server.
     * @param weight its configured weight.
     * @param checks its checkers; none means always up.
     */
    public void addRealServer(final RealServerRef rs, final int weight, final List<? extends CheckSpec> checks)
    {
        if (servers.containsKey(rs))
        {
            throw new IllegalArgumentException("already registered: " + rs);
        }
        if (weight < 0)
        {
            throw new IllegalArgumentException("weight must not be negative: " + weight);
        }
        final RealServerState server = new RealServerState(rs, weight);
        final long nowNs = nowNs();
        for (final CheckSpec spec : checks)
        {
            final Checker checker = new Checker(this, server, spec, server.checkers.size());
            server.checkers.add(checker);
            if (spec instanceof FileCheckSpec file)
            {
                // keepalived knows a tracked file's state at start, so neither warmup nor alpha apply
                final FileProbe.Reading reading = FileProbe.read(file);
                checker.up = reading.ok();
                checker.weightAdjust = reading.weightAdjust();
                checker.hasRun = true;
                checker.lastOk = reading.ok();
                checker.lastMessage = reading.message();
                checker.lastResultNs = nowNs;
                timers.schedule(checker.runTimer, nowNs + checker.delayLoopNs);
            }
            else
            {
                timers.schedule(checker.runTimer, nowNs + warmupRandom.applyAsLong(spec.options().warmupNs()));
            }
            if (!checker.up)
            {
                server.failedCheckers++;
            }
        }
        server.effectiveWeight = server.computeWeight();
        servers.put(rs, server);
        server.registered = true;
        listener.onRegistered(rs, server.isUp(), server.effectiveWeight);
    }

    /**
     * Stops a real server's checkers and closes their sockets and processes.
     *
     * @param rs the real server.
     * @return whether it was registered.
     */
    public boolean removeRealServer(final RealServerRef rs)
    {
        final RealServerState server = servers.remove(rs);
        if (server == null)
        {
            return false;
        }
        server.registered = false;
        for (final Checker checker : server.checkers)
        {
            timers.cancel(checker.runTimer);
            if (checker.probe != null)
            {
                final Probe probe = checker.probe;
                checker.probe = null;
                probe.abort();
            }
        }
        listener.onUnregistered(rs);
        return true;
    }

    /**
     * @param rs a real server.
     * @return whether all its checkers are up.
     * @throws IllegalArgumentException when it is not registered.
     */
    public boolean isUp(final RealServerRef rs)
    {
        return server(rs).isUp();
    }

    /**
     * @param rs a real server.
     * @return its effective weight (configured plus dynamic adjustments).
     * @throws IllegalArgumentException when it is not registered.
     */
    public int weight(final RealServerRef rs)
    {
        return server(rs).effectiveWeight;
    }

    /**
     * @return every checker's state and last result, for a stats page.
     */
    public List<CheckerStatus> statuses()
    {
        final List<CheckerStatus> statuses = new ArrayList<>();
        for (final RealServerState server : servers.values())
        {
            for (final Checker checker : server.checkers)
            {
                statuses.add(checker.status());
            }
        }
        return statuses;
    }

    /**
     * One non-blocking duty cycle: expire due timers, handle ready channels, poll processes and ICMP.
     *
     * @return work done (0 when idle).
     */
    public int doWork()
    {
        return doWork(0);
    }

    /**
     * One duty cycle that may wait in the selector up to {@code maxWaitNs}, never past the next timer deadline.
     *
     * @param maxWaitNs the longest wait; 0 does not wait.
     * @return work done.
     */
    public int doWork(final long maxWaitNs)
    {
        int work = timers.poll(nowNs());
        long waitNs = Math.min(maxWaitNs, timers.nextDeadlineNs() - nowNs());
        if (!processes.isEmpty() || (pinger != null && pinger.outstanding() > 0))
        {
            waitNs = Math.min(waitNs, POLL_INTERVAL_NS);
        }
        try
        {
            if (waitNs < 1_000_000L)
            {
                work += selector.selectNow(this::dispatch);
            }
            else
            {
                work += selector.select(this::dispatch, waitNs / 1_000_000L);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        work += pollProcesses();
        if (pinger != null)
        {
            work += pinger.poll();
        }
        work += timers.poll(nowNs());
        return work;
    }

    /**
     * @return the next timer deadline on the engine's clock, {@link Long#MAX_VALUE} when none.
     */
    public long nextDeadlineNs()
    {
        return timers.nextDeadlineNs();
    }

    /**
     * Interrupts a {@link #doWork(long)} waiting in the selector; the one method safe from any thread.
     */
    public void wakeup()
    {
        selector.wakeup();
    }

    /**
     * Stops every checker and closes the selector and the ICMP socket.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final RealServerRef rs : new ArrayList<>(servers.keySet()))
        {
            removeRealServer(rs);
        }
        if (pinger != null)
        {
            pinger.close();
        }
        try
        {
            selector.close();
        }
        catch (final IOException ignore)
        {
            // nothing left to report to
        }
    }

    long nowNs()
    {
        return clock.nanoTime();
    }

    TimerQueue timers()
    {
        return timers;
    }

    Selector selector()
    {
        return selector;
    }

    IcmpPinger pinger()
    {
        if (pinger == null)
        {
            pinger = new IcmpPinger();
        }
        return pinger;
    }

    void addProcess(final MiscProbe probe)
    {
        processes.add(probe);
    }

    void removeProcess(final MiscProbe probe)
    {
        processes.remove(probe);
    }

    /**
     * Replaces how probes are made, for state-machine tests that script results on a fake clock.
     *
     * @param factory makes the probe of one run, or returns {@code null} for the real one.
     */
    void probeFactory(final java.util.function.Function<Checker, Probe> factory)
    {
        this.probeFactory = factory;
    }

    Probe newProbe(final Checker checker)
    {
        final Probe scripted = probeFactory != null ? probeFactory.apply(checker) : null;
        if (scripted != null)
        {
            return scripted;
        }
        final CheckSpec spec = checker.spec;
        final RealServerRef rs = checker.server.rs;
        if (spec instanceof TcpCheckSpec tcp)
        {
            return new TcpProbe(this, checker, tcp.endpoint().target(rs), tcp.endpoint().bindTo());
        }
        if (spec instanceof HttpCheckSpec http)
        {
            return new HttpProbe(this, checker, http, rs);
        }
        if (spec instanceof SmtpCheckSpec smtp)
        {
            return new SmtpProbe(this, checker, smtp, rs);
        }
        if (spec instanceof UdpCheckSpec udp)
        {
            return new UdpProbe(this, checker, udp, rs);
        }
        if (spec instanceof DnsCheckSpec dns)
        {
            return new DnsProbe(this, checker, dns, rs);
        }
        if (spec instanceof MiscCheckSpec misc)
        {
            return new MiscProbe(this, checker, misc);
        }
        if (spec instanceof FileCheckSpec file)
        {
            return new FileProbe(this, checker, file);
        }
        final PingCheckSpec ping = (PingCheckSpec)spec;
        return new PingProbe(this, checker, ping.connectIp() != null ? ping.connectIp() : rs.address());
    }

    void onCheckerDown(final Checker checker, final String message)
    {
        final RealServerState server = checker.server;
        if (server.failedCheckers++ == 0 && server.registered)
        {
            listener.onDown(server.rs, checker.name() + ": " + message);
        }
    }

    void onCheckerUp(final Checker checker, final String message)
    {
        final RealServerState server = checker.server;
        if (--server.failedCheckers == 0 && server.registered)
        {
            listener.onUp(server.rs, checker.name() + ": " + message);
        }
    }

    void onWeightAdjusted(final RealServerState server)
    {
        final int weight = server.computeWeight();
        if (weight != server.effectiveWeight)
        {
            server.effectiveWeight = weight;
            if (server.registered)
            {
                listener.onWeightChanged(server.rs, weight);
            }
        }
    }

    private void dispatch(final SelectionKey key)
    {
        final Probe probe = (Probe)key.attachment();
        if (!key.isValid() || probe.isDone())
        {
            return;
        }
        try
        {
            probe.onSelected(key);
        }
        catch (final Exception ex)
        {
            probe.fail(Probe.describe(ex));
        }
    }

    private int pollProcesses()
    {
        int work = 0;
        for (int i = processes.size() - 1; i >= 0; i--)
        {
            if (i < processes.size() && processes.get(i).poll())
            {
                work++;
            }
        }
        return work;
    }

    private RealServerState server(final RealServerRef rs)
    {
        final RealServerState server = servers.get(rs);
        if (server == null)
        {
            throw new IllegalArgumentException("not registered: " + rs);
        }
        return server;
    }
}
