package io.lvs4j.forwarder.channel;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A channel that receives nothing and forgets what it sends, counting it: benchmarks and allocation tests drive
 * a {@link io.lvs4j.forwarder.pipeline.FrameProcessor} through it to measure the pipeline without the kernel.
 * Transmit slots live in direct memory like a ring's; a flush empties them.
 */
public final class DiscardChannel implements FrameChannel
{
    private static final int SLOT = 2048;

    private final UnsafeBuffer slots;
    private final int slotCount;
    private int committed;
    private long sent;
    private long bytes;

    /** A channel with 256 transmit slots of 2 KiB. */
    public DiscardChannel()
    {
        this(256);
    }

    /**
     * A channel with the given number of transmit slots of 2 KiB.
     *
     * @param slotCount frames that can be committed between flushes.
     */
    public DiscardChannel(final int slotCount)
    {
        this.slotCount = slotCount;
        this.slots = new UnsafeBuffer(ByteBuffer.allocateDirect(slotCount * SLOT));
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        return 0;
    }

    @Override
    public boolean tryClaim(final int length, final FrameClaim claim)
    {
        if (committed == slotCount || length > SLOT)
        {
            return false;
        }
        claim.set(slots, committed * SLOT, SLOT, committed);
        return true;
    }

    @Override
    public void commit(final FrameClaim claim, final int length)
    {
        committed++;
        bytes += length;
        claim.clear();
    }

    @Override
    public void abort(final FrameClaim claim)
    {
        claim.clear();
    }

    @Override
    public int flush()
    {
        final int n = committed;
        sent += n;
        committed = 0;
        return n;
    }

    @Override
    public boolean await(final int timeoutMs)
    {
        return false;
    }

    /** @return frames flushed since the channel was made. */
    public long sent()
    {
        return sent;
    }

    /** @return bytes committed since the channel was made. */
    public long bytes()
    {
        return bytes;
    }

    @Override
    public String name()
    {
        return "discard";
    }

    @Override
    public int mtu()
    {
        return 1500;
    }

    @Override
    public long receiveDrops()
    {
        return 0;
    }

    @Override
    public void close()
    {
    }
}
