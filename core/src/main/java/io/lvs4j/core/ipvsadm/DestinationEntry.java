package io.lvs4j.core.ipvsadm;

import java.util.Objects;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.stats.IpvsStats;

/**
 * One real server of a listed service: its configuration ({@link RealServer}: address, port, forwarding method,
 * weight, thresholds), its tunnel encapsulation, its live connection counts and its statistics.
 *
 * @param server           the real server.
 * @param tunnelType       {@link #TUN_IPIP}, {@link #TUN_GUE} or {@link #TUN_GRE} (meaningful for tunnel servers).
 * @param tunnelPort       the GUE destination port, 0 otherwise.
 * @param tunnelFlags      {@link #TUN_NOCSUM}, {@link #TUN_CSUM} or {@link #TUN_REMCSUM}.
 * @param activeConns      connections in an active state (ActiveConn).
 * @param inactiveConns    other connections (InActConn).
 * @param persistentConns  persistence templates pointing at this server (PersistConn).
 * @param stats            counters and rates.
 */
public record DestinationEntry(
    RealServer server,
    int tunnelType,
    int tunnelPort,
    int tunnelFlags,
    int activeConns,
    int inactiveConns,
    int persistentConns,
    IpvsStats stats)
{
    /** Tunnel type IP-in-IP ({@code IP_VS_CONN_F_TUNNEL_TYPE_IPIP}), the default. */
    public static final int TUN_IPIP = 0;
    /** Tunnel type GUE. */
    public static final int TUN_GUE = 1;
    /** Tunnel type GRE. */
    public static final int TUN_GRE = 2;
    /** Tunnel encapsulation without checksum ({@code --tun-nocsum}, the default). */
    public static final int TUN_NOCSUM = 0;
    /** Tunnel encapsulation with checksum ({@code --tun-csum}). */
    public static final int TUN_CSUM = 1;
    /** Tunnel encapsulation with remote checksum offload ({@code --tun-remcsum}, GUE only). */
    public static final int TUN_REMCSUM = 2;

    /**
     * Checks the entry.
     *
     * @param server          the real server.
     * @param tunnelType      tunnel type.
     * @param tunnelPort      GUE port.
     * @param tunnelFlags     tunnel checksum flags.
     * @param activeConns     active connections.
     * @param inactiveConns   inactive connections.
     * @param persistentConns persistence templates.
     * @param stats           counters and rates.
     */
    public DestinationEntry
    {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(stats, "stats");
        if (tunnelType < TUN_IPIP || tunnelType > TUN_GRE)
        {
            throw new IllegalArgumentException("tunnel type " + tunnelType);
        }
        if (tunnelFlags < TUN_NOCSUM || tunnelFlags > TUN_REMCSUM)
        {
            throw new IllegalArgumentException("tunnel flags " + tunnelFlags);
        }
        if (tunnelPort < 0 || tunnelPort > 0xFFFF)
        {
            throw new IllegalArgumentException("tunnel port " + tunnelPort);
        }
    }

    /**
     * A real server with IP-in-IP tunnelling (if it tunnels), no connections and zero statistics.
     *
     * @param server the real server.
     * @return the entry.
     */
    public static DestinationEntry of(final RealServer server)
    {
        return new DestinationEntry(server, TUN_IPIP, 0, TUN_NOCSUM, 0, 0, 0, IpvsStats.ZERO);
    }

    /**
     * @param active     active connections.
     * @param inactive   inactive connections.
     * @param persistent persistence templates.
     * @return this entry with other connection counts.
     */
    public DestinationEntry withConnections(final int active, final int inactive, final int persistent)
    {
        return new DestinationEntry(server, tunnelType, tunnelPort, tunnelFlags, active, inactive, persistent,
            stats);
    }

    /**
     * @param newStats counters and rates.
     * @return this entry with other statistics.
     */
    public DestinationEntry withStats(final IpvsStats newStats)
    {
        return new DestinationEntry(server, tunnelType, tunnelPort, tunnelFlags, activeConns, inactiveConns,
            persistentConns, newStats);
    }

    /**
     * @param type  tunnel type.
     * @param port  GUE port (0 otherwise).
     * @param flags tunnel checksum flags.
     * @return this entry with another tunnel encapsulation.
     */
    public DestinationEntry withTunnel(final int type, final int port, final int flags)
    {
        return new DestinationEntry(server, type, port, flags, activeConns, inactiveConns, persistentConns, stats);
    }
}
