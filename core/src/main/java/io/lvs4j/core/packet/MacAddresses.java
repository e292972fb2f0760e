package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * 48-bit MAC addresses held in the low bits of a {@code long} (first octet most significant), so that they are
 * passed and compared without allocation.
 */
public final class MacAddresses
{
    /** The broadcast address ff:ff:ff:ff:ff:ff. */
    public static final long BROADCAST = 0xFFFF_FFFF_FFFFL;
    /** The all-zero address (an unknown target in ARP requests). */
    public static final long ZERO = 0L;
    /** Number of bytes of a MAC address. */
    public static final int LENGTH = 6;

    private MacAddresses()
    {
    }

    /**
     * Reads a MAC address.
     *
     * @param buffer the bytes.
     * @param index  offset of the first octet.
     * @return the address in the low 48 bits.
     */
    public static long get(final DirectBuffer buffer, final int index)
    {
        return (buffer.getInt(index, ByteOrder.BIG_ENDIAN) & 0xFFFF_FFFFL) << 16 |
            (buffer.getShort(index + 4, ByteOrder.BIG_ENDIAN) & 0xFFFF);
    }

    /**
     * Writes a MAC address.
     *
     * @param buffer the bytes.
     * @param index  offset of the first octet.
     * @param mac    the address in the low 48 bits.
     */
    public static void put(final MutableDirectBuffer buffer, final int index, final long mac)
    {
        buffer.putInt(index, (int)(mac >>> 16), ByteOrder.BIG_ENDIAN);
        buffer.putShort(index + 4, (short)mac, ByteOrder.BIG_ENDIAN);
    }

    /**
     * Whether an address is a group (multicast or broadcast) address: the I/G bit of the first octet.
     *
     * @param mac the address.
     * @return true for multicast and broadcast.
     */
    public static boolean isMulticast(final long mac)
    {
        return (mac & 0x0100_0000_0000L) != 0;
    }

    /**
     * The VRRP virtual router MAC 00:00:5e:00:01:{VRID} (IPv4) or 00:00:5e:00:02:{VRID} (IPv6), RFC 5798 §7.3.
     *
     * @param vrid the virtual router id, 1..255.
     * @param ipv6 true for the IPv6 virtual router.
     * @return the address.
     */
    public static long vrrpVirtualMac(final int vrid, final boolean ipv6)
    {
        return 0x0000_5E00_0000L | (ipv6 ? 0x200 : 0x100) | (vrid & 0xFF);
    }

    /**
     * Formats an address as {@code aa:bb:cc:dd:ee:ff} (allocates: not for the hot path).
     *
     * @param mac the address.
     * @return the text.
     */
    public static String toString(final long mac)
    {
        final StringBuilder sb = new StringBuilder(17);
        for (int shift = 40; shift >= 0; shift -= 8)
        {
            final int octet = (int)(mac >>> shift) & 0xFF;
            if (shift != 40)
            {
                sb.append(':');
            }
            sb.append(Character.forDigit(octet >>> 4, 16)).append(Character.forDigit(octet & 0xF, 16));
        }
        return sb.toString();
    }

    /**
     * Parses {@code aa:bb:cc:dd:ee:ff} (or with '-' separators).
     *
     * @param text the text.
     * @return the address.
     * @throws IllegalArgumentException when the text is not a MAC address.
     */
    public static long parse(final String text)
    {
        if (text.length() != 17)
        {
            throw new IllegalArgumentException("not a MAC address: " + text);
        }
        long mac = 0;
        for (int i = 0; i < 6; i++)
        {
            final int hi = Character.digit(text.charAt(i * 3), 16);
            final int lo = Character.digit(text.charAt(i * 3 + 1), 16);
            final char separator = i < 5 ? text.charAt(i * 3 + 2) : ':';
            if (hi < 0 || lo < 0 || (separator != ':' && separator != '-'))
            {
                throw new IllegalArgumentException("not a MAC address: " + text);
            }
            mac = mac << 8 | hi << 4 | lo;
        }
        return mac;
    }
}
