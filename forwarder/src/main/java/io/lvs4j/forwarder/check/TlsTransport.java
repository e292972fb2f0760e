package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * TLS for SSL_GET through an {@link SSLEngine} over the non-blocking channel: no thread per connection. The
 * server's certificate is not verified, as keepalived does not verify it without a {@code ca}: the check is about
 * the server answering, not about trusting it. Delegated handshake tasks (CPU work, no I/O) run inline.
 */
final class TlsTransport implements Transport
{
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
    private static volatile SSLContext context;

    private final SocketChannel channel;
    private final SSLEngine engine;
    private ByteBuffer netIn;
    private final ByteBuffer netOut;
    private ByteBuffer appIn;
    private boolean wantsWrite;

    TlsTransport(final SocketChannel channel, final InetSocketAddress target, final String sniName)
        throws SSLException
    {
        this.channel = channel;
        // the peer host is the address literal, so the JDK sends no SNI of its own
        this.engine = context().createSSLEngine(target.getAddress().getHostAddress(), target.getPort());
        engine.setUseClientMode(true);
        final SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(sniName != null ? List.of(new SNIHostName(sniName)) : List.of());
        engine.setSSLParameters(parameters);
        final int packet = engine.getSession().getPacketBufferSize();
        this.netIn = ByteBuffer.allocate(packet);
        this.netOut = ByteBuffer.allocate(packet);
        this.netOut.flip();
        this.appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize());
        this.appIn.flip();
        engine.beginHandshake();
    }

    @Override
    public boolean handshake() throws IOException
    {
        while (true)
        {
            if (!flush())
            {
                wantsWrite = true;
                return false;
            }
            switch (engine.getHandshakeStatus())
            {
                case NEED_WRAP -> wrap(EMPTY);
                case NEED_UNWRAP, NEED_UNWRAP_AGAIN ->
                {
                    final int n = unwrap();
                    if (n < 0)
                    {
                        throw new java.io.EOFException("connection closed during the TLS handshake");
                    }
                    if (n == 0 && !progressed)
                    {
                        wantsWrite = false;
                        return false;
                    }
                }
                case NEED_TASK -> runTasks();
                default ->
                {
                    return true;
                }
            }
        }
    }

    @Override
    public boolean wantsWrite()
    {
        return wantsWrite;
    }

    @Override
    public void write(final ByteBuffer src) throws IOException
    {
        while (src.hasRemaining() && flush())
        {
            wrap(src);
        }
    }

    @Override
    public boolean flush() throws IOException
    {
        if (netOut.hasRemaining())
        {
            channel.write(netOut);
        }
        return !netOut.hasRemaining();
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        while (!appIn.hasRemaining())
        {
            if (engine.isInboundDone())
            {
                return -1;
            }
            final int n = unwrap();
            if (n < 0)
            {
                return -1;
            }
            if (n == 0 && !progressed)
            {
                return 0;
            }
            // post-handshake messages (TLS 1.3 tickets, key updates) may need an answer
            while (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK ||
                engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_WRAP)
            {
                if (engine.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.NEED_TASK)
                {
                    runTasks();
                }
                else
                {
                    wrap(EMPTY);
                    flush();
                }
            }
        }
        final int n = Math.min(dst.remaining(), appIn.remaining());
        final int limit = appIn.limit();
        appIn.limit(appIn.position() + n);
        dst.put(appIn);
        appIn.limit(limit);
        return n;
    }

    /** Whether the last {@link #unwrap()} consumed bytes without producing application data. */
    private boolean progressed;

    /**
     * Unwraps one record from what has arrived, reading from the socket when a record is incomplete.
     *
     * @return application bytes produced (now readable from {@code appIn}), -1 at the end of the stream.
     */
    private int unwrap() throws IOException
    {
        progressed = false;
        while (true)
        {
            netIn.flip();
            appIn.compact();
            final SSLEngineResult result;
            try
            {
                result = engine.unwrap(netIn, appIn);
            }
            finally
            {
                appIn.flip();
                netIn.compact();
            }
            switch (result.getStatus())
            {
                case OK ->
                {
                    progressed = result.bytesConsumed() > 0;
                    return result.bytesProduced();
                }
                case CLOSED ->
                {
                    return -1;
                }
                case BUFFER_OVERFLOW ->
                {
                    appIn = grow(appIn, engine.getSession().getApplicationBufferSize(), true);
                }
                case BUFFER_UNDERFLOW ->
                {
                    if (netIn.remaining() == 0)
                    {
                        netIn = grow(netIn, engine.getSession().getPacketBufferSize(), false);
                    }
                    final int read = channel.read(netIn);
                    if (read < 0)
                    {
                        // keepalived accepts a server that closes without close_notify
                        return -1;
                    }
                    if (read == 0)
                    {
                        return 0;
                    }
                }
            }
        }
    }

    private void wrap(final ByteBuffer src) throws IOException
    {
        netOut.compact();
        final SSLEngineResult result;
        try
        {
            result = engine.wrap(src, netOut);
        }
        finally
        {
            netOut.flip();
        }
        if (result.getStatus() == SSLEngineResult.Status.CLOSED)
        {
            throw new SSLException("TLS engine closed");
        }
        if (result.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW && !flush())
        {
            // nothing could be written: wait for the socket; callers see flush() == false
            return;
        }
    }

    private void runTasks()
    {
        Runnable task;
        while ((task = engine.getDelegatedTask()) != null)
        {
            task.run();
        }
    }

    private static ByteBuffer grow(final ByteBuffer buffer, final int atLeast, final boolean readMode)
    {
        final ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, atLeast));
        if (readMode)
        {
            bigger.put(buffer);
            bigger.flip();
        }
        else
        {
            buffer.flip();
            bigger.put(buffer);
        }
        return bigger;
    }

    private static SSLContext context() throws SSLException
    {
        SSLContext ctx = context;
        if (ctx == null)
        {
            try
            {
                ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[]{new TrustAll()}, null);
            }
            catch (final GeneralSecurityException ex)
            {
                throw new SSLException("no TLS context", ex);
            }
            context = ctx;
        }
        return ctx;
    }

    /**
     * Accepts any certificate, as keepalived's SSL_GET without a {@code ca}.
     */
    private static final class TrustAll implements X509TrustManager
    {
        @Override
        public void checkClientTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        @Override
        public void checkServerTrusted(final X509Certificate[] chain, final String authType)
        {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers()
        {
            return new X509Certificate[0];
        }
    }
}
