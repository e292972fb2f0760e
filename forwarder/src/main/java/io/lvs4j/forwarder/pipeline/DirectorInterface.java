package io.lvs4j.forwarder.pipeline;

import java.util.List;

import io.lvs4j.core.packet.MacAddresses;

/**
 * One interface the director serves: its name and kernel index, its MAC, its MTU and the IPv4 addresses the
 * kernel holds on it (the director sends ARP requests and ICMP errors from these; it never holds a VIP).
 *
 * @param index     the position in the director's interface list (what routes and workers' channels use).
 * @param name      the kernel name, e.g. {@code eth0}.
 * @param ifIndex   the kernel's interface index, 0 when not known (memory channels).
 * @param mac       the MAC in the low 48 bits.
 * @param mtu       the largest IP packet it sends.
 * @param addresses its IPv4 addresses with prefix lengths; the first is the primary.
 */
public record DirectorInterface(int index, String name, int ifIndex, long mac, int mtu, List<Prefix> addresses)
{
    /**
     * An IPv4 address with its prefix length.
     *
     * @param address the address.
     * @param length  the prefix length.
     */
    public record Prefix(int address, int length)
    {
        /** @return the network mask. */
        public int mask()
        {
            return length == 0 ? 0 : -1 << (32 - length);
        }

        /**
         * @param other an address.
         * @return true when the address is on this prefix's network.
         */
        public boolean contains(final int other)
        {
            return ((address ^ other) & mask()) == 0;
        }

        @Override
        public String toString()
        {
            return Ipv4Text.format(address) + "/" + length;
        }
    }

    /** Copies the address list. */
    public DirectorInterface
    {
        addresses = List.copyOf(addresses);
        if (mtu < 68)
        {
            throw new IllegalArgumentException(name + ": MTU " + mtu);
        }
    }

    /** @return the primary IPv4 address, 0 when the interface has none. */
    public int primaryAddress()
    {
        return addresses.isEmpty() ? 0 : addresses.get(0).address();
    }

    /**
     * The interface's own address on the network of a neighbour, to send ARP requests from.
     *
     * @param neighbour the neighbour's address.
     * @return our address on its network, or the primary address.
     */
    public int sourceFor(final int neighbour)
    {
        // indexed: an iterator here would allocate on every ICMP error the director answers
        for (int i = 0; i < addresses.size(); i++)
        {
            final Prefix p = addresses.get(i);
            if (p.contains(neighbour))
            {
                return p.address();
            }
        }
        return primaryAddress();
    }

    @Override
    public String toString()
    {
        return name + "(" + MacAddresses.toString(mac) + " mtu " + mtu + " " + addresses + ")";
    }
}
