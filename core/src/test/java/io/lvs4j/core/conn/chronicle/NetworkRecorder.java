package io.lvs4j.core.conn.chronicle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.DatagramSocketImpl;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketImpl;
import java.net.URI;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.util.ArrayList;
import java.util.List;

/**
 * Records, and refuses, every way a JVM on Java 17 opens a network connection, so that a child JVM can prove
 * that a piece of code makes none: the default {@link ProxySelector} (consulted by URL connections), a
 * {@link URLStreamHandler} for network URL schemes, the {@link Socket} and {@link DatagramSocket}
 * implementation factories, and (installed from the command line, see {@link RecordingSelectorProvider}) the
 * NIO selector provider behind {@code SocketChannel}, {@code DatagramChannel} and the JDK HTTP client. Name
 * lookups cannot be intercepted on Java 17; the child is pointed at an empty hosts file instead, so none reaches
 * DNS.
 * <p>
 * JVM-wide factories can only be set once per JVM, which is why this runs in a fresh child JVM.
 */
final class NetworkRecorder
{
    private static final List<String> ATTEMPTS = new ArrayList<>();

    private NetworkRecorder()
    {
    }

    /**
     * Records an attempt.
     *
     * @param what a description.
     */
    static void record(final String what)
    {
        synchronized (ATTEMPTS)
        {
            ATTEMPTS.add(what);
        }
        System.out.println("ATTEMPT " + what);
        System.out.flush();
    }

    /** @return the attempts so far. */
    static List<String> attempts()
    {
        synchronized (ATTEMPTS)
        {
            return new ArrayList<>(ATTEMPTS);
        }
    }

    /**
     * Installs the JVM-wide recorders (once per JVM, before any network class is used).
     *
     * @throws IOException if a factory was already set.
     */
    @SuppressWarnings("deprecation")
    static void install() throws IOException
    {
        ProxySelector.setDefault(new ProxySelector()
        {
            @Override
            public List<Proxy> select(final URI uri)
            {
                record("proxy-selector " + uri);
                return List.of(Proxy.NO_PROXY);
            }

            @Override
            public void connectFailed(final URI uri, final SocketAddress sa, final IOException ioe)
            {
            }
        });
        URL.setURLStreamHandlerFactory(protocol ->
        {
            switch (protocol)
            {
                case "http":
                case "https":
                case "ftp":
                    return new URLStreamHandler()
                    {
                        @Override
                        protected URLConnection openConnection(final URL u) throws IOException
                        {
                            record("url " + u);
                            throw new IOException("network disabled by the test: " + u);
                        }
                    };
                default:
                    return null;
            }
        });
        Socket.setSocketImplFactory(RecordingSocketImpl::new);
        DatagramSocket.setDatagramSocketImplFactory(RecordingDatagramSocketImpl::new);
    }

    /** A socket implementation that records and refuses every connection. */
    static final class RecordingSocketImpl extends SocketImpl
    {
        private IOException refuse(final String what)
        {
            record("socket " + what);
            return new IOException("network disabled by the test: " + what);
        }

        @Override
        protected void create(final boolean stream)
        {
        }

        @Override
        protected void connect(final String host, final int port) throws IOException
        {
            throw refuse("connect " + host + ":" + port);
        }

        @Override
        protected void connect(final InetAddress address, final int port) throws IOException
        {
            throw refuse("connect " + address + ":" + port);
        }

        @Override
        protected void connect(final SocketAddress address, final int timeout) throws IOException
        {
            throw refuse("connect " + address);
        }

        @Override
        protected void bind(final InetAddress host, final int port) throws IOException
        {
            throw refuse("bind " + host + ":" + port);
        }

        @Override
        protected void listen(final int backlog) throws IOException
        {
            throw refuse("listen");
        }

        @Override
        protected void accept(final SocketImpl s) throws IOException
        {
            throw refuse("accept");
        }

        @Override
        protected InputStream getInputStream() throws IOException
        {
            throw refuse("input");
        }

        @Override
        protected OutputStream getOutputStream() throws IOException
        {
            throw refuse("output");
        }

        @Override
        protected int available()
        {
            return 0;
        }

        @Override
        protected void close()
        {
        }

        @Override
        protected void sendUrgentData(final int data) throws IOException
        {
            throw refuse("urgent");
        }

        @Override
        public void setOption(final int optID, final Object value)
        {
        }

        @Override
        public Object getOption(final int optID)
        {
            return null;
        }
    }

    /** A datagram socket implementation that records and refuses everything. */
    @SuppressWarnings("deprecation")
    static final class RecordingDatagramSocketImpl extends DatagramSocketImpl
    {
        private IOException refuse(final String what)
        {
            record("datagram " + what);
            return new IOException("network disabled by the test: " + what);
        }

        @Override
        protected void create()
        {
        }

        @Override
        protected void bind(final int lport, final InetAddress laddr) throws java.net.SocketException
        {
            record("datagram bind " + laddr + ":" + lport);
            throw new java.net.SocketException("network disabled by the test");
        }

        @Override
        protected void send(final DatagramPacket p) throws IOException
        {
            throw refuse("send " + p.getSocketAddress());
        }

        @Override
        protected int peek(final InetAddress i) throws IOException
        {
            throw refuse("peek");
        }

        @Override
        protected int peekData(final DatagramPacket p) throws IOException
        {
            throw refuse("peek");
        }

        @Override
        protected void receive(final DatagramPacket p) throws IOException
        {
            throw refuse("receive");
        }

        @Override
        protected void setTTL(final byte ttl)
        {
        }

        @Override
        protected byte getTTL()
        {
            return 0;
        }

        @Override
        protected void setTimeToLive(final int ttl)
        {
        }

        @Override
        protected int getTimeToLive()
        {
            return 0;
        }

        @Override
        protected void join(final InetAddress inetaddr) throws IOException
        {
            throw refuse("join");
        }

        @Override
        protected void leave(final InetAddress inetaddr) throws IOException
        {
            throw refuse("leave");
        }

        @Override
        protected void joinGroup(final SocketAddress mcastaddr, final NetworkInterface netIf) throws IOException
        {
            throw refuse("join");
        }

        @Override
        protected void leaveGroup(final SocketAddress mcastaddr, final NetworkInterface netIf) throws IOException
        {
            throw refuse("leave");
        }

        @Override
        protected void close()
        {
        }

        @Override
        public void setOption(final int optID, final Object value)
        {
        }

        @Override
        public Object getOption(final int optID)
        {
            return null;
        }
    }
}
