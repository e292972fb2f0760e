package io.lvs4j.forwarder.sync;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.function.LongSupplier;

import io.lvs4j.core.conn.ConnectionTimeoutProfiles;

/**
 * The knobs of connection sync, with IPVS's defaults (reference section 6.1, 6.4; keepalived's {@code
 * lvs_sync_daemon <IF> [id] [maxlen] [port] [ttl] [group]}): multicast to 224.0.0.81:8848 with TTL 1 on an
 * interface, or unicast to a peer; syncid 0; messages up to 1472 bytes; {@code sync_threshold = 3 50}.
 * Aeron-style context: set what differs, pass it to {@link SyncMaster}, {@link SyncBackup} or {@link SyncDaemon}.
 */
public final class SyncOptions
{
    /** IPVS's default multicast group. */
    public static final String DEFAULT_GROUP = "224.0.0.81";
    /** IPVS's default port. */
    public static final int DEFAULT_PORT = 8848;

    private int syncId;
    private String interfaceName;
    private InetAddress group;
    private int port = DEFAULT_PORT;
    private int ttl = 1;
    private InetSocketAddress peer;
    private InetSocketAddress bind;
    private int maxLength = SyncMessageWriter.DEFAULT_MAX_LENGTH;
    private String networkNamespace;
    private long scanIntervalMs = 200;
    private int threshold = 3;
    private int period = 50;
    private ConnectionTimeoutProfiles timeouts;
    private LongSupplier clock = System::currentTimeMillis;

    /** Creates options with IPVS's defaults and no transport chosen yet. */
    public SyncOptions()
    {
        try
        {
            group = InetAddress.getByName(DEFAULT_GROUP);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Multicast transport: the master sends to group:port out of the interface with the TTL, the backup joins
     * the group on it.
     *
     * @param interfaceName the interface ({@code --mcast-interface}).
     * @return this.
     */
    public SyncOptions multicast(final String interfaceName)
    {
        this.interfaceName = Objects.requireNonNull(interfaceName);
        this.peer = null;
        this.bind = null;
        return this;
    }

    /**
     * Unicast transport (not in IPVS, which only multicasts): the master sends to {@code peer}, the backup
     * listens on {@code bind}. Two nodes syncing both ways name each other.
     *
     * @param peer where the master sends.
     * @param bind where the backup listens.
     * @return this.
     */
    public SyncOptions unicast(final InetSocketAddress peer, final InetSocketAddress bind)
    {
        this.peer = Objects.requireNonNull(peer);
        this.bind = Objects.requireNonNull(bind);
        this.interfaceName = null;
        return this;
    }

    /**
     * @param id the syncid, 0..255: written by the master; a backup with a non-zero id ignores other ids.
     * @return this.
     */
    public SyncOptions syncId(final int id)
    {
        if (id < 0 || id > 255)
        {
            throw new IllegalArgumentException("syncid " + id);
        }
        this.syncId = id;
        return this;
    }

    /**
     * @param address the multicast group (IPv4 or IPv6).
     * @param udpPort the port.
     * @return this.
     */
    public SyncOptions group(final InetAddress address, final int udpPort)
    {
        if (!address.isMulticastAddress() || udpPort <= 0 || udpPort > 65_535)
        {
            throw new IllegalArgumentException("group " + address + ":" + udpPort);
        }
        this.group = address;
        this.port = udpPort;
        return this;
    }

    /**
     * @param hops the multicast TTL, 1..255.
     * @return this.
     */
    public SyncOptions ttl(final int hops)
    {
        if (hops < 1 || hops > 255)
        {
            throw new IllegalArgumentException("ttl " + hops);
        }
        this.ttl = hops;
        return this;
    }

    /**
     * @param bytes the largest datagram payload ({@code sync_maxlen}).
     * @return this.
     */
    public SyncOptions maxLength(final int bytes)
    {
        if (bytes < SyncMessageWriter.HEADER_LENGTH + SyncMessageWriter.V6_ENTRY_LENGTH || bytes > 65_507)
        {
            throw new IllegalArgumentException("maxLength " + bytes);
        }
        this.maxLength = bytes;
        return this;
    }

    /**
     * @param name the network namespace ({@code ip netns}) the sockets are opened in, the director's; null for
     *             the JVM's own.
     * @return this.
     */
    public SyncOptions networkNamespace(final String name)
    {
        this.networkNamespace = name;
        return this;
    }

    /**
     * @param ms how often the master scans the connection table; bounds how late a change is sent.
     * @return this.
     */
    public SyncOptions scanIntervalMs(final long ms)
    {
        if (ms <= 0)
        {
            throw new IllegalArgumentException("scanIntervalMs " + ms);
        }
        this.scanIntervalMs = ms;
        return this;
    }

    /**
     * IPVS's {@code sync_threshold}: an entry is sent when its packet count reaches {@code threshold}, then every
     * {@code period} packets (period 0: once).
     *
     * @param packets threshold, 0 &le; threshold &lt; period unless period is 0.
     * @param every   period.
     * @return this.
     */
    public SyncOptions threshold(final int packets, final int every)
    {
        if (packets < 0 || every < 0 || (every > 0 && packets >= every))
        {
            throw new IllegalArgumentException("sync_threshold " + packets + " " + every);
        }
        this.threshold = packets;
        this.period = every;
        return this;
    }

    /**
     * @param profiles the timeout profiles whose timeouts the master announces; by default a {@link SyncDaemon}
     *                 announces its director's (those {@code ipvsadm --set} changes), a bare {@link SyncMaster}
     *                 IPVS's defaults.
     * @return this.
     */
    public SyncOptions timeouts(final ConnectionTimeoutProfiles profiles)
    {
        this.timeouts = Objects.requireNonNull(profiles);
        return this;
    }

    /**
     * @param epochMillis the director's clock (its {@code Context.clock}), which the table's expiry uses.
     * @return this.
     */
    public SyncOptions clock(final LongSupplier epochMillis)
    {
        this.clock = Objects.requireNonNull(epochMillis);
        return this;
    }

    /** @return the syncid. */
    public int syncId()
    {
        return syncId;
    }

    /** @return the multicast interface, or null for unicast. */
    public String interfaceName()
    {
        return interfaceName;
    }

    /** @return the multicast group. */
    public InetAddress group()
    {
        return group;
    }

    /** @return the multicast port. */
    public int port()
    {
        return port;
    }

    /** @return the multicast TTL. */
    public int ttl()
    {
        return ttl;
    }

    /** @return the unicast peer, or null for multicast. */
    public InetSocketAddress peer()
    {
        return peer;
    }

    /** @return the unicast listening address, or null for multicast. */
    public InetSocketAddress bind()
    {
        return bind;
    }

    /** @return the largest datagram. */
    public int maxLength()
    {
        return maxLength;
    }

    /** @return the network namespace, or null. */
    public String networkNamespace()
    {
        return networkNamespace;
    }

    /** @return the scan interval. */
    public long scanIntervalMs()
    {
        return scanIntervalMs;
    }

    /** @return the sync threshold. */
    public int threshold()
    {
        return threshold;
    }

    /** @return the sync period. */
    public int period()
    {
        return period;
    }

    /** @return the timeout profiles announced, or null when none were chosen (see {@link #timeouts(ConnectionTimeoutProfiles)}). */
    public ConnectionTimeoutProfiles timeouts()
    {
        return timeouts;
    }

    /** @return the clock. */
    public LongSupplier clock()
    {
        return clock;
    }

    /** @return true when a transport is chosen. */
    boolean hasTransport()
    {
        return interfaceName != null || peer != null;
    }
}
