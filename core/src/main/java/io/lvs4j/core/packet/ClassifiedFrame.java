package io.lvs4j.core.packet;

import io.lvs4j.core.flow.FlowKey;

/**
 * What the {@link PacketClassifier} learned about one frame: its kind or malformation, the offsets of its headers
 * (absolute offsets in the buffer it was classified in, -1 when absent), its VLAN tags, its flow and, for ICMP
 * errors and IP-in-IP, the inner (quoted or tunnelled) flow.
 * <p>
 * A caller-owned, reusable holder: a worker keeps one per frame slot and the classifier overwrites it in place,
 * so nothing is allocated per packet. Only the fields that the frame's kind defines are meaningful; the others are
 * reset to -1, 0 or false. Rewrites do not update it: it describes the frame as it was classified.
 */
public final class ClassifiedFrame
{
    final FlowKey flow = new FlowKey();
    final FlowKey innerFlow = new FlowKey();

    FrameKind kind = FrameKind.MALFORMED;
    Malformation malformation = Malformation.NONE;
    Malformation innerMalformation = Malformation.NONE;

    int frameOffset;
    int frameLength;
    int vlanCount;
    int vlanTpid0;
    int vlanTci0;
    int vlanTpid1;
    int vlanTci1;
    int etherType;

    int l3Offset;
    int l3Length;
    int l4Offset;
    int l4Length;
    int payloadOffset;
    int payloadLength;

    int ttl;
    int tos;
    int ipIdentification;
    int fragmentOffset;
    boolean moreFragments;
    boolean dontFragment;
    int extensionHeaderCount;

    int tcpFlags;
    int icmpType;
    int icmpCode;
    boolean icmpError;

    int innerL3Offset;
    int innerL3Length;
    int innerL4Offset;
    boolean innerFragment;

    /** Creates a holder describing nothing yet. */
    public ClassifiedFrame()
    {
        reset(0, 0);
    }

    void reset(final int offset, final int length)
    {
        kind = FrameKind.MALFORMED;
        malformation = Malformation.NONE;
        innerMalformation = Malformation.NONE;
        frameOffset = offset;
        frameLength = length;
        vlanCount = 0;
        vlanTpid0 = vlanTci0 = vlanTpid1 = vlanTci1 = 0;
        etherType = -1;
        l3Offset = l3Length = l4Offset = l4Length = payloadOffset = -1;
        payloadLength = 0;
        ttl = tos = ipIdentification = fragmentOffset = 0;
        moreFragments = dontFragment = false;
        extensionHeaderCount = 0;
        tcpFlags = 0;
        icmpType = icmpCode = -1;
        icmpError = false;
        innerL3Offset = innerL3Length = innerL4Offset = -1;
        innerFragment = false;
        flow.clear();
        innerFlow.clear();
    }

    FrameKind reject(final Malformation why)
    {
        malformation = why;
        kind = FrameKind.MALFORMED;
        return kind;
    }

    FrameKind accept(final FrameKind what)
    {
        kind = what;
        return what;
    }

    /** @return the kind; {@link FrameKind#MALFORMED} comes with a {@link #malformation()}. */
    public FrameKind kind()
    {
        return kind;
    }

    /** @return why the frame was rejected, or {@link Malformation#NONE}. */
    public Malformation malformation()
    {
        return malformation;
    }

    /** @return the buffer offset of the frame (its Ethernet header). */
    public int frameOffset()
    {
        return frameOffset;
    }

    /** @return the frame length given to the classifier (capture length, Ethernet padding included). */
    public int frameLength()
    {
        return frameLength;
    }

    /** @return the Ethernet header length with its VLAN tags (14, 18 or 22), or -1 when it was truncated. */
    public int l2HeaderLength()
    {
        return l3Offset < 0 ? -1 : l3Offset - frameOffset;
    }

    /** @return the number of VLAN tags, 0..2. */
    public int vlanCount()
    {
        return vlanCount;
    }

    /**
     * The TPID of a tag.
     *
     * @param index 0 for the outer tag, 1 for the inner one.
     * @return 0x8100 or 0x88A8.
     */
    public int vlanTpid(final int index)
    {
        return index == 0 ? vlanTpid0 : vlanTpid1;
    }

    /**
     * The TCI (priority, DEI, VLAN id) of a tag.
     *
     * @param index 0 for the outer tag, 1 for the inner one.
     * @return the TCI.
     */
    public int vlanTci(final int index)
    {
        return index == 0 ? vlanTci0 : vlanTci1;
    }

    /**
     * The VLAN id of a tag.
     *
     * @param index 0 for the outer tag, 1 for the inner one.
     * @return 0..4095.
     */
    public int vlanId(final int index)
    {
        return vlanTci(index) & 0xFFF;
    }

