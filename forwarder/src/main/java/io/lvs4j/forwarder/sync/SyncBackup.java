package io.lvs4j.forwarder.sync;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Objects;

import org.agrona.concurrent.UnsafeBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving side of connection sync (IPVS's backup sync daemon, reference section 6.5): on its own thread
 * it receives datagrams on the multicast group (joined on the interface) or the unicast address, checks them
 * ({@link SyncMessageReader}: size, syncid, entry bounds, options) and hands each entry to a {@link
 * SyncInstaller}. A bad datagram or entry is dropped and counted by {@link SyncDropReason}; nothing a peer
 * sends can stop the thread.
 * <p>
 * When it starts it announces itself to the master's side with an empty v1 message (header only, our syncid,
 * no entry: IPVS's backups read it as a message without connections and ignore it), so that a master already
 * running sends it everything it has (see {@link SyncMaster}); and it hands such announcements from other
 * backups to {@link #onDumpRequest} (a node running both daemons).
 */
public final class SyncBackup implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SyncBackup.class);
    private static final int MAX_DATAGRAM = 65_535;

    private final SyncInstaller installer;
    private final SyncOptions options;
    private final SyncStats stats;
    private final SyncMessageReader reader = new SyncMessageReader();
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final UnsafeBuffer view = new UnsafeBuffer(receiveBuffer);
    private volatile DatagramChannel channel;
    private volatile Runnable dumpRequests;
    private Thread thread;
    private volatile boolean running;

    /**
     * @param installer applies entries to the director's table.
     * @param options   transport, syncid, clock.
     * @param stats     where to count.
     */
    public SyncBackup(final SyncInstaller installer, final SyncOptions options, final SyncStats stats)
    {
        if (!options.hasTransport())
        {
            throw new IllegalArgumentException("sync options choose neither multicast nor unicast");
        }
        this.installer = Objects.requireNonNull(installer);
        this.options = options;
        this.stats = Objects.requireNonNull(stats);
    }

    /**
     * Opens the socket and starts the receiving thread.
     *
     * @return this.
     * @throws IOException when the socket cannot be opened (address in use, no such interface).
     */
    public synchronized SyncBackup start() throws IOException
    {
        if (thread != null)
        {
            return this;
        }
        channel = SyncSockets.openReceiver(options);
        announce();
        running = true;
        thread = new Thread(this::run, "lvs4j-sync-backup");
        thread.setDaemon(true);
        thread.start();
        return this;
    }

    /**
     * @param action what to do when another node's backup announces itself (ask our master for a dump).
     * @return this.
     */
    public SyncBackup onDumpRequest(final Runnable action)
    {
        this.dumpRequests = action;
        return this;
    }

    /**
     * Whether a datagram is a backup's announcement: a v1 header alone, no entry, a syncid we accept.
     *
     * @param bytes  the datagram.
     * @param length its length.
     * @param syncId ours (0 accepts any).
     * @return true for an announcement.
     */
    static boolean isDumpRequest(final byte[] bytes, final int length, final int syncId)
    {
        if (length != SyncMessageWriter.HEADER_LENGTH || bytes[0] != 0 || bytes[4] != 0 ||
            bytes[5] != SyncMessageWriter.VERSION || bytes[6] != 0 || bytes[7] != 0 ||
            (((bytes[2] & 0xFF) << 8) | (bytes[3] & 0xFF)) != SyncMessageWriter.HEADER_LENGTH)
        {
            return false;
        }
        final int id = bytes[1] & 0xFF;
        return syncId == 0 || id == 0 || id == syncId;
    }

    /** Sends the announcement twice (a datagram may be lost) from a socket opened for it. */
    private void announce()
    {
        final SyncMessageWriter hello = new SyncMessageWriter(SyncMessageWriter.HEADER_LENGTH +
            SyncMessageWriter.V6_ENTRY_LENGTH).reset(options.syncId());
        try (DatagramChannel ch = SyncSockets.openSender(options))
        {
            for (int i = 0; i < 2; i++)
            {
                ch.send(ByteBuffer.wrap(hello.array(), 0, hello.length()), SyncSockets.target(options));
            }
        }
        catch (final IOException ex)
        {
            // the peer's master then has only its start-up dumps and later changes to send
            LOG.debug("sync backup could not announce itself: {}", ex.toString());
        }
    }

    private void run()
    {
        final DatagramChannel ch = channel;
        while (running)
        {
            receiveBuffer.clear();
            try
            {
                if (ch.receive(receiveBuffer) == null)
                {
                    continue;
                }
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            catch (final IOException ex)
            {
                LOG.debug("sync receive failed", ex);
                continue;
            }
            try
            {
                onDatagram(view, 0, receiveBuffer.position(), options.clock().getAsLong());
            }
            catch (final RuntimeException ex)
            {
                // a bug must not end sync: count the datagram as malformed and go on
                stats.drop(SyncDropReason.BAD_OPTION);
                LOG.warn("sync datagram could not be applied", ex);
            }
        }
    }

    /**
     * Checks and applies one datagram (the thread's work; public for tests that feed bytes directly).
     *
     * @param buffer holds it.
     * @param offset where it starts.
     * @param length its length.
     * @param nowMs  the table clock.
     * @return entries applied.
     */
    public int onDatagram(final UnsafeBuffer buffer, final int offset, final int length, final long nowMs)
    {
        stats.received();
        final SyncDropReason reason = reader.read(buffer, offset, length, options.syncId());
        if (reason != null)
        {
            stats.drop(reason);
            return 0;
        }
        if (reader.version() == 1 && reader.count() == 0 && length == SyncMessageWriter.HEADER_LENGTH)
        {
            // another node's backup announcing itself
            final Runnable action = dumpRequests;
            if (action != null)
            {
                action.run();
            }
            return 0;
        }
        int applied = 0;
        for (int i = 0; i < reader.count(); i++)
        {
            final SyncDropReason skip = reader.entryDrop(i);
            if (skip != null)
            {
                stats.drop(skip);
                continue;
            }
            if (installer.install(reader.entry(i), reader.version(), nowMs) == null)
            {
                applied++;
            }
        }
        return applied;
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
        final DatagramChannel ch = channel;
        channel = null;
        if (ch != null)
        {
            try
            {
                // closing wakes the blocked receive with AsynchronousCloseException
                ch.close();
            }
            catch (final IOException ex)
            {
                LOG.debug("closing the sync socket", ex);
            }
        }
        if (t != null)
        {
            try
            {
                t.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
