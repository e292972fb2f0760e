package io.lvs4j.forwarder.channel;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import org.agrona.BitUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

/**
 * A channel in memory: tests and benchmarks {@link #inject} frames as if they came off the wire and read what
 * the director sent with {@link #drainSent}.
 * <p>
 * Injection may come from any thread (frames queue in an Agrona ring buffer); the worker that owns the channel
 * receives them in place like an AF_PACKET ring slot. Sent frames are copied out on {@link #flush()} into a
 * second ring buffer that any one thread drains. Neither side allocates per frame except {@link #drainSent}.
 */
public final class MemoryChannel implements FrameChannel
{
    private static final int FRAME_MSG = 1;

    private final String name;
    private final int mtu;
    private final ManyToOneRingBuffer inbound;
    private final ManyToOneRingBuffer outbound;
    private final UnsafeBuffer txScratch;
    private final int txSlot;
    private final int[] txLengths;
    private int txCommitted;
    private int txClaimed = -1;
    private long refused;
    private volatile boolean closed;

    private int inFlags;
    private FrameHandler currentHandler;
    private final org.agrona.concurrent.MessageHandler dispatch = (type, buffer, index, length) ->
        currentHandler.onFrame(buffer, index + Integer.BYTES, length - Integer.BYTES, buffer.getInt(index));

    /**
     * A channel with room for a megabyte of frames each way and a 1500-byte MTU.
     *
     * @param name a name for logs and counters.
     */
    public MemoryChannel(final String name)
    {
        this(name, 1500, 1 << 20, 256);
    }

    /**
     * A channel sized by the caller.
     *
     * @param name        a name for logs and counters.
     * @param mtu         the MTU it reports.
     * @param queueBytes  bytes of frames each direction holds (rounded up to a power of two).
     * @param txBatch     frames that can be committed before a {@link #flush()}.
     */
    public MemoryChannel(final String name, final int mtu, final int queueBytes, final int txBatch)
    {
        this.name = name;
        this.mtu = mtu;
        final int capacity = BitUtil.findNextPositivePowerOfTwo(queueBytes) + RingBufferDescriptor.TRAILER_LENGTH;
        this.inbound = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)));
        this.outbound = new ManyToOneRingBuffer(new UnsafeBuffer(ByteBuffer.allocateDirect(capacity)));
        this.txSlot = BitUtil.align(mtu + 64 + 32, 64);
        this.txScratch = new UnsafeBuffer(ByteBuffer.allocateDirect(txSlot * txBatch));
        this.txLengths = new int[txBatch];
    }

    /**
     * Queues a frame as if received from the wire.
     *
     * @param frame the frame's bytes.
     * @return false when the inbound queue is full.
     */
    public boolean inject(final byte[] frame)
    {
        return inject(new UnsafeBuffer(frame), 0, frame.length, 0);
    }

    /**
     * Queues a frame as if received from the wire, with receive flags.
     *
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its length.
     * @param flags  {@link FrameFlags} bits to deliver with it.
     * @return false when the inbound queue is full.
     */
    public boolean inject(final DirectBuffer buffer, final int offset, final int length, final int flags)
    {
        final int index = inbound.tryClaim(FRAME_MSG, length + Integer.BYTES);
        if (index < 0)
        {
            return false;
        }
        final var target = inbound.buffer();
        target.putInt(index, flags);
        target.putBytes(index + Integer.BYTES, buffer, offset, length);
        inbound.commit(index);
        return true;
    }

    /**
     * Takes every frame sent (flushed) so far.
     *
     * @return the frames, oldest first.
     */
    public List<byte[]> drainSent()
    {
        final List<byte[]> frames = new ArrayList<>();
        outbound.read((type, buffer, index, length) ->
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(index, frame);
            frames.add(frame);
        });
        return frames;
    }

    /** @return true while injected frames wait to be received. */
    public boolean hasInbound()
    {
        return inbound.size() != 0;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        currentHandler = handler;
        try
        {
            return inbound.read(dispatch, limit);
        }
        finally
        {
            currentHandler = null;
        }
    }

    @Override
    public boolean tryClaim(final int length, final FrameClaim claim)
    {
        if (txClaimed >= 0)
        {
            throw new IllegalStateException("a claim is already active on " + name);
        }
        if (length > txSlot || txCommitted == txLengths.length)
        {
            return false;
        }
        txClaimed = txCommitted;
        claim.set(txScratch, txClaimed * txSlot, txSlot, txClaimed);
        return true;
    }

    @Override
    public void commit(final FrameClaim claim, final int length)
    {
        checkClaim(claim);
        if (length > claim.capacity() || length < 0)
        {
            throw new IllegalArgumentException("length " + length + " exceeds claimed " + claim.capacity());
        }
        txLengths[txCommitted] = length;
        txCommitted++;
        txClaimed = -1;
        claim.clear();
    }

    @Override
    public void abort(final FrameClaim claim)
    {
        checkClaim(claim);
        txClaimed = -1;
        claim.clear();
    }

    private void checkClaim(final FrameClaim claim)
    {
        if (txClaimed < 0 || claim.token() != txClaimed)
        {
            throw new IllegalStateException("no such claim on " + name);
        }
    }

    @Override
    public int flush()
    {
        int sent = 0;
        for (int i = 0; i < txCommitted; i++)
        {
            if (outbound.write(FRAME_MSG, txScratch, i * txSlot, txLengths[i]))
            {
                sent++;
            }
            else
            {
                refused++;
            }
        }
        txCommitted = 0;
        return sent;
    }

    @Override
    public boolean await(final int timeoutMs)
    {
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        while (inbound.size() == 0 && !closed)
        {
            if (System.nanoTime() - deadline >= 0)
            {
                return false;
            }
            LockSupport.parkNanos(50_000);
        }
        return inbound.size() != 0;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    @Override
    public long receiveDrops()
    {
        return 0;
    }

    /** @return committed frames the outbound queue had no room for. */
    public long sendRefusals()
    {
        return refused;
    }

    @Override
    public void close()
    {
        closed = true;
    }
}
