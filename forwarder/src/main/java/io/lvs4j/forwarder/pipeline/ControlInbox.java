package io.lvs4j.forwarder.pipeline;

import java.nio.ByteBuffer;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * Frames the workers hand to the control plane (VRRP adverts): copied into a bounded ring that the control plane
 * drains on its own thread. The workers never wait: when the ring is full the frame is dropped and counted, so a
 * flood of adverts cannot slow forwarding down.
 */
public final class ControlInbox
{
    private final ManyToOneRingBuffer ring;

    /**
     * An inbox of {@code bytes} capacity.
     *
     * @param bytes capacity (rounded up to a power of two).
     */
    public ControlInbox(final int bytes)
    {
        final int capacity = BitUtil.findNextPositivePowerOfTwo(bytes) + RingBufferDescriptor.TRAILER_LENGTH;
        this.ring = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)));
    }

    /**
     * Queues a frame (a worker).
     *
     * @param iface  the interface it came in on.
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return false when the inbox is full.
     */
    public boolean offer(final int iface, final DirectBuffer buffer, final int offset, final int length)
    {
        return ring.write(iface + 1, buffer, offset, length);
    }

    /**
     * Hands queued frames to a handler (the control plane's one consumer thread); the handler's message type is
     * the interface index plus one.
     *
     * @param handler called per frame.
     * @param limit   the most frames.
     * @return frames handed over.
     */
    public int drain(final MessageHandler handler, final int limit)
    {
        return ring.read(handler, limit);
    }
}
