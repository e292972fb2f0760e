package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionRecord;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.UnsafeApi;

/**
 * A fixed 152-byte Chronicle Map value, read and written in place: a flyweight over either a cursor's on-heap
 * scratch array (an entry about to be inserted) or the entry's bytes in the mapped file (under the segment
 * lock). The client and virtual sides are not repeated here: they are the key.
 * <p>
 * Chronicle creates instances itself with {@code Unsafe.allocateInstance}, so there are no final fields.
 * <pre>
 *   0  incarnation        long  (tells a re-inserted key from the entry a cursor was on)
 *   8  destHi             long
 *  16  destLo             long
 *  24  expiresAtMs        long
 *  32  templateTimeoutMs  long
 *  40  packets            long
 *  48  bytes              long
 *  56  destinationId      int
 *  60  flags              int
 *  64  controlCount       int
 *  68  destPort           int
 *  72  state              int
 *  76  timeoutProfile     int
 *  80  controllerState    int   (0 none, 1 linked, 2 linked and template assured)
 *  84  zero               int
 *  88  controllerIncarnation long
 *  96  controllerKey      48 bytes (a ConnectionKeyBytes layout)
 * 144  zero               long
 * </pre>
 */
final class ConnectionValueBytes extends InPlaceBytes
{
    /** Bytes per value. */
    static final int LENGTH = 152;

    private static final int INCARNATION = 0;
    private static final int DEST_HI = 8;
    private static final int DEST_LO = 16;
    private static final int EXPIRES_AT = 24;
    private static final int TEMPLATE_TIMEOUT = 32;
    private static final int PACKETS = 40;
    private static final int BYTES = 48;
    private static final int DESTINATION_ID = 56;
    private static final int FLAGS = 60;
    private static final int CONTROL_COUNT = 64;
    private static final int DEST_PORT = 68;
    private static final int STATE = 72;
    private static final int TIMEOUT_PROFILE = 76;
    private static final int HAS_CONTROLLER = 80;
    private static final int PAD_1 = 84;
    private static final int CONTROLLER_INCARNATION = 88;
    private static final int CONTROLLER_KEY = 96;
    private static final int PAD_2 = 144;

    /**
     * A value over its own fresh on-heap array: made once per cursor.
     *
     * @return the value.
     */
    static ConnectionValueBytes onHeap()
    {
        final ConnectionValueBytes value = new ConnectionValueBytes();
        value.bytesStore(BytesStore.wrap(new byte[LENGTH]), 0, LENGTH);
        return value;
    }

