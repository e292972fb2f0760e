package io.lvs4j.forwarder.lab;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The seed lab topology (see {@code shared/reference/lab-baselines.md}) built in network namespaces: a client, a
 * director and two real servers, each in its own namespace, joined through Linux bridges that live in a namespace
 * of their own. Nothing is connected to the host's interfaces and there is no default route towards the host.
 *
 * <p>Every namespace name starts with a prefix unique to the instance ({@code l4j} + 5 random characters + {@code -})
 * so that parallel or stale runs never collide. Each node namespace holds {@code eth0} (and {@code eth1} for the
 * two-armed NAT director); the peer of every veth is a bridge port named {@code <node>-<if>} in the bridge namespace.
 *
 * <p>The director's kernel is kept out of the way of VIP traffic as the design requires: it holds no VIP address and
 * {@code ip_forward} is 0. The client reaches the VIP on-link, so it ARPs for it, and a user-space director has to
 * answer. {@link #close()} removes every namespace (and kills what still runs in them); a shutdown hook does the
 * same if a test never gets that far.
 *
 * <p>An HA lab ({@link Builder#backupDirector()}) adds a second director, {@link Node#DIR2}, wired exactly like the
 * first on the same segments. The real servers' gateway {@link #GATEWAY_ADDRESS} (192.0.2.1) then floats: neither
 * director's kernel holds it (they get {@link #HA_DIRECTOR_SERVER_ADDRESS} and {@link #DIRECTOR2_SERVER_ADDRESS}),
 * so only the VRRP master's user-space director answers ARP for it, as for the VIP.
 */
public final class LabNetwork implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(LabNetwork.class);

    /** The virtual service address. */
    public static final String VIP = "203.0.113.10";
    /** The client's address, on the client segment. */
    public static final String CLIENT_ADDRESS = "198.51.100.2";
    /** The director's address on the client segment. */
    public static final String DIRECTOR_CLIENT_ADDRESS = "198.51.100.1";
    /** The director's address on the server segment (the real servers' gateway in NAT modes). */
    public static final String DIRECTOR_SERVER_ADDRESS = "192.0.2.1";
    /**
     * The real servers' gateway in NAT modes: the single director's own address, or in an HA lab a floating address
     * no kernel holds (the VRRP master answers ARP for it).
     */
    public static final String GATEWAY_ADDRESS = DIRECTOR_SERVER_ADDRESS;
    /** The first director's address on the server segment in an HA lab (192.0.2.1 floats there). */
    public static final String HA_DIRECTOR_SERVER_ADDRESS = "192.0.2.2";
    /** The second director's address on the client segment (HA labs only). */
    public static final String DIRECTOR2_CLIENT_ADDRESS = "198.51.100.3";
    /** The second director's address on the server segment (HA labs only). */
    public static final String DIRECTOR2_SERVER_ADDRESS = "192.0.2.3";
    /** Real server 1's address. */
    public static final String RS1_ADDRESS = "192.0.2.11";
    /** Real server 2's address. */
    public static final String RS2_ADDRESS = "192.0.2.12";
    /** The client network. */
    public static final String CLIENT_NET = "198.51.100.0/24";
    /** The real-server network. */
    public static final String SERVER_NET = "192.0.2.0/24";
    /** What every lab namespace name starts with (used by {@link #sweepStale()}). */
    public static final String NAME_START = "l4j";

    private static final Pattern LAB_NAME = Pattern.compile("(l4j[a-z0-9]{5}-).+");
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    /** Marker files saying which live JVM owns a prefix, so a sweep never removes another run's live lab. */
    private static final Path OWNER_DIR = Path.of("/run/lvs4j-lab");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final String[] OFFLOADS = {"tx", "rx", "tso", "gso", "gro", "lro"};
    private static boolean swept;

    /** How the director forwards, which decides the wiring and the real servers' configuration. */
    public enum Mode
    {
        /** Direct routing: one L2 segment, real servers hold the VIP on {@code lo} with the LVS-DR ARP sysctls. */
        DR,
        /** IP-in-IP: as DR (one segment, VIP on the real servers' {@code lo}), plus rp_filter=0 on real servers. */
        TUN,
        /** NAT with a client segment and a server segment; the director sits on both (eth0 and eth1). */
        NAT_TWO_ARMED,
        /** NAT on one segment: the director has one interface with both addresses; real servers route via it. */
        NAT_ONE_ARMED;

        /** @return whether the director has a separate interface on a separate segment for the real servers. */
        public boolean twoArmed()
        {
            return this == NAT_TWO_ARMED;
        }

        /** @return whether real servers hold the VIP themselves and answer clients directly (DR, TUN). */
        public boolean serversHoldVip()
        {
            return this == DR || this == TUN;
        }
    }

    /** The hosts of the lab, one network namespace each. */
    public enum Node
    {
        /** The client, 198.51.100.2. */
        CLI("cli"),
        /** The director, 198.51.100.1 and 192.0.2.1 (192.0.2.2 in an HA lab); never the VIP. */
        DIR("dir"),
        /** Real server 1, 192.0.2.11. */
        RS1("rs1"),
        /** Real server 2, 192.0.2.12. */
        RS2("rs2"),
        /** The second director of an HA lab, 198.51.100.3 and 192.0.2.3; absent from a single-director lab. */
        DIR2("dir2");

        private final String shortName;

        Node(final String shortName)
        {
            this.shortName = shortName;
        }

        /** @return the name used in namespace and bridge-port names and as a real server's HTTP answer. */
        public String shortName()
        {
            return shortName;
        }

        /** @return whether this host is a director (forwards in user space; its kernel never holds the VIP). */
        public boolean isDirector()
        {
            return this == DIR || this == DIR2;
        }
    }

    /** Chooses the options of a lab before it is built; obtained from a mode's factory method. */
    public static final class Builder
    {
        private final Mode mode;
        private boolean offloads;
        private boolean backupDirector;

        private Builder(final Mode mode)
        {
            this.mode = mode;
        }

        /**
         * Adds a second director ({@link Node#DIR2}) on the same segments as the first, for VRRP fail-over labs. The
         * real servers' gateway {@link #GATEWAY_ADDRESS} then floats: the directors' kernels get
         * {@link #HA_DIRECTOR_SERVER_ADDRESS} and {@link #DIRECTOR2_SERVER_ADDRESS} on the server side instead.
         *
         * @return this builder
         */
        public Builder backupDirector()
        {
            this.backupDirector = true;
            return this;
        }

        /**
         * Whether veths keep the kernel's default offloads (checksum, TSO, GSO, GRO). Off by default, as in the
         * baselines; turning them on reproduces CHECKSUM_PARTIAL and oversized GRO frames at AF_PACKET.
         *
         * @param on true to leave the kernel defaults, false to switch them off on every veth end
         * @return this builder
         */
        public Builder offloads(final boolean on)
        {
            this.offloads = on;
            return this;
        }

        /**
         * Builds the lab. A failure half-way removes what was created and rethrows.
         *
         * @return the running lab; close it
         */
        public LabNetwork build()
        {
            final LabNetwork net = new LabNetwork(mode, offloads, backupDirector);
            try
            {
                net.buildAll();
                return net;
            }
            catch (final RuntimeException | Error ex)
            {
                try
                {
                    net.close();
                }
                catch (final RuntimeException cleanup)
                {
                    ex.addSuppressed(cleanup);
                }
                throw ex;
            }
        }
    }

    private final Mode mode;
    private final boolean offloads;
    private final boolean ha;
    private final List<Node> nodes;
    private final String prefix;
    /** Namespaces this instance created, in creation order; what close() removes. */
    private final List<String> created = Collections.synchronizedList(new ArrayList<>());
    private boolean closed;

    private LabNetwork(final Mode mode, final boolean offloads, final boolean ha)
    {
        this.mode = mode;
        this.offloads = offloads;
        this.ha = ha;
        this.nodes = ha ? List.of(Node.values()) : List.of(Node.CLI, Node.DIR, Node.RS1, Node.RS2);
        this.prefix = freshPrefix();
    }

    /** @return a builder for the direct-routing topology (one segment, VIP on the real servers' lo). */
    public static Builder dr()
    {
        return new Builder(Mode.DR);
    }

    /** @return a builder for the IP-in-IP topology (as DR, plus rp_filter=0 on the real servers). */
    public static Builder tun()
    {
        return new Builder(Mode.TUN);
    }

    /** @return a builder for two-armed NAT (client segment and server segment, the director on both). */
    public static Builder natTwoArmed()
    {
        return new Builder(Mode.NAT_TWO_ARMED);
    }

    /** @return a builder for one-armed NAT (one segment, real servers' default route via the director). */
    public static Builder natOneArmed()
    {
        return new Builder(Mode.NAT_ONE_ARMED);
    }

    /**
     * Builds a lab of the given mode with default options.
     *
     * @param mode the forwarding mode
     * @return a builder for it
     */
    public static Builder of(final Mode mode)
    {
        return new Builder(mode);
    }

    /** @return the unique prefix of every namespace of this lab, e.g. {@code l4jk3x9q-}. */
    public String prefix()
    {
        return prefix;
    }

    /** @return the forwarding mode this lab was wired for. */
    public Mode mode()
    {
        return mode;
    }

    /** @return whether the veths kept the kernel's default offloads. */
    public boolean offloads()
    {
        return offloads;
    }

    /** @return whether this lab has a second director ({@link Node#DIR2}) and a floating gateway address. */
    public boolean isHa()
    {
        return ha;
    }

    /** @return the hosts this lab has, in build order: {@link Node#DIR2} only in an HA lab. */
    public List<Node> nodes()
    {
        return nodes;
    }

    /** @return the directors of this lab: {@link Node#DIR}, and {@link Node#DIR2} in an HA lab. */
    public List<Node> directors()
    {
        return ha ? List.of(Node.DIR, Node.DIR2) : List.of(Node.DIR);
    }

    /**
     * @param node a director
     * @return its kernel's address on the client segment (198.51.100.1 or 198.51.100.3)
     */
    public String directorClientAddress(final Node node)
    {
        return node == Node.DIR2 ? DIRECTOR2_CLIENT_ADDRESS : DIRECTOR_CLIENT_ADDRESS;
    }

    /**
     * @param node a director
     * @return its kernel's address on the server segment: 192.0.2.1 alone; 192.0.2.2 or 192.0.2.3 in an HA lab
     */
    public String directorServerAddress(final Node node)
    {
        if (node == Node.DIR2)
        {
            return DIRECTOR2_SERVER_ADDRESS;
        }
        return ha ? HA_DIRECTOR_SERVER_ADDRESS : DIRECTOR_SERVER_ADDRESS;
    }

    /**
     * @param node a host of the lab
     * @return its namespace name, usable with {@code ip netns exec} and {@code ip -n}
     */
    public String namespace(final Node node)
    {
        return prefix + node.shortName();
    }

    /** @return the name of the namespace holding the bridges and the bridge-side veth ends. */
    public String bridgeNamespace()
    {
        return prefix + "br";
    }

    /**
     * @param node a host of the lab
     * @return the namespace's file, for {@code setns(open(path), CLONE_NEWNET)} from a thread of this JVM
     */
    public Path netnsPath(final Node node)
    {
        return NETNS_DIR.resolve(namespace(node));
    }

    /** @return the bridge namespace's file. */
    public Path bridgeNetnsPath()
    {
        return NETNS_DIR.resolve(bridgeNamespace());
    }

    /**
     * @param node a host of the lab
     * @return its interfaces: {@code eth0}, plus {@code eth1} for a two-armed NAT director
     */
    public List<String> interfaces(final Node node)
    {
        return node.isDirector() && mode.twoArmed() ? List.of("eth0", "eth1") : List.of("eth0");
    }

    /** @return the director interface on the client segment (always {@code eth0}). */
    public String directorClientInterface()
    {
        return "eth0";
    }

    /** @return the director interface facing the real servers ({@code eth1} two-armed, else {@code eth0}). */
    public String directorServerInterface()
    {
        return mode.twoArmed() ? "eth1" : "eth0";
    }

    /**
     * @param node a host of the lab
     * @param ifname one of its {@link #interfaces(Node)}
     * @return the name of the veth peer in the bridge namespace (a bridge port), e.g. {@code rs1-eth0}
     */
    public String bridgePort(final Node node, final String ifname)
    {
        return node.shortName() + "-" + ifname;
    }

    /**
     * @param node a host of the lab
     * @param ifname one of its interfaces
     * @return the bridge ({@code br0} or {@code br1}) the interface is attached to
     */
    public String bridgeOf(final Node node, final String ifname)
    {
        if (!mode.twoArmed())
        {
            return "br0";
        }
        // two-armed: br0 is the client segment, br1 the server segment
        return node == Node.CLI || (node.isDirector() && "eth0".equals(ifname)) ? "br0" : "br1";
    }

    /**
     * @param node a host of the lab
     * @return the host's own address: the client's, a real server's, or for the director its server-side address
     *         in a single-director lab (192.0.2.1; for HA labs see {@link #directorServerAddress(Node)}); never the
     *         VIP
     */
    public static String address(final Node node)
    {
        switch (node)
        {
            case CLI:
                return CLIENT_ADDRESS;
            case DIR:
                return DIRECTOR_SERVER_ADDRESS;
            case DIR2:
                return DIRECTOR2_SERVER_ADDRESS;
            case RS1:
                return RS1_ADDRESS;
            default:
                return RS2_ADDRESS;
        }
    }

    /**
     * Reads an interface's MAC address from the kernel.
     *
     * @param node a host of the lab
     * @param ifname the interface in that host's namespace
     * @return the MAC address in lower-case colon form, e.g. {@code 0a:1b:2c:3d:4e:5f}
     */
    public String mac(final Node node, final String ifname)
    {
        return jsonField(linkJson(namespace(node), ifname), "address");
    }

    /**
     * Reads an interface's index (what an AF_PACKET socket binds to) from the kernel.
     *
     * @param node a host of the lab
     * @param ifname the interface in that host's namespace
     * @return its ifindex inside that namespace
     */
    public int ifindex(final Node node, final String ifname)
    {
        return Integer.parseInt(jsonNumber(linkJson(namespace(node), ifname), "ifindex"));
    }

    /**
     * Lists every IPv4 address the host's kernel holds, on any interface ({@code lo} included).
     *
     * @param node a host of the lab
     * @return addresses with prefix length, e.g. {@code 192.0.2.1/24}
     */
    public List<String> ipv4Addresses(final Node node)
    {
        final String json = Shell.run("ip", "-n", namespace(node), "-j", "-4", "addr", "show").stdout();
        final Matcher m = Pattern.compile("\"local\":\"([0-9.]+)\",\"prefixlen\":(\\d+)").matcher(json);
        final List<String> out = new ArrayList<>();
        while (m.find())
        {
            out.add(m.group(1) + "/" + m.group(2));
        }
        return out;
    }

    /**
     * Runs {@code ip -n <ns> <args>} and throws unless it succeeds.
     *
     * @param node a host of the lab
     * @param args the ip arguments, e.g. {@code "route", "add", "192.0.2.0/24", "dev", "eth0"}
     * @return what it did
     */
    public Shell.Result ip(final Node node, final String... args)
    {
        return Shell.run(prepend(new String[] {"ip", "-n", namespace(node)}, args));
    }

    /**
     * Runs a command inside a host's namespace and throws unless it succeeds.
     *
     * @param node a host of the lab
     * @param command program and arguments
     * @return what it did
     */
    public Shell.Result exec(final Node node, final String... command)
    {
        return Shell.run(prepend(new String[] {"ip", "netns", "exec", namespace(node)}, command));
    }

    /**
     * Runs a command inside a host's namespace and returns whatever happened.
     *
     * @param node a host of the lab
     * @param command program and arguments
     * @return what it did, failure included
     */
    public Shell.Result tryExec(final Node node, final String... command)
    {
        return Shell.tryRun(prepend(new String[] {"ip", "netns", "exec", namespace(node)}, command));
    }

    /**
     * Sets a sysctl inside a host's namespace.
     *
     * @param node a host of the lab
     * @param key e.g. {@code net.ipv4.ip_forward}
     * @param value e.g. {@code 1}
     */
    public void sysctl(final Node node, final String key, final String value)
    {
        exec(node, "sysctl", "-q", "-w", key + "=" + value);
    }

    /**
     * Reads a sysctl inside a host's namespace.
     *
     * @param node a host of the lab
     * @param key e.g. {@code net.ipv4.ip_forward}
     * @return its value, trimmed
     */
    public String readSysctl(final Node node, final String key)
    {
        return exec(node, "sysctl", "-n", key).stdout().strip();
    }

    /** @return whether {@link #close()} has run. */
    public synchronized boolean isClosed()
    {
        return closed;
    }

    /**
     * Kills whatever still runs in the lab's namespaces and deletes them (which deletes their veths and bridges).
     * Idempotent; tolerates a half-built lab; never throws for a namespace that is already gone.
     */
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
        final List<String> names;
        synchronized (created)
        {
            names = new ArrayList<>(created);
        }
        RuntimeException failure = null;
        // node namespaces first, the bridge namespace (created first) last
        for (int i = names.size() - 1; i >= 0; i--)
        {
            try
            {
                removeNamespace(names.get(i));
            }
            catch (final RuntimeException ex)
            {
                if (failure == null)
                {
                    failure = ex;
                }
                else
                {
                    failure.addSuppressed(ex);
                }
            }
        }
        deleteOwnerMarker(prefix);
        LabReaper.unregister(this);
        if (failure != null)
        {
            throw failure;
        }
    }

    @Override
    public String toString()
    {
        return "LabNetwork[" + mode + ", prefix " + prefix + (ha ? ", two directors" : "") +
            (offloads ? ", offloads on" : "") + "]";
    }

    /**
     * Removes lab namespaces left by runs that crashed before closing them: those whose owning JVM is gone, or,
     * without an owner record, that are older than this JVM. Live labs of other JVMs are left alone.
     *
     * @return how many namespaces were removed
     */
    public static synchronized int sweepStale()
    {
        swept = true;
        final Instant jvmStart = ProcessHandle.current().info().startInstant().orElse(Instant.now());
        final Map<String, List<String>> byPrefix = new TreeMap<>();
        for (final String name : listNetns())
        {
            final Matcher m = LAB_NAME.matcher(name);
            if (m.matches())
            {
                byPrefix.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(name);
            }
        }
        int removed = 0;
        for (final Map.Entry<String, List<String>> e : byPrefix.entrySet())
        {
            if (!isStale(e.getKey(), e.getValue(), jvmStart))
            {
                continue;
            }
            for (final String name : e.getValue())
            {
                try
                {
                    removeNamespace(name);
                    removed++;
                }
                catch (final RuntimeException ex)
                {
                    System.err.println("[lab] could not remove stale namespace " + name + ": " + ex.getMessage());
                }
            }
            deleteOwnerMarker(e.getKey());
        }
        if (removed > 0)
        {
            LOG.info("removed {} stale lab namespaces", removed);
        }
        return removed;
    }

    /**
     * Lists the namespaces whose names start with a prefix (to check that a closed lab left nothing behind).
     *
     * @param prefix e.g. {@link #prefix()}
     * @return matching namespace names
     */
    public static List<String> namespacesWithPrefix(final String prefix)
    {
        final List<String> out = new ArrayList<>();
        for (final String name : listNetns())
        {
            if (name.startsWith(prefix))
            {
                out.add(name);
            }
        }
        return out;
    }

    private void buildAll()
    {
        synchronized (LabNetwork.class)
        {
            if (!swept)
            {
                sweepStale();
            }
        }
        LabReaper.register(this);
        writeOwnerMarker();

        final String br = bridgeNamespace();
        addNamespace(br);
        Shell.run("ip", "-n", br, "link", "set", "lo", "up");
        // a lab segment is a plain switch: with br_netfilter loaded the bridge would validate IP headers and drop
        // malformed frames before they reach the director, hiding exactly what the hostile-traffic tests send
        for (final String key : new String[] {"bridge-nf-call-iptables", "bridge-nf-call-ip6tables",
            "bridge-nf-call-arptables"})
        {
            Shell.tryRun("ip", "netns", "exec", br, "sysctl", "-qw", "net.bridge." + key + "=0");
        }
        final List<String> bridges = mode.twoArmed() ? List.of("br0", "br1") : List.of("br0");
        for (final String bridge : bridges)
        {
            // no STP: ports forward at once, and a lab segment has no loops
            Shell.run("ip", "-n", br, "link", "add", bridge, "type", "bridge", "stp_state", "0", "forward_delay", "0");
            Shell.run("ip", "-n", br, "link", "set", bridge, "up");
        }

        for (final Node node : nodes)
        {
            final String ns = namespace(node);
            addNamespace(ns);
            ip(node, "link", "set", "lo", "up");
            // The host's IPv4 conf is inherited by new namespaces (devconf_inherit_init_net=0); a host with
            // rp_filter=1 would make the client ignore DR real servers' ARP requests (sender 192.0.2.x, no
            // route back), so every namespace says what it needs instead of depending on the host.
            sysctl(node, "net.ipv4.conf.all.rp_filter", "0");
            sysctl(node, "net.ipv4.conf.default.rp_filter", "0");
            for (final String ifname : interfaces(node))
            {
                final String port = bridgePort(node, ifname);
                // created inside the node namespace, the peer directly in the bridge namespace: no name ever
                // appears in the host namespace, so the fixed name eth0 cannot collide with the host's
                ip(node, "link", "add", ifname, "type", "veth", "peer", "name", port, "netns", br);
                Shell.run("ip", "-n", br, "link", "set", port, "master", bridgeOf(node, ifname));
                if (!offloads)
                {
                    offloadsOff(ns, ifname);
                    offloadsOff(br, port);
                }
                Shell.run("ip", "-n", br, "link", "set", port, "up");
                ip(node, "link", "set", ifname, "up");
            }
        }

        configureClient();
        for (final Node director : directors())
        {
            configureDirector(director);
        }
        configureRealServer(Node.RS1, RS1_ADDRESS);
        configureRealServer(Node.RS2, RS2_ADDRESS);
    }

    private void configureClient()
    {
        ip(Node.CLI, "addr", "add", CLIENT_ADDRESS + "/24", "dev", "eth0");
        // on-link: the client ARPs for the VIP, which only a user-space director answers
        ip(Node.CLI, "route", "add", VIP + "/32", "dev", "eth0");
    }

    private void configureDirector(final Node node)
    {
        ip(node, "addr", "add", directorClientAddress(node) + "/24", "dev", directorClientInterface());
        // in an HA lab the gateway 192.0.2.1 floats: no kernel holds it, the VRRP master answers ARP for it
        ip(node, "addr", "add", directorServerAddress(node) + "/24", "dev", directorServerInterface());
        // a new namespace starts with 0, but the design says the director's kernel never forwards: say it
        sysctl(node, "net.ipv4.ip_forward", "0");
    }

    private void configureRealServer(final Node node, final String address)
    {
        ip(node, "addr", "add", address + "/24", "dev", "eth0");
        if (mode.serversHoldVip())
        {
            ip(node, "addr", "add", VIP + "/32", "dev", "lo");
            // LVS-DR: never answer ARP for the VIP (it is on lo), never use it as an ARP source
            sysctl(node, "net.ipv4.conf.all.arp_ignore", "1");
            sysctl(node, "net.ipv4.conf.eth0.arp_ignore", "1");
            sysctl(node, "net.ipv4.conf.all.arp_announce", "2");
            sysctl(node, "net.ipv4.conf.eth0.arp_announce", "2");
            // replies go straight to the client, which shares the segment
            ip(node, "route", "add", CLIENT_NET, "dev", "eth0");
            if (mode == Mode.TUN)
            {
                // decapsulated packets arrive on a tunnel device with a source routed via eth0
                sysctl(node, "net.ipv4.conf.eth0.rp_filter", "0");
            }
        }
        else
        {
            ip(node, "route", "add", "default", "via", GATEWAY_ADDRESS, "dev", "eth0");
        }
    }

    private static void offloadsOff(final String ns, final String ifname)
    {
        final List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns, "ethtool", "-K", ifname));
        for (final String feature : OFFLOADS)
        {
            all.add(feature);
            all.add("off");
        }
        if (Shell.exec(Shell.DEFAULT_TIMEOUT, all).ok())
        {
            return;
        }
        // one unsupported feature fails the whole call: retry feature by feature, ignoring those that refuse
        for (final String feature : OFFLOADS)
        {
            Shell.tryRun("ip", "netns", "exec", ns, "ethtool", "-K", ifname, feature, "off");
        }
    }

    private void addNamespace(final String name)
    {
        Shell.run("ip", "netns", "add", name);
        created.add(name);
    }

    private static void removeNamespace(final String name)
    {
        // processes keep a namespace (and its veths) alive after `ip netns del`: kill them first. Found by their
        // tasks, not with `ip netns pids`, which looks at main threads only and so misses a JVM that moved just
        // some threads in (a director run with --netns whose test JVM was killed before it could stop it); this
        // JVM is never among them (a test may have moved its own threads in)
        for (final long pid : processesWithATaskIn(NETNS_DIR.resolve(name)))
        {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
        final Shell.Result del = Shell.tryRun("ip", "netns", "del", name);
        if (!del.ok() && Files.exists(NETNS_DIR.resolve(name)))
        {
            del.check();
        }
    }

    /**
     * Finds the processes other than this JVM with at least one thread in a network namespace, by comparing each
     * task's {@code /proc/PID/task/TID/ns/net} link with the namespace file's inode.
     *
     * @param netnsFile the namespace's bind mount, e.g. {@code /var/run/netns/NAME}.
     * @return their pids; empty when the namespace or {@code /proc} cannot be read.
     */
    static List<Long> processesWithATaskIn(final Path netnsFile)
    {
        final String link;
        try
        {
            link = "net:[" + Files.getAttribute(netnsFile, "unix:ino") + "]";
        }
        catch (final IOException | UnsupportedOperationException | IllegalArgumentException ex)
        {
            return List.of();
        }
        final long self = ProcessHandle.current().pid();
        final List<Long> found = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc")))
        {
            procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).forEach(proc ->
            {
                final long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self && anyTaskIn(proc, link))
                {
                    found.add(pid);
                }
            });
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return found;
        }
        return found;
    }

    private static boolean anyTaskIn(final Path proc, final String link)
    {
        try (Stream<Path> tasks = Files.list(proc.resolve("task")))
        {
            return tasks.anyMatch(task ->
            {
                try
                {
                    return link.equals(Files.readSymbolicLink(task.resolve("ns/net")).toString());
                }
                catch (final IOException | SecurityException ex)
                {
                    // the task ended meanwhile, or is not ours to look at
                    return false;
                }
            });
        }
        catch (final IOException | UncheckedIOException ex)
        {
            return false;
        }
    }

    private void writeOwnerMarker()
    {
        final ProcessHandle self = ProcessHandle.current();
        final long start = self.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
        try
        {
            Files.createDirectories(OWNER_DIR);
            Files.writeString(OWNER_DIR.resolve(prefix + "owner"), self.pid() + " " + start + "\n",
                StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            // without a marker a later sweep falls back to comparing ages; not worth failing a test for
            System.err.println("[lab] cannot write owner marker: " + ex);
        }
    }

    private static void deleteOwnerMarker(final String prefix)
    {
        try
        {
            Files.deleteIfExists(OWNER_DIR.resolve(prefix + "owner"));
        }
        catch (final IOException ex)
        {
            // a stale marker only names a dead owner, which a sweep treats as stale anyway
        }
    }

    private static boolean isStale(final String prefix, final List<String> names, final Instant jvmStart)
    {
        final Path marker = OWNER_DIR.resolve(prefix + "owner");
        if (Files.exists(marker))
        {
            try
            {
                final String[] parts = Files.readString(marker, StandardCharsets.UTF_8).strip().split(" ");
                final long pid = Long.parseLong(parts[0]);
                final long start = Long.parseLong(parts[1]);
                final Optional<ProcessHandle> owner = ProcessHandle.of(pid);
                final boolean alive = owner.isPresent() && owner.get().isAlive()
                    && owner.get().info().startInstant().map(Instant::toEpochMilli).orElse(-1L) == start;
                return !alive;
            }
            catch (final IOException | RuntimeException ex)
            {
                // unreadable marker: fall through to the age rule
            }
        }
        for (final String name : names)
        {
            try
            {
                if (Files.getLastModifiedTime(NETNS_DIR.resolve(name)).toInstant().isAfter(jvmStart))
                {
                    return false;
                }
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }

    private static List<String> listNetns()
    {
        if (!Files.isDirectory(NETNS_DIR))
        {
            return List.of();
        }
        try (Stream<Path> files = Files.list(NETNS_DIR))
        {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
        catch (final IOException ex)
        {
            return List.of();
        }
    }

    private static String freshPrefix()
    {
        while (true)
        {
            final StringBuilder sb = new StringBuilder(NAME_START);
            for (int i = 0; i < 5; i++)
            {
                sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
            }
            final String candidate = sb.append('-').toString();
            if (namespacesWithPrefix(candidate).isEmpty())
            {
                return candidate;
            }
        }
    }

    private static String linkJson(final String ns, final String ifname)
    {
        return Shell.run("ip", "-n", ns, "-j", "link", "show", "dev", ifname).stdout();
    }

    private static String jsonField(final String json, final String field)
    {
        final Matcher m = Pattern.compile("\"" + field + "\":\"([^\"]*)\"").matcher(json);
        if (!m.find())
        {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return m.group(1);
    }

    private static String jsonNumber(final String json, final String field)
    {
        final Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        if (!m.find())
        {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return m.group(1);
    }

    private static String[] prepend(final String[] head, final String[] tail)
    {
        final String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }
}
