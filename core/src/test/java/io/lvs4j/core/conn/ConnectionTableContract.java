package io.lvs4j.core.conn;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.lvs4j.core.conn.ConnectionTable.EXISTS;
import static io.lvs4j.core.conn.ConnectionTable.INSERTED;
import static io.lvs4j.core.conn.ConnectionTable.REFUSED_FULL;
import static io.lvs4j.core.conn.ConnectionTable.STALE;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_ACK;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_FIN;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_RST;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The behaviour every {@link ConnectionTable} owes its callers, from the behavioural reference (sections 1.2,
 * 3.4 and 4): lookups in both directions for IPv4 and IPv6, insert-if-absent, the TCP and UDP life-cycles with
 * IPVS's timeouts, idle timers, exact active/inactive/persistent counts and OVERLOAD, templates, per-service
 * timeout profiles, lazy expiry, the sweep, the full-table policy, removal, stale cursors and listings.
 * <p>
 * An implementation's test extends this class and supplies {@link #newTable}. Everything here goes through the
 * interface only, with one thread; concurrency is {@link ConnectionTableConcurrencyContract}'s subject.
 */
public abstract class ConnectionTableContract
{
    /** Destination ids the tests use. */
    protected static final int DESTINATIONS = 8;
    /** The table clock at the start of each test (any epoch works; not 0 to catch "0 means unset" bugs). */
    protected static final long T0 = 1_000_000;

    protected static final int CLIENT = ip(198, 51, 100, 7);
    protected static final int CLIENT_NET = ip(198, 51, 100, 0);
    protected static final int VIP = ip(203, 0, 113, 10);
    protected static final int RIP1 = ip(192, 0, 2, 11);
    protected static final int RIP2 = ip(192, 0, 2, 12);
    protected static final long CLIENT6_HI = 0x2001_0db8_0001_0000L;
    protected static final long VIP6_HI = 0x2001_0db8_0002_0000L;
    protected static final long RIP6_HI = 0x2001_0db8_0003_0000L;

    protected DestinationCounters counters;
    protected ConnectionTimeoutProfiles profiles;
    protected ConnectionTable table;
    protected ConnectionCursor cursor;
    protected final FlowKey key = new FlowKey();

    /**
     * Creates the table under test, empty.
     *
     * @param capacity roughly how many entries it must hold (implementations may round up).
     * @param counters the destinations' counts it must maintain.
     * @param profiles the timeout profiles it must apply.
     * @return the table.
     */
    protected abstract ConnectionTable newTable(
        int capacity, DestinationCounters counters, ConnectionTimeoutProfiles profiles);

    /** @return the capacity most tests use. */
    protected int defaultCapacity()
    {
        return 1024;
    }

    @BeforeEach
    void setUpTable()
    {
        counters = new DestinationCounters(DESTINATIONS);
        for (int d = 0; d < DESTINATIONS; d++)
        {
            counters.reset(d, 0, 0);
        }
        profiles = new ConnectionTimeoutProfiles();
        table = newTable(defaultCapacity(), counters, profiles);
        cursor = table.newCursor();
    }

