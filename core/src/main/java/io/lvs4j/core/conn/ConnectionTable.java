package io.lvs4j.core.conn;

import io.lvs4j.core.flow.FlowKey;

import java.util.function.Consumer;

/**
 * The director's connection table: IPVS's {@code ip_vs_conn} hash, shared by all workers.
 * <p>
 * A connection is found from both directions: requests by their client-to-VIP key ({@link #findIn}), NAT
 * replies by their real-server-to-client key ({@link #findOut}), both resolving to the same entry. Persistence
 * templates live in the same table ({@link #findTemplate}). Every operation works through a caller-owned
 * {@link ConnectionCursor} and never allocates.
 * <p>
 * The table applies IPVS's life-cycle (reference section 4): the TCP state machine with its INPUT, OUTPUT and
 * INPUT-ONLY tables, idle timeouts re-armed per packet from a {@link ConnectionTimeoutProfiles} profile, the
 * active/inactive/persistent counts in {@link DestinationCounters}, templates that control connections and
 * never expire while they do. Expired entries are invisible to lookups at once and reclaimed by an
 * incremental {@link #sweep} off the hot path (and lazily by inserts that need the slot).
 * <p>
 * Capacity is fixed at creation. A full table follows one stated policy: an insert first reclaims expired
 * entries on its probe path, then refuses, and every refusal is counted ({@link ConnectionTableStats}).
 */
public interface ConnectionTable extends AutoCloseable
{
    /** {@link #insert} created the entry. */
    int INSERTED = 1;
    /** {@link #insert} found the same key already present (another worker won the race); the cursor is on it. */
    int EXISTS = 2;
    /** {@link #insert} refused: the table is full of live entries. Counted. */
    int REFUSED_FULL = -1;
    /** {@link #onPacket} found the cursor's entry gone (expired, removed or replaced). */
    int STALE = -1;

    /**
     * A new cursor for one thread's use with this table.
     *
     * @return the cursor.
     */
    ConnectionCursor newCursor();

    /**
     * Finds the live entry a request belongs to.
     *
     * @param clientToVip the request's key: source = client, destination = VIP.
     * @param nowMs       the table clock in milliseconds (read once per batch).
     * @param cursor      positioned on the entry when found.
     * @return true when found and not expired.
     */
    boolean findIn(FlowKey clientToVip, long nowMs, ConnectionCursor cursor);

    /**
     * Finds the live NAT entry a reply belongs to.
     *
     * @param serverToClient the reply's key: source = real server, destination = client.
     * @param nowMs          the table clock.
     * @param cursor         positioned on the entry when found.
     * @return true when found and not expired.
     */
    boolean findOut(FlowKey serverToClient, long nowMs, ConnectionCursor cursor);

    /**
     * Finds a live persistence template.
     * <p>
     * A template whose destination is no longer available ({@link DestinationCounters#isAvailable} false) is
     * invalid, as in {@code ip_vs_sched_persist}: it is not found, now or later, yet it stays in the table with
     * the connections it controls until its timer runs out, like the kernel's neutralised templates. The caller
     * schedules afresh and inserts a new template under the same key.
     *
     * @param templateKey protocol, source = masked client network with port 0, destination = VIP and port (or the
     *                    fwmark in the low address bits with protocol IP and port 0).
     * @param nowMs       the table clock.
     * @param cursor      positioned on the template when found.
     * @return true when found, not expired and not invalidated.
     */
    boolean findTemplate(FlowKey templateKey, long nowMs, ConnectionCursor cursor);

    /**
     * Inserts an entry unless its key is present: binds it to its destination's counts, indexes the reply
     * direction for NAT entries, and links it to its controlling template (whose control count goes up and
     * whose timer is re-armed to its persistence timeout). The new entry expires {@code
     * ConnectionTimeouts.NEW_ENTRY_MS} after {@code nowMs} until its first packet ({@link #onPacket}) sets its
     * state's timeout; templates expire after their {@code templateTimeoutMs}.
     *
     * @param record   the entry: identity, destination, flags (method, INACTIVE, NOOUTPUT, TEMPLATE), state,
     *                 timeout profile.
     * @param template the template cursor controlling it, or null; a template that has expired or gone since
     *                 the cursor found it leaves the new connection uncontrolled.
     * @param nowMs    the table clock.
     * @param cursor   positioned on the new or existing entry.
     * @return {@link #INSERTED}, {@link #EXISTS} or {@link #REFUSED_FULL}.
     */
    int insert(ConnectionRecord record, ConnectionCursor template, long nowMs, ConnectionCursor cursor);

    /**
     * Accounts a packet on the entry the cursor is on: runs the protocol state machine (TCP tables by
     * direction; UDP single state), moves the destination's active/inactive counts on entering or leaving
     * ESTABLISHED, clears NOOUTPUT on the first reply, marks the controlling template ASSURED when due,
     * re-arms the idle timer and adds to the packet and byte counters.
     *
     * @param cursor   positioned by a lookup or insert.
     * @param reply    true for a server-to-client packet.
     * @param tcpFlags the TCP flags byte (ignored for other protocols).
     * @param bytes    the packet's IP length.
     * @param nowMs    the table clock.
     * @return the entry's new state, or {@link #STALE} when the entry is gone.
     */
    int onPacket(ConnectionCursor cursor, boolean reply, int tcpFlags, int bytes, long nowMs);

    /**
     * Removes the entry the cursor is on, unbinding its destination and releasing its template.
     * <p>
     * As in IPVS, an entry that still controls others is never removed (the call answers false); it goes after
     * the last entry it controls. A connection removed early takes its controller with it when that controller
     * then controls nothing and is a template that never became ASSURED ({@code ip_vs_conn_expire}).
     *
     * @param cursor positioned on the entry.
     * @return true when this call removed it.
     */
    boolean remove(ConnectionCursor cursor);

    /**
     * Incrementally expires entries: visits up to {@code maxSlots} slots from where the last sweep stopped,
     * removes expired entries that control nothing, and postpones in 60 s steps those that still control others.
     *
     * @param nowMs    the table clock.
     * @param maxSlots how much work to do.
     * @return the number of entries removed.
     */
    int sweep(long nowMs, int maxSlots);

    /**
     * Visits a snapshot of each live entry (for listings and sync); not for the hot path.
     *
     * @param nowMs    the table clock: expired entries are skipped.
     * @param consumer receives a record that is reused between calls.
     */
    void forEach(long nowMs, Consumer<ConnectionRecord> consumer);

    /** @return the number of entries (connections and templates) present, live or awaiting the sweep. */
    long size();

    /** @return the fixed number of entries the table can hold. */
    long capacity();

    /** @return the table's counters. */
    ConnectionTableStats stats();

    /** Releases the table's memory (or unmaps its file). */
    @Override
    void close();
}
