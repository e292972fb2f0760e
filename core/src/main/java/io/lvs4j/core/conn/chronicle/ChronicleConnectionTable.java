package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTableStats;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.ConnectionTimeouts;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.conn.TcpStateMachine;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import net.openhft.chronicle.hash.locks.InterProcessReadWriteUpdateLock;
import net.openhft.chronicle.map.ChronicleMap;
import net.openhft.chronicle.map.ChronicleMapBuilder;
import net.openhft.chronicle.map.ExternalMapQueryContext;
import net.openhft.chronicle.map.MapEntry;
import net.openhft.chronicle.map.MapSegmentContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A {@link ConnectionTable} kept in a Chronicle Map persisted to a file, so that a restarted director
 * re-attaches to its connections and another process can list them while the director runs. Same semantics as
 * the interface (and the default off-heap table); slower, because every operation takes a segment lock in
 * shared memory and goes through Chronicle's query context: {@code ConnectionTableBenchmark} measured lookups
 * at 0.2 to 0.9 us, 2 to 12 times the off-heap table's, and insert plus remove at 0.7 to 0.9 us, with no
 * allocation (one thread, 64K to 8M entries, a 2-vCPU VM).
 *
 * <h2>Layout</h2>
 * Two maps, two files:
 * <ul>
 *   <li>{@code file}: the entries. Key: 48 bytes (kind connection, template or invalidated template, family,
 *   protocol, client address and port, virtual address and port, a discriminator); value: 152 bytes
 *   ({@link ConnectionValueBytes}: destination, flags, state, expiry, counts, the controlling template's key
 *   and incarnation).</li>
 *   <li>{@code file + ".reply"}: the NAT reply index, real-server-to-client key to the entry's primary key, so
 *   that {@link #findOut} resolves to the same entry as {@link #findIn}; plus one metadata entry holding the
 *   table's capacity.</li>
 * </ul>
 * Keys and values are fixed-size flyweights read and written in place in the mapped memory under the
 * segment's lock ({@code queryContext}): a cursor owns every flyweight it needs, so lookups, inserts, packet
 * accounting and removals do not allocate.
 *
 * <h2>Concurrency</h2>
 * Chronicle's per-segment read/update/write locks in shared memory: lookups take the read lock, read-modify-
 * write operations the write lock, so concurrent {@link #onPacket} calls never lose an update. Locks are only
 * ever nested in one order (an entry segment, then a reply-index segment), except that invalidating a template
 * holds two entry segments, taken in segment index order; template counts are updated after the connection's
 * lock is released. These locks spin and are not lock-free, unlike the default table. {@link #forEach} calls
 * its consumer under a segment's lock, so the consumer must not call back into the table.
 * <p>
 * Each entry has an incarnation (a per-cursor sequence): cursors, and connections naming their template,
 * carry it, so a key that was removed and inserted again is never mistaken for the entry they knew. A template
 * whose destination is no longer available is invalidated as IPVS does ({@code ip_vs_check_template}): it is
 * moved to a key of its own (the same fields, another kind, its incarnation as discriminator), its port set to
 * 0xffff, and left to expire, so that a new template can take the key while its connections still find it.
 *
 * <h2>Capacity</h2>
 * Fixed at creation ({@code entries(capacity)}) and enforced exactly by a reservation count: an insert into
 * a full table first reclaims expired entries in its key's segment (its "probe path") and a few more, then
 * refuses with {@link #REFUSED_FULL}, counted. Chronicle's own budget ({@code maxBloatFactor} extra tiers) only
 * absorbs hash skew between segments; if it is ever exhausted, Chronicle's exception is caught at insert and
 * turned into the same counted refusal.
 *
 * <h2>Persistence</h2>
 * Expiry times are absolute in the table clock, so a persisted table needs a clock that survives restarts
 * (epoch milliseconds); entries keep their state, flags, counts and expiry across a restart. {@link
 * OpenMode#RECOVER} (the director starting) recovers the files after a crash, which needs exclusive access,
 * and binds every entry found to the (fresh) destination counters; {@link OpenMode#ATTACH} maps the files as
 * they are, shared with the process that owns them, for listings. Capacity accounting assumes one writing
 * process. Durability is the page cache's: no fsync.
 *
 * <h2>No network</h2>
 * Chronicle sends usage analytics unless {@code chronicle.analytics.disable} is set. A load balancer never
 * makes a network call its operator did not ask for, so this class sets it in its static initializer, before
 * any Chronicle class is used through it (the build's JVM flags set it too).
 */
public final class ChronicleConnectionTable implements ConnectionTable
{
    static
    {
        // First thing, before any Chronicle class initialises through this one: no call home, ever.
        System.setProperty("chronicle.analytics.disable", "true");
        // Chronicle's start-up banner is noise in a director's log; an operator can still turn it back on.
        if (System.getProperty("chronicle.announcer.disable") == null)
        {
            System.setProperty("chronicle.announcer.disable", "true");
        }
    }

    /** How a table's files are opened. */
    public enum OpenMode
    {
        /**
         * The owning director (re)starting: create the files, or recover them after a crash (needs exclusive
         * access: no other process may have them mapped), then bind every entry present to the destination
         * counters, which must be fresh.
         */
        RECOVER,
        /**
         * Create or map the files as they are, shared with other processes, without recovery and without
         * touching the destination counters: for a second process that lists the entries.
         */
        ATTACH
    }

    /** Suffix of the reply-index file. */
    public static final String REPLY_INDEX_SUFFIX = ".reply";

    /**
     * Extra room Chronicle may add in tiers beyond {@code entries()}: only to absorb uneven segment filling,
     * since the capacity itself is enforced by this class. Tiers are mapped lazily, so unused room costs
     * address space, not memory.
     */
    static final double MAX_BLOAT_FACTOR = 2.0;

    /** How many segments an insert into a full table sweeps for expired entries before it refuses. */
    static final int RECLAIM_SEGMENTS = 4;

    private static final long META_MAGIC = 0x6C7673346A434D31L; // "lvs4jCM1"
    private static final int LAYOUT_VERSION = 1;
    private static final int HAS_CONTROLLER_ASSURED = 2;

    private final Path file;
    private final ChronicleMap<ConnectionKeyBytes, ConnectionValueBytes> entries;
    private final ChronicleMap<ConnectionKeyBytes, ConnectionKeyBytes> replies;
    private final long capacity;
    private final DestinationCounters counters;
    private final ConnectionTimeoutProfiles profiles;
    private final ConnectionTableStats stats = new ConnectionTableStats();
    private final AtomicLong reserved;
    private final AtomicInteger cursorIds = new AtomicInteger();
    private final long salt = ThreadLocalRandom.current().nextLong();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Object sweepLock = new Object();
    private final Sweeper sweeper = new Sweeper(newScratch(), false);
    private int sweepSegment;
    private int sweepPosition;

    private ChronicleConnectionTable(
        final Path file,
        final ChronicleMap<ConnectionKeyBytes, ConnectionValueBytes> entries,
        final ChronicleMap<ConnectionKeyBytes, ConnectionKeyBytes> replies,
        final long capacity,
        final DestinationCounters counters,
        final ConnectionTimeoutProfiles profiles)
    {
        this.file = file;
        this.entries = entries;
        this.replies = replies;
        this.capacity = capacity;
        this.counters = counters;
        this.profiles = profiles;
        this.reserved = new AtomicLong(entries.longSize());
    }

    /**
     * Opens (creating when absent) a table persisted to {@code file} and {@code file + ".reply"}.
     *
     * @param file     the entries' file; its directory must exist.
     * @param capacity the number of entries the table holds when it is created; for an existing file 0 takes
     *                 the file's capacity, any other value must equal it.
     * @param counters the destination counters entries bind to.
     * @param profiles the timeout profiles entries refer to.
     * @param mode     {@link OpenMode#RECOVER} for the owning director, {@link OpenMode#ATTACH} for a reader.
     * @return the table.
     * @throws IOException when a file cannot be created, mapped or recovered.
     */
    public static ChronicleConnectionTable open(
        final Path file,
        final long capacity,
        final DestinationCounters counters,
        final ConnectionTimeoutProfiles profiles,
        final OpenMode mode) throws IOException
    {
        return open(file, capacity, 0, MAX_BLOAT_FACTOR, counters, profiles, mode);
    }

    // chronicleEntries > 0 sizes Chronicle below the capacity: only tests use it, to reach Chronicle's own limit.
    static ChronicleConnectionTable open(
        final Path file,
        final long capacity,
        final long chronicleEntries,
        final double maxBloatFactor,
        final DestinationCounters counters,
        final ConnectionTimeoutProfiles profiles,
        final OpenMode mode) throws IOException
    {
        if (counters == null || profiles == null || mode == null)
        {
            throw new NullPointerException("counters, profiles and mode are required");
        }
        final Path replyFile = file.resolveSibling(file.getFileName() + REPLY_INDEX_SUFFIX);
        final boolean existed = Files.exists(file) && Files.size(file) > 0;
        if (capacity < 0 || (capacity == 0 && !existed))
        {
            throw new IllegalArgumentException("capacity " + capacity + " for " + (existed ? "" : "new ") + file);
        }
        // For an existing file Chronicle takes the configuration from the file's header, not from the builder.
        final long builderCapacity = chronicleEntries > 0 ? chronicleEntries : capacity > 0 ? capacity : 1024;
        final boolean recover = mode == OpenMode.RECOVER;
        ChronicleMap<ConnectionKeyBytes, ConnectionValueBytes> entries = null;
        ChronicleMap<ConnectionKeyBytes, ConnectionKeyBytes> replies = null;
        try
        {
            entries = openMap(entryMapBuilder(builderCapacity, maxBloatFactor), file, recover);
            replies = openMap(replyMapBuilder(builderCapacity, maxBloatFactor), replyFile, recover);
            final long actualCapacity = checkCapacity(replies, capacity, file);
            final ChronicleConnectionTable table =
                new ChronicleConnectionTable(file, entries, replies, actualCapacity, counters, profiles);
            if (recover)
            {
                table.bindAllToCounters();
            }
            return table;
        }
        catch (final IOException | RuntimeException ex)
        {
            closeQuietly(replies, ex);
            closeQuietly(entries, ex);
            throw ex;
        }
    }

    /**
     * Opens the table as its owning director: {@link #open} with {@link OpenMode#RECOVER}.
     *
     * @param file     the entries' file.
     * @param capacity the capacity (0 to take an existing file's).
     * @param counters fresh destination counters, which the entries found are bound to.
     * @param profiles the timeout profiles.
     * @return the table.
     * @throws IOException when a file cannot be created, mapped or recovered.
     */
    public static ChronicleConnectionTable createOrRecover(
        final Path file, final long capacity, final DestinationCounters counters, final ConnectionTimeoutProfiles profiles)
        throws IOException
    {
        return open(file, capacity, counters, profiles, OpenMode.RECOVER);
    }

    /**
     * Maps an existing table shared with its owner, for listing: {@link #open} with {@link OpenMode#ATTACH}
     * and the file's capacity.
     *
     * @param file     the entries' file.
     * @param counters counters for this process's view (not touched by attaching).
     * @param profiles the timeout profiles.
     * @return the table.
     * @throws IOException when a file cannot be mapped.
     */
    public static ChronicleConnectionTable attach(
        final Path file, final DestinationCounters counters, final ConnectionTimeoutProfiles profiles)
        throws IOException
    {
        return open(file, 0, counters, profiles, OpenMode.ATTACH);
    }

    private static ChronicleMapBuilder<ConnectionKeyBytes, ConnectionValueBytes> entryMapBuilder(
        final long capacity, final double maxBloatFactor)
    {
        return ChronicleMap.of(ConnectionKeyBytes.class, ConnectionValueBytes.class)
            .name("lvs4j-connections")
            .entries(capacity)
            .maxBloatFactor(maxBloatFactor)
            // Values are written in place through flyweights, which entry checksums would not follow.
            .checksumEntries(false)
            .entryAndValueOffsetAlignment(8)
            // Do not write the whole file at creation: pages are allocated as entries land.
            .sparseFile(true);
    }

    private static ChronicleMapBuilder<ConnectionKeyBytes, ConnectionKeyBytes> replyMapBuilder(
        final long capacity, final double maxBloatFactor)
    {
        return ChronicleMap.of(ConnectionKeyBytes.class, ConnectionKeyBytes.class)
            .name("lvs4j-connections-reply-index")
            .entries(capacity + 1)
            .maxBloatFactor(maxBloatFactor)
            .checksumEntries(false)
            .entryAndValueOffsetAlignment(8)
            .sparseFile(true);
    }

    private static <V> ChronicleMap<ConnectionKeyBytes, V> openMap(
        final ChronicleMapBuilder<ConnectionKeyBytes, V> builder, final Path path, final boolean recover)
        throws IOException
    {
        if (recover && Files.exists(path) && Files.size(path) > 0)
        {
            return builder.recoverPersistedTo(path.toFile(), false);
        }
        return builder.createPersistedTo(path.toFile());
    }

    private static long checkCapacity(
        final ChronicleMap<ConnectionKeyBytes, ConnectionKeyBytes> replies, final long requested, final Path file)
    {
        final ConnectionKeyBytes metaKey = ConnectionKeyBytes.onHeap()
            .set(ConnectionKeyBytes.KIND_META, 0, 0, 0, 0, 0, 0, 0, 0);
        final ConnectionKeyBytes meta = ConnectionKeyBytes.onHeap();
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionKeyBytes, ?> q = replies.queryContext(metaKey))
        {
            q.updateLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionKeyBytes> e = q.entry();
            if (e == null)
            {
                if (requested <= 0)
                {
                    throw new IllegalArgumentException(file + " has no lvs4j metadata: give a capacity");
                }
                meta.set(ConnectionKeyBytes.KIND_META, 0, LAYOUT_VERSION, META_MAGIC, requested, 0, 0, 0, 0);
                q.absentEntry().doInsert(q.wrapValueAsData(meta));
                return requested;
            }
            final ConnectionKeyBytes stored = e.value().getUsing(new ConnectionKeyBytes());
            if (stored.srcHi() != META_MAGIC || stored.protocol() != LAYOUT_VERSION)
            {
                throw new IllegalArgumentException(file + " is not an lvs4j connection table of layout " + LAYOUT_VERSION);
            }
            final long storedCapacity = stored.srcLo();
            if (requested > 0 && requested != storedCapacity)
            {
                throw new IllegalArgumentException(
                    file + " holds a table of capacity " + storedCapacity + ", not " + requested);
            }
            return storedCapacity;
        }
    }

    private static void closeQuietly(final ChronicleMap<?, ?> map, final Exception cause)
    {
        if (map != null)
        {
            try
            {
                map.close();
            }
            catch (final RuntimeException ex)
            {
                cause.addSuppressed(ex);
            }
        }
    }

    /** @return the entries' file (the reply index is next to it with {@link #REPLY_INDEX_SUFFIX}). */
    public Path file()
    {
        return file;
    }

    /** {@inheritDoc} */
    @Override
    public ConnectionCursor newCursor()
    {
        final long id = cursorIds.incrementAndGet() & 0x7F_FFFFL;
        return new ChronicleCursor(this, id << 40 ^ (salt & 0xFF_FFFF_FFFFL));
    }

    Scratch newScratch()
    {
        return new Scratch();
    }

    /** {@inheritDoc} */
    @Override
    public boolean findIn(final FlowKey clientToVip, final long nowMs, final ConnectionCursor cursor)
    {
        final ChronicleCursor c = cursorOf(cursor);
        c.key.set(ConnectionKeyBytes.KIND_CONNECTION, clientToVip);
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(c.key))
        {
            q.readLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            if (e != null)
            {
                final ConnectionValueBytes v = e.value().getUsing(c.scratch.mapValue);
                if (isLive(v, nowMs))
                {
                    positionOn(c, v);
                    return true;
                }
            }
        }
        c.reset();
        return false;
    }

    /** {@inheritDoc} */
    @Override
    public boolean findTemplate(final FlowKey templateKey, final long nowMs, final ConnectionCursor cursor)
    {
        final ChronicleCursor c = cursorOf(cursor);
        c.key.set(ConnectionKeyBytes.KIND_TEMPLATE, templateKey);
        long invalidIncarnation = 0;
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(c.key))
        {
            q.readLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            if (e != null)
            {
                final ConnectionValueBytes v = e.value().getUsing(c.scratch.mapValue);
                if (isLive(v, nowMs))
                {
                    if (isAvailable(v.destinationId()))
                    {
                        positionOn(c, v);
                        return true;
                    }
                    invalidIncarnation = v.incarnation();
                }
            }
        }
        if (invalidIncarnation != 0)
        {
            invalidateTemplate(c.key, invalidIncarnation, c.scratch);
        }
        c.reset();
        return false;
    }

    /**
     * IPVS's {@code ip_vs_check_template}: a template whose destination is no longer available is neutralised
     * (its port set to 0xffff) and left to expire, so that the next connection from the client network is
     * scheduled afresh and a new template can take its key. Here it moves, with both segments locked in index
     * order (the one place two entry locks are held at once), to a key of its own that its connections can
     * still derive from its incarnation.
     */
    private void invalidateTemplate(final ConnectionKeyBytes key, final long incarnation, final Scratch s)
    {
        final ConnectionKeyBytes invalidKey = s.invalidKey.copyFrom(key).invalidTemplate(incarnation);
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(key);
            ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> qi = entries.queryContext(invalidKey))
        {
            if (q.segmentIndex() <= qi.segmentIndex())
            {
                q.writeLock().lock();
                qi.writeLock().lock();
            }
            else
            {
                qi.writeLock().lock();
                q.writeLock().lock();
            }
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            final ConnectionValueBytes v = e == null ? null : e.value().getUsing(s.mapValue);
            if (v == null || v.incarnation() != incarnation || isAvailable(v.destinationId()) || qi.entry() != null)
            {
                return;
            }
            s.newValue.copyFrom(v);
            s.newValue.destPort(0xFFFF);
            qi.absentEntry().doInsert(qi.wrapValueAsData(s.newValue));
            e.doRemove();
        }
        catch (final IllegalStateException ex)
        {
            // Chronicle's budget is exhausted: the template stays where it is, invisible only while unavailable.
        }
    }

    private boolean isAvailable(final int destinationId)
    {
        return destinationId >= 0 && destinationId < counters.capacity() && counters.isAvailable(destinationId);
    }

    /** {@inheritDoc} */
    @Override
    public boolean findOut(final FlowKey serverToClient, final long nowMs, final ConnectionCursor cursor)
    {
        final ChronicleCursor c = cursorOf(cursor);
        final Scratch s = c.scratch;
        final ConnectionKeyBytes replyKey = s.key.set(ConnectionKeyBytes.KIND_REPLY, serverToClient);
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionKeyBytes, ?> q = replies.queryContext(replyKey))
        {
            q.readLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionKeyBytes> e = q.entry();
            if (e == null)
            {
                c.reset();
                return false;
            }
            c.key.copyFrom(e.value().getUsing(s.mapKey));
        }
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(c.key))
        {
            q.readLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            if (e != null)
            {
                final ConnectionValueBytes v = e.value().getUsing(s.mapValue);
                // The index may briefly point at an entry that has since changed: check it really is this reply's.
                if (isLive(v, nowMs) && isNatConnection(c.key, v.flags()) &&
                    v.destLo() == serverToClient.srcLo() && v.destHi() == serverToClient.srcHi() &&
                    v.destPort() == serverToClient.srcPort() && c.key.srcLo() == serverToClient.dstLo() &&
                    c.key.srcHi() == serverToClient.dstHi() && c.key.srcPort() == serverToClient.dstPort())
                {
                    positionOn(c, v);
                    return true;
                }
            }
        }
        c.reset();
        return false;
    }

    private static void positionOn(final ChronicleCursor c, final ConnectionValueBytes v)
    {
        final ConnectionRecord r = c.record();
        c.key.copyIdentityTo(r);
        v.copyTo(r);
        c.incarnation = v.incarnation();
        c.positioned = true;
    }

    /** {@inheritDoc} */
    @Override
    public int insert(
        final ConnectionRecord record, final ConnectionCursor template, final long nowMs, final ConnectionCursor cursor)
    {
        final ChronicleCursor c = cursorOf(cursor);
        final ChronicleCursor t = template != null && template.isPositioned() ? cursorOf(template) : null;
        if (record.destinationId < 0 || record.destinationId >= counters.capacity())
        {
            throw new IllegalArgumentException("destination id " + record.destinationId + " of " + counters.capacity());
        }
        final Scratch s = c.scratch;
        // Count the connection on its template first, so that the template cannot be swept while the new
        // connection names it; undone below when nothing is inserted. The template's key is copied first: the
        // caller may pass the same cursor twice.
        final boolean linked = t != null && acquireControl(t, nowMs, s);
        final long templateIncarnation = linked ? t.incarnation : 0;
        if (linked)
        {
            s.templateKey.copyFrom(t.key);
        }
        c.key.setPrimary(record);
        final long expiresAtMs = nowMs + (record.isTemplate() ? record.templateTimeoutMs : ConnectionTimeouts.NEW_ENTRY_MS);
        int result = REFUSED_FULL;
        for (int attempt = 0; attempt < 2; attempt++)
        {
            if (!reserve() && (reclaimFor(c, nowMs) == 0 || !reserve()))
            {
                break;
            }
            result = insertReserved(c, record, linked ? s.templateKey : null, templateIncarnation, expiresAtMs, nowMs);
            // REFUSED_FULL here: Chronicle's segment was out of room despite the reservation (hash skew beyond
            // maxBloatFactor): reclaim in that segment once and retry.
            if (result != REFUSED_FULL || reclaimFor(c, nowMs) == 0)
            {
                break;
            }
        }
        if (s.reclaimedController)
        {
            s.reclaimedController = false;
            releaseControl(s.controllerKey, s.controllerIncarnation, false, s);
        }
        if (result != INSERTED && linked)
        {
            releaseControl(s.templateKey, templateIncarnation, false, s);
        }
        if (result == REFUSED_FULL)
        {
            stats.onRefusedFull();
            c.reset();
        }
        return result;
    }

    /**
     * Inserts with a slot reserved: returns the slot on {@link #EXISTS} and on refusal.
     */
    private int insertReserved(
        final ChronicleCursor c,
        final ConnectionRecord record,
        final ConnectionKeyBytes templateKey,
        final long templateIncarnation,
        final long expiresAtMs,
        final long nowMs)
    {
        final Scratch s = c.scratch;
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(c.key))
        {
            q.updateLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            final ConnectionValueBytes v;
            if (e != null)
            {
                final ConnectionValueBytes existing = e.value().getUsing(s.mapValue);
                if (isLive(existing, nowMs))
                {
                    reserved.decrementAndGet();
                    positionOn(c, existing);
                    return EXISTS;
                }
                // Expired and not yet swept: retire it and reuse its place for the new entry.
                q.writeLock().lock();
                retireLocked(c.key, existing, s);
                if (existing.hasController())
                {
                    existing.copyControllerKeyTo(s.controllerKey);
                    s.controllerIncarnation = existing.controllerIncarnation();
                    s.reclaimedController = true;
                }
                reserved.decrementAndGet();
                stats.onReclaim();
                existing.setFrom(record, c.nextIncarnation(), expiresAtMs);
                v = existing;
            }
            else
            {
                s.newValue.setFrom(record, c.nextIncarnation(), expiresAtMs);
                try
                {
                    q.absentEntry().doInsert(q.wrapValueAsData(s.newValue));
                }
                catch (final IllegalStateException ex)
                {
                    // "Attempt to allocate #n extra segment tier": Chronicle's budget, not ours, ran out.
                    reserved.decrementAndGet();
                    return REFUSED_FULL;
                }
                v = q.entry().value().getUsing(s.mapValue);
            }
            if (templateKey != null)
            {
                v.controller(templateKey, templateIncarnation);
            }
            counters.bind(record.destinationId, record.flags);
            if (isNatConnection(c.key, record.flags))
            {
                putReply(c.key, v, s);
            }
            stats.onInsert();
            positionOn(c, v);
            return INSERTED;
        }
    }

    /** {@inheritDoc} */
    @Override
    public int onPacket(
        final ConnectionCursor cursor, final boolean reply, final int tcpFlags, final int bytes, final long nowMs)
    {
        final ChronicleCursor c = cursorOf(cursor);
        if (!c.positioned)
        {
            return STALE;
        }
        final Scratch s = c.scratch;
        final int newState;
        boolean assure = false;
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(c.key))
        {
            q.writeLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            final ConnectionValueBytes v = e == null ? null : e.value().getUsing(s.mapValue);
            if (v == null || v.incarnation() != c.incarnation || !isLive(v, nowMs))
            {
                c.reset();
                return STALE;
            }
            int flags = v.flags();
            final int oldState = v.state();
            final long timeoutMs;
            if ((flags & ConnectionFlags.TEMPLATE) != 0)
            {
                // Packets do not pass through templates in IPVS; if one is accounted, it only re-arms it.
                newState = oldState;
                timeoutMs = v.templateTimeoutMs();
            }
            else
            {
                final boolean tcp = c.key.protocol() == IpProtocol.TCP;
                // Other protocols than TCP have IPVS's single UDP state (SCTP's machine is not modelled).
                newState = tcp ? TcpStateMachine.next(TcpStateMachine.table(reply, flags), oldState, tcpFlags) :
                    TcpState.UDP;
                if (reply)
                {
                    flags &= ~ConnectionFlags.NOOUTPUT;
                }
                // ip_vs set_tcp_state: the INACTIVE flag says which count the entry is in; move it exactly once.
                if ((flags & ConnectionFlags.INACTIVE) == 0 && newState != TcpState.ESTABLISHED)
                {
                    flags |= ConnectionFlags.INACTIVE;
                    counters.transition(v.destinationId(), false);
                }
                else if ((flags & ConnectionFlags.INACTIVE) != 0 && newState == TcpState.ESTABLISHED)
                {
                    flags &= ~ConnectionFlags.INACTIVE;
                    counters.transition(v.destinationId(), true);
                }
                v.flags(flags);
                v.state(newState);
                timeoutMs = profiles.timeoutMs(v.timeoutProfile(), newState);
                // A controlled TCP connection reaching ESTABLISHED, or a controlled UDP one seeing a reply, makes
                // its template ASSURED; done once per connection so replies do not lock the template each time.
                if (v.hasController() && v.controllerState() != HAS_CONTROLLER_ASSURED &&
                    (tcp ? newState == TcpState.ESTABLISHED : reply))
                {
                    v.controllerState(HAS_CONTROLLER_ASSURED);
                    v.copyControllerKeyTo(s.controllerKey);
                    s.controllerIncarnation = v.controllerIncarnation();
                    assure = true;
                }
            }
            v.expiresAtMs(nowMs + timeoutMs);
            v.addTraffic(bytes);
            v.copyTo(c.record());
        }
        if (assure)
        {
            assureTemplate(s.controllerKey, s.controllerIncarnation, s);
        }
        return newState;
    }

    /** {@inheritDoc} */
    @Override
    public boolean remove(final ConnectionCursor cursor)
    {
        final ChronicleCursor c = cursorOf(cursor);
        if (!c.positioned)
        {
            return false;
        }
        final Scratch s = c.scratch;
        boolean hasController = false;
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(c.key))
        {
            q.updateLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            final ConnectionValueBytes v = e == null ? null : e.value().getUsing(s.mapValue);
            if (v == null || v.incarnation() != c.incarnation)
            {
                c.reset();
                return false;
            }
            if (v.controlCount() > 0)
            {
                // IPVS never deletes an entry that still controls others; it goes once they are gone.
                return false;
            }
            q.writeLock().lock();
            retireLocked(c.key, v, s);
            if (v.hasController())
            {
                hasController = true;
                v.copyControllerKeyTo(s.controllerKey);
                s.controllerIncarnation = v.controllerIncarnation();
            }
            e.doRemove();
        }
        reserved.decrementAndGet();
        stats.onRemove();
        c.reset();
        if (hasController)
        {
            releaseControl(s.controllerKey, s.controllerIncarnation, true, s);
        }
        return true;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Chronicle iterates a segment from its start, so the sweep remembers how far into the current segment it
     * got and skips that many entries next time; an entry moved backwards by a removal is caught on the next
     * round.
     */
    @Override
    public int sweep(final long nowMs, final int maxSlots)
    {
        synchronized (sweepLock)
        {
            final int segments = entries.segments();
            int budget = maxSlots;
            int removed = 0;
            for (int done = 0; done < segments && budget > 0; )
            {
                final boolean complete = sweeper.sweepSegment(sweepSegment, nowMs, sweepPosition, budget);
                budget -= sweeper.visited;
                removed += sweeper.removed;
                if (complete)
                {
                    sweepSegment = sweepSegment + 1 >= segments ? 0 : sweepSegment + 1;
                    sweepPosition = 0;
                    done++;
                }
                else
                {
                    sweepPosition = sweeper.position;
                }
            }
            return removed;
        }
    }

    /** {@inheritDoc} */
    @Override
    public void forEach(final long nowMs, final Consumer<ConnectionRecord> consumer)
    {
        final ConnectionRecord record = new ConnectionRecord();
        final ConnectionKeyBytes key = new ConnectionKeyBytes();
        final ConnectionValueBytes value = new ConnectionValueBytes();
        entries.forEachEntry(e ->
        {
            final ConnectionValueBytes v = e.value().getUsing(value);
            if (isLive(v, nowMs))
            {
                e.key().getUsing(key).copyIdentityTo(record);
                v.copyTo(record);
                consumer.accept(record);
            }
        });
    }

    /** {@inheritDoc} */
    @Override
    public long size()
    {
        return entries.longSize();
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
        if (closed.compareAndSet(false, true))
        {
            try
            {
                replies.close();
            }
            finally
            {
                entries.close();
            }
        }
    }

    private static boolean isLive(final ConnectionValueBytes v, final long nowMs)
    {
        // An entry that still controls others never expires (IPVS postpones it in 60 s steps).
        return v.expiresAtMs() > nowMs || v.controlCount() > 0;
    }

    private static boolean isNatConnection(final ConnectionKeyBytes key, final int flags)
    {
        return key.kind() == ConnectionKeyBytes.KIND_CONNECTION &&
            (flags & ConnectionFlags.FWD_MASK) == ConnectionFlags.MASQ;
    }

    private boolean reserve()
    {
        for (;;)
        {
            final long n = reserved.get();
            if (n >= capacity)
            {
                return false;
            }
            if (reserved.compareAndSet(n, n + 1))
            {
                return true;
            }
        }
    }

    /**
     * Reclaims expired entries for an insert into a full table: first in the segment the key hashes to (where
     * Chronicle needs the room), then in a few following segments.
     *
     * @return entries reclaimed.
     */
    private int reclaimFor(final ChronicleCursor c, final long nowMs)
    {
        final int segments = entries.segments();
        final int home;
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(c.key))
        {
            home = q.segmentIndex();
        }
        final Sweeper reclaimer = c.scratch.reclaimer(this);
        int reclaimed = 0;
        for (int i = 0; i < RECLAIM_SEGMENTS && i < segments && reclaimed == 0; i++)
        {
            reclaimer.sweepSegment((home + i) % segments, nowMs, 0, Integer.MAX_VALUE);
            reclaimed += reclaimer.removed;
        }
        return reclaimed;
    }

    /**
     * Everything that happens exactly once when an entry leaves, under its segment's write lock: its reply
     * index goes and its destination is unbound. The caller removes or overwrites it and releases its
     * controller after unlocking.
     */
    private void retireLocked(final ConnectionKeyBytes key, final ConnectionValueBytes v, final Scratch s)
    {
        final int flags = v.flags();
        if (isNatConnection(key, flags))
        {
            removeReply(key, v, s);
        }
        final int dest = v.destinationId();
        if (dest >= 0 && dest < counters.capacity())
        {
            counters.unbind(dest, flags);
        }
    }

    // Nested in the entry's lock (entry segment, then reply segment: the only nesting order anywhere).
    private void putReply(final ConnectionKeyBytes key, final ConnectionValueBytes v, final Scratch s)
    {
        final ConnectionKeyBytes replyKey = s.replyKey.copyFrom(key).setReply(
            key.family(), key.protocol(), v.destHi(), v.destLo(), v.destPort());
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionKeyBytes, ?> q = replies.queryContext(replyKey))
        {
            q.updateLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionKeyBytes> e = q.entry();
            if (e == null)
            {
                q.absentEntry().doInsert(q.wrapValueAsData(key));
            }
            else
            {
                // Same real-server and client sockets: to the real server it is the same TCP connection, so the
                // newest entry owns the replies.
                q.writeLock().lock();
                e.value().getUsing(s.mapKey).copyFrom(key);
            }
        }
        catch (final IllegalStateException ex)
        {
            // Only when Chronicle's tier budget is exhausted, which the entry map's capacity rules out; the
            // entry stays usable for requests.
        }
    }

    private void removeReply(final ConnectionKeyBytes key, final ConnectionValueBytes v, final Scratch s)
    {
        final ConnectionKeyBytes replyKey = s.replyKey.copyFrom(key).setReply(
            key.family(), key.protocol(), v.destHi(), v.destLo(), v.destPort());
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionKeyBytes, ?> q = replies.queryContext(replyKey))
        {
            q.updateLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionKeyBytes> e = q.entry();
            if (e != null)
            {
                final ConnectionKeyBytes target = e.value().getUsing(s.mapKey);
                if (key.sameAs(target.memoryBase(), target.memoryOffset()))
                {
                    e.doRemove();
                }
            }
        }
    }

    /**
     * Counts a new connection on its template and re-arms the template to its persistence timeout.
     *
     * @return true when the template was still there.
     */
    private boolean acquireControl(final ChronicleCursor t, final long nowMs, final Scratch s)
    {
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(t.key))
        {
            q.writeLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            final ConnectionValueBytes v = e == null ? null : e.value().getUsing(s.mapValue);
            if (v == null || v.incarnation() != t.incarnation)
            {
                return false;
            }
            v.controlCount(v.controlCount() + 1);
            final boolean isTemplate = (v.flags() & ConnectionFlags.TEMPLATE) != 0;
            final long timeoutMs = isTemplate ? v.templateTimeoutMs() : profiles.timeoutMs(v.timeoutProfile(), v.state());
            v.expiresAtMs(nowMs + timeoutMs);
            v.copyTo(t.record());
            return true;
        }
    }

    /**
     * Uncounts a connection from its controller. After an early removal (not an expiry), a controller that now
     * controls nothing goes with it unless it is an ASSURED template (IPVS's {@code ip_vs_conn_expire}).
     */
    private void releaseControl(
        final ConnectionKeyBytes controllerKey, final long incarnation, final boolean early, final Scratch s)
    {
        if (!releaseControlAt(controllerKey, incarnation, early, s) &&
            controllerKey.kind() == ConnectionKeyBytes.KIND_TEMPLATE)
        {
            // The template may have been invalidated since, and moved to its incarnation's key.
            releaseControlAt(s.invalidKey.copyFrom(controllerKey).invalidTemplate(incarnation), incarnation, early, s);
        }
    }

    /** @return true when the controller was found under {@code key}. */
    private boolean releaseControlAt(
        final ConnectionKeyBytes key, final long incarnation, final boolean early, final Scratch s)
    {
        boolean droppedHasController = false;
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(key))
        {
            q.writeLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            final ConnectionValueBytes v = e == null ? null : e.value().getUsing(s.mapValue);
            if (v == null || v.incarnation() != incarnation)
            {
                return false;
            }
            final int count = Math.max(0, v.controlCount() - 1);
            v.controlCount(count);
            if (!early || count != 0 || ((v.flags() & ConnectionFlags.TEMPLATE) != 0 && v.state() == TcpState.ASSURED))
            {
                return true;
            }
            retireLocked(key, v, s);
            if (v.hasController())
            {
                droppedHasController = true;
                v.copyControllerKeyTo(s.controllerKey2);
                s.controllerIncarnation2 = v.controllerIncarnation();
            }
            e.doRemove();
        }
        reserved.decrementAndGet();
        stats.onRemove();
        if (droppedHasController)
        {
            // One more level at most (a connection controlled by a template, itself controlling data
            // connections); deeper chains do not exist in IPVS.
            releaseControl(s.controllerKey2, s.controllerIncarnation2, false, s);
        }
        return true;
    }

    private void assureTemplate(final ConnectionKeyBytes templateKey, final long incarnation, final Scratch s)
    {
        if (!assureTemplateAt(templateKey, incarnation, s) && templateKey.kind() == ConnectionKeyBytes.KIND_TEMPLATE)
        {
            assureTemplateAt(s.invalidKey.copyFrom(templateKey).invalidTemplate(incarnation), incarnation, s);
        }
    }

    private boolean assureTemplateAt(final ConnectionKeyBytes key, final long incarnation, final Scratch s)
    {
        try (ExternalMapQueryContext<ConnectionKeyBytes, ConnectionValueBytes, ?> q = entries.queryContext(key))
        {
            q.writeLock().lock();
            final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e = q.entry();
            final ConnectionValueBytes v = e == null ? null : e.value().getUsing(s.mapValue);
            if (v == null || v.incarnation() != incarnation)
            {
                return false;
            }
            if ((v.flags() & ConnectionFlags.TEMPLATE) != 0)
            {
                v.state(TcpState.ASSURED);
            }
            return true;
        }
    }

    private void bindAllToCounters()
    {
        final ConnectionValueBytes value = new ConnectionValueBytes();
        entries.forEachEntry(e ->
        {
            final ConnectionValueBytes v = e.value().getUsing(value);
            final int dest = v.destinationId();
            if (dest >= 0 && dest < counters.capacity())
            {
                counters.bind(dest, v.flags());
            }
        });
    }

    private ChronicleCursor cursorOf(final ConnectionCursor cursor)
    {
        if (!(cursor instanceof ChronicleCursor) || ((ChronicleCursor)cursor).table != this)
        {
            throw new IllegalArgumentException("cursor does not belong to this table");
        }
        return (ChronicleCursor)cursor;
    }

    /** Flyweights and scratch space one thread uses for table operations: allocated once per cursor. */
    static final class Scratch
    {
        final ConnectionKeyBytes key = ConnectionKeyBytes.onHeap();
        final ConnectionKeyBytes replyKey = ConnectionKeyBytes.onHeap();
        final ConnectionKeyBytes controllerKey = ConnectionKeyBytes.onHeap();
        final ConnectionKeyBytes controllerKey2 = ConnectionKeyBytes.onHeap();
        final ConnectionKeyBytes templateKey = ConnectionKeyBytes.onHeap();
        final ConnectionKeyBytes invalidKey = ConnectionKeyBytes.onHeap();
        final ConnectionValueBytes newValue = ConnectionValueBytes.onHeap();
        final ConnectionKeyBytes mapKey = new ConnectionKeyBytes();
        final ConnectionValueBytes mapValue = new ConnectionValueBytes();
        long controllerIncarnation;
        long controllerIncarnation2;
        boolean reclaimedController;
        private Sweeper reclaimer;

        Sweeper reclaimer(final ChronicleConnectionTable table)
        {
            if (reclaimer == null)
            {
                reclaimer = table.new Sweeper(new Scratch(), true);
            }
            return reclaimer;
        }
    }

    /**
     * Expires the entries of one segment at a time: removes expired entries that control nothing, postpones
     * the others by 60 s. Controllers are released after the segment's lock is dropped, since they may live in
     * the same segment.
     */
    final class Sweeper implements Predicate<MapEntry<ConnectionKeyBytes, ConnectionValueBytes>>
    {
        private static final int DEFERRED = 64;

        private final Scratch scratch;
        private final boolean reclaim;
        private final ConnectionKeyBytes entryKey = new ConnectionKeyBytes();
        private final ConnectionValueBytes entryValue = new ConnectionValueBytes();
        private final ConnectionKeyBytes[] releaseKeys = new ConnectionKeyBytes[DEFERRED];
        private final long[] releaseIncarnations = new long[DEFERRED];
        private int releases;
        private long nowMs;
        private int budget;
        private int toSkip;
        private boolean outOfBudget;
        /** Entries of the segment passed over and kept, so far: where the next pass resumes. */
        int position;
        private MapSegmentContext<ConnectionKeyBytes, ConnectionValueBytes, ?> context;
        int visited;
        int removed;

        Sweeper(final Scratch scratch, final boolean reclaim)
        {
            this.scratch = scratch;
            this.reclaim = reclaim;
            for (int i = 0; i < DEFERRED; i++)
            {
                releaseKeys[i] = ConnectionKeyBytes.onHeap();
            }
        }

        /**
         * Sweeps one segment, skipping its first {@code skip} entries, examining at most {@code budget}.
         *
         * @return true when the segment's end was reached; else {@link #position} says where to resume.
         */
        boolean sweepSegment(final int segment, final long nowMs, final int skip, final int budget)
        {
            this.nowMs = nowMs;
            this.budget = budget;
            visited = 0;
            removed = 0;
            position = skip;
            boolean complete;
            do
            {
                releases = 0;
                toSkip = position;
                outOfBudget = false;
                try (MapSegmentContext<ConnectionKeyBytes, ConnectionValueBytes, ?> sc = entries.segmentContext(segment))
                {
                    context = sc;
                    complete = sc.forEachSegmentEntryWhile(this);
                }
                finally
                {
                    context = null;
                }
                for (int i = 0; i < releases; i++)
                {
                    releaseControl(releaseKeys[i], releaseIncarnations[i], false, scratch);
                }
            }
            while (!complete && !outOfBudget);
            return complete;
        }

        /** {@inheritDoc} */
        @Override
        public boolean test(final MapEntry<ConnectionKeyBytes, ConnectionValueBytes> e)
        {
            if (toSkip > 0)
            {
                toSkip--;
                return true;
            }
            if (visited >= budget)
            {
                outOfBudget = true;
                return false;
            }
            visited++;
            final ConnectionValueBytes v = e.value().getUsing(entryValue);
            if (v.expiresAtMs() > nowMs)
            {
                position++;
                return true;
            }
            if (v.controlCount() > 0)
            {
                writeLock();
                v.expiresAtMs(nowMs + ConnectionTimeouts.CONTROL_RETRY_MS);
                position++;
                return true;
            }
            final ConnectionKeyBytes k = e.key().getUsing(entryKey);
            writeLock();
            retireLocked(k, v, scratch);
            if (v.hasController())
            {
                v.copyControllerKeyTo(releaseKeys[releases]);
                releaseIncarnations[releases] = v.controllerIncarnation();
                releases++;
            }
            e.doRemove();
            reserved.decrementAndGet();
            removed++;
            if (reclaim)
            {
                stats.onReclaim();
            }
            else
            {
                stats.onExpire();
            }
            return releases < DEFERRED;
        }

        private void writeLock()
        {
            // The segment is update-locked while iterated; writing in place needs the write lock.
            ((InterProcessReadWriteUpdateLock)context).writeLock().lock();
        }
    }
}
