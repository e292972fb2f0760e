package io.lvs4j.forwarder.lab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A lab real server: a {@link NameHttpServer} JVM running inside a namespace, answering {@code GET /} with its name.
 * {@link #start()} returns once the server listens; {@link #stop()} kills it (so a test can take a real server away
 * and expect traffic to move) and {@link #start()} may bring it back.
 */
public final class LabHttpServer implements AutoCloseable
{
    /** How long a child JVM may take to listen on a busy 2-core machine. */
    private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
    private static final int OUTPUT_TAIL = 50;

    private final String namespace;
    private final String bindAddress;
    private final int port;
    private final String name;
    private final Deque<String> output = new ArrayDeque<>();
    private Process process;

    /**
     * Describes a server; nothing runs until {@link #start()}.
     *
     * @param namespace the network namespace to run in
     * @param bindAddress the address to listen on, or {@code 0.0.0.0} (needed for DR/TUN, where the VIP is on lo)
     * @param port the TCP port
     * @param name what {@code GET /} answers (followed by a newline)
     */
    public LabHttpServer(final String namespace, final String bindAddress, final int port, final String name)
    {
        this.namespace = namespace;
        this.bindAddress = bindAddress;
        this.port = port;
        this.name = name;
    }

    /**
     * Starts a server on a lab host, listening on all addresses and named after the host ({@code rs1}, {@code rs2}).
     *
     * @param net the lab
     * @param node the host, normally {@link LabNetwork.Node#RS1} or {@link LabNetwork.Node#RS2}
     * @param port the TCP port
     * @return the running server; close it
     */
    public static LabHttpServer startOn(final LabNetwork net, final LabNetwork.Node node, final int port)
    {
        return new LabHttpServer(net.namespace(node), "0.0.0.0", port, node.shortName()).start();
    }

    /**
     * Launches the server JVM in its namespace and waits until it listens.
     *
     * @return this
     * @throws IllegalStateException if it is already running, or exits or stays silent instead of listening
     */
    public synchronized LabHttpServer start()
    {
        if (process != null && process.isAlive())
        {
            throw new IllegalStateException(this + " is already running");
        }
        final String java = ProcessHandle.current().info().command().orElse("java");
        final Path readyFile;
        try
        {
            readyFile = Files.createTempFile("lvs4j-http-" + name, ".ready");
            Files.delete(readyFile);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make a ready file", ex);
        }
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, java,
            "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
            // Nagle plus delayed ACK would add ~40 ms to keep-alive answers written in two pieces
            "-Dsun.net.httpserver.nodelay=true",
            "-cp", System.getProperty("java.class.path"),
            NameHttpServer.class.getName(), bindAddress, Integer.toString(port), name, readyFile.toString()));
        final Process p;
        try
        {
            // stdin stays a pipe we hold: the child exits when it closes, i.e. when this JVM dies
            p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), ex);
        }
        process = p;
        synchronized (output)
        {
            output.clear();
        }
        LabReaper.register(this);
        final Thread reader = new Thread(() -> readOutput(p), "lab-http-" + name);
        reader.setDaemon(true);
        reader.start();
        try
        {
            final long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
            while (!Files.exists(readyFile))
            {
                Thread.sleep(20);
                if (!p.isAlive() || System.nanoTime() > deadline)
                {
                    final String why = p.isAlive()
                        ? "did not listen within " + READY_TIMEOUT
                        : "exited " + p.exitValue();
                    stop();
                    throw new IllegalStateException(this + " " + why + "; output:\n" + outputTail());
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            stop();
            throw new IllegalStateException("interrupted while starting " + this, ex);
        }
        finally
        {
            try
            {
                Files.deleteIfExists(readyFile);
            }
            catch (final IOException ignored)
            {
                // a leftover temporary file is harmless
            }
        }
        return this;
    }

    /** Kills the server at once (no graceful close: its connections die with it) and waits for it to exit. */
    public synchronized void stop()
    {
        final Process p = process;
        if (p == null)
        {
            return;
        }
        p.destroyForcibly();
        try
        {
            p.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        process = null;
        LabReaper.unregister(this);
    }

    /** @return whether the server process is alive. */
    public synchronized boolean isRunning()
    {
        return process != null && process.isAlive();
    }

    /** @return the server process's pid (the JVM itself: {@code ip netns exec} execs it), or -1 if not running. */
    public synchronized long pid()
    {
        return process == null ? -1 : process.pid();
    }

    /** @return what {@code GET /} answers, without the newline. */
    public String name()
    {
        return name;
    }

    /** @return the TCP port. */
    public int port()
    {
        return port;
    }

    /** @return the namespace it runs in. */
    public String namespace()
    {
        return namespace;
    }

    /** @return the last lines the server printed (start-up line, errors), for failure messages. */
    public String outputTail()
    {
        synchronized (output)
        {
            return String.join("\n", output);
        }
    }

    /** Same as {@link #stop()}. */
    @Override
    public void close()
    {
        stop();
    }

    @Override
    public String toString()
    {
        return "LabHttpServer[" + name + " " + bindAddress + ":" + port + " in " + namespace + "]";
    }

    private void readOutput(final Process p)
    {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = r.readLine()) != null)
            {
                synchronized (output)
                {
                    output.addLast(line);
                    if (output.size() > OUTPUT_TAIL)
                    {
                        output.removeFirst();
                    }
                }
            }
        }
        catch (final IOException ex)
        {
            // the process was killed; nothing more to read
        }
    }
}
