package io.lvs4j.core.config.keepalived;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * {@code virtual_server_group <NAME> { }}: addresses, address ranges and firewall marks that share one
 * {@code virtual_server group <NAME>} definition.
 *
 * @param name    the group's name.
 * @param entries its members, in order.
 */
public record VirtualServerGroup(String name, List<Entry> entries)
{
    /**
     * One member: {@code <IP>[-<END>] [<PORT>]} (also {@code <IP>/<LEN>}) or {@code fwmark <INT> [inet|inet6]}.
     *
     * @param first  the first address of the range; null for a fwmark member.
     * @param last   the last address of the range (equal to {@code first} for one address); null for a fwmark.
     * @param port   the port, 0 when not written.
     * @param fwmark the mark of a fwmark member, else 0.
     * @param family for a fwmark member the family written ({@link io.lvs4j.core.flow.FlowKey#AF_INET} or
     *               {@code AF_INET6}), 0 when not written; for addresses their family.
     */
    public record Entry(InetAddress first, InetAddress last, int port, int fwmark, int family)
    {
        /**
         * Checks the fields.
         *
         * @param first  first address.
         * @param last   last address.
         * @param port   port.
         * @param fwmark mark.
         * @param family family.
         */
        public Entry
        {
            if ((first == null) != (fwmark != 0) || (first == null) != (last == null))
            {
                throw new IllegalArgumentException("a member is an address range or a fwmark");
            }
            if (first != null && (first.getClass() != last.getClass() || number(first).compareTo(number(last)) > 0))
            {
                throw new IllegalArgumentException("range " + first + " - " + last);
            }
        }

        /** @return true for a fwmark member. */
        public boolean isFwmark()
        {
            return fwmark != 0;
        }

        /** @return how many addresses the range holds (1 for a single address or a fwmark). */
        public BigInteger size()
        {
            return first == null ? BigInteger.ONE : number(last).subtract(number(first)).add(BigInteger.ONE);
        }

        static BigInteger number(final InetAddress a)
        {
            return new BigInteger(1, a.getAddress());
        }
    }

    /**
     * Checks the fields.
     *
     * @param name    name.
     * @param entries members.
     */
    public VirtualServerGroup
    {
        Objects.requireNonNull(name, "name");
        entries = List.copyOf(entries);
    }
}
