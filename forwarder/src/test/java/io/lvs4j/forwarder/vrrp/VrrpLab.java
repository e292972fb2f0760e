package io.lvs4j.forwarder.vrrp;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.Shell;

/**
 * Helpers for the VRRP lab tests: a second director namespace on the DR lab's segment (LabNetwork has one
 * director only), lvs4j director + VRRP engine pairs, the seed's {@code vrrp_instance} adapted to the lab, and a
 * Debian keepalived process in a namespace.
 */
final class VrrpLab
{
    static final String INSTANCE = "VI_1";
    static final String DIR2_CLIENT_ADDRESS = "198.51.100.3";
    static final String DIR2_SERVER_ADDRESS = "192.0.2.2";
    static final String URL = "http://" + LabNetwork.VIP + "/";

    private VrrpLab()
    {
    }

    /**
     * The seed's lvs-dr-master.conf / lvs-dr-backup.conf {@code vrrp_instance VI_1} with the lab's interface and
     * VIP (VRID 51, advert_int 1, PASS 1111).
     */
    static String instance(final String state, final int priority, final boolean nopreempt)
    {
        return instance(state, priority, nopreempt, Adverts.V2_MULTICAST);
    }

    /**
     * The seed's {@code vrrp_instance VI_1} (VRID 51, the lab's interface and VIP) with the adverts' version,
     * interval and unicast peers of {@code adverts}; PASS 1111 authentication for VRRPv2 (RFC 5798 has none).
     */
    static String instance(final String state, final int priority, final boolean nopreempt, final Adverts adverts)
    {
        final StringBuilder peers = new StringBuilder();
        if (!adverts.unicastPeers().isEmpty())
        {
            peers.append("    unicast_src_ip ").append(adverts.unicastSrcIp()).append('\n');
            peers.append("    unicast_peer {\n");
            adverts.unicastPeers().forEach(p -> peers.append("        ").append(p).append('\n'));
            peers.append("    }\n");
        }
        final String instance = "vrrp_instance " + INSTANCE + " {\n" +
            "    state " + state + "\n" +
            "    interface eth0\n" +
            "    virtual_router_id 51\n" +
            "    priority " + priority + "\n" +
            "    advert_int " + adverts.advertInt() + "\n" +
            (adverts.version() == 3 && !adverts.versionInGlobalDefs() ? "    version 3\n" : "") +
            (nopreempt ? "    nopreempt\n" : "") +
            (adverts.version() == 2 ?
                "    authentication {\n" +
                "        auth_type PASS\n" +
                "        auth_pass 1111\n" +
                "    }\n" : "") +
            peers +
            "    virtual_ipaddress {\n" +
            "        " + LabNetwork.VIP + "\n" +
            "    }\n" +
            "}\n";
        return adverts.versionInGlobalDefs() ? "global_defs {\n    vrrp_version " + adverts.version() + "\n}\n" +
            instance : instance;
    }

    /**
     * How an instance advertises: VRRP version, advert interval, and unicast source and peers (none: multicast to
     * 224.0.0.18).
     *
     * @param version             2 or 3.
     * @param advertInt           advert_int as written in the config, in seconds ("1", "0.5").
     * @param versionInGlobalDefs version 3 set by {@code vrrp_version} in global_defs rather than in the instance.
     * @param unicastSrcIp        unicast_src_ip, or null for multicast.
     * @param unicastPeers        unicast_peer addresses; empty for multicast.
     */
    record Adverts(int version, String advertInt, boolean versionInGlobalDefs, String unicastSrcIp,
                   List<String> unicastPeers)
    {
        /** The seed's: VRRPv2, advert_int 1, multicast. */
        static final Adverts V2_MULTICAST = new Adverts(2, "1", false, null, List.of());

        /** @return VRRPv2 every second, unicast from {@code src} to {@code peer}. */
        static Adverts v2Unicast(final String src, final String peer)
        {
            return new Adverts(2, "1", false, src, List.of(peer));
        }

        /** @return VRRPv3 multicast every {@code advertInt} seconds, versioned in global_defs or the instance. */
        static Adverts v3(final String advertInt, final boolean inGlobalDefs)
        {
            return new Adverts(3, advertInt, inGlobalDefs, null, List.of());
        }

        /** @return the advert interval in nanoseconds. */
        long advertNs()
        {
            return new java.math.BigDecimal(advertInt).movePointRight(9).longValueExact();
        }

        /**
         * RFC 3768/5798 master-down interval of a backup: 3 x advert interval + skew time, the skew being
         * (256 - priority) / 256 s in v2 and (256 - priority) x interval / 256 in v3.
         */
        long masterDownNs(final int priority)
        {
            final long skew = version == 2 ? (256 - priority) * 1_000_000_000L / 256 :
                (256 - priority) * advertNs() / 256;
            return 3 * advertNs() + skew;
        }
    }

