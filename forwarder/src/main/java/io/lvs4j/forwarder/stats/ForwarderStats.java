package io.lvs4j.forwarder.stats;

import java.nio.ByteBuffer;

import org.agrona.BitUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import io.lvs4j.core.packet.Malformation;

/**
 * The forwarder's counters: per worker, per drop reason and malformation, per virtual service and per real
 * server (connections, packets and bytes in and out), like IPVS's per-CPU {@code ip_vs_stats}.
 * <p>
 * Each worker owns a region of one buffer and is its only writer, so counting is a plain add and an ordered
 * store, never a contended atomic; readers (the control plane, a stats page, another process once the buffer
 * is a mapped file) sum the regions. The layout is fixed at creation so that a reader needs only the three
 * capacities to find any counter.
 */
public final class ForwarderStats
{
    /** Connections scheduled. */
    public static final int CONNS = 0;
    /** Packets client to server. */
    public static final int IN_PKTS = 1;
    /** Packets server to client (NAT only, as in IPVS). */
    public static final int OUT_PKTS = 2;
    /** Bytes (IP length) client to server. */
    public static final int IN_BYTES = 3;
    /** Bytes server to client. */
    public static final int OUT_BYTES = 4;
    /** Longs per service or real server entry: five used, padded to a cache line. */
    public static final int FIELDS = 8;

    private static final int REASON_SLOTS = 32;
    private static final int MALFORMATION_SLOTS = 64;

    private final AtomicBuffer buffer;
    private final int workers;
    private final int serviceCapacity;
    private final int destinationCapacity;
    private final int regionLength;
    private final int serviceBase;
    private final int destinationBase;
    private final Worker[] views;

    /**
     * Counters in fresh direct memory.
     *
     * @param workers             worker regions.
     * @param serviceCapacity     service ids 0..capacity-1.
     * @param destinationCapacity real server ids 0..capacity-1.
     */
    public ForwarderStats(final int workers, final int serviceCapacity, final int destinationCapacity)
    {
        this(null, workers, serviceCapacity, destinationCapacity);
    }

    /**
     * Counters over caller-owned memory (for example a mapped counters file), or fresh memory when null.
     *
     * @param memory              at least {@link #requiredBytes} bytes, or null.
     * @param workers             worker regions.
     * @param serviceCapacity     service ids 0..capacity-1.
     * @param destinationCapacity real server ids 0..capacity-1.
     */
    public ForwarderStats(
        final AtomicBuffer memory, final int workers, final int serviceCapacity, final int destinationCapacity)
    {
        if (workers < 1 || serviceCapacity < 1 || destinationCapacity < 1)
        {
            throw new IllegalArgumentException("workers, services and destinations must be positive");
        }
        this.workers = workers;
        this.serviceCapacity = serviceCapacity;
        this.destinationCapacity = destinationCapacity;
        this.serviceBase = (REASON_SLOTS + MALFORMATION_SLOTS) * Long.BYTES;
        this.destinationBase = serviceBase + serviceCapacity * FIELDS * Long.BYTES;
        this.regionLength = BitUtil.align(destinationBase + destinationCapacity * FIELDS * Long.BYTES,
            BitUtil.CACHE_LINE_LENGTH * 2);
        final long need = requiredBytes(workers, serviceCapacity, destinationCapacity);
        if (need > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("counters need " + need + " bytes");
        }
        this.buffer = memory != null ? memory : new UnsafeBuffer(ByteBuffer.allocateDirect((int)need));
        if (buffer.capacity() < need)
        {
            throw new IllegalArgumentException("memory " + buffer.capacity() + " < " + need);
        }
        this.views = new Worker[workers];
        for (int w = 0; w < workers; w++)
        {
            views[w] = new Worker(w * regionLength);
        }
    }

    /**
     * The bytes a layout needs.
     *
     * @param workers             worker regions.
     * @param serviceCapacity     service ids.
     * @param destinationCapacity real server ids.
     * @return bytes.
     */
    public static long requiredBytes(final int workers, final int serviceCapacity, final int destinationCapacity)
    {
        final long base = (REASON_SLOTS + MALFORMATION_SLOTS + (long)(serviceCapacity + destinationCapacity) * FIELDS) *
            Long.BYTES;
        return (long)workers * BitUtil.align((int)base, BitUtil.CACHE_LINE_LENGTH * 2);
    }

    /**
     * The writer view of one worker's region; only that worker may use it.
     *
     * @param worker the worker index.
     * @return the view.
     */
    public Worker worker(final int worker)
    {
        return views[worker];
    }

    /** @return how many worker regions there are. */
    public int workers()
    {
        return workers;
    }

    /** @return service ids available. */
    public int serviceCapacity()
    {
        return serviceCapacity;
    }

    /** @return real server ids available. */
    public int destinationCapacity()
    {
        return destinationCapacity;
    }

    /**
     * The drops counted under a reason, summed over workers.
     *
     * @param reason the reason.
     * @return the count.
     */
    public long drops(final DropReason reason)
    {
        return sum(reason.ordinal() * Long.BYTES);
    }

