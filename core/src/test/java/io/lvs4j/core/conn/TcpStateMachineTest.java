package io.lvs4j.core.conn;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static io.lvs4j.core.conn.TcpStateMachine.INPUT;
import static io.lvs4j.core.conn.TcpStateMachine.INPUT_ONLY;
import static io.lvs4j.core.conn.TcpStateMachine.OUTPUT;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_ACK;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_FIN;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_RST;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_SYN;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Every cell of IPVS's TCP transition tables, against a transcription of the behavioural reference's section
 * 4.4 kept here as text (not derived from the production tables), plus the secure_tcp differences, the event
 * precedence and the choice of table.
 */
class TcpStateMachineTest
{
    /** Columns of the reference table, in its order. */
    private static final String COLUMNS = "NO ES SS SR FW TW CL CW LA LI SA";

    /** Section 4.4, row by row: table, event, then the next state for each current state. */
    private static final String REFERENCE =
        "INPUT syn      | SR | ES | ES | SR | SR | SR | SR | SR | SR | SR | SR\n" +
        "INPUT fin      | CL | CW | SS | TW | TW | TW | CL | CW | LA | LI | TW\n" +
        "INPUT ack      | CL | ES | SS | ES | FW | TW | CL | CW | CL | LI | ES\n" +
        "INPUT rst      | CL | CL | CL | SR | CL | CL | CL | CL | LA | LI | SR\n" +
        "OUTPUT syn     | SS | ES | SS | SR | SS | SS | SS | SS | SS | LI | SR\n" +
        "OUTPUT fin     | TW | FW | SS | TW | FW | TW | CL | TW | LA | LI | TW\n" +
        "OUTPUT ack     | ES | ES | SS | ES | FW | TW | CL | CW | LA | ES | ES\n" +
        "OUTPUT rst     | CL | CL | SS | CL | CL | TW | CL | CL | CL | CL | CL\n" +
        "INPUT-ONLY syn | SR | ES | ES | SR | SR | SR | SR | SR | SR | SR | SR\n" +
        "INPUT-ONLY fin | CL | FW | SS | TW | FW | TW | CL | CW | LA | LI | TW\n" +
        "INPUT-ONLY ack | CL | ES | SS | ES | FW | TW | CL | CW | CL | LI | ES\n" +
        "INPUT-ONLY rst | CL | CL | CL | SR | CL | CL | CL | CL | LA | LI | CL\n";

    /** Section 4.4's secure_tcp differences: table event from to. */
    private static final String SECURE_DIFFERENCES =
        "INPUT syn SA SA\n" +
        "INPUT fin SA SA\n" +
        "INPUT ack SR SR\n" +
        "INPUT ack SA SA\n" +
        "INPUT rst SA CL\n" +
        "OUTPUT syn SR SA\n" +
        "OUTPUT syn SA SA\n" +
        "INPUT-ONLY syn NO SA\n" +
        "INPUT-ONLY syn FW SA\n" +
        "INPUT-ONLY syn TW SA\n" +
        "INPUT-ONLY syn CL SA\n" +
        "INPUT-ONLY syn CW SA\n" +
        "INPUT-ONLY syn LA SA\n" +
        "INPUT-ONLY syn LI SA\n" +
        "INPUT-ONLY syn SA SA\n";

    private static final Map<String, Integer> STATES = new HashMap<>();
    private static final Map<String, Integer> TABLES = new HashMap<>();
    private static final Map<String, Integer> EVENT_FLAGS = new HashMap<>();

    static
    {
        STATES.put("NO", TcpState.NONE);
        STATES.put("ES", TcpState.ESTABLISHED);
        STATES.put("SS", TcpState.SYN_SENT);
        STATES.put("SR", TcpState.SYN_RECV);
        STATES.put("FW", TcpState.FIN_WAIT);
        STATES.put("TW", TcpState.TIME_WAIT);
        STATES.put("CL", TcpState.CLOSE);
        STATES.put("CW", TcpState.CLOSE_WAIT);
        STATES.put("LA", TcpState.LAST_ACK);
        STATES.put("LI", TcpState.LISTEN);
        STATES.put("SA", TcpState.SYNACK);
        TABLES.put("INPUT", INPUT);
        TABLES.put("OUTPUT", OUTPUT);
        TABLES.put("INPUT-ONLY", INPUT_ONLY);
        EVENT_FLAGS.put("syn", TCP_SYN);
        EVENT_FLAGS.put("fin", TCP_FIN);
        EVENT_FLAGS.put("ack", TCP_ACK);
        EVENT_FLAGS.put("rst", TCP_RST);
    }

