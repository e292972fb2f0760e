package io.lvs4j.forwarder.config;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts keepalived's event scripts ({@code notify_up}, {@code notify_down}, {@code quorum_up},
 * {@code quorum_down}) without holding up the check thread: the check thread only hands the command over.
 */
public interface NotifyScripts extends AutoCloseable
{
    /**
     * Starts a script; returns at once.
     *
     * @param command the program and its arguments, split as keepalived splits a script line.
     */
    void launch(List<String> command);

    /** Stops starting scripts; scripts already running go on. */
    @Override
    void close();

    /**
     * The usual launcher: a process per script, started by a thread of its own ({@code lvs4j-notify}) so a slow
     * {@code fork} never delays a check, output discarded, reaped by the JDK when it exits; a script that fails
     * to start or exits non-zero is logged.
     *
     * @return the launcher.
     */
    static NotifyScripts processes()
    {
        final Logger log = LoggerFactory.getLogger(NotifyScripts.class);
        final ExecutorService executor = Executors.newSingleThreadExecutor(r ->
        {
            final Thread thread = new Thread(r, "lvs4j-notify");
            thread.setDaemon(true);
            return thread;
        });
        return new NotifyScripts()
        {
            @Override
            public void launch(final List<String> command)
            {
                if (command.isEmpty() || executor.isShutdown())
                {
                    return;
                }
                executor.execute(() ->
                {
                    try
                    {
                        final Process process = new ProcessBuilder(command)
                            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                            .redirectError(ProcessBuilder.Redirect.DISCARD)
                            .start();
                        process.getOutputStream().close();
                        process.onExit().thenAccept(p ->
                        {
                            if (p.exitValue() != 0)
                            {
                                log.warn("script {} exited {}", String.join(" ", command), p.exitValue());
                            }
                        });
                    }
                    catch (final IOException ex)
                    {
                        log.warn("cannot start script {}: {}", String.join(" ", command), ex.getMessage());
                    }
                });
            }

            @Override
            public void close()
            {
                executor.shutdown();
            }
        };
    }
}
