package io.lvs4j.core.conn.chronicle;

import net.openhft.chronicle.bytes.Byteable;
import net.openhft.chronicle.bytes.BytesStore;
import org.agrona.UnsafeApi;

/**
 * Common state of the in-place Chronicle Map key and value flyweights: the store and offset Chronicle positioned
 * them at, resolved once per positioning to a (base object, address) pair for {@code Unsafe} access, so that each
 * field access is one plain memory read.
 * <p>
 * Chronicle creates the subclasses with {@code Unsafe.allocateInstance} (no constructor runs), so there are no
 * final fields and nothing to initialise; {@link #bind(BytesStore, long)} sets all state.
 */
abstract class InPlaceBytes implements Byteable
{
    private static final long ARRAY_BASE = UnsafeApi.arrayBaseOffset(byte[].class);

    private BytesStore<?, ?> store;
    private long storeOffset;
    /** Base object for {@code Unsafe} access: the heap array, or null for direct memory. */
    Object base;
    /** Address (direct memory) or offset from {@link #base} (heap array) of the first byte. */
    long address;

    /**
     * Positions this flyweight over a store.
     *
     * @param bytesStore the store, direct or over a heap byte array.
     * @param offset     offset of the first byte in the store.
     */
    final void bind(final BytesStore<?, ?> bytesStore, final long offset)
    {
        store = bytesStore;
        storeOffset = offset;
        if (bytesStore.isDirectMemory())
        {
            base = null;
            address = bytesStore.addressForRead(offset);
        }
        else
        {
            base = heapArray(bytesStore);
            address = ARRAY_BASE + offset; // heap stores address from 0
        }
    }

    private static byte[] heapArray(final BytesStore<?, ?> bytesStore)
    {
        final Object underlying = bytesStore.underlyingObject();
        if (!(underlying instanceof byte[]))
        {
            throw new IllegalArgumentException("unsupported heap store " + bytesStore.getClass());
        }
        return (byte[])underlying;
    }

    /** {@inheritDoc} */
    @Override
    public final BytesStore<?, ?> bytesStore()
    {
        return store;
    }

    /** {@inheritDoc} */
    @Override
    public final long offset()
    {
        return storeOffset;
    }
}
