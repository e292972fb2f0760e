package io.lvs4j.forwarder;

import io.lvs4j.core.service.RealServer;

/**
 * A real server as {@code ipvsadm -L} shows it at one moment: its definition, its connection counts and its
 * traffic counters.
 *
 * @param server      the real server (address, port, weight, method, thresholds).
 * @param active      ActiveConn: connections in ESTABLISHED.
 * @param inactive    InActConn: all its other connections.
 * @param persistent  persistence templates pointing at it.
 * @param overloaded  whether its upper threshold took it out of scheduling.
 * @param connections connections scheduled to it since it was added.
 * @param inPackets   packets client to server.
 * @param outPackets  packets server to client (NAT only).
 * @param inBytes     bytes client to server.
 * @param outBytes    bytes server to client.
 */
public record RealServerStatus(
    RealServer server,
    int active,
    int inactive,
    int persistent,
    boolean overloaded,
    long connections,
    long inPackets,
    long outPackets,
    long inBytes,
    long outBytes)
{
}
