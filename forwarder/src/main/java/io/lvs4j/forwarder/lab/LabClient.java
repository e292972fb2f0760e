package io.lvs4j.forwarder.lab;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Real HTTP clients (curl) run inside the lab's client namespace: single requests, many requests each on a new
 * connection (to see how a scheduler spreads connections), and long-lived streams (to see that a connection stays on
 * one real server and is not reset). Every call is bounded by curl's own {@code --max-time} and by a process
 * timeout, so a black-holed VIP makes a test fail, never hang.
 */
public final class LabClient
{
    /** The per-request timeout when none is given. */
    public static final long DEFAULT_TIMEOUT_MS = 3000;
    /** How {@link #getMany} files requests that failed: this prefix plus curl's exit code, e.g. {@code !curl-28}. */
    public static final String FAILED = "!curl-";

    private static final String MARK = "@@lab-exit=";
    private static final Pattern MARK_LINE = Pattern.compile("\n" + MARK + "(\\d+) code=(\\d+)\n");

    private final String namespace;

    /**
     * A client in any namespace.
     *
     * @param namespace the namespace curl runs in
     */
    public LabClient(final String namespace)
    {
        this.namespace = namespace;
    }

    /**
     * The lab's client ({@code cli}, 198.51.100.2).
     *
     * @param net the lab
     * @return a client running in its client namespace
     */
    public static LabClient on(final LabNetwork net)
    {
        return new LabClient(net.namespace(LabNetwork.Node.CLI));
    }

    /**
     * What one request got.
     *
     * @param exitCode curl's exit code: 0 success, 7 refused, 28 timed out, 52 empty reply, 56 reset (see curl(1));
     *                 -1 when the process had to be killed
     * @param httpStatus the HTTP status, 0 when none arrived
     * @param body the response body as received
     * @param error curl's error message, empty on success
     */
    public record Response(int exitCode, int httpStatus, String body, String error)
    {
        /** @return whether curl succeeded and the status was 2xx. */
        public boolean ok()
        {
            return exitCode == 0 && httpStatus >= 200 && httpStatus < 300;
        }

        /** @return the body without surrounding white space, e.g. {@code rs1}. */
        public String text()
        {
            return body.strip();
        }
    }

    /**
     * GETs a URL on a new connection.
     *
     * @param url e.g. {@code http://203.0.113.10/}
     * @param timeoutMs curl's {@code --max-time}
     * @return the response, or a failure carrying curl's exit code
     */
    public Response get(final String url, final long timeoutMs)
    {
        final Shell.Result r = Shell.exec(Duration.ofMillis(timeoutMs + 5000), List.of(
            "ip", "netns", "exec", namespace, "curl", "-s", "-S", "--max-time", seconds(timeoutMs),
            "-w", "\n" + MARK + "%{exitcode} code=%{http_code}\n", url));
        if (r.timedOut())
        {
            return new Response(-1, 0, "", "curl killed after " + (timeoutMs + 5000) + " ms");
        }
        final List<Response> all = parse(r.stdout(), r.stderr());
        if (all.isEmpty())
        {
            return new Response(r.exitCode(), 0, r.stdout(), r.stderr().strip());
        }
        return all.get(0);
    }

    /**
     * GETs a URL with the default timeout.
     *
     * @param url the URL
     * @return the response, or a failure carrying curl's exit code
     */
    public Response get(final String url)
    {
        return get(url, DEFAULT_TIMEOUT_MS);
    }

    /**
     * GETs a URL n times, one after the other, each on a new TCP connection ({@code Connection: close}), and counts
     * the answers like {@code sort | uniq -c}.
     *
     * @param url e.g. {@code http://203.0.113.10/}
     * @param n how many requests
     * @return answer (body without white space) to count, sorted by answer; failures are counted under
     *         {@link #FAILED} + curl's exit code
     */
    public Map<String, Integer> getMany(final String url, final int n)
    {
        return getMany(url, n, DEFAULT_TIMEOUT_MS);
    }

    /**
     * As {@link #getMany(String, int)} with a per-request timeout.
     *
     * @param url the URL
     * @param n how many requests
     * @param timeoutMs each request's {@code --max-time}
     * @return answer to count
     */
    public Map<String, Integer> getMany(final String url, final int n, final long timeoutMs)
    {
        final Map<String, Integer> counts = new TreeMap<>();
        for (final Response r : getEach(url, n, timeoutMs))
        {
            final String key = r.exitCode() != 0 ? FAILED + r.exitCode() : r.text();
            counts.merge(key, 1, Integer::sum);
        }
        return counts;
    }

