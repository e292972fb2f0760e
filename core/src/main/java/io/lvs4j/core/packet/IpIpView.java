package io.lvs4j.core.packet;

import org.agrona.DirectBuffer;

/**
 * View of an IP-in-IP packet (RFC 2003): an outer IPv4 header with protocol 4 whose payload is an inner IPv4
 * packet. Wrapping positions two {@link Ipv4View}s, the outer at the given offset and the inner right after the
 * outer header (and its options).
 */
public final class IpIpView
{
    /** IP protocol number of IP-in-IP. */
    public static final int PROTOCOL = 4;
    /** Length of the outer header we build (no options). */
    public static final int OUTER_HEADER_LENGTH = Ipv4View.MIN_HEADER_LENGTH;

    private final Ipv4View outer = new Ipv4View();
    private final Ipv4View inner = new Ipv4View();

    /**
     * Wraps an IP-in-IP packet. The outer header must be complete within {@code length} (the classifier has
     * checked it for an {@link FrameKind#IPV4_IPIP} frame).
     *
     * @param buffer the bytes.
     * @param offset start of the outer IPv4 header.
     * @param length bytes of the outer packet.
     * @return this for chaining.
     */
    public IpIpView wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        outer.wrap(buffer, offset, length);
        final int outerHeaderLength = outer.headerLength();
        inner.wrap(buffer, offset + outerHeaderLength, length - outerHeaderLength);
        return this;
    }

    /** @return the outer header's view. */
    public Ipv4View outer()
    {
        return outer;
    }

    /** @return the inner packet's view. */
    public Ipv4View inner()
    {
        return inner;
    }

    /** @return true when the outer protocol is 4 and the inner version nibble is 4. */
    public boolean isIpIp()
    {
        return outer.protocol() == PROTOCOL && inner.length() >= 1 && inner.version() == 4;
    }
}