    /** {@inheritDoc} */
    @Override
    @SuppressWarnings("rawtypes") // Byteable declares the raw type
    public void bytesStore(final BytesStore bytesStore, final long offset, final long length)
    {
        if (length != LENGTH)
        {
            throw new IllegalArgumentException("value length " + length + ", expected " + LENGTH);
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
     * Writes a whole new entry from a record.
     *
     * @param r           the record (its client and virtual sides go in the key).
     * @param incarnation the new entry's incarnation.
     * @param expiresAtMs its first expiry.
     */
    void setFrom(final ConnectionRecord r, final long incarnation, final long expiresAtMs)
    {
        final Object b = base;
        final long a = address;
        UnsafeApi.putLong(b, a + INCARNATION, incarnation);
        UnsafeApi.putLong(b, a + DEST_HI, r.destHi);
        UnsafeApi.putLong(b, a + DEST_LO, r.destLo);
        UnsafeApi.putLong(b, a + EXPIRES_AT, expiresAtMs);
        UnsafeApi.putLong(b, a + TEMPLATE_TIMEOUT, r.templateTimeoutMs);
        UnsafeApi.putLong(b, a + PACKETS, r.packets);
        UnsafeApi.putLong(b, a + BYTES, r.bytes);
        UnsafeApi.putInt(b, a + DESTINATION_ID, r.destinationId);
        UnsafeApi.putInt(b, a + FLAGS, r.flags);
        UnsafeApi.putInt(b, a + CONTROL_COUNT, 0);
        UnsafeApi.putInt(b, a + DEST_PORT, r.destPort);
        UnsafeApi.putInt(b, a + STATE, r.state);
        UnsafeApi.putInt(b, a + TIMEOUT_PROFILE, r.timeoutProfile);
        UnsafeApi.putInt(b, a + HAS_CONTROLLER, 0);
        UnsafeApi.putInt(b, a + PAD_1, 0);
        UnsafeApi.putLong(b, a + CONTROLLER_INCARNATION, 0);
        for (int i = 0; i < ConnectionKeyBytes.LENGTH; i += 8)
        {
            UnsafeApi.putLong(b, a + CONTROLLER_KEY + i, 0);
        }
        UnsafeApi.putLong(b, a + PAD_2, 0);
    }

    /**
     * Copies this entry into a record (not the key side).
     *
     * @param r the record.
     */
    void copyTo(final ConnectionRecord r)
    {
        final Object b = base;
        final long a = address;
        r.destHi = UnsafeApi.getLong(b, a + DEST_HI);
        r.destLo = UnsafeApi.getLong(b, a + DEST_LO);
        r.expiresAtMs = UnsafeApi.getLong(b, a + EXPIRES_AT);
        r.templateTimeoutMs = UnsafeApi.getLong(b, a + TEMPLATE_TIMEOUT);
        r.packets = UnsafeApi.getLong(b, a + PACKETS);
        r.bytes = UnsafeApi.getLong(b, a + BYTES);
        r.destinationId = UnsafeApi.getInt(b, a + DESTINATION_ID);
        r.flags = UnsafeApi.getInt(b, a + FLAGS);
        r.controlCount = UnsafeApi.getInt(b, a + CONTROL_COUNT);
        r.destPort = UnsafeApi.getInt(b, a + DEST_PORT);
        r.state = UnsafeApi.getInt(b, a + STATE);
        r.timeoutProfile = UnsafeApi.getInt(b, a + TIMEOUT_PROFILE);
    }

    long incarnation()
    {
        return UnsafeApi.getLong(base, address + INCARNATION);
    }

    long destHi()
    {
        return UnsafeApi.getLong(base, address + DEST_HI);
    }

    long destLo()
    {
        return UnsafeApi.getLong(base, address + DEST_LO);
    }

    int destPort()
    {
        return UnsafeApi.getInt(base, address + DEST_PORT);
    }

    void destPort(final int value)
    {
        UnsafeApi.putInt(base, address + DEST_PORT, value);
    }

    /**
     * Copies every byte of another value into this one.
     *
     * @param other the source.
     */
    void copyFrom(final ConnectionValueBytes other)
    {
        UnsafeApi.copyMemory(other.base, other.address, base, address, LENGTH);
    }

    long expiresAtMs()
    {
        return UnsafeApi.getLong(base, address + EXPIRES_AT);
    }

    void expiresAtMs(final long value)
    {
        UnsafeApi.putLong(base, address + EXPIRES_AT, value);
    }

    long templateTimeoutMs()
    {
        return UnsafeApi.getLong(base, address + TEMPLATE_TIMEOUT);
    }

    void addTraffic(final long bytes)
    {
        UnsafeApi.putLong(base, address + PACKETS, UnsafeApi.getLong(base, address + PACKETS) + 1);
        UnsafeApi.putLong(base, address + BYTES, UnsafeApi.getLong(base, address + BYTES) + bytes);
    }

    int destinationId()
    {
        return UnsafeApi.getInt(base, address + DESTINATION_ID);
    }

    int flags()
    {
        return UnsafeApi.getInt(base, address + FLAGS);
    }

    void flags(final int value)
    {
        UnsafeApi.putInt(base, address + FLAGS, value);
    }

    int controlCount()
    {
        return UnsafeApi.getInt(base, address + CONTROL_COUNT);
    }

    void controlCount(final int value)
    {
        UnsafeApi.putInt(base, address + CONTROL_COUNT, value);
    }

    int state()
    {
        return UnsafeApi.getInt(base, address + STATE);
    }

    void state(final int value)
    {
        UnsafeApi.putInt(base, address + STATE, value);
    }

    int timeoutProfile()
    {
        return UnsafeApi.getInt(base, address + TIMEOUT_PROFILE);
    }

    boolean hasController()
    {
        return UnsafeApi.getInt(base, address + HAS_CONTROLLER) != 0;
    }

    int controllerState()
    {
        return UnsafeApi.getInt(base, address + HAS_CONTROLLER);
    }

    void controllerState(final int value)
    {
        UnsafeApi.putInt(base, address + HAS_CONTROLLER, value);
    }

    long controllerIncarnation()
    {
        return UnsafeApi.getLong(base, address + CONTROLLER_INCARNATION);
    }

    /**
     * Records the template or connection that controls this one.
     *
     * @param key         the controller's key.
     * @param incarnation the controller's incarnation, so that a later entry under the same key is not touched.
     */
    void controller(final ConnectionKeyBytes key, final long incarnation)
    {
        UnsafeApi.putInt(base, address + HAS_CONTROLLER, 1);
        UnsafeApi.putLong(base, address + CONTROLLER_INCARNATION, incarnation);
        key.copyTo(base, address + CONTROLLER_KEY);
    }

    /**
     * Copies the controller's key out.
     *
     * @param key where to copy it.
     */
    void copyControllerKeyTo(final ConnectionKeyBytes key)
    {
        key.copyFrom(base, address + CONTROLLER_KEY);
    }
}
