package io.lvs4j.forwarder.stats;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.ipvsadm.DestinationEntry;
import io.lvs4j.core.ipvsadm.IpvsSnapshot;
import io.lvs4j.core.ipvsadm.ServiceEntry;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.core.stats.IpvsStats;

/**
 * Rebuilds what {@code ipvsadm -L} lists from a director's counters file, in another process and without the
 * director: services and real servers from the counters' keys, counts, rates and weights from their values. What
 * the file does not hold (thresholds, tunnel options) is left at its default.
 */
public final class CountersFileSnapshot
{
    private CountersFileSnapshot()
    {
    }

    /**
     * Reads a snapshot.
     *
     * @param reader the counters file.
     * @return the services and real servers with their counters, in the order the director added them.
     */
    public static IpvsSnapshot read(final CountersFile.Reader reader)
    {
        final Map<Integer, long[]> serviceValues = new TreeMap<>();
        final Map<Integer, VirtualService> services = new TreeMap<>();
        final Map<Integer, long[]> destinationValues = new TreeMap<>();
        final Map<Integer, int[]> destinationKeys = new TreeMap<>();
        reader.counters().forEach((counterId, typeId, key, label) ->
        {
            final int id = key.getInt(StatsPublisher.KEY_ID);
            final int field = key.getInt(StatsPublisher.KEY_FIELD);
            final long value = reader.counters().getCounterValue(counterId);
            if (typeId == StatsPublisher.TYPE_SERVICE)
            {
                serviceValues.computeIfAbsent(id, i -> new long[StatsPublisher.FIELD_COUNT])[field] = value;
                services.computeIfAbsent(id, i ->
                {
                    final int length = key.getByte(StatsPublisher.KEY_SCHEDULER);
                    final byte[] name = new byte[length];
                    key.getBytes(StatsPublisher.KEY_SCHEDULER + 1, name);
                    return new VirtualService(FlowKey.AF_INET, key.getInt(StatsPublisher.KEY_PROTOCOL), 0,
                        key.getInt(StatsPublisher.KEY_ADDRESS) & 0xFFFF_FFFFL, key.getInt(StatsPublisher.KEY_PORT), 0,
                        new String(name, StandardCharsets.US_ASCII),
                        key.getInt(StatsPublisher.KEY_FLAGS_OR_SERVICE),
                        key.getInt(StatsPublisher.KEY_PERSISTENCE_OR_METHOD), key.getInt(StatsPublisher.KEY_NETMASK));
                });
            }
            else if (typeId == StatsPublisher.TYPE_DESTINATION)
            {
                destinationValues.computeIfAbsent(id, i -> new long[StatsPublisher.FIELD_COUNT])[field] = value;
                destinationKeys.computeIfAbsent(id, i -> new int[] {
                    key.getInt(StatsPublisher.KEY_FLAGS_OR_SERVICE), key.getInt(StatsPublisher.KEY_ADDRESS),
                    key.getInt(StatsPublisher.KEY_PORT), key.getInt(StatsPublisher.KEY_PERSISTENCE_OR_METHOD)});
            }
        });
        final List<ServiceEntry> entries = new ArrayList<>();
        for (final Map.Entry<Integer, VirtualService> s : services.entrySet())
        {
            final List<DestinationEntry> destinations = new ArrayList<>();
            for (final Map.Entry<Integer, int[]> d : destinationKeys.entrySet())
            {
                final int[] k = d.getValue();
                if (k[0] != s.getKey())
                {
                    continue;
                }
                final long[] v = destinationValues.get(d.getKey());
                final int weight = (int)v[StatsPublisher.WEIGHT];
                final RealServer server = new RealServer(d.getKey(), FlowKey.AF_INET, 0, k[1] & 0xFFFF_FFFFL, k[2],
                    weight, weight, k[3], 0, 0);
                // the director lists its real servers newest first
                destinations.add(0, DestinationEntry.of(server)
                    .withConnections((int)v[StatsPublisher.ACTIVE_CONNS], (int)v[StatsPublisher.INACTIVE_CONNS],
                        (int)v[StatsPublisher.PERSISTENT_CONNS])
                    .withStats(stats(v, 0, StatsPublisher.CPS)));
            }
            final long[] v = serviceValues.get(s.getKey());
            entries.add(new ServiceEntry(s.getValue(), "", destinations, stats(v, 0, StatsPublisher.CPS)));
        }
        return new IpvsSnapshot(IpvsSnapshot.DEFAULT_TABLE_SIZE, entries);
    }

    private static IpvsStats stats(final long[] v, final int counts, final int rates)
    {
        return new IpvsStats(v[counts], v[counts + 1], v[counts + 2], v[counts + 3], v[counts + 4], v[rates],
            v[rates + 1], v[rates + 2], v[rates + 3], v[rates + 4]);
    }
}
