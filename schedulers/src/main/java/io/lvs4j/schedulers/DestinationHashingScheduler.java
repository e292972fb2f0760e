package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

/**
 * {@code dh}, destination hashing ({@code ip_vs_dh.c}): a static 256-bucket table maps the packet's destination
 * address to a real server, for cache clusters where one origin address should always reach the same cache.
 * <p>
 * Bucket {@code i} holds the server at list position {@code i mod n} (weights are ignored); the bucket of an
 * address is {@code hash_32(fold(address), 8)}, the top 8 bits of {@code fold(address) * 0x61C88647}, as current
 * kernels compute it (the same {@code hash_32} lblc uses). Older kernels, before {@code ip_vs_dh.c} moved to
 * {@code hash_32}, took the low 8 bits of {@code fold(address) * 2654435761} instead, so their tables map
 * addresses to different buckets than this one. When that server is unavailable, quiesced (weight 0) or
 * overloaded the pick fails: dh has no fallback.
 */
public final class DestinationHashingScheduler extends TableScheduler<TableScheduler.ServerTable>
{
    /** The ipvsadm name. */
    public static final String NAME = "dh";

    /** {@code IP_VS_DH_TAB_BITS}. */
    static final int TABLE_BITS = 8;

    /** Buckets in the table, {@code 2^TABLE_BITS}. */
    static final int TABLE_SIZE = 1 << TABLE_BITS;

    /** {@code GOLDEN_RATIO_32} of {@code include/linux/hash.h}, the multiplier of {@code hash_32}. */
    static final int GOLDEN_RATIO_32 = 0x61C8_8647;

    private static final int USABLE_MASK = DestinationCounters.F_AVAILABLE | DestinationCounters.F_OVERLOAD;

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options unused: dh has no tunables.
     */
    public DestinationHashingScheduler(final SchedulerOptions options)
    {
        super(TABLE_SIZE, new ServerTable(null, null));
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Rebuilds the bucket table ({@code ip_vs_dh_reassign}) and publishes it.
     *
     * @param servers the new list.
     */
    @Override
    public void update(final RealServerList servers)
    {
        final int n = servers.size();
        RealServer[] table = null;
        if (n > 0)
        {
            table = new RealServer[TABLE_SIZE];
            for (int i = 0; i < TABLE_SIZE; i++)
            {
                table[i] = servers.get(i % n);
            }
        }
        publish(new ServerTable(servers, table));
    }

    /**
     * The server of the bucket the flow's destination address hashes to, or null when the list is empty or that
     * server may not take the connection.
     *
     * @param flow  the packet's flow, client to virtual service.
     * @param nowMs unused.
     * @return the server or null.
     */
    @Override
    public RealServer pick(final FlowKey flow, final long nowMs)
    {
        final ServerTable s = state();
        final RealServer[] table = s.table;
        if (table == null)
        {
            return null;
        }
        final RealServer server = table[bucket(RealServer.fold(flow.family(), flow.dstHi(), flow.dstLo()))];
        final int flags = s.list.counters().flags(server.id());
        // one read of the flags: must be AVAILABLE and not OVERLOAD
        if (server.weight() <= 0 || (flags & USABLE_MASK) != DestinationCounters.F_AVAILABLE)
        {
            return null;
        }
        return server;
    }

    /**
     * {@code ip_vs_dh_hashkey}: {@code hash_32(ntohl(addr_fold), IP_VS_DH_TAB_BITS)}.
     *
     * @param addressFold the folded address, host order.
     * @return the bucket.
     */
    static int bucket(final int addressFold)
    {
        return hash32(addressFold, TABLE_BITS);
    }

    /**
     * The kernel's generic {@code hash_32(val, bits)}: the top {@code bits} bits of the 32-bit product
     * {@code val * GOLDEN_RATIO_32}.
     *
     * @param value the value, as an unsigned 32-bit number.
     * @param bits  result width, 1..32.
     * @return the hash, in {@code [0, 2^bits)}.
     */
    static int hash32(final int value, final int bits)
    {
        return (value * GOLDEN_RATIO_32) >>> (32 - bits);
    }
}
