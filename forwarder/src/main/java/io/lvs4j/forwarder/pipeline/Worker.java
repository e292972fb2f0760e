package io.lvs4j.forwarder.pipeline;

import java.util.function.LongSupplier;

import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.nativeio.DescriptorPoll;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One forwarding thread: owns one channel per director interface (its share of each interface's fanout group)
 * and runs {@code receive -> process -> transmit} in batches, with the snapshot and the clock read once per batch
 * and one flush per channel per batch.
 * <p>
 * Idle, it spins briefly (a burst usually follows a burst), then yields, then blocks in the channel's
 * {@code poll} with a short timeout: on a 2-core machine a spinning director would steal the CPU from the very
 * clients and servers it serves. The timeout bounds how long control frames (ARP) wait and how soon
 * {@link #stop()} is noticed.
 */
public final class Worker implements Runnable
{
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);
    private static final int SPINS = 64;
    private static final int YIELDS = 16;

    private final int index;
    private final FrameChannel[] channels;
    private final FrameProcessor processor;
    private final SnapshotSource snapshots;
    private final ControlFrames controlFrames;
    private final LongSupplier clock;
    private final int batchSize;
    private final int pollTimeoutMs;
    private final FrameClaim claim = new FrameClaim();
    private final DescriptorPoll poll;
    private volatile boolean running = true;
    private volatile long errors;
    private volatile long loops;
    private volatile long polls;

    /**
     * A worker.
     *
     * @param index         the worker's index.
     * @param channels      its channels, by interface index; the worker closes them when it ends.
     * @param processor     its frame processor (over the same channels).
     * @param snapshots     where the current snapshot is.
     * @param controlFrames frames from the control plane this worker sends, or null.
     * @param clock         epoch milliseconds.
     * @param batchSize     frames per receive call per channel.
     * @param pollTimeoutMs the longest blocking poll when idle.
     */
    public Worker(
        final int index,
        final FrameChannel[] channels,
        final FrameProcessor processor,
        final SnapshotSource snapshots,
        final ControlFrames controlFrames,
        final LongSupplier clock,
        final int batchSize,
        final int pollTimeoutMs)
    {
        this.index = index;
        this.channels = channels.clone();
        this.processor = processor;
        this.snapshots = snapshots;
        this.controlFrames = controlFrames;
        this.clock = clock;
        this.batchSize = batchSize;
        this.pollTimeoutMs = pollTimeoutMs;
        this.poll = channels.length > 1 ? pollOver(channels) : null;
    }

    /** One poll over every channel's descriptor, or null when some channel has none. */
    private static DescriptorPoll pollOver(final FrameChannel[] channels)
    {
        final int[] fds = new int[channels.length];
        for (int i = 0; i < channels.length; i++)
        {
            fds[i] = channels[i].pollDescriptor();
            if (fds[i] < 0)
            {
                return null;
            }
        }
        return new DescriptorPoll(fds);
    }

    @Override
    public void run()
    {
        int idle = 0;
        try
        {
            while (running)
            {
                int work;
                try
                {
                    work = doWork();
                }
                catch (final RuntimeException ex)
                {
                    // a bug must not silently stop forwarding on this share of the flows: count, log rarely, go on
                    work = 0;
                    if (errors++ % 10_000 == 0)
                    {
                        LOG.error("lvs4j worker {}: pass failed ({} so far)", index, errors, ex);
                    }
                }
                if (work > 0)
                {
                    idle = 0;
                }
                else
                {
                    idle = idle(idle);
                }
            }
        }
        finally
        {
            for (final FrameChannel channel : channels)
            {
                channel.close();
            }
        }
    }

    /**
     * One pass: a batch from every channel, the control frames, one flush per channel.
     *
     * @return frames received plus control frames sent.
     */
    public int doWork()
    {
        processor.beginBatch(snapshots.snapshot(), clock.getAsLong());
        int work = 0;
        for (int i = 0; i < channels.length; i++)
        {
            processor.ingress(i);
            work += channels[i].receive(processor, batchSize);
        }
        if (controlFrames != null)
        {
            work += controlFrames.drainTo(channels, claim);
        }
        for (final FrameChannel channel : channels)
        {
            channel.flush();
        }
        loops++;
        return work;
    }

    private int idle(final int idleCount)
    {
        if (idleCount < SPINS)
        {
            Thread.onSpinWait();
        }
        else if (idleCount < SPINS + YIELDS)
        {
            Thread.yield();
        }
        else
        {
            polls++;
            if (channels.length == 1)
            {
                channels[0].await(pollTimeoutMs);
            }
            else if (poll != null)
            {
                // a ring may hold frames the descriptor no longer signals: look before sleeping
                for (final FrameChannel channel : channels)
                {
                    if (channel.await(0))
                    {
                        return SPINS + YIELDS;
                    }
                }
                if (poll.await(pollTimeoutMs) > 0)
                {
                    for (int i = 0; i < channels.length; i++)
                    {
                        if (poll.inError(i))
                        {
                            // the channel's own poll reads and clears the socket error (e.g. ENETDOWN)
                            channels[i].await(1);
                        }
                    }
                }
            }
            else
            {
                // without one poll over every descriptor, share the timeout so no interface waits long
                final int slice = Math.max(1, pollTimeoutMs / channels.length);
                for (final FrameChannel channel : channels)
                {
                    if (channel.await(slice))
                    {
                        break;
                    }
                }
            }
            return SPINS + YIELDS;
        }
        return idleCount + 1;
    }

    /** Asks the worker to finish its current pass and end. */
    public void stop()
    {
        running = false;
    }

    /** @return the worker's index. */
    public int index()
    {
        return index;
    }

    /** @return passes made (for tests and stats). */
    public long loops()
    {
        return loops;
    }

    /** @return passes that failed with an exception (logged, and the worker went on). */
    public long errors()
    {
        return errors;
    }

    /** @return blocking polls made while idle. */
    public long polls()
    {
        return polls;
    }

    /** @return the worker's processor. */
    public FrameProcessor processor()
    {
        return processor;
    }
}
