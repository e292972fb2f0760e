package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.flow.IpProtocol;

import java.nio.file.Path;
import java.nio.file.Paths;

import static io.lvs4j.core.conn.TcpStateMachine.TCP_ACK;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_SYN;

/**
 * Another process on a table's file, for {@link ChronicleConnectionTablePersistenceTest}: {@code list} attaches
 * and prints every live entry ({@code ENTRY ...}); {@code fill} owns the table, inserts connections, prints
 * {@code READY} and waits to be killed, as a director that crashes.
 */
public final class TableChildMain
{
    private TableChildMain()
    {
    }

    /**
     * Entry point.
     *
     * @param args mode, file, table clock, and for {@code fill} capacity and count.
     * @throws Exception on failure.
     */
    public static void main(final String[] args) throws Exception
    {
        final Path file = Paths.get(args[1]);
        final long nowMs = Long.parseLong(args[2]);
        if ("list".equals(args[0]))
        {
            try (ChronicleConnectionTable table =
                ChronicleConnectionTable.attach(file, ChronicleTables.counters(), new ConnectionTimeoutProfiles()))
            {
                System.out.println("CAPACITY " + table.capacity());
                table.forEach(nowMs, r -> System.out.println("ENTRY " + r));
            }
            System.out.println("DONE");
            return;
        }
        final long capacity = Long.parseLong(args[3]);
        final int count = Integer.parseInt(args[4]);
        final ChronicleConnectionTable table = ChronicleConnectionTable.createOrRecover(
            file, capacity, ChronicleTables.counters(), new ConnectionTimeoutProfiles());
        final ConnectionCursor c = table.newCursor();
        for (int i = 0; i < count; i++)
        {
            table.insert(ChronicleTables.connection(ChronicleTables.in(IpProtocol.TCP, ChronicleTables.CLIENT + i, 40000),
                ConnectionFlags.MASQ, 1), null, nowMs, c);
            table.onPacket(c, false, TCP_SYN, 60, nowMs);
            table.onPacket(c, false, TCP_ACK, 60, nowMs);
        }
        System.out.println("READY " + table.size());
        System.out.flush();
        Thread.sleep(600_000);
    }
}
