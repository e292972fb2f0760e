package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.flow.FlowKey;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.UnsafeApi;

/**
 * A fixed 48-byte Chronicle Map key, read and written in place: a flyweight over either the cursor's own
 * on-heap array (a key being looked up or inserted) or the map's mapped memory (a key or reply-index value
 * being read). Chronicle compares and hashes keys as raw bytes, so every byte, padding included, is always
 * written.
 * <p>
 * Chronicle creates instances of this class itself with {@code Unsafe.allocateInstance} (no constructor runs),
 * so it has no final fields and nothing to initialise; {@link #bytesStore(BytesStore, long, long)} sets all
 * state (see {@link InPlaceBytes}).
 * <pre>
 *   0  kind      byte  (META, CONNECTION, TEMPLATE, REPLY)
 *   1  family    byte
 *   2  protocol  byte
 *   3  zero      byte
 *   4  srcPort   short
 *   6  dstPort   short
 *   8  srcHi     long
 *  16  srcLo     long
 *  24  dstHi     long
 *  32  dstLo     long
 *  40  discriminator long (0, except for an invalidated template: its incarnation, so that it can stay in the
 *                     map beside the template that replaces it, and its connections can still find it)
 * </pre>
 */
final class ConnectionKeyBytes extends InPlaceBytes
{
    /** Bytes per key. */
    static final int LENGTH = 48;

    /** The reply-index map's metadata entry (capacity, layout version). */
    static final int KIND_META = 0;
    /** A connection, keyed client to VIP. */
    static final int KIND_CONNECTION = 1;
    /** A persistence template, keyed client network to VIP (or fwmark). */
    static final int KIND_TEMPLATE = 2;
    /** A NAT reply-index key, real server to client. */
    static final int KIND_REPLY = 3;
    /** A template invalidated because its destination became unavailable, left to expire out of sight. */
    static final int KIND_INVALID_TEMPLATE = 4;

    private static final int KIND = 0;
    private static final int FAMILY = 1;
    private static final int PROTOCOL = 2;
    private static final int PAD = 3;
    private static final int SRC_PORT = 4;
    private static final int DST_PORT = 6;
    private static final int SRC_HI = 8;
    private static final int SRC_LO = 16;
    private static final int DST_HI = 24;
    private static final int DST_LO = 32;
    private static final int DISCRIMINATOR = 40;

    /**
     * A key over its own fresh on-heap array: the only allocation, made once per cursor.
     *
     * @return the key.
     */
    static ConnectionKeyBytes onHeap()
    {
        final ConnectionKeyBytes key = new ConnectionKeyBytes();
        key.bytesStore(BytesStore.wrap(new byte[LENGTH]), 0, LENGTH);
        return key;
    }

    /** {@inheritDoc} */
    @Override
    @SuppressWarnings("rawtypes") // Byteable declares the raw type
    public void bytesStore(final BytesStore bytesStore, final long offset, final long length)
    {
        if (length != LENGTH)
        {
            throw new IllegalArgumentException("key length " + length + ", expected " + LENGTH);
        }
        bind(bytesStore, offset);
    }

    /** {@inheritDoc} */
    @Override
    public long maxSize()
    {
        return LENGTH;
    }

    /**
     * Writes every byte of the key.
     *
     * @param kind     one of the {@code KIND_*} values.
     * @param family   address family.
     * @param protocol IP protocol.
     * @param srcHi    source address high bits.
     * @param srcLo    source address low bits.
     * @param srcPort  source port.
     * @param dstHi    destination address high bits.
     * @param dstLo    destination address low bits.
     * @param dstPort  destination port.
     * @return this.
     */
    ConnectionKeyBytes set(
        final int kind,
        final int family,
        final int protocol,
        final long srcHi,
        final long srcLo,
        final int srcPort,
        final long dstHi,
        final long dstLo,
        final int dstPort)
    {
        final Object b = base;
        final long a = address;
        UnsafeApi.putByte(b, a + KIND, (byte)kind);
        UnsafeApi.putByte(b, a + FAMILY, (byte)family);
        UnsafeApi.putByte(b, a + PROTOCOL, (byte)protocol);
        UnsafeApi.putByte(b, a + PAD, (byte)0);
        UnsafeApi.putShort(b, a + SRC_PORT, (short)srcPort);
        UnsafeApi.putShort(b, a + DST_PORT, (short)dstPort);
        UnsafeApi.putLong(b, a + SRC_HI, srcHi);
        UnsafeApi.putLong(b, a + SRC_LO, srcLo);
        UnsafeApi.putLong(b, a + DST_HI, dstHi);
        UnsafeApi.putLong(b, a + DST_LO, dstLo);
        UnsafeApi.putLong(b, a + DISCRIMINATOR, 0);
        return this;
    }

    /**
     * Turns a template's key into the key its invalidated self is kept under.
     *
     * @param incarnation the template's incarnation, unique among entries.
     * @return this.
     */
    ConnectionKeyBytes invalidTemplate(final long incarnation)
    {
        UnsafeApi.putByte(base, address + KIND, (byte)KIND_INVALID_TEMPLATE);
        UnsafeApi.putLong(base, address + DISCRIMINATOR, incarnation);
        return this;
    }

