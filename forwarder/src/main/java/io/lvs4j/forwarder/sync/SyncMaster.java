package io.lvs4j.forwarder.sync;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;
import java.util.function.Consumer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.IpProtocol;

/**
 * The sending side of connection sync (IPVS's master sync daemon, reference section 6): on its own thread it
 * scans the director's connection table every {@link SyncOptions#scanIntervalMs()} and sends the entries that
 * are due, packed up to {@link SyncOptions#maxLength()} per datagram, to the multicast group or the unicast
 * peer. The workers' hot path is not touched: everything is learned from {@link ConnectionTable#forEach}.
 * <p>
 * What is due follows {@code ip_vs_sync_conn_needed} (section 6.4) as closely as a periodic scan allows:
 * <ul>
 * <li>never ONE_PACKET entries; TCP only in ESTABLISHED, FIN_WAIT, CLOSE, CLOSE_WAIT and TIME_WAIT;</li>
 * <li>a TCP change to one of those states other than ESTABLISHED is sent at the next scan;</li>
 * <li>otherwise an entry is sent when its packet count passed a value {@code n} with
 * {@code n % period == threshold} (period 0: {@code n == threshold}) since the previous scan.</li>
 * </ul>
 * Deviations, all because the kernel decides per packet and this class per scan: a change is sent up to one
 * scan interval late; several crossings of the rule between two scans give one message; the count is the
 * entry's packets in both directions (IPVS counts incoming ones; the same for DR and TUN). A controlling
 * template cannot be found from the connection (the table does not expose the link), so templates are sent
 * when new, when their state or real server changes, and whenever their persistence timer has been pushed
 * forward by half its length since the last send (IPVS sends a template with every connection it controls).
 * When this master starts, its first scan sends every entry in a syncable state, including those learned
 * from another master, so that a returning peer running as backup is not left with stale entries (IPVS has no
 * such reverse path, keepalived#1966); the dump is repeated 1 s and 3 s later, because after a role switch
 * the peer's backup may open its socket after this master's first scan. A backup that starts later (a master that
 * returns after a crash) says so with an empty message (a v1 header with no entry, which IPVS's backups ignore, see
 * {@link SyncBackup}): a master that {@link #listenForDumpRequests listens} for it, or is told with
 * {@link #requestDump}, dumps everything at its next scan, so the returning node has the connections before VRRP
 * gives it the VIPs back. Partly filled datagrams are sent at the end of each scan (IPVS holds them up to 2 s).
 * <p>
 * What the previous scans saw is kept in {@link TrackedEntries}, a primitive open-addressing table of 64 bytes per
 * slot (at most three quarters full), not an object per connection. A scan still costs one random access into it
 * per entry: in the steady state (nothing due) a scan of a million established connections took 130-165 ms on
 * the project's 2-core VM, against about 20 ms for the bare walk of the table (bench:
 * {@code SyncMasterScanBenchmark}); below the scan interval, so the thread does not fall behind.
 */
