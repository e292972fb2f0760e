package io.lvs4j.forwarder.check;

import java.util.List;
import java.util.Objects;

/**
 * {@code HTTP_GET} and {@code SSL_GET}: GETs each URL on its own connection; the check passes when every URL
 * answers with an accepted status and, where a digest is given, a body whose MD5 matches.
 * <p>
 * The request is keepalived's: {@code GET <path> HTTP/1.0} (or 1.1), {@code User-Agent: KeepAliveClient},
 * {@code Host: <virtualhost>} or {@code <ip>:<port>}, {@code Connection: close} for 1.0C and 1.1. SSL_GET speaks
 * TLS without verifying the certificate (as keepalived without a {@code ca}), with SNI when {@code sniName} is set.
 * The digest covers the bytes after the header as they arrive (a chunked 1.1 body is not decoded, as in
 * keepalived). Unlike keepalived, which fetches one URL per {@code delay_loop}, all URLs are fetched in one run.
 *
 * @param options      timing and counting ({@link #defaultOptions()} has keepalived's 3 s delay_before_retry).
 * @param ssl          SSL_GET rather than HTTP_GET.
 * @param endpoint     where to connect.
 * @param urls         one or more URLs, all must pass.
 * @param virtualhost  {@code virtualhost} for the Host header, or {@code null} for {@code ip:port}.
 * @param sniName      the TLS server name to send (keepalived's {@code enable_sni}/{@code sni_name}), or
 *                     {@code null} to send none.
 * @param httpProtocol {@code http_protocol}: {@code 1.0} (default), {@code 1.0C} or {@code 1.1}.
 */
public record HttpCheckSpec(
    CheckOptions options,
    boolean ssl,
    Endpoint endpoint,
    List<HttpUrl> urls,
    String virtualhost,
    String sniName,
    String httpProtocol) implements CheckSpec
{
    /**
     * Validates and copies the components.
     */
    public HttpCheckSpec
    {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(endpoint, "endpoint");
        urls = List.copyOf(urls);
        if (urls.isEmpty())
        {
            throw new IllegalArgumentException((ssl ? "SSL_GET" : "HTTP_GET") + " needs at least one url");
        }
        httpProtocol = httpProtocol == null ? "1.0" : httpProtocol;
        if (!httpProtocol.equals("1.0") && !httpProtocol.equals("1.0C") && !httpProtocol.equals("1.1"))
        {
            throw new IllegalArgumentException("http_protocol must be 1.0, 1.0C or 1.1: " + httpProtocol);
        }
        if (virtualhost != null && (virtualhost.isBlank() || virtualhost.chars().anyMatch(c -> c < ' ')))
        {
            throw new IllegalArgumentException("bad virtualhost: " + virtualhost);
        }
    }

    /**
     * @return keepalived's HTTP_GET/SSL_GET defaults: {@code delay_before_retry} 3 s.
     */
    public static CheckOptions defaultOptions()
    {
        return CheckOptions.DEFAULTS.withDelayBeforeRetry(java.time.Duration.ofSeconds(3));
    }

    /**
     * @param options timing and counting.
     * @param urls    the URLs.
     * @return an HTTP_GET of the real server's own address and port.
     */
    public static HttpCheckSpec httpGet(final CheckOptions options, final HttpUrl... urls)
    {
        return new HttpCheckSpec(options, false, Endpoint.REAL_SERVER, List.of(urls), null, null, null);
    }

    /**
     * @param options timing and counting.
     * @param sniName the server name to send, or {@code null}.
     * @param urls    the URLs.
     * @return an SSL_GET of the real server's own address and port.
     */
    public static HttpCheckSpec sslGet(final CheckOptions options, final String sniName, final HttpUrl... urls)
    {
        return new HttpCheckSpec(options, true, Endpoint.REAL_SERVER, List.of(urls), null, sniName, null);
    }

    /** {@inheritDoc} */
    public String type()
    {
        return ssl ? "SSL_GET" : "HTTP_GET";
    }
}
