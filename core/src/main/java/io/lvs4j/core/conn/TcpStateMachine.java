package io.lvs4j.core.conn;

import static io.lvs4j.core.conn.TcpState.CLOSE;
import static io.lvs4j.core.conn.TcpState.CLOSE_WAIT;
import static io.lvs4j.core.conn.TcpState.ESTABLISHED;
import static io.lvs4j.core.conn.TcpState.FIN_WAIT;
import static io.lvs4j.core.conn.TcpState.LAST_ACK;
import static io.lvs4j.core.conn.TcpState.LISTEN;
import static io.lvs4j.core.conn.TcpState.SYNACK;
import static io.lvs4j.core.conn.TcpState.SYN_RECV;
import static io.lvs4j.core.conn.TcpState.SYN_SENT;
import static io.lvs4j.core.conn.TcpState.TIME_WAIT;

/**
 * The IPVS TCP state transition tables ({@code ip_vs_proto_tcp.c}), exactly as the behavioural reference's
 * section 4.4 gives them: three tables (INPUT, OUTPUT, INPUT-ONLY), events by flag precedence
 * RST &gt; SYN &gt; FIN &gt; ACK, and a segment with none of the four flags moving the entry to CLOSE.
 * The {@code secure_tcp} variant is available for the DoS defence.
 * <p>
 * Pure and allocation-free: one array index per packet.
 */
public final class TcpStateMachine
{
    /** Client to server, when the director also sees replies (NAT). */
    public static final int INPUT = 0;
    /** Server to client (NAT replies). */
    public static final int OUTPUT = 1;
    /** Client to server when replies never pass the director (DR, TUN, or before the first reply). */
    public static final int INPUT_ONLY = 2;

    /** Event: SYN set (and not RST). */
    public static final int EVENT_SYN = 0;
    /** Event: FIN set (and not RST or SYN). */
    public static final int EVENT_FIN = 1;
    /** Event: ACK set (and no RST, SYN or FIN). */
    public static final int EVENT_ACK = 2;
    /** Event: RST set. */
    public static final int EVENT_RST = 3;
    /** No event: none of the four flags; the state becomes CLOSE. */
    public static final int EVENT_NONE = -1;

    /** TCP flag bits as in the TCP header's flags byte. */
    public static final int TCP_FIN = 0x01;
    /** SYN bit. */
    public static final int TCP_SYN = 0x02;
    /** RST bit. */
    public static final int TCP_RST = 0x04;
    /** ACK bit. */
    public static final int TCP_ACK = 0x10;

    private static final int S = TcpState.TCP_STATE_COUNT;

    // [table][event][state]; columns NO ES SS SR FW TW CL CW LA LI SA
    private static final byte[] NORMAL = build(new int[][][]
    {
        { // INPUT
            {SYN_RECV, ESTABLISHED, ESTABLISHED, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV},
            {CLOSE, CLOSE_WAIT, SYN_SENT, TIME_WAIT, TIME_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, TIME_WAIT},
            {CLOSE, ESTABLISHED, SYN_SENT, ESTABLISHED, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, CLOSE, LISTEN, ESTABLISHED},
            {CLOSE, CLOSE, CLOSE, SYN_RECV, CLOSE, CLOSE, CLOSE, CLOSE, LAST_ACK, LISTEN, SYN_RECV},
        },
        { // OUTPUT
            {SYN_SENT, ESTABLISHED, SYN_SENT, SYN_RECV, SYN_SENT, SYN_SENT, SYN_SENT, SYN_SENT, SYN_SENT, LISTEN, SYN_RECV},
            {TIME_WAIT, FIN_WAIT, SYN_SENT, TIME_WAIT, FIN_WAIT, TIME_WAIT, CLOSE, TIME_WAIT, LAST_ACK, LISTEN, TIME_WAIT},
            {ESTABLISHED, ESTABLISHED, SYN_SENT, ESTABLISHED, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, ESTABLISHED, ESTABLISHED},
            {CLOSE, CLOSE, SYN_SENT, CLOSE, CLOSE, TIME_WAIT, CLOSE, CLOSE, CLOSE, CLOSE, CLOSE},
        },
        { // INPUT-ONLY
            {SYN_RECV, ESTABLISHED, ESTABLISHED, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV, SYN_RECV},
            {CLOSE, FIN_WAIT, SYN_SENT, TIME_WAIT, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, TIME_WAIT},
            {CLOSE, ESTABLISHED, SYN_SENT, ESTABLISHED, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, CLOSE, LISTEN, ESTABLISHED},
            {CLOSE, CLOSE, CLOSE, SYN_RECV, CLOSE, CLOSE, CLOSE, CLOSE, LAST_ACK, LISTEN, CLOSE},
        },
    });

