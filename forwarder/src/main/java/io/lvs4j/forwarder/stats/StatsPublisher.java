package io.lvs4j.forwarder.stats;

import org.agrona.concurrent.status.CountersManager;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.packet.Malformation;

/**
 * Copies the workers' counters into a {@link CountersFile} on the control thread, once a tick: per service and
 * per real server IPVS's five counters (connections, packets and bytes in and out), per real server its active,
 * inactive and persistent connections, and the drops by reason. The workers keep counting in their own regions
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

    private static final String[] FIELD_NAMES =
        {"conns", "inpkts", "outpkts", "inbytes", "outbytes", "activeconns", "inactconns", "persistconns"};

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
     * Adds a service's counters.
     *
     * @param serviceId the service id.
     * @param name      how ipvsadm names it ({@code TCP 203.0.113.10:80}).
     */
    public void serviceAdded(final int serviceId, final String name)
    {
        serviceCounters[serviceId] = allocateFields(TYPE_SERVICE, serviceId, name, 5);
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
     * @param name          {@code TCP 203.0.113.10:80 -> 192.0.2.11:80}.
     */
    public void destinationAdded(final int destinationId, final String name)
    {
        if (destinationCounters[destinationId] == null)
        {
            destinationCounters[destinationId] = allocateFields(TYPE_DESTINATION, destinationId, name, 8);
        }
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

    private int[] allocateFields(final int type, final int id, final String name, final int fields)
    {
        final int[] ids = new int[fields];
        for (int f = 0; f < fields; f++)
        {
            ids[f] = allocate(type, id, f, name + " " + FIELD_NAMES[f]);
        }
        return ids;
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

    /** Copies the current totals into the file (control thread, once a tick). */
    public void publish()
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
                for (int f = 0; f < ids.length; f++)
                {
                    counters.setCounterValue(ids[f], stats.service(s, f));
                }
            }
        }
        for (int d = 0; d < destinationCounters.length; d++)
        {
            final int[] ids = destinationCounters[d];
            if (ids != null)
            {
                for (int f = 0; f < ForwarderStats.FIELDS - 3; f++)
                {
                    counters.setCounterValue(ids[f], stats.destination(d, f));
                }
                counters.setCounterValue(ids[ACTIVE_CONNS], destinations.active(d));
                counters.setCounterValue(ids[INACTIVE_CONNS], destinations.inactive(d));
                counters.setCounterValue(ids[PERSISTENT_CONNS], destinations.persistent(d));
            }
        }
    }
}
