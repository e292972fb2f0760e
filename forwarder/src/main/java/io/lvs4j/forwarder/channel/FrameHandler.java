package io.lvs4j.forwarder.channel;

import org.agrona.MutableDirectBuffer;

/**
 * Receives the frames of one batch from a {@link FrameChannel}, where they lie.
 * <p>
 * The buffer is a view of the channel's receive memory (an AF_PACKET ring slot, a capture buffer): the handler may
 * rewrite the frame in place, but must not keep the buffer or read it after returning, because the channel hands
 * the memory back to the kernel once the batch is done.
 */
@FunctionalInterface
public interface FrameHandler
{
    /**
     * Handles one received frame.
     *
     * @param buffer the memory holding the frame; writable.
     * @param offset where the frame starts (its destination MAC).
     * @param length the frame's captured length in bytes.
     * @param flags  {@link FrameFlags} bits the channel knows about the frame (checksum state, truncation).
     */
    void onFrame(MutableDirectBuffer buffer, int offset, int length, int flags);
}