    private static final byte[] SECURE = secureVariant();

    private TcpStateMachine()
    {
    }

    /**
     * The event a segment's flags raise, by IPVS's precedence RST &gt; SYN &gt; FIN &gt; ACK.
     *
     * @param tcpFlags the TCP header's flags byte.
     * @return one of the {@code EVENT_*} constants.
     */
    public static int event(final int tcpFlags)
    {
        if ((tcpFlags & TCP_RST) != 0)
        {
            return EVENT_RST;
        }
        if ((tcpFlags & TCP_SYN) != 0)
        {
            return EVENT_SYN;
        }
        if ((tcpFlags & TCP_FIN) != 0)
        {
            return EVENT_FIN;
        }
        if ((tcpFlags & TCP_ACK) != 0)
        {
            return EVENT_ACK;
        }
        return EVENT_NONE;
    }

    /**
     * The next state for a segment.
     *
     * @param table    {@link #INPUT}, {@link #OUTPUT} or {@link #INPUT_ONLY}.
     * @param state    the current TCP state (0..{@link TcpState#TCP_STATE_COUNT}-1).
     * @param tcpFlags the segment's flags byte.
     * @return the next state.
     */
    public static int next(final int table, final int state, final int tcpFlags)
    {
        return next(NORMAL, table, state, tcpFlags);
    }

    /**
     * The next state under the {@code secure_tcp} defence's stricter tables.
     *
     * @param table    {@link #INPUT}, {@link #OUTPUT} or {@link #INPUT_ONLY}.
     * @param state    the current TCP state.
     * @param tcpFlags the segment's flags byte.
     * @return the next state.
     */
    public static int nextSecure(final int table, final int state, final int tcpFlags)
    {
        return next(SECURE, table, state, tcpFlags);
    }

    /**
     * The table a packet uses: replies use OUTPUT; requests use INPUT-ONLY while the entry carries
     * {@link ConnectionFlags#NOOUTPUT} (DR, TUN, or NAT before the first reply), else INPUT.
     *
     * @param reply           true for a server-to-client packet.
     * @param connectionFlags the entry's flags.
     * @return the table index.
     */
    public static int table(final boolean reply, final int connectionFlags)
    {
        if (reply)
        {
            return OUTPUT;
        }
        return (connectionFlags & ConnectionFlags.NOOUTPUT) != 0 ? INPUT_ONLY : INPUT;
    }

    private static int next(final byte[] tables, final int table, final int state, final int tcpFlags)
    {
        final int event = event(tcpFlags);
        if (event == EVENT_NONE || state < 0 || state >= S)
        {
            return CLOSE;
        }
        return tables[(table * 4 + event) * S + state];
    }

    private static byte[] build(final int[][][] t)
    {
        final byte[] out = new byte[3 * 4 * S];
        for (int table = 0; table < 3; table++)
        {
            for (int event = 0; event < 4; event++)
            {
                for (int state = 0; state < S; state++)
                {
                    out[(table * 4 + event) * S + state] = (byte)t[table][event][state];
                }
            }
        }
        return out;
    }

    private static byte[] secureVariant()
    {
        final byte[] t = NORMAL.clone();
        set(t, INPUT, EVENT_SYN, SYNACK, SYNACK);
        set(t, INPUT, EVENT_FIN, SYNACK, SYNACK);
        set(t, INPUT, EVENT_ACK, SYN_RECV, SYN_RECV);
        set(t, INPUT, EVENT_ACK, SYNACK, SYNACK);
        set(t, INPUT, EVENT_RST, SYNACK, CLOSE);
        set(t, OUTPUT, EVENT_SYN, SYN_RECV, SYNACK);
        set(t, OUTPUT, EVENT_SYN, SYNACK, SYNACK);
        final int[] fromStates = {TcpState.NONE, FIN_WAIT, TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, LISTEN, SYNACK};
        for (final int s : fromStates)
        {
            set(t, INPUT_ONLY, EVENT_SYN, s, SYNACK);
        }
        return t;
    }

    private static void set(final byte[] t, final int table, final int event, final int state, final int next)
    {
        t[(table * 4 + event) * S + state] = (byte)next;
    }
}
