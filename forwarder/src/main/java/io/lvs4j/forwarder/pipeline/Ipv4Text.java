package io.lvs4j.forwarder.pipeline;

import io.lvs4j.core.service.VirtualService;

/**
 * IPv4 addresses as ints and as dotted text, for configuration and logs (never the hot path).
 */
public final class Ipv4Text
{
    private Ipv4Text()
    {
    }

    /**
     * @param address an IPv4 address.
     * @return its dotted-quad text.
     */
    public static String format(final int address)
    {
        return (address >>> 24) + "." + ((address >>> 16) & 0xFF) + "." + ((address >>> 8) & 0xFF) + "." +
            (address & 0xFF);
    }

    /**
     * @param text a dotted quad.
     * @return the address.
     * @throws IllegalArgumentException when it is not an IPv4 literal.
     */
    public static int parse(final String text)
    {
        final byte[] bytes = VirtualService.parseLiteral(text).getAddress();
        if (bytes.length != 4)
        {
            throw new IllegalArgumentException("not an IPv4 address: " + text);
        }
        return ((bytes[0] & 0xFF) << 24) | ((bytes[1] & 0xFF) << 16) | ((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF);
    }
}