    /**
     * Sets the key from a packet's flow key.
     *
     * @param kind the key kind.
     * @param flow the flow key, source first.
     * @return this.
     */
    ConnectionKeyBytes set(final int kind, final FlowKey flow)
    {
        return set(kind, flow.family(), flow.protocol(), flow.srcHi(), flow.srcLo(), flow.srcPort(),
            flow.dstHi(), flow.dstLo(), flow.dstPort());
    }

    /**
     * Sets the primary key of a record: client to VIP, as a connection or a template.
     *
     * @param r the record.
     * @return this.
     */
    ConnectionKeyBytes setPrimary(final ConnectionRecord r)
    {
        return set(r.isTemplate() ? KIND_TEMPLATE : KIND_CONNECTION, r.family, r.protocol,
            r.clientHi, r.clientLo, r.clientPort, r.virtualHi, r.virtualLo, r.virtualPort);
    }

    /**
     * Sets the reply-index key of a NAT entry: real server to client.
     *
     * @param family   address family.
     * @param protocol IP protocol.
     * @param destHi   real server address high bits.
     * @param destLo   real server address low bits.
     * @param destPort real server port.
     * @return this.
     */
    ConnectionKeyBytes setReply(
        final int family, final int protocol, final long destHi, final long destLo, final int destPort)
    {
        return set(KIND_REPLY, family, protocol, destHi, destLo, destPort, srcHi(), srcLo(), srcPort());
    }

    /**
     * Copies all the bytes of another key into this one.
     *
     * @param other the source key.
     * @return this.
     */
    ConnectionKeyBytes copyFrom(final ConnectionKeyBytes other)
    {
        UnsafeApi.copyMemory(other.base, other.address, base, address, LENGTH);
        return this;
    }

    /**
     * Copies a key's bytes from raw memory (a value field holding a key).
     *
     * @param srcBase    base object or null.
     * @param srcAddress address or offset.
     * @return this.
     */
    ConnectionKeyBytes copyFrom(final Object srcBase, final long srcAddress)
    {
        UnsafeApi.copyMemory(srcBase, srcAddress, base, address, LENGTH);
        return this;
    }

    /**
     * Copies this key's bytes to raw memory.
     *
     * @param dstBase    base object or null.
     * @param dstAddress address or offset.
     */
    void copyTo(final Object dstBase, final long dstAddress)
    {
        UnsafeApi.copyMemory(base, address, dstBase, dstAddress, LENGTH);
    }

    /**
     * Byte-wise equality with a key held in raw memory.
     *
     * @param otherBase    base object or null.
     * @param otherAddress address or offset.
     * @return true when all bytes are equal.
     */
    boolean sameAs(final Object otherBase, final long otherAddress)
    {
        for (int i = 0; i < LENGTH; i += 8)
        {
            if (UnsafeApi.getLong(base, address + i) != UnsafeApi.getLong(otherBase, otherAddress + i))
            {
                return false;
            }
        }
        return true;
    }

    Object memoryBase()
    {
        return base;
    }

    long memoryOffset()
    {
        return address;
    }

    int kind()
    {
        return UnsafeApi.getByte(base, address + KIND);
    }

    int family()
    {
        return UnsafeApi.getByte(base, address + FAMILY) & 0xFF;
    }

    int protocol()
    {
        return UnsafeApi.getByte(base, address + PROTOCOL) & 0xFF;
    }

    int srcPort()
    {
        return UnsafeApi.getShort(base, address + SRC_PORT) & 0xFFFF;
    }

    int dstPort()
    {
        return UnsafeApi.getShort(base, address + DST_PORT) & 0xFFFF;
    }

    long srcHi()
    {
        return UnsafeApi.getLong(base, address + SRC_HI);
    }

    long srcLo()
    {
        return UnsafeApi.getLong(base, address + SRC_LO);
    }

    long dstHi()
    {
        return UnsafeApi.getLong(base, address + DST_HI);
    }

    long dstLo()
    {
        return UnsafeApi.getLong(base, address + DST_LO);
    }

    /**
     * Writes the key's identity into a record (client and virtual side).
     *
     * @param r the record.
     */
    void copyIdentityTo(final ConnectionRecord r)
    {
        r.family = family();
        r.protocol = protocol();
        r.clientHi = srcHi();
        r.clientLo = srcLo();
        r.clientPort = srcPort();
        r.virtualHi = dstHi();
        r.virtualLo = dstLo();
        r.virtualPort = dstPort();
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(80).append("kind=").append(kind()).append(' ');
        FlowKey.appendAddress(sb, family(), srcHi(), srcLo()).append(':').append(srcPort()).append(" -> ");
        FlowKey.appendAddress(sb, family(), dstHi(), dstLo()).append(':').append(dstPort());
        return sb.append(" proto=").append(protocol()).toString();
    }
}
