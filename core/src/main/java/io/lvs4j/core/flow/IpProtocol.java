package io.lvs4j.core.flow;

/**
 * IP protocol numbers the director deals with, and their names as ipvsadm prints them.
 */
public final class IpProtocol
{
    /** Dummy protocol of fwmark persistence templates (IPPROTO_IP). */
    public static final int IP = 0;
    /** ICMP for IPv4. */
    public static final int ICMP = 1;
    /** IP-in-IP encapsulation (RFC 2003). */
    public static final int IPIP = 4;
    /** TCP. */
    public static final int TCP = 6;
    /** UDP. */
    public static final int UDP = 17;
    /** IPv6 encapsulated in IPv4/IPv6. */
    public static final int IPV6 = 41;
    /** ICMPv6. */
    public static final int ICMPV6 = 58;
    /** SCTP. */
    public static final int SCTP = 132;

    private IpProtocol()
    {
    }

    /**
     * The protocol's name as ipvsadm and /proc/net/ip_vs_conn print it.
     *
     * @param protocol the protocol number.
     * @return "TCP", "UDP", "SCTP", "IP" or the number as text.
     */
    public static String name(final int protocol)
    {
        switch (protocol)
        {
            case TCP: return "TCP";
            case UDP: return "UDP";
            case SCTP: return "SCTP";
            case ICMP: return "ICMP";
            case ICMPV6: return "ICMPv6";
            case IP: return "IP";
            default: return Integer.toString(protocol);
        }
    }
}
