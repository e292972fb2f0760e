package io.lvs4j.bench.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A compact network-namespace lab for the performance harnesses: namespaces named {@code l4jb<pid>x<rnd>-<node>},
 * veth pairs created directly between two namespaces (nothing ever appears in the host namespace, no route to the
 * host), offloads switched off, background processes started under {@code ip netns exec}, and a cleanup that kills
 * what runs in the namespaces and deletes them. {@link #close()} is idempotent and also runs from a shutdown hook,
 * so Ctrl-C or an exception leaves nothing behind; stale namespaces of dead harness JVMs are swept at start.
 * <p>
 * Resources registered with {@link #own(AutoCloseable)} (a director, a tunnel endpoint) are closed, newest first,
 * before the namespaces go.
 */
final class Lab implements AutoCloseable
{
    static final String NAME_START = "l4jb";
    private static final Pattern OURS = Pattern.compile(NAME_START + "(\\d+)x[a-z0-9]{3}-.+");
    private static final Path NETNS_DIR = Path.of("/var/run/netns");
    private static final String[] OFFLOADS = {"tx", "rx", "tso", "gso", "gro"};
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prefix;
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final List<AutoCloseable> owned = Collections.synchronizedList(new ArrayList<>());
    private final Path workDir;
    private final Thread hook;
    private boolean closed;

    Lab()
    {
        sweepStale();
        final String rnd = Integer.toString(RANDOM.nextInt(36 * 36 * 36) + 36 * 36, 36).substring(0, 3);
        this.prefix = NAME_START + ProcessHandle.current().pid() + "x" + rnd + "-";
        try
        {
            this.workDir = Files.createTempDirectory("lvs4j-lab-");
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot create a work directory: " + ex, ex);
        }
        this.hook = new Thread(this::close, "lab-cleanup");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** Exits with a clear message unless running as root with the given tools installed. */
    static void requireRootAndTools(final String harness, final String... tools)
    {
        final Result id = Shell.tryRun("id", "-u");
        if (!id.ok() || !"0".equals(id.out().strip()))
        {
            System.err.println(harness + ": needs root (network namespaces, veth, AF_PACKET, nft). " +
                "Run it as root, e.g. sudo bench/bin/lab-bench ...");
            System.exit(2);
        }
        final List<String> missing = new ArrayList<>();
        for (final String tool : tools)
        {
            if (!Shell.tryRun("sh", "-c", "command -v " + tool).ok())
            {
                missing.add(tool);
            }
        }
        if (!missing.isEmpty())
        {
            System.err.println(harness + ": missing tools " + missing + " (Debian: iproute2 ethtool nftables " +
                "netsniff-ng wrk nginx-light haproxy curl)");
            System.exit(2);
        }
    }

    /** @return a scratch directory removed on close. */
    Path workDir()
    {
        return workDir;
    }

    /**
     * @param node short name, e.g. {@code dir}
     * @return the namespace's full name
     */
    String ns(final String node)
    {
        return prefix + node;
    }

    /** Creates a namespace with {@code lo} up, rp_filter off (the host's values are inherited otherwise). */
    String addNamespace(final String node)
    {
        final String name = ns(node);
        Shell.run("ip", "netns", "add", name);
        namespaces.add(name);
        Shell.run("ip", "-n", name, "link", "set", "lo", "up");
        sysctl(node, "net.ipv4.conf.all.rp_filter", "0");
        sysctl(node, "net.ipv4.conf.default.rp_filter", "0");
        return name;
    }

    /** A veth pair between two namespaces, offloads off on both ends, both up. */
    void veth(final String nodeA, final String ifA, final String nodeB, final String ifB)
    {
        Shell.run("ip", "-n", ns(nodeA), "link", "add", ifA, "type", "veth", "peer", "name", ifB, "netns", ns(nodeB));
        offloadsOff(nodeA, ifA);
        offloadsOff(nodeB, ifB);
        ip(nodeA, "link", "set", ifA, "up");
        ip(nodeB, "link", "set", ifB, "up");
    }

    void offloadsOff(final String node, final String ifname)
    {
        final List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(node), "ethtool", "-K", ifname));
        for (final String f : OFFLOADS)
        {
            all.add(f);
            all.add("off");
        }
        if (!Shell.exec(all).ok())
        {
            for (final String f : OFFLOADS)
            {
                Shell.tryRun("ip", "netns", "exec", ns(node), "ethtool", "-K", ifname, f, "off");
            }
        }
    }

    Result ip(final String node, final String... args)
    {
        return Shell.run(concat(new String[] {"ip", "-n", ns(node)}, args));
    }

    Result exec(final String node, final String... command)
    {
        return Shell.run(concat(new String[] {"ip", "netns", "exec", ns(node)}, command));
    }

    Result tryExec(final String node, final String... command)
    {
        return Shell.tryRun(concat(new String[] {"ip", "netns", "exec", ns(node)}, command));
    }

    void sysctl(final String node, final String key, final String value)
    {
        exec(node, "sysctl", "-q", "-w", key + "=" + value);
    }

    /** Applies an nft script (a file, so that quoting never matters) in a namespace. */
    void nft(final String node, final String script)
    {
        final Path file = workDir.resolve("nft-" + node + "-" + System.nanoTime() + ".nft");
        write(file, script);
        exec(node, "nft", "-f", file.toString());
    }

    /** @return the interface's MAC, e.g. {@code 0a:1b:2c:3d:4e:5f}. */
    String mac(final String node, final String ifname)
    {
        final String json = ip(node, "-j", "link", "show", "dev", ifname).out();
        final Matcher m = Pattern.compile("\"address\":\"([0-9a-f:]{17})\"").matcher(json);
        if (!m.find())
        {
            throw new IllegalStateException("no MAC for " + ifname + " in " + json);
        }
        return m.group(1);
    }

    /** Interface counters: rx packets, rx dropped, tx packets, tx dropped. */
    long[] linkCounters(final String node, final String ifname)
    {
        final String json = ip(node, "-s", "-j", "link", "show", "dev", ifname).out();
        return new long[] {stat(json, "rx", "packets"), stat(json, "rx", "dropped"), stat(json, "tx", "packets"),
            stat(json, "tx", "dropped")};
    }

    private static long stat(final String json, final String dir, final String field)
    {
        final Matcher m = Pattern.compile("\"" + dir + "\":\\{[^}]*\"" + field + "\":(\\d+)").matcher(json);
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    /**
     * Starts a background process in a namespace; its output goes to a log file in the work directory. It is
     * destroyed on close.
     */
    Process start(final String node, final String logName, final String... command)
    {
        final List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", ns(node)));
        all.addAll(List.of(command));
        final ProcessBuilder pb = new ProcessBuilder(all).redirectErrorStream(true)
            .redirectOutput(workDir.resolve(logName + ".log").toFile());
        try
        {
            final Process p = pb.start();
            processes.add(p);
            return p;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot start " + all + ": " + ex, ex);
        }
    }

    /** @return the log of a process started with {@link #start}. */
    String log(final String logName)
    {
        try
        {
            final Path p = workDir.resolve(logName + ".log");
            return Files.exists(p) ? Files.readString(p) : "";
        }
        catch (final IOException ex)
        {
            return "";
        }
    }

    /** Stops a process started with {@link #start}: SIGTERM, then SIGKILL after a second. */
    void stop(final Process p)
    {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try
        {
            if (!p.waitFor(1, TimeUnit.SECONDS))
            {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        processes.remove(p);
    }

    /** Registers something to close before the namespaces are deleted. */
    <T extends AutoCloseable> T own(final T resource)
    {
        owned.add(resource);
        return resource;
    }

    /** Closes an owned resource now (and forgets it). */
    void release(final AutoCloseable resource)
    {
        owned.remove(resource);
        closeQuietly(resource);
    }

    void write(final Path file, final String text)
    {
        try
        {
            Files.writeString(file, text, StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot write " + file + ": " + ex, ex);
        }
    }

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
        final List<AutoCloseable> resources;
        synchronized (owned)
        {
            resources = new ArrayList<>(owned);
        }
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            closeQuietly(resources.get(i));
        }
        final List<Process> procs;
        synchronized (processes)
        {
            procs = new ArrayList<>(processes);
        }
        for (final Process p : procs)
        {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        final List<String> names;
        synchronized (namespaces)
        {
            names = new ArrayList<>(namespaces);
        }
        for (int i = names.size() - 1; i >= 0; i--)
        {
            removeNamespace(names.get(i));
        }
        deleteTree(workDir);
        if (Thread.currentThread() != hook)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ignored)
            {
                // shutting down already
            }
        }
    }

    private static void closeQuietly(final AutoCloseable resource)
    {
        try
        {
            resource.close();
        }
        catch (final Exception ex)
        {
            System.err.println("[lab] closing " + resource + ": " + ex);
        }
    }

    private static void removeNamespace(final String name)
    {
        final Result pids = Shell.tryRun("ip", "netns", "pids", name);
        if (pids.ok())
        {
            final long self = ProcessHandle.current().pid();
            for (final String pid : pids.out().split("\\s+"))
            {
                if (!pid.isBlank() && Long.parseLong(pid) != self)
                {
                    ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        }
        Shell.tryRun("ip", "netns", "del", name);
    }

    /** Removes namespaces left by harness JVMs that are gone (killed with SIGKILL, say). */
    static void sweepStale()
    {
        if (!Files.isDirectory(NETNS_DIR))
        {
            return;
        }
        try (Stream<Path> files = Files.list(NETNS_DIR))
        {
            for (final Path f : files.toList())
            {
                final Matcher m = OURS.matcher(f.getFileName().toString());
                if (m.matches() && ProcessHandle.of(Long.parseLong(m.group(1))).map(p -> !p.isAlive()).orElse(true))
                {
                    System.err.println("[lab] removing stale namespace " + f.getFileName());
                    removeNamespace(f.getFileName().toString());
                }
            }
        }
        catch (final IOException ex)
        {
            // nothing to sweep
        }
    }

    private static void deleteTree(final Path dir)
    {
        try (Stream<Path> walk = Files.walk(dir))
        {
            for (final Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
        catch (final IOException ex)
        {
            // best effort
        }
    }

    static String[] concat(final String[] head, final String[] tail)
    {
        final String[] all = new String[head.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }

    /** The outcome of a command. */
    record Result(List<String> command, int exitCode, String out)
    {
        boolean ok()
        {
            return exitCode == 0;
        }

        Result check()
        {
            if (!ok())
            {
                throw new IllegalStateException(String.join(" ", command) + " -> exit " + exitCode + ": " + out.strip());
            }
            return this;
        }
    }

    /** Runs commands with a timeout, stdout and stderr together. */
    static final class Shell
    {
        static final long TIMEOUT_MS = 30_000;

        private Shell()
        {
        }

        static Result run(final String... command)
        {
            return exec(List.of(command)).check();
        }

        static Result tryRun(final String... command)
        {
            return exec(List.of(command));
        }

        static Result exec(final List<String> command)
        {
            return exec(command, TIMEOUT_MS);
        }

        static Result exec(final List<String> command, final long timeoutMs)
        {
            final Process p;
            try
            {
                p = new ProcessBuilder(command).redirectErrorStream(true).start();
            }
            catch (final IOException ex)
            {
                return new Result(command, 127, ex.getMessage());
            }
            final byte[][] out = new byte[1][];
            final Thread reader = new Thread(() ->
            {
                try (InputStream in = p.getInputStream())
                {
                    out[0] = in.readAllBytes();
                }
                catch (final IOException ex)
                {
                    out[0] = new byte[0];
                }
            }, "shell-reader");
            reader.setDaemon(true);
            reader.start();
            try
            {
                if (!p.waitFor(timeoutMs, TimeUnit.MILLISECONDS))
                {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                    p.waitFor(2, TimeUnit.SECONDS);
                }
                reader.join(2000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
            final String text = out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8);
            return new Result(command, p.isAlive() ? -1 : p.exitValue(), text);
        }
    }
}
