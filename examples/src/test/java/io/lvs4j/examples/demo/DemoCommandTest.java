package io.lvs4j.examples.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.lvs4j.forwarder.channel.pcap.PcapFileChannel;

/**
 * {@code lvs4j demo}: the bundled capture is what it claims to be, the replay prints the seed's 50/50, and as
 * root the real lab does the same for DR, NAT and TUN.
 */
@Timeout(180)
class DemoCommandTest
{
    @TempDir
    Path dir;

    @Test
    void theBundledCaptureIsTheGeneratedOne() throws Exception
    {
        final Path copy = dir.resolve("bundled.pcap");
        try (InputStream in = DemoCommand.class.getResourceAsStream(DemoCommand.CAPTURE))
        {
            Files.copy(in, copy);
        }
        final List<byte[]> bundled = PcapFileChannel.readFrames(copy);
        final List<byte[]> generated = DemoCapture.frames(100);
        assertEquals(generated.size(), bundled.size());
        for (int i = 0; i < generated.size(); i++)
        {
            assertArrayEquals(generated.get(i), bundled.get(i), "frame " + i);
        }
    }

    @Test
    void withoutTheLabTheReplayShowsTheSameSplit()
    {
        final String out = run("--replay");
        assertTrue(out.contains("     50 rs1\n     50 rs2\n"), out);
        assertTrue(out.contains("101 frames in, 102 out"), out);
    }

    @Tag("lab")
    @Test
    void asRootTheLabSplitsEveryMethodEvenly()
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/sbin/ip")),
            () ->
            {
                System.out.println("[lab] skipped: the demo's lab needs root and iproute2");
                return "not root";
            });
        final String out = run("--requests", "20");
        assertEquals(3, out.split("     10 rs1\n     10 rs2\n", -1).length - 1, out);
        assertEquals(3, out.split("lab removed", -1).length - 1, out);
        // 20 counted requests and the warm-up one: the table's InActConn add up to 21 per method
        assertEquals(3, out.split("warmed up ARP", -1).length - 1, out);
        final Matcher m = Pattern.compile(
            "-> 192\\.0\\.2\\.1[12]:80 +\\w+ +1 +(\\d+) +(\\d+)").matcher(out);
        int connections = 0;
        while (m.find())
        {
            connections += Integer.parseInt(m.group(1)) + Integer.parseInt(m.group(2));
        }
        assertEquals(3 * 21, connections, out);
    }

    private static String run(final String... args)
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        final int code = new CommandLine(new DemoCommand(out)).execute(args);
        final String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, text);
        return text;
    }
}
