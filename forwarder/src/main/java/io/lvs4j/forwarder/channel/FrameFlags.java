package io.lvs4j.forwarder.channel;

/**
 * What a channel knows about a received frame beyond its bytes.
 */
public final class FrameFlags
{
    /**
     * The transport checksum is not complete: the sender's stack left it for offload ({@code CHECKSUM_PARTIAL},
     * AF_PACKET's {@code TP_STATUS_CSUMNOTREADY}); the field holds only the pseudo-header sum. Whoever sends the
     * frame on must complete it.
     */
    public static final int CHECKSUM_NOT_READY = 0x1;
    /** The kernel or NIC already validated the transport checksum ({@code TP_STATUS_CSUM_VALID}). */
    public static final int CHECKSUM_VALID = 0x2;
    /** The frame was longer than the receive slot and arrived cut short ({@code TP_STATUS_COPY} / snaplen). */
    public static final int TRUNCATED = 0x4;
    /**
     * The frame came with a VLAN tag that the kernel stripped before the ring ({@code TP_STATUS_VLAN_VALID}): the
     * bytes look untagged, but the frame belongs to a VLAN.
     */
    public static final int VLAN_TAGGED = 0x8;

    private FrameFlags()
    {
    }
}
