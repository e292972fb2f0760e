/**
 * The AF_PACKET frame channel: {@link io.lvs4j.forwarder.channel.afpacket.AfPacketChannel} over memory-mapped
 * TPACKET_V3/V2 rings, its options, fanout types, and classic BPF filters.
 */
package io.lvs4j.forwarder.channel.afpacket;
