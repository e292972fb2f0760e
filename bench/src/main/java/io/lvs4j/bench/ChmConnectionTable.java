package io.lvs4j.bench;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTableStats;
import io.lvs4j.core.conn.ConnectionTimeouts;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The baseline the connection tables are measured against: a {@link ConcurrentHashMap} from an immutable key
 * object to an on-heap entry, doing the same work per operation as the real tables where the benchmark looks
 * (lookups copy the entry into the cursor's record and check its expiry; inserts are insert-if-absent, bind the
 * destination and count; removals unbind and count), and nothing else.
 * <p>
 * Honest about what it costs: a lookup reuses the cursor's mutable probe key (no allocation), an insert
 * allocates its key and entry (that is how a heap map holds data), capacity is enforced with a counter like the
 * Chronicle table. The parts of {@link ConnectionTable} the benchmark does not measure (reply index, templates,
 * the state machine, the sweep) are not implemented.
 */
final class ChmConnectionTable implements ConnectionTable
{
    private final ConcurrentHashMap<Key, Entry> map;
    private final long capacity;
    private final DestinationCounters counters;
    private final ConnectionTableStats stats = new ConnectionTableStats();
    private final AtomicLong size = new AtomicLong();

    ChmConnectionTable(final int capacity, final DestinationCounters counters)
    {
        // sized so that the benchmark never measures a resize
        this.map = new ConcurrentHashMap<>(capacity * 2, 0.75f, 64);
        this.capacity = capacity;
        this.counters = counters;
    }

    /** {@inheritDoc} */
    @Override
    public ConnectionCursor newCursor()
    {
        return new Cursor();
    }

