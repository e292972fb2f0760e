/**
 * Zero-copy packet views (flyweights over Agrona buffers, at any offset, e.g. in a mapped receive ring), the one-step
 * frame classifier, in-place rewrites that keep checksums right, and builders for the frames a director originates
 * (ARP, ICMP errors, the IP-in-IP outer header).
 * <p>
 * Everything here is allocation-free on its hot paths. Views do not check lengths on each access: they are wrapped
 * over ranges the {@link io.lvs4j.core.packet.PacketClassifier} has validated, and Agrona's bounds checks (on by
 * default) catch misuse. The classifier itself never throws and never reads past the length it is given.
 */
package io.lvs4j.core.packet;
