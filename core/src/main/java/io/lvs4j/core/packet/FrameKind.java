package io.lvs4j.core.packet;

/**
 * What the {@link PacketClassifier} found a frame to be; the forwarder dispatches on it.
 * <p>
 * Fragments are a kind, not a malformation: their addresses are known but not their ports, so the forwarder applies
 * its fragment policy (and counts it). The {@code *_OTHER} kinds are well-formed packets of protocols the director
 * does not handle; {@link #OTHER} is a frame of another ethertype (or with a third VLAN tag, or ARP for something
 * other than Ethernet/IPv4); {@link #MALFORMED} comes with a {@link Malformation}.
 */
public enum FrameKind
{
    /** TCP over IPv4. */
    IPV4_TCP(4, true),
    /** UDP over IPv4. */
    IPV4_UDP(4, true),
    /** SCTP over IPv4. */
    IPV4_SCTP(4, true),
    /** ICMP (IPv4); errors carry the quoted flow. */
    IPV4_ICMP(4, false),
    /** VRRP (IP protocol 112) over IPv4. */
    IPV4_VRRP(4, false),
    /** IP-in-IP (protocol 4): an IPv4 packet inside an IPv4 packet. */
    IPV4_IPIP(4, false),
    /** An IPv4 fragment (MF set or non-zero offset): addresses and protocol known, ports not. */
    IPV4_FRAGMENT(4, false),
    /** A well-formed IPv4 packet of another protocol. */
    IPV4_OTHER(4, false),
    /** TCP over IPv6. */
    IPV6_TCP(6, true),
    /** UDP over IPv6. */
    IPV6_UDP(6, true),
    /** SCTP over IPv6. */
    IPV6_SCTP(6, true),
    /** ICMPv6; errors carry the quoted flow. */
    IPV6_ICMP(6, false),
    /** VRRP (next header 112) over IPv6. */
    IPV6_VRRP(6, false),
    /** An IPv6 packet with a fragment header that is not atomic (RFC 6946): addresses known, ports not. */
    IPV6_FRAGMENT(6, false),
    /** A well-formed IPv6 packet of another upper-layer protocol (ESP, no next header, tunnels, ...). */
    IPV6_OTHER(6, false),
    /** ARP for Ethernet/IPv4. */
    ARP(0, false),
    /** Another ethertype, a third VLAN tag, or ARP for another hardware or protocol type. */
    OTHER(0, false),
    /** Rejected: see {@link ClassifiedFrame#malformation()}. */
    MALFORMED(0, false);

    private final int ipVersion;
    private final boolean hasPorts;

    FrameKind(final int ipVersion, final boolean hasPorts)
    {
        this.ipVersion = ipVersion;
        this.hasPorts = hasPorts;
    }

    /** @return 4 or 6 for IP kinds, 0 otherwise. */
    public int ipVersion()
    {
        return ipVersion;
    }

    /** @return true for IPv4 kinds. */
    public boolean isIpv4()
    {
        return ipVersion == 4;
    }

    /** @return true for IPv6 kinds. */
    public boolean isIpv6()
    {
        return ipVersion == 6;
    }

    /** @return true for TCP, UDP and SCTP, whose flow key carries ports. */
    public boolean hasPorts()
    {
        return hasPorts;
    }
}
