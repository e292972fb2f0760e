package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * Flyweight over an ARP packet for Ethernet and IPv4 (RFC 826): hardware type 1, protocol type 0x0800, address
 * lengths 6 and 4, 28 bytes.
 */
public final class ArpView extends HeaderFlyweight
{
    /** Offset of the hardware type. */
    public static final int HARDWARE_TYPE_OFFSET = 0;
    /** Offset of the protocol type. */
    public static final int PROTOCOL_TYPE_OFFSET = 2;
    /** Offset of the hardware address length. */
    public static final int HARDWARE_LENGTH_OFFSET = 4;
    /** Offset of the protocol address length. */
    public static final int PROTOCOL_LENGTH_OFFSET = 5;
    /** Offset of the operation. */
    public static final int OPERATION_OFFSET = 6;
    /** Offset of the sender hardware address. */
    public static final int SENDER_HARDWARE_OFFSET = 8;
    /** Offset of the sender protocol address. */
    public static final int SENDER_PROTOCOL_OFFSET = 14;
    /** Offset of the target hardware address. */
    public static final int TARGET_HARDWARE_OFFSET = 18;
    /** Offset of the target protocol address. */
    public static final int TARGET_PROTOCOL_OFFSET = 24;
    /** Length of an Ethernet/IPv4 ARP packet. */
    public static final int LENGTH = 28;

    /** Hardware type of Ethernet. */
    public static final int HARDWARE_TYPE_ETHERNET = 1;
    /** Protocol type of IPv4. */
    public static final int PROTOCOL_TYPE_IPV4 = 0x0800;
    /** Operation: request. */
    public static final int OPERATION_REQUEST = 1;
    /** Operation: reply. */
    public static final int OPERATION_REPLY = 2;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    /**
     * Wraps an ARP packet.
     *
     * @param buffer the bytes.
     * @param offset start of the ARP packet (after the Ethernet header).
     * @param length bytes available.
     * @return this for chaining.
     */
    public ArpView wrap(final DirectBuffer buffer, final int offset, final int length)
    {
        wrapBuffer(buffer, offset, length);
        return this;
    }

    /** @return the hardware type (1 for Ethernet). */
    public int hardwareType()
    {
        return buffer.getShort(offset + HARDWARE_TYPE_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the protocol type (0x0800 for IPv4). */
    public int protocolType()
    {
        return buffer.getShort(offset + PROTOCOL_TYPE_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the hardware address length (6). */
    public int hardwareLength()
    {
        return buffer.getByte(offset + HARDWARE_LENGTH_OFFSET) & 0xFF;
    }

    /** @return the protocol address length (4). */
    public int protocolLength()
    {
        return buffer.getByte(offset + PROTOCOL_LENGTH_OFFSET) & 0xFF;
    }

    /** @return true when the fixed fields say Ethernet and IPv4, the only format the other accessors read. */
    public boolean isEthernetIpv4()
    {
        return hardwareType() == HARDWARE_TYPE_ETHERNET && protocolType() == PROTOCOL_TYPE_IPV4 &&
            hardwareLength() == MacAddresses.LENGTH && protocolLength() == 4;
    }

    /** @return the operation, {@link #OPERATION_REQUEST} or {@link #OPERATION_REPLY}. */
    public int operation()
    {
        return buffer.getShort(offset + OPERATION_OFFSET, BIG) & 0xFFFF;
    }

    /** @return the sender MAC. */
    public long senderHardwareAddress()
    {
        return MacAddresses.get(buffer, offset + SENDER_HARDWARE_OFFSET);
    }

    /** @return the sender IPv4 address, big-endian int. */
    public int senderProtocolAddress()
    {
        return buffer.getInt(offset + SENDER_PROTOCOL_OFFSET, BIG);
    }

    /** @return the target MAC (zero or ignored in requests). */
    public long targetHardwareAddress()
    {
        return MacAddresses.get(buffer, offset + TARGET_HARDWARE_OFFSET);
    }

    /** @return the target IPv4 address, big-endian int. */
    public int targetProtocolAddress()
    {
        return buffer.getInt(offset + TARGET_PROTOCOL_OFFSET, BIG);
    }

    /** @return true when sender and target protocol addresses are equal: a gratuitous ARP (announcement). */
    public boolean isGratuitous()
    {
        return senderProtocolAddress() == targetProtocolAddress();
    }

    /**
     * Writes the fixed Ethernet/IPv4 fields (types and lengths).
     *
     * @return this for chaining.
     */
    public ArpView ethernetIpv4()
    {
        mutableBuffer.putShort(offset + HARDWARE_TYPE_OFFSET, (short)HARDWARE_TYPE_ETHERNET, BIG);
        mutableBuffer.putShort(offset + PROTOCOL_TYPE_OFFSET, (short)PROTOCOL_TYPE_IPV4, BIG);
        mutableBuffer.putByte(offset + HARDWARE_LENGTH_OFFSET, (byte)MacAddresses.LENGTH);
        mutableBuffer.putByte(offset + PROTOCOL_LENGTH_OFFSET, (byte)4);
        return this;
    }

    /**
     * Sets the operation.
     *
     * @param operation {@link #OPERATION_REQUEST} or {@link #OPERATION_REPLY}.
     * @return this for chaining.
     */
    public ArpView operation(final int operation)
    {
        mutableBuffer.putShort(offset + OPERATION_OFFSET, (short)operation, BIG);
        return this;
    }

    /**
     * Sets the sender MAC.
     *
     * @param mac the address.
     * @return this for chaining.
     */
    public ArpView senderHardwareAddress(final long mac)
    {
        MacAddresses.put(mutableBuffer, offset + SENDER_HARDWARE_OFFSET, mac);
        return this;
    }

    /**
     * Sets the sender IPv4 address.
     *
     * @param address big-endian int.
     * @return this for chaining.
     */
    public ArpView senderProtocolAddress(final int address)
    {
        mutableBuffer.putInt(offset + SENDER_PROTOCOL_OFFSET, address, BIG);
        return this;
    }

    /**
     * Sets the target MAC.
     *
     * @param mac the address.
     * @return this for chaining.
     */
    public ArpView targetHardwareAddress(final long mac)
    {
        MacAddresses.put(mutableBuffer, offset + TARGET_HARDWARE_OFFSET, mac);
        return this;
    }

    /**
     * Sets the target IPv4 address.
     *
     * @param address big-endian int.
     * @return this for chaining.
     */
    public ArpView targetProtocolAddress(final int address)
    {
        mutableBuffer.putInt(offset + TARGET_PROTOCOL_OFFSET, address, BIG);
        return this;
    }
}
