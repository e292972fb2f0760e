package io.lvs4j.core.config.keepalived;

import java.util.Objects;

/**
 * One problem found in a configuration: where it is and what is wrong, in the
 * {@code file:line:column: message} form compilers use, so editors can jump to it.
 *
 * @param file     the file as the parser names it (the path given for the main file, includes relative to its
 *                 directory where they lie below it).
 * @param line     1-based line.
 * @param column   1-based column of the offending word (0 when the problem concerns the whole file).
 * @param severity whether the configuration is unusable ({@link Severity#ERROR}) or only suspicious.
 * @param message  what was expected and what was found.
 */
public record ConfigProblem(String file, int line, int column, Severity severity, String message)
{
    /** How bad a problem is. */
    public enum Severity
    {
        /** keepalived would ignore the item and go on (unknown keyword, deprecated or unsupported item). */
        WARNING,
        /** The configuration cannot be used as written (broken structure, bad value, missing mandatory item). */
        ERROR
    }

    /**
     * Checks the fields.
     *
     * @param file     the file.
     * @param line     1-based line.
     * @param column   1-based column, 0 for none.
     * @param severity the severity.
     * @param message  the message.
     */
    public ConfigProblem
    {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(message, "message");
    }

    /** @return true for an {@link Severity#ERROR}. */
    public boolean isError()
    {
        return severity == Severity.ERROR;
    }

    /** @return {@code file:line:column: message}, with {@code warning: } before the message of a warning. */
    @Override
    public String toString()
    {
        return file + ':' + line + ':' + column + ": " + (severity == Severity.WARNING ? "warning: " : "") + message;
    }
}
