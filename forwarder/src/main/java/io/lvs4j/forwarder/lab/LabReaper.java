package io.lvs4j.forwarder.lab;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The backstop for lab resources (namespaces, child processes): everything open is registered here and closed by
 * one JVM shutdown hook, newest first, so a test JVM that ends while a test is still running (timeout, Ctrl-C,
 * System.exit) leaves nothing behind. Normal closing unregisters.
 */
final class LabReaper
{
    private static final Set<AutoCloseable> OPEN = new LinkedHashSet<>();
    private static boolean hookInstalled;

    private LabReaper()
    {
    }

    /**
     * Registers something to close at JVM shutdown if nobody closed it before.
     *
     * @param resource what to close
     */
    static synchronized void register(final AutoCloseable resource)
    {
        if (!hookInstalled)
        {
            try
            {
                Runtime.getRuntime().addShutdownHook(new Thread(LabReaper::closeAll, "lab-reaper"));
                hookInstalled = true;
            }
            catch (final IllegalStateException ex)
            {
                // already shutting down: the caller's own close is all that is left
            }
        }
        OPEN.add(resource);
    }

    /**
     * Forgets a resource its owner has closed.
     *
     * @param resource what was closed
     */
    static synchronized void unregister(final AutoCloseable resource)
    {
        OPEN.remove(resource);
    }

    private static void closeAll()
    {
        final List<AutoCloseable> all;
        synchronized (LabReaper.class)
        {
            all = new ArrayList<>(OPEN);
        }
        // newest first: processes living in a namespace go before the namespace
        for (int i = all.size() - 1; i >= 0; i--)
        {
            try
            {
                all.get(i).close();
            }
            catch (final Exception ex)
            {
                System.err.println("[lab] cleanup at shutdown failed for " + all.get(i) + ": " + ex);
            }
        }
    }
}
