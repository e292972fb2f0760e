package io.lvs4j.core.conn;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static io.lvs4j.core.conn.ConnectionTable.EXISTS;
import static io.lvs4j.core.conn.ConnectionTable.INSERTED;
import static io.lvs4j.core.conn.ConnectionTable.REFUSED_FULL;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What only {@link OffHeapConnectionTable} promises: probe chains over tombstones, tombstone reuse and clean-up,
 * bounded probing, region sizes, and tables over caller memory (a mapped file). Keys that share a home slot are
 * found by hashing with the table's (fixed, test-chosen) seed.
 */
class OffHeapConnectionTableInternalsTest
{
    private static final long SEED = 42;
    private static final long T0 = 1_000_000;
    private static final int CLIENT = 0xC633_6407;
    private static final int VIP = 0xCB00_710A;
    private static final int RIP = 0xC000_020B;

    private DestinationCounters counters;
    private ConnectionTimeoutProfiles profiles;
    private OffHeapConnectionTable table;
    private final FlowKey key = new FlowKey();

    @BeforeEach
    void setUp()
    {
        counters = new DestinationCounters(4);
        counters.reset(1, 0, 0);
        profiles = new ConnectionTimeoutProfiles();
        table = new OffHeapConnectionTable(64, 16, 128, 8, SEED, counters, profiles);
    }

    @AfterEach
    void tearDown()
    {
        table.close();
    }

    @Test
    void sizesAreRoundedUpToPowersOfTwo()
    {
        try (OffHeapConnectionTable t = new OffHeapConnectionTable(100, 20, 300, 1000, SEED, counters, profiles))
        {
            assertEquals(128, t.v4Slots());
            assertEquals(32, t.v6Slots());
            assertEquals(512, t.replySlots());
            assertEquals(128 + 32, t.capacity());
            assertEquals(128, t.maxProbe(), "the probe bound never exceeds a region");
        }
        assertThrows(IllegalArgumentException.class,
            () -> new OffHeapConnectionTable(0, 16, 16, 8, SEED, counters, profiles));
        assertThrows(IllegalArgumentException.class,
            () -> new OffHeapConnectionTable(
                OffHeapConnectionTable.MAX_V4_SLOTS + 1, 16, 16, 8, SEED, counters, profiles));
    }

    @Test
    void convenienceSizingKeepsLoadAtThreeQuartersAtMost()
    {
        try (OffHeapConnectionTable t = new OffHeapConnectionTable(1 << 16, counters, profiles))
        {
            assertEquals(1 << 17, t.v4Slots(), "65,536 entries need more than 65,536 slots");
            assertEquals(1 << 15, t.v6Slots());
            assertEquals(1 << 18, t.replySlots());
        }
        try (OffHeapConnectionTable t = new OffHeapConnectionTable(40_000, counters, profiles))
        {
            assertEquals(1 << 16, t.v4Slots());
        }
    }

    @Test
    void probesPastTombstonesAndReusesThem()
    {
        final int[] ports = portsWithOneHome(3);
        final ConnectionCursor a = table.newCursor();
        assertEquals(INSERTED, table.insert(dr(ports[0]), null, T0, a));
        assertEquals(INSERTED, table.insert(dr(ports[1]), null, T0, table.newCursor()));
        assertTrue(table.remove(a));
        assertEquals(1, table.tombstones());
        assertTrue(found(ports[1]), "the chain runs on past the tombstone");

        assertEquals(INSERTED, table.insert(dr(ports[2]), null, T0, table.newCursor()));
        assertEquals(0, table.tombstones(), "the insert took the tombstone nearest home");
        assertTrue(found(ports[1]));
        assertTrue(found(ports[2]));
        assertFalse(found(ports[0]));
    }

    @Test
    void tombstonesAreCleanedAtTheEndOfAChainOnly()
    {
        final int[] ports = portsWithOneHome(3);
        final ConnectionCursor[] c = new ConnectionCursor[3];
        for (int i = 0; i < 3; i++)
        {
            c[i] = table.newCursor();
            assertEquals(INSERTED, table.insert(dr(ports[i]), null, T0, c[i]));
            table.onPacket(c[i], false, TcpStateMachine.TCP_SYN, 60, T0);
        }
        assertTrue(table.remove(c[0]));
        assertTrue(table.remove(c[1]));
        table.sweep(T0, Integer.MAX_VALUE);
        assertEquals(2, table.tombstones(), "a live entry further on keeps the chain's tombstones");
        assertTrue(found(ports[2]));

        assertTrue(table.remove(c[2]));
        assertEquals(0, table.tombstones(),
            "removing the last entry of the chain cleans the whole run of tombstones before the EMPTY slot at once");
        assertEquals(0, table.size());
    }

