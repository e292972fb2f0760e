package io.lvs4j.forwarder;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.BiFunction;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.ConnectionTimeouts;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.ipvsadm.ConnectionEntry;
import io.lvs4j.core.ipvsadm.DestinationEntry;
import io.lvs4j.core.ipvsadm.Endpoint;
import io.lvs4j.core.ipvsadm.IpvsSnapshot;
import io.lvs4j.core.ipvsadm.ServiceEntry;
import io.lvs4j.core.conn.OffHeapConnectionTable;
import io.lvs4j.core.conn.chronicle.ChronicleConnectionTable;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.packet.ArpBuilder;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.Malformation;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.core.stats.IpvsStats;
import io.lvs4j.core.stats.RateEstimator;
import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.TrafficFilter;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.neighbour.RouteTable;
import io.lvs4j.forwarder.pipeline.ActiveService;
import io.lvs4j.forwarder.pipeline.ControlFrames;
import io.lvs4j.forwarder.pipeline.ControlInbox;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.ForwardingOptions;
import io.lvs4j.forwarder.pipeline.ForwardingSnapshot;
import io.lvs4j.forwarder.pipeline.FrameProcessor;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.Worker;
import io.lvs4j.forwarder.stats.CountersFile;
import io.lvs4j.forwarder.stats.DropReason;
import io.lvs4j.forwarder.stats.ForwarderStats;
import io.lvs4j.forwarder.stats.StatsPublisher;
import io.lvs4j.schedulers.Scheduler;
import io.lvs4j.schedulers.SchedulerOptions;
import io.lvs4j.schedulers.SchedulerRegistry;

/**
 * The embeddable director: workers forwarding frames between the director's interfaces, a control thread for
 * timers (connection expiry, neighbour refresh, scheduler ticks), and the runtime admin surface of ipvsadm
 * ({@code -A -E -D -a -e -d -C}) as methods.
 * <p>
 * Launched from a {@link Context} (Aeron style: every knob in one place, defaults that work). Each admin
 * operation validates, builds a new {@link ForwardingSnapshot} and publishes it with one volatile write; the
 * workers pick it up at their next batch and never wait for the control plane. Existing connections keep their
 * real server across edits; a weight of 0 drains a real server (no new connections); requests of a deleted real
 * server's connections are dropped, as IPVS drops packets of connections whose destination is gone (NAT replies
 * still pass, as in {@code ip_vs_out}), and re-adding the same address and port to the same service revives
 * them, as IPVS takes the destination back from its trash.
 * <pre>{@code
 * try (Director director = Director.launch(new Director.Context().interfaces("eth0")))
 * {
 *     VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
 *     director.addService(web);
 *     director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
 *     director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
 *     ...
 * }
 * }</pre>
 */
