package io.lvs4j.forwarder.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.core.ipvsadm.IpvsadmListing;
import io.lvs4j.core.ipvsadm.ListFormat;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.TestFrames;

/**
 * The counters file: a running director's statistics read from another mapping and from another process.
 */
@Timeout(60)
class CountersFileTest
{
    @TempDir
    Path dir;

    @Test
    void anotherProcessReadsTheDirectorsStatisticsWhileItRuns() throws Exception
    {
        final Path file = dir.resolve("director.stats");
        final MemoryChannel eth0 = new MemoryChannel("eth0");
        final long directorMac = MacAddresses.parse("02:00:00:00:00:01");
        final long clientMac = MacAddresses.parse("02:00:00:00:00:c1");
        final int client = Ipv4Text.parse("198.51.100.2");
        final int vip = Ipv4Text.parse("203.0.113.10");
        try (Director director = Director.launch(new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 2, directorMac, 1500, List.of(
                new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24),
                new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24)))))
            .channels((i, w, n) -> eth0)
            .workers(1)
            .maxRealServers(64)
            .neighbour("192.0.2.11", "02:00:00:00:00:a1")
            .controlTickMs(20)
            .countersFile(file)))
        {
            final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
            director.addService(web);
            director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
            for (int i = 0; i < 10; i++)
            {
                eth0.inject(TestFrames.tcp(clientMac, directorMac, client, 40000 + i, vip, 80, TcpView.SYN, 64, true, 0));
            }
            final byte[] truncated = new byte[20];
            truncated[12] = 0x08;
            eth0.inject(truncated);
            final CountersFile.Reader reader = CountersFile.open(file);
            final long deadline = System.currentTimeMillis() + 10_000;
            Map<String, Long> values = read(reader);
            while ((values.getOrDefault("TCP 203.0.113.10:80 conns", 0L) < 10 ||
                values.getOrDefault("drops MALFORMED", 0L) < 1) && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(50);
                values = read(reader);
            }
            assertEquals(10L, values.get("TCP 203.0.113.10:80 conns"));
            assertEquals(10L, values.get("TCP 203.0.113.10:80 inpkts"));
            assertEquals(400L, values.get("TCP 203.0.113.10:80 inbytes"));
            assertEquals(10L, values.get("TCP 203.0.113.10:80 -> 192.0.2.11:80 conns"));
            assertEquals(10L, values.get("TCP 203.0.113.10:80 -> 192.0.2.11:80 inactconns"));
            assertEquals(1L, values.get("drops MALFORMED"));
            assertEquals(1L, values.get("malformed TRUNCATED_L3"));
            assertTrue(reader.isWriterAlive());

            // what ipvsadm -Ln --stats and --rate list, rebuilt from the file alone, matches the director's own
            for (final Set<ListFormat> format : List.of(EnumSet.of(ListFormat.NUMERIC, ListFormat.STATS),
                EnumSet.of(ListFormat.NUMERIC, ListFormat.RATE), EnumSet.of(ListFormat.NUMERIC)))
            {
                // the file trails the director by up to one control tick: a rate tick may fall in between
                String fromFile = "";
                String fromDirector = "-";
                for (int attempt = 0; attempt < 50 && !fromFile.equals(fromDirector); attempt++)
                {
                    Thread.sleep(attempt == 0 ? 0 : 25);
                    fromDirector = withoutHeader(IpvsadmListing.numeric().list(director.ipvsSnapshot(), format));
                    fromFile = withoutHeader(IpvsadmListing.numeric().list(CountersFileSnapshot.read(reader), format));
                }
                assertEquals(fromDirector, fromFile, format.toString());
            }

            // another process: the dump tool in a child JVM
            final String java = ProcessHandle.current().info().command().orElse("java");
            final List<String> command = new ArrayList<>(List.of(java));
            // the same module opens as this JVM (Agrona reaches jdk.internal.misc)
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-")).forEach(command::add);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), CountersFileDump.class.getName(),
                file.toString()));
            final Process child = new ProcessBuilder(command).redirectErrorStream(true).start();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the dump finishes");
            final String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, child.exitValue(), out);
            assertTrue(out.contains("TCP 203.0.113.10:80 -> 192.0.2.11:80 conns = 10"), out);
        }
        assertTrue(Files.exists(file), "the file stays for readers after the director stops");
    }

    @Test
    void aFileThatIsNotACountersFileIsRefusedClearly() throws Exception
    {
        final Path junk = dir.resolve("junk");
        Files.write(junk, new byte[100]);
        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> CountersFile.open(junk));
        assertTrue(ex.getMessage().contains("not an lvs4j counters file"), ex.getMessage());
        assertThrows(IllegalStateException.class, () -> CountersFile.open(dir.resolve("missing")));
    }

    private static String withoutHeader(final String listing)
    {
        // the first line names the table size, which the file does not hold
        return listing.substring(listing.indexOf('\n') + 1);
    }

    private static Map<String, Long> read(final CountersFile.Reader reader)
    {
        final Map<String, Long> values = new HashMap<>();
        reader.counters().forEach((value, id, label) -> values.put(label, value));
        return values;
    }
}
