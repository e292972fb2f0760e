package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.lvs4j.core.conn.ConnectionTable.INSERTED;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_ACK;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_FIN;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_SYN;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.CLIENT;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.connection;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.in;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.out;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.template;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.templateKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the Chronicle table is for: entries that outlive the process and that another process can read. */
class ChronicleConnectionTablePersistenceTest
{
    private static final int TCP = IpProtocol.TCP;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void reopenedTableHasItsEntriesWithStatesExpiryCountsAndReplyIndex() throws Exception
    {
        final Path file = dir.resolve("conn.cmap");
        final FlowKey nat = in(TCP, CLIENT, 40000);
        final FlowKey dr = in(TCP, CLIENT + 1, 40001);
        final FlowKey tk = templateKey(TCP, CLIENT & 0xFFFFFF00);
        final ConnectionRecord natBefore = new ConnectionRecord();
        final ConnectionRecord drBefore = new ConnectionRecord();
        final ConnectionRecord tplBefore = new ConnectionRecord();
        final DestinationCounters firstCounters = ChronicleTables.counters();
        try (ChronicleConnectionTable table = ChronicleTables.open(file, 256, firstCounters))
        {
            final ConnectionCursor tpl = table.newCursor();
            final ConnectionCursor c = table.newCursor();
            assertEquals(INSERTED, table.insert(template(tk, 2, 360_000), null, T0, tpl));
            assertEquals(INSERTED, table.insert(connection(nat, ConnectionFlags.MASQ, 1), null, T0, c));
            table.onPacket(c, false, TCP_SYN, 60, T0 + 1);
            assertTrue(table.findOut(out(TCP, CLIENT, 40000), T0 + 2, c));
            table.onPacket(c, true, TCP_SYN | TCP_ACK, 60, T0 + 2);
            table.onPacket(c, false, TCP_ACK, 52, T0 + 3);
            natBefore.set(c.record());
            assertEquals(INSERTED, table.insert(connection(dr, ConnectionFlags.DROUTE, 2), tpl, T0 + 4, c));
            table.onPacket(c, false, TCP_SYN, 60, T0 + 5);
            table.onPacket(c, false, TCP_ACK, 52, T0 + 6);
            table.onPacket(c, false, TCP_FIN | TCP_ACK, 52, T0 + 7);
            drBefore.set(c.record());
            assertTrue(table.findTemplate(tk, T0 + 8, tpl));
            tplBefore.set(tpl.record());
            assertEquals(1, firstCounters.active(1));
            assertEquals(1, firstCounters.inactive(2));
            assertEquals(1, firstCounters.persistent(2));
        }

        final DestinationCounters counters = ChronicleTables.counters();
        try (ChronicleConnectionTable table = ChronicleConnectionTable.createOrRecover(
            file, 0, counters, new ConnectionTimeoutProfiles()))
        {
            assertEquals(256, table.capacity(), "capacity comes from the file");
            assertEquals(3, table.size());
            final ConnectionCursor c = table.newCursor();
            assertTrue(table.findIn(nat, T0 + 10, c));
            assertSameEntry(natBefore, c.record());
            assertEquals(TcpState.ESTABLISHED, c.record().state);
            assertEquals(T0 + 3 + 900_000, c.record().expiresAtMs);
            assertTrue(table.findOut(out(TCP, CLIENT, 40000), T0 + 10, c), "reply index persisted");
            assertSameEntry(natBefore, c.record());
            assertTrue(table.findIn(dr, T0 + 10, c));
            assertSameEntry(drBefore, c.record());
            assertEquals(TcpState.FIN_WAIT, c.record().state);
            final ConnectionCursor tpl = table.newCursor();
            assertTrue(table.findTemplate(tk, T0 + 10, tpl));
            assertSameEntry(tplBefore, tpl.record());
            assertEquals(1, tpl.record().controlCount);
            assertEquals(TcpState.ASSURED, tpl.record().state);

            // RECOVER bound what it found to the fresh counters, exactly as the first process had them.
            assertEquals(1, counters.active(1));
            assertEquals(0, counters.inactive(1));
            assertEquals(1, counters.inactive(2));
            assertEquals(1, counters.persistent(2));

            // The restarted director carries on: packets, expiry and the template link still work.
            assertEquals(TcpState.CLOSE_WAIT, table.onPacket(
                positioned(table, nat), false, TCP_FIN | TCP_ACK, 52, T0 + 11));
            assertEquals(0, counters.active(1));
            assertEquals(2, table.sweep(T0 + 7 + 120_000, Integer.MAX_VALUE), "CLOSE_WAIT (60 s), FIN_WAIT (120 s)");
            assertEquals(0, counters.active(1) + counters.inactive(1) + counters.inactive(2));
            assertTrue(table.findTemplate(tk, T0 + 7 + 120_000, tpl));
            assertEquals(0, tpl.record().controlCount, "released by the restarted process's sweep");
        }
    }

