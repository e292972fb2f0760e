package io.lvs4j.forwarder.channel.afpacket;

/**
 * The AF_PACKET ring layout a channel uses.
 * <p>
 * {@link #V3} packs variable-sized frames into blocks that the kernel hands over when full or when the retire
 * timer fires: more frames per megabyte and fewer status checks, so it suits throughput, but at low rates a frame
 * waits up to the timer (about 0.9 ms p50 with a 1 ms timer, measured). {@link #V2} hands over each fixed-size
 * frame as soon as it is written (about 8 us p50, measured), at the cost of a fixed slot per frame.
 */
public enum RingVersion
{
    /** {@code TPACKET_V2}: one fixed slot per frame, handed over at once. */
    V2(1, TpacketLayout.TPACKET2_HDRLEN),
    /** {@code TPACKET_V3}: blocks of variable-sized frames, handed over when full or timed out. */
    V3(2, TpacketLayout.TPACKET3_HDRLEN);

    private final int value;
    private final int headerLength;

    RingVersion(final int value, final int headerLength)
    {
        this.value = value;
        this.headerLength = headerLength;
    }

    /** @return the {@code PACKET_VERSION} value ({@code TPACKET_V2} = 1, {@code TPACKET_V3} = 2). */
    public int value()
    {
        return value;
    }

    /** @return the kernel's {@code tp_hdrlen}: the frame header plus a {@code sockaddr_ll}. */
    public int headerLength()
    {
        return headerLength;
    }

    /**
     * Where a frame starts in a transmit slot when {@code PACKET_TX_HAS_OFF} is off: the kernel reads it at
     * {@code tp_hdrlen - sizeof(sockaddr_ll)}, 48 for V3 and 32 for V2.
     *
     * @return the offset of the frame in a transmit slot.
     */
    public int transmitDataOffset()
    {
        return headerLength - TpacketLayout.SOCKADDR_LL_LENGTH;
    }
}
