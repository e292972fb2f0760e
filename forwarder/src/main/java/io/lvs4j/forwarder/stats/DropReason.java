package io.lvs4j.forwarder.stats;

/**
 * Why the director dropped a frame it would otherwise have handled: every drop is counted under exactly one
 * reason, so an operator can tell a hostile flood from a missing neighbour from a full table.
 * <p>
 * Frames that are simply not the director's business (traffic for its own kernel, other hosts' unicast seen in
 * promiscuous mode, protocols it does not balance) are not drops: they are {@link #NOT_OURS} and left to the
 * kernel, which receives its own copy anyway.
 */
public enum DropReason
{
    /** Not for a virtual service nor a NAT reply: left to the director's kernel (not a drop). */
    NOT_OURS("not for a service (left to the kernel)"),
    /** The frame failed classification (truncated, bad lengths, bad options...): see the malformation counters. */
    MALFORMED("malformed"),
    /** A TCP segment other than a SYN for a service with no connection entry (IPVS never schedules those). */
    NO_CONNECTION("no connection entry and not a SYN"),
    /** The scheduler found no eligible real server: ICMP port unreachable was sent (IPVS's ip_vs_leave). */
    NO_DESTINATION("no real server available"),
    /** The connection's real server is no longer available (removed, or its checker took it out). */
    DESTINATION_UNAVAILABLE("real server unavailable"),
    /** The connection table is full of live entries. */
    TABLE_FULL("connection table full"),
    /** No route to the real server or to the client. */
    NO_ROUTE("no route"),
    /** The next hop's MAC is not known yet: its resolution was asked for. */
    NO_NEIGHBOUR("neighbour unresolved"),
    /** TTL would reach 0: ICMP time exceeded was sent. */
    TTL_EXCEEDED("TTL exceeded"),
    /** A DF packet larger than the egress (or tunnel) MTU: ICMP fragmentation needed was sent. */
    TOO_BIG_DF("too big with DF (ICMP sent)"),
    /** A packet larger than the egress MTU without DF: the director does not fragment. */
    TOO_BIG("too big, not fragmented"),
    /** An IP fragment addressed to a virtual service: the director neither reassembles nor maps fragments. */
    FRAGMENT("IP fragment"),
    /** An ICMP error about a connection the director does not know, or not relayable. */
    ICMP_UNRELATED("ICMP error without a connection"),
    /** IPv6 to a virtual service: the forwarder handles IPv4 only for now. */
    UNSUPPORTED_FAMILY("IPv6 not forwarded yet"),
    /** A frame the transmit path could not take (ring full after a flush). */
    TX_FULL("transmit queue full"),
    /** The director does not own the VIP at the moment (HA backup). */
    NOT_MASTER("not master"),
    /** The frame did not fit the output (a GRO super-frame, or too long to encapsulate). */
    OVERSIZED("larger than the interface MTU (GRO/TSO super-frame?)"),
    /** The drop-rate defence (IPVS drop_packet) refused a new connection. */
    DEFENCE("drop_packet defence"),
    /** A VLAN-tagged frame: the director serves untagged links only. */
    VLAN("VLAN-tagged (not served)"),
    /** A control frame (VRRP) found the control plane's inbox full: a flood is dropped, forwarding goes on. */
    CONTROL_QUEUE_FULL("control inbox full");

    private final String description;

    DropReason(final String description)
    {
        this.description = description;
    }

    /** @return a short human description for stats pages and logs. */
    public String description()
    {
        return description;
    }
}
