package io.lvs4j.core.conn.chronicle;

import java.io.IOException;
import java.net.ProtocolFamily;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.channels.spi.AbstractSelector;
import java.nio.channels.spi.SelectorProvider;

/**
 * The NIO provider a child JVM is started with ({@code -Djava.nio.channels.spi.SelectorProvider=...}): socket
 * and datagram channels (and so the JDK HTTP client) are recorded by {@link NetworkRecorder} and refused;
 * selectors and pipes, which are local, are the platform's.
 */
public final class RecordingSelectorProvider extends SelectorProvider
{
    private final SelectorProvider platform;

    /**
     * Looks up the platform provider ({@code sun.nio.ch} is exported by the build's JVM flags).
     *
     * @throws ReflectiveOperationException when the platform provider cannot be found.
     */
    public RecordingSelectorProvider() throws ReflectiveOperationException
    {
        platform = (SelectorProvider)Class.forName("sun.nio.ch.DefaultSelectorProvider").getMethod("get").invoke(null);
    }

    private static IOException refuse(final String what)
    {
        NetworkRecorder.record("nio " + what);
        return new IOException("network disabled by the test: " + what);
    }

    /** {@inheritDoc} */
    @Override
    public DatagramChannel openDatagramChannel() throws IOException
    {
        throw refuse("datagram channel");
    }

    /** {@inheritDoc} */
    @Override
    public DatagramChannel openDatagramChannel(final ProtocolFamily family) throws IOException
    {
        throw refuse("datagram channel " + family);
    }

    /** {@inheritDoc} */
    @Override
    public Pipe openPipe() throws IOException
    {
        return platform.openPipe();
    }

    /** {@inheritDoc} */
    @Override
    public AbstractSelector openSelector() throws IOException
    {
        return platform.openSelector();
    }

    /** {@inheritDoc} */
    @Override
    public ServerSocketChannel openServerSocketChannel() throws IOException
    {
        throw refuse("server socket channel");
    }

    /** {@inheritDoc} */
    @Override
    public ServerSocketChannel openServerSocketChannel(final ProtocolFamily family) throws IOException
    {
        throw refuse("server socket channel " + family);
    }

    /** {@inheritDoc} */
    @Override
    public SocketChannel openSocketChannel() throws IOException
    {
        throw refuse("socket channel");
    }

    /** {@inheritDoc} */
    @Override
    public SocketChannel openSocketChannel(final ProtocolFamily family) throws IOException
    {
        throw refuse("socket channel " + family);
    }

    /** {@inheritDoc} */
    @Override
    public Channel inheritedChannel() throws IOException
    {
        return platform.inheritedChannel();
    }
}
