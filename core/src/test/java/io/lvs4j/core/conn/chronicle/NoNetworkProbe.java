package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionCursor;
import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.IpProtocol;
import net.openhft.chronicle.map.ChronicleMap;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URL;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.atomic.AtomicInteger;

import static io.lvs4j.core.conn.TcpStateMachine.TCP_ACK;
import static io.lvs4j.core.conn.TcpStateMachine.TCP_SYN;

/**
 * Child-JVM main for {@link ChronicleNoNetworkTest}: installs {@link NetworkRecorder}, then either makes
 * deliberate connection attempts ({@code control}), uses Chronicle Map directly without disabling its
 * analytics ({@code chronicle-raw}), or exercises {@link ChronicleConnectionTable} ({@code table}); then prints
 * what was recorded. Output lines: {@code ATTEMPT ...}, {@code PROPERTY-BEFORE/AFTER ...}, {@code OPS ...},
 * {@code DONE attempts=n}.
 */
public final class NoNetworkProbe
{
    private NoNetworkProbe()
    {
    }

    /**
     * Entry point.
     *
     * @param args mode, work directory, milliseconds to wait for background senders.
     * @throws Exception on failure (exit code 1).
     */
    public static void main(final String[] args) throws Exception
    {
        NetworkRecorder.install();
        final String mode = args[0];
        final Path dir = Paths.get(args[1]);
        final long settleMs = Long.parseLong(args[2]);
        System.out.println("PROPERTY-BEFORE " + System.getProperty("chronicle.analytics.disable"));
        final long start = System.nanoTime();
        switch (mode)
        {
            case "control":
                deliberateAttempts();
                break;
            case "chronicle-raw":
                rawChronicle(dir);
                break;
            case "table":
                useTable(dir);
                break;
            default:
                throw new IllegalArgumentException(mode);
        }
        // Chronicle sends analytics from a background thread: wait for it (or for nothing, for settleMs).
        final long deadline = System.nanoTime() + settleMs * 1_000_000L;
        while (System.nanoTime() < deadline && !("chronicle-raw".equals(mode) && !NetworkRecorder.attempts().isEmpty()))
        {
            Thread.sleep(50);
        }
        System.out.println("ELAPSED-MS " + (System.nanoTime() - start) / 1_000_000);
        System.out.println("PROPERTY-AFTER " + System.getProperty("chronicle.analytics.disable"));
        System.out.println("DONE attempts=" + NetworkRecorder.attempts().size());
        System.out.flush();
        System.exit(0);
    }

    private static void deliberateAttempts() throws Exception
    {
        try
        {
            new URL("https://www.google-analytics.com/mp/collect").openConnection().connect();
        }
        catch (final java.io.IOException expected)
        {
            System.out.println("refused: " + expected.getMessage());
        }
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[]{(byte)192, 0, 2, 1}), 9), 1000);
        }
        catch (final java.io.IOException expected)
        {
            System.out.println("refused: " + expected.getMessage());
        }
        try (SocketChannel channel = SocketChannel.open())
        {
            channel.connect(new InetSocketAddress(InetAddress.getByAddress(new byte[]{(byte)192, 0, 2, 1}), 9));
        }
        catch (final java.io.IOException expected)
        {
            System.out.println("refused: " + expected.getMessage());
        }
    }

    private static void rawChronicle(final Path dir) throws Exception
    {
        try (ChronicleMap<Long, Long> map = ChronicleMap.of(Long.class, Long.class)
            .entries(1000)
            .createPersistedTo(dir.resolve("raw.cmap").toFile()))
        {
            map.put(1L, 2L);
            System.out.println("OPS raw size=" + map.size());
        }
    }

    private static void useTable(final Path dir) throws Exception
    {
        final DestinationCounters counters = ChronicleTables.counters();
        final Path file = dir.resolve("table.cmap");
        final long now = 1_700_000_000_000L;
        try (ChronicleConnectionTable table =
            ChronicleConnectionTable.createOrRecover(file, 1024, counters, new ConnectionTimeoutProfiles()))
        {
            final ConnectionCursor tpl = table.newCursor();
            final ConnectionCursor c = table.newCursor();
            table.insert(ChronicleTables.template(ChronicleTables.templateKey(IpProtocol.TCP, 0xC6336400), 1, 360_000),
                null, now, tpl);
            table.insert(ChronicleTables.connection(ChronicleTables.in(IpProtocol.TCP, ChronicleTables.CLIENT, 40000),
                ConnectionFlags.MASQ, 1), tpl, now, c);
            table.onPacket(c, false, TCP_SYN, 60, now + 1);
            if (!table.findOut(ChronicleTables.out(IpProtocol.TCP, ChronicleTables.CLIENT, 40000), now + 2, c))
            {
                throw new AssertionError("reply not found");
            }
            table.onPacket(c, true, TCP_SYN | TCP_ACK, 60, now + 2);
            table.onPacket(c, false, TCP_ACK, 60, now + 3);
            table.sweep(now + 4, 1000);
            final AtomicInteger listed = new AtomicInteger();
            table.forEach(now + 5, r -> listed.incrementAndGet());
            System.out.println("OPS table size=" + table.size() + " listed=" + listed + " active=" + counters.active(1));
        }
        try (ChronicleConnectionTable again =
            ChronicleConnectionTable.attach(file, ChronicleTables.counters(), new ConnectionTimeoutProfiles()))
        {
            System.out.println("OPS reattached size=" + again.size());
        }
    }
}