    @Test
    void churnThatLeavesTombstonesEverywhereKeepsEveryKeyFindableAndUnique()
    {
        // 1024 slots, half live; then insert/remove churn of fresh keys: the holes in front of live entries turn
        // into tombstones that never become EMPTY, so scans are bounded by the farthest placement instead.
        final OffHeapConnectionTable churned = new OffHeapConnectionTable(1024, 16, 2048, 64, SEED, counters, profiles);
        final ConnectionCursor cursor = churned.newCursor();
        for (int port = 0; port < 512; port++)
        {
            assertEquals(INSERTED, churned.insert(dr(port), null, T0, cursor));
        }
        for (int round = 0; round < 20_000; round++)
        {
            final int port = 1024 + (round % 30_000);
            assertEquals(INSERTED, churned.insert(dr(port), null, T0, cursor), "round " + round);
            assertTrue(churned.remove(cursor));
        }
        assertTrue(churned.tombstones() > 0, "the churn left tombstones: " + churned.tombstones());
        for (int port = 0; port < 512; port++)
        {
            assertTrue(churned.findIn(key.setV4(IpProtocol.TCP, CLIENT, port, VIP, 80), T0, cursor), "port " + port);
            assertEquals(EXISTS, churned.insert(dr(port), null, T0, cursor), "port " + port);
        }
        assertEquals(512, churned.size());
        assertEquals(0, churned.stats().refusedFull());
        churned.close();
    }

    @Test
    void boundedProbingRefusesAChainThatIsFullEvenInAnEmptyTable()
    {
        final int[] ports = portsWithOneHome(9);
        for (int i = 0; i < 8; i++)
        {
            assertEquals(INSERTED, table.insert(dr(ports[i]), null, T0, table.newCursor()));
        }
        assertEquals(REFUSED_FULL, table.insert(dr(ports[8]), null, T0, table.newCursor()));
        assertEquals(1, table.stats().refusedFull());
        assertEquals(8, table.size(), "8 of 64 slots used: the bound, not the capacity, refused");
        final long later = T0 + ConnectionTimeouts.NEW_ENTRY_MS;
        assertEquals(INSERTED, table.insert(dr(ports[8]), null, later, table.newCursor()));
        assertEquals(1, table.stats().reclaimedOnInsert());
    }

