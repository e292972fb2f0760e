package io.lvs4j.core.conn;

import java.util.Arrays;

/**
 * Idle timeouts per connection state, in milliseconds: IPVS's defaults ({@link #IPVS_DEFAULTS}), or a
 * per-service set (IPVS only has global ones; users asked for per-service). Immutable; the table refers to a
 * set by its index in a {@link ConnectionTimeoutProfiles} registry so that an entry stores one byte.
 */
public final class ConnectionTimeouts
{
    /** Timeout of a new entry before its first state is assigned (IPVS: 3 s). */
    public static final long NEW_ENTRY_MS = 3_000;
    /** Step by which a template's or controlling entry's expiry is postponed while it still controls others. */
    public static final long CONTROL_RETRY_MS = 60_000;

    /** IPVS's defaults: TCP 900/120/300 and the rest of the kernel's table, UDP 300 s. */
    public static final ConnectionTimeouts IPVS_DEFAULTS = new ConnectionTimeouts(
        new long[]
        {
            2_000, 900_000, 120_000, 60_000, 120_000, 120_000, 10_000, 60_000, 30_000, 120_000, 120_000,
            300_000, 0
        });

    private final long[] byState;

    private ConnectionTimeouts(final long[] byState)
    {
        this.byState = byState;
    }

    /**
     * The idle timeout of a state.
     *
     * @param state a {@link TcpState} code (templates take their persistence timeout from the service).
     * @return milliseconds.
     */
    public long timeoutMs(final int state)
    {
        return state >= 0 && state < byState.length ? byState[state] : NEW_ENTRY_MS;
    }

    /**
     * A copy with the three timeouts ipvsadm's {@code --set tcp tcpfin udp} changes; 0 keeps the current value,
     * as ipvsadm does.
     *
     * @param tcpEstablishedMs ESTABLISHED timeout, 0 to keep.
     * @param tcpFinWaitMs     FIN_WAIT timeout, 0 to keep.
     * @param udpMs            UDP timeout, 0 to keep.
     * @return the new set.
     */
    public ConnectionTimeouts withIpvsadmSet(final long tcpEstablishedMs, final long tcpFinWaitMs, final long udpMs)
    {
        final long[] copy = byState.clone();
        if (tcpEstablishedMs > 0)
        {
            copy[TcpState.ESTABLISHED] = tcpEstablishedMs;
        }
        if (tcpFinWaitMs > 0)
        {
            copy[TcpState.FIN_WAIT] = tcpFinWaitMs;
        }
        if (udpMs > 0)
        {
            copy[TcpState.UDP] = udpMs;
        }
        return new ConnectionTimeouts(copy);
    }

    /**
     * A copy with one state's timeout changed.
     *
     * @param state     the state.
     * @param timeoutMs its new idle timeout, &gt; 0.
     * @return the new set.
     */
    public ConnectionTimeouts with(final int state, final long timeoutMs)
    {
        if (state < 0 || state >= byState.length || timeoutMs <= 0)
        {
            throw new IllegalArgumentException("state " + state + " timeout " + timeoutMs);
        }
        final long[] copy = byState.clone();
        copy[state] = timeoutMs;
        return new ConnectionTimeouts(copy);
    }

    /** {@inheritDoc} */
    @Override
    public boolean equals(final Object o)
    {
        return o instanceof ConnectionTimeouts && Arrays.equals(byState, ((ConnectionTimeouts)o).byState);
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode()
    {
        return Arrays.hashCode(byState);
    }
}