public final class SyncMaster implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SyncMaster.class);
    private static final long[] DUMP_DELAYS_MS = {0, 1_000, 3_000};
    private static final int BATCH = 16;

    private final ConnectionTable table;
    private final SyncOptions options;
    private final SyncStats stats;
    private final SyncMessageWriter writer;
    private final SyncEntry entry = new SyncEntry();
    private final TrackedEntries tracked = new TrackedEntries();
    private final Consumer<ConnectionRecord> considerer = this::batch;
    /** Records copied out of the table's walk, considered in batches: see {@link #batch}. */
    private final ConnectionRecord[] batch = new ConnectionRecord[BATCH];
    private final int[] batchHashes = new int[BATCH];
    private int batched;
    private long touched;
    private long scanNowMs;
    private int seenThisScan;
    private final InetSocketAddress target;
    private final ConnectionTimeoutProfiles timeouts;
    private DatagramChannel channel;
    private DatagramChannel requests;
    private boolean listen;
    private final ByteBuffer requestBuffer = ByteBuffer.allocate(64);
    private volatile boolean dumpRequested;
    private ByteBuffer sendBuffer;
    private Thread thread;
    private volatile boolean running;
    private boolean dumping;
    private long startedAtMs = Long.MIN_VALUE;
    private int dumps;

    /**
     * A master that announces the options' timeouts, or IPVS's defaults when the options choose none.
     *
     * @param table   the director's connection table.
     * @param options transport, syncid, threshold, scan interval, clock.
     * @param stats   where to count.
     */
    public SyncMaster(final ConnectionTable table, final SyncOptions options, final SyncStats stats)
    {
        this(table, options, stats,
            options.timeouts() != null ? options.timeouts() : new ConnectionTimeoutProfiles());
    }

    /**
     * @param table    the director's connection table.
     * @param options  transport, syncid, threshold, scan interval, clock.
     * @param stats    where to count.
     * @param timeouts the profiles the table expires entries by: each entry is announced with its state's
     *                 timeout, as IPVS sends {@code cp->timeout}, so that {@code ipvsadm --set} reaches the backup.
     */
    public SyncMaster(
        final ConnectionTable table, final SyncOptions options, final SyncStats stats,
        final ConnectionTimeoutProfiles timeouts)
    {
        this.timeouts = Objects.requireNonNull(timeouts);
        if (!options.hasTransport())
        {
            throw new IllegalArgumentException("sync options choose neither multicast nor unicast");
        }
        this.table = Objects.requireNonNull(table);
        this.options = options;
        this.stats = Objects.requireNonNull(stats);
        this.writer = new SyncMessageWriter(options.maxLength());
        this.target = SyncSockets.target(options);
        for (int i = 0; i < BATCH; i++)
        {
            batch[i] = new ConnectionRecord();
        }
    }

    /**
     * Opens the socket and starts the scanning thread.
     *
     * @return this.
     * @throws IOException when the socket cannot be opened.
     */
    public synchronized SyncMaster start() throws IOException
    {
        if (thread != null)
        {
            return this;
        }
        open();
        running = true;
        thread = new Thread(this::run, "lvs4j-sync-master");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * Makes {@link #start} also open a socket where a peer's backup announces itself (the backup's address: the
     * group and port, or the unicast listening address), and dump everything when one does. For a daemon that runs
     * master or backup, not both (a node running both hears the announcements on its backup's socket).
     *
     * @return this.
     */
    public synchronized SyncMaster listenForDumpRequests()
    {
        this.listen = true;
        return this;
    }

    /** Asks for a full dump at the next scan (a peer's backup has started); any thread. */
    public void requestDump()
    {
        stats.onDumpRequest();
        dumpRequested = true;
    }

    /** Opens the socket without starting the thread: for tests that call {@link #scan} themselves. */
    synchronized void open() throws IOException
    {
        if (channel == null)
        {
            channel = SyncSockets.openSender(options);
            sendBuffer = ByteBuffer.wrap(writer.array());
        }
        if (listen && requests == null)
        {
            final DatagramChannel ch = SyncSockets.openReceiver(options);
            ch.configureBlocking(false);
            requests = ch;
        }
    }

    /** Reads what arrived on the request socket: empty messages of our syncid are dump requests. */
    private void pollRequests()
    {
        final DatagramChannel ch = requests;
        if (ch == null)
        {
            return;
        }
        try
        {
            while (true)
            {
                requestBuffer.clear();
                if (ch.receive(requestBuffer) == null)
                {
                    return;
                }
                if (SyncBackup.isDumpRequest(requestBuffer.array(), requestBuffer.position(), options.syncId()))
                {
                    requestDump();
                }
            }
        }
        catch (final IOException ex)
        {
            LOG.debug("sync request socket: {}", ex.toString());
        }
    }

    private void run()
    {
        while (running)
        {
            try
            {
                scan(options.clock().getAsLong());
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("sync master scan failed", ex);
            }
            try
            {
                Thread.sleep(options.scanIntervalMs());
            }
            catch (final InterruptedException ex)
            {
                return;
            }
        }
    }

    /**
     * One scan of the table: sends what is due (see the class comment). Called by the thread; public for tests
     * that drive it with their own clock.
     *
     * @param nowMs the table clock.
     * @return entries sent.
     */
    public int scan(final long nowMs)
    {
        final long before = stats.sentEntries();
        if (startedAtMs == Long.MIN_VALUE)
        {
            startedAtMs = nowMs;
        }
        pollRequests();
        // full dumps at start, 1 s and 3 s later: the peer's backup may not listen yet when roles switch
        dumping = dumps < DUMP_DELAYS_MS.length && nowMs - startedAtMs >= DUMP_DELAYS_MS[dumps];
        if (dumping)
        {
            dumps++;
        }
        if (dumpRequested)
        {
            dumpRequested = false;
            dumping = true;
        }
        writer.reset(options.syncId());
        scanNowMs = nowMs;
        seenThisScan = 0;
        tracked.beginScan();
        table.forEach(nowMs, considerer);
        considerBatch();
        flush();
        dumping = false;
        // forget entries that are gone, so that a reused tuple counts as new; when every tracked entry was
        // seen (the steady state with no connection ended), there is nothing to look for
        if (seenThisScan != tracked.size())
        {
            tracked.removeUnseen();
        }
        stats.scanned();
        return (int)(stats.sentEntries() - before);
    }

    /**
     * Copies a record of the walk into the batch and reads the tracking slot it will need: on a large table each
     * lookup is a cache miss, and touching sixteen slots before looking any of them up lets some of the misses
     * overlap (about a tenth of the scan's time at a million entries, SyncMasterScanBenchmark). Entries are still
     * considered, and sent, in the walk's order and within the same scan.
     */
    private void batch(final ConnectionRecord r)
    {
        if ((r.flags & ConnectionFlags.ONE_PACKET) != 0)
        {
            return;
        }
        final int hash = TrackedEntries.hash(r);
        batch[batched].set(r);
        batchHashes[batched] = hash;
        if (++batched == BATCH)
        {
            considerBatch();
        }
    }

    private void considerBatch()
    {
        // a tight loop of independent reads: the misses are in flight together (spread over the walk's
        // callbacks they were not, the walk's own work between them filling the processor's window)
        long t = 0;
        for (int i = 0; i < batched; i++)
        {
            t += tracked.touch(batchHashes[i]);
        }
        touched += t;
        for (int i = 0; i < batched; i++)
        {
            consider(batch[i], batchHashes[i]);
        }
        batched = 0;
    }

    private void consider(final ConnectionRecord r, final int hash)
    {
        int slot = tracked.find(r, hash);
        final boolean isNew = slot < 0;
        // what the previous scan saw: a new entry has no state nor destination yet and no packets
        final int lastState;
        final int lastDestination;
        final long lastPackets;
        if (isNew)
        {
            slot = tracked.insert(slot, r);
            lastState = -1;
            lastDestination = -1;
            lastPackets = 0;
        }
        else
        {
            lastState = tracked.state(slot);
            lastDestination = tracked.destinationId(slot);
            lastPackets = tracked.packets(slot);
        }
        if (tracked.markSeen(slot))
        {
            seenThisScan++;
        }
        final boolean due = r.isTemplate() ?
            templateDue(r, isNew, lastState, lastDestination, tracked.sentExpiresAtMs(slot)) :
            connectionDue(r, lastState, lastDestination, lastPackets);
        tracked.update(slot, r.state, r.destinationId, r.packets);
        if (due)
        {
            tracked.sentExpiresAtMs(slot, r.expiresAtMs);
            send(r, scanNowMs);
        }
    }

    private boolean templateDue(
        final ConnectionRecord r, final boolean isNew, final int lastState, final int lastDestination,
        final long sentExpiresAtMs)
    {
        if (isNew || dumping || lastState != r.state || lastDestination != r.destinationId)
        {
            return true;
        }
        return r.expiresAtMs - sentExpiresAtMs >= Math.max(1_000, r.templateTimeoutMs / 2);
    }

    private boolean connectionDue(
        final ConnectionRecord r, final int lastState, final int lastDestination, final long lastPackets)
    {
        if (r.protocol == IpProtocol.TCP)
        {
            final int s = r.state;
            if (s != TcpState.ESTABLISHED && s != TcpState.FIN_WAIT && s != TcpState.CLOSE &&
                s != TcpState.CLOSE_WAIT && s != TcpState.TIME_WAIT)
            {
                return false;
            }
            if (dumping || (lastDestination >= 0 && lastDestination != r.destinationId))
            {
                return true;
            }
            if (s != lastState && s != TcpState.ESTABLISHED)
            {
                return true;
            }
        }
        else if (dumping)
        {
            return true;
        }
        return crossed(lastPackets, r.packets, options.threshold(), options.period());
    }

    /**
     * Whether a packet count went past a value the kernel would sync at, between two scans.
     *
     * @param before    the count at the previous scan (0 for a new entry).
     * @param now       the count now.
     * @param threshold sync_threshold's first value.
     * @param period    its second value.
     * @return true when some n in (before, now] has {@code n % period == threshold} (or {@code n == threshold}
     *         for period 0).
     */
    static boolean crossed(final long before, final long now, final int threshold, final int period)
    {
        if (now <= before)
        {
            return false;
        }
        if (period == 0)
        {
            return before < threshold && threshold <= now;
        }
        final long first = before + 1;
        final long next = first + Math.floorMod(threshold - first, (long)period);
        return next <= now;
    }

    private void send(final ConnectionRecord r, final long nowMs)
    {
        final long timeoutMs = r.isTemplate() ? r.templateTimeoutMs :
            timeouts.timeoutMs(r.timeoutProfile, r.state);
        entry.fromRecord(r, Math.max(1, timeoutMs / 1000));
        if (!writer.append(entry))
        {
            flush();
            writer.append(entry);
        }
    }

    private void flush()
    {
        final int count = writer.count();
        if (count == 0)
        {
            return;
        }
        final DatagramChannel ch = channel;
        if (ch != null)
        {
            try
            {
                sendBuffer.clear().limit(writer.length());
                ch.send(sendBuffer, target);
                stats.sent(count);
            }
            catch (final ClosedChannelException ex)
            {
                stats.sendError();
            }
            catch (final IOException ex)
            {
                stats.sendError();
                LOG.debug("sync send to {} failed: {}", target, ex.toString());
            }
        }
        writer.reset(options.syncId());
    }

    /** Stops the thread and closes the socket; idempotent. */
    @Override
    public void close()
    {
        final Thread t;
        synchronized (this)
        {
            running = false;
            t = thread;
            thread = null;
        }
        if (t != null)
        {
            t.interrupt();
            try
            {
                t.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        for (final DatagramChannel ch : new DatagramChannel[] {channel, requests})
        {
            if (ch != null)
            {
                try
                {
                    ch.close();
                }
                catch (final IOException ex)
                {
                    LOG.debug("closing the sync socket", ex);
                }
            }
        }
        channel = null;
        requests = null;
    }
}
