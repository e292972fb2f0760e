package io.lvs4j.forwarder.nativeio;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A {@code struct ifreq} (40 bytes: the interface name, then a 24-byte union) in a byte array, for the interface
 * ioctls ({@code SIOCGIFINDEX}, {@code SIOCGIFHWADDR}, {@code SIOCGIFMTU}, {@code TUNSETIFF}).
 */
public final class InterfaceRequest
{
    /** Offset of {@code ifr_ifindex}, {@code ifr_mtu} and {@code ifr_flags} (the union). */
    public static final int UNION_OFFSET = LibC.IFREQ_UNION_OFFSET;
    /** Offset of the address bytes of {@code ifr_hwaddr} ({@code sa_data}, after the 2-byte family). */
    public static final int HWADDR_DATA_OFFSET = UNION_OFFSET + 2;

    private final byte[] bytes = new byte[LibC.IFREQ_LENGTH];
    private final UnsafeBuffer view = new UnsafeBuffer(bytes);

    /**
     * A request for an interface.
     *
     * @param name the interface name, at most 15 ASCII bytes.
     */
    public InterfaceRequest(final String name)
    {
        final byte[] encoded = checkName(name).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(encoded, 0, bytes, 0, encoded.length);
    }

    /**
     * Checks that a name fits {@code IFNAMSIZ}.
     *
     * @param name an interface name.
     * @return the name.
     */
    public static String checkName(final String name)
    {
        if (name == null || name.isEmpty() || name.length() >= LibC.IFNAMSIZ ||
            !StandardCharsets.US_ASCII.newEncoder().canEncode(name))
        {
            throw new IllegalArgumentException(
                "interface name must be 1.." + (LibC.IFNAMSIZ - 1) + " ASCII characters: " + name);
        }
        return name;
    }

    /** @return the 40 bytes handed to {@code ioctl}. */
    public byte[] bytes()
    {
        return bytes;
    }

    /** @return the name field, as the kernel may have filled it in (e.g. for "tun%d"). */
    public String name()
    {
        int end = 0;
        while (end < LibC.IFNAMSIZ && bytes[end] != 0)
        {
            end++;
        }
        return new String(bytes, 0, end, StandardCharsets.US_ASCII);
    }

    /** @return the union read as an int ({@code ifr_ifindex}, {@code ifr_mtu}). */
    public int unionInt()
    {
        return view.getInt(UNION_OFFSET, ByteOrder.nativeOrder());
    }

    /**
     * Sets the union's first short ({@code ifr_flags}).
     *
     * @param value the flags.
     */
    public void unionShort(final short value)
    {
        view.putShort(UNION_OFFSET, value, ByteOrder.nativeOrder());
    }

    /** @return the union's first short as an unsigned value ({@code ifr_flags}). */
    public int unionShort()
    {
        return view.getShort(UNION_OFFSET, ByteOrder.nativeOrder()) & 0xFFFF;
    }

    /** @return the six hardware-address bytes of {@code ifr_hwaddr} as a MAC in the low 48 bits. */
    public long hardwareAddress()
    {
        return (view.getInt(HWADDR_DATA_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16 |
            (view.getShort(HWADDR_DATA_OFFSET + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF);
    }

    /** @return the {@code sa_family} of {@code ifr_hwaddr}: the ARPHRD type (1 for Ethernet). */
    public int hardwareType()
    {
        return view.getShort(UNION_OFFSET, ByteOrder.nativeOrder()) & 0xFFFF;
    }
}
