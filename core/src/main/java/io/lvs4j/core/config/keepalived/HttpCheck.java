package io.lvs4j.core.config.keepalived;

import java.util.List;
import java.util.Objects;

/**
 * {@code HTTP_GET} or {@code SSL_GET}: fetches each URL ({@code GET <path> HTTP/1.0}, or 1.1) and passes when all
 * pass.
 *
 * @param tls          true for SSL_GET.
 * @param connection   where to connect.
 * @param timing       period and retries (retry 1, delay_before_retry 3 s by default).
 * @param urls         the URLs, at least one.
 * @param virtualhost  the Host header for URLs without their own, null for {@code ip:port}; inherited from the
 *                     real server and the virtual server.
 * @param httpProtocol {@code http_protocol}: {@code 1.0} (default), {@code 1.0C} or {@code 1.1}.
 * @param enableSni    {@code enable_sni} (SSL_GET).
 * @param sniName      {@code sni_name}, null for the virtualhost.
 * @param fastRecovery {@code fast_recovery}.
 * @param tlsCompliant {@code tls_compliant}.
 */
public record HttpCheck(
    boolean tls, ConnectionOptions connection, CheckerTiming timing, List<HttpUrl> urls, String virtualhost,
    String httpProtocol, boolean enableSni, String sniName, boolean fastRecovery, boolean tlsCompliant)
    implements Checker
{
    /**
     * Checks the fields.
     *
     * @param tls          SSL_GET.
     * @param connection   connection.
     * @param timing       timing.
     * @param urls         URLs.
     * @param virtualhost  Host or null.
     * @param httpProtocol protocol.
     * @param enableSni    SNI.
     * @param sniName      SNI name or null.
     * @param fastRecovery fast recovery.
     * @param tlsCompliant TLS compliant close.
     */
    public HttpCheck
    {
        Objects.requireNonNull(connection, "connection");
        Objects.requireNonNull(timing, "timing");
        Objects.requireNonNull(httpProtocol, "httpProtocol");
        urls = List.copyOf(urls);
    }

    @Override
    public String keyword()
    {
        return tls ? "SSL_GET" : "HTTP_GET";
    }
}