    @Test
    void aSecondInstanceOnTheSameFileSeesTheFirstOnesEntries() throws Exception
    {
        final Path file = dir.resolve("shared.cmap");
        final DestinationCounters ownerCounters = ChronicleTables.counters();
        final DestinationCounters viewerCounters = ChronicleTables.counters();
        try (ChronicleConnectionTable owner = ChronicleTables.open(file, 128, ownerCounters);
            ChronicleConnectionTable viewer = ChronicleConnectionTable.attach(
                file, viewerCounters, new ConnectionTimeoutProfiles()))
        {
            assertEquals(128, viewer.capacity());
            final ConnectionCursor oc = owner.newCursor();
            final ConnectionCursor vc = viewer.newCursor();
            final FlowKey key = in(TCP, CLIENT, 40000);
            assertFalse(viewer.findIn(key, T0, vc));
            owner.insert(connection(key, ConnectionFlags.MASQ, 1), null, T0, oc);
            assertTrue(viewer.findIn(key, T0, vc), "the viewer sees the owner's insert at once");
            assertTrue(viewer.findOut(out(TCP, CLIENT, 40000), T0, vc));
            owner.onPacket(oc, false, TCP_SYN, 60, T0 + 1);
            assertTrue(viewer.findIn(key, T0 + 1, vc));
            assertEquals(TcpState.SYN_RECV, vc.record().state);
            final List<ConnectionRecord> listed = new ArrayList<>();
            viewer.forEach(T0 + 1, r -> listed.add(new ConnectionRecord().set(r)));
            assertEquals(1, listed.size());
            assertEquals(40000, listed.get(0).clientPort);
            assertEquals(0, viewerCounters.inactive(1), "attaching does not touch the viewer's counters");
            assertEquals(1, ownerCounters.inactive(1));
        }
    }

    @Test
    void anotherProcessListsTheEntriesWhileTheOwnerRuns() throws Exception
    {
        final Path file = dir.resolve("listed.cmap");
        try (ChronicleConnectionTable owner = ChronicleTables.open(file, 64, ChronicleTables.counters()))
        {
            final ConnectionCursor c = owner.newCursor();
            for (int i = 0; i < 3; i++)
            {
                owner.insert(connection(in(TCP, CLIENT + i, 40000 + i), ConnectionFlags.MASQ, 1), null, T0, c);
                owner.onPacket(c, false, TCP_SYN, 60, T0);
            }
            final ChildJvm.Result result = ChildJvm.run(ChildJvm.command(List.of(), List.of(), TableChildMain.class,
                List.of("list", file.toString(), Long.toString(T0 + 1))), dir, 120);
            assertEquals(0, result.exitCode, result::toString);
            assertEquals(List.of("64"), result.linesStartingWith("CAPACITY "));
            final List<String> entries = result.linesStartingWith("ENTRY ");
            assertEquals(3, entries.size(), result::toString);
            assertTrue(entries.stream().allMatch(e -> e.contains("SYN_RECV") && e.contains("Masq")), entries::toString);
            assertTrue(entries.stream().anyMatch(e -> e.startsWith("TCP 198.51.100.2:40001 -> 203.0.113.1:80")),
                entries::toString);
        }
    }

