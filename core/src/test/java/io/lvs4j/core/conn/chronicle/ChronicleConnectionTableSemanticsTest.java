package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.ConnectionTimeouts;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

import static io.lvs4j.core.conn.ConnectionTable.EXISTS;
import static io.lvs4j.core.conn.ConnectionTable.INSERTED;
import static io.lvs4j.core.conn.ConnectionTable.REFUSED_FULL;
import static io.lvs4j.core.conn.ConnectionTable.STALE;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_ACK;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_FIN;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_RST;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_SYN;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.CLIENT;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.REAL;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.connection;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.in;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.out;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.template;
import static io.lvs4j.core.conn.chronicle.ChronicleTables.templateKey;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Chronicle table's own semantics tests: the IPVS life-cycle as the interface describes it, with the
 * parts specific to this implementation (reply index in a second map, incarnations, reclaim per segment,
 * Chronicle's own budget turned into a counted refusal).
 */
class ChronicleConnectionTableSemanticsTest
{
    private static final int TCP = IpProtocol.TCP;
    private static final int UDP = IpProtocol.UDP;
    private static final int DEST = 3;
    private static final long T0 = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private DestinationCounters counters;
    private ChronicleConnectionTable table;
    private ConnectionCursor cursor;

    @BeforeEach
    void setUp()
    {
        counters = ChronicleTables.counters();
        table = ChronicleTables.open(dir.resolve("conn.cmap"), 1024, counters);
        cursor = table.newCursor();
    }

    @AfterEach
    void tearDown()
    {
        table.close();
    }

    @Test
    void insertFindAndExists()
    {
        final FlowKey key = in(TCP, CLIENT, 40000);
        final ConnectionRecord r = connection(key, ConnectionFlags.DROUTE, DEST);
        assertEquals(INSERTED, table.insert(r, null, T0, cursor));
        assertTrue(cursor.isPositioned());
        assertEquals(T0 + ConnectionTimeouts.NEW_ENTRY_MS, cursor.record().expiresAtMs);
        assertEquals(1, counters.inactive(DEST));
        assertEquals(0, counters.active(DEST));

        final ConnectionCursor other = table.newCursor();
        assertEquals(EXISTS, table.insert(r, null, T0 + 1, other));
        assertTrue(other.isPositioned());
        assertEquals(1, counters.inactive(DEST), "bound once");
        assertEquals(1, table.size());
        assertEquals(1, table.stats().inserted());

        assertTrue(table.findIn(key, T0 + 2, other));
        final ConnectionRecord found = other.record();
        assertEquals(key.srcLo(), found.clientLo);
        assertEquals(40000, found.clientPort);
        assertEquals(key.dstLo(), found.virtualLo);
        assertEquals(80, found.virtualPort);
        assertEquals(REAL & 0xFFFF_FFFFL, found.destLo);
        assertEquals(8080, found.destPort);
        assertEquals(DEST, found.destinationId);
        assertEquals(ConnectionFlags.DROUTE, found.method());
        assertFalse(table.findIn(in(TCP, CLIENT, 40001), T0, other));
        assertFalse(other.isPositioned());
        assertFalse(table.findIn(in(UDP, CLIENT, 40000), T0, other), "protocol is part of the key");
    }

    @Test
    void natReplyFindsTheSameEntryAndDirectRoutingHasNoReplyIndex()
    {
        final FlowKey nat = in(TCP, CLIENT, 40000);
        assertEquals(INSERTED, table.insert(connection(nat, ConnectionFlags.MASQ, DEST), null, T0, cursor));
        final FlowKey dr = in(TCP, CLIENT + 1, 40000);
        assertEquals(INSERTED, table.insert(connection(dr, ConnectionFlags.DROUTE, DEST), null, T0, cursor));

        final ConnectionCursor reply = table.newCursor();
        assertTrue(table.findOut(out(TCP, CLIENT, 40000), T0 + 1, reply));
        assertEquals(40000, reply.record().clientPort);
        assertEquals(ConnectionFlags.MASQ, reply.record().method());
        assertFalse(table.findOut(out(TCP, CLIENT + 1, 40000), T0 + 1, reply), "DR replies never reach us");
        assertFalse(table.findOut(out(TCP, CLIENT, 40001), T0 + 1, reply));

        // The reply cursor is on the same entry: a packet through it is seen through the request cursor too.
        assertTrue(table.findOut(out(TCP, CLIENT, 40000), T0 + 1, reply));
        table.onPacket(reply, true, TCP_SYN | TCP_ACK, 60, T0 + 2);
        final ConnectionCursor request = table.newCursor();
        assertTrue(table.findIn(nat, T0 + 3, request));
        assertEquals(1, request.record().packets);
        assertEquals(0, request.record().flags & ConnectionFlags.NOOUTPUT, "first reply clears NOOUTPUT");

        assertTrue(table.remove(request));
        assertFalse(table.findOut(out(TCP, CLIENT, 40000), T0 + 4, reply), "reply index goes with the entry");
    }

    @Test
    void directRoutingLifeCycleMovesCountsAndTimers()
    {
        final FlowKey key = in(TCP, CLIENT, 40000);
        table.insert(connection(key, ConnectionFlags.DROUTE, DEST), null, T0, cursor);
        assertEquals(TcpState.SYN_RECV, table.onPacket(cursor, false, TCP_SYN, 60, T0 + 1));
        assertEquals(T0 + 1 + 60_000, cursor.record().expiresAtMs);
        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 52, T0 + 2));
        assertEquals(T0 + 2 + 900_000, cursor.record().expiresAtMs);
        assertEquals(1, counters.active(DEST));
        assertEquals(0, counters.inactive(DEST));
        assertEquals(0, cursor.record().flags & ConnectionFlags.INACTIVE);
        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 1000, T0 + 3));
        assertEquals(1, counters.active(DEST), "staying ESTABLISHED moves nothing");
        assertEquals(TcpState.FIN_WAIT, table.onPacket(cursor, false, TCP_FIN | TCP_ACK, 52, T0 + 4),
            "INPUT-ONLY: client FIN from ESTABLISHED");
        assertEquals(0, counters.active(DEST));
        assertEquals(1, counters.inactive(DEST));
        assertEquals(T0 + 4 + 120_000, cursor.record().expiresAtMs);
        assertEquals(4, cursor.record().packets);
        assertEquals(60 + 52 + 1000 + 52, cursor.record().bytes);
        assertEquals(TcpState.CLOSE, table.onPacket(cursor, false, TCP_RST, 40, T0 + 5));
        assertEquals(T0 + 5 + 10_000, cursor.record().expiresAtMs);

        assertEquals(0, table.sweep(T0 + 5 + 9_999, 1_000_000));
        assertEquals(1, table.sweep(T0 + 5 + 10_000, 1_000_000));
        assertEquals(0, counters.inactive(DEST));
        assertEquals(0, table.size());
        assertEquals(1, table.stats().expired());
    }

    @Test
    void natUsesTheInputTableOnceRepliesAreSeen()
    {
        final FlowKey key = in(TCP, CLIENT, 40000);
        table.insert(connection(key, ConnectionFlags.MASQ, DEST), null, T0, cursor);
        assertEquals(TcpState.SYN_RECV, table.onPacket(cursor, false, TCP_SYN, 60, T0 + 1));
        final ConnectionCursor reply = table.newCursor();
        assertTrue(table.findOut(out(TCP, CLIENT, 40000), T0 + 2, reply));
        assertEquals(TcpState.SYN_RECV, table.onPacket(reply, true, TCP_SYN | TCP_ACK, 60, T0 + 2));
        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 52, T0 + 3));
        assertEquals(1, counters.active(DEST));
        // INPUT (not INPUT-ONLY): client FIN from ESTABLISHED is CLOSE_WAIT, then the server's FIN TIME_WAIT.
        assertEquals(TcpState.CLOSE_WAIT, table.onPacket(cursor, false, TCP_FIN | TCP_ACK, 52, T0 + 4));
        assertEquals(TcpState.TIME_WAIT, table.onPacket(reply, true, TCP_FIN | TCP_ACK, 52, T0 + 5));
        assertEquals(0, counters.active(DEST));
        assertEquals(1, counters.inactive(DEST));
    }

    @Test
    void udpHasOneStateAndItsReplyAssuresTheTemplate()
    {
        final ConnectionCursor tpl = table.newCursor();
        final FlowKey tk = templateKey(UDP, CLIENT & 0xFFFFFF00);
        assertEquals(INSERTED, table.insert(template(tk, DEST, 360_000), null, T0, tpl));
        assertEquals(1, counters.persistent(DEST));
        final FlowKey key = in(UDP, CLIENT, 5353);
        assertEquals(INSERTED, table.insert(connection(key, ConnectionFlags.MASQ, DEST), tpl, T0 + 1, cursor));
        assertEquals(TcpState.UDP, table.onPacket(cursor, false, 0, 100, T0 + 2));
        assertEquals(T0 + 2 + 300_000, cursor.record().expiresAtMs);
        assertTrue(table.findTemplate(tk, T0 + 3, tpl));
        assertEquals(TcpState.NONE, tpl.record().state, "a request alone does not assure");
        final ConnectionCursor reply = table.newCursor();
        assertTrue(table.findOut(new FlowKey().setV4(UDP, REAL, 8080, CLIENT, 5353), T0 + 3, reply));
        assertEquals(TcpState.UDP, table.onPacket(reply, true, 0, 100, T0 + 3));
        assertTrue(table.findTemplate(tk, T0 + 4, tpl));
        assertEquals(TcpState.ASSURED, tpl.record().state);
        assertEquals(0, counters.active(DEST), "UDP is never active");
        assertEquals(1, counters.inactive(DEST));
    }

    @Test
    void templateControlsConnectionsAndIsPostponedWhileItDoes()
    {
        final ConnectionCursor tpl = table.newCursor();
        final FlowKey tk = templateKey(TCP, CLIENT & 0xFFFFFF00);
        final long persistence = 360_000;
        assertEquals(INSERTED, table.insert(template(tk, DEST, persistence), null, T0, tpl));
        assertEquals(T0 + persistence, tpl.record().expiresAtMs);
        assertTrue(tpl.record().isTemplate());
        assertFalse(table.findIn(tk, T0, cursor), "templates are not connections");

        final FlowKey key = in(TCP, CLIENT, 40000);
        assertEquals(INSERTED, table.insert(connection(key, ConnectionFlags.DROUTE, DEST), tpl, T0 + 1000, cursor));
        assertTrue(table.findTemplate(tk, T0 + 1000, tpl));
        assertEquals(1, tpl.record().controlCount);
        assertEquals(T0 + 1000 + persistence, tpl.record().expiresAtMs, "re-armed by the new connection");

        table.onPacket(cursor, false, TCP_SYN, 60, T0 + 1000);
        table.onPacket(cursor, false, TCP_ACK, 60, T0 + 1001);
        assertTrue(table.findTemplate(tk, T0 + 1002, tpl));
        assertEquals(TcpState.ASSURED, tpl.record().state, "controlled TCP reached ESTABLISHED");

        // Past the template's own expiry it stays: it controls a live connection.
        final long late = T0 + 1000 + persistence + 1;
        assertTrue(table.findTemplate(tk, late, tpl));
        assertEquals(0, table.sweep(late, 1_000_000));
        assertTrue(table.findTemplate(tk, late, tpl));
        assertEquals(late + ConnectionTimeouts.CONTROL_RETRY_MS, tpl.record().expiresAtMs, "postponed 60 s");

        // The connection idles out (900 s); the sweep removes it and releases the template, which then goes at
        // its next sweep (in the same pass when its segment comes later, else once its 60 s postponement ends).
        final long connGone = T0 + 1001 + 900_000;
        assertTrue(table.sweep(connGone, 1_000_000) >= 1);
        assertFalse(table.findIn(key, connGone, cursor));
        table.sweep(connGone + ConnectionTimeouts.CONTROL_RETRY_MS, 1_000_000);
        assertFalse(table.findTemplate(tk, connGone + ConnectionTimeouts.CONTROL_RETRY_MS, tpl));
        assertEquals(0, counters.persistent(DEST));
        assertEquals(0, counters.active(DEST) + counters.inactive(DEST));
        assertEquals(0, table.size());
        assertEquals(2, table.stats().expired());
    }

    @Test
    void removingTheLastConnectionEarlyDropsANonAssuredTemplateOnly()
    {
        final ConnectionCursor tpl = table.newCursor();
        final FlowKey tk = templateKey(TCP, CLIENT & 0xFFFFFF00);
        table.insert(template(tk, DEST, 360_000), null, T0, tpl);
        table.insert(connection(in(TCP, CLIENT, 40000), ConnectionFlags.DROUTE, DEST), tpl, T0, cursor);
        assertTrue(table.remove(cursor));
        assertFalse(table.findTemplate(tk, T0 + 1, tpl), "non-assured template goes with its last connection");
        assertEquals(0, counters.persistent(DEST));
        assertEquals(0, table.size());

        table.insert(template(tk, DEST, 360_000), null, T0, tpl);
        table.insert(connection(in(TCP, CLIENT, 40000), ConnectionFlags.DROUTE, DEST), tpl, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        table.onPacket(cursor, false, TCP_ACK, 60, T0);
        assertTrue(table.remove(cursor));
        assertTrue(table.findTemplate(tk, T0 + 1, tpl), "an ASSURED template keeps its affinity");
        assertEquals(0, tpl.record().controlCount);
        assertEquals(1, counters.persistent(DEST));
    }

    @Test
    void invalidatedTemplateMovesAsideAndItsConnectionsStillReachIt() throws Exception
    {
        for (final int capacity : new int[]{16, 100_000}) // one segment (both keys in it), and many
        {
            table.close();
            counters = ChronicleTables.counters();
            table = ChronicleTables.open(dir.resolve("inv-" + capacity + ".cmap"), capacity, counters);
            cursor = table.newCursor();
            final ConnectionCursor tpl = table.newCursor();
            final FlowKey tk = templateKey(TCP, CLIENT & 0xFFFFFF00);
            table.insert(template(tk, DEST, 360_000), null, T0, tpl);
            final ConnectionCursor kept = table.newCursor();
            table.insert(connection(in(TCP, CLIENT, 1), ConnectionFlags.DROUTE, DEST), tpl, T0, kept);
            table.insert(connection(in(TCP, CLIENT, 2), ConnectionFlags.DROUTE, DEST), tpl, T0, cursor);

            counters.setAvailable(DEST, false);
            assertFalse(table.findTemplate(tk, T0 + 1, tpl), "an unavailable destination invalidates its template");
            counters.setAvailable(DEST, true);
            assertFalse(table.findTemplate(tk, T0 + 1, tpl), "invalidation is final, as in IPVS");
            assertEquals(INSERTED, table.insert(template(tk, 4, 360_000), null, T0 + 1, tpl));
            assertEquals(1, counters.persistent(DEST));
            assertEquals(1, counters.persistent(4));
            assertEquals(4, table.size());

            // The old template, listed with IPVS's neutralised port, is still reached by its connections.
            table.onPacket(kept, false, TCP_SYN, 60, T0 + 2);
            table.onPacket(kept, false, TCP_ACK, 60, T0 + 2);
            final List<String> templates = new ArrayList<>();
            table.forEach(T0 + 2, r ->
            {
                if (r.isTemplate())
                {
                    templates.add(r.destinationId + " " + r.destPort + " " + TcpState.name(r.state) + " " + r.controlCount);
                }
            });
            templates.sort(null);
            assertEquals(List.of("3 65535 ASSURED 2", "4 8080 NONE 0"), templates);
            assertTrue(table.remove(cursor));
            assertTrue(table.remove(kept));
            assertEquals(1, counters.persistent(DEST), "ASSURED: kept until its own timer");
            assertEquals(2, table.sweep(T0 + 1 + 360_000, Integer.MAX_VALUE), "both templates expire on time");
            assertEquals(0, counters.persistent(DEST) + counters.persistent(4));
            assertEquals(0, table.size());
        }
    }

    @Test
    void expiredEntriesAreInvisibleAtOnceAndStaleCursorsAreRefused()
    {
        final FlowKey key = in(TCP, CLIENT, 40000);
        table.insert(connection(key, ConnectionFlags.MASQ, DEST), null, T0, cursor);
        final long expired = T0 + ConnectionTimeouts.NEW_ENTRY_MS;
        assertFalse(table.findIn(key, expired, table.newCursor()));
        assertFalse(table.findOut(out(TCP, CLIENT, 40000), expired, table.newCursor()));
        assertEquals(STALE, table.onPacket(cursor, false, TCP_SYN, 60, expired));
        assertEquals(1, table.size(), "still present until the sweep");

        // A new entry under the same key replaces the expired one: the old cursor must not reach it.
        final ConnectionCursor old = table.newCursor();
        table.insert(connection(in(TCP, CLIENT, 40001), ConnectionFlags.MASQ, DEST), null, T0, old);
        assertTrue(table.remove(old));
        assertFalse(table.remove(old));
        assertEquals(STALE, table.onPacket(old, false, TCP_ACK, 60, T0));

        final ConnectionCursor first = table.newCursor();
        assertTrue(table.findIn(key, T0, first));
        assertEquals(INSERTED, table.insert(connection(key, ConnectionFlags.MASQ, 4), null, expired, cursor));
        assertEquals(1, table.stats().reclaimedOnInsert());
        assertEquals(STALE, table.onPacket(first, false, TCP_SYN, 60, expired), "positioned on the old incarnation");
        assertEquals(0, counters.inactive(DEST), "the expired entry was unbound");
        assertEquals(1, counters.inactive(4));
        assertTrue(table.findOut(out(TCP, CLIENT, 40000), expired, first));
        assertEquals(4, first.record().destinationId);
        assertEquals(1, table.size());
    }

    @Test
    void fullTableReclaimsExpiredEntriesThenRefusesAndCounts() throws Exception
    {
        table.close();
        counters = ChronicleTables.counters();
        table = ChronicleTables.open(dir.resolve("small.cmap"), 64, counters);
        cursor = table.newCursor();
        for (int i = 0; i < 64; i++)
        {
            assertEquals(INSERTED, table.insert(
                connection(in(TCP, CLIENT + i, 1000 + i), ConnectionFlags.DROUTE, DEST), null, T0, cursor));
        }
        assertEquals(64, table.capacity());
        assertEquals(REFUSED_FULL, table.insert(
            connection(in(TCP, CLIENT + 100, 9), ConnectionFlags.DROUTE, DEST), null, T0 + 1, cursor));
        assertFalse(cursor.isPositioned());
        assertEquals(1, table.stats().refusedFull());
        assertEquals(64, counters.inactive(DEST), "a refusal binds nothing");

        // Once they have expired, an insert reclaims room instead of refusing.
        final long later = T0 + ConnectionTimeouts.NEW_ENTRY_MS;
        assertEquals(INSERTED, table.insert(
            connection(in(TCP, CLIENT + 100, 9), ConnectionFlags.DROUTE, DEST), null, later, cursor));
        assertTrue(table.stats().reclaimedOnInsert() > 0);
        assertTrue(table.size() <= 64);
        assertEquals(table.size(), counters.inactive(DEST));
    }

    @Test
    void chronicleBudgetExhaustionIsACountedRefusal() throws Exception
    {
        table.close();
        counters = ChronicleTables.counters();
        // Chronicle sized for 100 entries with no extra tiers, table capacity 100000: Chronicle's limit comes first.
        table = ChronicleConnectionTable.open(dir.resolve("tiny.cmap"), 100_000, 100, 1.0, counters,
            new ConnectionTimeoutProfiles(), ChronicleConnectionTable.OpenMode.RECOVER);
        cursor = table.newCursor();
        int inserted = 0;
        int refused = 0;
        for (int i = 0; i < 5_000; i++)
        {
            final int result = table.insert(
                connection(in(TCP, CLIENT + i, 1000), ConnectionFlags.MASQ, DEST), null, T0, cursor);
            if (result == INSERTED)
            {
                inserted++;
            }
            else
            {
                assertEquals(REFUSED_FULL, result);
                refused++;
            }
        }
        assertTrue(refused > 0, "Chronicle's limit was reached");
        assertEquals(refused, table.stats().refusedFull());
        assertEquals(inserted, table.size());
        assertEquals(inserted, counters.inactive(DEST), "bound exactly once per inserted entry");
        assertTrue(table.findIn(in(TCP, CLIENT, 1000), T0, cursor), "still usable");
        assertTrue(table.findOut(out(TCP, CLIENT, 1000), T0, cursor));
    }

    @Test
    void forEachSkipsExpiredEntries()
    {
        table.insert(connection(in(TCP, CLIENT, 1), ConnectionFlags.DROUTE, DEST), null, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        table.insert(connection(in(TCP, CLIENT, 2), ConnectionFlags.DROUTE, DEST), null, T0, cursor);
        final List<String> seen = new ArrayList<>();
        table.forEach(T0 + ConnectionTimeouts.NEW_ENTRY_MS, r -> seen.add(r.clientPort + " " + TcpState.name(r.state)));
        assertEquals(List.of("1 SYN_RECV"), seen);
    }

    @Test
    void ipv6KeysAndTemplatesByFwmark()
    {
        final FlowKey v6 = new FlowKey().setV6(TCP, 0x2001_0db8_0000_0001L, 0x1L, 40000, 0x2001_0db8_0000_0002L, 0x5L, 443);
        final ConnectionRecord r = connection(v6, ConnectionFlags.MASQ, DEST);
        r.destHi = 0x2001_0db8_0000_0003L;
        r.destLo = 0x7L;
        r.destPort = 8443;
        assertEquals(INSERTED, table.insert(r, null, T0, cursor));
        assertTrue(table.findIn(v6, T0, cursor));
        assertEquals(FlowKey.AF_INET6, cursor.record().family);
        final FlowKey reply = new FlowKey().setV6(TCP, 0x2001_0db8_0000_0003L, 0x7L, 8443, 0x2001_0db8_0000_0001L, 0x1L, 40000);
        assertTrue(table.findOut(reply, T0, cursor));
        assertFalse(table.findIn(new FlowKey().setV4(TCP, 1, 40000, 5, 443), T0, cursor), "v4 with the same low bits");

        final FlowKey fwmark = new FlowKey().setV4(IpProtocol.IP, CLIENT & 0xFFFFFF00, 0, 42, 0);
        assertEquals(INSERTED, table.insert(template(fwmark, DEST, 60_000), null, T0, cursor));
        assertTrue(table.findTemplate(fwmark, T0, cursor));
        assertEquals(42, cursor.record().virtualLo);
    }

    @Test
    void rejectsForeignCursorsAndUnknownDestinations()
    {
        try (ChronicleConnectionTable other = ChronicleTables.open(dir.resolve("other.cmap"), 16, counters))
        {
            assertThrows(IllegalArgumentException.class,
                () -> table.findIn(in(TCP, CLIENT, 1), T0, other.newCursor()));
        }
        assertThrows(IllegalArgumentException.class,
            () -> table.insert(connection(in(TCP, CLIENT, 1), ConnectionFlags.DROUTE, 99), null, T0, cursor));
        assertEquals(0, table.size());
    }

    @Test
    void concurrentPacketsOnOneEntryLoseNoUpdate() throws Exception
    {
        final FlowKey key = in(TCP, CLIENT, 40000);
        table.insert(connection(key, ConnectionFlags.MASQ, DEST), null, T0, cursor);
        final int perThread = 20_000;
        final CountDownLatch start = new CountDownLatch(1);
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++)
        {
            final boolean reply = t == 1;
            threads[t] = new Thread(() ->
            {
                try
                {
                    final ConnectionCursor c = table.newCursor();
                    start.await();
                    for (int i = 0; i < perThread; i++)
                    {
                        final boolean found = reply ?
                            table.findOut(out(TCP, CLIENT, 40000), T0 + 1, c) : table.findIn(key, T0 + 1, c);
                        if (!found || table.onPacket(c, reply, TCP_ACK, 10, T0 + 1) == STALE)
                        {
                            throw new AssertionError("lost the entry at " + i);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            threads[t].start();
        }
        start.countDown();
        for (final Thread t : threads)
        {
            t.join();
        }
        assertNull(failure.get());
        assertTrue(table.findIn(key, T0 + 2, cursor));
        assertEquals(2L * perThread, cursor.record().packets);
        assertEquals(20L * perThread, cursor.record().bytes);
    }

    @Test
    void countersMatchTheTableAfterARandomMixOfOperations() throws Exception
    {
        final Random random = new Random(42);
        final int threads = 2;
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread[] workers = new Thread[threads];
        for (int w = 0; w < threads; w++)
        {
            final long seed = random.nextLong();
            workers[w] = new Thread(() ->
            {
                try
                {
                    final Random rnd = new Random(seed);
                    final ConnectionCursor c = table.newCursor();
                    final ConnectionCursor t = table.newCursor();
                    final int[] flags = {TCP_SYN, TCP_ACK, TCP_FIN, TCP_RST, TCP_ACK, TCP_ACK};
                    for (int i = 0; i < 20_000; i++)
                    {
                        final long now = T0 + i * 50L;
                        final int client = CLIENT + rnd.nextInt(64);
                        final FlowKey key = in(TCP, client, 1000 + rnd.nextInt(8));
                        switch (rnd.nextInt(6))
                        {
                            case 0:
                            {
                                final boolean persistent = rnd.nextBoolean();
                                final FlowKey tk = templateKey(TCP, client & 0xFFFFFFF0);
                                final ConnectionCursor tpl = persistent &&
                                    (table.findTemplate(tk, now, t) ||
                                     table.insert(template(tk, rnd.nextInt(4), 30_000), null, now, t) >= 0) ? t : null;
                                table.insert(connection(key, rnd.nextBoolean() ? ConnectionFlags.MASQ : ConnectionFlags.DROUTE,
                                    rnd.nextInt(4)), tpl, now, c);
                                break;
                            }
                            case 1:
                            case 2:
                            case 3:
                                if (table.findIn(key, now, c))
                                {
                                    table.onPacket(c, false, flags[rnd.nextInt(flags.length)], 40, now);
                                }
                                else if (table.findOut(out(TCP, client, key.srcPort()), now, c))
                                {
                                    table.onPacket(c, true, flags[rnd.nextInt(flags.length)], 40, now);
                                }
                                break;
                            case 4:
                                if (table.findIn(key, now, c))
                                {
                                    table.remove(c);
                                }
                                break;
                            default:
                                table.sweep(now, 64);
                                break;
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failure.compareAndSet(null, ex);
                }
            });
            workers[w].start();
        }
        for (final Thread t : workers)
        {
            t.join();
        }
        assertNull(failure.get());

        // Recount from the table itself (every present entry, expired or not, is still bound).
        final int[] active = new int[4];
        final int[] inactive = new int[4];
        final int[] persistent = new int[4];
        table.forEach(Long.MIN_VALUE, r ->
        {
            if (r.isTemplate())
            {
                persistent[r.destinationId]++;
            }
            else if ((r.flags & ConnectionFlags.INACTIVE) != 0)
            {
                inactive[r.destinationId]++;
            }
            else
            {
                active[r.destinationId]++;
                assertEquals(TcpState.ESTABLISHED, r.state);
            }
        });
        for (int d = 0; d < 4; d++)
        {
            assertEquals(active[d], counters.active(d), "active of " + d);
            assertEquals(inactive[d], counters.inactive(d), "inactive of " + d);
            assertEquals(persistent[d], counters.persistent(d), "persistent of " + d);
        }
        // And everything drains: a sweep far in the future removes every entry and every count.
        for (int i = 0; i < 3; i++)
        {
            table.sweep(Long.MAX_VALUE / 2 + i * ConnectionTimeouts.CONTROL_RETRY_MS, Integer.MAX_VALUE);
        }
        assertEquals(0, table.size());
        for (int d = 0; d < 4; d++)
        {
            assertEquals(0, counters.active(d) + counters.inactive(d) + counters.persistent(d), "drained " + d);
        }
    }
}
