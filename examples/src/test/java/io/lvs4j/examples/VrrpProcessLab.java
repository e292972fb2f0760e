package io.lvs4j.examples;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import org.junit.jupiter.api.Assumptions;

import io.lvs4j.forwarder.admin.AdminClient;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.Shell;

/**
 * Helpers for the process-based VRRP lab tests: the seed's DR configurations with the lab's addresses, the bundled
 * director ({@code lvs4j director -f}) as a separate JVM in a director namespace of an HA lab
 * ({@link LabNetwork.Builder#backupDirector()}), its VRRP status through the admin socket ({@code --vrrp}), Debian's
 * keepalived in a namespace, and timing helpers.
 */
final class VrrpProcessLab
{
    /** The seed's instance name. */
    static final String INSTANCE = "VI_1";
    /** The URL of the lab's VIP. */
    static final String URL = "http://" + LabNetwork.VIP + "/";
    /** The seed's interface name, mapped to the lab's eth0 with {@code --vrrp-interface}. */
    static final String SEED_INTERFACE = "eno16777736";

    private VrrpProcessLab()
    {
    }

    /**
     * Skips the calling test, printing why, unless this machine can run the lab (root, iproute2, curl, and for
     * keepalived's tests Debian's keepalived). {@code -Dlvs4j.lab=off} skips on purpose.
     *
     * @param keepalived whether the test runs keepalived.
     */
    static void assumeLab(final boolean keepalived)
    {
        String reason = null;
        if ("off".equals(System.getProperty("lvs4j.lab")))
        {
            reason = "lab tests switched off with -Dlvs4j.lab=off";
        }
        else if (!"root".equals(System.getProperty("user.name")))
        {
            reason = "the VRRP lab needs root (network namespaces)";
        }
        else if (!Files.isExecutable(Path.of("/usr/sbin/ip")) || !Files.isExecutable(Path.of("/usr/bin/curl")))
        {
            reason = "the VRRP lab needs iproute2 and curl";
        }
        else if (keepalived && !Files.isExecutable(Path.of("/usr/sbin/keepalived")))
        {
            reason = "the interoperability lab needs keepalived (Debian's package)";
        }
        if (reason != null)
        {
            System.out.println("[lab] skipped: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
    }

    /**
     * One of the seed's DR configurations ({@code lvs-dr-master.conf} or {@code lvs-dr-backup.conf}) with the lab's
     * addresses in place of the seed's (VIP 203.0.113.10, real servers 192.0.2.11 and 192.0.2.12), and otherwise as
     * the seed has it (interface eno16777736, VRID 51, priority 100, advert_int 1, PASS 1111, wrr 1:2, TCP_CHECK).
     *
     * @param name {@code master} or {@code backup}.
     * @return the configuration's text.
     */
    static String seed(final String name)
    {
        try (InputStream in = VrrpProcessLab.class.getResourceAsStream("/seed/lvs-dr-" + name + ".conf"))
        {
            if (in == null)
            {
                throw new IllegalStateException("no seed configuration " + name);
            }
            final String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            final String lab = text.replace("192.168.20.50", LabNetwork.VIP)
                .replace("192.168.20.233", LabNetwork.RS1_ADDRESS)
                .replace("192.168.20.203", LabNetwork.RS2_ADDRESS);
            if (lab.equals(text) || lab.contains("192.168.20."))
            {
                throw new IllegalStateException("the seed's addresses changed: " + text);
            }
            return lab;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Changes one setting of the seed's {@code vrrp_instance} (every other line stays as it is).
     *
     * @param config   a configuration from {@link #seed(String)}.
     * @param priority the instance's priority.
     * @param state    its initial state ({@code MASTER} or {@code BACKUP}).
     * @param extra    lines to add to the instance (e.g. {@code nopreempt}), may be empty.
     * @return the changed configuration.
     */
    static String instance(final String config, final int priority, final String state, final String extra)
    {
        final String changed = config.replaceFirst("priority 100", "priority " + priority)
            .replaceFirst("state (MASTER|BACKUP)", "state " + state)
            .replaceFirst("advert_int 1", "advert_int 1\n        " + extra);
        if (!changed.contains("priority " + priority) || !changed.contains("state " + state))
        {
            throw new IllegalStateException("cannot adapt " + config);
        }
        return changed;
    }

    /**
     * Only the seed's {@code vrrp_instance} block (for keepalived, which then runs VRRP only and holds the VIP in
     * its namespace's kernel), with the lab's interface name.
     *
     * @param config a configuration from {@link #seed(String)} or {@link #instance}.
     * @param extra  text inserted before the instance's closing brace (notify scripts), may be empty.
     * @return {@code global_defs} and the instance.
     */
    static String vrrpOnly(final String config, final String extra)
    {
        final int start = config.indexOf("vrrp_instance");
        final int end = config.indexOf("virtual_server");
        final String block = config.substring(start, end).strip();
        final String body = block.substring(0, block.lastIndexOf('}'));
        return "global_defs {\n    router_id LVS_KEEPALIVED\n}\n" +
            body.replace(SEED_INTERFACE, "eth0") + extra + "\n}\n";
    }

    /** The bundled director, a JVM of its own in one of the lab's director namespaces. */
    static final class DirectorProcess implements AutoCloseable
    {
        final String name;
        final Path socket;
        final Path log;
        final Process process;
        final long started;

        /**
         * Starts {@code lvs4j director -f CONF -n -l --netns NS --interface eth0 --vrrp-interface
         * eno16777736=eth0}.
         *
         * @param net    the lab.
         * @param node   the director's host.
         * @param dir    a directory for its files.
         * @param name   a name for its files.
         * @param config the configuration's text.
         */
        DirectorProcess(final LabNetwork net, final LabNetwork.Node node, final Path dir, final String name,
            final String config) throws IOException
        {
            this.name = name;
            final Path conf = dir.resolve(name + ".conf");
            Files.writeString(conf, config);
            socket = dir.resolve(name + ".sock");
            log = dir.resolve(name + ".log");
            Files.deleteIfExists(socket);
            final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java")));
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native")).forEach(command::add);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"),
                Lvs4j.class.getName(), "director", "-f", conf.toString(), "-n", "-l", "--netns", net.namespace(node),
                "--interface", "eth0", "--vrrp-interface", SEED_INTERFACE + "=eth0", "--admin-socket",
                socket.toString(), "--stats-file", dir.resolve(name + ".stats").toString()));
            started = System.nanoTime();
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        }

        /** Waits until the admin socket answers; throws with the log when it does not in 30 s. */
        DirectorProcess awaitRunning() throws IOException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline && process.isAlive())
            {
                if (Files.exists(socket) && status().containsKey("state"))
                {
                    return this;
                }
                sleep(50);
            }
            throw new IllegalStateException(name + " did not start: " + log());
        }

        /**
         * @return the {@code --vrrp} status as a map: {@code state}, {@code priority}, {@code master},
         *         {@code forwarded}, {@code control_queue_full}, {@code received}, {@code sent},
         *         {@code transitions}, {@code drop.REASON}; empty when the socket does not answer.
         */
        Map<String, String> status()
        {
            final AdminResponse r;
            try
            {
                r = AdminClient.call(socket, List.of(VrrpStatusAdminCommand.VRRP));
            }
            catch (final IOException ex)
            {
                return Map.of();
            }
            final Map<String, String> map = new HashMap<>();
            for (final String line : r.out().split("\n"))
            {
                final String[] w = line.trim().split("\\s+");
                if (w.length >= 6 && w[0].equals("instance") && w[1].equals(INSTANCE))
                {
                    map.put("state", w[3]);
                    map.put("priority", w[5]);
                }
                else if (w[0].equals("director") || w[0].equals("adverts"))
                {
                    for (int i = 1; i + 1 < w.length; i += 2)
                    {
                        map.put(w[i], w[i + 1]);
                    }
                }
                else if (w[0].equals("drop") && w.length == 3)
                {
                    map.put("drop." + w[1], w[2]);
                }
            }
            return map;
        }

        /** @return the instance's state, or {@code DOWN} when the director does not answer. */
        String state()
        {
            return status().getOrDefault("state", "DOWN");
        }

        /** @return whether the instance is MASTER and the director forwards. */
        boolean isMaster()
        {
            final Map<String, String> s = status();
            return "MASTER".equals(s.get("state")) && "yes".equals(s.get("master"));
        }

        /** @return a number of the status, 0 when absent. */
        long number(final String key)
        {
            return Long.parseLong(status().getOrDefault(key, "0"));
        }

        /** SIGKILL: no priority-0 advert, no cleanup; the way a crashed master goes. */
        void kill9() throws InterruptedException
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
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

        @Override
        public void close() throws InterruptedException
        {
            kill9();
        }
    }