    @AfterEach
    void closeTable()
    {
        if (table != null)
        {
            table.close();
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Lookups in both directions
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void directRoutingEntryIsFoundInboundOnly()
    {
        final ConnectionRecord dr = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 80, 1, ConnectionFlags.DROUTE);
        assertEquals(INSERTED, table.insert(dr, null, T0, cursor));
        assertEquals(1, table.size());

        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80), T0, c));
        assertSameIdentity(dr, c.record());
        assertEquals(TcpState.NONE, c.record().state);
        assertEquals(ConnectionFlags.DROUTE, c.record().method());

        assertFalse(
            table.findOut(key.setV4(IpProtocol.TCP, RIP1, 80, CLIENT, 40000), T0, c), "DR is not reply-indexed");
        assertFalse(table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 40001, VIP, 80), T0, c));
        assertFalse(table.findIn(key.setV4(IpProtocol.UDP, CLIENT, 40000, VIP, 80), T0, c));
        assertFalse(table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 81), T0, c));
    }

    @Test
    void natEntryIsFoundFromBothDirectionsV4()
    {
        final ConnectionRecord nat = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 8080, 1, ConnectionFlags.MASQ);
        assertEquals(INSERTED, table.insert(nat, null, T0, cursor));

        final ConnectionCursor in = table.newCursor();
        final ConnectionCursor out = table.newCursor();
        assertTrue(table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80), T0, in));
        assertTrue(table.findOut(key.setV4(IpProtocol.TCP, RIP1, 8080, CLIENT, 40000), T0, out));
        assertSameIdentity(nat, in.record());
        assertSameIdentity(nat, out.record());

        // the same entry: a packet through one cursor shows through the other
        table.onPacket(in, false, TCP_SYN, 60, T0);
        assertTrue(table.findOut(key.setV4(IpProtocol.TCP, RIP1, 8080, CLIENT, 40000), T0, out));
        assertEquals(TcpState.SYN_RECV, out.record().state);
        assertEquals(1, out.record().packets);

        assertFalse(table.findOut(key.setV4(IpProtocol.TCP, RIP1, 8081, CLIENT, 40000), T0, out));
        assertFalse(table.findOut(key.setV4(IpProtocol.TCP, RIP2, 8080, CLIENT, 40000), T0, out));
        assertFalse(table.findOut(key.setV4(IpProtocol.TCP, RIP1, 8080, CLIENT, 40001), T0, out));
        assertFalse(table.findOut(key.setV4(IpProtocol.UDP, RIP1, 8080, CLIENT, 40000), T0, out));
    }

    @Test
    void natEntryIsFoundFromBothDirectionsV6()
    {
        final ConnectionRecord nat = v6(IpProtocol.TCP, 7, 40000, 10, 443, 11, 8443, 2, ConnectionFlags.MASQ);
        assertEquals(INSERTED, table.insert(nat, null, T0, cursor));

        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findIn(key.setV6(IpProtocol.TCP, CLIENT6_HI, 7, 40000, VIP6_HI, 10, 443), T0, c));
        assertSameIdentity(nat, c.record());
        assertEquals(FlowKey.AF_INET6, c.record().family);
        assertTrue(table.findOut(key.setV6(IpProtocol.TCP, RIP6_HI, 11, 8443, CLIENT6_HI, 7, 40000), T0, c));
        assertSameIdentity(nat, c.record());

        assertFalse(table.findIn(key.setV6(IpProtocol.TCP, CLIENT6_HI + 1, 7, 40000, VIP6_HI, 10, 443), T0, c));
        assertFalse(table.findIn(key.setV6(IpProtocol.TCP, CLIENT6_HI, 7, 40000, VIP6_HI, 11, 443), T0, c));
        assertFalse(table.findOut(key.setV6(IpProtocol.TCP, RIP6_HI, 12, 8443, CLIENT6_HI, 7, 40000), T0, c));
        // an IPv4 key with the same low bits is another flow
        assertFalse(table.findIn(key.setV4(IpProtocol.TCP, 7, 40000, 10, 443), T0, c));
    }

    @Test
    void tunnelEntryV6IsFoundInboundOnly()
    {
        final ConnectionRecord tun = v6(IpProtocol.UDP, 7, 5000, 10, 53, 11, 53, 3, ConnectionFlags.TUNNEL);
        assertEquals(INSERTED, table.insert(tun, null, T0, cursor));
        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findIn(key.setV6(IpProtocol.UDP, CLIENT6_HI, 7, 5000, VIP6_HI, 10, 53), T0, c));
        assertSameIdentity(tun, c.record());
        assertFalse(table.findOut(key.setV6(IpProtocol.UDP, RIP6_HI, 11, 53, CLIENT6_HI, 7, 5000), T0, c));
    }

    @Test
    void insertReturnsExistsOnTheFirstEntry()
    {
        final ConnectionRecord first = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 80, 1, ConnectionFlags.DROUTE);
        final ConnectionRecord second = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP2, 80, 2, ConnectionFlags.DROUTE);
        assertEquals(INSERTED, table.insert(first, null, T0, cursor));
        final ConnectionCursor other = table.newCursor();
        assertEquals(EXISTS, table.insert(second, null, T0 + 1, other));
        assertTrue(other.isPositioned());
        assertEquals(RIP1 & 0xFFFF_FFFFL, other.record().destLo, "positioned on the entry already there");
        assertEquals(1, other.record().destinationId);
        assertEquals(1, table.size());
        assertEquals(1, counters.inactive(1));
        assertEquals(0, counters.inactive(2), "the refused duplicate is not counted");
        assertEquals(1, table.stats().inserted());

        // the cursor from EXISTS drives the same entry
        assertEquals(TcpState.SYN_RECV, table.onPacket(other, false, TCP_SYN, 60, T0 + 1));
        assertTrue(table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80), T0 + 1, cursor));
        assertEquals(TcpState.SYN_RECV, cursor.record().state);
    }

    @Test
    void templatesLiveBesideConnectionsWithTheSameAddresses()
    {
        // a template key and a (client port 0) connection key with the same fields are different entries
        final ConnectionRecord tpl = template(IpProtocol.TCP, CLIENT, VIP, 80, RIP1, 80, 1, 360_000);
        final ConnectionRecord conn = v4(IpProtocol.TCP, CLIENT, 0, VIP, 80, RIP2, 80, 2, ConnectionFlags.DROUTE);
        assertEquals(INSERTED, table.insert(tpl, null, T0, cursor));
        assertEquals(INSERTED, table.insert(conn, null, T0, table.newCursor()));

        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findTemplate(key.setV4(IpProtocol.TCP, CLIENT, 0, VIP, 80), T0, c));
        assertTrue(c.record().isTemplate());
        assertEquals(1, c.record().destinationId);
        assertEquals(360_000, c.record().templateTimeoutMs);
        assertTrue(table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 0, VIP, 80), T0, c));
        assertFalse(c.record().isTemplate());
        assertEquals(2, c.record().destinationId);
        assertFalse(table.findTemplate(key.setV4(IpProtocol.TCP, CLIENT, 0, VIP, 81), T0, c));
        assertEquals(1, counters.persistent(1));
        assertEquals(0, counters.inactive(1), "templates count in persistconns only");
        assertEquals(1, counters.inactive(2));
    }

    @Test
    void fwmarkTemplateUsesProtocolIpAndTheMark()
    {
        final ConnectionRecord tpl = template(IpProtocol.IP, CLIENT_NET, 42, 0, RIP1, 0, 1, 60_000);
        assertEquals(INSERTED, table.insert(tpl, null, T0, cursor));
        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findTemplate(key.setV4(IpProtocol.IP, CLIENT_NET, 0, 42, 0), T0, c));
        assertFalse(table.findTemplate(key.setV4(IpProtocol.IP, CLIENT_NET, 0, 43, 0), T0, c));
        assertFalse(table.findTemplate(key.setV4(IpProtocol.TCP, CLIENT_NET, 0, 42, 0), T0, c));
    }

    @Test
    void templateV6()
    {
        final ConnectionRecord tpl = new ConnectionRecord();
        tpl.family = FlowKey.AF_INET6;
        tpl.protocol = IpProtocol.TCP;
        tpl.clientHi = CLIENT6_HI;
        tpl.virtualHi = VIP6_HI;
        tpl.virtualLo = 10;
        tpl.virtualPort = 443;
        tpl.destHi = RIP6_HI;
        tpl.destLo = 11;
        tpl.destPort = 443;
        tpl.destinationId = 4;
        tpl.flags = ConnectionFlags.TEMPLATE | ConnectionFlags.DROUTE;
        tpl.templateTimeoutMs = 300_000;
        assertEquals(INSERTED, table.insert(tpl, null, T0, cursor));
        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findTemplate(key.setV6(IpProtocol.TCP, CLIENT6_HI, 0, 0, VIP6_HI, 10, 443), T0, c));
        assertEquals(T0 + 300_000, c.record().expiresAtMs);

        final ConnectionRecord conn = v6(IpProtocol.TCP, 7, 40000, 10, 443, 11, 443, 4, ConnectionFlags.DROUTE);
        assertEquals(INSERTED, table.insert(conn, c, T0 + 5, cursor));
        assertTrue(table.findTemplate(key.setV6(IpProtocol.TCP, CLIENT6_HI, 0, 0, VIP6_HI, 10, 443), T0 + 5, c));
        assertEquals(1, c.record().controlCount);
        assertEquals(T0 + 5 + 300_000, c.record().expiresAtMs);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Life-cycle
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void newEntryIsStateNoneForThreeSeconds()
    {
        table.insert(dr(40000), null, T0, cursor);
        assertEquals(TcpState.NONE, cursor.record().state);
        assertEquals(T0 + ConnectionTimeouts.NEW_ENTRY_MS, cursor.record().expiresAtMs);
        assertTrue(findDr(40000, T0 + 2_999));
        assertFalse(findDr(40000, T0 + 3_000), "expired entries are absent at once, before any sweep");
    }

    @Test
    void directRoutingLifeCycle()
    {
        table.insert(dr(40000), null, T0, cursor);
        assertEquals(1, counters.inactive(1));

        assertEquals(TcpState.SYN_RECV, table.onPacket(cursor, false, TCP_SYN, 60, T0 + 10));
        assertEquals(T0 + 10 + 60_000, cursor.record().expiresAtMs);
        assertEquals(1, counters.inactive(1));
        assertEquals(0, counters.active(1));

        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 52, T0 + 20));
        assertEquals(T0 + 20 + 900_000, cursor.record().expiresAtMs);
        assertEquals(1, counters.active(1));
        assertEquals(0, counters.inactive(1));
        assertEquals(0, cursor.record().flags & ConnectionFlags.INACTIVE);

        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 1500, T0 + 30));
        assertEquals(1, counters.active(1), "staying in ESTABLISHED moves nothing");

        // the client closes; the director never sees the server's half (INPUT-ONLY)
        assertEquals(TcpState.FIN_WAIT, table.onPacket(cursor, false, TCP_FIN | TCP_ACK, 52, T0 + 40));
        assertEquals(T0 + 40 + 120_000, cursor.record().expiresAtMs);
        assertEquals(0, counters.active(1));
        assertEquals(1, counters.inactive(1));
        assertTrue((cursor.record().flags & ConnectionFlags.INACTIVE) != 0);

        assertEquals(TcpState.FIN_WAIT, table.onPacket(cursor, false, TCP_ACK, 52, T0 + 50));
        assertTrue(findDr(40000, T0 + 50 + 119_999));
        assertFalse(findDr(40000, T0 + 50 + 120_000), "dies 120 s after the last client packet");

        assertEquals(5, cursor.record().packets, "packets counted");
        assertEquals(60 + 52 + 1500 + 52 + 52, cursor.record().bytes);
    }

    @Test
    void natLifeCycleClientClosesFirst()
    {
        final ConnectionRecord nat = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 80, 1, ConnectionFlags.MASQ);
        table.insert(nat, null, T0, cursor);
        assertEquals(TcpState.SYN_RECV, table.onPacket(cursor, false, TCP_SYN, 60, T0));
        assertEquals(TcpState.SYN_RECV, table.onPacket(cursor, true, TCP_SYN | TCP_ACK, 60, T0 + 1));
        assertEquals(T0 + 1 + 60_000, cursor.record().expiresAtMs);
        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 52, T0 + 2));
        assertEquals(1, counters.active(1));
        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, true, TCP_ACK, 1500, T0 + 3));
        assertEquals(TcpState.CLOSE_WAIT, table.onPacket(cursor, false, TCP_FIN | TCP_ACK, 52, T0 + 4));
        assertEquals(T0 + 4 + 60_000, cursor.record().expiresAtMs);
        assertEquals(0, counters.active(1));
        assertEquals(1, counters.inactive(1));
        assertEquals(TcpState.TIME_WAIT, table.onPacket(cursor, true, TCP_FIN | TCP_ACK, 52, T0 + 5));
        assertEquals(T0 + 5 + 120_000, cursor.record().expiresAtMs);
        assertEquals(6, cursor.record().packets);
        assertEquals(60 + 60 + 52 + 1500 + 52 + 52, cursor.record().bytes);
    }

    @Test
    void natLifeCycleServerClosesFirst()
    {
        final ConnectionRecord nat = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 80, 1, ConnectionFlags.MASQ);
        table.insert(nat, null, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        table.onPacket(cursor, true, TCP_SYN | TCP_ACK, 60, T0);
        table.onPacket(cursor, false, TCP_ACK, 52, T0);
        assertEquals(TcpState.FIN_WAIT, table.onPacket(cursor, true, TCP_FIN | TCP_ACK, 52, T0 + 1));
        assertEquals(TcpState.TIME_WAIT, table.onPacket(cursor, false, TCP_FIN | TCP_ACK, 52, T0 + 2));
        assertEquals(T0 + 2 + 120_000, cursor.record().expiresAtMs);
    }

    @Test
    void firstReplyClearsNoOutputAndSwitchesToTheInputTable()
    {
        final ConnectionRecord c = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 80, 1, ConnectionFlags.MASQ);
        c.flags |= ConnectionFlags.NOOUTPUT;
        table.insert(c, null, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 52, T0));
        assertTrue((cursor.record().flags & ConnectionFlags.NOOUTPUT) != 0, "no reply seen yet");
        assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, true, TCP_ACK, 52, T0));
        assertEquals(0, cursor.record().flags & ConnectionFlags.NOOUTPUT, "the first reply clears NOOUTPUT");
        // INPUT fin from ESTABLISHED is CLOSE_WAIT (INPUT-ONLY would give FIN_WAIT)
        assertEquals(TcpState.CLOSE_WAIT, table.onPacket(cursor, false, TCP_FIN | TCP_ACK, 52, T0));
    }

    @Test
    void resetClosesForTenSeconds()
    {
        table.insert(dr(40000), null, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        table.onPacket(cursor, false, TCP_ACK, 52, T0);
        assertEquals(1, counters.active(1));
        assertEquals(TcpState.CLOSE, table.onPacket(cursor, false, TCP_RST | TCP_ACK, 40, T0 + 7));
        assertEquals(T0 + 7 + 10_000, cursor.record().expiresAtMs);
        assertEquals(0, counters.active(1));
        assertEquals(1, counters.inactive(1));
    }

    @Test
    void segmentWithoutFlagsClosesTheEntry()
    {
        table.insert(dr(40000), null, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        table.onPacket(cursor, false, TCP_ACK, 52, T0);
        assertEquals(TcpState.CLOSE, table.onPacket(cursor, false, 0, 40, T0 + 1));
        assertEquals(T0 + 1 + 10_000, cursor.record().expiresAtMs);
        assertEquals(0, counters.active(1));
    }

    @Test
    void timersAreIdleTimersReArmedByEveryPacket()
    {
        table.insert(dr(40000), null, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        table.onPacket(cursor, false, TCP_ACK, 52, T0);
        long now = T0;
        for (int i = 0; i < 5; i++)
        {
            now += 800_000; // less than 900 s between packets keeps it alive indefinitely
            assertTrue(table.findIn(drKey(40000), now, cursor), "alive at +" + (now - T0));
            assertEquals(TcpState.ESTABLISHED, table.onPacket(cursor, false, TCP_ACK, 52, now));
            assertEquals(now + 900_000, cursor.record().expiresAtMs);
        }
        assertTrue(findDr(40000, now + 899_999));
        assertFalse(findDr(40000, now + 900_000));
    }

    @Test
    void udpHasOneStateOf300SecondsAndIsAlwaysInactive()
    {
        final ConnectionRecord udp = v4(IpProtocol.UDP, CLIENT, 5353, VIP, 53, RIP1, 53, 1, ConnectionFlags.MASQ);
        table.insert(udp, null, T0, cursor);
        assertEquals(TcpState.UDP, table.onPacket(cursor, false, 0, 80, T0));
        assertEquals(T0 + 300_000, cursor.record().expiresAtMs);
        assertEquals(TcpState.UDP, table.onPacket(cursor, true, 0, 200, T0 + 100_000));
        assertEquals(T0 + 100_000 + 300_000, cursor.record().expiresAtMs);
        assertEquals(0, counters.active(1));
        assertEquals(1, counters.inactive(1));
        assertTrue(table.findOut(key.setV4(IpProtocol.UDP, RIP1, 53, CLIENT, 5353), T0 + 399_999, cursor));
        assertFalse(table.findIn(key.setV4(IpProtocol.UDP, CLIENT, 5353, VIP, 53), T0 + 400_000, cursor));
    }

    @Test
    void perServiceTimeoutProfile()
    {
        profiles.set(3, ConnectionTimeouts.IPVS_DEFAULTS.with(TcpState.ESTABLISHED, 30_000));
        profiles.set(4, ConnectionTimeouts.IPVS_DEFAULTS.withIpvsadmSet(0, 0, 20_000));
        final ConnectionRecord tcp = dr(40000);
        tcp.timeoutProfile = 3;
        table.insert(tcp, null, T0, cursor);
        assertEquals(3, cursor.record().timeoutProfile);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        assertEquals(T0 + 60_000, cursor.record().expiresAtMs, "other states keep the defaults");
        table.onPacket(cursor, false, TCP_ACK, 52, T0);
        assertEquals(T0 + 30_000, cursor.record().expiresAtMs);

        final ConnectionRecord udp = v4(IpProtocol.UDP, CLIENT, 5353, VIP, 53, RIP1, 53, 1, ConnectionFlags.DROUTE);
        udp.timeoutProfile = 4;
        final ConnectionCursor u = table.newCursor();
        table.insert(udp, null, T0, u);
        table.onPacket(u, false, 0, 80, T0);
        assertEquals(T0 + 20_000, u.record().expiresAtMs);

        final ConnectionRecord plain = dr(40001);
        final ConnectionCursor p = table.newCursor();
        table.insert(plain, null, T0, p);
        table.onPacket(p, false, TCP_SYN, 60, T0);
        table.onPacket(p, false, TCP_ACK, 52, T0);
        assertEquals(T0 + 900_000, p.record().expiresAtMs, "profile 0 is IPVS's defaults");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Counts and thresholds
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void activeAndInactiveCountsAreExact()
    {
        final ConnectionCursor[] c = new ConnectionCursor[4];
        for (int i = 0; i < c.length; i++)
        {
            c[i] = table.newCursor();
            assertEquals(INSERTED, table.insert(dr(40000 + i), null, T0, c[i]));
        }
        assertEquals(4, counters.inactive(1));
        for (int i = 0; i < 3; i++)
        {
            table.onPacket(c[i], false, TCP_SYN, 60, T0);
            table.onPacket(c[i], false, TCP_ACK, 52, T0);
        }
        assertEquals(3, counters.active(1));
        assertEquals(1, counters.inactive(1));

        assertTrue(table.remove(c[0]));
        assertEquals(2, counters.active(1));
        table.onPacket(c[1], false, TCP_FIN, 52, T0);
        assertEquals(1, counters.active(1));
        assertEquals(2, counters.inactive(1));
        table.onPacket(c[1], false, TCP_SYN, 60, T0); // FIN_WAIT -> SYN_RECV: inactive to inactive
        assertEquals(1, counters.active(1));
        assertEquals(2, counters.inactive(1));

        // expiry unbinds with the flags the entry has as it leaves
        assertEquals(3, sweepFully(T0 + 1_000_000));
        assertEquals(0, counters.active(1));
        assertEquals(0, counters.inactive(1));
        assertEquals(0, table.size());
    }

    @Test
    void overloadFollowsTheUpperThreshold()
    {
        counters.reset(1, 2, 0);
        final ConnectionCursor a = table.newCursor();
        final ConnectionCursor b = table.newCursor();
        table.insert(dr(40000), null, T0, a);
        assertFalse(counters.isOverloaded(1));
        table.insert(dr(40001), null, T0, b);
        assertTrue(counters.isOverloaded(1), "active + inactive reached u_threshold");
        table.onPacket(b, false, TCP_SYN, 60, T0);
        table.onPacket(b, false, TCP_ACK, 60, T0);
        assertTrue(counters.isOverloaded(1), "moving between active and inactive changes no total");
        table.remove(a);
        assertFalse(counters.isOverloaded(1), "1 * 4 < 2 * 3: below three quarters");
    }

    @Test
    void overloadClearsBelowTheLowerThreshold()
    {
        counters.reset(1, 3, 2);
        final List<ConnectionCursor> cs = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final ConnectionCursor c = table.newCursor();
            table.insert(dr(40000 + i), null, T0, c);
            cs.add(c);
        }
        assertTrue(counters.isOverloaded(1));
        table.remove(cs.get(0));
        assertTrue(counters.isOverloaded(1), "total 2 is not below l_threshold 2");
        table.remove(cs.get(1));
        assertFalse(counters.isOverloaded(1));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Templates
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void connectionsFromATemplateRaiseItsControlCountAndReArmIt()
    {
        final ConnectionCursor t = table.newCursor();
        assertEquals(INSERTED, table.insert(httpTemplate(RIP1, 1, 360_000), null, T0, t));
        assertEquals(T0 + 360_000, t.record().expiresAtMs);
        assertEquals(1, counters.persistent(1));

        final ConnectionCursor c1 = table.newCursor();
        assertEquals(INSERTED, table.insert(dr(40000), t, T0 + 100_000, c1));
        table.onPacket(c1, false, TCP_SYN, 60, T0 + 100_000);
        table.onPacket(c1, false, TCP_ACK, 52, T0 + 100_000);
        assertTrue(findTemplate(T0 + 100_000, t));
        assertEquals(1, t.record().controlCount);
        assertEquals(T0 + 100_000 + 360_000, t.record().expiresAtMs, "re-armed to its persistence timeout");

        final ConnectionCursor c2 = table.newCursor();
        assertEquals(INSERTED, table.insert(dr(40001), t, T0 + 200_000, c2));
        assertTrue(findTemplate(T0 + 200_000, t));
        assertEquals(2, t.record().controlCount);
        assertEquals(T0 + 200_000 + 360_000, t.record().expiresAtMs);

        // a refused duplicate does not leave a count behind
        assertEquals(EXISTS, table.insert(dr(40001), t, T0 + 200_000, table.newCursor()));
        assertTrue(findTemplate(T0 + 200_000, t));
        assertEquals(2, t.record().controlCount);

        assertTrue(table.remove(c1));
        assertTrue(findTemplate(T0 + 200_000, t));
        assertEquals(1, t.record().controlCount, "removal releases the template");
    }

    @Test
    void establishedConnectionMarksItsTemplateAssured()
    {
        final ConnectionCursor t = table.newCursor();
        table.insert(httpTemplate(RIP1, 1, 360_000), null, T0, t);
        assertEquals(TcpState.NONE, t.record().state);
        final ConnectionCursor c = table.newCursor();
        table.insert(dr(40000), t, T0, c);
        table.onPacket(c, false, TCP_SYN, 60, T0);
        assertTrue(findTemplate(T0, t));
        assertEquals(TcpState.NONE, t.record().state);
        table.onPacket(c, false, TCP_ACK, 52, T0);
        assertTrue(findTemplate(T0, t));
        assertEquals(TcpState.ASSURED, t.record().state);
    }

    @Test
    void udpReplyMarksItsTemplateAssured()
    {
        final ConnectionCursor t = table.newCursor();
        table.insert(template(IpProtocol.UDP, CLIENT_NET, VIP, 53, RIP1, 53, 1, 360_000), null, T0, t);
        final ConnectionCursor c = table.newCursor();
        table.insert(v4(IpProtocol.UDP, CLIENT, 5353, VIP, 53, RIP1, 53, 1, ConnectionFlags.MASQ), t, T0, c);
        table.onPacket(c, false, 0, 80, T0);
        assertTrue(table.findTemplate(key.setV4(IpProtocol.UDP, CLIENT_NET, 0, VIP, 53), T0, t));
        assertEquals(TcpState.NONE, t.record().state, "requests alone do not assure");
        table.onPacket(c, true, 0, 200, T0);
        assertTrue(table.findTemplate(key.setV4(IpProtocol.UDP, CLIENT_NET, 0, VIP, 53), T0, t));
        assertEquals(TcpState.ASSURED, t.record().state);
    }

    @Test
    void templateThatStillControlsIsPostponedNeverRemoved()
    {
        final ConnectionCursor t = table.newCursor();
        table.insert(httpTemplate(RIP1, 1, 60_000), null, T0, t);
        final ConnectionCursor c = table.newCursor();
        table.insert(dr(40000), t, T0, c);
        table.onPacket(c, false, TCP_SYN, 60, T0);
        table.onPacket(c, false, TCP_ACK, 52, T0); // ESTABLISHED: alive for 900 s

        final long fired = T0 + 60_000;
        assertTrue(findTemplate(fired + 1, t), "an entry that controls others is not expired");
        assertEquals(0, sweepFully(fired));
        assertTrue(findTemplate(fired, t));
        assertEquals(fired + ConnectionTimeouts.CONTROL_RETRY_MS, t.record().expiresAtMs, "postponed by 60 s");
        assertEquals(0, sweepFully(fired + 60_000));
        assertTrue(findTemplate(fired + 60_000, t));
        assertEquals(fired + 120_000, t.record().expiresAtMs, "and again");
        assertFalse(table.remove(t), "a controlling entry is not removed");
        assertEquals(1, counters.persistent(1));

        // the connection ends (900 s idle); the template's last 60 s step runs out after it, not with it
        final long end = T0 + 900_000;
        assertEquals(0, sweepFully(end - 1));
        assertTrue(findTemplate(end - 1, t));
        assertEquals(end - 1 + ConnectionTimeouts.CONTROL_RETRY_MS, t.record().expiresAtMs);
        assertEquals(1, sweepFully(end));
        assertFalse(table.findIn(drKey(40000), end, c));
        assertTrue(findTemplate(end, t));
        assertEquals(0, t.record().controlCount);
        assertEquals(1, sweepFully(end - 1 + ConnectionTimeouts.CONTROL_RETRY_MS));
        assertEquals(0, counters.persistent(1));
        assertEquals(0, table.size());
    }

    @Test
    void earlyRemovalDropsANonAssuredTemplateWithItsLastConnection()
    {
        final ConnectionCursor t = table.newCursor();
        table.insert(httpTemplate(RIP1, 1, 360_000), null, T0, t);
        final ConnectionCursor c = table.newCursor();
        table.insert(dr(40000), t, T0, c);
        table.onPacket(c, false, TCP_SYN, 60, T0);
        assertTrue(table.remove(c));
        assertFalse(findTemplate(T0, t), "a template that never became ASSURED goes with its last connection");
        assertEquals(0, counters.persistent(1));
        assertEquals(0, table.size());
    }

    @Test
    void earlyRemovalKeepsAnAssuredTemplate()
    {
        final ConnectionCursor t = table.newCursor();
        table.insert(httpTemplate(RIP1, 1, 360_000), null, T0, t);
        final ConnectionCursor c = table.newCursor();
        table.insert(dr(40000), t, T0, c);
        table.onPacket(c, false, TCP_SYN, 60, T0);
        table.onPacket(c, false, TCP_ACK, 52, T0);
        assertTrue(table.remove(c));
        assertTrue(findTemplate(T0, t));
        assertEquals(TcpState.ASSURED, t.record().state);
        assertEquals(1, counters.persistent(1));
    }

    @Test
    void expiringConnectionReleasesItsTemplateWhichKeepsItsTimer()
    {
        final ConnectionCursor t = table.newCursor();
        table.insert(httpTemplate(RIP1, 1, 360_000), null, T0, t);
        final ConnectionCursor c = table.newCursor();
        table.insert(dr(40000), t, T0, c); // never sees a packet: expires after 3 s
        assertEquals(1, sweepFully(T0 + 3_000));
        assertTrue(findTemplate(T0 + 3_000, t), "expiry on the timer is not an early removal");
        assertEquals(0, t.record().controlCount);
        assertEquals(T0 + 360_000, t.record().expiresAtMs);
    }

    @Test
    void templateOfAnUnavailableDestinationIsInvalidated()
    {
        final ConnectionCursor t = table.newCursor();
        table.insert(httpTemplate(RIP1, 1, 360_000), null, T0, t);
        final ConnectionCursor c = table.newCursor();
        table.insert(dr(40000), t, T0, c);
        counters.setAvailable(1, false);
        assertFalse(findTemplate(T0, t));
        // the caller schedules afresh and creates a new template under the same key
        assertEquals(INSERTED, table.insert(httpTemplate(RIP2, 2, 360_000), null, T0, t));
        assertTrue(findTemplate(T0, t));
        assertEquals(2, t.record().destinationId);
        assertEquals(1, counters.persistent(1), "the old template lives on until its timer, out of sight");
        assertTrue(table.findIn(drKey(40000), T0, c), "its connection goes on");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Expiry, sweep, full table
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void lazyExpiryThenSweepReclaims()
    {
        table.insert(dr(40000), null, T0, cursor);
        table.insert(dr(40001), null, T0 + 1_000, table.newCursor());
        assertFalse(findDr(40000, T0 + 3_000));
        assertTrue(findDr(40001, T0 + 3_000));
        assertEquals(2, table.size(), "an expired entry waits for the sweep");
        assertEquals(2, counters.inactive(1));

        assertEquals(1, sweepFully(T0 + 3_000));
        assertEquals(1, table.size());
        assertEquals(1, counters.inactive(1));
        assertEquals(1, table.stats().expired());
        assertTrue(findDr(40001, T0 + 3_000));
        assertEquals(1, sweepFully(T0 + 4_000));
        assertEquals(0, table.size());
        assertEquals(0, counters.inactive(1));
    }

    @Test
    void onPacketOnAnExpiredEntryIsStale()
    {
        table.insert(dr(40000), null, T0, cursor);
        assertEquals(STALE, table.onPacket(cursor, false, TCP_SYN, 60, T0 + 3_000));
        assertEquals(STALE, table.onPacket(cursor, false, TCP_SYN, 60, T0 + 3_000));
        assertFalse(findDr(40000, T0 + 3_000));
        // after a sweep nothing of it is left
        sweepFully(T0 + 3_000);
        assertEquals(0, counters.inactive(1));
        assertEquals(0, table.size());
    }

    @Test
    void sweepIsIncremental()
    {
        for (int i = 0; i < 50; i++)
        {
            assertEquals(INSERTED, table.insert(dr(40000 + i), null, T0, table.newCursor()));
        }
        int removed = 0;
        int calls = 0;
        while (removed < 50 && calls < 1_000_000)
        {
            final int n = table.sweep(T0 + 3_000, 16);
            assertTrue(n <= 16, "visits at most maxSlots slots");
            removed += n;
            calls++;
        }
        assertEquals(50, removed);
        assertTrue(calls > 1, "work is spread over calls");
        assertEquals(0, table.size());
        assertEquals(0, counters.inactive(1));
        assertEquals(50, table.stats().expired());
        assertEquals(0, table.sweep(T0 + 3_000, 16));
    }

    @Test
    void fullTableReclaimsExpiredEntriesThenRefusesAndCounts()
    {
        table.close();
        table = newTable(16, counters, profiles);
        int inserted = 0;
        int port = 10_000;
        final long bound = table.capacity() * 4 + 64;
        int result;
        do
        {
            result = table.insert(dr(port++), null, T0, table.newCursor());
            if (result == INSERTED)
            {
                inserted++;
            }
        }
        while (result != REFUSED_FULL && port < 10_000 + bound);
        assertEquals(REFUSED_FULL, result, "a fixed capacity refuses in the end");
        assertTrue(inserted >= 8, "holds a fair share of its capacity before refusing: " + inserted);
        assertTrue(table.size() <= table.capacity());
        assertEquals(1, table.stats().refusedFull());
        assertEquals(REFUSED_FULL, table.insert(dr(port++), null, T0 + 2_999, table.newCursor()));
        assertEquals(2, table.stats().refusedFull());
        assertEquals(inserted, counters.inactive(1), "refusals are not counted on the destination");

        // once the entries have expired, inserts take their places without waiting for the sweep
        for (int i = 0; i < inserted; i++)
        {
            assertEquals(INSERTED, table.insert(dr(50_000 + i), null, T0 + 3_000, table.newCursor()), "insert " + i);
        }
        assertTrue(table.stats().reclaimedOnInsert() >= 1);
        assertEquals(inserted, table.size());
        assertEquals(inserted, counters.inactive(1));
        for (int i = 0; i < inserted; i++)
        {
            assertTrue(findDr(50_000 + i, T0 + 3_000));
        }
    }

    @Test
    void fullTableDoesNotReclaimEntriesThatControlOthers()
    {
        table.close();
        table = newTable(16, counters, profiles);
        final ConnectionCursor t = table.newCursor();
        assertEquals(INSERTED, table.insert(httpTemplate(RIP1, 1, 1_000), null, T0, t));
        final ConnectionCursor c = table.newCursor();
        assertEquals(INSERTED, table.insert(dr(1), t, T0, c));
        table.onPacket(c, false, TCP_SYN, 60, T0);
        table.onPacket(c, false, TCP_ACK, 60, T0); // lives 900 s and holds its template
        int port = 10_000;
        final long bound = table.capacity() * 4 + 64;
        while (table.insert(dr(port), null, T0, table.newCursor()) != REFUSED_FULL && port < 10_000 + bound)
        {
            port++;
        }
        // the template's own timer (1 s) and the filler entries (3 s) have run out
        for (int i = 0; i < 64; i++)
        {
            table.insert(dr(60_000 + i), null, T0 + 5_000, table.newCursor());
        }
        assertTrue(findTemplate(T0 + 5_000, t), "the template that controls a live connection survives");
        assertTrue(table.findIn(drKey(1), T0 + 5_000, c));
        assertEquals(1, counters.persistent(1));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Removal, cursors, listing
    // ---------------------------------------------------------------------------------------------------------

    @Test
    void removeUnbindsAndForgets()
    {
        final ConnectionRecord nat = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 80, 1, ConnectionFlags.MASQ);
        table.insert(nat, null, T0, cursor);
        table.onPacket(cursor, false, TCP_SYN, 60, T0);
        table.onPacket(cursor, false, TCP_ACK, 60, T0);
        assertEquals(1, counters.active(1));
        assertTrue(table.remove(cursor));
        assertEquals(0, counters.active(1));
        assertEquals(0, table.size());
        assertEquals(1, table.stats().removed());
        final ConnectionCursor c = table.newCursor();
        assertFalse(table.findIn(key.setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80), T0, c));
        assertFalse(
            table.findOut(key.setV4(IpProtocol.TCP, RIP1, 80, CLIENT, 40000), T0, c), "reply index cleared too");
        assertFalse(table.remove(cursor), "already gone");

        // and the key can come back, to another server
        final ConnectionRecord again = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP2, 80, 2, ConnectionFlags.MASQ);
        assertEquals(INSERTED, table.insert(again, null, T0, cursor));
        assertTrue(table.findOut(key.setV4(IpProtocol.TCP, RIP2, 80, CLIENT, 40000), T0, c));
        assertFalse(table.findOut(key.setV4(IpProtocol.TCP, RIP1, 80, CLIENT, 40000), T0, c));
    }

    @Test
    void staleCursorAnswersStale()
    {
        table.insert(dr(40000), null, T0, cursor);
        final ConnectionCursor other = table.newCursor();
        assertTrue(table.findIn(drKey(40000), T0, other));
        assertTrue(table.remove(cursor));
        assertEquals(STALE, table.onPacket(other, false, TCP_SYN, 60, T0));
        assertFalse(table.remove(other));

        // a new entry in the same place is not the old one
        final ConnectionCursor old = table.newCursor();
        table.insert(dr(40001), null, T0, old);
        final ConnectionCursor c = table.newCursor();
        assertTrue(table.findIn(drKey(40001), T0, c));
        assertTrue(table.remove(c));
        table.insert(dr(40001), null, T0, table.newCursor());
        assertEquals(STALE, table.onPacket(old, false, TCP_SYN, 60, T0));

        final ConnectionCursor fresh = table.newCursor();
        assertFalse(fresh.isPositioned());
        assertEquals(STALE, table.onPacket(fresh, false, TCP_SYN, 60, T0));
        assertFalse(table.remove(fresh));
    }

    @Test
    void forEachVisitsEachLiveEntryOnce()
    {
        final Set<String> expected = new HashSet<>();
        for (int i = 0; i < 20; i++)
        {
            final ConnectionRecord r = dr(40000 + i);
            table.insert(r, null, T0, cursor);
            if (i % 2 == 0)
            {
                table.onPacket(cursor, false, TCP_SYN, 60, T0); // lives 60 s; the others expire after 3 s
                expected.add(identity(r));
            }
        }
        for (int i = 0; i < 5; i++)
        {
            final ConnectionRecord r = v6(IpProtocol.TCP, 100 + i, 1000, 10, 443, 11, 443, 2, ConnectionFlags.MASQ);
            table.insert(r, null, T0, cursor);
            table.onPacket(cursor, false, TCP_SYN, 60, T0);
            expected.add(identity(r));
        }
        final ConnectionRecord tpl = httpTemplate(RIP1, 1, 360_000);
        table.insert(tpl, null, T0, cursor);
        expected.add(identity(tpl));

        final List<String> seen = new ArrayList<>();
        table.forEach(T0 + 10_000, r -> seen.add(identity(r)));
        assertEquals(expected.size(), seen.size(), "each once: " + seen);
        assertEquals(expected, new HashSet<>(seen));
        assertEquals(20 + 5 + 1, table.size(), "expired ones still occupy slots until the sweep");
    }

    @Test
    void insertedRecordReflectsTheStoredEntry()
    {
        final ConnectionRecord nat = v4(IpProtocol.TCP, CLIENT, 40000, VIP, 80, RIP1, 8080, 5, ConnectionFlags.MASQ);
        nat.timeoutProfile = 7;
        assertEquals(INSERTED, table.insert(nat, null, T0, cursor));
        final ConnectionRecord r = cursor.record();
        assertSameIdentity(nat, r);
        assertEquals(5, r.destinationId);
        assertEquals(7, r.timeoutProfile);
        assertEquals(nat.flags, r.flags);
        assertEquals(0, r.packets);
        assertEquals(0, r.bytes);
        assertEquals(0, r.controlCount);
        assertNotEquals(0, r.flags & ConnectionFlags.INACTIVE);
    }

    // ---------------------------------------------------------------------------------------------------------
    // No allocation
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Lookups (hits and misses, both directions, templates), inserts (new and duplicate), packets, removals and
     * sweeps allocate nothing: the thread's allocation counter stays put over many thousands of operations
     * (like JMH's GC profiler it counts what survives escape analysis). Listings are exempt.
     */
    @Test
    void perPacketOperationsDoNotAllocate()
    {
        final java.lang.management.ThreadMXBean bean = java.lang.management.ManagementFactory.getThreadMXBean();
        org.junit.jupiter.api.Assumptions.assumeTrue(
            bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        org.junit.jupiter.api.Assumptions.assumeTrue(
            threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        final ConnectionRecord[] records = new ConnectionRecord[64];
        final FlowKey[] in = new FlowKey[records.length];
        final FlowKey[] out = new FlowKey[records.length];
        for (int i = 0; i < records.length; i++)
        {
            records[i] = i % 4 == 3 ?
                v6(IpProtocol.TCP, 100 + i, 2000 + i, 10, 443, 11, 8443, i % DESTINATIONS, ConnectionFlags.MASQ) :
                v4(IpProtocol.TCP, CLIENT + i, 2000 + i, VIP, 80, RIP1, 8080, i % DESTINATIONS,
                    i % 2 == 0 ? ConnectionFlags.MASQ : ConnectionFlags.DROUTE);
            in[i] = records[i].inboundKey(new FlowKey());
            out[i] = records[i].outboundKey(new FlowKey());
        }
        final ConnectionRecord tpl = httpTemplate(RIP1, 1, 3_600_000);
        final FlowKey tplKey = tpl.inboundKey(new FlowKey());
        final FlowKey missing = new FlowKey().setV4(IpProtocol.TCP, CLIENT, 1, VIP, 1);
        final ConnectionCursor a = table.newCursor();
        final ConnectionCursor b = table.newCursor();
        final ConnectionCursor t = table.newCursor();

        long sink = churn(records, in, out, tpl, tplKey, missing, a, b, t, 2_000);
        final long thread = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(thread);
        sink += churn(records, in, out, tpl, tplKey, missing, a, b, t, 5_000);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;
        // one allocation per operation would be at least 16 bytes x 5,000 rounds x 64 entries x ~8 operations
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes (" + sink + ")");
    }

    private long churn(
        final ConnectionRecord[] records,
        final FlowKey[] in,
        final FlowKey[] out,
        final ConnectionRecord tpl,
        final FlowKey tplKey,
        final FlowKey missing,
        final ConnectionCursor a,
        final ConnectionCursor b,
        final ConnectionCursor t,
        final int rounds)
    {
        long sink = 0;
        long now = T0;
        for (int round = 0; round < rounds; round++)
        {
            now += 10;
            if (!table.findTemplate(tplKey, now, t))
            {
                sink += table.insert(tpl, null, now, t);
            }
            for (int i = 0; i < records.length; i++)
            {
                sink += table.insert(records[i], i % 8 == 0 && records[i].family == FlowKey.AF_INET ? t : null, now, a);
                sink += table.insert(records[i], null, now, b); // EXISTS
                sink += table.onPacket(a, false, TCP_SYN, 60, now);
                if (table.findIn(in[i], now, b))
                {
                    sink += table.onPacket(b, false, TCP_ACK, 52, now) + b.record().destPort;
                }
                if (records[i].method() == ConnectionFlags.MASQ && table.findOut(out[i], now, b))
                {
                    sink += table.onPacket(b, true, TCP_ACK, 1500, now);
                }
                sink += table.findIn(missing, now, b) ? 1 : 0;
                sink += table.remove(a) ? 1 : 0;
            }
            sink += table.sweep(now, 64);
        }
        return sink;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Model-based property
    // ---------------------------------------------------------------------------------------------------------

    /** @return random operation sequences the model property runs. */
    protected int modelCases()
    {
        return 150;
    }

    /**
     * Random sequences of inserts, packets (any flags, both directions), removals, clock jumps and sweeps on a
     * handful of keys, against a plain model of the reference's life-cycle: after every step each key is found
     * (both directions for NAT) exactly when the model holds it unexpired, in the model's state, and after every
     * sweep the size and the destination counts equal the model's.
     */
    @Test
    void behavesLikeTheReferenceModel()
    {
        PropertyCheck.forAll("ConnectionTableContract.behavesLikeTheReferenceModel", modelCases(), random ->
        {
            final DestinationCounters dc = new DestinationCounters(DESTINATIONS);
            for (int d = 0; d < DESTINATIONS; d++)
            {
                dc.reset(d, 0, 0);
            }
            final ConnectionTimeoutProfiles tp = new ConnectionTimeoutProfiles();
            try (ConnectionTable t = newTable(64, dc, tp))
            {
                new ModelRun(t, dc, random).run(300);
            }
        });
    }

    /** One run of the model property. */
    private static final class ModelRun
    {
        private static final int[] FLAGS =
        {
            TCP_SYN, TCP_SYN | TCP_ACK, TCP_ACK, TCP_ACK | 0x08, TCP_FIN | TCP_ACK, TCP_RST, TCP_RST | TCP_ACK, 0
        };

        private final ConnectionTable t;
        private final DestinationCounters dc;
        private final java.util.SplittableRandom random;
        private final List<ConnectionRecord> keys = new ArrayList<>();
        private final boolean[] present;
        private final int[] state;
        private final int[] flags;
        private final long[] expires;
        private final ConnectionCursor c;
        private final FlowKey k = new FlowKey();
        private final StringBuilder trace = new StringBuilder();
        private long now = T0;

        ModelRun(final ConnectionTable t, final DestinationCounters dc, final java.util.SplittableRandom random)
        {
            this.t = t;
            this.dc = dc;
            this.random = random;
            for (int i = 0; i < 10; i++)
            {
                keys.add(v4(IpProtocol.TCP, CLIENT + i, 40000 + i, VIP, 80, RIP1 + i, 8080, i % DESTINATIONS,
                    i % 3 == 0 ? ConnectionFlags.MASQ : ConnectionFlags.DROUTE));
            }
            for (int i = 0; i < 2; i++)
            {
                keys.add(v4(IpProtocol.UDP, CLIENT, 5000 + i, VIP, 53, RIP2, 53, 5, ConnectionFlags.MASQ));
            }
            for (int i = 0; i < 4; i++)
            {
                keys.add(v6(IpProtocol.TCP, 7 + i, 40000, 10, 443, 11 + i, 443, 6 + i % 2,
                    i % 2 == 0 ? ConnectionFlags.MASQ : ConnectionFlags.TUNNEL));
            }
            present = new boolean[keys.size()];
            state = new int[keys.size()];
            flags = new int[keys.size()];
            expires = new long[keys.size()];
            c = t.newCursor();
        }

        void run(final int steps)
        {
            for (int step = 0; step < steps; step++)
            {
                final int dice = random.nextInt(100);
                final int i = random.nextInt(keys.size());
                if (dice < 25)
                {
                    insert(i);
                }
                else if (dice < 65)
                {
                    packet(i);
                }
                else if (dice < 73)
                {
                    remove(i);
                }
                else if (dice < 92)
                {
                    final int scale = random.nextInt(3);
                    final long by = scale == 0 ? random.nextInt(5_000) : scale == 1 ? random.nextInt(200_000) :
                        random.nextInt(1_000_000);
                    now += by;
                    trace.append("advance ").append(by).append('\n');
                }
                else
                {
                    sweep();
                }
                checkLookups();
            }
            sweep();
        }

        private boolean live(final int i)
        {
            return present[i] && now < expires[i];
        }

        private void insert(final int i)
        {
            trace.append("insert ").append(i).append('\n');
            final int result = t.insert(new ConnectionRecord().set(keys.get(i)), null, now, c);
            if (live(i))
            {
                assertEquals(EXISTS, result, trace.toString());
                return;
            }
            assertEquals(INSERTED, result, trace.toString());
            present[i] = true;
            state[i] = TcpState.NONE;
            flags[i] = keys.get(i).flags;
            expires[i] = now + ConnectionTimeouts.NEW_ENTRY_MS;
        }

        private void packet(final int i)
        {
            final ConnectionRecord key = keys.get(i);
            final boolean reply = key.method() == ConnectionFlags.MASQ && random.nextBoolean();
            final int tcpFlags = FLAGS[random.nextInt(FLAGS.length)];
            trace.append("packet ").append(i).append(reply ? " reply " : " request ").append(tcpFlags).append('\n');
            if (!live(i))
            {
                return;
            }
            final boolean found = reply ? t.findOut(key.outboundKey(k), now, c) : t.findIn(key.inboundKey(k), now, c);
            assertTrue(found, trace.toString());
            // the reference's rules, section 4.4/4.5, applied to the model
            final int next;
            if (key.protocol == IpProtocol.TCP)
            {
                final int table;
                if ((flags[i] & ConnectionFlags.NOOUTPUT) != 0 && reply)
                {
                    flags[i] &= ~ConnectionFlags.NOOUTPUT;
                    table = TcpStateMachine.OUTPUT;
                }
                else
                {
                    table = TcpStateMachine.table(reply, flags[i]);
                }
                next = TcpStateMachine.next(table, state[i], tcpFlags);
                if (next == TcpState.ESTABLISHED)
                {
                    flags[i] &= ~ConnectionFlags.INACTIVE;
                }
                else
                {
                    flags[i] |= ConnectionFlags.INACTIVE;
                }
            }
            else
            {
                next = TcpState.UDP;
            }
            state[i] = next;
            expires[i] = now + ConnectionTimeouts.IPVS_DEFAULTS.timeoutMs(next);
            assertEquals(TcpState.name(next), TcpState.name(t.onPacket(c, reply, tcpFlags, 60, now)), trace.toString());
            assertEquals(expires[i], c.record().expiresAtMs, trace.toString());
            assertEquals(flags[i], c.record().flags, trace.toString());
        }

        private void remove(final int i)
        {
            trace.append("remove ").append(i).append('\n');
            if (!live(i))
            {
                return;
            }
            assertTrue(t.findIn(keys.get(i).inboundKey(k), now, c), trace.toString());
            assertTrue(t.remove(c), trace.toString());
            present[i] = false;
        }

        private void sweep()
        {
            trace.append("sweep\n");
            for (int n = 0, zeros = 0; n < 1_000 && zeros < 2; n++)
            {
                zeros = t.sweep(now, Integer.MAX_VALUE) == 0 ? zeros + 1 : 0;
            }
            final int[] active = new int[DESTINATIONS];
            final int[] inactive = new int[DESTINATIONS];
            int size = 0;
            for (int i = 0; i < keys.size(); i++)
            {
                present[i] = live(i);
                if (present[i])
                {
                    size++;
                    if (state[i] == TcpState.ESTABLISHED)
                    {
                        active[keys.get(i).destinationId]++;
                    }
                    else
                    {
                        inactive[keys.get(i).destinationId]++;
                    }
                }
            }
            assertEquals(size, t.size(), trace.toString());
            for (int d = 0; d < DESTINATIONS; d++)
            {
                assertEquals(active[d], dc.active(d), "active of " + d + "\n" + trace);
                assertEquals(inactive[d], dc.inactive(d), "inactive of " + d + "\n" + trace);
            }
        }

        private void checkLookups()
        {
            for (int i = 0; i < keys.size(); i++)
            {
                final ConnectionRecord key = keys.get(i);
                final boolean found = t.findIn(key.inboundKey(k), now, c);
                assertEquals(live(i), found, "findIn " + i + "\n" + trace);
                if (found)
                {
                    assertEquals(
                        TcpState.name(state[i]), TcpState.name(c.record().state), "state of " + i + "\n" + trace);
                }
                if (key.method() == ConnectionFlags.MASQ)
                {
                    assertEquals(live(i), t.findOut(key.outboundKey(k), now, c), "findOut " + i + "\n" + trace);
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------

    /**
     * Sweeps until a whole pass removes nothing more.
     *
     * @param nowMs the clock.
     * @return entries removed.
     */
    protected int sweepFully(final long nowMs)
    {
        int total = 0;
        int zeros = 0;
        for (int i = 0; i < 10_000 && zeros < 2; i++)
        {
            final int n = table.sweep(nowMs, Integer.MAX_VALUE);
            total += n;
            zeros = n == 0 ? zeros + 1 : 0;
        }
        return total;
    }

    protected boolean findDr(final int clientPort, final long nowMs)
    {
        return table.findIn(drKey(clientPort), nowMs, table.newCursor());
    }

    protected boolean findTemplate(final long nowMs, final ConnectionCursor c)
    {
        return table.findTemplate(key.setV4(IpProtocol.TCP, CLIENT_NET, 0, VIP, 80), nowMs, c);
    }

    protected FlowKey drKey(final int clientPort)
    {
        return key.setV4(IpProtocol.TCP, CLIENT, clientPort, VIP, 80);
    }

    /** A DR TCP connection from CLIENT:port to VIP:80 on RIP1 (destination 1). */
    protected static ConnectionRecord dr(final int clientPort)
    {
        return v4(IpProtocol.TCP, CLIENT, clientPort, VIP, 80, RIP1, 80, 1, ConnectionFlags.DROUTE);
    }

    /**
     * A new IPv4 connection as a worker builds it: INACTIVE as IPVS's destinations hand out, NOOUTPUT for every
     * method but NAT, state NONE, default profile.
     */
    protected static ConnectionRecord v4(
        final int protocol,
        final int client,
        final int clientPort,
        final int vip,
        final int vport,
        final int rip,
        final int rport,
        final int destinationId,
        final int method)
    {
        final ConnectionRecord r = new ConnectionRecord();
        r.family = FlowKey.AF_INET;
        r.protocol = protocol;
        r.clientLo = client & 0xFFFF_FFFFL;
        r.clientPort = clientPort;
        r.virtualLo = vip & 0xFFFF_FFFFL;
        r.virtualPort = vport;
        r.destLo = rip & 0xFFFF_FFFFL;
        r.destPort = rport;
        r.destinationId = destinationId;
        r.flags = method | ConnectionFlags.INACTIVE | (method == ConnectionFlags.MASQ ? 0 : ConnectionFlags.NOOUTPUT);
        r.state = TcpState.NONE;
        return r;
    }

    /** A new IPv6 connection in 2001:db8::/32: client, VIP and real server differ in their low 64 bits. */
    protected static ConnectionRecord v6(
        final int protocol,
        final long clientLo,
        final int clientPort,
        final long vipLo,
        final int vport,
        final long ripLo,
        final int rport,
        final int destinationId,
        final int method)
    {
        final ConnectionRecord r = new ConnectionRecord();
        r.family = FlowKey.AF_INET6;
        r.protocol = protocol;
        r.clientHi = CLIENT6_HI;
        r.clientLo = clientLo;
        r.clientPort = clientPort;
        r.virtualHi = VIP6_HI;
        r.virtualLo = vipLo;
        r.virtualPort = vport;
        r.destHi = RIP6_HI;
        r.destLo = ripLo;
        r.destPort = rport;
        r.destinationId = destinationId;
        r.flags = method | ConnectionFlags.INACTIVE | (method == ConnectionFlags.MASQ ? 0 : ConnectionFlags.NOOUTPUT);
        r.state = TcpState.NONE;
        return r;
    }

    /** A persistence template (client port 0) for a DR service. */
    protected static ConnectionRecord template(
        final int protocol,
        final int clientNet,
        final int vipOrMark,
        final int vport,
        final int rip,
        final int rport,
        final int destinationId,
        final long timeoutMs)
    {
        final ConnectionRecord r =
            v4(protocol, clientNet, 0, vipOrMark, vport, rip, rport, destinationId, ConnectionFlags.DROUTE);
        r.flags |= ConnectionFlags.TEMPLATE;
        r.templateTimeoutMs = timeoutMs;
        return r;
    }

    /** A persistent TCP service's template for CLIENT_NET and VIP:80 on the given real server. */
    protected static ConnectionRecord httpTemplate(final int rip, final int destinationId, final long timeoutMs)
    {
        return template(IpProtocol.TCP, CLIENT_NET, VIP, 80, rip, 80, destinationId, timeoutMs);
    }

    protected static int ip(final int a, final int b, final int c, final int d)
    {
        return a << 24 | b << 16 | c << 8 | d;
    }

    protected static void assertSameIdentity(final ConnectionRecord expected, final ConnectionRecord actual)
    {
        assertEquals(identity(expected), identity(actual));
    }

    /** The fields that name an entry and its real server, as text for readable failures. */
    protected static String identity(final ConnectionRecord r)
    {
        return r.family + " " + r.protocol + " " + Long.toHexString(r.clientHi) + ":" + Long.toHexString(r.clientLo) +
            "." + r.clientPort + " > " + Long.toHexString(r.virtualHi) + ":" + Long.toHexString(r.virtualLo) + "." +
            r.virtualPort + " => " + Long.toHexString(r.destHi) + ":" + Long.toHexString(r.destLo) + "." +
            r.destPort + " d" + r.destinationId + (r.isTemplate() ? " T" : "") + " m" + r.method();
    }
}
