package io.lvs4j.forwarder.stats;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.status.CountersManager;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.packet.Malformation;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.core.stats.IpvsStats;

/**
 * Copies the workers' counters into a {@link CountersFile} on the control thread, once a tick: per service and
 * per real server IPVS's five counters (connections, packets and bytes in and out) and their estimated rates, per
 * real server its active, inactive and persistent connections and its weight, and the drops by reason. The keys
 * carry each service's and real server's definition, so {@link CountersFileSnapshot} can list them as ipvsadm
 * does without the director. The workers keep counting in their own regions
 * without contention; readers of the file see totals at most one tick old, as {@code ipvsadm} sees the kernel's.
 * <p>
 * Each counter carries a type id and an 8-byte key (id, field) so a reader finds it without parsing labels; the
 * label reads like ipvsadm ({@code TCP 203.0.113.10:80 -> 192.0.2.11:80 inpkts}).
 */
public final class StatsPublisher
{
    /** Counter type of a service counter; key = service id, field. */
    public static final int TYPE_SERVICE = 1001;
    /** Counter type of a real server counter; key = real server id, field. */
    public static final int TYPE_DESTINATION = 1002;
    /** Counter type of a drop reason; key = reason ordinal, 0. */
    public static final int TYPE_DROP = 1003;
    /** Counter type of a malformation; key = malformation ordinal, 0. */
    public static final int TYPE_MALFORMED = 1004;

    /** Field of a real server counter beyond {@link ForwarderStats}'s five: ESTABLISHED connections. */
    public static final int ACTIVE_CONNS = 5;
    /** Field: the other connections. */
    public static final int INACTIVE_CONNS = 6;
    /** Field: persistence templates. */
    public static final int PERSISTENT_CONNS = 7;
    /** Field: connections per second, IPVS's estimate (services and real servers). */
    public static final int CPS = 8;
    /** Field: packets per second in. */
    public static final int IN_PPS = 9;
    /** Field: packets per second out. */
    public static final int OUT_PPS = 10;
    /** Field: bytes per second in. */
    public static final int IN_BPS = 11;
    /** Field: bytes per second out. */
    public static final int OUT_BPS = 12;
    /** Field: the real server's weight. */
    public static final int WEIGHT = 13;
    /** Fields per counter group. */
    public static final int FIELD_COUNT = 14;

    /** Key layout: the id at 0, the field at 4, then per type: see {@link #serviceAdded} and {@link #destinationAdded}. */
    public static final int KEY_ID = 0;
    /** Key offset of the field. */
    public static final int KEY_FIELD = 4;
    /** Service key: protocol (int). */
    public static final int KEY_PROTOCOL = 8;
    /** Service key: IPv4 virtual address; real server key: its address. */
    public static final int KEY_ADDRESS = 12;
    /** Service key: virtual port; real server key: its port. */
    public static final int KEY_PORT = 16;
    /** Service key: service flags; real server key: the service's id. */
    public static final int KEY_FLAGS_OR_SERVICE = 20;
    /** Service key: persistence timeout (s); real server key: the forwarding method. */
    public static final int KEY_PERSISTENCE_OR_METHOD = 24;
    /** Service key: persistence netmask. */
    public static final int KEY_NETMASK = 28;
    /** Service key: scheduler name, a length byte then ASCII (at most 15). */
    public static final int KEY_SCHEDULER = 32;

    private static final String[] FIELD_NAMES = {"conns", "inpkts", "outpkts", "inbytes", "outbytes",
        "activeconns", "inactconns", "persistconns", "cps", "inpps", "outpps", "inbps", "outbps", "weight"};

    /** What the publisher reads each tick: totals and rates as ipvsadm shows them, and weights. */
    public interface Source
    {
        /**
         * @param serviceId a service id.
         * @return its counters and rates.
         */
        IpvsStats service(int serviceId);

        /**
         * @param destinationId a real server id.
         * @return its counters and rates.
         */
        IpvsStats destination(int destinationId);

        /**
         * @param destinationId a real server id.
         * @return its weight now.
         */
        int weight(int destinationId);
    }

    private final CountersManager counters;
    private final ForwarderStats stats;
    private final DestinationCounters destinations;
    private final int[][] serviceCounters;
    private final int[][] destinationCounters;
    private final int[] dropCounters = new int[DropReason.values().length];
    private final int[] malformedCounters = new int[Malformation.values().length];

    /**
     * A publisher over a counters file.
     *
     * @param file         the file's counters.
     * @param stats        the workers' counters.
     * @param destinations the real servers' connection counts.
     */
    public StatsPublisher(final CountersFile file, final ForwarderStats stats, final DestinationCounters destinations)
    {
        this.counters = file.manager();
        this.stats = stats;
        this.destinations = destinations;
        this.serviceCounters = new int[stats.serviceCapacity()][];
        this.destinationCounters = new int[stats.destinationCapacity()][];
        for (final DropReason r : DropReason.values())
        {
            dropCounters[r.ordinal()] = allocate(TYPE_DROP, r.ordinal(), 0, "drops " + r.name());
        }
        for (final Malformation m : Malformation.values())
        {
            malformedCounters[m.ordinal()] = allocate(TYPE_MALFORMED, m.ordinal(), 0, "malformed " + m.name());
        }
    }

    /**
     * The name of a field as labels carry it.
     *
     * @param field {@link ForwarderStats#CONNS} ... {@link #PERSISTENT_CONNS}.
     * @return {@code conns}, {@code inpkts}, ...
     */
    public static String fieldName(final int field)
    {
        return FIELD_NAMES[field];
    }

