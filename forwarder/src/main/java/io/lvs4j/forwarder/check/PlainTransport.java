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

    @Override
    public boolean handshake()
    {
        return true;
    }

    @Override
    public boolean wantsWrite()
    {
        return false;
    }

    @Override
    public void write(final ByteBuffer src) throws IOException
    {
        channel.write(src);
    }

    @Override
    public boolean flush()
    {
        return true;
    }

    @Override
    public int read(final ByteBuffer dst) throws IOException
    {
        return channel.read(dst);
    }
}
