package io.lvs4j.forwarder.pipeline;

import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.FrameClaim;

/**
 * Frames the control plane wants sent (ARP requests, gratuitous ARP, later VRRP adverts), queued for a worker
 * that owns the channels: a channel has one owner thread, so the control plane never touches it. The worker
 * drains the queue into its transmit rings once per loop, before its flush.
 */
public final class ControlFrames
{
    private final ManyToOneRingBuffer queue;
    private FrameChannel[] target;
    private FrameClaim claim;
    private int sent;
    private final MessageHandler drainer = this::onMessage;

    /**
     * A queue holding up to {@code bytes} of frames.
     *
     * @param bytes capacity in bytes (rounded up to a power of two).
     */
    public ControlFrames(final int bytes)
    {
        final int capacity = org.agrona.BitUtil.findNextPositivePowerOfTwo(bytes) + RingBufferDescriptor.TRAILER_LENGTH;
        this.queue = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)));
    }

    /**
     * Queues a frame for an interface; any thread.
     *
     * @param iface  the director's interface index.
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return false when the queue is full.
     */
    public boolean offer(final int iface, final DirectBuffer buffer, final int offset, final int length)
    {
        return queue.write(iface + 1, buffer, offset, length);
    }

    /**
     * Sends every queued frame through the worker's channels (the owning worker only).
     *
     * @param channels the worker's channels by interface index.
     * @param scratch  the worker's scratch claim.
     * @return frames moved.
     */
    public int drainTo(final FrameChannel[] channels, final FrameClaim scratch)
    {
        if (queue.size() == 0)
        {
            return 0;
        }
        target = channels;
        claim = scratch;
        sent = 0;
        queue.read(drainer);
        target = null;
        claim = null;
        return sent;
    }

    private void onMessage(final int type, final org.agrona.MutableDirectBuffer buffer, final int index, final int length)
    {
        final int iface = type - 1;
        if (iface < target.length && target[iface].send(buffer, index, length, claim))
        {
            sent++;
        }
    }
}
