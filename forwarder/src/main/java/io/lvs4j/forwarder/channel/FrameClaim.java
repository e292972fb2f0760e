package io.lvs4j.forwarder.channel;

import org.agrona.MutableDirectBuffer;

/**
 * Room for one outgoing frame in a channel's transmit memory, claimed with {@link FrameChannel#tryClaim} and written
 * in place, then handed to {@link FrameChannel#commit} or {@link FrameChannel#abort}.
 * <p>
 * One claim object is owned by one thread and reused for every frame: the channel fills it, the caller writes the
 * frame at {@link #offset()} in {@link #buffer()}, no more than {@link #capacity()} bytes.
 */
public final class FrameClaim
{
    private MutableDirectBuffer buffer;
    private int offset;
    private int capacity;
    private long token = -1;

    /**
     * Called by a channel to point the claim at its memory.
     *
     * @param buffer   the transmit memory.
     * @param offset   where the frame is to be written.
     * @param capacity bytes available from the offset.
     * @param token    the channel's handle on the slot, returned to it on commit.
     */
    public void set(final MutableDirectBuffer buffer, final int offset, final int capacity, final long token)
    {
        this.buffer = buffer;
        this.offset = offset;
        this.capacity = capacity;
        this.token = token;
    }

    /** Called by a channel once the claim is committed or aborted. */
    public void clear()
    {
        buffer = null;
        token = -1;
        capacity = 0;
    }

    /** @return the memory to write the frame into. */
    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /** @return where the frame starts in {@link #buffer()}. */
    public int offset()
    {
        return offset;
    }

    /** @return the most bytes the frame may have. */
    public int capacity()
    {
        return capacity;
    }

    /** @return the channel's handle on the claimed slot; -1 when the claim is not active. */
    public long token()
    {
        return token;
    }

    /** @return true between a successful {@link FrameChannel#tryClaim} and its commit or abort. */
    public boolean isActive()
    {
        return token >= 0;
    }
}
