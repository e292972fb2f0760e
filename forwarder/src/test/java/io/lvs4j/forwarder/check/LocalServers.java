package io.lvs4j.forwarder.check;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Tiny servers on 127.0.0.1 for the real-socket tests, each on its own daemon thread (the test side may block; the
 * checker side may not).
 */
final class LocalServers
{
    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private LocalServers()
    {
    }

    /**
     * An SMTP responder: a (multi-line) banner, then the given answer to HELO, then 221 to QUIT.
     */
    static final class Smtp implements AutoCloseable
    {
        final ServerSocket server;
        final List<String> received = new CopyOnWriteArrayList<>();

        Smtp(final String banner, final String heloReply) throws IOException
        {
            server = new ServerSocket(0, 50, LOOPBACK);
            final Thread thread = new Thread(() ->
            {
                while (!server.isClosed())
                {
                    try (Socket socket = server.accept())
                    {
                        final OutputStream out = socket.getOutputStream();
                        final BufferedReader in = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                        out.write(banner.getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        String line;
                        while ((line = in.readLine()) != null)
                        {
                            received.add(line);
                            out.write((line.startsWith("QUIT") ? "221 bye\r\n" : heloReply)
                                .getBytes(StandardCharsets.US_ASCII));
                            out.flush();
                        }
                    }
                    catch (final IOException ignore)
                    {
                        // closed by the test or the checker
                    }
                }
            }, "smtp-responder");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return server.getLocalPort();
        }

        public void close() throws IOException
        {
            server.close();
        }
    }

    /**
     * A DNS responder: NOERROR for names starting with "good", NXDOMAIN for "bad", a wrong id for "wrongid".
     */
    static final class Dns implements AutoCloseable
    {
        final DatagramSocket socket;

        Dns() throws IOException
        {
            socket = new DatagramSocket(0, LOOPBACK);
            final Thread thread = new Thread(() ->
            {
                final byte[] buffer = new byte[512];
                while (!socket.isClosed())
                {
                    try
                    {
                        final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        final byte[] reply = Arrays.copyOf(packet.getData(), packet.getLength());
                        final String name = new String(reply, 13, reply[12], StandardCharsets.US_ASCII);
                        reply[2] = (byte)(0x80 | reply[2]); // QR
                        reply[3] = (byte)(0x80 | (name.startsWith("bad") ? 3 : 0)); // RA, RCODE
                        if (name.startsWith("wrongid"))
                        {
                            reply[1]++;
                        }
                        socket.send(new DatagramPacket(reply, reply.length, packet.getSocketAddress()));
                    }
                    catch (final IOException ignore)
                    {
                        // closed
                    }
                }
            }, "dns-responder");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return socket.getLocalPort();
        }

        public void close()
        {
            socket.close();
        }
    }

    /**
     * A UDP echo responder (or a silent one).
     */
    static final class UdpEcho implements AutoCloseable
    {
        final DatagramSocket socket;

        UdpEcho(final boolean answer) throws IOException
        {
            socket = new DatagramSocket(0, LOOPBACK);
            final Thread thread = new Thread(() ->
            {
                final byte[] buffer = new byte[512];
                while (!socket.isClosed())
                {
                    try
                    {
                        final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                        socket.receive(packet);
                        if (answer)
                        {
                            socket.send(new DatagramPacket(packet.getData(), packet.getLength(),
                                packet.getSocketAddress()));
                        }
                    }
                    catch (final IOException ignore)
                    {
                        // closed
                    }
                }
            }, "udp-echo");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return socket.getLocalPort();
        }

        public void close()
        {
            socket.close();
        }
    }

    /**
     * Accepts connections and never says anything, to time out readers.
     */
    static final class Silent implements AutoCloseable
    {
        final ServerSocket server;
        final List<Socket> held = new CopyOnWriteArrayList<>();

        Silent() throws IOException
        {
            server = new ServerSocket(0, 50, LOOPBACK);
            final Thread thread = new Thread(() ->
            {
                while (!server.isClosed())
                {
                    try
                    {
                        held.add(server.accept());
                    }
                    catch (final IOException ignore)
                    {
                        // closed
                    }
                }
            }, "silent-acceptor");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return server.getLocalPort();
        }

        public void close() throws IOException
        {
            server.close();
            for (final Socket socket : held)
            {
                socket.close();
            }
        }
    }

    /**
     * Accepts connections and closes them at once, as fast as it can (for the load test's TCP checks).
     */
    static final class Closer implements AutoCloseable
    {
        final ServerSocket server;

        Closer() throws IOException
        {
            server = new ServerSocket(0, 1024, LOOPBACK);
            final Thread thread = new Thread(() ->
            {
                while (!server.isClosed())
                {
                    try
                    {
                        server.accept().close();
                    }
                    catch (final IOException ignore)
                    {
                        // closed
                    }
                }
            }, "closer");
            thread.setDaemon(true);
            thread.start();
        }

        int port()
        {
            return server.getLocalPort();
        }

        public void close() throws IOException
        {
            server.close();
        }
    }
}
