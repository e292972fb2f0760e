package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * {@code FILE_CHECK}: the real server follows a {@code track_file} (a file holding a number, watched by
 * keepalived).
 *
 * @param trackFile {@code track_file}, the name of the tracked file object.
 * @param weight    {@code weight} applied with the file's value, 0 by default.
 * @param reverse   {@code weight N reverse}.
 * @param dynamic   {@code dynamic}: the file's value adjusts the weight.
 */
public record FileCheck(String trackFile, int weight, boolean reverse, boolean dynamic) implements Checker
{
    /**
     * Checks the fields.
     *
     * @param trackFile file name.
     * @param weight    weight.
     * @param reverse   reversed.
     * @param dynamic   dynamic.
     */
    public FileCheck
    {
        Objects.requireNonNull(trackFile, "trackFile");
    }

    @Override
    public String keyword()
    {
        return "FILE_CHECK";
    }
}