    /**
     * GETs a URL n times, each on a new connection, keeping every response in order.
     *
     * @param url the URL
     * @param n how many requests
     * @param timeoutMs each request's {@code --max-time}
     * @return one response per request
     */
    public List<Response> getEach(final String url, final int n, final long timeoutMs)
    {
        // one curl for all requests (a process per request costs ~10 ms); the header makes the server close each
        // connection, so curl opens a new one, and the director sees n connections
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "curl", "-s", "-S",
            "--max-time", seconds(timeoutMs), "-H", "Connection: close",
            "-w", "\n" + MARK + "%{exitcode} code=%{http_code}\n"));
        for (int i = 0; i < n; i++)
        {
            cmd.add(url);
        }
        final Duration limit = Duration.ofMillis(n * (timeoutMs + 200) + 10_000);
        final Shell.Result r = Shell.exec(limit, cmd);
        final List<Response> all = new ArrayList<>(parse(r.stdout(), r.stderr()));
        while (all.size() < n)
        {
            // killed part-way: the rest never ran
            all.add(new Response(-1, 0, "", r.timedOut() ? "curl killed after " + limit : r.stderr().strip()));
        }
        return all;
    }

    /**
     * Opens a long-lived request ({@code curl -N}) whose lines are collected as they arrive.
     *
     * @param url e.g. {@code http://203.0.113.10/stream?seconds=5&interval=100}
     * @return the running stream; close it
     */
    public Stream stream(final String url)
    {
        return stream(url, Duration.ofMinutes(5));
    }

    /**
     * Opens a long-lived request with a bound on its total time.
     *
     * @param url the URL
     * @param maxTime curl's {@code --max-time}
     * @return the running stream; close it
     */
    public Stream stream(final String url, final Duration maxTime)
    {
        return new Stream(List.of("ip", "netns", "exec", namespace, "curl", "-s", "-S", "-N",
            "--max-time", seconds(maxTime.toMillis()), url));
    }

    /** A running streaming request: the lines received so far, and how curl ended. */
    public static final class Stream implements AutoCloseable
    {
        private final Process process;
        private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
        private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final Thread reader;
        private final Thread errReader;

        private Stream(final List<String> cmd)
        {
            try
            {
                process = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot start " + String.join(" ", cmd), ex);
            }
            LabReaper.register(this);
            reader = new Thread(this::readLines, "lab-stream");
            reader.setDaemon(true);
            reader.start();
            errReader = new Thread(this::readErrors, "lab-stream-err");
            errReader.setDaemon(true);
            errReader.start();
        }

        /** @return a copy of the lines received so far, without line ends. */
        public List<String> lines()
        {
            synchronized (lines)
            {
                return List.copyOf(lines);
            }
        }

        /** @return whether curl still runs (the response has not ended). */
        public boolean isAlive()
        {
            return process.isAlive();
        }

        /** @return curl's exit code once it ended (0: the response completed; 56: reset; 18: cut short), else empty. */
        public OptionalInt exitCode()
        {
            return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
        }

        /** @return what curl wrote to stderr so far (its error message when it failed). */
        public String error()
        {
            synchronized (stderr)
            {
                return stderr.toString(StandardCharsets.UTF_8).strip();
            }
        }

        /**
         * Waits until at least n lines arrived, or the stream ended, or the time is up.
         *
         * @param n how many lines
         * @param timeout how long to wait
         * @return whether n lines arrived
         */
        public boolean awaitLines(final int n, final Duration timeout)
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (lines.size() < n && System.nanoTime() < deadline)
            {
                if (!process.isAlive() && !reader.isAlive())
                {
                    break;
                }
                sleep(10);
            }
            return lines.size() >= n;
        }

        /**
         * Waits for curl to end and for its output to be read.
         *
         * @param timeout how long to wait
         * @return its exit code, or empty if it still runs
         */
        public OptionalInt awaitExit(final Duration timeout)
        {
            try
            {
                if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                {
                    reader.join(2000);
                    errReader.join(2000);
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            return exitCode();
        }

        /** Kills curl if it still runs (the client side closes the connection). */
        @Override
        public void close()
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            LabReaper.unregister(this);
        }

        private void readLines()
        {
            try (BufferedReader r = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = r.readLine()) != null)
                {
                    lines.add(line);
                }
            }
            catch (final IOException ex)
            {
                // killed; keep what arrived
            }
        }

        private void readErrors()
        {
            try (InputStream in = process.getErrorStream())
            {
                final byte[] buf = new byte[512];
                int n;
                while ((n = in.read(buf)) >= 0)
                {
                    synchronized (stderr)
                    {
                        stderr.write(buf, 0, n);
                    }
                }
            }
            catch (final IOException ex)
            {
                // killed; keep what arrived
            }
        }
    }

    private static List<Response> parse(final String stdout, final String stderr)
    {
        // curl writes each body followed by our write-out line; error messages go to stderr, one per failure
        final List<String> errors = new ArrayList<>();
        for (final String line : stderr.split("\n"))
        {
            if (line.startsWith("curl:"))
            {
                errors.add(line.strip());
            }
        }
        final List<Response> out = new ArrayList<>();
        final Matcher m = MARK_LINE.matcher(stdout);
        int from = 0;
        int failures = 0;
        while (m.find())
        {
            final int exit = Integer.parseInt(m.group(1));
            final String error = exit == 0 ? "" : failures < errors.size() ? errors.get(failures) : "curl exit " + exit;
            if (exit != 0)
            {
                failures++;
            }
            out.add(new Response(exit, Integer.parseInt(m.group(2)), stdout.substring(from, m.start()), error));
            from = m.end();
        }
        return out;
    }

    private static String seconds(final long millis)
    {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }

    private static void sleep(final long ms)
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
}
