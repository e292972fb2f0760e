package io.lvs4j.forwarder.check;

import java.net.Inet4Address;
import java.nio.ByteOrder;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;

/**
 * A non-blocking IPv4 ICMP socket through JNA direct mapping, for PING_CHECK: plain Java has no ICMP socket.
 * <p>
 * It tries the unprivileged "ping socket" first ({@code SOCK_DGRAM}/{@code IPPROTO_ICMP}, allowed when the group
 * is within {@code net.ipv4.ping_group_range}: the kernel then owns the echo id and strips the IP header), then a
 * raw socket (needs {@code CAP_NET_RAW}; replies come with their IP header). Both are opened non-blocking, so a
 * receive with nothing queued returns at once.
 */
final class IcmpSocket implements AutoCloseable
{
    private static final int AF_INET = 2;
    private static final int SOCK_RAW = 3;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int IPPROTO_ICMP = 1;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int SOCKADDR_IN_LENGTH = 16;

    static
    {
        Native.register("c");
    }

    private final int fd;
    private final boolean raw;

    private IcmpSocket(final int fd, final boolean raw)
    {
        this.fd = fd;
        this.raw = raw;
    }

    /**
     * Opens a ping socket, else a raw one.
     *
     * @return the socket.
     * @throws LastErrorException with the raw socket's errno when neither is allowed.
     */
    static IcmpSocket open()
    {
        try
        {
            return new IcmpSocket(socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP), false);
        }
        catch (final LastErrorException ex)
        {
            return new IcmpSocket(socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP), true);
        }
    }

    /**
     * @return whether received packets start with an IP header (raw socket).
     */
    boolean raw()
    {
        return raw;
    }

    /**
     * Sends one ICMP message.
     *
     * @param to      the destination.
     * @param message the ICMP header and data.
     * @return 0, or the errno of the failure.
     */
    int send(final Inet4Address to, final byte[] message)
    {
        final byte[] address = new byte[SOCKADDR_IN_LENGTH];
        // sin_family is in host order, the address in network order
        if (ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN)
        {
            address[0] = AF_INET;
        }
        else
        {
            address[1] = AF_INET;
        }
        System.arraycopy(to.getAddress(), 0, address, 4, 4);
        final long sent = sendto(fd, message, message.length, MSG_DONTWAIT, address, SOCKADDR_IN_LENGTH);
        return sent < 0 ? Native.getLastError() : 0;
    }

    /**
     * Receives one packet if any is queued.
     *
     * @param buffer where to put it.
     * @return its length, or -1 when nothing is queued (or on an error).
     */
    int receive(final byte[] buffer)
    {
        return (int)recv(fd, buffer, buffer.length, MSG_DONTWAIT);
    }

    /**
     * Closes the descriptor.
     */
    public void close()
    {
        close(fd);
    }

    private static native int socket(int domain, int type, int protocol) throws LastErrorException;

    private static native long sendto(int fd, byte[] buffer, long length, int flags, byte[] address, int addressLength);

    private static native long recv(int fd, byte[] buffer, long length, int flags);

    private static native int close(int fd);
}
