package io.lvs4j.core.stats;

/**
 * IPVS's rate estimator ({@code ip_vs_est.c}) for one service or real server: every
 * {@link #INTERVAL_MS 2 seconds} it takes the counters' growth since the last tick and folds it into a moving
 * average with weight 1/4 ({@code avg += (rate - avg) / 4}), in the kernel's fixed point: connection and packet
 * rates scaled by 2^10, byte rates by 2^5, the 2-second delta turned into a per-second figure by shifting one
 * place less ({@code << 9}, {@code << 4}), the division by 4 an arithmetic shift ({@code >> 2}, rounding towards
 * minus infinity). Rates are read rounded ({@code (avg + 0x1FF) >> 10}, {@code (avg + 0xF) >> 5}). Fed the same
 * counter series, it gives the kernel's figures to the unit.
 * <p>
 * Counters are unsigned 64-bit values and may wrap; the arithmetic wraps as the kernel's {@code u64} does.
 * Mutable, for the one thread (the control agent) that ticks it every 2 s; publish the {@link #stats} it
 * produces, not the estimator.
 */
public final class RateEstimator
{
    /** The kernel's estimation period: {@code 2 * HZ}. */
    public static final long INTERVAL_MS = 2000;

    private long lastConns;
    private long lastInPackets;
    private long lastOutPackets;
    private long lastInBytes;
    private long lastOutBytes;
    private long cpsAvg;
    private long inPpsAvg;
    private long outPpsAvg;
    private long inBpsAvg;
    private long outBpsAvg;

    /** An estimator for counters that start at zero, as a new service's do. */
    public RateEstimator()
    {
    }

    /**
     * One estimation tick ({@code estimation_timer} for one entry): call it every {@link #INTERVAL_MS} with the
     * current counter values.
     *
     * @param conns      connections counter.
     * @param inPackets  incoming packets counter.
     * @param outPackets outgoing packets counter.
     * @param inBytes    incoming bytes counter.
     * @param outBytes   outgoing bytes counter.
     */
    public void tick(
        final long conns, final long inPackets, final long outPackets, final long inBytes, final long outBytes)
    {
        // scaled by 2^10, but divided by 2 seconds: << 9
        cpsAvg = smooth(cpsAvg, (conns - lastConns) << 9);
        lastConns = conns;
        inPpsAvg = smooth(inPpsAvg, (inPackets - lastInPackets) << 9);
        lastInPackets = inPackets;
        outPpsAvg = smooth(outPpsAvg, (outPackets - lastOutPackets) << 9);
        lastOutPackets = outPackets;
        // scaled by 2^5, but divided by 2 seconds: << 4
        inBpsAvg = smooth(inBpsAvg, (inBytes - lastInBytes) << 4);
        lastInBytes = inBytes;
        outBpsAvg = smooth(outBpsAvg, (outBytes - lastOutBytes) << 4);
        lastOutBytes = outBytes;
    }

    private static long smooth(final long avg, final long rate)
    {
        // e->cps += ((s64)rate - (s64)e->cps) >> 2: signed difference, arithmetic shift, unsigned sum
        return avg + ((rate - avg) >> 2);
    }

    /**
     * What {@code ipvsadm -Z} does to the estimator ({@code ip_vs_zero_estimator}): the current counters become
     * the reference for the next tick and every average restarts from zero.
     *
     * @param conns      connections counter now.
     * @param inPackets  incoming packets counter now.
     * @param outPackets outgoing packets counter now.
     * @param inBytes    incoming bytes counter now.
     * @param outBytes   outgoing bytes counter now.
     */
    public void zero(
        final long conns, final long inPackets, final long outPackets, final long inBytes, final long outBytes)
    {
        lastConns = conns;
        lastInPackets = inPackets;
        lastOutPackets = outPackets;
        lastInBytes = inBytes;
        lastOutBytes = outBytes;
        cpsAvg = 0;
        inPpsAvg = 0;
        outPpsAvg = 0;
        inBpsAvg = 0;
        outBpsAvg = 0;
    }

    /** @return connections per second, rounded as {@code ip_vs_read_estimator} does. */
    public long cps()
    {
        return (cpsAvg + 0x1FF) >>> 10;
    }

    /** @return incoming packets per second. */
    public long inPps()
    {
        return (inPpsAvg + 0x1FF) >>> 10;
    }

    /** @return outgoing packets per second. */
    public long outPps()
    {
        return (outPpsAvg + 0x1FF) >>> 10;
    }

    /** @return incoming bytes per second. */
    public long inBps()
    {
        return (inBpsAvg + 0xF) >>> 5;
    }

    /** @return outgoing bytes per second. */
    public long outBps()
    {
        return (outBpsAvg + 0xF) >>> 5;
    }

    /** @return the connection-rate average in the kernel's 2^10 fixed point ({@code e->cps}), for tests. */
    public long cpsScaled()
    {
        return cpsAvg;
    }

    /** @return the incoming byte-rate average in the kernel's 2^5 fixed point ({@code e->inbps}), for tests. */
    public long inBpsScaled()
    {
        return inBpsAvg;
    }

    /**
     * The statistics to publish: the given counters with this estimator's rates.
     *
     * @param conns      connections counter.
     * @param inPackets  incoming packets counter.
     * @param outPackets outgoing packets counter.
     * @param inBytes    incoming bytes counter.
     * @param outBytes   outgoing bytes counter.
     * @return an immutable value for {@code ipvsadm --stats} and {@code --rate}.
     */
    public IpvsStats stats(
        final long conns, final long inPackets, final long outPackets, final long inBytes, final long outBytes)
    {
        return new IpvsStats(conns, inPackets, outPackets, inBytes, outBytes, cps(), inPps(), outPps(), inBps(),
            outBps());
    }
}
