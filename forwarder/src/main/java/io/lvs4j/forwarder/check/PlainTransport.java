package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/**
 * Plain TCP: no handshake, no buffering.
 */
final class PlainTransport implements Transport
{
    private final SocketChannel channel;

    PlainTransport(final SocketChannel channel)
    {
        this.channel = channel;
    }

    public boolean handshake()
    {
        return true;
    }

    public boolean wantsWrite()
    {
        return false;
    }

    public void write(final ByteBuffer src) throws IOException
    {
        channel.write(src);
    }

    public boolean flush()
    {
        return true;
    }

    public int read(final ByteBuffer dst) throws IOException
    {
        return channel.read(dst);
    }
}
