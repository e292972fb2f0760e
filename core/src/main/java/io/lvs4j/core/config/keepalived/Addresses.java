package io.lvs4j.core.config.keepalived;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.VirtualService;

/** IP literal helpers for the configuration model: parsing never asks DNS, printing is canonical. */
final class Addresses
{
    private Addresses()
    {
    }

    /**
     * @param text an IPv4 or IPv6 literal.
     * @return the address.
     * @throws IllegalArgumentException when it is not a literal.
     */
    static InetAddress parse(final String text)
    {
        return VirtualService.parseLiteral(text);
    }

    static int family(final InetAddress address)
    {
        return address instanceof Inet4Address ? FlowKey.AF_INET : FlowKey.AF_INET6;
    }

    static String text(final InetAddress address)
    {
        return address.getHostAddress();
    }

    static long hi(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        return b.length == 4 ? 0 : ByteBuffer.wrap(b).getLong();
    }

    static long lo(final InetAddress address)
    {
        final byte[] b = address.getAddress();
        return b.length == 4 ? ByteBuffer.wrap(b).getInt() & 0xFFFF_FFFFL : ByteBuffer.wrap(b, 8, 8).getLong();
    }
}