public final class Director implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(Director.class);
    /** Where VRRP adverts go: 224.0.0.18 and ff02::12 at the Ethernet layer. */
    private static final long[] VRRP_GROUP_MACS = {0x0100_5E00_0012L, 0x3333_0000_0012L};

    private final Context context;
    private final List<DirectorInterface> interfaces;
    private final DestinationCounters counters;
    private final ConnectionTable table;
    private final NeighbourTable neighbours;
    private final ForwarderStats stats;
    private final ControlFrames controlFrames;
    private final Worker[] workers;
    private final Thread[] threads;
    private final Thread controlThread;
    private final CountersFile countersFile;
    private final StatsPublisher publisher;
    private final List<FrameChannel> channels = new ArrayList<>();
    private final ConnectionTimeoutProfiles timeouts;
    /** When {@link #nextHopMac} last asked for each next hop. */
    private final Map<Integer, Long> nextHopAsked = new HashMap<>();
    private final RateEstimator[] serviceRates;
    private final RateEstimator[] destinationRates;
    private final long[][] serviceZero;
    private final long[][] destinationZero;
    private long nextRateTick;
    private final StatsPublisher.Source statsSource = new StatsPublisher.Source()
    {
        @Override
        public IpvsStats service(final int serviceId)
        {
            return ipvsStats(serviceTotals(serviceId), serviceRates[serviceId]);
        }

        @Override
        public IpvsStats destination(final int destinationId)
        {
            return ipvsStats(destinationTotals(destinationId), destinationRates[destinationId]);
        }

        @Override
        public int weight(final int destinationId)
        {
            return weights[destinationId];
        }
    };
    private final int[] weights;
    private final ControlInbox controlInbox = new ControlInbox(256 * 1024);
    private final long[] virtualMacs;
    /** Addresses answered in ARP besides the VIPs (VRRP virtual_ipaddress entries such as a NAT gateway). */
    private int[] announcedAddresses = new int[0];
    private final List<FrameProcessor> processors = new ArrayList<>();
    private final DestinationIdFile idFile;
    private TrafficFilter appliedFilter;
    private final SchedulerRegistry registry;
    private final LongSupplier clock;
    private final Map<String, ServiceState> services = new LinkedHashMap<>();
    private final ArrayDeque<Integer> freeServiceIds = new ArrayDeque<>();
    private final ArrayDeque<long[]> quarantinedDestinations = new ArrayDeque<>();
    private final UnsafeBuffer controlScratch = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
    private final long[] lastArpRequest;
    private volatile ForwardingSnapshot snapshot;
    private volatile boolean running = true;
    private RouteTable routes;
    private boolean master;
    private int nextServiceId;
    private int nextDestinationId;
    private long version;
    private boolean closed;

    private static Path stateFile(final Path directory, final String name)
    {
        try
        {
            Files.createDirectories(directory);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot create " + directory + ": " + ex.getMessage(), ex);
        }
        return directory.resolve(name);
    }

    /** The persisted table of a hot-restartable director: its connections as they were, bound to the counters. */
    private static ConnectionTable recoverTable(
        final Context context, final DestinationCounters counters, final ConnectionTimeoutProfiles timeouts)
    {
        final Path file = stateFile(context.stateDirectory, "connections");
        try
        {
            final ConnectionTable table = ChronicleConnectionTable.createOrRecover(
                file, Files.exists(file) ? 0 : context.connectionCapacity, counters, timeouts);
            LOG.info("connection table {}: {} entries recovered", file, table.size());
            return table;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot open the connection table " + file + ": " + ex.getMessage(), ex);
        }
    }

    private Director(final Context context)
    {
        this.context = context;
        this.clock = context.clock;
        this.registry = context.schedulerRegistry != null ? context.schedulerRegistry : SchedulerRegistry.load();
        this.interfaces = context.resolveInterfaces();
        this.routes = context.routes != null ? context.routes : connectedRoutes(interfaces);
        this.master = context.master;
        this.counters = new DestinationCounters(context.maxRealServers);
        this.timeouts = new ConnectionTimeoutProfiles();
        this.idFile = context.stateDirectory == null ? null :
            DestinationIdFile.load(stateFile(context.stateDirectory, "real-servers"));
        if (idFile != null)
        {
            // fresh ids start above every recorded one: a recorded id may still name connections in the table
            nextDestinationId = idFile.nextFreeId();
        }
        this.table = context.connectionTable != null ? context.connectionTable.apply(counters, timeouts) :
            context.stateDirectory != null ? recoverTable(context, counters, timeouts) :
            new OffHeapConnectionTable(context.connectionCapacity, counters, timeouts);
        this.serviceRates = new RateEstimator[context.maxServices];
        this.destinationRates = new RateEstimator[context.maxRealServers];
        this.serviceZero = new long[context.maxServices][];
        this.weights = new int[context.maxRealServers];
        this.virtualMacs = new long[interfaces.size()];
        this.destinationZero = new long[context.maxRealServers][];
        this.neighbours = new NeighbourTable(context.neighbourCapacity);
        this.stats = new ForwarderStats(context.workers, context.maxServices, context.maxRealServers);
        this.controlFrames = new ControlFrames(64 * 1024);
        if (context.countersFile != null)
        {
            final int needed = DropReason.values().length + Malformation.values().length + context.maxServices * 5 +
                context.maxRealServers * 8;
            this.countersFile = CountersFile.create(context.countersFile, needed, clock.getAsLong());
            this.publisher = new StatsPublisher(countersFile, stats, counters);
        }
        else
        {
            this.countersFile = null;
            this.publisher = null;
        }
        this.lastArpRequest = new long[context.maxRealServers];

        final int n = context.workers;
        this.workers = new Worker[n];
        this.threads = new Thread[n];
        final List<FrameChannel> opened = new ArrayList<>();
        this.controlThread = new Thread(this::controlLoop, "lvs4j-control");
        controlThread.setDaemon(true);
        try
        {
            for (int w = 0; w < n; w++)
            {
                final FrameChannel[] channels = new FrameChannel[interfaces.size()];
                for (int i = 0; i < channels.length; i++)
                {
                    channels[i] = context.channelFactory.open(interfaces.get(i), w, n);
                    opened.add(channels[i]);
                }
                final FrameProcessor processor = new FrameProcessor(w, channels, table, counters, neighbours,
                    stats.worker(w), context.forwardingOptions);
                processors.add(processor);
                workers[w] = new Worker(w, channels, processor, () -> snapshot, w == 0 ? controlFrames : null, clock,
                    context.batchSize, context.pollTimeoutMs);
            }
            channels.addAll(opened);
            final long now = clock.getAsLong();
            for (final Map.Entry<Integer, Long> e : context.staticNeighbours.entrySet())
            {
                neighbours.learn(e.getKey(), e.getValue(), now, true);
            }
            publish();
            if (context.onStart != null)
            {
                context.onStart.accept(this);
            }
        }
        catch (final RuntimeException ex)
        {
            // nothing runs yet: a failed start leaves no socket behind (a leaked one would stay in the fanout
            // group and take a share of the flows)
            closed = true;
            opened.forEach(FrameChannel::close);
            for (final ServiceState s : services.values())
            {
                s.scheduler.close();
            }
            table.close();
            if (countersFile != null)
            {
                countersFile.close();
            }
            throw ex;
        }
        if (context.startThreads)
        {
            for (int w = 0; w < n; w++)
            {
                threads[w] = new Thread(workers[w], "lvs4j-worker-" + w);
                threads[w].setDaemon(true);
                threads[w].start();
            }
            controlThread.start();
        }
        LOG.info("lvs4j director started: {} worker(s) on {}", n, interfaces);
    }

    /**
     * Runs one pass of a worker on the calling thread: for a director launched with
     * {@link Context#startThreads(boolean) startThreads(false)}, where the caller drives the pipeline (replaying a
     * capture deterministically, tests).
     *
     * @param worker the worker index.
     * @return frames received plus control frames sent in the pass.
     */
    public int doWork(final int worker)
    {
        if (context.startThreads)
        {
            throw new IllegalStateException("the director's own threads drive its workers");
        }
        return workers[worker].doWork();
    }

    /**
     * Runs the control plane's periodic work once on the calling thread (expiry sweep, scheduler ticks,
     * neighbour refresh), for a director launched with {@link Context#startThreads(boolean) startThreads(false)}.
     */
    public void doControlWork()
    {
        if (context.startThreads)
        {
            throw new IllegalStateException("the director's own control thread runs this");
        }
        controlPass(clock.getAsLong(), true);
    }

    /**
     * Starts a director: opens the channels, starts the workers and the control thread.
     *
     * @param context the configuration.
     * @return the running director.
     */
    public static Director launch(final Context context)
    {
        return new Director(context.conclude());
    }

    // ---------------------------------------------------------------- admin: services

    /**
     * Adds a virtual service ({@code ipvsadm -A}).
     *
     * @param service the service.
     * @throws IllegalStateException    when it exists already or the service table is full.
     * @throws IllegalArgumentException when its scheduler is unknown or it is not IPv4.
     */
    public synchronized void addService(final VirtualService service)
    {
        checkOpen();
        if (service.family() != FlowKey.AF_INET || service.fwmark() != 0)
        {
            throw new IllegalArgumentException(service + ": the forwarder serves IPv4 address:port services");
        }
        final String key = key(service);
        if (services.containsKey(key))
        {
            throw new IllegalStateException("Service already exists: " + service);
        }
        final int id = allocateServiceId(service);
        final Scheduler scheduler = newScheduler(service);
        stats.resetService(id);
        serviceRates[id] = new RateEstimator();
        serviceZero[id] = null;
        final ServiceState state = new ServiceState(id, service, scheduler, RealServerList.empty(counters));
        scheduler.update(state.servers);
        services.put(key, state);
        if (publisher != null)
        {
            publisher.serviceAdded(id, service);
        }
        publish();
        if (master)
        {
            // announce the VIP at once: clients may still hold the MAC of whoever served it before
            gratuitousArp(service.addressV4());
        }
    }

    /**
     * Edits a virtual service ({@code ipvsadm -E}): scheduler, persistence, flags. Its real servers and
     * connections stay.
     *
     * @param service the new definition, with the key of an existing service.
     */
    public synchronized void editService(final VirtualService service)
    {
        checkOpen();
        final ServiceState state = existing(service);
        final VirtualService old = state.config;
        state.config = service;
        if (!old.scheduler().equals(service.scheduler()) || old.flags() != service.flags())
        {
            final Scheduler previous = state.scheduler;
            state.scheduler = newScheduler(service);
            state.scheduler.update(state.servers);
            publish();
            previous.close();
        }
        else
        {
            publish();
        }
    }

    /**
     * Deletes a virtual service and its real servers ({@code ipvsadm -D}); their connections are dropped.
     *
     * @param service the service (its key).
     */
    public synchronized void deleteService(final VirtualService service)
    {
        checkOpen();
        final ServiceState state = existing(service);
        services.remove(key(service));
        for (int i = 0; i < state.servers.size(); i++)
        {
            // a deleted service's ids never come back to a new service of the same key: its connections died
            retireDestination(-1, state.servers.get(i));
        }
        publish();
        state.scheduler.close();
        if (publisher != null)
        {
            for (int i = 0; i < state.servers.size(); i++)
            {
                publisher.destinationRemoved(state.servers.id(i));
            }
            publisher.serviceRemoved(state.id);
        }
        freeServiceIds.add(state.id);
    }

    /** Deletes every service ({@code ipvsadm -C}). */
    public synchronized void clear()
    {
        checkOpen();
        for (final ServiceState state : List.copyOf(services.values()))
        {
            deleteService(state.config);
        }
    }

    // ---------------------------------------------------------------- admin: real servers

    /**
     * Adds a real server to a service ({@code ipvsadm -a}). The id in {@code server} is ignored: the director
     * assigns ids, and never reuses one while connections, templates or locality tables may still name it.
     *
     * @param service the service's key.
     * @param server  address, port, weight, method and thresholds.
     * @return the real server as added, with its id.
     */
    public synchronized RealServer addRealServer(final VirtualService service, final RealServer server)
    {
        checkOpen();
        final ServiceState state = existing(service);
        if (server.family() != FlowKey.AF_INET)
        {
            throw new IllegalArgumentException(server + ": the forwarder reaches IPv4 real servers");
        }
        if (find(state, server) >= 0)
        {
            throw new IllegalStateException("Destination already exists: " + server);
        }
        int revived = reviveDestination(state.id, server);
        final String persistedKey = DestinationIdFile.key(key(state.config), server.addressV4(), server.port());
        if (revived < 0 && idFile != null)
        {
            // after a restart: the id this real server had, which the recovered connections still name
            final int known = idFile.idOf(persistedKey);
            if (known >= 0 && known < context.maxRealServers && !inUse(known))
            {
                revived = known;
                destinationRates[known] = new RateEstimator();
                stats.resetDestination(known);
            }
        }
        final int id = revived >= 0 ? revived : allocateDestinationId();
        if (idFile != null)
        {
            idFile.record(persistedKey, id);
        }
        final RealServer added = new RealServer(id, server.family(), server.addressHi(), server.addressLo(),
            server.port(), server.weight(), server.lastWeight(), server.method(), server.upperThreshold(),
            server.lowerThreshold());
        if (revived >= 0)
        {
            // as IPVS takes a deleted dest back from its trash: its connections and counters resume
            counters.setThresholds(id, added.upperThreshold(), added.lowerThreshold());
            counters.setAvailable(id, true);
        }
        else
        {
            counters.reset(id, added.upperThreshold(), added.lowerThreshold());
            stats.resetDestination(id);
            destinationRates[id] = new RateEstimator();
            destinationZero[id] = null;
        }
        state.servers = state.servers.withAdded(added);
        state.scheduler.update(state.servers);
        if (publisher != null)
        {
            publisher.destinationAdded(id, state.id, state.config, added);
        }
        neighbours.want(nextHopOf(added.addressV4()), clock.getAsLong());
        publish();
        requestArp(added.addressV4(), id, true);
        return added;
    }

    /**
     * Edits a real server ({@code ipvsadm -e}): weight (0 drains it), method, thresholds. Its connections stay.
     *
     * @param service the service's key.
     * @param server  the new definition, matched by address and port.
     * @return the real server as it now is.
     */
    public synchronized RealServer editRealServer(final VirtualService service, final RealServer server)
    {
        checkOpen();
        final ServiceState state = existing(service);
        final int index = find(state, server);
        if (index < 0)
        {
            throw new IllegalStateException("No such destination: " + server);
        }
        final RealServer old = state.servers.get(index);
        final RealServer edited = new RealServer(old.id(), old.family(), old.addressHi(), old.addressLo(), old.port(),
            server.weight(), server.weight() != 0 ? server.weight() : old.lastWeight(), server.method(),
            server.upperThreshold(), server.lowerThreshold());
        counters.setThresholds(old.id(), edited.upperThreshold(), edited.lowerThreshold());
        state.servers = state.servers.withReplaced(edited);
        state.scheduler.update(state.servers);
        publish();
        return edited;
    }

    /**
     * Deletes a real server ({@code ipvsadm -d}): no new connections, and packets of its connections are dropped.
     *
     * @param service the service's key.
     * @param server  matched by address and port.
     */
    public synchronized void deleteRealServer(final VirtualService service, final RealServer server)
    {
        checkOpen();
        final ServiceState state = existing(service);
        final int index = find(state, server);
        if (index < 0)
        {
            throw new IllegalStateException("No such destination: " + server);
        }
        final RealServer removed = state.servers.get(index);
        state.servers = state.servers.withRemoved(removed.id());
        state.scheduler.update(state.servers);
        retireDestination(state.id, removed);
        publish();
        if (publisher != null)
        {
            publisher.destinationRemoved(removed.id());
        }
    }

    /**
     * Makes the director the owner of its VIPs or not (VRRP master or backup): only a master answers ARP for
     * the VIPs and forwards.
     *
     * @param isMaster the new role.
     */
    public synchronized void master(final boolean isMaster)
    {
        checkOpen();
        if (master != isMaster)
        {
            master = isMaster;
            publish();
            if (isMaster)
            {
                for (final ServiceState state : services.values())
                {
                    gratuitousArp(state.config.addressV4());
                }
            }
        }
    }

    /**
     * Sends a frame the control plane built (a VRRP advert, a gratuitous ARP) out of an interface, through the
     * worker that owns its channel; any thread.
     *
     * @param iface  the interface index.
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return false when the control queue is full.
     */
    public boolean sendFrame(final int iface, final DirectBuffer buffer, final int offset, final int length)
    {
        return controlFrames.offer(iface, buffer, offset, length);
    }

    /**
     * Starts handing VRRP frames (IPv4 and IPv6, protocol 112) to {@link #drainVrrp} instead of leaving them to
     * the kernel: for the VRRP engine of this director.
     */
    public void receiveVrrp()
    {
        processors.forEach(p -> p.controlInbox(controlInbox));
        synchronized (this)
        {
            for (final FrameChannel channel : channels)
            {
                for (final long group : VRRP_GROUP_MACS)
                {
                    accept(channel, group);
                }
            }
        }
    }

    /**
     * Hands received VRRP frames to the VRRP engine (one thread); the handler's message type is the interface
     * index plus one.
     *
     * @param handler called per frame.
     * @param limit   the most frames.
     * @return frames handed over.
     */
    public int drainVrrp(final MessageHandler handler, final int limit)
    {
        return controlInbox.drain(handler, limit);
    }

    /**
     * Answers ARP for the VIPs on an interface with a virtual MAC (VRRP's {@code 00:00:5e:00:01:VRID}) instead of
     * the interface's own, and announces it with gratuitous ARP when master; 0 goes back to the interface's MAC.
     *
     * @param iface the interface index.
     * @param mac   the MAC, or 0.
     */
    public synchronized void virtualMac(final int iface, final long mac)
    {
        checkOpen();
        final long previous = virtualMacs[iface];
        if (previous == mac)
        {
            return;
        }
        final int perWorker = interfaces.size();
        for (int i = iface; i < channels.size(); i += perWorker)
        {
            if (previous != 0)
            {
                release(channels.get(i), previous);
            }
            if (mac != 0)
            {
                accept(channels.get(i), mac);
            }
        }
        virtualMacs[iface] = mac;
        publish();
    }

    /**
     * Addresses the director answers ARP for while master, besides its VIPs, with the same MAC: the VRRP
     * {@code virtual_ipaddress} entries that are no service's VIP, typically the floating gateway of NAT real
     * servers, so that their replies reach whichever director is master. The caller announces them (the VRRP
     * engine sends keepalived's gratuitous ARP bursts for every address of an instance).
     *
     * @param addresses IPv4 addresses; replaces the previous set.
     */
    public synchronized void announcedAddresses(final int... addresses)
    {
        checkOpen();
        announcedAddresses = addresses.clone();
        publish();
    }

    private static void accept(final FrameChannel channel, final long mac)
    {
        try
        {
            channel.acceptDestination(mac);
        }
        catch (final RuntimeException ex)
        {
            // without the membership a real NIC drops what is sent to the MAC; a veth still delivers it
            LOG.warn("cannot make {} accept {}: {}", channel, MacAddresses.toString(mac), ex.getMessage());
        }
    }

    private static void release(final FrameChannel channel, final long mac)
    {
        try
        {
            channel.releaseDestination(mac);
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("cannot release {} on {}: {}", MacAddresses.toString(mac), channel, ex.getMessage());
        }
    }

    /** @return whether the director owns its VIPs now (VRRP master, or no HA). */
    public boolean isMaster()
    {
        return snapshot.isMaster();
    }

    /**
     * Replaces the routing table (the control plane reloads the kernel's, or configuration changed).
     *
     * @param table the new routes.
     */
    public synchronized void routes(final RouteTable table)
    {
        checkOpen();
        this.routes = Objects.requireNonNull(table);
        publish();
    }

    // ---------------------------------------------------------------- reading

    /** @return every service with its real servers and counters, in the order they were added. */
    public synchronized List<ServiceStatus> services()
    {
        final List<ServiceStatus> out = new ArrayList<>();
        for (final ServiceState state : services.values())
        {
            final List<RealServerStatus> rs = new ArrayList<>();
            for (int i = 0; i < state.servers.size(); i++)
            {
                final RealServer s = state.servers.get(i);
                final int id = s.id();
                final long[] t = destinationTotals(id);
                rs.add(new RealServerStatus(s, counters.active(id), counters.inactive(id), counters.persistent(id),
                    counters.isOverloaded(id), t[0], t[1], t[2], t[3], t[4]));
            }
            final long[] t = serviceTotals(state.id);
            out.add(new ServiceStatus(state.config, rs, t[0], t[1], t[2], t[3], t[4]));
        }
        return out;
    }

    /**
     * The director's state as {@code ipvsadm} lists it: services, real servers, connection counts, counters and
     * IPVS-estimated rates, the timeouts; for {@code ipvsadm -L}, {@code -S} and the stats page.
     *
     * @return the snapshot.
     */
    public synchronized IpvsSnapshot ipvsSnapshot()
    {
        final List<ServiceEntry> entries = new ArrayList<>();
        for (final ServiceState state : services.values())
        {
            final List<DestinationEntry> destinations = new ArrayList<>();
            for (int i = 0; i < state.servers.size(); i++)
            {
                final RealServer s = state.servers.get(i);
                final int id = s.id();
                destinations.add(DestinationEntry.of(s)
                    .withConnections(counters.active(id), counters.inactive(id), counters.persistent(id))
                    .withStats(ipvsStats(destinationTotals(id), destinationRates[id])));
            }
            entries.add(new ServiceEntry(state.config, "", destinations,
                ipvsStats(serviceTotals(state.id), serviceRates[state.id])));
        }
        final ConnectionTimeouts t = timeouts.get(ConnectionTimeoutProfiles.DEFAULT_PROFILE);
        return new IpvsSnapshot((int)Math.min(Integer.MAX_VALUE, table.capacity()), entries,
            (int)(t.timeoutMs(TcpState.ESTABLISHED) / 1000), (int)(t.timeoutMs(TcpState.FIN_WAIT) / 1000),
            (int)(t.timeoutMs(TcpState.UDP) / 1000));
    }

    /**
     * The connection table as {@code ipvsadm -Lc} lists it (templates included).
     *
     * @param limit the most entries to return.
     * @return the entries.
     */
    public List<ConnectionEntry> connectionEntries(final int limit)
    {
        final long now = clock.getAsLong();
        final List<ConnectionEntry> out = new ArrayList<>();
        table.forEach(now, r ->
        {
            if (out.size() < limit && r.family == FlowKey.AF_INET)
            {
                out.add(new ConnectionEntry(r.protocol, Endpoint.ipv4((int)r.clientLo, r.clientPort),
                    Endpoint.ipv4((int)r.virtualLo, r.virtualPort), Endpoint.ipv4((int)r.destLo, r.destPort),
                    TcpState.name(r.state), Math.max(0, (r.expiresAtMs - now) / 1000)));
            }
        });
        return out;
    }

    /**
     * Zeroes the counters and rates of one service (and its real servers) or of all ({@code ipvsadm -Z}). The
     * workers' counters keep running; what is shown is counted from now on.
     *
     * @param service the service, or null for all.
     */
    public synchronized void zeroCounters(final VirtualService service)
    {
        for (final ServiceState state : services.values())
        {
            if (service == null || state.config.sameKey(service))
            {
                // the raw totals become the base: clear the old base first so serviceTotals returns them
                serviceZero[state.id] = null;
                serviceZero[state.id] = serviceTotals(state.id);
                serviceRates[state.id].zero(0, 0, 0, 0, 0);
                for (int i = 0; i < state.servers.size(); i++)
                {
                    final int id = state.servers.id(i);
                    destinationZero[id] = null;
                    destinationZero[id] = destinationTotals(id);
                    destinationRates[id].zero(0, 0, 0, 0, 0);
                }
            }
        }
    }

    /**
     * Sets the TCP, TCP FIN and UDP timeouts ({@code ipvsadm --set}); 0 leaves one as it is.
     *
     * @param tcpS    ESTABLISHED timeout in seconds.
     * @param tcpFinS FIN_WAIT timeout in seconds.
     * @param udpS    UDP timeout in seconds.
     */
    public synchronized void setTimeouts(final int tcpS, final int tcpFinS, final int udpS)
    {
        checkOpen();
        final ConnectionTimeouts current = timeouts.get(ConnectionTimeoutProfiles.DEFAULT_PROFILE);
        timeouts.set(ConnectionTimeoutProfiles.DEFAULT_PROFILE, current.withIpvsadmSet(
            tcpS * 1000L, tcpFinS * 1000L, udpS * 1000L));
    }

    /**
     * The timeout profiles the connection table expires entries by; {@link #setTimeouts} changes the default one.
     * Read by the sync master, which announces each entry's timeout from them.
     *
     * @return the live profiles (read-only use).
     */
    public ConnectionTimeoutProfiles timeoutProfiles()
    {
        return timeouts;
    }

    private long[] serviceTotals(final int sid)
    {
        return minus(new long[] {
            stats.service(sid, ForwarderStats.CONNS), stats.service(sid, ForwarderStats.IN_PKTS),
            stats.service(sid, ForwarderStats.OUT_PKTS), stats.service(sid, ForwarderStats.IN_BYTES),
            stats.service(sid, ForwarderStats.OUT_BYTES)}, serviceZero[sid]);
    }

    private long[] destinationTotals(final int id)
    {
        return minus(new long[] {
            stats.destination(id, ForwarderStats.CONNS), stats.destination(id, ForwarderStats.IN_PKTS),
            stats.destination(id, ForwarderStats.OUT_PKTS), stats.destination(id, ForwarderStats.IN_BYTES),
            stats.destination(id, ForwarderStats.OUT_BYTES)}, destinationZero[id]);
    }

    private static long[] minus(final long[] totals, final long[] base)
    {
        if (base != null)
        {
            for (int i = 0; i < totals.length; i++)
            {
                totals[i] -= base[i];
            }
        }
        return totals;
    }

    private static IpvsStats ipvsStats(final long[] t, final RateEstimator rates)
    {
        return rates == null ? IpvsStats.counters(t[0], t[1], t[2], t[3], t[4]) :
            rates.stats(t[0], t[1], t[2], t[3], t[4]);
    }

    /** IPVS's estimator: every 2 s, every service and real server (control thread, under the director's lock). */
    private void tickRates(final long now)
    {
        if (now < nextRateTick)
        {
            return;
        }
        nextRateTick = now + RateEstimator.INTERVAL_MS;
        for (final ServiceState state : services.values())
        {
            final long[] t = serviceTotals(state.id);
            serviceRates[state.id].tick(t[0], t[1], t[2], t[3], t[4]);
            for (int i = 0; i < state.servers.size(); i++)
            {
                final int id = state.servers.id(i);
                final long[] d = destinationTotals(id);
                destinationRates[id].tick(d[0], d[1], d[2], d[3], d[4]);
            }
        }
    }

    /**
     * @param service a service's key.
     * @return its status, or null when it does not exist.
     */
    public ServiceStatus service(final VirtualService service)
    {
        for (final ServiceStatus s : services())
        {
            if (s.service().sameKey(service))
            {
                return s;
            }
        }
        return null;
    }

    /**
     * @param reason a drop reason.
     * @return frames dropped for it, over all workers.
     */
    public long drops(final DropReason reason)
    {
        return stats.drops(reason);
    }

    /** @return the counters (drops, malformations, per service and real server). */
    public ForwarderStats stats()
    {
        return stats;
    }

    /** @return the connection table (for listing connections, {@code ipvsadm -Lc}). */
    public ConnectionTable connections()
    {
        return table;
    }

    /** @return the neighbour table. */
    public NeighbourTable neighbours()
    {
        return neighbours;
    }

    /** @return the interfaces served. */
    public List<DirectorInterface> interfaces()
    {
        return interfaces;
    }

    /** @return the snapshot the workers use now. */
    public ForwardingSnapshot snapshot()
    {
        return snapshot;
    }

    /** @return frames forwarded or answered, over all workers. */
    public long forwarded()
    {
        long total = 0;
        for (final Worker w : workers)
        {
            total += w.processor().forwarded();
        }
        return total;
    }

    /** Stops the workers and the control thread, closes the channels and frees the tables; idempotent. */
    @Override
    public void close()
    {
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
        }
        running = false;
        for (final Worker w : workers)
        {
            w.stop();
        }
        controlThread.interrupt();
        boolean stopped = true;
        if (context.startThreads)
        {
            for (final Thread t : threads)
            {
                stopped &= join(t);
            }
            stopped &= join(controlThread);
        }
        else
        {
            // no worker thread ran, so none closed its channels
            channels.forEach(FrameChannel::close);
        }
        if (!stopped)
        {
            // freeing memory a stuck thread still uses would crash the JVM: leak it instead, and say so
            LOG.error("lvs4j director threads did not stop within 10 s; the connection table is not freed");
            return;
        }
        for (final ServiceState s : services.values())
        {
            s.scheduler.close();
        }
        table.close();
        if (countersFile != null)
        {
            publisher.publish(statsSource);
            countersFile.close();
        }
        LOG.info("lvs4j director stopped");
    }

    private static boolean join(final Thread t)
    {
        try
        {
            t.join(TimeUnit.SECONDS.toMillis(10));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return !t.isAlive();
    }

    // ---------------------------------------------------------------- internals

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("director closed");
        }
    }

    private static String key(final VirtualService s)
    {
        return s.protocol() + "|" + s.addressHi() + "|" + s.addressLo() + "|" + s.port() + "|" + s.fwmark();
    }

    private ServiceState existing(final VirtualService service)
    {
        final ServiceState state = services.get(key(service));
        if (state == null)
        {
            throw new IllegalStateException("No such service: " + service);
        }
        return state;
    }

    private static int find(final ServiceState state, final RealServer server)
    {
        for (int i = 0; i < state.servers.size(); i++)
        {
            final RealServer s = state.servers.get(i);
            if (s.addressLo() == server.addressLo() && s.addressHi() == server.addressHi() && s.port() == server.port())
            {
                return i;
            }
        }
        return -1;
    }

    private int allocateServiceId(final VirtualService service)
    {
        if (!freeServiceIds.isEmpty())
        {
            return freeServiceIds.poll();
        }
        if (nextServiceId == context.maxServices)
        {
            throw new IllegalStateException("service table full (" + context.maxServices + "): " + service);
        }
        return nextServiceId++;
    }

    /**
     * Fresh ids first; a retired id comes back only once nothing counts it any more and its quarantine (the
     * longest a locality scheduler may remember it) has passed.
     */
    private int allocateDestinationId()
    {
        if (nextDestinationId < context.maxRealServers)
        {
            return nextDestinationId++;
        }
        final long now = clock.getAsLong();
        for (final var it = quarantinedDestinations.iterator(); it.hasNext(); )
        {
            final long[] q = it.next();
            final int id = (int)q[0];
            if (now - q[1] >= context.destinationQuarantineMs &&
                counters.active(id) + counters.inactive(id) + counters.persistent(id) == 0)
            {
                it.remove();
                return id;
            }
        }
        throw new IllegalStateException("real server table full (" + context.maxRealServers + ")");
    }

    private void retireDestination(final int serviceId, final RealServer server)
    {
        counters.setAvailable(server.id(), false);
        quarantinedDestinations.add(new long[] {
            server.id(), clock.getAsLong(), serviceId, server.addressLo(), server.addressHi(), server.port()});
    }

    private boolean inUse(final int id)
    {
        for (final ServiceState s : services.values())
        {
            if (s.servers.indexOf(id) >= 0)
            {
                return true;
            }
        }
        return quarantinedDestinations.stream().anyMatch(q -> q[0] == id);
    }

    /** A deleted real server of the same service, address and port whose id can come back; -1 when none. */
    private int reviveDestination(final int serviceId, final RealServer server)
    {
        for (final var it = quarantinedDestinations.iterator(); it.hasNext(); )
        {
            final long[] q = it.next();
            if (q[2] == serviceId && q[3] == server.addressLo() && q[4] == server.addressHi() && q[5] == server.port())
            {
                it.remove();
                return (int)q[0];
            }
        }
        return -1;
    }

    private Scheduler newScheduler(final VirtualService service)
    {
        if (!registry.contains(service.scheduler()))
        {
            throw new IllegalArgumentException("Scheduler not found: " + service.scheduler());
        }
        final SchedulerOptions options = context.schedulerOptions.get()
            .serviceFlags(service.flags())
            .serviceName(service.toString());
        return registry.create(service.scheduler(), options);
    }

    /**
     * The MAC to send the director's own frames for an IPv4 destination to (VRRP unicast adverts): its next hop's,
     * by the routing table, from the neighbour table. Asks for that next hop to be resolved and kept fresh, so a
     * caller that keeps sending gets the MAC once the control plane's ARP is answered.
     *
     * @param address the destination.
     * @return the next hop's MAC, or {@link NeighbourTable#NONE} while it is unresolved.
     */
    public long nextHopMac(final int address)
    {
        final int route = routes.lookup(address);
        if (route == RouteTable.NO_ROUTE)
        {
            return NeighbourTable.NONE;
        }
        final int hop = routes.nextHop(route, address);
        final long now = clock.getAsLong();
        neighbours.want(hop, now);
        final long confirmed = neighbours.confirmedAt(hop);
        if ((confirmed < 0 || now - confirmed >= context.neighbourRefreshMs) &&
            !context.staticNeighbours.containsKey(hop))
        {
            askForNextHop(routes.iface(route), hop, now);
        }
        return neighbours.lookup(hop);
    }

    /** An ARP request for a next hop the control plane's own frames need, at most once a second per address. */
    private void askForNextHop(final int ifaceIndex, final int hop, final long now)
    {
        synchronized (nextHopAsked)
        {
            final Long last = nextHopAsked.get(hop);
            if (last != null && now - last < 1000)
            {
                return;
            }
            nextHopAsked.put(hop, now);
        }
        final DirectorInterface iface = interfaces.get(ifaceIndex);
        // control-plane rate (one per second per peer): a buffer of its own rather than the control thread's
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[ArpBuilder.FRAME_LENGTH]);
        final int length = ArpBuilder.writeRequest(frame, 0, EthernetView.NO_VLAN, iface.mac(),
            iface.sourceFor(hop), hop);
        controlFrames.offer(ifaceIndex, frame, 0, length);
    }

    private int nextHopOf(final int address)
    {
        final int route = routes.lookup(address);
        return route == RouteTable.NO_ROUTE ? address : routes.nextHop(route, address);
    }

    private void publish()
    {
        final Long2ObjectHashMap<ActiveService> map = new Long2ObjectHashMap<>();
        final int capacity = context.maxRealServers;
        final int[] iface = new int[capacity];
        final int[] nextHop = new int[capacity];
        final int[] source = new int[capacity];
        final int[] serviceOf = new int[capacity];
        Arrays.fill(iface, -1);
        Arrays.fill(serviceOf, -1);
        for (final ServiceState state : services.values())
        {
            final VirtualService c = state.config;
            map.put(ActiveService.key(c.protocol(), c.addressV4(), c.port()),
                new ActiveService(state.id, c, state.scheduler));
            for (int i = 0; i < state.servers.size(); i++)
            {
                final RealServer rs = state.servers.get(i);
                final int id = rs.id();
                final int address = rs.addressV4();
                final int route = routes.lookup(address);
                serviceOf[id] = state.id;
                weights[id] = rs.weight();
                if (route != RouteTable.NO_ROUTE)
                {
                    iface[id] = routes.iface(route);
                    nextHop[id] = routes.nextHop(route, address);
                    final int src = routes.source(route);
                    source[id] = src != 0 ? src : interfaces.get(iface[id]).sourceFor(address);
                }
            }
        }
        snapshot = new ForwardingSnapshot(map, interfaces, routes, iface, nextHop, source, serviceOf, master,
            ++version).withAnnounceMacs(virtualMacs)
            .withAnnouncedAddresses(announcedAddresses);
        applyFilter();
    }

    /** Lets the kernel drop what the workers would only count as not ours: everything but ARP, VIPs, NAT replies. */
    private void applyFilter()
    {
        final Set<InetAddress> vips = new LinkedHashSet<>();
        final Set<InetAddress> natServers = new LinkedHashSet<>();
        for (final ServiceState state : services.values())
        {
            vips.add(inet(state.config.addressV4()));
            for (int i = 0; i < state.servers.size(); i++)
            {
                final RealServer rs = state.servers.get(i);
                if (rs.method() == ConnectionFlags.MASQ)
                {
                    natServers.add(inet(rs.addressV4()));
                }
            }
        }
        final Set<InetAddress> own = new LinkedHashSet<>();
        for (final DirectorInterface iface : interfaces)
        {
            for (final DirectorInterface.Prefix p : iface.addresses())
            {
                own.add(inet(p.address()));
            }
        }
        final TrafficFilter filter =
            new TrafficFilter(List.copyOf(vips), List.copyOf(natServers), List.copyOf(own), true, true);
        if (!filter.equals(appliedFilter))
        {
            for (final FrameChannel channel : channels)
            {
                try
                {
                    channel.restrictTo(filter);
                }
                catch (final RuntimeException ex)
                {
                    // the channel still receives everything it did: slower, still correct
                    LOG.warn("could not update the socket filter on {}: {}", channel.name(), ex.getMessage());
                }
            }
            appliedFilter = filter;
        }
    }

    private static InetAddress inet(final int address)
    {
        try
        {
            return InetAddress.getByAddress(new byte[] {
                (byte)(address >>> 24), (byte)(address >>> 16), (byte)(address >>> 8), (byte)address});
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /** The control thread: connection expiry, neighbour refresh, scheduler ticks; never blocks the workers. */
    private void controlLoop()
    {
        final long tickMs = context.controlTickMs;
        long nextNeighbourCheck = 0;
        while (running)
        {
            try
            {
                final long now = clock.getAsLong();
                final boolean neighbourCheck = now >= nextNeighbourCheck;
                if (neighbourCheck)
                {
                    nextNeighbourCheck = now + 1000;
                }
                if (!controlPass(now, neighbourCheck))
                {
                    break;
                }
                Thread.sleep(tickMs);
            }
            catch (final InterruptedException ex)
            {
                if (!running)
                {
                    break;
                }
            }
            catch (final RuntimeException ex)
            {
                LOG.error("control loop", ex);
            }
        }
    }

    private boolean controlPass(final long now, final boolean neighbourCheck)
    {
        table.sweep(now, context.sweepSlotsPerTick);
        synchronized (this)
        {
            if (!running)
            {
                return false;
            }
            for (final ServiceState s : services.values())
            {
                s.scheduler.tick(now);
            }
            tickRates(now);
            if (neighbourCheck)
            {
                refreshNeighbours(now);
            }
            if (publisher != null)
            {
                publisher.publish(statsSource);
            }
        }
        return true;
    }

    /** Resolves unresolved real servers at once, re-asks stale ones, and forgets MACs nobody confirms. */
    private void refreshNeighbours(final long now)
    {
        final ForwardingSnapshot snap = snapshot;
        if (neighbours.size() > neighbours.capacity() / 2)
        {
            // learned clients come and go: keep what the services need and what was seen in the last 5 minutes
            final Set<Integer> needed = new java.util.HashSet<>(context.staticNeighbours.keySet());
            for (final ServiceState s : services.values())
            {
                for (int i = 0; i < s.servers.size(); i++)
                {
                    needed.add(snap.destinationNextHop(s.servers.id(i)));
                }
            }
            for (final RouteTable.Route r : routes.routes())
            {
                if (r.gateway() != 0)
                {
                    needed.add(r.gateway());
                }
            }
            final int dropped = neighbours.compact(now, 300_000, needed::contains);
            LOG.info("neighbour table compacted: {} entries dropped, {} kept", dropped, neighbours.size());
        }
        for (final ServiceState s : services.values())
        {
            for (int i = 0; i < s.servers.size(); i++)
            {
                final RealServer rs = s.servers.get(i);
                final int id = rs.id();
                final int nh = snap.destinationNextHop(id);
                if (context.staticNeighbours.containsKey(nh))
                {
                    continue;
                }
                final long confirmed = neighbours.confirmedAt(nh);
                if (confirmed < 0 || now - confirmed >= context.neighbourRefreshMs)
                {
                    requestArp(rs.addressV4(), id, false);
                }
                if (confirmed >= 0 && now - confirmed >= context.neighbourRefreshMs * 3)
                {
                    neighbours.invalidate(nh);
                }
            }
        }
    }

    private void requestArp(final int address, final int destinationId, final boolean now)
    {
        final ForwardingSnapshot snap = snapshot;
        final int ifaceIndex = snap.destinationIface(destinationId);
        if (ifaceIndex < 0)
        {
            return;
        }
        final long t = clock.getAsLong();
        if (!now && t - lastArpRequest[destinationId] < 1000)
        {
            return;
        }
        lastArpRequest[destinationId] = t;
        final DirectorInterface iface = interfaces.get(ifaceIndex);
        final int target = snap.destinationNextHop(destinationId);
        if (context.staticNeighbours.containsKey(target))
        {
            return;
        }
        neighbours.want(target, t);
        final int length = ArpBuilder.writeRequest(controlScratch, 0, EthernetView.NO_VLAN, iface.mac(),
            iface.sourceFor(target), target);
        controlFrames.offer(ifaceIndex, controlScratch, 0, length);
    }

    private void gratuitousArp(final int vip)
    {
        for (final DirectorInterface iface : interfaces)
        {
            final long mac = virtualMacs[iface.index()] != 0 ? virtualMacs[iface.index()] : iface.mac();
            final int length = ArpBuilder.writeGratuitous(controlScratch, 0, EthernetView.NO_VLAN, mac, vip);
            controlFrames.offer(iface.index(), controlScratch, 0, length);
        }
    }

    private static RouteTable connectedRoutes(final List<DirectorInterface> interfaces)
    {
        final List<RouteTable.Route> list = new ArrayList<>();
        for (final DirectorInterface iface : interfaces)
        {
            for (final DirectorInterface.Prefix p : iface.addresses())
            {
                list.add(new RouteTable.Route(p.address(), p.length(), 0, iface.index(), p.address()));
            }
        }
        return new RouteTable(list);
    }

    private static final class ServiceState
    {
        final int id;
        VirtualService config;
        Scheduler scheduler;
        RealServerList servers;

        ServiceState(final int id, final VirtualService config, final Scheduler scheduler,
            final RealServerList servers)
        {
            this.id = id;
            this.config = config;
            this.scheduler = scheduler;
            this.servers = servers;
        }
    }

    /**
     * Everything a director is started with, in one place, with defaults that work: set what differs and
     * {@link Director#launch} it.
     */
    public static final class Context
    {
        private List<DirectorInterface> interfaces;
        private List<String> interfaceNames = List.of();
        private String networkNamespace;
        private ChannelFactory channelFactory;
        private InterfaceDiscovery discovery;
        private RouteTable routes;
        private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
        private int connectionCapacity = 1 << 20;
        private int maxServices = 256;
        private int maxRealServers = 4096;
        private int neighbourCapacity = 4096;
        private int batchSize = 64;
        private int pollTimeoutMs = 10;
        private long controlTickMs = 100;
        private int sweepSlotsPerTick = 65536;
        private long neighbourRefreshMs = 30_000;
        private long destinationQuarantineMs = SchedulerOptions.DEFAULT_LBLC_EXPIRATION_MS;
        private boolean master = true;
        private boolean disableReceiveOffloads = true;
        private ForwardingOptions forwardingOptions = ForwardingOptions.defaults();
        private SchedulerRegistry schedulerRegistry;
        private Supplier<SchedulerOptions> schedulerOptions = SchedulerOptions::new;
        private BiFunction<DestinationCounters, ConnectionTimeoutProfiles, ConnectionTable> connectionTable;
        private LongSupplier clock = System::currentTimeMillis;
        private final Map<Integer, Long> staticNeighbours = new LinkedHashMap<>();
        private Consumer<Director> onStart;
        private boolean startThreads = true;
        private Path countersFile;
        private Path stateDirectory;

        /**
         * A directory for the state a restarted director re-attaches to (hot restart): the connection table in a
         * Chronicle Map persisted there, and which id each real server had, so that established connections
         * continue on the same real servers after a restart. Null (the default) keeps the table in memory.
         *
         * @param directory e.g. {@code /var/lib/lvs4j}.
         * @return this.
         */
        public Context stateDirectory(final Path directory)
        {
            this.stateDirectory = directory;
            return this;
        }

        /**
         * A file for the statistics that another process can read while the director runs ({@link CountersFile});
         * null (the default) for none.
         *
         * @param file e.g. {@code /dev/shm/lvs4j/director.stats}.
         * @return this.
         */
        public Context countersFile(final Path file)
        {
            this.countersFile = file;
            return this;
        }

        /**
         * A neighbour whose MAC is configured, not resolved: never asked for, never expired (static ARP).
         *
         * @param address the IPv4 address.
         * @param mac     its MAC, {@code aa:bb:cc:dd:ee:ff}.
         * @return this.
         */
        public Context neighbour(final String address, final String mac)
        {
            staticNeighbours.put(Ipv4Text.parse(address), MacAddresses.parse(mac));
            return this;
        }

        /**
         * Configuration to apply after the channels are open and before the first frame is handled (services
         * from a configuration file, a replay's services).
         *
         * @param configure called once with the new director.
         * @return this.
         */
        public Context onStart(final Consumer<Director> configure)
        {
            this.onStart = configure;
            return this;
        }

        /**
         * @param start false to start no threads: the caller drives the workers with {@link Director#doWork} and
         *              the timers with {@link Director#doControlWork} (replaying captures deterministically,
         *              tests). Default true.
         * @return this.
         */
        public Context startThreads(final boolean start)
        {
            this.startThreads = start;
            return this;
        }

        /**
         * The interfaces to serve, by kernel name; their MAC, MTU and addresses are read from the system (in
         * {@link #networkNamespace} when set).
         *
         * @param names interface names.
         * @return this.
         */
        public Context interfaces(final String... names)
        {
            this.interfaceNames = List.of(names);
            return this;
        }

        /**
         * The interfaces to serve, described in full (no system lookup): for memory channels and tests.
         *
         * @param described the interfaces, indexes 0..n-1 in order.
         * @return this.
         */
        public Context interfaces(final List<DirectorInterface> described)
        {
            this.interfaces = List.copyOf(described);
            return this;
        }

        /**
         * A named network namespace ({@code ip netns}) the interfaces live in: sockets are opened there while
         * the director's threads stay in the JVM's own namespace.
         *
         * @param name the namespace name, or null for the JVM's own.
         * @return this.
         */
        public Context networkNamespace(final String name)
        {
            this.networkNamespace = name;
            return this;
        }

        /** @return the network namespace, or null. */
        public String networkNamespace()
        {
            return networkNamespace;
        }

        /**
         * How channels are opened (default: AF_PACKET rings in a fanout group per interface).
         *
         * @param factory the factory.
         * @return this.
         */
        public Context channels(final ChannelFactory factory)
        {
            this.channelFactory = factory;
            return this;
        }

        /**
         * How interfaces named with {@link #interfaces(String...)} are looked up and prepared.
         *
         * @param interfaceDiscovery the discovery.
         * @return this.
         */
        public Context discovery(final InterfaceDiscovery interfaceDiscovery)
        {
            this.discovery = interfaceDiscovery;
            return this;
        }

        /**
         * Routes to use instead of the kernel's (default: the kernel's main table for named interfaces, the
         * connected networks for described ones).
         *
         * @param table the routes.
         * @return this.
         */
        public Context routes(final RouteTable table)
        {
            this.routes = table;
            return this;
        }

        /**
         * @param count worker threads (default: one per core).
         * @return this.
         */
        public Context workers(final int count)
        {
            this.workers = positive(count, "workers");
            return this;
        }

        /**
         * @param capacity connection entries the table holds (default 1M).
         * @return this.
         */
        public Context connectionCapacity(final int capacity)
        {
            this.connectionCapacity = positive(capacity, "connectionCapacity");
            return this;
        }

        /**
         * @param count the most virtual services (default 256).
         * @return this.
         */
        public Context maxServices(final int count)
        {
            this.maxServices = positive(count, "maxServices");
            return this;
        }

        /**
         * @param count the most real servers over all services (default 4096).
         * @return this.
         */
        public Context maxRealServers(final int count)
        {
            this.maxRealServers = positive(count, "maxRealServers");
            return this;
        }

        /**
         * @param frames frames per receive call per channel (default 64).
         * @return this.
         */
        public Context batchSize(final int frames)
        {
            this.batchSize = positive(frames, "batchSize");
            return this;
        }

        /**
         * @param ms the longest blocking poll of an idle worker (default 10 ms, at most 1000).
         * @return this.
         */
        public Context pollTimeoutMs(final int ms)
        {
            if (ms > 1000)
            {
                throw new IllegalArgumentException("pollTimeoutMs must be at most 1000: a worker must notice close()");
            }
            this.pollTimeoutMs = positive(ms, "pollTimeoutMs");
            return this;
        }

        /**
         * @param ms how often a used neighbour is re-resolved (default 30 s); three periods unconfirmed forget it.
         * @return this.
         */
        public Context neighbourRefreshMs(final long ms)
        {
            this.neighbourRefreshMs = positive(ms, "neighbourRefreshMs");
            return this;
        }

        /**
         * @param ms how long a deleted real server's id stays unused (default: the locality schedulers' 24 h).
         * @return this.
         */
        public Context destinationQuarantineMs(final long ms)
        {
            this.destinationQuarantineMs = ms;
            return this;
        }

        /**
         * @param isMaster whether to start owning the VIPs (default true; false for an HA backup).
         * @return this.
         */
        public Context master(final boolean isMaster)
        {
            this.master = isMaster;
            return this;
        }

        /**
         * @param disable turn GRO and LRO off on the served interfaces at start (default true): an aggregated
         *                frame larger than the MTU cannot be forwarded as it is.
         * @return this.
         */
        public Context disableReceiveOffloads(final boolean disable)
        {
            this.disableReceiveOffloads = disable;
            return this;
        }

        /** @return whether GRO/LRO are turned off at start. */
        public boolean disableReceiveOffloads()
        {
            return disableReceiveOffloads;
        }

        /**
         * @param options IPVS's forwarding switches (pmtu_disc, sloppy_tcp, ...).
         * @return this.
         */
        public Context forwardingOptions(final ForwardingOptions options)
        {
            this.forwardingOptions = Objects.requireNonNull(options);
            return this;
        }

        /**
         * @param registry where schedulers are found by name (default: built-ins plus ServiceLoader).
         * @return this.
         */
        public Context schedulerRegistry(final SchedulerRegistry registry)
        {
            this.schedulerRegistry = registry;
            return this;
        }

        /**
         * @param options fresh scheduler options per service (table sizes, lblc expiration, random source).
         * @return this.
         */
        public Context schedulerOptions(final Supplier<SchedulerOptions> options)
        {
            this.schedulerOptions = Objects.requireNonNull(options);
            return this;
        }

        /**
         * @param factory builds the connection table over the director's destination counters and timeout profiles
         *                (default: an {@link OffHeapConnectionTable} of {@link #connectionCapacity}); e.g. a
         *                Chronicle one.
         * @return this.
         */
        public Context connectionTable(
            final BiFunction<DestinationCounters, ConnectionTimeoutProfiles, ConnectionTable> factory)
        {
            this.connectionTable = factory;
            return this;
        }

        /**
         * @param epochMillis the clock (default the system's); tests pass a fake one.
         * @return this.
         */
        public Context clock(final LongSupplier epochMillis)
        {
            this.clock = Objects.requireNonNull(epochMillis);
            return this;
        }

        /**
         * @param ms the control thread's tick (default 100 ms).
         * @return this.
         */
        public Context controlTickMs(final long ms)
        {
            this.controlTickMs = positive(ms, "controlTickMs");
            return this;
        }

        private Context conclude()
        {
            if (interfaces == null && interfaceNames.isEmpty())
            {
                throw new IllegalArgumentException("no interfaces to serve: set Context.interfaces(...)");
            }
            if (discovery == null)
            {
                discovery = new SystemInterfaceDiscovery();
            }
            if (interfaces == null && routes == null)
            {
                routes = null; // filled from the system in resolveInterfaces
            }
            if (channelFactory == null)
            {
                channelFactory = discovery.defaultChannels(this);
            }
            return this;
        }

        private List<DirectorInterface> resolveInterfaces()
        {
            if (interfaces != null)
            {
                return interfaces;
            }
            final List<DirectorInterface> found = new ArrayList<>();
            for (int i = 0; i < interfaceNames.size(); i++)
            {
                found.add(discovery.describe(interfaceNames.get(i), i, this));
            }
            if (routes == null)
            {
                routes = discovery.routes(found, this);
            }
            interfaces = List.copyOf(found);
            return interfaces;
        }

        /** @return the worker count. */
        public int workers()
        {
            return workers;
        }

        private static int positive(final int value, final String name)
        {
            if (value <= 0)
            {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }

        private static long positive(final long value, final String name)
        {
            if (value <= 0)
            {
                throw new IllegalArgumentException(name + " must be positive: " + value);
            }
            return value;
        }
    }
}