    /** @return the ethertype after the VLAN tags, or -1 when the Ethernet header was truncated. */
    public int etherType()
    {
        return etherType;
    }

    /** @return the buffer offset of the L3 header (IP or ARP), or -1. */
    public int l3Offset()
    {
        return l3Offset;
    }

    /** @return the L3 length: IPv4 total length, 40 + IPv6 payload length, 28 for ARP; -1 when unknown. */
    public int l3Length()
    {
        return l3Length;
    }

    /** @return the L3 header length including IPv4 options or IPv6 extension headers, or -1. */
    public int l3HeaderLength()
    {
        return l4Offset < 0 ? -1 : l4Offset - l3Offset;
    }

    /** @return the buffer offset of the transport header (or first bytes of a fragment's payload), or -1. */
    public int l4Offset()
    {
        return l4Offset;
    }

    /** @return the transport length: the UDP length field for UDP, otherwise the IP payload after L3 headers. */
    public int l4Length()
    {
        return l4Length;
    }

    /** @return the buffer offset of the transport payload (after the TCP options, the UDP/ICMP header...), or -1. */
    public int payloadOffset()
    {
        return payloadOffset;
    }

    /** @return the transport payload length in bytes (e.g. TCP data, Ethernet padding excluded). */
    public int payloadLength()
    {
        return payloadLength;
    }

    /** @return the flow: family, protocol, addresses, ports (0 for protocols without ports and for fragments). */
    public FlowKey flow()
    {
        return flow;
    }

    /** @return the IPv4 TTL or IPv6 hop limit. */
    public int ttl()
    {
        return ttl;
    }

    /** @return the IPv4 TOS / IPv6 traffic class. */
    public int tos()
    {
        return tos;
    }

    /** @return the IPv4 identification, or the IPv6 fragment header's 32-bit identification. */
    public int ipIdentification()
    {
        return ipIdentification;
    }

    /** @return the fragment offset in bytes (fragments only). */
    public int fragmentOffset()
    {
        return fragmentOffset;
    }

    /** @return the MF / M flag (fragments only). */
    public boolean moreFragments()
    {
        return moreFragments;
    }

    /** @return the IPv4 Don't Fragment flag. */
    public boolean dontFragment()
    {
        return dontFragment;
    }

    /** @return the number of IPv6 extension headers before the upper-layer header. */
    public int extensionHeaderCount()
    {
        return extensionHeaderCount;
    }

    /** @return the TCP flags byte (FIN ... CWR), TCP only. */
    public int tcpFlags()
    {
        return tcpFlags;
    }

    /** @return the ICMP/ICMPv6 type, or -1. */
    public int icmpType()
    {
        return icmpType;
    }

    /** @return the ICMP/ICMPv6 code, or -1. */
    public int icmpCode()
    {
        return icmpCode;
    }

    /** @return true for an ICMP/ICMPv6 error message, whose quoted packet is described by the inner fields. */
    public boolean isIcmpError()
    {
        return icmpError;
    }

    /** @return true when an inner flow was parsed: an ICMP error's quote or an IP-in-IP payload, without fault. */
    public boolean hasInnerFlow()
    {
        return innerL3Offset >= 0 && innerMalformation == Malformation.NONE;
    }

    /**
     * The inner flow: the packet quoted in an ICMP error (as it was sent, so its source is usually us or the peer
     * the error is about: reverse it to look up the connection) or the packet inside IP-in-IP. Ports are 0 when
     * the inner packet is a non-first fragment or has no ports.
     *
     * @return the inner flow key (meaningful when {@link #hasInnerFlow()}).
     */
    public FlowKey innerFlow()
    {
        return innerFlow;
    }

    /** @return what is wrong with the inner packet, or {@link Malformation#NONE}. */
    public Malformation innerMalformation()
    {
        return innerMalformation;
    }

    /** @return the buffer offset of the inner IP header, or -1. */
    public int innerL3Offset()
    {
        return innerL3Offset;
    }

    /** @return the bytes of the inner packet available (an ICMP quote is usually shorter than the packet was). */
    public int innerL3Length()
    {
        return innerL3Length;
    }

    /** @return the buffer offset of the inner transport header, or -1. */
    public int innerL4Offset()
    {
        return innerL4Offset;
    }

    /** @return true when the inner packet is a fragment (its ports are known only for the first fragment). */
    public boolean isInnerFragment()
    {
        return innerFragment;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        return kind == FrameKind.MALFORMED ? "MALFORMED " + malformation : kind + " " + flow;
    }
}
