package io.lvs4j.core.stats;

/**
 * The statistics of one virtual service or real server as {@code ipvsadm --stats} and {@code --rate} show them:
 * the five counters ({@code conns}, {@code inpkts}, {@code outpkts}, {@code inbytes}, {@code outbytes}) and their
 * estimated rates ({@code cps}, {@code inpps}, {@code outpps}, {@code inbps}, {@code outbps}). An immutable value.
 * <p>
 * Every field is an unsigned 64-bit number held in a {@code long}, as the kernel's {@code *_STATS64} attributes
 * are; print them with {@link Long#toUnsignedString(long)}. The byte "rates" are bytes per second despite the
 * "bps" in their names, as in the kernel.
 */
public final class IpvsStats
{
    /** All counters and rates zero: a service or real server nothing has passed through yet. */
    public static final IpvsStats ZERO = new IpvsStats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

    private final long conns;
    private final long inPackets;
    private final long outPackets;
    private final long inBytes;
    private final long outBytes;
    private final long cps;
    private final long inPps;
    private final long outPps;
    private final long inBps;
    private final long outBps;

    /**
     * Statistics from counters and rates.
     *
     * @param conns      connections scheduled (templates not counted).
     * @param inPackets  packets client to server.
     * @param outPackets packets server to client (NAT only; 0 for DR and TUN).
     * @param inBytes    bytes client to server.
     * @param outBytes   bytes server to client.
     * @param cps        connections per second.
     * @param inPps      incoming packets per second.
     * @param outPps     outgoing packets per second.
     * @param inBps      incoming bytes per second.
     * @param outBps     outgoing bytes per second.
     */
    public IpvsStats(
        final long conns,
        final long inPackets,
        final long outPackets,
        final long inBytes,
        final long outBytes,
        final long cps,
        final long inPps,
        final long outPps,
        final long inBps,
        final long outBps)
    {
        this.conns = conns;
        this.inPackets = inPackets;
        this.outPackets = outPackets;
        this.inBytes = inBytes;
        this.outBytes = outBytes;
        this.cps = cps;
        this.inPps = inPps;
        this.outPps = outPps;
        this.inBps = inBps;
        this.outBps = outBps;
    }

    /**
     * Counters without rates, for a director that does not estimate them.
     *
     * @param conns      connections scheduled.
     * @param inPackets  packets client to server.
     * @param outPackets packets server to client.
     * @param inBytes    bytes client to server.
     * @param outBytes   bytes server to client.
     * @return the statistics with every rate zero.
     */
    public static IpvsStats counters(
        final long conns, final long inPackets, final long outPackets, final long inBytes, final long outBytes)
    {
        return new IpvsStats(conns, inPackets, outPackets, inBytes, outBytes, 0, 0, 0, 0, 0);
    }

    /** @return connections scheduled (unsigned). */
    public long conns()
    {
        return conns;
    }

    /** @return packets client to server (unsigned). */
    public long inPackets()
    {
        return inPackets;
    }

    /** @return packets server to client (unsigned). */
    public long outPackets()
    {
        return outPackets;
    }

    /** @return bytes client to server (unsigned). */
    public long inBytes()
    {
        return inBytes;
    }

    /** @return bytes server to client (unsigned). */
    public long outBytes()
    {
        return outBytes;
    }

    /** @return connections per second. */
    public long cps()
    {
        return cps;
    }

    /** @return incoming packets per second. */
    public long inPps()
    {
        return inPps;
    }

    /** @return outgoing packets per second. */
    public long outPps()
    {
        return outPps;
    }

    /** @return incoming bytes per second. */
    public long inBps()
    {
        return inBps;
    }

    /** @return outgoing bytes per second. */
    public long outBps()
    {
        return outBps;
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof IpvsStats))
        {
            return false;
        }
        final IpvsStats s = (IpvsStats)o;
        return conns == s.conns && inPackets == s.inPackets && outPackets == s.outPackets && inBytes == s.inBytes &&
            outBytes == s.outBytes && cps == s.cps && inPps == s.inPps && outPps == s.outPps && inBps == s.inBps &&
            outBps == s.outBps;
    }

    @Override
    public int hashCode()
    {
        long h = conns;
        for (final long v : new long[] {inPackets, outPackets, inBytes, outBytes, cps, inPps, outPps, inBps, outBps})
        {
            h = h * 31 + v;
        }
        return Long.hashCode(h);
    }

    @Override
    public String toString()
    {
        return "conns=" + Long.toUnsignedString(conns) + " inpkts=" + Long.toUnsignedString(inPackets) +
            " outpkts=" + Long.toUnsignedString(outPackets) + " inbytes=" + Long.toUnsignedString(inBytes) +
            " outbytes=" + Long.toUnsignedString(outBytes) + " cps=" + cps + " inpps=" + inPps + " outpps=" + outPps +
            " inbps=" + inBps + " outbps=" + outBps;
    }
}
