package io.lvs4j.core.config.keepalived;

import java.util.Objects;

import io.lvs4j.core.conn.ConnectionFlags;

/**
 * A forwarding method as {@code lb_kind}/{@code lvs_method} writes it: {@code NAT}, {@code DR} or
 * {@code TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]}.
 *
 * @param kind       NAT, DR or TUN.
 * @param tunnelType the tunnel encapsulation, {@link TunnelType#IPIP} unless TUN says otherwise.
 * @param tunnelPort the GUE destination port, 0 unless GUE.
 * @param checksum   the GUE/GRE checksum option, {@link TunnelChecksum#NOCSUM} by default.
 */
public record LvsMethod(Kind kind, TunnelType tunnelType, int tunnelPort, TunnelChecksum checksum)
{
    /** keepalived's default method. */
    public static final LvsMethod NAT = new LvsMethod(Kind.NAT, TunnelType.IPIP, 0, TunnelChecksum.NOCSUM);
    /** Direct routing. */
    public static final LvsMethod DR = new LvsMethod(Kind.DR, TunnelType.IPIP, 0, TunnelChecksum.NOCSUM);
    /** IP-in-IP tunnelling. */
    public static final LvsMethod TUN = new LvsMethod(Kind.TUN, TunnelType.IPIP, 0, TunnelChecksum.NOCSUM);

    /** The forwarding methods keepalived configures. */
    public enum Kind
    {
        /** Masquerading. */
        NAT,
        /** Direct routing (gatewaying). */
        DR,
        /** Tunnelling. */
        TUN
    }

    /** Tunnel encapsulations ({@code ipvsadm --tun-type}). */
    public enum TunnelType
    {
        /** IP-in-IP, RFC 2003. */
        IPIP,
        /** Generic UDP encapsulation; needs a port. */
        GUE,
        /** GRE. */
        GRE
    }

    /** Tunnel checksum options ({@code --tun-nocsum}, {@code --tun-csum}, {@code --tun-remcsum}). */
    public enum TunnelChecksum
    {
        /** No checksum. */
        NOCSUM,
        /** Checksum the outer header. */
        CSUM,
        /** Remote checksum offload (GUE only). */
        REMCSUM
    }

    /**
     * Checks the fields.
     *
     * @param kind       the kind.
     * @param tunnelType the tunnel type.
     * @param tunnelPort the GUE port.
     * @param checksum   the checksum option.
     */
    public LvsMethod
    {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(tunnelType, "tunnelType");
        Objects.requireNonNull(checksum, "checksum");
        if (tunnelPort < 0 || tunnelPort > 0xFFFF)
        {
            throw new IllegalArgumentException("tunnel port " + tunnelPort);
        }
    }

    /** @return the {@link ConnectionFlags} forwarding bits: MASQ, DROUTE or TUNNEL. */
    public int connectionFlags()
    {
        return switch (kind)
        {
            case NAT -> ConnectionFlags.MASQ;
            case DR -> ConnectionFlags.DROUTE;
            case TUN -> ConnectionFlags.TUNNEL;
        };
    }
}
