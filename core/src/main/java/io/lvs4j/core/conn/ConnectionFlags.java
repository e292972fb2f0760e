package io.lvs4j.core.conn;

/**
 * Connection flags with the kernel's bit values ({@code IP_VS_CONN_F_*}, uapi {@code ip_vs.h}), so that sync
 * messages and listings carry them unchanged. Bits 0..2 hold the forwarding method.
 */
public final class ConnectionFlags
{
    /** Mask of the forwarding-method bits. */
    public static final int FWD_MASK = 0x0007;
    /** Forwarding method: NAT (masquerading). */
    public static final int MASQ = 0;
    /** Forwarding method: local node. */
    public static final int LOCALNODE = 1;
    /** Forwarding method: IP-in-IP tunnel. */
    public static final int TUNNEL = 2;
    /** Forwarding method: direct routing. */
    public static final int DROUTE = 3;
    /** Forwarding method: cache bypass. */
    public static final int BYPASS = 4;
    /** Entry created from a sync message. */
    public static final int SYNC = 0x0020;
    /** Entry is in the table (internal). */
    public static final int HASHED = 0x0040;
    /** The director will only see the client-to-server half (DR, TUN; NAT until the first reply). */
    public static final int NOOUTPUT = 0x0080;
    /** Entry counts in the real server's inactive connections. */
    public static final int INACTIVE = 0x0100;
    /** Output sequence adjustment (FTP helper). */
    public static final int OUT_SEQ = 0x0200;
    /** Input sequence adjustment (FTP helper). */
    public static final int IN_SEQ = 0x0400;
    /** Client port not yet known. */
    public static final int NO_CPORT = 0x0800;
    /** A persistence template, not a connection. */
    public static final int TEMPLATE = 0x1000;
    /** One-packet scheduling: never hashed. */
    public static final int ONE_PACKET = 0x2000;
    /** Bits that travel in sync messages. */
    public static final int SYNC_MASK = 0xFFFF;

    private ConnectionFlags()
    {
    }

    /**
     * The forwarding method bits of a flags word.
     *
     * @param flags a flags word.
     * @return one of {@link #MASQ}, {@link #LOCALNODE}, {@link #TUNNEL}, {@link #DROUTE}, {@link #BYPASS}.
     */
    public static int method(final int flags)
    {
        return flags & FWD_MASK;
    }

    /**
     * The method's name as ipvsadm prints it in a listing.
     *
     * @param method the forwarding method bits.
     * @return "Masq", "Local", "Tunnel", "Route" or "Bypass".
     */
    public static String methodName(final int method)
    {
        switch (method & FWD_MASK)
        {
            case MASQ: return "Masq";
            case LOCALNODE: return "Local";
            case TUNNEL: return "Tunnel";
            case DROUTE: return "Route";
            case BYPASS: return "Bypass";
            default: return "Unknown";
        }
    }
}
