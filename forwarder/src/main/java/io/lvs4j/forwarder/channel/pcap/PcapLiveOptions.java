package io.lvs4j.forwarder.channel.pcap;

/**
 * How a {@link PcapLiveChannel} opens its interface. Fluent setters; the defaults suit a director: whole frames,
 * no promiscuous mode, immediate delivery, inbound frames only.
 */
public final class PcapLiveOptions
{
    private int snaplen = 65_535;
    private boolean promiscuous;
    private boolean immediate = true;
    private int bufferBytes;
    private String filter;
    private boolean inboundOnly = true;
    private int txBatch = 64;
    private int mtu;
    private long maxParkNanos = 1_000_000;

    /**
     * @param snaplen the most bytes captured per frame; longer frames arrive cut short and flagged
     *                {@link io.lvs4j.forwarder.channel.FrameFlags#TRUNCATED}. Also the largest frame that can be
     *                claimed for sending.
     * @return this.
     */
    public PcapLiveOptions snaplen(final int snaplen)
    {
        if (snaplen < 64)
        {
            throw new IllegalArgumentException("snaplen below an Ethernet frame: " + snaplen);
        }
        this.snaplen = snaplen;
        return this;
    }

    /** @return the most bytes captured per frame. */
    public int snaplen()
    {
        return snaplen;
    }

    /**
     * @param promiscuous whether to put the interface into promiscuous mode, to see frames for other MACs.
     * @return this.
     */
    public PcapLiveOptions promiscuous(final boolean promiscuous)
    {
        this.promiscuous = promiscuous;
        return this;
    }

    /** @return whether the interface is opened promiscuous. */
    public boolean promiscuous()
    {
        return promiscuous;
    }

    /**
     * @param immediate libpcap's immediate mode: frames are delivered as they arrive instead of when a TPACKET_V3
     *                  block retires (milliseconds later). On Linux it switches libpcap to fixed-slot TPACKET_V2,
     *                  which holds fewer frames per byte of buffer: raise {@link #bufferBytes} for bursts.
     * @return this.
     */
    public PcapLiveOptions immediate(final boolean immediate)
    {
        this.immediate = immediate;
        return this;
    }

    /** @return whether immediate mode is on. */
    public boolean immediate()
    {
        return immediate;
    }

    /**
     * @param bufferBytes the kernel capture buffer (ring) size; 0 keeps libpcap's default (2 MB).
     * @return this.
     */
    public PcapLiveOptions bufferBytes(final int bufferBytes)
    {
        if (bufferBytes < 0)
        {
            throw new IllegalArgumentException("negative buffer size: " + bufferBytes);
        }
        this.bufferBytes = bufferBytes;
        return this;
    }

    /** @return the capture buffer size, 0 for libpcap's default. */
    public int bufferBytes()
    {
        return bufferBytes;
    }

    /**
     * @param filter a BPF filter in tcpdump syntax applied in the kernel, or null for every frame.
     * @return this.
     */
    public PcapLiveOptions filter(final String filter)
    {
        this.filter = filter;
        return this;
    }

    /** @return the BPF filter, or null. */
    public String filter()
    {
        return filter;
    }

    /**
     * @param inboundOnly capture only frames arriving at the interface, so the channel does not receive its own
     *                    sends back; ignored (with a warning) where libpcap cannot set the direction.
     * @return this.
     */
    public PcapLiveOptions inboundOnly(final boolean inboundOnly)
    {
        this.inboundOnly = inboundOnly;
        return this;
    }

    /** @return whether only inbound frames are captured. */
    public boolean inboundOnly()
    {
        return inboundOnly;
    }

    /**
     * @param txBatch how many frames can be committed before a {@link PcapLiveChannel#flush()}.
     * @return this.
     */
    public PcapLiveOptions txBatch(final int txBatch)
    {
        if (txBatch <= 0)
        {
            throw new IllegalArgumentException("txBatch must be positive: " + txBatch);
        }
        this.txBatch = txBatch;
        return this;
    }

    /** @return the transmit batch size in frames. */
    public int txBatch()
    {
        return txBatch;
    }

    /**
     * @param mtu the MTU to report; 0 asks the operating system for the interface's MTU.
     * @return this.
     */
    public PcapLiveOptions mtu(final int mtu)
    {
        if (mtu < 0)
        {
            throw new IllegalArgumentException("negative MTU: " + mtu);
        }
        this.mtu = mtu;
        return this;
    }

    /** @return the MTU to report, 0 to ask the operating system. */
    public int mtu()
    {
        return mtu;
    }

    /**
     * @param maxParkNanos the longest sleep between two checks for frames inside
     *                     {@link PcapLiveChannel#await}; the worst extra latency an idle channel adds.
     * @return this.
     */
    public PcapLiveOptions maxParkNanos(final long maxParkNanos)
    {
        if (maxParkNanos < 1_000)
        {
            throw new IllegalArgumentException("maxParkNanos below a microsecond would spin: " + maxParkNanos);
        }
        this.maxParkNanos = maxParkNanos;
        return this;
    }

    /** @return the longest sleep between checks inside await. */
    public long maxParkNanos()
    {
        return maxParkNanos;
    }
}
