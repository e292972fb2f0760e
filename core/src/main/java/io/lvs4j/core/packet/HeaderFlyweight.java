package io.lvs4j.core.packet;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Common state of the header views: the buffer, the header's offset in it and the number of bytes available from
 * there (the header and whatever follows it).
 * <p>
 * Getters work on any {@link DirectBuffer}; setters need the buffer to be a {@link MutableDirectBuffer} (as an
 * {@code UnsafeBuffer} over ring memory is) and throw {@link NullPointerException} otherwise, which is a programming
 * error rather than a condition to handle.
 */
public abstract class HeaderFlyweight
{
    DirectBuffer buffer;
    MutableDirectBuffer mutableBuffer;
    int offset;
    int length;

    HeaderFlyweight()
    {
    }

    final void wrapBuffer(final DirectBuffer buffer, final int offset, final int length)
    {
        this.buffer = buffer;
        this.mutableBuffer = buffer instanceof MutableDirectBuffer ? (MutableDirectBuffer)buffer : null;
        this.offset = offset;
        this.length = length;
    }

    /** @return the wrapped buffer. */
    public final DirectBuffer buffer()
    {
        return buffer;
    }

    /** @return the offset of the header in the buffer. */
    public final int offset()
    {
        return offset;
    }

    /** @return the number of bytes available from {@link #offset()}: this header and what follows it. */
    public final int length()
    {
        return length;
    }
}
