package io.lvs4j.core.config.keepalived;

import java.time.Duration;
import java.util.Objects;

/**
 * {@code MISC_CHECK}: runs a command; exit 0 is up, 1 down; with {@code misc_dynamic}, 2..255 is up and sets the
 * weight from the exit code; a timeout is down.
 *
 * @param timing  period and retries (retry 0 by default).
 * @param path    {@code misc_path}, the command line.
 * @param timeout {@code misc_timeout}, the delay_loop unless set.
 * @param dynamic {@code misc_dynamic}.
 * @param user    {@code user}, null for the default script user.
 * @param group   the user's group, null for the user's own.
 */
public record MiscCheck(CheckerTiming timing, String path, Duration timeout, boolean dynamic, String user,
    String group) implements Checker
{
    /**
     * Checks the fields.
     *
     * @param timing  timing.
     * @param path    command.
     * @param timeout timeout.
     * @param dynamic dynamic weight.
     * @param user    user or null.
     * @param group   group or null.
     */
    public MiscCheck
    {
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public String keyword()
    {
        return "MISC_CHECK";
    }
}
