package io.lvs4j.forwarder.sync;

import java.io.IOException;
import java.util.Objects;
import java.util.function.BooleanSupplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.forwarder.Director;

/**
 * Connection sync for one director in both directions, as keepalived's {@code lvs_sync_daemon} runs it
 * (reference section 10.2): following the director's role, it runs a {@link SyncMaster} while the director is
 * master and a {@link SyncBackup} while it is not, so a node that returns as backup learns the connections the
 * other node made, and, once master again, starts by sending everything it has; or ({@link #both}) both at
 * once, as keepalived does without a VRRP instance. The role is polled from {@link Director#isMaster()} every
 * {@code pollMs}, or set with {@link #role} when the caller drives it.
 */
public final class SyncDaemon implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(SyncDaemon.class);

    private final Director director;
    private final BooleanSupplier isMaster;
    private final SyncOptions options;
    private final SyncStats stats = new SyncStats();
    private final boolean both;
    private final long pollMs;
    private volatile SyncMaster master;
    private SyncBackup backup;
    private Thread poller;
    private volatile boolean running;
    private boolean closed;

    private SyncDaemon(
        final Director director, final BooleanSupplier isMaster, final SyncOptions options, final boolean both,
        final long pollMs)
    {
        this.director = Objects.requireNonNull(director);
        this.isMaster = Objects.requireNonNull(isMaster);
        this.options = Objects.requireNonNull(options);
        this.both = both;
        this.pollMs = pollMs;
    }

    /**
     * Starts sync that follows the director's role, polled every {@code pollMs}.
     *
     * @param director the director.
     * @param options  transport and knobs; its clock must be the director's.
     * @param pollMs   how often to look at {@link Director#isMaster()}, 0 to leave it to {@link #role}.
     * @return the running daemon.
     * @throws IOException when the first role's socket cannot be opened.
     */
    public static SyncDaemon following(final Director director, final SyncOptions options, final long pollMs)
        throws IOException
    {
        return following(director, options, director::isMaster, pollMs);
    }

    /**
     * Starts sync that follows another role than the director's own, polled every {@code pollMs}: keepalived's
     * {@code lvs_sync_daemon IF INSTANCE} follows that one VRRP instance (master daemon while it is MASTER,
     * backup daemon otherwise), where the director is master while any of its instances is.
     *
     * @param director the director whose table is synced.
     * @param options  transport and knobs; its clock must be the director's.
     * @param isMaster the role to follow (called from the poller thread).
     * @param pollMs   how often to look at it, 0 to leave it to {@link #role}.
     * @return the running daemon.
     * @throws IOException when the first role's socket cannot be opened.
     */
    public static SyncDaemon following(
        final Director director, final SyncOptions options, final BooleanSupplier isMaster, final long pollMs)
        throws IOException
    {
        final SyncDaemon d = new SyncDaemon(director, isMaster, options, false, pollMs);
        d.role(isMaster.getAsBoolean());
        if (pollMs > 0)
        {
            d.startPoller();
        }
        return d;
    }

    /**
     * Starts master and backup together, for good (keepalived's {@code lvs_sync_daemon} without an instance).
     * Needs different send and receive endpoints for unicast, or multicast (whose loop is off).
     *
     * @param director the director.
     * @param options  transport and knobs.
     * @return the running daemon.
     * @throws IOException when a socket cannot be opened.
     */
    public static SyncDaemon both(final Director director, final SyncOptions options) throws IOException
    {
        final SyncDaemon d = new SyncDaemon(director, director::isMaster, options, true, 0);
        synchronized (d)
        {
            d.startBackup();
            d.startMaster();
        }
        return d;
    }

    private void startPoller()
    {
        running = true;
        poller = new Thread(() ->
        {
            while (running)
            {
                try
                {
                    role(isMaster.getAsBoolean());
                }
                catch (final IOException | RuntimeException ex)
                {
                    LOG.warn("sync role switch failed; retrying", ex);
                }
                try
                {
                    Thread.sleep(pollMs);
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
            }
        }, "lvs4j-sync-role");
        poller.setDaemon(true);
        poller.start();
    }

    /**
     * Switches to the master or the backup side (nothing when already there, or when running {@link #both}).
     *
     * @param isMaster the role.
     * @throws IOException when the new side's socket cannot be opened.
     */
    public synchronized void role(final boolean isMaster) throws IOException
    {
        if (closed || both)
        {
            return;
        }
        if (isMaster)
        {
            stopBackup();
            startMaster();
        }
        else
        {
            stopMaster();
            startBackup();
        }
    }

    private void startMaster() throws IOException
    {
        if (master == null)
        {
            final SyncMaster m = new SyncMaster(director.connections(), options, stats,
                options.timeouts() != null ? options.timeouts() : director.timeoutProfiles());
            if (!both)
            {
                // a peer's backup that starts later announces itself to the group: dump for it
                m.listenForDumpRequests();
            }
            m.start();
            master = m;
            LOG.info("connection sync: master, syncid {}", options.syncId());
        }
    }

    private void stopMaster()
    {
        if (master != null)
        {
            master.close();
            master = null;
        }
    }

    private void startBackup() throws IOException
    {
        if (backup == null)
        {
            final SyncBackup b = new SyncBackup(new SyncInstaller(director, stats), options, stats);
            if (both)
            {
                // our backup socket hears the peer's backup announcing itself: our master dumps for it
                b.onDumpRequest(() ->
                {
                    final SyncMaster m = master;
                    if (m != null)
                    {
                        m.requestDump();
                    }
                });
            }
            b.start();
            backup = b;
            LOG.info("connection sync: backup, syncid {}", options.syncId());
        }
    }

    private void stopBackup()
    {
        if (backup != null)
        {
            backup.close();
            backup = null;
        }
    }

    /** @return true while the master side runs. */
    public synchronized boolean isMasterRunning()
    {
        return master != null;
    }

    /** @return true while the backup side runs. */
    public synchronized boolean isBackupRunning()
    {
        return backup != null;
    }

    /** @return the counters of both sides. */
    public SyncStats stats()
    {
        return stats;
    }

    /** Stops both sides and the role poller; idempotent. Call before closing the director. */
    @Override
    public void close()
    {
        final Thread p;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            running = false;
            p = poller;
            poller = null;
        }
        if (p != null)
        {
            p.interrupt();
            try
            {
                p.join(5_000);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this)
        {
            stopMaster();
            stopBackup();
        }
    }
}
