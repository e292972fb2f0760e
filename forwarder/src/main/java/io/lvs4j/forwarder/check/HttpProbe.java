package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * HTTP_GET and SSL_GET: one connection per URL, in order; each must answer with an accepted status and, where a
 * digest is configured, a body whose MD5 matches. The body is digested as it streams in, never held whole.
 */
final class HttpProbe extends StreamProbe
{
    private static final int MAX_HEADER = 64 * 1024;

    private final HttpCheckSpec spec;
    private final InetSocketAddress target;
    private final byte[] header = new byte[MAX_HEADER];
    private final MessageDigest md5;
    private int headerLength;
    private int urlIndex;
    private boolean inBody;
    private int status;
    private long contentLength;
    private long bodyRead;

    HttpProbe(final HealthChecker host, final Checker checker, final HttpCheckSpec spec, final RealServerRef rs)
    {
        super(host, checker, spec.endpoint().target(rs), spec.endpoint().bindTo(), spec.ssl(), spec.sniName());
        this.spec = spec;
        this.target = spec.endpoint().target(rs);
        try
        {
            this.md5 = MessageDigest.getInstance("MD5");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    void onConnected()
    {
        final HttpUrl url = spec.urls().get(urlIndex);
        headerLength = 0;
        inBody = false;
        status = 0;
        contentLength = -1;
        bodyRead = 0;
        md5.reset();
        send(request(url));
    }

    private String request(final HttpUrl url)
    {
        final String protocol = spec.httpProtocol().equals("1.1") ? "HTTP/1.1" : "HTTP/1.0";
        final StringBuilder sb = new StringBuilder(128)
            .append("GET ").append(url.path()).append(' ').append(protocol).append("\r\n")
            .append("User-Agent: KeepAliveClient\r\n")
            .append("Host: ").append(hostHeader(url)).append("\r\n");
        if (!spec.httpProtocol().equals("1.0"))
        {
            sb.append("Connection: close\r\n");
        }
        return sb.append("\r\n").toString();
    }

    private String hostHeader(final HttpUrl url)
    {
        if (url.virtualhost() != null)
        {
            return url.virtualhost();
        }
        if (spec.virtualhost() != null)
        {
            return spec.virtualhost();
        }
        final String ip = target.getAddress().getHostAddress();
        return (target.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + target.getPort();
    }

    void onData(final ByteBuffer data) throws IOException
    {
        if (!inBody)
        {
            while (data.hasRemaining())
            {
                if (headerLength == MAX_HEADER)
                {
                    fail("response header longer than " + MAX_HEADER + " bytes");
                    return;
                }
                header[headerLength++] = data.get();
                if (headerLength >= 4 && header[headerLength - 1] == '\n' && header[headerLength - 2] == '\r' &&
                    header[headerLength - 3] == '\n' && header[headerLength - 4] == '\r')
                {
                    onHeader();
                    if (isDone() || !inBody)
                    {
                        data.position(data.limit());
                        return;
                    }
                    break;
                }
            }
        }
        if (inBody && data.hasRemaining())
        {
            int n = data.remaining();
            if (contentLength >= 0)
            {
                n = (int)Math.min(n, contentLength - bodyRead);
            }
            md5.update(data.array(), data.arrayOffset() + data.position(), n);
            bodyRead += n;
            data.position(data.limit());
            if (contentLength >= 0 && bodyRead >= contentLength)
            {
                onBody();
            }
        }
    }

    private void onHeader() throws IOException
    {
        final String text = new String(header, 0, headerLength, StandardCharsets.ISO_8859_1);
        final String[] lines = text.split("\r\n");
        final String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/"))
        {
            fail("not an HTTP response: " + abbreviate(lines[0]));
            return;
        }
        try
        {
            status = Integer.parseInt(statusLine[1]);
        }
        catch (final NumberFormatException ex)
        {
            fail("bad HTTP status line: " + abbreviate(lines[0]));
            return;
        }
        final HttpUrl url = spec.urls().get(urlIndex);
        if (!url.statusCodes().contains(status))
        {
            fail("HTTP status " + status + " not in " + url.statusCodes() + " for " + url.path());
            return;
        }
        if (url.digest() == null)
        {
            // the status is all that is asked: no need to read the body
            urlPassed();
            return;
        }
        for (int i = 1; i < lines.length; i++)
        {
            final int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("content-length"))
            {
                try
                {
                    contentLength = Long.parseLong(lines[i].substring(colon + 1).trim());
                }
                catch (final NumberFormatException ignore)
                {
                    contentLength = -1;
                }
            }
        }
        inBody = true;
        if (contentLength == 0)
        {
            onBody();
        }
    }

    void onEof() throws IOException
    {
        if (!inBody)
        {
            fail("connection closed before the end of the response header");
            return;
        }
        onBody();
    }

    private void onBody() throws IOException
    {
        final HttpUrl url = spec.urls().get(urlIndex);
        final String digest = HexFormat.of().formatHex(md5.digest());
        if (!digest.equals(url.digest()))
        {
            fail("digest " + digest + " != " + url.digest() + " for " + url.path() + " (" + bodyRead + " bytes)");
            return;
        }
        urlPassed();
    }

    private void urlPassed() throws IOException
    {
        urlIndex++;
        if (urlIndex == spec.urls().size())
        {
            pass("HTTP " + status + (spec.urls().size() > 1 ? " for " + spec.urls().size() + " urls" : ""));
            return;
        }
        reconnect();
    }

    private static String abbreviate(final String text)
    {
        return text.length() > 80 ? text.substring(0, 80) + "..." : text;
    }
}
