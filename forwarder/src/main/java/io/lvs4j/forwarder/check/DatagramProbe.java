package io.lvs4j.forwarder.check;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;

/**
 * A check over one connected UDP socket: send one datagram, then react to replies or to the ICMP error the kernel
 * reports on a connected socket ({@link PortUnreachableException}) until {@code connect_timeout}.
 */
abstract class DatagramProbe extends Probe
{
    private final InetSocketAddress target;
    private final InetAddress bindTo;
    private final ByteBuffer in = ByteBuffer.allocate(65536);
    private DatagramChannel channel;
    private SelectionKey key;

    DatagramProbe(final HealthChecker host, final Checker checker, final InetSocketAddress target,
        final InetAddress bindTo)
    {
        super(host, checker);
        this.target = target;
        this.bindTo = bindTo;
    }

    void start() throws IOException
    {
        channel = DatagramChannel.open();
        channel.configureBlocking(false);
        if (bindTo != null)
        {
            channel.bind(new InetSocketAddress(bindTo, 0));
        }
        channel.connect(target);
        key = channel.register(host.selector(), SelectionKey.OP_READ, this);
        armTimeout();
        channel.write(ByteBuffer.wrap(request()));
    }

    void onSelected(final SelectionKey selected) throws IOException
    {
        while (!isDone())
        {
            in.clear();
            final int n;
            try
            {
                n = channel.read(in);
            }
            catch (final PortUnreachableException ex)
            {
                fail("ICMP port unreachable");
                return;
            }
            if (n <= 0)
            {
                return;
            }
            onDatagram(in.array(), n);
        }
    }

    void release()
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
        }
    }

    /**
     * @return the datagram to send.
     */
    abstract byte[] request();

    /**
     * A datagram arrived; finish, or return to keep waiting.
     *
     * @param data   its bytes.
     * @param length its length.
     */
    abstract void onDatagram(byte[] data, int length);
}