    /** Debian's keepalived, VRRP only, in a namespace, with a notify script recording its states in a file. */
    static final class Keepalived implements AutoCloseable
    {
        final Path dir;
        final Path log;
        final Path states;
        final Path pidFile;
        final Path vrrpPidFile;
        final Process process;

        /**
         * Starts {@code keepalived -n -l -D -P} with the instance block of {@code config} (from the seed).
         *
         * @param namespace where it runs.
         * @param dir       a directory for its files.
         * @param config    a configuration from {@link #seed(String)} or {@link #instance}.
         */
        Keepalived(final String namespace, final Path dir, final String config) throws IOException
        {
            this.dir = dir;
            Files.createDirectories(dir);
            states = dir.resolve("states");
            Files.writeString(states, "");
            final Path notify = dir.resolve("notify.sh");
            Files.writeString(notify, "#!/bin/sh\necho \"$3\" >> " + states + "\n");
            notify.toFile().setExecutable(true);
            final Path conf = dir.resolve("keepalived.conf");
            Files.writeString(conf, vrrpOnly(config, "        notify " + notify + "\n"));
            log = dir.resolve("keepalived.log");
            pidFile = dir.resolve("keepalived.pid");
            vrrpPidFile = dir.resolve("vrrp.pid");
            process = new ProcessBuilder("ip", "netns", "exec", namespace, "keepalived", "-n", "-l", "-D", "-P",
                "--no-syslog", "-f", conf.toString(), "-p", pidFile.toString(), "-r", vrrpPidFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        }

        /** @return the states keepalived's notify script saw, in order (MASTER, BACKUP, FAULT, STOP). */
        List<String> states()
        {
            try
            {
                return Files.readAllLines(states).stream().map(String::strip).filter(s -> !s.isEmpty()).toList();
            }
            catch (final IOException ex)
            {
                return List.of();
            }
        }

        /** @return the last state keepalived reported, {@code INIT} before the first. */
        String state()
        {
            final List<String> all = states();
            return all.isEmpty() ? "INIT" : all.get(all.size() - 1);
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

        private static long pid(final Path file)
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
         * SIGKILL without a goodbye (no priority-0 advert): the parent is stopped first so it neither restarts the
         * VRRP child nor tells it to stop, then both are killed.
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
            process.waitFor(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws InterruptedException
        {
            kill9();
        }
    }

    /**
     * Polls the VIP every ~100 ms (a new connection each time, 400 ms each at most) until a request succeeds.
     *
     * @param client    the lab's client.
     * @param since     System.nanoTime() to measure from.
     * @param timeoutMs how long to try.
     * @return nanoseconds from {@code since} to the end of the first successful request, -1 if none.
     */
    static long firstAnswer(final LabClient client, final long since, final long timeoutMs)
    {
        final long deadline = since + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            final long attempt = System.nanoTime();
            if (client.get(URL, 400).ok())
            {
                return System.nanoTime() - since;
            }
            sleep(Math.max(0, 100 - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - attempt)));
        }
        return -1;
    }

    /**
     * Waits for a condition, polling every 20 ms.
     *
     * @return nanoseconds from {@code since} until it held, -1 when it did not in time.
     */
    static long awaitSince(final long since, final BooleanSupplier condition, final long timeoutMs)
    {
        final long deadline = since + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (System.nanoTime() < deadline)
        {
            if (condition.getAsBoolean())
            {
                return System.nanoTime() - since;
            }
            sleep(20);
        }
        return condition.getAsBoolean() ? System.nanoTime() - since : -1;
    }

    /** @return seconds with milliseconds, {@code never} for -1. */
    static String seconds(final long nanos)
    {
        return nanos < 0 ? "never" : String.format("%.3f s", nanos / 1e9);
    }

    /**
     * Asserts nothing; sleeps, restoring the interrupt flag.
     *
     * @param ms milliseconds.
     */
    static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes quietly, for finally blocks. */
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
