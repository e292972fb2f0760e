package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * A check over a TCP connection: connect, optionally TLS, then a conversation the subclass drives through
 * {@link #onConnected()}, {@link #onData}, {@link #onSent()} and {@link #onEof()}. One {@link #pump()} does all
 * that can be done without waiting and then sets the selector interest for what it waits for; every step that makes
 * progress restarts the {@code connect_timeout} timer, as keepalived times each read and write.
 */
abstract class StreamProbe extends Probe
{
    private final InetSocketAddress target;
    private final InetAddress bindTo;
    private final boolean tls;
    private final String sniName;
    private final ByteBuffer in = ByteBuffer.allocate(8192);
    private ByteBuffer out = ByteBuffer.allocate(0);
    private boolean sending;
    private SocketChannel channel;
    private SelectionKey key;
    private Transport transport;
    private boolean connected;
    private boolean secured;
    private boolean reconnect;

    StreamProbe(
        final HealthChecker host,
        final Checker checker,
        final InetSocketAddress target,
        final InetAddress bindTo,
        final boolean tls,
        final String sniName)
    {
        super(host, checker);
        this.target = target;
        this.bindTo = bindTo;
        this.tls = tls;
        this.sniName = sniName;
    }

    void start() throws IOException
    {
        open();
    }

    /**
     * Opens a fresh connection (the first, or the next URL's).
     */
    final void open() throws IOException
    {
        connected = false;
        secured = false;
        reconnect = false;
        sending = false;
        out = ByteBuffer.allocate(0);
        in.clear();
        channel = SocketChannel.open();
        channel.configureBlocking(false);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        if (bindTo != null)
        {
            channel.bind(new InetSocketAddress(bindTo, 0));
        }
        key = channel.register(host.selector(), 0, this);
        armTimeout();
        connected = channel.connect(target);
        pump();
    }

    /**
     * Asks for a fresh connection once the current callback returns (the next URL's).
     */
    final void reconnect()
    {
        reconnect = true;
    }

    /**
     * Closes the current connection.
     */
    final void closeChannel()
    {
        if (channel != null)
        {
            key.cancel();
            try
            {
                channel.close();
            }
            catch (final IOException ignore)
            {
                // the result is already decided
            }
            channel = null;
            transport = null;
        }
    }

    void onSelected(final SelectionKey selected) throws IOException
    {
        if (selected == key)
        {
            pump();
        }
    }

    void release()
    {
        closeChannel();
    }

    /**
     * Queues bytes to send; {@link #onSent()} follows once they are all written.
     *
     * @param text ASCII text.
     */
    final void send(final String text)
    {
        out = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
        sending = true;
    }

    /**
     * The TCP connection is established (before TLS).
     */
    abstract void onConnected() throws IOException;

    /**
     * Bytes arrived; consume what is understood and leave the rest in the buffer.
     *
     * @param data readable bytes.
     */
    void onData(final ByteBuffer data) throws IOException
    {
        data.position(data.limit());
    }

    /**
     * Everything queued with {@link #send} has been written.
     */
    void onSent() throws IOException
    {
    }

    /**
     * The peer closed the stream.
     */
    void onEof() throws IOException
    {
        fail("connection closed by the server");
    }

    private boolean interrupted(final SocketChannel current) throws IOException
    {
        if (isDone())
        {
            return true;
        }
        if (reconnect)
        {
            closeChannel();
            open();
            return true;
        }
        return channel != current;
    }

    private void pump() throws IOException
    {
        final SocketChannel current = channel;
        if (!connected)
        {
            if (!channel.finishConnect())
            {
                key.interestOps(SelectionKey.OP_CONNECT);
                return;
            }
            connected = true;
            armTimeout();
            transport = tls ? new TlsTransport(channel, target, sniName) : new PlainTransport(channel);
            onConnected();
            if (interrupted(current))
            {
                return;
            }
        }
        if (!secured)
        {
            if (!transport.handshake())
            {
                key.interestOps(transport.wantsWrite() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                return;
            }
            secured = true;
            armTimeout();
        }
        while (true)
        {
            if (out.hasRemaining())
            {
                final int before = out.remaining();
                transport.write(out);
                if (out.remaining() != before)
                {
                    armTimeout();
                }
            }
            if (out.hasRemaining() || !transport.flush())
            {
                key.interestOps(SelectionKey.OP_WRITE);
                return;
            }
            if (sending)
            {
                sending = false;
                onSent();
                if (interrupted(current))
                {
                    return;
                }
                continue;
            }
            final int n = transport.read(in);
            if (n > 0)
            {
                armTimeout();
                in.flip();
                onData(in);
                if (interrupted(current))
                {
                    return;
                }
                in.compact();
                if (!in.hasRemaining())
                {
                    fail("reply too long without a line end");
                    return;
                }
                continue;
            }
            if (n < 0)
            {
                onEof();
                interrupted(current);
                return;
            }
            key.interestOps(SelectionKey.OP_READ);
            return;
        }
    }
}