    @Test
    void aDirectorKilledWithoutClosingIsRecoveredWithItsConnections() throws Exception
    {
        final Path file = dir.resolve("crashed.cmap");
        final Process director = new ProcessBuilder(ChildJvm.command(List.of(), List.of(), TableChildMain.class,
            List.of("fill", file.toString(), Long.toString(T0), "1024", "500")))
            .redirectErrorStream(true)
            .start();
        try
        {
            final BufferedReader out = new BufferedReader(
                new InputStreamReader(director.getInputStream(), StandardCharsets.UTF_8));
            String line;
            String ready = null;
            while ((line = out.readLine()) != null)
            {
                if (line.startsWith("READY "))
                {
                    ready = line;
                    break;
                }
            }
            assertEquals("READY 500", ready);
        }
        finally
        {
            director.destroyForcibly();
            assertTrue(director.waitFor(60, TimeUnit.SECONDS));
        }

        assertTrue(Files.size(file) > 0);
        final DestinationCounters counters = ChronicleTables.counters();
        try (ChronicleConnectionTable table = ChronicleConnectionTable.createOrRecover(
            file, 1024, counters, new ConnectionTimeoutProfiles()))
        {
            assertEquals(500, table.size());
            assertEquals(500, counters.active(1), "every recovered ESTABLISHED connection is active again");
            final ConnectionCursor c = table.newCursor();
            for (int i = 0; i < 500; i++)
            {
                assertTrue(table.findIn(in(TCP, CLIENT + i, 40000), T0 + 1, c), "connection " + i);
                assertEquals(TcpState.ESTABLISHED, c.record().state);
                assertTrue(table.findOut(out(TCP, CLIENT + i, 40000), T0 + 1, c), "reply " + i);
            }
            assertEquals(INSERTED, table.insert(
                connection(in(TCP, CLIENT + 1000, 1), ConnectionFlags.DROUTE, 1), null, T0 + 2, c), "writable");
        }
    }

    @Test
    void refusesAMismatchedCapacityAndANewFileWithoutOne() throws Exception
    {
        final Path file = dir.resolve("sized.cmap");
        ChronicleTables.open(file, 100, ChronicleTables.counters()).close();
        assertThrows(IllegalArgumentException.class, () -> ChronicleConnectionTable.createOrRecover(
            file, 200, ChronicleTables.counters(), new ConnectionTimeoutProfiles()));
        assertThrows(IllegalArgumentException.class, () -> ChronicleConnectionTable.createOrRecover(
            dir.resolve("absent.cmap"), 0, ChronicleTables.counters(), new ConnectionTimeoutProfiles()));
        try (ChronicleConnectionTable table = ChronicleConnectionTable.createOrRecover(
            file, 100, ChronicleTables.counters(), new ConnectionTimeoutProfiles()))
        {
            assertEquals(100, table.capacity(), "the same capacity is accepted");
        }
    }

    private static ConnectionCursor positioned(final ChronicleConnectionTable table, final FlowKey key)
    {
        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findIn(key, T0 + 10, c));
        return c;
    }

    private static void assertSameEntry(final ConnectionRecord expected, final ConnectionRecord actual)
    {
        assertEquals(expected.toString(), actual.toString());
        assertEquals(expected.flags, actual.flags);
        assertEquals(expected.state, actual.state);
        assertEquals(expected.expiresAtMs, actual.expiresAtMs);
        assertEquals(expected.packets, actual.packets);
        assertEquals(expected.bytes, actual.bytes);
        assertEquals(expected.destinationId, actual.destinationId);
        assertEquals(expected.timeoutProfile, actual.timeoutProfile);
        assertEquals(expected.templateTimeoutMs, actual.templateTimeoutMs);
    }
}
