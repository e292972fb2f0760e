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
        running = true;
        thread = new Thread(this::run, "lvs4j-sync-backup");
        thread.setDaemon(true);
        thread.start();
        return this;
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
