package io.lvs4j.forwarder.nativeio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway network namespace for one lab test, named {@code lvs4j-afp-<random>}, with loopback up and IPv6
 * off (so that new interfaces do not send router solicitations and MLD reports into the frames a test counts).
 * It has no route to the host's interfaces: only what the test puts in it. {@link #close()} deletes it, and with it
 * every interface inside; use it in try-with-resources so that that happens in every outcome.
 */
public final class LabNamespace implements AutoCloseable
{
    private final String name;

    private LabNamespace(final String name)
    {
        this.name = name;
    }

    /**
     * Creates a namespace.
     *
     * @return the namespace.
     * @throws Exception when {@code ip netns add} fails.
     */
    public static LabNamespace create() throws Exception
    {
        final String name = "lvs4j-afp-" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 16);
        run("ip", "netns", "add", name);
        final LabNamespace ns = new LabNamespace(name);
        try
        {
            ns.exec("sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1");
            ns.exec("sysctl", "-qw", "net.ipv6.conf.default.disable_ipv6=1");
            ns.ip("link", "set", "lo", "up");
        }
        catch (final Exception ex)
        {
            ns.close();
            throw ex;
        }
        return ns;
    }

    /** @return the namespace's name, for {@link NetworkNamespace}. */
    public String name()
    {
        return name;
    }

    /**
     * Adds a veth pair inside the namespace and brings both ends up.
     *
     * @param a one end.
     * @param b the other end.
     * @throws Exception when {@code ip} fails.
     */
    public void vethPair(final String a, final String b) throws Exception
    {
        ip("link", "add", a, "type", "veth", "peer", "name", b);
        ip("link", "set", a, "up");
        ip("link", "set", b, "up");
    }

    /**
     * Runs {@code ip -n NAME args...}.
     *
     * @param args the arguments after {@code -n NAME}.
     * @return its output.
     * @throws Exception when it fails.
     */
    public String ip(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(Arrays.asList(args));
        return run(command.toArray(new String[0]));
    }

    /**
     * Runs a command inside the namespace ({@code ip netns exec}).
     *
     * @param args the command.
     * @return its output.
     * @throws Exception when it fails.
     */
    public String exec(final String... args) throws Exception
    {
        final List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name));
        command.addAll(Arrays.asList(args));
        return run(command.toArray(new String[0]));
    }

    /**
     * Runs a command and waits up to 20 s.
     *
     * @param command the command.
     * @return its output (stdout and stderr).
     * @throws IOException when it fails or times out.
     * @throws InterruptedException when interrupted.
     */
    public static String run(final String... command) throws IOException, InterruptedException
    {
        final Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        final byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(20, TimeUnit.SECONDS))
        {
            p.destroyForcibly();
            throw new IOException("timed out: " + String.join(" ", command));
        }
        final String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0)
        {
            throw new IOException("exit " + p.exitValue() + ": " + String.join(" ", command) + ": " + text);
        }
        return text;
    }

    /** Deletes the namespace and everything in it; never throws. */
    @Override
    public void close()
    {
        try
        {
            run("ip", "netns", "delete", name);
        }
        catch (final Exception ex)
        {
            System.err.println("[lab] could not delete namespace " + name + ": " + ex.getMessage());
        }
    }

    @Override
    public String toString()
    {
        return name;
    }
}
