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
 * @param learnClientMacs  learn the MAC of on-link clients from their requests, so NAT replies need no ARP round
 *                         trip (lvs4j's own; default true).
 */
public record ForwardingOptions(
    boolean pmtuDiscovery, boolean sloppyTcp, boolean natIcmpSend, boolean learnClientMacs)
{
    /** @return IPVS's defaults. */
    public static ForwardingOptions defaults()
    {
        return new ForwardingOptions(true, false, false, true);
    }
}
