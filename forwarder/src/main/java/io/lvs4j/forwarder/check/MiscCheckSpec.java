package io.lvs4j.forwarder.check;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * {@code MISC_CHECK}: runs a command; exit 0 is up, 1 is down, a timeout is down (the process is killed). With
 * {@code misc_dynamic} an exit of 2..255 is up with the real server's weight set to {@code exit - 2}
 * (keepalived: the checker's weight adjustment becomes {@code exit - 2 - configured weight}).
 *
 * @param options {@code retry} defaults to 0 for MISC_CHECK ({@link #defaultOptions()}).
 * @param command {@code misc_path} split into the program and its arguments.
 * @param timeout {@code misc_timeout}, or {@code null} for {@code delay_loop} (keepalived's default).
 * @param dynamic {@code misc_dynamic}.
 */
public record MiscCheckSpec(CheckOptions options, List<String> command, Duration timeout, boolean dynamic)
    implements CheckSpec
{
    /**
     * Validates and copies the components.
     */
    public MiscCheckSpec
    {
        Objects.requireNonNull(options, "options");
        command = List.copyOf(command);
        if (command.isEmpty())
        {
            throw new IllegalArgumentException("misc_path is empty");
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero()))
        {
            throw new IllegalArgumentException("misc_timeout must be positive: " + timeout);
        }
    }

    /**
     * @return keepalived's MISC_CHECK defaults: {@code retry} 0.
     */
    public static CheckOptions defaultOptions()
    {
        return CheckOptions.DEFAULTS.withRetry(0);
    }

    /**
     * @return the timeout in nanoseconds: {@code misc_timeout}, or {@code delay_loop} when unset.
     */
    public long timeoutNs()
    {
        return (timeout != null ? timeout : options.delayLoop()).toNanos();
    }

    /** {@inheritDoc} */
    public String type()
    {
        return "MISC_CHECK";
    }
}
