package io.lvs4j.core.packet;

import java.nio.ByteOrder;

/**
 * The port and 16-bit checksum accessors that the TCP and UDP views share: both headers start with the source and
 * destination ports, and both checksums are kept right incrementally (RFC 1624) when a port or a pseudo-header
 * address changes. The subclass gives the checksum's offset and its rule for an incremental update, so that UDP's
 * "0 means none" rule stays in {@link UdpView}.
 *
 * @param <T> the concrete view, returned by the setters for chaining.
 */
abstract class TransportHeaderFlyweight<T extends TransportHeaderFlyweight<T>> extends HeaderFlyweight
{
    /** Offset of the source port. */
    static final int SOURCE_PORT_AT = 0;
    /** Offset of the destination port. */
    static final int DESTINATION_PORT_AT = 2;

    static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private final int checksumAt;

    TransportHeaderFlyweight(final int checksumAt)
    {
        this.checksumAt = checksumAt;
    }

    /** @return this view as its concrete type. */
    abstract T self();

    /**
     * The checksum to store after a 16-bit word covered by it changed, by the protocol's rule.
     *
     * @param checksum the stored checksum.
     * @param oldWord  the word's old value.
     * @param newWord  the word's new value.
     * @return the checksum to store.
     */
    abstract int updateChecksum16(int checksum, int oldWord, int newWord);

    /**
     * The checksum to store after a 32-bit value covered by it changed, by the protocol's rule.
     *
     * @param checksum the stored checksum.
     * @param oldValue the old value.
     * @param newValue the new value.
     * @return the checksum to store.
     */
    abstract int updateChecksum32(int checksum, int oldValue, int newValue);

    /**
     * The checksum to store after a 128-bit value covered by it changed, by the protocol's rule.
     *
     * @param checksum the stored checksum.
     * @param oldHi    old value bytes 0..7.
     * @param oldLo    old value bytes 8..15.
     * @param newHi    new value bytes 0..7.
     * @param newLo    new value bytes 8..15.
     * @return the checksum to store.
     */
    abstract int updateChecksum128(int checksum, long oldHi, long oldLo, long newHi, long newLo);

    /** @return the source port. */
    public final int sourcePort()
    {
        return buffer.getShort(offset + SOURCE_PORT_AT, BIG) & 0xFFFF;
    }

    /** @return the destination port. */
    public final int destinationPort()
    {
        return buffer.getShort(offset + DESTINATION_PORT_AT, BIG) & 0xFFFF;
    }

    /** @return the stored checksum. */
    public final int checksum()
    {
        return buffer.getShort(offset + checksumAt, BIG) & 0xFFFF;
    }

    /**
     * Sets the source port.
     *
     * @param port the value.
     * @return this for chaining.
     */
    public final T sourcePort(final int port)
    {
        mutableBuffer.putShort(offset + SOURCE_PORT_AT, (short)port, BIG);
        return self();
    }

    /**
     * Sets the destination port.
     *
     * @param port the value.
     * @return this for chaining.
     */
    public final T destinationPort(final int port)
    {
        mutableBuffer.putShort(offset + DESTINATION_PORT_AT, (short)port, BIG);
        return self();
    }

    /**
     * Stores a checksum.
     *
     * @param checksum the value.
     * @return this for chaining.
     */
    public final T checksum(final int checksum)
    {
        mutableBuffer.putShort(offset + checksumAt, (short)checksum, BIG);
        return self();
    }

    /**
     * Sets the source port and adjusts the checksum.
     *
     * @param port the value.
     * @return this for chaining.
     */
    public final T sourcePortUpdatingChecksum(final int port)
    {
        final int old = sourcePort();
        sourcePort(port);
        return checksum(updateChecksum16(checksum(), old, port));
    }

    /**
     * Sets the destination port and adjusts the checksum.
     *
     * @param port the value.
     * @return this for chaining.
     */
    public final T destinationPortUpdatingChecksum(final int port)
    {
        final int old = destinationPort();
        destinationPort(port);
        return checksum(updateChecksum16(checksum(), old, port));
    }

    /**
     * Adjusts the checksum for an IPv4 address change in the pseudo-header.
     *
     * @param oldAddress the old address.
     * @param newAddress the new address.
     * @return this for chaining.
     */
    public final T adjustChecksumForAddress(final int oldAddress, final int newAddress)
    {
        return checksum(updateChecksum32(checksum(), oldAddress, newAddress));
    }

    /**
     * Adjusts the checksum for an IPv6 address change in the pseudo-header.
     *
     * @param oldHi old address bytes 0..7.
     * @param oldLo old address bytes 8..15.
     * @param newHi new address bytes 0..7.
     * @param newLo new address bytes 8..15.
     * @return this for chaining.
     */
    public final T adjustChecksumForAddress(final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return checksum(updateChecksum128(checksum(), oldHi, oldLo, newHi, newLo));
    }
}