    private int allocate(final int type, final int id, final int field, final String label)
    {
        return counters.allocate(label, type, key ->
        {
            key.putInt(0, id);
            key.putInt(4, field);
        });
    }

    /**
     * Adds a service's counters, its definition in their keys so that a reader can list it as ipvsadm does.
     *
     * @param serviceId the service id.
     * @param service   the service (IPv4).
     */
    public void serviceAdded(final int serviceId, final VirtualService service)
    {
        final String name = service.toString();
        final byte[] scheduler = service.scheduler().getBytes(StandardCharsets.US_ASCII);
        final int[] ids = new int[FIELD_COUNT - 4];
        for (int f = 0; f < ids.length; f++)
        {
            final int field = f < 5 ? f : f + 3;
            ids[f] = counters.allocate(name + " " + FIELD_NAMES[field], TYPE_SERVICE, key ->
            {
                key.putInt(KEY_ID, serviceId);
                key.putInt(KEY_FIELD, field);
                key.putInt(KEY_PROTOCOL, service.protocol());
                key.putInt(KEY_ADDRESS, service.addressV4());
                key.putInt(KEY_PORT, service.port());
                key.putInt(KEY_FLAGS_OR_SERVICE, service.flags());
                key.putInt(KEY_PERSISTENCE_OR_METHOD, service.persistenceTimeoutS());
                key.putInt(KEY_NETMASK, service.netmask());
                final int length = Math.min(15, scheduler.length);
                key.putByte(KEY_SCHEDULER, (byte)length);
                key.putBytes(KEY_SCHEDULER + 1, scheduler, 0, length);
            });
        }
        serviceCounters[serviceId] = ids;
    }

    /**
     * Removes a service's counters.
     *
     * @param serviceId the service id.
     */
    public void serviceRemoved(final int serviceId)
    {
        free(serviceCounters[serviceId]);
        serviceCounters[serviceId] = null;
    }

    /**
     * Adds a real server's counters (or keeps them when it comes back with its id).
     *
     * @param destinationId the real server id.
     * @param serviceId     its service's id.
     * @param service       its service.
     * @param server        the real server (IPv4).
     */
    public void destinationAdded(
        final int destinationId, final int serviceId, final VirtualService service, final RealServer server)
    {
        if (destinationCounters[destinationId] != null)
        {
            return;
        }
        final String name = service + " -> " + FlowKey.appendAddress(new StringBuilder(), server.family(),
            server.addressHi(), server.addressLo()).append(':').append(server.port());
        final int[] ids = new int[FIELD_COUNT];
        for (int f = 0; f < FIELD_COUNT; f++)
        {
            final int field = f;
            ids[f] = counters.allocate(name + " " + FIELD_NAMES[f], TYPE_DESTINATION, key ->
            {
                key.putInt(KEY_ID, destinationId);
                key.putInt(KEY_FIELD, field);
                key.putInt(KEY_ADDRESS, server.addressV4());
                key.putInt(KEY_PORT, server.port());
                key.putInt(KEY_FLAGS_OR_SERVICE, serviceId);
                key.putInt(KEY_PERSISTENCE_OR_METHOD, server.method());
            });
        }
        destinationCounters[destinationId] = ids;
    }

    /**
     * Removes a real server's counters.
     *
     * @param destinationId the real server id.
     */
    public void destinationRemoved(final int destinationId)
    {
        free(destinationCounters[destinationId]);
        destinationCounters[destinationId] = null;
    }

    private void free(final int[] ids)
    {
        if (ids != null)
        {
            for (final int id : ids)
            {
                counters.free(id);
            }
        }
    }

    /**
     * Copies the current totals, rates and weights into the file (control thread, once a tick).
     *
     * @param source where they come from.
     */
    public void publish(final Source source)
    {
        for (final DropReason r : DropReason.values())
        {
            counters.setCounterValue(dropCounters[r.ordinal()], stats.drops(r));
        }
        for (final Malformation m : Malformation.values())
        {
            counters.setCounterValue(malformedCounters[m.ordinal()], stats.malformed(m));
        }
        for (int s = 0; s < serviceCounters.length; s++)
        {
            final int[] ids = serviceCounters[s];
            if (ids != null)
            {
                final IpvsStats v = source.service(s);
                set(ids, 0, v.conns(), v.inPackets(), v.outPackets(), v.inBytes(), v.outBytes());
                set(ids, 5, v.cps(), v.inPps(), v.outPps(), v.inBps(), v.outBps());
            }
        }
        for (int d = 0; d < destinationCounters.length; d++)
        {
            final int[] ids = destinationCounters[d];
            if (ids != null)
            {
                final IpvsStats v = source.destination(d);
                set(ids, 0, v.conns(), v.inPackets(), v.outPackets(), v.inBytes(), v.outBytes());
                counters.setCounterValue(ids[ACTIVE_CONNS], destinations.active(d));
                counters.setCounterValue(ids[INACTIVE_CONNS], destinations.inactive(d));
                counters.setCounterValue(ids[PERSISTENT_CONNS], destinations.persistent(d));
                set(ids, CPS, v.cps(), v.inPps(), v.outPps(), v.inBps(), v.outBps());
                counters.setCounterValue(ids[WEIGHT], source.weight(d));
            }
        }
    }

    private void set(final int[] ids, final int from, final long a, final long b, final long c, final long d,
        final long e)
    {
        counters.setCounterValue(ids[from], a);
        counters.setCounterValue(ids[from + 1], b);
        counters.setCounterValue(ids[from + 2], c);
        counters.setCounterValue(ids[from + 3], d);
        counters.setCounterValue(ids[from + 4], e);
    }
}
