package io.lvs4j.forwarder.pipeline;

/**
 * The forwarding knobs IPVS exposes as sysctls, fixed at start, with IPVS's defaults.
 *
 * @param pmtuDiscovery    {@code pmtu_disc}: TUN copies the inner DF bit to the outer header, and DF packets that do
 *                         not fit the tunnel get ICMP fragmentation needed (default true).
 * @param sloppyTcp        {@code sloppy_tcp}: any non-RST TCP segment may create a connection, so a standby that
 *                         took over mid-stream picks flows up (default false: only SYN).
 * @param natIcmpSend      {@code nat_icmp_send}: answer a NAT real server's packet that matches no connection with
 *                         ICMP port unreachable (default false).
 * @param learnClientMacs  learn the MAC of on-link clients from their first packet, so NAT replies and relayed ICMP
 *                         errors need no ARP round trip (lvs4j's own; default true).
 * @param expireNodestConn {@code expire_nodest_conn}: a packet for a connection whose real server is gone expires
 *                         the connection at once (still dropped), so the client's retransmitted SYN is scheduled
 *                         afresh instead of being dropped until the entry times out (default false).
 */
public record ForwardingOptions(
    boolean pmtuDiscovery, boolean sloppyTcp, boolean natIcmpSend, boolean learnClientMacs, boolean expireNodestConn)
{
    /** @return IPVS's defaults. */
    public static ForwardingOptions defaults()
    {
        return new ForwardingOptions(true, false, false, true, false);
    }

    /**
     * @param expire {@code expire_nodest_conn}.
     * @return these options with it set.
     */
    public ForwardingOptions withExpireNodestConn(final boolean expire)
    {
        return new ForwardingOptions(pmtuDiscovery, sloppyTcp, natIcmpSend, learnClientMacs, expire);
    }
}