    /** A second director host on the lab's br0: {@code <prefix>dir2} with eth0 198.51.100.3/24 and 192.0.2.2/24. */
    static final class SecondDirector implements AutoCloseable
    {
        final String namespace;

        SecondDirector(final LabNetwork net)
        {
            this.namespace = net.prefix() + "dir2";
            final String br = net.bridgeNamespace();
            Shell.run("ip", "netns", "add", namespace);
            try
            {
                ip("link", "set", "lo", "up");
                exec("sysctl", "-q", "-w", "net.ipv4.conf.all.rp_filter=0");
                exec("sysctl", "-q", "-w", "net.ipv4.conf.default.rp_filter=0");
                exec("sysctl", "-q", "-w", "net.ipv4.ip_forward=0");
                ip("link", "add", "eth0", "type", "veth", "peer", "name", "dir2-eth0", "netns", br);
                Shell.run("ip", "-n", br, "link", "set", "dir2-eth0", "master", "br0");
                offloadsOff(namespace, "eth0");
                offloadsOff(br, "dir2-eth0");
                Shell.run("ip", "-n", br, "link", "set", "dir2-eth0", "up");
                ip("link", "set", "eth0", "up");
                ip("addr", "add", DIR2_CLIENT_ADDRESS + "/24", "dev", "eth0");
                ip("addr", "add", DIR2_SERVER_ADDRESS + "/24", "dev", "eth0");
            }
            catch (final RuntimeException ex)
            {
                close();
                throw ex;
            }
        }

        Shell.Result ip(final String... args)
        {
            final List<String> all = new ArrayList<>(List.of("ip", "-n", namespace));
            all.addAll(List.of(args));
            return Shell.run(all.toArray(String[]::new));
        }

        Shell.Result exec(final String... args)
        {
            final List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
            all.addAll(List.of(args));
            return Shell.run(all.toArray(String[]::new));
        }

        /** @return eth0's MAC, lower-case colon form (as LabCapture.Frame shows MACs). */
        String mac()
        {
            return exec("cat", "/sys/class/net/eth0/address").stdout().strip().toLowerCase(java.util.Locale.ROOT);
        }

        /** @return whether the kernel of this namespace holds the VIP on eth0 (keepalived's master). */
        boolean holdsVip()
        {
            return Shell.tryRun("ip", "-n", namespace, "-4", "-o", "addr", "show", "dev", "eth0").stdout()
                .contains(" " + LabNetwork.VIP + "/");
        }

        @Override
        public void close()
        {
            final Shell.Result pids = Shell.tryRun("ip", "netns", "pids", namespace);
            if (pids.ok())
            {
                final long self = ProcessHandle.current().pid();
                for (final String pid : pids.stdout().split("\\s+"))
                {
                    if (!pid.isBlank() && Long.parseLong(pid) != self)
                    {
                        ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                    }
                }
            }
            Shell.tryRun("ip", "netns", "del", namespace);
        }
    }

    static void offloadsOff(final String ns, final String ifname)
    {
        for (final String feature : new String[] {"tx", "rx", "tso", "gso", "gro", "lro"})
        {
            Shell.tryRun("ip", "netns", "exec", ns, "ethtool", "-K", ifname, feature, "off");
        }
    }

    /** An lvs4j director with the lab's DR service (rr over rs1/rs2) and a VRRP engine, in one namespace. */
    static final class LvsNode implements AutoCloseable
    {
        final String namespace;
        final Director director;
        final VrrpEngine engine;

        LvsNode(final String namespace, final String config)
        {
            this.namespace = namespace;
            director = Director.launch(new Director.Context()
                .networkNamespace(namespace)
                .interfaces("eth0")
                .workers(1)
                .connectionCapacity(1 << 14)
                .channels(new AfPacketChannels(namespace, b -> b.retireTimeoutMs(1))));
            try
            {
                final VirtualService rr = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
                director.addService(rr);
                director.addRealServer(rr, RealServers.direct(LabNetwork.RS1_ADDRESS, 80, 1));
                director.addRealServer(rr, RealServers.direct(LabNetwork.RS2_ADDRESS, 80, 1));
                engine = VrrpEngine.launch(director, new KeepalivedParser().parse("lab.conf", config, Path.of(".")),
                    new VrrpEngine.Context().networkNamespace(namespace));
            }
            catch (final RuntimeException ex)
            {
                director.close();
                throw ex;
            }
        }

