package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.nio.file.Files;

/**
 * FILE_CHECK: reads the tracked file (a few bytes of a local file) and turns its number into a state and a weight
 * adjustment as keepalived's {@code process_update_checker_track_file_status}.
 */
final class FileProbe extends Probe
{
    /**
     * What a tracked file says.
     *
     * @param ok           up or down.
     * @param weightAdjust the checker's weight adjustment.
     * @param message      for the stats page.
     */
    record Reading(boolean ok, long weightAdjust, String message)
    {
    }

    private final FileCheckSpec spec;

    FileProbe(final HealthChecker host, final Checker checker, final FileCheckSpec spec)
    {
        super(host, checker);
        this.spec = spec;
    }

    void start()
    {
        final Reading reading = read(spec);
        finish(reading.ok(), reading.message(), reading.weightAdjust());
    }

    void release()
    {
    }

    /**
     * @param spec the checker.
     * @return what its file says now.
     */
    static Reading read(final FileCheckSpec spec)
    {
        final long value = value(spec);
        if (spec.weight() == 0)
        {
            final boolean ok = (value == 0) != spec.reverse();
            return new Reading(ok, 0, "file value " + value);
        }
        final long product = value * spec.weight() * (spec.reverse() ? -1 : 1);
        if (product <= FileCheckSpec.WEIGHT_FAULT)
        {
            return new Reading(false, 0, "file value " + value + ": fault");
        }
        final long adjust = Math.min(Integer.MAX_VALUE, product);
        return new Reading(true, adjust, "file value " + value + ": weight " + (adjust >= 0 ? "+" : "") + adjust);
    }

    /**
     * keepalived reads the file's leading integer with {@code strtol}; nothing readable is 0.
     */
    private static long value(final FileCheckSpec spec)
    {
        final String text;
        try
        {
            text = Files.readString(spec.file()).strip();
        }
        catch (final IOException | RuntimeException ex)
        {
            return 0;
        }
        int end = 0;
        if (end < text.length() && (text.charAt(end) == '-' || text.charAt(end) == '+'))
        {
            end++;
        }
        while (end < text.length() && Character.isDigit(text.charAt(end)) && end < 12)
        {
            end++;
        }
        try
        {
            return Long.parseLong(text.substring(0, end));
        }
        catch (final NumberFormatException ex)
        {
            return 0;
        }
    }
}