    /** {@inheritDoc} */
    @Override
    public boolean findIn(final FlowKey clientToVip, final long nowMs, final ConnectionCursor cursor)
    {
        final Cursor c = (Cursor)cursor;
        final Entry e = map.get(c.probe.set(clientToVip));
        if (e == null || e.expiresAtMs <= nowMs)
        {
            c.entry = null;
            return false;
        }
        c.entry = e;
        e.copyTo(c.record());
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public int insert(
        final ConnectionRecord record, final ConnectionCursor template, final long nowMs, final ConnectionCursor cursor)
    {
        final Cursor c = (Cursor)cursor;
        if (size.incrementAndGet() > capacity)
        {
            size.decrementAndGet();
            stats.onRefusedFull();
            c.entry = null;
            return REFUSED_FULL;
        }
        final Key key = new Key().set(record.inboundKey(c.flow));
        final Entry entry = new Entry(key, record, nowMs + ConnectionTimeouts.NEW_ENTRY_MS);
        final Entry existing = map.putIfAbsent(key, entry);
        if (existing != null)
        {
            size.decrementAndGet();
            c.entry = existing;
            existing.copyTo(c.record());
            return EXISTS;
        }
        counters.bind(record.destinationId, record.flags);
        stats.onInsert();
        c.entry = entry;
        entry.copyTo(c.record());
        return INSERTED;
    }

    /** {@inheritDoc} */
    @Override
    public boolean remove(final ConnectionCursor cursor)
    {
        final Cursor c = (Cursor)cursor;
        final Entry e = c.entry;
        c.entry = null;
        if (e == null || !map.remove(e.key, e))
        {
            return false;
        }
        counters.unbind(e.destinationId, e.flags);
        size.decrementAndGet();
        stats.onRemove();
        return true;
    }

    /** {@inheritDoc} */
    @Override
    public boolean findOut(final FlowKey serverToClient, final long nowMs, final ConnectionCursor cursor)
    {
        throw new UnsupportedOperationException("baseline: not measured");
    }

    /** {@inheritDoc} */
    @Override
    public boolean findTemplate(final FlowKey templateKey, final long nowMs, final ConnectionCursor cursor)
    {
        throw new UnsupportedOperationException("baseline: not measured");
    }

    /** {@inheritDoc} */
    @Override
    public int onPacket(
        final ConnectionCursor cursor, final boolean reply, final int tcpFlags, final int bytes, final long nowMs)
    {
        throw new UnsupportedOperationException("baseline: not measured");
    }

    /** {@inheritDoc} */
    @Override
    public int sweep(final long nowMs, final int maxSlots)
    {
        throw new UnsupportedOperationException("baseline: not measured");
    }

    /** {@inheritDoc} */
    @Override
    public void forEach(final long nowMs, final Consumer<ConnectionRecord> consumer)
    {
        throw new UnsupportedOperationException("baseline: not measured");
    }

    /** {@inheritDoc} */
    @Override
    public long size()
    {
        return map.size();
    }

    /** {@inheritDoc} */
    @Override
    public long capacity()
    {
        return capacity;
    }

    /** {@inheritDoc} */
    @Override
    public ConnectionTableStats stats()
    {
        return stats;
    }

    /** {@inheritDoc} */
    @Override
    public void close()
    {
        map.clear();
    }

    /** A flow key as a map key: the probe a cursor reuses for lookups, or an immutable copy held by the map. */
    static final class Key
    {
        private int familyProtocol;
        private int ports;
        private long srcHi;
        private long srcLo;
        private long dstHi;
        private long dstLo;
        private int hash;

        Key set(final FlowKey k)
        {
            familyProtocol = k.family() << 8 | k.protocol();
            ports = k.srcPort() << 16 | k.dstPort();
            srcHi = k.srcHi();
            srcLo = k.srcLo();
            dstHi = k.dstHi();
            dstLo = k.dstLo();
            hash = Long.hashCode(k.hash());
            return this;
        }

        /** {@inheritDoc} */
        @Override
        public int hashCode()
        {
            return hash;
        }

        /** {@inheritDoc} */
        @Override
        public boolean equals(final Object o)
        {
            if (!(o instanceof Key))
            {
                return false;
            }
            final Key k = (Key)o;
            return hash == k.hash && ports == k.ports && familyProtocol == k.familyProtocol && srcLo == k.srcLo &&
                dstLo == k.dstLo && srcHi == k.srcHi && dstHi == k.dstHi;
        }
    }

    /** An entry on the heap. Fields the benchmark never changes after insert, so plain reads are safe. */
    static final class Entry
    {
        final Key key;
        final int family;
        final int protocol;
        final long clientHi;
        final long clientLo;
        final int clientPort;
        final long virtualHi;
        final long virtualLo;
        final int virtualPort;
        final long destHi;
        final long destLo;
        final int destPort;
        final int destinationId;
        final int flags;
        final int state;
        final int timeoutProfile;
        final long expiresAtMs;

        Entry(final Key key, final ConnectionRecord r, final long expiresAtMs)
        {
            this.key = key;
            family = r.family;
            protocol = r.protocol;
            clientHi = r.clientHi;
            clientLo = r.clientLo;
            clientPort = r.clientPort;
            virtualHi = r.virtualHi;
            virtualLo = r.virtualLo;
            virtualPort = r.virtualPort;
            destHi = r.destHi;
            destLo = r.destLo;
            destPort = r.destPort;
            destinationId = r.destinationId;
            flags = r.flags;
            state = r.state;
            timeoutProfile = r.timeoutProfile;
            this.expiresAtMs = expiresAtMs;
        }

        void copyTo(final ConnectionRecord r)
        {
            r.family = family;
            r.protocol = protocol;
            r.clientHi = clientHi;
            r.clientLo = clientLo;
            r.clientPort = clientPort;
            r.virtualHi = virtualHi;
            r.virtualLo = virtualLo;
            r.virtualPort = virtualPort;
            r.destHi = destHi;
            r.destLo = destLo;
            r.destPort = destPort;
            r.destinationId = destinationId;
            r.flags = flags;
            r.state = state;
            r.timeoutProfile = timeoutProfile;
            r.expiresAtMs = expiresAtMs;
        }
    }

    /** The baseline's cursor: its reusable probe key and the entry it is on. */
    static final class Cursor extends ConnectionCursor
    {
        final Key probe = new Key();
        final FlowKey flow = new FlowKey();
        Entry entry;

        /** {@inheritDoc} */
        @Override
        public boolean isPositioned()
        {
            return entry != null;
        }

        /** {@inheritDoc} */
        @Override
        public void reset()
        {
            entry = null;
        }
    }
}
