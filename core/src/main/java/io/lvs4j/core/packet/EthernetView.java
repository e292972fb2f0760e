package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Flyweight over an Ethernet II header with zero, one or two VLAN tags (IEEE 802.1Q TPID 0x8100, 802.1ad TPID
 * 0x88A8): destination and source MAC, the tags, the ethertype of the payload. Also writes headers for frames we
 * originate.
 * <pre>
 *   0      6      12         14    16         18    20
 *   | dst  | src  | TPID/type | TCI | TPID/type | TCI | type | payload
 * </pre>
 * Tag accessors look only within {@link #length()}: a tag that does not fit is not counted.
 */
public final class EthernetView extends HeaderFlyweight
{
    /** Offset of the destination MAC. */
    public static final int DESTINATION_OFFSET = 0;
    /** Offset of the source MAC. */
    public static final int SOURCE_OFFSET = 6;
    /** Offset of the ethertype (or of the first tag's TPID). */
    public static final int ETHER_TYPE_OFFSET = 12;
    /** Length of an untagged header. */
    public static final int HEADER_LENGTH = 14;
    /** Length of one VLAN tag (TPID + TCI). */
    public static final int VLAN_TAG_LENGTH = 4;
    /** Most VLAN tags the views and the classifier walk. */
    public static final int MAX_VLAN_TAGS = 2;
    /** Smallest Ethernet frame without FCS; shorter frames are padded (NICs usually do it). */
    public static final int MIN_FRAME_LENGTH = 60;

    /** Ethertype of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** Ethertype of ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** Ethertype of IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** TPID of an IEEE 802.1Q (customer) VLAN tag. */
    public static final int ETHERTYPE_VLAN = 0x8100;
    /** TPID of an IEEE 802.1ad (service, "Q-in-Q") VLAN tag. */
    public static final int ETHERTYPE_QINQ = 0x88A8;

    /** Passed as a VLAN TCI to the header writers: write no tag. */
    public static final int NO_VLAN = -1;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    /**
     * Wraps a frame.
     *
     * @param buffer the bytes.
     * @param offset start of the frame.
     * @param length bytes of the frame available.
     * @return this for chaining.
     */
    public EthernetView wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        return this;
    }

    /** @return the destination MAC in the low 48 bits. */
    public long destinationMac()
    {
        return MacAddresses.get(buffer, offset + DESTINATION_OFFSET);
    }

    /**
     * Sets the destination MAC (DR rewrites only this).
     *
     * @param mac the address.
     * @return this for chaining.
     */
    public EthernetView destinationMac(final long mac)
    {
        MacAddresses.put(mutableBuffer, offset + DESTINATION_OFFSET, mac);
        return this;
    }

    /** @return the source MAC in the low 48 bits. */
    public long sourceMac()
    {
        return MacAddresses.get(buffer, offset + SOURCE_OFFSET);
    }

    /**
     * Sets the source MAC.
     *
     * @param mac the address.
     * @return this for chaining.
     */
    public EthernetView sourceMac(final long mac)
    {
        MacAddresses.put(mutableBuffer, offset + SOURCE_OFFSET, mac);
        return this;
    }

    /**
     * Swaps source and destination MAC, as a reply travels.
     *
     * @return this for chaining.
     */
    public EthernetView swapMacs()
    {
        final long dst = destinationMac();
        destinationMac(sourceMac());
        return sourceMac(dst);
    }

    /**
     * Whether a 16-bit value is a VLAN tag protocol identifier.
     *
     * @param etherType the value at an ethertype position.
     * @return true for 0x8100 and 0x88A8.
     */
    public static boolean isVlanTpid(final int etherType)
    {
        return etherType == ETHERTYPE_VLAN || etherType == ETHERTYPE_QINQ;
    }

    /** @return the 16 bits at offset 12: the ethertype of an untagged frame or the first tag's TPID. */
    public int outerEtherType()
    {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the number of VLAN tags (0..2) present and complete within {@link #length()}. */
    public int vlanTagCount()
    {
        int count = 0;
        int p = offset + ETHER_TYPE_OFFSET;
        final int end = offset + length;
        // a tag counts when its TCI and the type after it are there
        while (count < MAX_VLAN_TAGS && p + 6 <= end && isVlanTpid(buffer.getShort(p, BIG) & 0xFFFF))
        {
            count++;
            p += VLAN_TAG_LENGTH;
        }
        return count;
    }

    /**
     * The TPID of a tag.
     *
     * @param index 0 for the outer tag, 1 for the inner one.
     * @return 0x8100 or 0x88A8.
     */
    public int vlanTpid(final int index)
    {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET + index * VLAN_TAG_LENGTH, BIG) & 0xFFFF;
    }

    /**
     * The tag control information of a tag: priority (3 bits), DEI (1 bit), VLAN id (12 bits).
     *
     * @param index 0 for the outer tag, 1 for the inner one.
     * @return the TCI, 0..0xFFFF.
     */
    public int vlanTci(final int index)
    {
        return buffer.getShort(offset + ETHER_TYPE_OFFSET + 2 + index * VLAN_TAG_LENGTH, BIG) & 0xFFFF;
    }

    /**
     * The VLAN id of a tag.
     *
     * @param index 0 for the outer tag, 1 for the inner one.
     * @return the VLAN id, 0..4095.
     */
    public int vlanId(final int index)
    {
        return vlanTci(index) & 0xFFF;
    }

    /**
     * Sets the TCI of an existing tag.
     *
     * @param index 0 for the outer tag, 1 for the inner one.
     * @param tci   the new TCI.
     * @return this for chaining.
     */
    public EthernetView vlanTci(final int index, final int tci)
    {
        mutableBuffer.putShort(offset + ETHER_TYPE_OFFSET + 2 + index * VLAN_TAG_LENGTH, (short)tci, BIG);
        return this;
    }

    /** @return the length of the header: 14 plus 4 per tag counted by {@link #vlanTagCount()}. */
    public int headerLength()
    {
        return HEADER_LENGTH + vlanTagCount() * VLAN_TAG_LENGTH;
    }

    /** @return the ethertype of the payload, after the tags counted by {@link #vlanTagCount()}. */
    public int etherType()
    {
        return buffer.getShort(offset + headerLength() - 2, BIG) & 0xFFFF;
    }

    /**
     * Writes an untagged header.
     *
     * @param buffer      where to write.
     * @param offset      start of the frame.
     * @param destination destination MAC.
     * @param source      source MAC.
     * @param etherType   ethertype of the payload.
     * @return the header length, 14.
     */
    public static int writeHeader(
        final MutableDirectBuffer buffer, final int offset, final long destination, final long source,
        final int etherType)
    {
        return writeHeader(buffer, offset, destination, source, NO_VLAN, etherType);
    }

    /**
     * Writes a header with at most one 802.1Q tag.
     *
     * @param buffer      where to write.
     * @param offset      start of the frame.
     * @param destination destination MAC.
     * @param source      source MAC.
     * @param vlanTci     the tag's TCI, or {@link #NO_VLAN} for an untagged frame.
     * @param etherType   ethertype of the payload.
     * @return the header length, 14 or 18.
     */
    public static int writeHeader(
        final MutableDirectBuffer buffer, final int offset, final long destination, final long source,
        final int vlanTci, final int etherType)
    {
        MacAddresses.put(buffer, offset + DESTINATION_OFFSET, destination);
        MacAddresses.put(buffer, offset + SOURCE_OFFSET, source);
        int p = offset + ETHER_TYPE_OFFSET;
        if (vlanTci != NO_VLAN)
        {
            buffer.putShort(p, (short)ETHERTYPE_VLAN, BIG);
            buffer.putShort(p + 2, (short)vlanTci, BIG);
            p += VLAN_TAG_LENGTH;
        }
        buffer.putShort(p, (short)etherType, BIG);
        return p + 2 - offset;
    }

    /**
     * Writes a header carrying the same VLAN tags (TPIDs and TCIs) as a classified frame, so that a reply goes
     * back on the VLAN the request came from.
     *
     * @param buffer      where to write.
     * @param offset      start of the frame.
     * @param destination destination MAC.
     * @param source      source MAC.
     * @param tagsOf      the frame whose tags to copy.
     * @param etherType   ethertype of the payload.
     * @return the header length, 14, 18 or 22.
     */
    public static int writeHeader(
        final MutableDirectBuffer buffer, final int offset, final long destination, final long source,
        final ClassifiedFrame tagsOf, final int etherType)
    {
        MacAddresses.put(buffer, offset + DESTINATION_OFFSET, destination);
        MacAddresses.put(buffer, offset + SOURCE_OFFSET, source);
        int p = offset + ETHER_TYPE_OFFSET;
        for (int i = 0, n = tagsOf.vlanCount(); i < n; i++)
        {
            buffer.putShort(p, (short)tagsOf.vlanTpid(i), BIG);
            buffer.putShort(p + 2, (short)tagsOf.vlanTci(i), BIG);
            p += VLAN_TAG_LENGTH;
        }
        buffer.putShort(p, (short)etherType, BIG);
        return p + 2 - offset;
    }

    /**
     * Zero-pads a frame to {@link #MIN_FRAME_LENGTH}, for transmit paths whose driver does not pad.
     *
     * @param buffer      where the frame is.
     * @param offset      start of the frame.
     * @param frameLength its length.
     * @return the padded length (unchanged when already long enough).
     */
    public static int padToMinimum(final MutableDirectBuffer buffer, final int offset, final int frameLength)
    {
        if (frameLength >= MIN_FRAME_LENGTH)
        {
            return frameLength;
        }
        buffer.setMemory(offset + frameLength, MIN_FRAME_LENGTH - frameLength, (byte)0);
        return MIN_FRAME_LENGTH;
    }
}
