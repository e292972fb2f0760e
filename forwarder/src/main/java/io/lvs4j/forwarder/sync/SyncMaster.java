package io.lvs4j.forwarder.sync;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
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
 */
public final class SyncMaster implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SyncMaster.class);
    private static final long[] DUMP_DELAYS_MS = {0, 1_000, 3_000};

    private final ConnectionTable table;
    private final SyncOptions options;
    private final SyncStats stats;
    private final SyncMessageWriter writer;
    private final SyncEntry entry = new SyncEntry();
    private final Map<EntryKey, Tracked> tracked = new HashMap<>();
    private final EntryKey probe = new EntryKey();
    private final InetSocketAddress target;
    private DatagramChannel channel;
    private DatagramChannel requests;
    private boolean listen;
    private final ByteBuffer requestBuffer = ByteBuffer.allocate(64);
    private volatile boolean dumpRequested;
    private ByteBuffer sendBuffer;
    private Thread thread;
    private volatile boolean running;
    private long generation;
    private boolean dumping;
    private long startedAtMs = Long.MIN_VALUE;
    private int dumps;

    /**
     * @param table   the director's connection table.
     * @param options transport, syncid, threshold, scan interval, clock.
     * @param stats   where to count.
     */
    public SyncMaster(final ConnectionTable table, final SyncOptions options, final SyncStats stats)
    {
        if (!options.hasTransport())
        {
            throw new IllegalArgumentException("sync options choose neither multicast nor unicast");
        }
        this.table = Objects.requireNonNull(table);
        this.options = options;
        this.stats = Objects.requireNonNull(stats);
        this.writer = new SyncMessageWriter(options.maxLength());
        this.target = SyncSockets.target(options);
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
        generation++;
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
        table.forEach(nowMs, record -> consider(record, nowMs));
        flush();
        dumping = false;
        // forget entries that are gone, so that a reused tuple counts as new
        final Iterator<Tracked> it = tracked.values().iterator();
        while (it.hasNext())
        {
            if (it.next().seen != generation)
            {
                it.remove();
            }
        }
        stats.scanned();
        return (int)(stats.sentEntries() - before);
    }

    private void consider(final ConnectionRecord r, final long nowMs)
    {
        if ((r.flags & ConnectionFlags.ONE_PACKET) != 0)
        {
            return;
        }
        Tracked t = tracked.get(probe.set(r));
        final boolean isNew = t == null;
        if (isNew)
        {
            t = new Tracked();
            t.state = -1;
            t.destinationId = -1;
            tracked.put(new EntryKey().set(r), t);
        }
        final boolean due = r.isTemplate() ? templateDue(r, t, isNew) : connectionDue(r, t);
        t.state = r.state;
        t.destinationId = r.destinationId;
        t.packets = r.packets;
        t.seen = generation;
        if (due)
        {
            t.sentExpiresAtMs = r.expiresAtMs;
            send(r, nowMs);
        }
    }

    private boolean templateDue(final ConnectionRecord r, final Tracked t, final boolean isNew)
    {
        if (isNew || dumping || t.state != r.state || t.destinationId != r.destinationId)
        {
            return true;
        }
        return r.expiresAtMs - t.sentExpiresAtMs >= Math.max(1_000, r.templateTimeoutMs / 2);
    }

    private boolean connectionDue(final ConnectionRecord r, final Tracked t)
    {
        if (r.protocol == IpProtocol.TCP)
        {
            final int s = r.state;
            if (s != TcpState.ESTABLISHED && s != TcpState.FIN_WAIT && s != TcpState.CLOSE &&
                s != TcpState.CLOSE_WAIT && s != TcpState.TIME_WAIT)
            {
                return false;
            }
            if (dumping || (t.destinationId >= 0 && t.destinationId != r.destinationId))
            {
                return true;
            }
            if (s != t.state && s != TcpState.ESTABLISHED)
            {
                return true;
            }
        }
        else if (dumping)
        {
            return true;
        }
        return crossed(t.packets, r.packets, options.threshold(), options.period());
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
            options.timeouts().timeoutMs(r.timeoutProfile, r.state);
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

    /** What the previous scans saw of one entry. */
    private static final class Tracked
    {
        int state;
        int destinationId;
        long packets;
        long sentExpiresAtMs;
        long seen;
    }

    /** An entry's identity: client tuple, virtual tuple, protocol, family, template or not. */
    private static final class EntryKey
    {
        int family;
        int protocol;
        long clientHi;
        long clientLo;
        int clientPort;
        long virtualHi;
        long virtualLo;
        int virtualPort;
        boolean template;

        EntryKey set(final ConnectionRecord r)
        {
            family = r.family;
            protocol = r.protocol;
            clientHi = r.clientHi;
            clientLo = r.clientLo;
            clientPort = r.clientPort;
            virtualHi = r.virtualHi;
            virtualLo = r.virtualLo;
            virtualPort = r.virtualPort;
            template = r.isTemplate();
            return this;
        }

        @Override
        public boolean equals(final Object o)
        {
            if (!(o instanceof EntryKey))
            {
                return false;
            }
            final EntryKey k = (EntryKey)o;
            return family == k.family && protocol == k.protocol && clientHi == k.clientHi &&
                clientLo == k.clientLo && clientPort == k.clientPort && virtualHi == k.virtualHi &&
                virtualLo == k.virtualLo && virtualPort == k.virtualPort && template == k.template;
        }

        @Override
        public int hashCode()
        {
            long h = family * 31L + protocol;
            h = h * 31 + clientHi;
            h = h * 31 + clientLo;
            h = h * 31 + clientPort;
            h = h * 31 + virtualHi;
            h = h * 31 + virtualLo;
            h = h * 31 + virtualPort;
            h = h * 31 + (template ? 1 : 0);
            return Long.hashCode(h * 0x9E3779B97F4A7C15L);
        }
    }
}
