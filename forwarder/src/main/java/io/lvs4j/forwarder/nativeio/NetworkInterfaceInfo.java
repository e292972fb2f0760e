package io.lvs4j.forwarder.nativeio;

import com.sun.jna.LastErrorException;

/**
 * What the kernel says about one network interface: its name, index, hardware address and MTU, as seen from the
 * calling thread's network namespace.
 */
public final class NetworkInterfaceInfo
{
    /** {@code ARPHRD_ETHER}: the hardware type of Ethernet-like devices (including veth). */
    public static final int ARPHRD_ETHER = 1;

    private final String name;
    private final int index;
    private final long mac;
    private final int hardwareType;
    private final int mtu;

    /**
     * A value; normally made by {@link #query}.
     *
     * @param name         the interface name.
     * @param index        its index.
     * @param mac          its hardware address in the low 48 bits (0 for devices without one).
     * @param hardwareType its ARPHRD type.
     * @param mtu          its MTU.
     */
    public NetworkInterfaceInfo(final String name, final int index, final long mac, final int hardwareType, final int mtu)
    {
        this.name = name;
        this.index = index;
        this.mac = mac;
        this.hardwareType = hardwareType;
        this.mtu = mtu;
    }

    /**
     * Asks the kernel about an interface in the calling thread's network namespace, through a throwaway
     * {@code AF_INET} datagram socket (which needs no privilege).
     *
     * @param name the interface name.
     * @return what the kernel reports.
     * @throws NativeException when there is no such interface.
     */
    public static NetworkInterfaceInfo query(final String name)
    {
        final int fd = querySocket(name);
        try
        {
            return query(fd, name);
        }
        finally
        {
            LibC.closeQuietly(fd);
        }
    }

    /**
     * Asks the kernel about an interface through a socket the caller owns (which fixes the namespace).
     *
     * @param fd   any socket in the interface's namespace.
     * @param name the interface name.
     * @return what the kernel reports.
     * @throws NativeException when there is no such interface.
     */
    public static NetworkInterfaceInfo query(final int fd, final String name)
    {
        final InterfaceRequest request = new InterfaceRequest(name);
        final int index = ioctl(fd, LibC.SIOCGIFINDEX, "SIOCGIFINDEX", request).unionInt();
        final int mtu = ioctl(fd, LibC.SIOCGIFMTU, "SIOCGIFMTU", request).unionInt();
        ioctl(fd, LibC.SIOCGIFHWADDR, "SIOCGIFHWADDR", request);
        return new NetworkInterfaceInfo(name, index, request.hardwareAddress(), request.hardwareType(), mtu);
    }

    /**
     * Whether an interface in the calling thread's network namespace is up and running ({@code IFF_UP} and
     * {@code IFF_RUNNING}: administratively up with its operstate up or unknown), asked through a throwaway
     * {@code AF_INET} socket. Unlike {@code /sys/class/net/IF/operstate}, which shows the namespace sysfs was mounted
     * in, this answers for the thread's own namespace, so a thread that joined a namespace sees that namespace's
     * interface.
     *
     * @param name the interface name.
     * @return whether it is up and running.
     * @throws NativeException when there is no such interface.
     */
    public static boolean isRunning(final String name)
    {
        final int fd = querySocket(name);
        try
        {
            final int flags = ioctl(fd, LibC.SIOCGIFFLAGS, "SIOCGIFFLAGS", new InterfaceRequest(name)).unionShort();
            return (flags & LibC.IFF_UP) != 0 && (flags & LibC.IFF_RUNNING) != 0;
        }
        finally
        {
            LibC.closeQuietly(fd);
        }
    }

    /** A throwaway {@code AF_INET} datagram socket in the calling thread's namespace, for interface ioctls. */
    private static int querySocket(final String name)
    {
        try
        {
            return LibC.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException("socket(AF_INET) to query " + name, ex);
        }
    }

        private static InterfaceRequest ioctl(final int fd, final long request, final String what, final InterfaceRequest ifr)
    {
        try
        {
            LibC.ioctl(fd, request, ifr.bytes());
            return ifr;
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException(what + " " + ifr.name(), ex);
        }
    }

    /** @return the interface name. */
    public String name()
    {
        return name;
    }

    /** @return the interface index ({@code sll_ifindex}). */
    public int index()
    {
        return index;
    }

    /** @return the hardware address in the low 48 bits, first octet most significant. */
    public long mac()
    {
        return mac;
    }

    /** @return the ARPHRD hardware type ({@link #ARPHRD_ETHER} for Ethernet). */
    public int hardwareType()
    {
        return hardwareType;
    }

    /** @return the MTU: the largest IP packet the interface sends. */
    public int mtu()
    {
        return mtu;
    }

    /**
     * Formats a MAC address.
     *
     * @param mac an address in the low 48 bits.
     * @return e.g. "02:00:5e:10:00:01".
     */
    public static String formatMac(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
            if (shift > 0)
            {
                sb.append(':');
            }
        }
        return sb.toString();
    }

    @Override
    public String toString()
    {
        return name + "{index=" + index + ", mac=" + formatMac(mac) + ", type=" + hardwareType + ", mtu=" + mtu + '}';
    }
}
