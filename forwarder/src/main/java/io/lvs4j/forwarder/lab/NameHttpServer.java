package io.lvs4j.forwarder.lab;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A lab real server: a tiny HTTP/1.1 server that answers with its own name, so a client can tell which real server a
 * director picked. Run as its own JVM inside a namespace by {@link LabHttpServer}; not used in-process.
 *
 * <ul>
 *   <li>{@code GET /} answers {@code <name>\n} (keep-alive supported);</li>
 *   <li>{@code GET /stream?seconds=N&interval=MS} writes {@code <name> <seq>\n} every MS ms for N seconds, chunked and
 *       flushed per line: a long-lived connection to watch;</li>
 *   <li>{@code GET /health} answers 200 {@code ok\n}.</li>
 * </ul>
 * Once listening it writes {@code READY <addr>:<port> <name>} to the ready file it was given, and it exits when its
 * standard input closes, so that it dies with the JVM that started it even if that JVM is killed.
 */
public final class NameHttpServer
{
    /** What the ready file holds once the socket listens; {@link LabHttpServer} waits for it. */
    public static final String READY = "READY";

    private NameHttpServer()
    {
    }

    /**
     * Starts the server and blocks until stdin closes.
     *
     * @param args bind address (or 0.0.0.0), port, name, ready file
     * @throws IOException if the socket cannot be bound
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 4)
        {
            System.err.println("usage: NameHttpServer <bind address> <port> <name> <ready file>");
            System.exit(2);
        }
        final String name = args[2];
        final HttpServer server = HttpServer.create(new InetSocketAddress(args[0], Integer.parseInt(args[1])), 128);
        // a fixed pool so that a few long streams cannot starve short requests, and no thread per connection
        final ExecutorService pool = Executors.newFixedThreadPool(16, r ->
        {
            final Thread t = new Thread(r, "http-" + name);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(pool);
        server.createContext("/", ex -> answer(ex, name));
        server.createContext("/health", ex -> fixed(ex, 200, "ok\n"));
        server.createContext("/stream", ex -> stream(ex, name));
        server.start();
        // written whole, then renamed: the parent never sees a half-written file
        final Path ready = Path.of(args[3]);
        final Path partial = ready.resolveSibling(ready.getFileName() + ".tmp");
        Files.writeString(partial, READY + " " + args[0] + ":" + args[1] + " " + name + "\n");
        Files.move(partial, ready, StandardCopyOption.ATOMIC_MOVE);

        // parent gone (or closed our stdin on purpose): stop
        final InputStream in = System.in;
        final byte[] sink = new byte[256];
        while (in.read(sink) >= 0)
        {
            // ignore anything written to us
        }
        server.stop(0);
        System.exit(0);
    }

    private static void answer(final HttpExchange ex, final String name) throws IOException
    {
        if (!"/".equals(ex.getRequestURI().getPath()))
        {
            fixed(ex, 404, "not found\n");
            return;
        }
        fixed(ex, 200, name + "\n");
    }

    private static void fixed(final HttpExchange ex, final int status, final String body) throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        drain(ex);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        echoClose(ex);
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody())
        {
            out.write(bytes);
        }
    }

    private static void stream(final HttpExchange ex, final String name) throws IOException
    {
        final Map<String, String> q = query(ex.getRequestURI());
        final long seconds = Long.parseLong(q.getOrDefault("seconds", "10"));
        final long interval = Math.max(1, Long.parseLong(q.getOrDefault("interval", "100")));
        drain(ex);
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        echoClose(ex);
        // length 0 means chunked: each flush below sends one chunk at once
        ex.sendResponseHeaders(200, 0);
        final long end = System.nanoTime() + seconds * 1_000_000_000L;
        long seq = 0;
        try (OutputStream out = ex.getResponseBody())
        {
            long next = System.nanoTime();
            while (next < end)
            {
                out.write((name + " " + seq++ + "\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
                next += interval * 1_000_000L;
                final long sleep = next - System.nanoTime();
                if (sleep > 0)
                {
                    Thread.sleep(sleep / 1_000_000L, (int) (sleep % 1_000_000L));
                }
            }
        }
        catch (final InterruptedException e)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static void echoClose(final HttpExchange ex)
    {
        // The JDK server closes after a `Connection: close` request without saying so in the response; a client
        // that sent it as a plain header (curl -H) then reuses the connection for its next request, which meets
        // the close and is reset. Saying it makes the client open a new connection, as the request meant.
        final String connection = ex.getRequestHeaders().getFirst("Connection");
        if (connection != null && connection.equalsIgnoreCase("close"))
        {
            ex.getResponseHeaders().set("Connection", "close");
        }
    }

    private static void drain(final HttpExchange ex) throws IOException
    {
        // a request body left unread would break keep-alive
        try (InputStream in = ex.getRequestBody())
        {
            in.transferTo(OutputStream.nullOutputStream());
        }
    }

    private static Map<String, String> query(final URI uri)
    {
        final Map<String, String> out = new HashMap<>();
        final String raw = uri.getRawQuery();
        if (raw != null)
        {
            for (final String pair : raw.split("&"))
            {
                final int eq = pair.indexOf('=');
                if (eq > 0)
                {
                    out.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return out;
    }
}