    @Test
    void replyIndexFollowsItsEntries()
    {
        final ConnectionCursor c = table.newCursor();
        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(INSERTED, table.insert(nat(40_000 + (i % 50)), null, T0, c), "round " + i);
            assertTrue(table.findOut(key.setV4(IpProtocol.TCP, RIP, 8080, CLIENT, 40_000 + (i % 50)), T0, c));
            assertTrue(table.remove(c));
        }
        assertTrue(table.replyTombstones() <= table.replySlots());
        table.sweep(T0, Integer.MAX_VALUE);
        assertEquals(0, table.replyTombstones());
        assertEquals(0, table.tombstones());
    }

    @Test
    void worksOverAMappedFile(@TempDir final Path dir)
    {
        final long bytes = OffHeapConnectionTable.requiredBytes(256, 64, 512);
        final File file = dir.resolve("connections.table").toFile();
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file, bytes);
        try
        {
            final UnsafeBuffer memory = new UnsafeBuffer(mapped);
            try (OffHeapConnectionTable t =
                new OffHeapConnectionTable(memory, 256, 64, 512, 8, SEED, counters, profiles))
            {
                final ConnectionCursor c = t.newCursor();
                assertEquals(INSERTED, t.insert(nat(40_000), null, T0, c));
                assertTrue(t.findIn(key.setV4(IpProtocol.TCP, CLIENT, 40_000, VIP, 80), T0, c));
                assertTrue(t.findOut(key.setV4(IpProtocol.TCP, RIP, 8080, CLIENT, 40_000), T0, c));
                assertEquals(1, counters.inactive(1));
            }
        }
        finally
        {
            IoUtil.unmap(mapped);
        }
    }

    @Test
    void prefetchReadsTheHomeSlotAndChangesNothing()
    {
        final ConnectionCursor c = table.newCursor();
        assertEquals(INSERTED, table.insert(nat(40_000), null, T0, c));
        final FlowKey in = new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40_000, VIP, 80);
        final FlowKey out = new FlowKey().setV4(IpProtocol.TCP, RIP, 8080, CLIENT, 40_000);
        long sink = 0;
        for (int i = 0; i < 3; i++)
        {
            sink += table.prefetchIn(in) + table.prefetchOut(out);
            sink += table.prefetchIn(new FlowKey().setV6(IpProtocol.TCP, 1, 2, 3, 4, 5, 6));
        }
        assertTrue(table.findIn(in, T0, c), "sink " + sink);
        assertTrue(table.findOut(out, T0, c));
        assertEquals(1, table.size());
    }

    @Test
    void callerMemoryMustBeLongEnoughAndAligned()
    {
        final long bytes = OffHeapConnectionTable.requiredBytes(16, 16, 16);
        assertThrows(IllegalArgumentException.class, () -> new OffHeapConnectionTable(
            new UnsafeBuffer(ByteBuffer.allocateDirect((int)bytes - 1)), 16, 16, 16, 8, SEED, counters, profiles));
        final UnsafeBuffer big = new UnsafeBuffer(ByteBuffer.allocateDirect((int)bytes + 128));
        final int skew = (int)(big.addressOffset() & 63);
        final UnsafeBuffer misaligned = new UnsafeBuffer(big, skew == 0 ? 8 : 64 - skew + 8, (int)bytes);
        assertThrows(IllegalArgumentException.class,
            () -> new OffHeapConnectionTable(misaligned, 16, 16, 16, 8, SEED, counters, profiles));
    }

    @Test
    void cursorOfAnotherTableIsRejected()
    {
        try (OffHeapConnectionTable other = new OffHeapConnectionTable(16, 16, 16, 8, SEED, counters, profiles))
        {
            assertThrows(IllegalArgumentException.class,
                () -> table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 1, VIP, 80), T0, other.newCursor()));
        }
    }

    @Test
    void invalidRecordsAreRejected()
    {
        final ConnectionRecord r = dr(1);
        r.family = 5;
        assertThrows(IllegalArgumentException.class, () -> table.insert(r, null, T0, table.newCursor()));
        final ConnectionRecord d = dr(1);
        d.destinationId = 4;
        assertThrows(IllegalArgumentException.class, () -> table.insert(d, null, T0, table.newCursor()));
        final ConnectionRecord t = dr(1);
        t.flags |= ConnectionFlags.TEMPLATE;
        t.templateTimeoutMs = 0x1_0000_0000L;
        assertThrows(IllegalArgumentException.class, () -> table.insert(t, null, T0, table.newCursor()));
        assertEquals(0, table.size());
    }

    /** Client ports whose DR keys share one home slot in the IPv4 region. */
    private int[] portsWithOneHome(final int count)
    {
        final List<Integer> byHome = new ArrayList<>();
        int home = -1;
        for (int port = 1; port < 65_536 && byHome.size() < count; port++)
        {
            final int h = (int)key.setV4(IpProtocol.TCP, CLIENT, port, VIP, 80).hash(SEED) & (table.v4Slots() - 1);
            if (home < 0)
            {
                home = h;
            }
            if (h == home)
            {
                byHome.add(port);
            }
        }
        assertEquals(count, byHome.size());
        return byHome.stream().mapToInt(Integer::intValue).toArray();
    }

    private boolean found(final int port)
    {
        return table.findIn(key.setV4(IpProtocol.TCP, CLIENT, port, VIP, 80), T0, table.newCursor());
    }

    private static ConnectionRecord dr(final int port)
    {
        final ConnectionRecord r = new ConnectionRecord();
        r.family = FlowKey.AF_INET;
        r.protocol = IpProtocol.TCP;
        r.clientLo = CLIENT & 0xFFFF_FFFFL;
        r.clientPort = port;
        r.virtualLo = VIP & 0xFFFF_FFFFL;
        r.virtualPort = 80;
        r.destLo = RIP & 0xFFFF_FFFFL;
        r.destPort = 80;
        r.destinationId = 1;
        r.flags = ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT | ConnectionFlags.INACTIVE;
        return r;
    }

    private static ConnectionRecord nat(final int port)
    {
        final ConnectionRecord r = dr(port);
        r.destPort = 8080;
        r.flags = ConnectionFlags.MASQ | ConnectionFlags.INACTIVE;
        return r;
    }
}
