package io.lvs4j.core.config.keepalived;

import java.util.List;
import java.util.Objects;

/**
 * One {@code url { }} of an HTTP_GET/SSL_GET checker: the page fetched and what makes it pass (status in the set,
 * body MD5 equal to {@code digest} if given, regex condition if given).
 *
 * @param path         {@code path}, the request target.
 * @param digest       {@code digest}: MD5 of the body as 32 lowercase hex digits, null for none.
 * @param statusCodes  {@code status_code} ranges; 200-299 when none is written.
 * @param virtualhost  {@code virtualhost} for this URL's Host header, null for the checker's.
 * @param regex        {@code regex} the body must match, null for none.
 * @param regexNoMatch {@code regex_no_match}: the body must not match.
 */
public record HttpUrl(
    String path, String digest, List<StatusRange> statusCodes, String virtualhost, String regex, boolean regexNoMatch)
{
    /** The status codes that pass when none are configured. */
    public static final List<StatusRange> DEFAULT_STATUS = List.of(new StatusRange(200, 299));

    /**
     * A range of HTTP status codes, {@code N} or {@code N-M}.
     *
     * @param from lowest code.
     * @param to   highest code (equal to {@code from} for a single code).
     */
    public record StatusRange(int from, int to)
    {
        /**
         * Checks the range.
         *
         * @param from lowest.
         * @param to   highest.
         */
        public StatusRange
        {
            if (from < 100 || to > 999 || from > to)
            {
                throw new IllegalArgumentException("status range " + from + "-" + to);
            }
        }

        /**
         * @param status a status code.
         * @return true when it lies in the range.
         */
        public boolean contains(final int status)
        {
            return status >= from && status <= to;
        }
    }

    /**
     * Checks the fields.
     *
     * @param path         path.
     * @param digest       digest or null.
     * @param statusCodes  codes.
     * @param virtualhost  host or null.
     * @param regex        regex or null.
     * @param regexNoMatch negate regex.
     */
    public HttpUrl
    {
        Objects.requireNonNull(path, "path");
        statusCodes = List.copyOf(statusCodes);
        if (digest != null && !digest.matches("[0-9a-f]{32}"))
        {
            throw new IllegalArgumentException("digest " + digest);
        }
    }

    /**
     * @param status an HTTP status code.
     * @return true when it passes.
     */
    public boolean passes(final int status)
    {
        for (final StatusRange r : statusCodes)
        {
            if (r.contains(status))
            {
                return true;
            }
        }
        return false;
    }
}
