package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.core.service.ServiceFlags;

/**
 * {@code sh}, source hashing ({@code ip_vs_sh.c}): a static table of {@code 2^shTableBits} buckets maps the
 * client's address (and port with {@code sh-port}) to a real server, so that a client keeps its server without a
 * persistence template.
 * <p>
 * The table is filled by walking the list cyclically, each server taking {@code weight} consecutive buckets (a
 * weight-0 server still takes one per lap), and is rebuilt on every change, so any edit reshuffles clients. The
 * bucket of a client is {@code (offset + hash_32(port + fold(address), bits)) & mask}, {@code bits} being the
 * table size exponent, as current kernels compute it (the same {@code hash_32} lblc uses: the top {@code bits} bits
 * of the product with {@code 0x61C88647}). Older kernels, before {@code ip_vs_sh.c} moved to {@code hash_32}, used
 * {@code (offset + (port + fold(address)) * 2654435761) & mask}, the low bits of the product, so their tables map
 * clients to different buckets than this one. When the bucket's server is quiesced or overloaded the pick fails,
 * unless {@code sh-fallback} is set: then the kernel's deterministic probe sequence is followed to the first usable
 * server.
 */
public final class SourceHashingScheduler extends TableScheduler<TableScheduler.ServerTable>
{
    /** The ipvsadm name. */
    public static final String NAME = "sh";

    /** Smallest table size exponent the kernel's Kconfig allows. */
    public static final int MIN_TABLE_BITS = 4;
    /** Largest table size exponent the kernel's Kconfig allows. */
    public static final int MAX_TABLE_BITS = 20;

    private final int bits;
    private final int mask;
    private final boolean fallback;
    private final boolean usePort;

    /**
     * Creates the scheduler with an empty list.
     *
     * @param options {@link SchedulerOptions#shTableBits()} and the {@code sh-fallback}/{@code sh-port} flags.
     * @throws IllegalArgumentException when the table bits are outside 4..20.
     */
    public SourceHashingScheduler(final SchedulerOptions options)
    {
        super(checkedSize(options.shTableBits()), new ServerTable(null, null));
        bits = options.shTableBits();
        mask = tableSize() - 1;
        fallback = (options.serviceFlags() & ServiceFlags.SH_FALLBACK) != 0;
        usePort = (options.serviceFlags() & ServiceFlags.SH_PORT) != 0;
    }

    /**
     * @param bits the table size exponent.
     * @return the table size, {@code 2^bits}.
     * @throws IllegalArgumentException when {@code bits} is outside what the kernel allows.
     */
    private static int checkedSize(final int bits)
    {
        if (bits < MIN_TABLE_BITS || bits > MAX_TABLE_BITS)
        {
            throw new IllegalArgumentException("sh table bits " + bits + " outside " + MIN_TABLE_BITS + ".." +
                MAX_TABLE_BITS);
        }
        return 1 << bits;
    }

    /** {@inheritDoc} */
    @Override
    public String name()
    {
        return NAME;
    }

    /**
     * Rebuilds the bucket table ({@code ip_vs_sh_reassign}) and publishes it.
     *
     * @param servers the new list.
     */
    @Override
    public void update(final RealServerList servers)
    {
        publish(new ServerTable(servers, buildTable(servers, tableSize())));
    }

    /**
     * {@code ip_vs_sh_reassign}: walk the list cyclically; a server stays for {@code weight} consecutive buckets
     * (the counter is checked after each bucket, so weight 0 or 1 both give one bucket).
     *
     * @param servers the list.
     * @param size    number of buckets.
     * @return the table, or null for an empty list.
     */
    static RealServer[] buildTable(final RealServerList servers, final int size)
    {
        final int n = servers.size();
        if (n == 0)
        {
            return null;
        }
        final RealServer[] table = new RealServer[size];
        int p = 0;
        int count = 0;
        for (int i = 0; i < size; i++)
        {
            table[i] = servers.get(p);
            if (++count >= servers.weight(p))
            {
                p = p + 1 == n ? 0 : p + 1;
                count = 0;
            }
        }
        return table;
    }

    /**
     * The server of the client's bucket ({@code ip_vs_sh_get}), or with {@code sh-fallback} the first usable one of
     * the probe sequence ({@code ip_vs_sh_get_fallback}).
     *
     * @param flow  the packet's flow, client to virtual service (reversed by the caller for the inverse cases).
     * @param nowMs unused.
     * @return the server, or null when none may take the connection.
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
        final int port = usePort ? portOf(flow) : 0;
        final int key = port + RealServer.fold(flow.family(), flow.srcHi(), flow.srcLo());
        final int ihash = hashKey(key, 0, bits);
        RealServer server = table[ihash];
        if (isUsable(s.list, server))
        {
            return server;
        }
        if (!fallback)
        {
            return null;
        }
        // loop around the table from the original bucket, rehashing with each offset, as the kernel does
        for (int offset = 0, size = table.length; offset < size; offset++)
        {
            final int roffset = (offset + ihash) & mask;
            server = table[hashKey(key, roffset, bits)];
            if (isUsable(s.list, server))
            {
                return server;
            }
        }
        return null;
    }

    /**
     * {@code ip_vs_sh_hashkey} with the port already added to the folded address:
     * {@code (offset + hash_32(ntohs(port) + ntohl(addr_fold), IP_VS_SH_TAB_BITS)) & IP_VS_SH_TAB_MASK}.
     *
     * @param portPlusAddress {@code ntohs(port) + ntohl(addr_fold)}, 32-bit wrapping.
     * @param offset          the probe offset, 0 for the first try.
     * @param bits            the table size exponent.
     * @return the bucket.
     */
    static int hashKey(final int portPlusAddress, final int offset, final int bits)
    {
        return (offset + DestinationHashingScheduler.hash32(portPlusAddress, bits)) & ((1 << bits) - 1);
    }

    /**
     * The client port as {@code ip_vs_sh_get_port} takes it: only TCP, UDP and SCTP have one.
     *
     * @param flow the flow.
     * @return the source port or 0.
     */
    static int portOf(final FlowKey flow)
    {
        final int protocol = flow.protocol();
        return protocol == IpProtocol.TCP || protocol == IpProtocol.UDP || protocol == IpProtocol.SCTP ?
            flow.srcPort() : 0;
    }

    private static boolean isUsable(final RealServerList list, final RealServer server)
    {
        return server.weight() > 0 && !list.counters().isOverloaded(server.id());
    }
}
