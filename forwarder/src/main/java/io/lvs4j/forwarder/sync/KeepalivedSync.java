package io.lvs4j.forwarder.sync;

import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.LvsSyncDaemon;
import io.lvs4j.core.config.keepalived.VrrpInstance;
import io.lvs4j.forwarder.Director;

/**
 * The connection sync a keepalived configuration asks for, as keepalived 2.x reads it: {@code global_defs {
 * lvs_sync_daemon IF [[inst] INSTANCE] [id N] [maxlen N] [port N] [ttl N] [group IP] }}, or the deprecated
 * {@code lvs_sync_daemon_interface IF} of a {@code vrrp_instance} (the first one, when the global keyword is absent).
 * With an instance the daemon follows it: master daemon while the instance is MASTER, backup daemon otherwise; the
 * syncid defaults to the instance's {@code virtual_router_id}; an instance that does not exist clears the setting
 * (keepalived: "Unable to find vrrp instance ... clearing lvs_syncd config"). Without an instance master and backup
 * daemons run together, syncid 0. Transport is IPVS's multicast (keepalived has no unicast option): group
 * 224.0.0.81 or {@code group}, port 8848 or {@code port}, TTL 1 or {@code ttl}, on the interface IF.
 *
 * @param interfaceName the sync interface.
 * @param instance      the VRRP instance followed, or null for both daemons.
 * @param syncId        the resolved syncid.
 * @param maxLength     the largest datagram ({@code maxlen}, at least one IPv6 entry), 0 for IPVS's 1472.
 * @param port          the UDP port.
 * @param ttl           the multicast TTL.
 * @param group         the multicast group, null for 224.0.0.81.
 */
public record KeepalivedSync(
    String interfaceName, String instance, int syncId, int maxLength, int port, int ttl, InetAddress group)
{
    private static final Logger LOG = LoggerFactory.getLogger(KeepalivedSync.class);
    /** How often a daemon that follows a role looks at it. */
    public static final long ROLE_POLL_MS = 50;

    /** Checks the interface. */
    public KeepalivedSync
    {
        Objects.requireNonNull(interfaceName, "interfaceName");
    }

    /**
     * What a configuration asks for.
     *
     * @param config   the configuration.
     * @param warnings receives one line per setting that is ignored (may be null).
     * @return the sync to run, or null for none.
     */
    public static KeepalivedSync of(final KeepalivedConfig config, final List<String> warnings)
    {
        final List<String> out = warnings != null ? warnings : new ArrayList<>();
        final LvsSyncDaemon global = config.globalDefs().lvsSyncDaemon();
        String iface = null;
        VrrpInstance followed = null;
        LvsSyncDaemon options = null;
        if (global != null)
        {
            iface = global.interfaceName();
            options = global;
            if (global.instance() != null)
            {
                followed = instance(config, global.instance());
                if (followed == null)
                {
                    out.add("lvs_sync_daemon: no vrrp_instance " + global.instance() + "; no connection sync, as " +
                        "keepalived clears the setting");
                    return null;
                }
            }
        }
        for (final VrrpInstance i : config.vrrpInstances())
        {
            if (i.lvsSyncDaemonInterface() == null)
            {
                continue;
            }
            if (iface != null)
            {
                out.add("vrrp_instance " + i.name() + ": lvs_sync_daemon_interface " + i.lvsSyncDaemonInterface() +
                    " ignored: the sync interface is already " + iface);
                continue;
            }
            iface = i.lvsSyncDaemonInterface();
            followed = i;
        }
        if (iface == null)
        {
            return null;
        }
        int syncId = options != null ? options.syncId() : LvsSyncDaemon.UNSET_SYNC_ID;
        if (syncId == LvsSyncDaemon.UNSET_SYNC_ID)
        {
            syncId = followed != null ? followed.virtualRouterId() : 0;
        }
        int maxLength = options != null ? options.maxLength() : 0;
        final int smallest = SyncMessageWriter.HEADER_LENGTH + SyncMessageWriter.V6_ENTRY_LENGTH;
        if (maxLength != 0 && maxLength < smallest)
        {
            out.add("lvs_sync_daemon: maxlen " + maxLength + " raised to " + smallest + " (one IPv6 entry)");
            maxLength = smallest;
        }
        return new KeepalivedSync(iface, followed != null ? followed.name() : null, syncId, maxLength,
            options != null ? options.port() : SyncOptions.DEFAULT_PORT, options != null ? options.ttl() : 1,
            options != null ? options.group() : null);
    }

    private static VrrpInstance instance(final KeepalivedConfig config, final String name)
    {
        for (final VrrpInstance i : config.vrrpInstances())
        {
            if (i.name().equals(name))
            {
                return i;
            }
        }
        return null;
    }

    /**
     * The daemon's options.
     *
     * @param networkNamespace the director's namespace, or null.
     * @return multicast options for this setting.
     */
    public SyncOptions options(final String networkNamespace)
    {
        final SyncOptions o = new SyncOptions().multicast(interfaceName).syncId(syncId).ttl(ttl)
            .networkNamespace(networkNamespace);
        if (group != null || port != SyncOptions.DEFAULT_PORT)
        {
            o.group(group != null ? group : o.group(), port);
        }
        if (maxLength != 0)
        {
            o.maxLength(maxLength);
        }
        return o;
    }

    /**
     * Starts the daemon: following the instance's role (asked of {@code instanceIsMaster}), or both sides.
     *
     * @param director         the director whose table is synced.
     * @param networkNamespace its namespace, or null.
     * @param instanceIsMaster whether a VRRP instance is MASTER now, by name.
     * @return the running daemon.
     * @throws IOException when a socket cannot be opened (no such interface, no address on it).
     */
    public SyncDaemon start(final Director director, final String networkNamespace,
        final Predicate<String> instanceIsMaster) throws IOException
    {
        final SyncOptions o = options(networkNamespace);
        final SyncDaemon daemon = instance == null ? SyncDaemon.both(director, o) :
            SyncDaemon.following(director, o, () -> instanceIsMaster.test(instance), ROLE_POLL_MS);
        LOG.info("lvs_sync_daemon on {}: {}, syncid {}, group {}:{}, ttl {}", interfaceName,
            instance == null ? "master and backup" : "following " + instance, syncId, o.group().getHostAddress(),
            o.port(), ttl);
        return daemon;
    }
}
