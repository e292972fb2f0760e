package io.lvs4j.forwarder.nativeio;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import com.sun.jna.LastErrorException;

/**
 * A layer-3 tun device ({@code IFF_TUN | IFF_NO_PI}): IP packets written to it enter the local stack as if
 * received on the device, and packets the stack routes to the device are read from it.
 * <p>
 * A real server in TUN (IP-in-IP) mode uses one to hand decapsulated packets to its own stack. The device is made
 * in the network namespace of the thread that opens it (open it inside {@link NetworkNamespace#call} for a lab
 * namespace), exists while this object is open, and is non-blocking. Bringing it up and giving it addresses is the
 * caller's business ({@code ip link set NAME up}, {@code ip addr add ...}).
 * <p>
 * Reads and writes take a buffer address or an Agrona buffer with a known address (direct or off-heap), so they
 * do not allocate. Not thread-safe.
 */
public final class TunDevice implements AutoCloseable
{
    /** The tun clone device. */
    public static final String CLONE_DEVICE = "/dev/net/tun";

    private final String name;
    private final int fd;
    private boolean closed;

    private TunDevice(final String name, final int fd)
    {
        this.name = name;
        this.fd = fd;
    }

    /**
     * Creates (or attaches to) a tun device in the calling thread's network namespace.
     *
     * @param name the device name, e.g. "tunl7"; "tun%d" lets the kernel choose.
     * @return the open device.
     * @throws NativeException when {@code /dev/net/tun} is missing or the ioctl is refused (no CAP_NET_ADMIN).
     */
    public static TunDevice open(final String name)
    {
        final InterfaceRequest request = new InterfaceRequest(name);
        request.unionShort((short)(LibC.IFF_TUN | LibC.IFF_NO_PI));
        final int fd;
        try
        {
            fd = LibC.open(CLONE_DEVICE, LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException("open " + CLONE_DEVICE, ex);
        }
        try
        {
            LibC.ioctl(fd, LibC.TUNSETIFF, request.bytes());
        }
        catch (final LastErrorException ex)
        {
            LibC.closeQuietly(fd);
            throw new NativeException("TUNSETIFF " + name, ex);
        }
        return new TunDevice(request.name(), fd);
    }

    /** @return the device name the kernel gave. */
    public String name()
    {
        return name;
    }

    /** @return the file descriptor, e.g. to poll it. */
    public int fd()
    {
        return fd;
    }

    /**
     * Hands one IP packet to the local stack.
     *
     * @param address native address of the packet's first byte (its IP header).
     * @param length  the packet's length.
     * @return bytes written (the whole packet), or -1 with {@link LibC#errno()} set (EAGAIN never happens on tun
     *         writes; EINVAL means the kernel refused the packet).
     */
    public long write(final long address, final int length)
    {
        return LibC.write(fd, address, length);
    }

    /**
     * Hands one IP packet to the local stack.
     *
     * @param buffer a buffer with a native address (direct or off-heap), not a byte array.
     * @param offset where the packet starts.
     * @param length its length.
     * @return as {@link #write(long, int)}.
     */
    public long write(final DirectBuffer buffer, final int offset, final int length)
    {
        return write(addressOf(buffer, offset, length), length);
    }

    /**
     * Takes one packet the stack routed to the device, if one waits.
     *
     * @param address native address to read into.
     * @param length  room there; a longer packet is cut short.
     * @return the packet's length, 0 when none waits, -1 on another error ({@link LibC#errno()}).
     */
    public long read(final long address, final int length)
    {
        final long n = LibC.read(fd, address, length);
        if (n < 0 && LibC.errno() == LibC.EAGAIN)
        {
            return 0;
        }
        return n;
    }

    /**
     * Takes one packet the stack routed to the device, if one waits.
     *
     * @param buffer a buffer with a native address (direct or off-heap), not a byte array.
     * @param offset where to put the packet.
     * @param length room there.
     * @return as {@link #read(long, int)}.
     */
    public long read(final MutableDirectBuffer buffer, final int offset, final int length)
    {
        return read(addressOf(buffer, offset, length), length);
    }

    private static long addressOf(final DirectBuffer buffer, final int offset, final int length)
    {
        if (buffer.byteArray() != null)
        {
            // A heap array may move under the GC while the kernel copies: the call needs stable native memory.
            throw new IllegalArgumentException("tun I/O needs a direct or off-heap buffer");
        }
        buffer.boundsCheck(offset, length);
        return buffer.addressOffset() + offset;
    }

    /** Closes the descriptor; the kernel removes the (non-persistent) device. Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            LibC.closeQuietly(fd);
        }
    }

    @Override
    public String toString()
    {
        return "TunDevice{" + name + ", fd=" + fd + '}';
    }
}
