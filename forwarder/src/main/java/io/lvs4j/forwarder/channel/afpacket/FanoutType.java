package io.lvs4j.forwarder.channel.afpacket;

/**
 * How a {@code PACKET_FANOUT} group spreads frames over its sockets, so that N workers share one interface.
 */
public enum FanoutType
{
    /**
     * By symmetric flow hash: every frame of a flow, in both directions, reaches the same socket. A NAT reply
     * carries the real server's address, so it is a different flow and may reach another socket.
     */
    HASH(0),
    /** Round robin. */
    LB(1),
    /** By the CPU that received the frame. */
    CPU(2),
    /** To the first socket with room, then the next. */
    ROLLOVER(3),
    /** At random. */
    RND(4),
    /** By the device queue the frame arrived on. */
    QM(5);

    /** Flag: when the chosen socket's ring is full, try the others instead of dropping. */
    public static final int FLAG_ROLLOVER = 0x1000;
    /** Flag: let the kernel pick an unused group id. */
    public static final int FLAG_UNIQUEID = 0x2000;
    /** Flag: do not hand the group frames sent on the interface by others ({@code IGNORE_OUTGOING} per group). */
    public static final int FLAG_IGNORE_OUTGOING = 0x4000;
    /** Flag: reassemble IP fragments before hashing, so all fragments of a datagram reach one socket. */
    public static final int FLAG_DEFRAG = 0x8000;

    private final int value;

    FanoutType(final int value)
    {
        this.value = value;
    }

    /** @return the kernel's {@code PACKET_FANOUT_*} value. */
    public int value()
    {
        return value;
    }

    /**
     * The {@code PACKET_FANOUT} option value: the group id in the low 16 bits, type and flags in the high 16.
     *
     * @param group the group id, 0..65535.
     * @param flags {@code FLAG_*} bits.
     * @return the option value.
     */
    public int optionValue(final int group, final int flags)
    {
        return (group & 0xFFFF) | ((value | flags) << 16);
    }
}
