package io.lvs4j.forwarder.check;

import java.util.Locale;
import java.util.Objects;

/**
 * One {@code url} block of an {@code HTTP_GET}/{@code SSL_GET} checker.
 *
 * @param path        {@code path}: what to GET.
 * @param digest      {@code digest}: the MD5 of the body as 32 hex digits (as {@code genhash} prints it), or
 *                    {@code null} not to check the body.
 * @param statusCodes {@code status_code} (default 200-299).
 * @param virtualhost {@code virtualhost} for this URL's {@code Host} header, or {@code null} for the checker's.
 */
public record HttpUrl(String path, String digest, StatusCodes statusCodes, String virtualhost)
{
    /**
     * Validates the components and lower-cases the digest.
     */
    public HttpUrl
    {
        Objects.requireNonNull(path, "path");
        if (path.isEmpty() || path.chars().anyMatch(c -> c <= ' '))
        {
            throw new IllegalArgumentException("bad url path: '" + path + "'");
        }
        if (digest != null)
        {
            digest = digest.toLowerCase(Locale.ROOT);
            if (!digest.matches("[0-9a-f]{32}"))
            {
                throw new IllegalArgumentException("digest must be 32 hex digits: " + digest);
            }
        }
        statusCodes = statusCodes == null ? StatusCodes.DEFAULT : statusCodes;
    }

    /**
     * @param path what to GET.
     * @return a URL that passes on any 2xx, body not checked.
     */
    public static HttpUrl of(final String path)
    {
        return new HttpUrl(path, null, null, null);
    }
}
