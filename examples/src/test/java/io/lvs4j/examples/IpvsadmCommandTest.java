package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.admin.AdminServer;
import io.lvs4j.forwarder.admin.IpvsadmExecutor;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * {@code lvs4j ipvsadm ...} talks to a director over its admin socket and prints what ipvsadm prints.
 */
@Timeout(30)
class IpvsadmCommandTest
{
    @TempDir
    Path dir;

    @Test
    void ipvsadmOverTheAdminSocket()
    {
        final Path socket = dir.resolve("director.sock");
        try (Director director = Director.launch(new Director.Context()
                .interfaces(List.of(new DirectorInterface(0, "eth0", 2, MacAddresses.parse("02:00:00:00:00:01"),
                    1500, List.of(new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24)))))
                .channels((i, w, n) -> new MemoryChannel("eth0"))
                .workers(1));
            AdminServer server = AdminServer.start(socket, new IpvsadmExecutor(director)))
        {
            assertEquals(0, run(socket, "-A", "-t", "203.0.113.10:80", "-s", "rr")[0].length());
            run(socket, "-a", "-t", "203.0.113.10:80", "-r", "192.0.2.11:80", "-g");
            final String[] list = run(socket, "-Ln");
            assertTrue(list[0].contains("TCP  203.0.113.10:80 rr\n  -> 192.0.2.11:80                Route   1"),
                list[0]);
            final String[] refused = run(socket, "-A", "-t", "203.0.113.10:80");
            assertEquals("Service already exists\n", refused[1]);
            assertEquals(0, Lvs4j.run("ipvsadm", "--socket", socket.toString(), "-Ln", "--stats"));
            assertEquals(1, Lvs4j.run("ipvsadm", "--socket", socket.toString(), "-D", "-t", "203.0.113.99:80"));
        }
        assertEquals(1, Lvs4j.run("ipvsadm", "--socket", socket.toString(), "-Ln"), "no director: exit 1");
    }

    @Test
    void withTheSocketDownListingsComeFromTheCountersFile() throws Exception
    {
        final Path socket = dir.resolve("no-director.sock");
        final Path stats = dir.resolve("director.stats");
        try (Director director = Director.launch(new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 2, MacAddresses.parse("02:00:00:00:00:01"),
                1500, List.of(new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24)))))
            .channels((i, w, n) -> new MemoryChannel("eth0"))
            .workers(1)
            .controlTickMs(20)
            .countersFile(stats)))
        {
            final IpvsadmExecutor direct = new IpvsadmExecutor(director);
            direct.execute(List.of("-A", "-t", "203.0.113.10:80", "-s", "rr"));
            direct.execute(List.of("-a", "-t", "203.0.113.10:80", "-r", "192.0.2.11:80", "-g", "-w", "3"));
            Thread.sleep(200);
            final String expected = direct.execute(List.of("-Ln", "--stats")).out();
            final String[] fromFile = run(socket, "--stats-file", stats.toString(), "-Ln", "--stats");
            assertEquals(expected.substring(expected.indexOf('\n')), fromFile[0].substring(fromFile[0].indexOf('\n')),
                "the same listing but for the table size in the first line");
            assertTrue(fromFile[1].contains("listing from " + stats), fromFile[1]);
            final String[] weights = run(socket, "--stats-file", stats.toString(), "-Ln");
            assertTrue(weights[0].contains("  -> 192.0.2.11:80                Route   3"), weights[0]);
        }
    }

    /** Runs the subcommand; returns {stdout, stderr}. */
    private static String[] run(final Path socket, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final String[] all = new String[args.length + 2];
        all[0] = "--socket";
        all[1] = socket.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        new CommandLine(new IpvsadmCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8)))
            .setUnmatchedOptionsArePositionalParams(true).execute(all);
        return new String[] {out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
    }
}
