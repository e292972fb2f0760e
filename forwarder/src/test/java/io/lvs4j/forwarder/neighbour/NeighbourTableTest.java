package io.lvs4j.forwarder.neighbour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The neighbour table: only wanted addresses are learnt from ARP, a full table refuses and counts, compaction
 * keeps what is needed or fresh and drops the rest, and the route table picks the longest prefix.
 */
class NeighbourTableTest
{
    private static final int RS = 0xC000_020B;
    private static final long MAC = 0x02_00_00_00_00_A1L;

    @Test
    void learnsOnlyWhatWasAskedForUnlessToldToCreate()
    {
        final NeighbourTable table = new NeighbourTable(16);
        assertFalse(table.learn(RS, MAC, 1, false), "unsolicited: ignored");
        assertEquals(NeighbourTable.NONE, table.lookup(RS));
        assertTrue(table.want(RS, 1));
        assertEquals(NeighbourTable.NONE, table.lookup(RS), "wanted but unresolved");
        assertTrue(table.learn(RS, MAC, 2, false));
        assertEquals(MAC, table.lookup(RS));
        assertFalse(table.learn(RS, MAC, 3, false), "the same MAC again is a confirmation, not a change");
        table.invalidate(RS);
        assertEquals(NeighbourTable.NONE, table.lookup(RS));
        assertTrue(table.isWanted(RS));
        assertTrue(table.learn(0xC633_6402, 0x02_00_00_00_00_C1L, 4, true), "a NAT client learnt from its request");
        assertEquals(2, table.size());
    }

    @Test
    void aFullTableRefusesAndCountsAndCompactionMakesRoom()
    {
        final NeighbourTable table = new NeighbourTable(16);
        table.want(RS, 0);
        table.learn(RS, MAC, 0, false);
        for (int i = 0; i < 100; i++)
        {
            table.learn(0xC633_6400 + i, 0x02_00_00_00_10_00L + i, 1000, true);
        }
        assertEquals(12, table.size(), "learned clients stop at three quarters");
        assertEquals(100 - 11, table.refused());
        assertTrue(table.want(0xC000_020C, 1000), "a real server the control plane wants still finds room");
        assertEquals(13, table.size());
        final int dropped = table.compact(400_000, 300_000, a -> a == RS || a == 0xC000_020C);
        assertEquals(11, dropped, "clients unconfirmed for more than 5 minutes go");
        assertEquals(2, table.size());
        table.compact(400_000, 300_000, a -> a == RS);
        assertEquals(1, table.size());
        assertEquals(MAC, table.lookup(RS), "the real server stays, wanted, whatever its age");
        assertTrue(table.learn(0xC633_6499, 0x02_00_00_00_00_99L, 400_001, true), "room again");
    }

    @Test
    void routesTakeTheLongestPrefix()
    {
        final RouteTable routes = new RouteTable(List.of(
            new RouteTable.Route(0, 0, 0xC633_64FE, 0, 0xC633_6401),
            new RouteTable.Route(0xC000_0200, 24, 0, 1, 0xC000_0201),
            new RouteTable.Route(0xC633_6400, 24, 0, 0, 0xC633_6401)));
        final int toServer = routes.lookup(RS);
        assertEquals(1, routes.iface(toServer));
        assertTrue(routes.isOnLink(toServer));
        assertEquals(RS, routes.nextHop(toServer, RS));
        final int elsewhere = routes.lookup(0x0808_0808);
        assertEquals(0xC633_64FE, routes.nextHop(elsewhere, 0x0808_0808), "the default route's gateway");
        assertEquals(RouteTable.NO_ROUTE, RouteTable.empty().lookup(RS));
    }
}
