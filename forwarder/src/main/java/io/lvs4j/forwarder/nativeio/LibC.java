package io.lvs4j.forwarder.nativeio;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The few libc calls the forwarder makes, bound with JNA direct mapping (about 75 ns a call instead of about 240 ns
 * through an interface proxy), and the Linux constants that go with them (x86_64 and other LP64 ABIs).
 * <p>
 * Calls that set up sockets, rings and devices declare {@link LastErrorException}, so a failure arrives as an
 * exception carrying {@code errno}. The calls made once per batch on the hot path ({@link #sendto}, {@link #poll},
 * {@link #read}, {@link #write}) do not: they return -1 and the caller reads {@link #errno()}, because building an
 * exception is no way to report a full queue. Memory is passed as a {@code long} address wherever the caller
 * already holds one (mapped rings, direct buffers), which keeps the calls free of allocation.
 */
public final class LibC
{
    /** {@code AF_INET}: a socket for interface ioctls that needs no privilege. */
    public static final int AF_INET = 2;
    /** {@code AF_PACKET}: raw frames. */
    public static final int AF_PACKET = 17;
    /** {@code SOCK_DGRAM}. */
    public static final int SOCK_DGRAM = 2;
    /** {@code SOCK_RAW}: frames including their link-layer header. */
    public static final int SOCK_RAW = 3;
    /** {@code SOCK_NONBLOCK}, or-ed into the socket type. */
    public static final int SOCK_NONBLOCK = 0x800;
    /** {@code SOCK_CLOEXEC}, or-ed into the socket type. */
    public static final int SOCK_CLOEXEC = 0x80000;

    /** {@code SOL_SOCKET}: the level of generic socket options. */
    public static final int SOL_SOCKET = 1;
    /** {@code SO_ERROR}: reads and clears a socket's pending error. */
    public static final int SO_ERROR = 4;
    /** {@code SO_ATTACH_FILTER}: attaches a classic BPF program ({@code struct sock_fprog}). */
    public static final int SO_ATTACH_FILTER = 26;
    /** {@code SO_BUSY_POLL}: microseconds to busy-poll the device queue in blocking reads. */
    public static final int SO_BUSY_POLL = 46;

    /** {@code O_RDONLY}. */
    public static final int O_RDONLY = 0;
    /** {@code O_RDWR}. */
    public static final int O_RDWR = 2;
    /** {@code O_NONBLOCK}. */
    public static final int O_NONBLOCK = 0x800;
    /** {@code O_CLOEXEC}. */
    public static final int O_CLOEXEC = 0x80000;

    /** {@code PROT_READ}. */
    public static final int PROT_READ = 1;
    /** {@code PROT_WRITE}. */
    public static final int PROT_WRITE = 2;
    /** {@code MAP_SHARED}. */
    public static final int MAP_SHARED = 1;
    /** {@code MAP_FAILED} as an address. */
    public static final long MAP_FAILED = -1L;

    /** {@code POLLIN}. */
    public static final short POLLIN = 0x1;
    /** {@code POLLOUT}. */
    public static final short POLLOUT = 0x4;
    /** {@code POLLERR}. */
    public static final short POLLERR = 0x8;
    /** Bytes of a {@code struct pollfd}: fd (int), events (short), revents (short). */
    public static final int POLLFD_LENGTH = 8;

    /** {@code MSG_DONTWAIT}. */
    public static final int MSG_DONTWAIT = 0x40;

    /** {@code CLONE_NEWNET}: the namespace type for {@link #setns}. */
    public static final int CLONE_NEWNET = 0x4000_0000;

    /** {@code SIOCGIFFLAGS}: reads an interface's flags into {@code ifr_flags}. */
    public static final long SIOCGIFFLAGS = 0x8913;
    /** {@code IFF_UP}: the interface is administratively up. */
    public static final int IFF_UP = 0x1;
    /** {@code IFF_RUNNING}: the interface is operationally up (RFC 2863 operstate up or unknown). */
    public static final int IFF_RUNNING = 0x40;
    /** {@code SIOCGIFMTU}: reads an interface's MTU into {@code ifr_mtu}. */
    public static final long SIOCGIFMTU = 0x8921;
    /** {@code SIOCGIFHWADDR}: reads an interface's hardware address into {@code ifr_hwaddr}. */
    public static final long SIOCGIFHWADDR = 0x8927;
    /** {@code SIOCGIFINDEX}: reads an interface's index into {@code ifr_ifindex}. */
    public static final long SIOCGIFINDEX = 0x8933;
    /** {@code TUNSETIFF}: attaches a {@code /dev/net/tun} descriptor to a new or existing tun/tap device. */
    public static final long TUNSETIFF = 0x4004_54caL;
    /** {@code IFF_TUN}: a layer-3 device (IP packets, no Ethernet header). */
    public static final short IFF_TUN = 0x0001;
    /** {@code IFF_NO_PI}: no 4-byte packet-information prefix on each packet. */
    public static final short IFF_NO_PI = 0x1000;

    /** Bytes of a {@code struct ifreq}: the name, then a 24-byte union. */
    public static final int IFREQ_LENGTH = 40;
    /** Offset of the union in a {@code struct ifreq} (after the 16-byte name). */
    public static final int IFREQ_UNION_OFFSET = 16;
    /** {@code IFNAMSIZ}: room for an interface name including its terminating zero. */
    public static final int IFNAMSIZ = 16;

    /** {@code EINTR}. */
    public static final int EINTR = 4;
    /** {@code EAGAIN} / {@code EWOULDBLOCK}. */
    public static final int EAGAIN = 11;
    /** {@code ENOBUFS}. */
    public static final int ENOBUFS = 105;

    static
    {
        Native.register("c");
    }

    private LibC()
    {
    }

    /**
     * {@code socket(2)}.
     *
     * @param domain   address family, e.g. {@link #AF_PACKET}.
     * @param type     socket type with flags.
     * @param protocol protocol in network byte order for AF_PACKET.
     * @return the descriptor.
     * @throws LastErrorException with errno on failure.
     */
    public static native int socket(int domain, int type, int protocol) throws LastErrorException;

    /**
     * {@code bind(2)}.
     *
     * @param fd      the socket.
     * @param address the socket address bytes.
     * @param length  bytes of the address.
     * @return 0.
     * @throws LastErrorException with errno on failure.
     */
    public static native int bind(int fd, byte[] address, int length) throws LastErrorException;

    /**
     * {@code setsockopt(2)} with the value in a byte array.
     *
     * @param fd     the socket.
     * @param level  option level.
     * @param name   option name.
     * @param value  the option's bytes in native order.
     * @param length bytes of the value.
     * @return 0.
     * @throws LastErrorException with errno on failure.
     */
    public static native int setsockopt(int fd, int level, int name, byte[] value, int length)
        throws LastErrorException;

    /**
     * {@code setsockopt(2)} with the value in native memory (for values that hold pointers, such as
     * {@code struct sock_fprog}).
     *
     * @param fd     the socket.
     * @param level  option level.
     * @param name   option name.
     * @param value  the option's memory.
     * @param length bytes of the value.
     * @return 0.
     * @throws LastErrorException with errno on failure.
     */
    public static native int setsockopt(int fd, int level, int name, Pointer value, int length)
        throws LastErrorException;

    /**
     * {@code getsockopt(2)}.
     *
     * @param fd     the socket.
     * @param level  option level.
     * @param name   option name.
     * @param value  receives the option's bytes.
     * @param length in: room in {@code value}; out: bytes written.
     * @return 0.
     * @throws LastErrorException with errno on failure.
     */
    public static native int getsockopt(int fd, int level, int name, byte[] value, int[] length)
        throws LastErrorException;

    /**
     * {@code mmap(2)}.
     *
     * @param address hint, usually 0.
     * @param length  bytes to map.
     * @param prot    protection bits.
     * @param flags   mapping flags.
     * @param fd      the descriptor to map.
     * @param offset  offset in the descriptor.
     * @return the mapped address.
     * @throws LastErrorException with errno on failure.
     */
    public static native long mmap(long address, long length, int prot, int flags, int fd, long offset)
        throws LastErrorException;

    /**
     * {@code munmap(2)}.
     *
     * @param address the mapped address.
     * @param length  bytes mapped.
     * @return 0.
     * @throws LastErrorException with errno on failure.
     */
    public static native int munmap(long address, long length) throws LastErrorException;

    /**
     * {@code poll(2)}; errors come back as -1 and {@link #errno()}.
     *
     * @param fds       address of an array of {@code struct pollfd}.
     * @param count     entries in the array.
     * @param timeoutMs the longest wait, -1 for ever.
     * @return ready descriptors, 0 on timeout, -1 on error.
     */
    public static native int poll(long fds, long count, int timeoutMs);

    /**
     * {@code sendto(2)}; errors come back as -1 and {@link #errno()}.
     *
     * @param fd            the socket.
     * @param buffer        address of the bytes, 0 to kick an AF_PACKET transmit ring.
     * @param length        bytes to send.
     * @param flags         e.g. {@link #MSG_DONTWAIT}.
     * @param address       address of a destination socket address, or 0.
     * @param addressLength bytes of the destination address.
     * @return bytes sent, or -1.
     */
    public static native long sendto(int fd, long buffer, long length, int flags, long address, int addressLength);

    /**
     * {@code read(2)}; errors come back as -1 and {@link #errno()}.
     *
     * @param fd     the descriptor.
     * @param buffer address to read into.
     * @param length room at the address.
     * @return bytes read, 0 at end of file, -1 on error.
     */
    public static native long read(int fd, long buffer, long length);

    /**
     * {@code read(2)} into a byte array; errors come back as -1 and {@link #errno()}.
     *
     * @param fd     the descriptor.
     * @param buffer the array to read into.
     * @param length room in the array.
     * @return bytes read, 0 at end of file, -1 on error.
     */
    public static native long read(int fd, byte[] buffer, long length);

    /**
     * {@code write(2)}; errors come back as -1 and {@link #errno()}.
     *
     * @param fd     the descriptor.
     * @param buffer address of the bytes.
     * @param length bytes to write.
     * @return bytes written, or -1.
     */
    public static native long write(int fd, long buffer, long length);

    /**
     * {@code close(2)}.
     *
     * @param fd the descriptor.
     * @return 0.
     * @throws LastErrorException with errno on failure.
     */
    public static native int close(int fd) throws LastErrorException;

    /**
     * {@code ioctl(2)} with a pointer argument held in a byte array (a {@code struct ifreq}).
     *
     * @param fd      the descriptor.
     * @param request the request number.
     * @param arg     the argument's bytes, read and written by the kernel.
     * @return the request's result.
     * @throws LastErrorException with errno on failure.
     */
    public static native int ioctl(int fd, long request, byte[] arg) throws LastErrorException;

    /**
     * {@code open(2)}.
     *
     * @param path  the file.
     * @param flags e.g. {@link #O_RDWR} | {@link #O_NONBLOCK}.
     * @return the descriptor.
     * @throws LastErrorException with errno on failure.
     */
    public static native int open(String path, int flags) throws LastErrorException;

    /**
     * {@code setns(2)}: moves the calling thread into the namespace the descriptor refers to.
     *
     * @param fd     a namespace descriptor, e.g. from {@code /var/run/netns/NAME}.
     * @param nstype the namespace type expected, e.g. {@link #CLONE_NEWNET}, or 0 for any.
     * @return 0.
     * @throws LastErrorException with errno on failure.
     */
    public static native int setns(int fd, int nstype) throws LastErrorException;

    /**
     * {@code if_nametoindex(3)} in the calling thread's network namespace.
     *
     * @param name the interface name.
     * @return its index, 0 when there is no such interface.
     */
    public static native int if_nametoindex(String name);

    /**
     * {@code getpagesize(2)}.
     *
     * @return the page size in bytes.
     */
    public static native int getpagesize();

    /**
     * {@code strerror(3)}.
     *
     * @param errno an error number.
     * @return its description.
     */
    public static native String strerror(int errno);

    /**
     * The errno left by the last call this thread made through JNA.
     *
     * @return the error number.
     */
    public static int errno()
    {
        return Native.getLastError();
    }

    /**
     * Closes a descriptor, ignoring errors, for cleanup paths that already have something to report.
     *
     * @param fd the descriptor; negative values are ignored.
     */
    public static void closeQuietly(final int fd)
    {
        if (fd >= 0)
        {
            try
            {
                close(fd);
            }
            catch (final LastErrorException ignore)
            {
                // Nothing useful to do: the descriptor is gone either way (close(2) always releases it on Linux).
            }
        }
    }

    /**
     * Describes a failed call for an exception message.
     *
     * @param what  the call and its subject, e.g. "bind eth0".
     * @param errno the error number.
     * @return e.g. "bind eth0: errno 19 (No such device)".
     */
    public static String describe(final String what, final int errno)
    {
        return what + ": errno " + errno + " (" + strerror(errno) + ")";
    }
}
