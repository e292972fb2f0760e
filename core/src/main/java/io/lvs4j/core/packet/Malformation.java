package io.lvs4j.core.packet;

/**
 * Why the {@link PacketClassifier} rejected a frame: one value per check, in the order the checks run, so that a
 * counter per value tells an operator exactly what is wrong with the traffic.
 * <p>
 * These are malformations only. Well-formed frames the director has no business with (another ethertype, another IP
 * protocol, a third VLAN tag) and fragments are {@link FrameKind}s of their own, so that a healthy network does not
 * show up as "malformed" in the counters. The same values describe a bad inner packet (an IP-in-IP payload or the
 * packet quoted in an ICMP error), reported by {@link ClassifiedFrame#innerMalformation()}.
 */
public enum Malformation
{
    /** Nothing wrong. */
    NONE,
    /** Fewer than 14 bytes, or a VLAN tag whose TCI and following ethertype are cut off. */
    TRUNCATED_L2,
    /** ARP (ethertype 0x0806) with fewer than 28 bytes after the Ethernet header. */
    TRUNCATED_ARP,
    /**
     * Fewer bytes than the fixed IP header (20 for IPv4, 40 for IPv6) after the Ethernet header; for an inner IPv4
     * packet also fewer bytes than its IHL says.
     */
    TRUNCATED_L3,
    /** The IP version nibble disagrees with the ethertype (or, for an inner packet, with the outer protocol). */
    BAD_VERSION,
    /** IPv4 IHL below 5. */
    BAD_IHL,
    /** IPv4 total length smaller than the header length (IHL * 4). */
    TOTAL_LENGTH_TOO_SHORT,
    /** IPv4 total length larger than the bytes captured: the frame was cut short or the header lies. */
    BAD_TOTAL_LENGTH,
    /** IPv4 header checksum does not verify (checked only when the classifier is configured to). */
    BAD_IPV4_CHECKSUM,
    /** IPv6 payload length larger than the bytes captured after the IPv6 header. */
    BAD_PAYLOAD_LENGTH,
    /** An IPv6 extension header runs past the end of the IPv6 payload. */
    TRUNCATED_IPV6_EXTENSION,
    /** More IPv6 extension headers than the classifier walks (a defence against long chains). */
    IPV6_EXTENSION_CHAIN_TOO_LONG,
    /** An IPv6 hop-by-hop options header anywhere but right after the IPv6 header (RFC 8200 §4.3). */
    IPV6_HOP_BY_HOP_NOT_FIRST,
    /**
     * The IP payload is shorter than the fixed transport header: TCP 20, UDP 8, SCTP 12, ICMP/ICMPv6 8, VRRP 8;
     * for a quoted or tunnelled packet, shorter than the 4 bytes of ports.
     */
    TRUNCATED_L4,
    /** TCP data offset below 5 or pointing past the end of the IP payload. */
    BAD_TCP_DATA_OFFSET,
    /** UDP length below 8 or larger than the IP payload (0, a jumbogram's, included). */
    BAD_UDP_LENGTH
}
