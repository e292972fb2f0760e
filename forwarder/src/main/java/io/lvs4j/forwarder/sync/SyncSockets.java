package io.lvs4j.forwarder.sync;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.ProtocolFamily;
import java.net.SocketException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.Enumeration;
import java.util.concurrent.Callable;

import io.lvs4j.forwarder.nativeio.NetworkNamespace;

/**
 * Opens the sync sockets as IPVS does (reference section 6.1), inside the director's network namespace when it
 * has one: a socket belongs to the namespace it was created in, whichever thread uses it later.
 */
final class SyncSockets
{
    private SyncSockets()
    {
    }

    /**
     * The master's socket: for multicast, TTL and outgoing interface set, loop off (a node running both daemons
     * must not hear itself), bound to the interface's first address; for unicast, unbound and unconnected (a
     * peer that is down must not turn into errors on later sends).
     */
    static DatagramChannel openSender(final SyncOptions o) throws IOException
    {
        return inNamespace(o, () ->
        {
            if (o.peer() != null)
            {
                return DatagramChannel.open(family(o.peer().getAddress()));
            }
            final NetworkInterface nif = networkInterface(o.interfaceName());
            final DatagramChannel ch = DatagramChannel.open(family(o.group()));
            try
            {
                ch.setOption(StandardSocketOptions.IP_MULTICAST_IF, nif);
                ch.setOption(StandardSocketOptions.IP_MULTICAST_TTL, o.ttl());
                ch.setOption(StandardSocketOptions.IP_MULTICAST_LOOP, false);
                final InetAddress source = firstAddress(nif, o.group() instanceof Inet6Address);
                ch.bind(new InetSocketAddress(source, 0));
                return ch;
            }
            catch (final IOException | RuntimeException ex)
            {
                ch.close();
                throw ex;
            }
        });
    }

    /**
     * The backup's socket: for multicast, bound to the group's port with address reuse and joined to the group
     * on the interface; for unicast, bound to the listening address.
     */
    static DatagramChannel openReceiver(final SyncOptions o) throws IOException
    {
        return inNamespace(o, () ->
        {
            if (o.bind() != null)
            {
                final DatagramChannel ch = DatagramChannel.open(family(o.bind().getAddress()));
                try
                {
                    ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                    ch.bind(o.bind());
                    return ch;
                }
                catch (final IOException | RuntimeException ex)
                {
                    ch.close();
                    throw ex;
                }
            }
            final NetworkInterface nif = networkInterface(o.interfaceName());
            final DatagramChannel ch = DatagramChannel.open(family(o.group()));
            try
            {
                ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
                ch.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                ch.bind(new InetSocketAddress(o.port()));
                ch.join(o.group(), nif);
                return ch;
            }
            catch (final IOException | RuntimeException ex)
            {
                ch.close();
                throw ex;
            }
        });
    }

    /** @return where the master sends. */
    static InetSocketAddress target(final SyncOptions o)
    {
        return o.peer() != null ? o.peer() : new InetSocketAddress(o.group(), o.port());
    }

    private static ProtocolFamily family(final InetAddress address)
    {
        return address instanceof Inet6Address ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
    }

    private static NetworkInterface networkInterface(final String name) throws SocketException
    {
        final NetworkInterface nif = NetworkInterface.getByName(name);
        if (nif == null)
        {
            throw new SocketException("no interface " + name);
        }
        return nif;
    }

    private static InetAddress firstAddress(final NetworkInterface nif, final boolean v6) throws SocketException
    {
        final Enumeration<InetAddress> all = nif.getInetAddresses();
        while (all.hasMoreElements())
        {
            final InetAddress a = all.nextElement();
            if (v6 ? a instanceof Inet6Address : a instanceof Inet4Address)
            {
                return a;
            }
        }
        throw new SocketException("interface " + nif.getName() + " has no " + (v6 ? "IPv6" : "IPv4") + " address");
    }

    private static DatagramChannel inNamespace(final SyncOptions o, final Callable<DatagramChannel> open)
        throws IOException
    {
        try
        {
            return o.networkNamespace() == null ? open.call() : NetworkNamespace.call(o.networkNamespace(), open);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IOException("opening the sync socket in namespace " + o.networkNamespace(), ex);
        }
    }
}
