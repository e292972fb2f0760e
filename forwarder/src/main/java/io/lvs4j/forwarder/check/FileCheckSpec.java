package io.lvs4j.forwarder.check;

import java.nio.file.Path;
import java.util.Objects;

/**
 * {@code FILE_CHECK}: tracks a file holding an integer, as keepalived's {@code track_file}.
 * <p>
 * With {@code weight} 0 the number is a status: 0 is up, anything else is down ({@code reverse} swaps them). With a
 * non-zero {@code weight} the checker adjusts the real server's weight by {@code value * weight} (negated with
 * {@code reverse}), and a product at or below {@link #WEIGHT_FAULT} (keepalived's {@code IPVS_WEIGHT_FAULT}, the
 * lowest int) is down. A file that is missing or does not start with a number reads as 0, as keepalived reads it.
 * keepalived watches the file with inotify; lvs4j reads it every {@code delay_loop} (a small local read).
 * FILE_CHECK has no retries and no alpha: its state is known as soon as the file is read.
 *
 * @param options timing ({@code delay_loop}); {@code retry} and {@code alpha} are ignored.
 * @param file    the tracked file.
 * @param weight  the multiplier, 0 for a plain status.
 * @param reverse {@code reverse}.
 */
public record FileCheckSpec(CheckOptions options, Path file, int weight, boolean reverse) implements CheckSpec
{
    /** keepalived's {@code IPVS_WEIGHT_FAULT}: a weight product at or below it puts the checker down. */
    public static final long WEIGHT_FAULT = Integer.MIN_VALUE;

    /**
     * Validates the components.
     */
    public FileCheckSpec
    {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(file, "file");
    }

    /** {@inheritDoc} */
    public String type()
    {
        return "FILE_CHECK";
    }
}
