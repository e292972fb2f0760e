package io.lvs4j.forwarder.nativeio;

import java.nio.ByteBuffer;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * One {@code poll} over several descriptors, for a worker that owns one channel per interface and must sleep
 * until any of them has frames: waiting on each in turn would leave the others unwatched.
 * Reuses one {@code pollfd} array in direct memory; no allocation per call.
 */
public final class DescriptorPoll
{
    private static final short POLLHUP = 0x10;
    private static final short POLLNVAL = 0x20;

    private final UnsafeBuffer fds;
    private final int count;

    /**
     * A poll set.
     *
     * @param descriptors the descriptors to wait on for input.
     */
    public DescriptorPoll(final int[] descriptors)
    {
        this.count = descriptors.length;
        this.fds = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(1, count) * LibC.POLLFD_LENGTH));
        for (int i = 0; i < count; i++)
        {
            fds.putInt(i * LibC.POLLFD_LENGTH, descriptors[i]);
            fds.putShort(i * LibC.POLLFD_LENGTH + 4, LibC.POLLIN);
        }
    }

    /**
     * Whether the last {@link #await} found a descriptor in error ({@code POLLERR}, {@code POLLHUP} or
     * {@code POLLNVAL}): its owner must clear the error, or every poll returns at once.
     *
     * @param index the descriptor's position.
     * @return true when in error.
     */
    public boolean inError(final int index)
    {
        return (fds.getShort(index * LibC.POLLFD_LENGTH + 6) & (LibC.POLLERR | POLLHUP | POLLNVAL)) != 0;
    }

    /**
     * Waits until a descriptor is readable (or in error) or the timeout passes.
     *
     * @param timeoutMs the longest wait.
     * @return how many descriptors are ready; 0 on timeout, -1 on error (EINTR included).
     */
    public int await(final int timeoutMs)
    {
        for (int i = 0; i < count; i++)
        {
            fds.putShort(i * LibC.POLLFD_LENGTH + 6, (short)0);
        }
        return LibC.poll(fds.addressOffset(), count, timeoutMs);
    }
}
