package io.lvs4j.core.ipvsadm;

import io.lvs4j.core.flow.FlowKey;

/**
 * An address and port as the connection listing shows them (client, virtual or destination side of a
 * connection). Addresses follow {@link FlowKey}'s convention: IPv4 in the low 32 bits of {@code addressLo}.
 *
 * @param family    {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}.
 * @param addressHi address, high 64 bits (0 for IPv4).
 * @param addressLo address, low 64 bits.
 * @param port      port, 0..65535.
 */
public record Endpoint(int family, long addressHi, long addressLo, int port)
{
    /**
     * An IPv4 endpoint.
     *
     * @param address the address as a network-order int ({@code 192.0.2.1} is {@code 0xC0000201}).
     * @param port    the port.
     * @return the endpoint.
     */
    public static Endpoint ipv4(final int address, final int port)
    {
        return new Endpoint(FlowKey.AF_INET, 0, address & 0xFFFF_FFFFL, port);
    }

    /**
     * An endpoint from an address literal; never asks DNS.
     *
     * @param address IPv4 dotted quad or IPv6 text.
     * @param port    the port.
     * @return the endpoint.
     * @throws IllegalArgumentException when the address is not a literal.
     */
    public static Endpoint of(final String address, final int port)
    {
        final long v4 = InetText.inetPton4(address);
        if (v4 != InetText.INVALID)
        {
            return new Endpoint(FlowKey.AF_INET, 0, v4, port);
        }
        final long[] v6 = InetText.inetPton6(address);
        if (v6 == null)
        {
            throw new IllegalArgumentException("not an IP address: " + address);
        }
        return new Endpoint(FlowKey.AF_INET6, v6[0], v6[1], port);
    }
}