    /**
     * Malformed frames of one kind, summed over workers.
     *
     * @param malformation the kind.
     * @return the count.
     */
    public long malformed(final Malformation malformation)
    {
        return sum((REASON_SLOTS + malformation.ordinal()) * Long.BYTES);
    }

    /**
     * A service's counter, summed over workers.
     *
     * @param serviceId the service id.
     * @param field     {@link #CONNS}, {@link #IN_PKTS}, ...
     * @return the count.
     */
    public long service(final int serviceId, final int field)
    {
        return sum(serviceBase + (serviceId * FIELDS + field) * Long.BYTES);
    }

    /**
     * A real server's counter, summed over workers.
     *
     * @param destinationId the real server id.
     * @param field         {@link #CONNS}, {@link #IN_PKTS}, ...
     * @return the count.
     */
    public long destination(final int destinationId, final int field)
    {
        return sum(destinationBase + (destinationId * FIELDS + field) * Long.BYTES);
    }

    /**
     * Zeroes a service's counters before its id is (re)used; call before the workers can see the service.
     *
     * @param serviceId the id.
     */
    public void resetService(final int serviceId)
    {
        reset(serviceBase + serviceId * FIELDS * Long.BYTES);
    }

    /**
     * Zeroes a real server's counters before its id is (re)used; call before the workers can see it.
     *
     * @param destinationId the id.
     */
    public void resetDestination(final int destinationId)
    {
        reset(destinationBase + destinationId * FIELDS * Long.BYTES);
    }

    private void reset(final int offset)
    {
        for (int w = 0; w < workers; w++)
        {
            for (int f = 0; f < FIELDS; f++)
            {
                buffer.putLongVolatile(w * regionLength + offset + f * Long.BYTES, 0);
            }
        }
    }

    private long sum(final int offset)
    {
        long total = 0;
        for (int w = 0; w < workers; w++)
        {
            total += buffer.getLongVolatile(w * regionLength + offset);
        }
        return total;
    }

    /** @return the memory holding the counters. */
    public AtomicBuffer buffer()
    {
        return buffer;
    }

    /**
     * One worker's counters: single writer, plain add plus ordered store.
     */
    public final class Worker
    {
        private final int base;

        private Worker(final int base)
        {
            this.base = base;
        }

        private void add(final int offset, final long delta)
        {
            final int at = base + offset;
            buffer.putLongRelease(at, buffer.getLong(at) + delta);
        }

        /**
         * Counts a drop.
         *
         * @param reason why.
         */
        public void drop(final DropReason reason)
        {
            add(reason.ordinal() * Long.BYTES, 1);
        }

        /**
         * Counts a malformed frame (also under {@link DropReason#MALFORMED}).
         *
         * @param malformation what was wrong.
         */
        public void malformed(final Malformation malformation)
        {
            add(DropReason.MALFORMED.ordinal() * Long.BYTES, 1);
            add((REASON_SLOTS + malformation.ordinal()) * Long.BYTES, 1);
        }

        /**
         * Counts a new connection for a service and a real server.
         *
         * @param serviceId     the service.
         * @param destinationId the real server.
         */
        public void connection(final int serviceId, final int destinationId)
        {
            if (serviceId < 0)
            {
                return;
            }
            add(serviceBase + (serviceId * FIELDS + CONNS) * Long.BYTES, 1);
            add(destinationBase + (destinationId * FIELDS + CONNS) * Long.BYTES, 1);
        }

        /**
         * Counts a client-to-server packet.
         *
         * @param serviceId     the service; negative for a real server deleted since (not counted).
         * @param destinationId the real server.
         * @param bytes         its IP length.
         */
        public void inbound(final int serviceId, final int destinationId, final int bytes)
        {
            if (serviceId < 0)
            {
                // a connection of a real server deleted since: IPVS keeps no stats for it either
                return;
            }
            final int s = serviceBase + serviceId * FIELDS * Long.BYTES;
            final int d = destinationBase + destinationId * FIELDS * Long.BYTES;
            add(s + IN_PKTS * Long.BYTES, 1);
            add(s + IN_BYTES * Long.BYTES, bytes);
            add(d + IN_PKTS * Long.BYTES, 1);
            add(d + IN_BYTES * Long.BYTES, bytes);
        }

        /**
         * Counts a server-to-client packet.
         *
         * @param serviceId     the service; negative for a real server deleted since (not counted).
         * @param destinationId the real server.
         * @param bytes         its IP length.
         */
        public void outbound(final int serviceId, final int destinationId, final int bytes)
        {
            if (serviceId < 0)
            {
                return;
            }
            final int s = serviceBase + serviceId * FIELDS * Long.BYTES;
            final int d = destinationBase + destinationId * FIELDS * Long.BYTES;
            add(s + OUT_PKTS * Long.BYTES, 1);
            add(s + OUT_BYTES * Long.BYTES, bytes);
            add(d + OUT_PKTS * Long.BYTES, 1);
            add(d + OUT_BYTES * Long.BYTES, bytes);
        }
    }
}
