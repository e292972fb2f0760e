package io.lvs4j.forwarder.nativeio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.jna.LastErrorException;

/**
 * Runs code inside a named network namespace (one made by {@code ip netns add NAME}, pinned at
 * {@code /var/run/netns/NAME}) without moving the whole JVM there.
 * <p>
 * {@code setns(2)} changes the namespace of the calling thread only, so each task runs on a fresh platform thread
 * that joins the namespace first and ends afterwards; the caller's threads never change namespace. What the task
 * creates keeps the namespace it was created in: an AF_PACKET socket opened on such a thread serves that
 * namespace's interfaces for its whole life and may then be used from any thread. That is how a director (or a
 * test) in the host JVM opens channels on a lab namespace's interfaces. Files under {@code /proc/thread-self/net}
 * read from such a thread show the namespace's view. Joining a network namespace needs {@code CAP_SYS_ADMIN}.
 */
public final class NetworkNamespace
{
    /** Where iproute2 pins named namespaces. */
    public static final Path NETNS_DIR = Path.of("/var/run/netns");

    private static final AtomicInteger THREADS = new AtomicInteger();

    private NetworkNamespace()
    {
    }

    /**
     * A task that may throw, for {@link #run}.
     */
    @FunctionalInterface
    public interface Task
    {
        /**
         * Does the work inside the namespace.
         *
         * @throws Exception anything, rethrown to the caller of {@link #run}.
         */
        void run() throws Exception;
    }

    /**
     * Whether a named namespace exists.
     *
     * @param name the namespace name.
     * @return true when {@code /var/run/netns/NAME} exists.
     */
    public static boolean exists(final String name)
    {
        return Files.exists(path(name));
    }

    /**
     * Runs a task on a fresh thread inside a namespace and waits for it.
     *
     * @param name the namespace name.
     * @param task what to run there.
     * @param <T>  the result type.
     * @return the task's result.
     * @throws Exception whatever the task threw, as thrown; a {@link NativeException} when the namespace cannot be
     *                   joined; {@link InterruptedException} when the caller is interrupted while waiting.
     */
    public static <T> T call(final String name, final Callable<T> task) throws Exception
    {
        final Path path = path(name);
        final AtomicReference<T> result = new AtomicReference<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread thread = new Thread(
            () ->
            {
                try
                {
                    join(path);
                    result.set(task.call());
                }
                catch (final Throwable ex)
                {
                    failure.set(ex);
                }
            },
            "netns-" + name + "-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        thread.join();
        final Throwable ex = failure.get();
        if (ex instanceof Exception)
        {
            throw (Exception)ex;
        }
        if (ex instanceof Error)
        {
            throw (Error)ex;
        }
        return result.get();
    }

    /**
     * Runs a task without a result on a fresh thread inside a namespace and waits for it.
     *
     * @param name the namespace name.
     * @param task what to run there.
     * @throws Exception as {@link #call}.
     */
    public static void run(final String name, final Task task) throws Exception
    {
        call(name, () ->
        {
            task.run();
            return null;
        });
    }

    /**
     * Reads a file as a thread inside the namespace sees it, e.g. {@code /proc/thread-self/net/route} or
     * {@code /proc/thread-self/net/dev}.
     *
     * @param name the namespace name.
     * @param file the file to read.
     * @return its content.
     * @throws Exception as {@link #call}; {@link IOException} when the file cannot be read.
     */
    public static String readFile(final String name, final Path file) throws Exception
    {
        return call(name, () -> Files.readString(file));
    }

    /**
     * A thread factory whose threads join the namespace before running anything, for threads that live inside a
     * namespace for good (a lab director's health checkers, say). A thread that cannot join dies with a
     * {@link NativeException} before running its task.
     *
     * @param name the namespace name.
     * @return the factory.
     */
    public static ThreadFactory threadFactory(final String name)
    {
        final Path path = path(name);
        return runnable ->
        {
            final Thread thread = new Thread(
                () ->
                {
                    join(path);
                    runnable.run();
                },
                "netns-" + name + "-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * Moves the calling thread into a namespace, for good. Only for threads the caller created and will end:
     * a pooled thread moved this way keeps running everyone else's tasks in the namespace.
     *
     * @param name the namespace name.
     * @throws NativeException when the namespace cannot be opened or joined.
     */
    public static void enterCurrentThread(final String name)
    {
        join(path(name));
    }

    private static Path path(final String name)
    {
        if (name == null || name.isEmpty() || name.contains("/") || name.equals(".") || name.equals(".."))
        {
            throw new IllegalArgumentException("bad namespace name: " + name);
        }
        return NETNS_DIR.resolve(name);
    }

    private static void join(final Path path)
    {
        final int fd;
        try
        {
            fd = LibC.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException("open " + path, ex);
        }
        try
        {
            LibC.setns(fd, LibC.CLONE_NEWNET);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException("setns " + path, ex);
        }
        finally
        {
            // The thread holds the namespace now; the descriptor was only the handle to get there.
            LibC.closeQuietly(fd);
        }
    }
}