    @Test
    void everyCellMatchesTheReference()
    {
        final String[] columns = COLUMNS.split(" ");
        int cells = 0;
        for (final String row : REFERENCE.split("\n"))
        {
            final String[] parts = row.split("\\|");
            final String[] head = parts[0].trim().split(" ");
            final int table = TABLES.get(head[0]);
            final int flags = EVENT_FLAGS.get(head[1]);
            for (int i = 0; i < columns.length; i++)
            {
                final int from = STATES.get(columns[i]);
                final int expected = STATES.get(parts[i + 1].trim());
                assertEquals(
                    TcpState.name(expected), TcpState.name(TcpStateMachine.next(table, from, flags)),
                    head[0] + " " + head[1] + " from " + columns[i]);
                cells++;
            }
        }
        assertEquals(3 * 4 * 11, cells);
    }

    @Test
    void secureTablesDifferOnlyWhereTheReferenceSays()
    {
        final Map<String, Integer> differences = new HashMap<>();
        for (final String line : SECURE_DIFFERENCES.split("\n"))
        {
            final String[] f = line.split(" ");
            differences.put(f[0] + " " + f[1] + " " + f[2], STATES.get(f[3]));
        }
        for (final Map.Entry<String, Integer> t : TABLES.entrySet())
        {
            for (final Map.Entry<String, Integer> e : EVENT_FLAGS.entrySet())
            {
                for (final Map.Entry<String, Integer> s : STATES.entrySet())
                {
                    final String cell = t.getKey() + " " + e.getKey() + " " + s.getKey();
                    final int normal = TcpStateMachine.next(t.getValue(), s.getValue(), e.getValue());
                    final int expected = differences.getOrDefault(cell, normal);
                    assertEquals(
                        TcpState.name(expected),
                        TcpState.name(TcpStateMachine.nextSecure(t.getValue(), s.getValue(), e.getValue())),
                        cell);
                }
            }
        }
    }

    @Test
    void eventsFollowThePrecedenceRstSynFinAck()
    {
        assertEquals(TcpStateMachine.EVENT_RST, TcpStateMachine.event(TCP_RST | TCP_SYN | TCP_FIN | TCP_ACK));
        assertEquals(TcpStateMachine.EVENT_SYN, TcpStateMachine.event(TCP_SYN | TCP_FIN | TCP_ACK));
        assertEquals(TcpStateMachine.EVENT_FIN, TcpStateMachine.event(TCP_FIN | TCP_ACK));
        assertEquals(TcpStateMachine.EVENT_ACK, TcpStateMachine.event(TCP_ACK | 0x08 | 0x20));
        assertEquals(TcpStateMachine.EVENT_NONE, TcpStateMachine.event(0x08 | 0x20 | 0x40 | 0x80));
        // from ESTABLISHED on INPUT: rst CL, syn ES, fin CW, ack ES
        assertEquals(TcpState.CLOSE, TcpStateMachine.next(INPUT, TcpState.ESTABLISHED, TCP_RST | TCP_SYN));
        assertEquals(TcpState.CLOSE_WAIT, TcpStateMachine.next(INPUT, TcpState.ESTABLISHED, TCP_FIN | TCP_ACK));
    }

    @Test
    void segmentWithNoneOfTheFourFlagsMovesEveryStateToClose()
    {
        for (final int table : new int[] {INPUT, OUTPUT, INPUT_ONLY})
        {
            for (int state = 0; state < TcpState.TCP_STATE_COUNT; state++)
            {
                assertEquals(TcpState.CLOSE, TcpStateMachine.next(table, state, 0));
                assertEquals(TcpState.CLOSE, TcpStateMachine.next(table, state, 0x08)); // PSH alone
                assertEquals(TcpState.CLOSE, TcpStateMachine.nextSecure(table, state, 0));
            }
        }
    }

    @Test
    void tableFollowsDirectionAndNoOutput()
    {
        assertEquals(OUTPUT, TcpStateMachine.table(true, 0));
        assertEquals(OUTPUT, TcpStateMachine.table(true, ConnectionFlags.NOOUTPUT));
        assertEquals(INPUT, TcpStateMachine.table(false, 0));
        assertEquals(INPUT_ONLY, TcpStateMachine.table(false, ConnectionFlags.NOOUTPUT | ConnectionFlags.DROUTE));
    }

    @Test
    void defaultTimeoutsAreIpvss()
    {
        final ConnectionTimeouts t = ConnectionTimeouts.IPVS_DEFAULTS;
        final String[] names = {"NO", "ES", "SS", "SR", "FW", "TW", "CL", "CW", "LA", "LI", "SA"};
        final long[] seconds = {2, 900, 120, 60, 120, 120, 10, 60, 30, 120, 120};
        for (int i = 0; i < names.length; i++)
        {
            assertEquals(seconds[i] * 1000, t.timeoutMs(STATES.get(names[i])), names[i]);
        }
        assertEquals(300_000, t.timeoutMs(TcpState.UDP));
        assertEquals(3_000, ConnectionTimeouts.NEW_ENTRY_MS);
        assertEquals(60_000, ConnectionTimeouts.CONTROL_RETRY_MS);
    }
}
