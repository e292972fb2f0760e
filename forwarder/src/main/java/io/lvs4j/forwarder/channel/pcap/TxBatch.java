package io.lvs4j.forwarder.channel.pcap;

import io.lvs4j.forwarder.channel.FrameClaim;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The transmit side shared by the libpcap channels: a fixed batch of slots, each its own {@code byte[]}, claimed,
 * written in place, committed, and handed out on flush.
 * <p>
 * Each slot is a separate array, not a region of one buffer, because pcap4j's {@code sendPacket(byte[], int)}
 * and {@code dumpRaw(byte[])} both read from index 0 of the array they are given: a slot per array lets the
 * frame go to libpcap without another copy on the Java side.
 */
final class TxBatch
{
    private final String name;
    private final int slotLength;
    private final byte[][] slots;
    private final UnsafeBuffer[] views;
    private final int[] lengths;
    private int committed;
    private int claimed = -1;

    /**
     * @param name       the channel's name, for error messages.
     * @param slotLength the largest frame a slot holds.
     * @param batch      how many frames can be committed before a flush.
     */
    TxBatch(final String name, final int slotLength, final int batch)
    {
        if (slotLength <= 0 || batch <= 0)
        {
            throw new IllegalArgumentException("slot length and batch must be positive: " + slotLength + ", " + batch);
        }
        this.name = name;
        this.slotLength = slotLength;
        this.slots = new byte[batch][slotLength];
        this.views = new UnsafeBuffer[batch];
        for (int i = 0; i < batch; i++)
        {
            views[i] = new UnsafeBuffer(slots[i]);
        }
        this.lengths = new int[batch];
    }

    boolean tryClaim(final int length, final FrameClaim claim)
    {
        if (claimed >= 0)
        {
            throw new IllegalStateException("a claim is already active on " + name);
        }
        if (length < 0 || length > slotLength || committed == slots.length)
        {
            return false;
        }
        claimed = committed;
        claim.set(views[claimed], 0, slotLength, claimed);
        return true;
    }

    void commit(final FrameClaim claim, final int length)
    {
        checkClaim(claim);
        if (length < 0 || length > claim.capacity())
        {
            throw new IllegalArgumentException("length " + length + " exceeds claimed " + claim.capacity());
        }
        lengths[committed] = length;
        committed++;
        claimed = -1;
        claim.clear();
    }

    void abort(final FrameClaim claim)
    {
        checkClaim(claim);
        claimed = -1;
        claim.clear();
    }

    private void checkClaim(final FrameClaim claim)
    {
        if (claimed < 0 || claim.token() != claimed)
        {
            throw new IllegalStateException("no such claim on " + name);
        }
    }

    /** @return frames committed since the last {@link #reset()}. */
    int committed()
    {
        return committed;
    }

    byte[] frame(final int index)
    {
        return slots[index];
    }

    int length(final int index)
    {
        return lengths[index];
    }

    /** Forgets the committed frames once they are sent. */
    void reset()
    {
        if (claimed >= 0)
        {
            // the active claim points at slot `committed`, which the next claim after a reset would hand out
            // again: refuse rather than let two frames share a slot. Callers flush between claims.
            throw new IllegalStateException("flush during an active claim on " + name);
        }
        committed = 0;
    }
}