        VrrpState state()
        {
            return engine.state(INSTANCE);
        }

        boolean isMaster()
        {
            return state() == VrrpState.MASTER && director.isMaster();
        }

        /** Like a kill -9: the director goes first, so the engine's priority-0 release never leaves. */
        void kill()
        {
            director.close();
            engine.close();
        }

        /** Graceful: the engine sends priority 0 through the still-running director, then the director stops. */
        @Override
        public void close()
        {
            engine.close();
            director.close();
        }

        String counters()
        {
            final VrrpCounters c = engine.counters();
            return "received " + c.advertsReceived() + ", sent " + c.advertsSent() + ", refused " + c.sendsRefused() +
                ", transitions " + c.transitions() + ", drops " +
                c.dropsByReason().entrySet().stream().filter(e -> e.getValue() != 0).toList();
        }
    }

    /** Debian's keepalived, VRRP only, in a namespace, logging to a file. */
    static final class Keepalived implements AutoCloseable
    {
        final Path dir;
        final Path log;
        final Path pidFile;
        final Path vrrpPidFile;
        final Process process;

        Keepalived(final String namespace, final String config) throws IOException
        {
            dir = Files.createTempDirectory("lvs4j-keepalived");
            final Path conf = dir.resolve("keepalived.conf");
            Files.writeString(conf, "global_defs {\n    router_id LVS_DEVEL_KA\n}\n" + config);
            log = dir.resolve("keepalived.log");
            pidFile = dir.resolve("keepalived.pid");
            vrrpPidFile = dir.resolve("vrrp.pid");
            process = new ProcessBuilder("ip", "netns", "exec", namespace, "/usr/sbin/keepalived", "-n", "-l", "-D",
                "-P", "-f", conf.toString(), "-p", pidFile.toString(), "-r", vrrpPidFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }

        String log()
        {
            try
            {
                return Files.readString(log);
            }
            catch (final IOException ex)
            {
                return "(no log: " + ex + ")";
            }
        }

        long pid(final Path file)
        {
            try
            {
                return Long.parseLong(Files.readString(file).strip());
            }
            catch (final IOException | NumberFormatException ex)
            {
                return -1;
            }
        }

        /**
         * SIGKILL without any goodbye: the parent is stopped first (so it neither respawns the VRRP child nor lets
         * it see its parent die), then the VRRP child and the parent are killed.
         */
        void kill9() throws InterruptedException
        {
            final long parent = pid(pidFile);
            final long child = pid(vrrpPidFile);
            if (parent > 0)
            {
                Shell.tryRun("kill", "-STOP", Long.toString(parent));
            }
            if (child > 0)
            {
                Shell.tryRun("kill", "-KILL", Long.toString(child));
            }
            if (parent > 0)
            {
                Shell.tryRun("kill", "-KILL", Long.toString(parent));
            }
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }

        @Override
        public void close()
        {
            try
            {
                kill9();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            try (var files = Files.list(dir))
            {
                for (final Path p : files.toList())
                {
                    Files.deleteIfExists(p);
                }
                Files.deleteIfExists(dir);
            }
            catch (final IOException ignored)
            {
                // a temp dir left behind is harmless
            }
        }
    }

    /**
     * Waits for a condition, polling every 5 ms.
     *
     * @return the nanoseconds it took, or -1 when it did not happen in time.
     */
    static long await(final BooleanSupplier condition, final long timeoutMs)
    {
        return awaitSince(System.nanoTime(), condition, timeoutMs);
    }

    /**
     * Waits for a condition, polling every 5 ms.
     *
     * @return the nanoseconds since {@code start} when it held, or -1 when it did not in time.
     */
    static long awaitSince(final long start, final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            if (condition.getAsBoolean())
            {
                return System.nanoTime() - start;
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return -1;
            }
        }
        return condition.getAsBoolean() ? System.nanoTime() - start : -1;
    }

    static String seconds(final long nanos)
    {
        return nanos < 0 ? "never" : String.format("%.3f s", nanos / 1e9);
    }

    static void closeQuietly(final AutoCloseable c)
    {
        if (c == null)
        {
            return;
        }
        try
        {
            c.close();
        }
        catch (final Exception ignored)
        {
            // best effort in cleanup
        }
    }
}
