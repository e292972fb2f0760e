package io.lvs4j.core.conn;

/**
 * IPVS connection states (the kernel's {@code IP_VS_TCP_S_*} numbering) and their names as
 * {@code ipvsadm -Lc} prints them. UDP entries use {@link #UDP}; persistence templates use {@link #NONE}
 * or {@link #ASSURED}.
 */
public final class TcpState
{
    /** No state yet (new entry, 2 s). */
    public static final int NONE = 0;
    /** ESTABLISHED (900 s): the only state that counts as an active connection. */
    public static final int ESTABLISHED = 1;
    /** SYN_SENT (120 s). */
    public static final int SYN_SENT = 2;
    /** SYN_RECV (60 s). */
    public static final int SYN_RECV = 3;
    /** FIN_WAIT (120 s). */
    public static final int FIN_WAIT = 4;
    /** TIME_WAIT (120 s). */
    public static final int TIME_WAIT = 5;
    /** CLOSE (10 s). */
    public static final int CLOSE = 6;
    /** CLOSE_WAIT (60 s). */
    public static final int CLOSE_WAIT = 7;
    /** LAST_ACK (30 s). */
    public static final int LAST_ACK = 8;
    /** LISTEN (120 s). */
    public static final int LISTEN = 9;
    /** SYNACK (120 s), reached only under secure_tcp. */
    public static final int SYNACK = 10;
    /** Number of TCP states. */
    public static final int TCP_STATE_COUNT = 11;
    /** The single UDP state (300 s). */
    public static final int UDP = 11;
    /** A persistence template whose controlled connection reached ESTABLISHED or saw a UDP reply. */
    public static final int ASSURED = 12;
    /** Number of state codes. */
    public static final int STATE_COUNT = 13;

    private static final String[] NAMES =
    {
        "NONE", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT", "CLOSE", "CLOSE_WAIT",
        "LAST_ACK", "LISTEN", "SYNACK", "UDP", "ASSURED"
    };

    private TcpState()
    {
    }

    /**
     * The state's name as ipvsadm prints it.
     *
     * @param state a state code.
     * @return its name, or "ERR!" for an unknown code (as the kernel does).
     */
    public static String name(final int state)
    {
        return state >= 0 && state < STATE_COUNT ? NAMES[state] : "ERR!";
    }
}
