package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.util.Objects;

/**
 * {@code lvs_sync_daemon <IF> [[inst] <VRRP_INSTANCE>] [id <SYNC_ID>] [maxlen <LEN>] [port <PORT>] [ttl <TTL>]
 * [group <IP>]}: the connection synchronisation daemon, following a VRRP instance (master daemon while MASTER)
 * or, without one, running both master and backup daemons.
 *
 * @param interfaceName the interface the sync messages use.
 * @param instance      the VRRP instance it follows, null for none.
 * @param syncId        the sync id 0..255, or {@link #UNSET_SYNC_ID} when not given: keepalived then uses the
 *                      followed instance's {@code virtual_router_id}, or 0 without an instance.
 * @param maxLength     the largest message, 0 for the kernel's choice (from the MTU).
 * @param port          the UDP port, 8848 by default.
 * @param ttl           the multicast TTL, 1 by default.
 * @param group         the multicast group, null for the default 224.0.0.81.
 */
public record LvsSyncDaemon(
    String interfaceName, String instance, int syncId, int maxLength, int port, int ttl, InetAddress group)
{
    /** {@link #syncId} when the file gives none. */
    public static final int UNSET_SYNC_ID = -1;

    /** IPVS's sync port. */
    public static final int DEFAULT_PORT = 8848;

    /**
     * Checks the fields.
     *
     * @param interfaceName the interface.
     * @param instance      the instance or null.
     * @param syncId        the id.
     * @param maxLength     the message size or 0.
     * @param port          the port.
     * @param ttl           the TTL.
     * @param group         the group or null.
     */
    public LvsSyncDaemon
    {
        Objects.requireNonNull(interfaceName, "interfaceName");
    }
}
