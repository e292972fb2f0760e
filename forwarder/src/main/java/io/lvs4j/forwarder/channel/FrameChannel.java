package io.lvs4j.forwarder.channel;

import org.agrona.DirectBuffer;

/**
 * A source and sink of Ethernet frames on one interface, for exactly one worker thread: an AF_PACKET socket with
 * its rings, a libpcap handle, a capture file, or memory in tests.
 * <p>
 * Everything is batched. {@link #receive} hands over up to a batch of frames where they lie, without a system call
 * when frames are already waiting; transmits are claimed and written in place, and reach the wire on
 * {@link #flush()}, one system call for the whole batch. Only {@link #await} blocks: workers call it when a receive
 * came back empty, so that an idle director sleeps in {@code poll} instead of spinning.
 * <p>
 * Not thread-safe: one channel, one thread. Frames for another interface go through that interface's channel
 * owned by the same worker.
 */
public interface FrameChannel extends AutoCloseable
{
    /**
     * Hands up to {@code limit} waiting frames to the handler, in arrival order. Never blocks.
     *
     * @param handler called once per frame.
     * @param limit   the most frames to hand over.
     * @return how many frames were handed over.
     */
    int receive(FrameHandler handler, int limit);

    /**
     * Claims transmit room for one frame. Never blocks: when the transmit queue is full the caller flushes (or
     * drops and counts).
     *
     * @param length the most bytes the frame will have.
     * @param claim  filled in on success.
     * @return true when the room was claimed.
     */
    boolean tryClaim(int length, FrameClaim claim);

    /**
     * Queues a claimed frame for the next {@link #flush()}.
     *
     * @param claim  a claim from {@link #tryClaim}.
     * @param length the frame's final length, no more than was claimed.
     */
    void commit(FrameClaim claim, int length);

    /**
     * Gives a claim back unsent.
     *
     * @param claim a claim from {@link #tryClaim}.
     */
    void abort(FrameClaim claim);

    /**
     * Copies a frame into the transmit queue: {@link #tryClaim}, copy, {@link #commit}.
     *
     * @param buffer holds the frame.
     * @param offset where it starts.
     * @param length its length.
     * @param claim  a scratch claim owned by the caller.
     * @return false when the transmit queue is full.
     */
    default boolean send(final DirectBuffer buffer, final int offset, final int length, final FrameClaim claim)
    {
        if (!tryClaim(length, claim))
        {
            return false;
        }
        claim.buffer().putBytes(claim.offset(), buffer, offset, length);
        commit(claim, length);
        return true;
    }

    /**
     * Makes the interface deliver frames sent to another MAC while this channel is open: a VRRP virtual MAC
     * ({@code 00:00:5e:00:01:VRID}) or a multicast group such as VRRP's {@code 01:00:5e:00:00:12}. A NIC filters
     * frames by destination before any socket sees them, so without this a director behind a real NIC would never
     * receive what is sent to the virtual MAC. Unlike the rest of this interface, any thread may call it: it sets
     * a socket option and does not touch the rings. Channels that see every frame anyway (memory, files) ignore it.
     *
     * @param mac the address in the low 48 bits.
     */
    default void acceptDestination(final long mac)
    {
    }

    /**
     * Undoes {@link #acceptDestination}; nothing when the channel is closed.
     *
     * @param mac the address in the low 48 bits.
     */
    default void releaseDestination(final long mac)
    {
    }

    /**
     * Sends every committed frame: one system call for the batch.
     *
     * @return how many frames were handed to the kernel (or written).
     */
    int flush();

    /**
     * Blocks until frames wait to be received or the timeout passes.
     *
     * @param timeoutMs the longest wait; 0 checks without waiting.
     * @return true when frames are waiting.
     */
    boolean await(int timeoutMs);

    /**
     * The file descriptor to wait on when one thread waits on several channels with one {@code poll}; a channel
     * whose frames are ready says so through {@code await(0)} first, so the descriptor is only for sleeping.
     *
     * @return the descriptor, or -1 when the channel has none (memory, files).
     */
    default int pollDescriptor()
    {
        return -1;
    }

    /**
     * Asks the channel to receive only what the filter wants (the kernel drops the rest where it can). Called by
     * the control plane whenever VIPs or NAT real servers change, from its own thread: implementations make this
     * safe alongside the owner's receive. The default keeps receiving everything, which is correct, only slower.
     *
     * @param filter what the director wants.
     */
    default void restrictTo(final TrafficFilter filter)
    {
    }

    /** @return the interface (or file, or test name) this channel serves. */
    String name();

    /** @return the interface's MTU: the largest IP packet it sends. */
    int mtu();

    /** @return frames the kernel (or library) dropped before this channel could receive them, since opening. */
    long receiveDrops();

    /** Releases the socket, rings or file; idempotent. */
    @Override
    void close();
}
