package io.lvs4j.forwarder.channel;

import java.net.InetAddress;
import java.util.List;

/**
 * What a director wants to receive on an interface, so the kernel can drop the rest before it reaches the ring:
 * ARP (VIP resolution, neighbours), VRRP, IP packets to the VIPs (requests and ICMP errors about replies), and IP
 * packets from NAT real servers (replies and their ICMP errors). Channels turn it into their own filter language
 * (classic BPF for AF_PACKET).
 *
 * @param destinations     IP packets to these addresses are wanted.
 * @param sources          IP packets from these addresses are wanted.
 * @param icmpDestinations ICMP to these addresses (the director's own: errors about its tunnels) is wanted.
 * @param arp              ARP is wanted.
 * @param vrrp             VRRP (IP protocol 112) is wanted.
 */
public record TrafficFilter(
    List<InetAddress> destinations, List<InetAddress> sources, List<InetAddress> icmpDestinations, boolean arp,
    boolean vrrp)
{
    /** Copies the lists. */
    public TrafficFilter
    {
        destinations = List.copyOf(destinations);
        sources = List.copyOf(sources);
        icmpDestinations = List.copyOf(icmpDestinations);
    }
}
