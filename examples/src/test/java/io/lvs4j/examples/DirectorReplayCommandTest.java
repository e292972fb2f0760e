package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.examples.demo.DemoCapture;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.channel.pcap.PcapFileChannel;

import picocli.CommandLine;

/**
 * {@code lvs4j director -t} (keepalived's configuration test), the director's one-line errors, the admin socket's
 * {@code --reload}, and {@code lvs4j replay} with a keepalived.conf, none of which need root.
 */
@Timeout(60)
class DirectorReplayCommandTest
{
    static final String CONFIG = """
        vrrp_instance VI_1 {
            state MASTER
            interface eth0
            virtual_router_id 51
            priority 100
            advert_int 1
            virtual_ipaddress {
                203.0.113.10/24
            }
        }
        virtual_server 203.0.113.10 80 {
            delay_loop 6
            lb_algo rr
            lb_kind DR
            protocol TCP
            real_server 192.0.2.11 80 {
                weight 1
                TCP_CHECK {
                    connect_timeout 10
                }
            }
            real_server 192.0.2.12 80 {
                weight 1
                TCP_CHECK {
                    connect_timeout 10
                }
            }
        }
        """;

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(final Object command, final String... args)
    {
        return new CommandLine(command).execute(args);
    }

    private PrintStream print(final ByteArrayOutputStream bytes)
    {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private String text(final ByteArrayOutputStream bytes)
    {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void configTestPrintsTheVerdict() throws Exception
    {
        final Path good = dir.resolve("keepalived.conf");
        Files.writeString(good, CONFIG);
        assertEquals(0, run(new DirectorCommand(print(out), print(err)), "-t", "-f", good.toString()));
        assertTrue(text(out).contains("configuration OK"), text(out));
        assertTrue(text(out).contains("1 virtual server, 2 real servers, 1 VRRP instance"), text(out));

        final Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, CONFIG.replace("weight 1", "weight many"));
        out.reset();
        assertEquals(1, run(new DirectorCommand(print(out), print(err)), "-t", "-f", bad.toString()));
        assertTrue(text(out).startsWith(bad + ": 2 errors"), text(out));
        assertTrue(text(err).startsWith(bad + ":17:"), text(err));
    }

    @Test
    void aBadConfigurationIsOneClearLine() throws Exception
    {
        final Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, CONFIG.replace("lb_algo rr", "lb_algo rr {"));
        assertEquals(1, run(new DirectorCommand(print(out), print(err)), "-n", "-l", "-f", bad.toString()));
        final List<String> lines = text(err).lines().toList();
        assertEquals(1, lines.size(), text(err));
        assertTrue(lines.get(0).startsWith("lvs4j director: " + bad + ":"), lines.get(0));
    }

    @Test
    void theAdminSocketReloads()
    {
        final ReloadAdminCommand admin = new ReloadAdminCommand(argv -> AdminResponse.ok("ipvsadm " + argv + "\n"),
            () -> "reloaded: services +1");
        assertEquals(0, admin.execute(List.of("--reload")).exitCode());
        assertEquals("reloaded: services +1\n", admin.execute(List.of("--reload")).out());
        assertEquals("ipvsadm [-Ln]\n", admin.execute(List.of("-Ln")).out());
        final ReloadAdminCommand refused = new ReloadAdminCommand(argv -> AdminResponse.ok(""),
            () -> "reload refused, configuration unchanged: x.conf:3:1: bad");
        assertEquals(1, refused.execute(List.of("--reload")).exitCode());
    }

    @Test
    void replayRunsTheConfigurationsServices() throws Exception
    {
        final Path conf = dir.resolve("keepalived.conf");
        Files.writeString(conf, CONFIG);
        final Path in = dir.resolve("in.pcap");
        PcapFileChannel.writeFrames(in, DemoCapture.frames(10));
        final Path outPcap = dir.resolve("out.pcap");
        final int code = run(new ReplayCommand(print(out), print(err)), in.toString(), outPcap.toString(),
            "-f", conf.toString(), "--mac", MacAddresses.toString(DemoCapture.DIRECTOR_MAC),
            "--neighbour", "192.0.2.11=" + MacAddresses.toString(DemoCapture.RS1_MAC),
            "--neighbour", "192.0.2.12=" + MacAddresses.toString(DemoCapture.RS2_MAC));
        assertEquals(0, code, text(err));
        final String printed = text(out);
        assertTrue(printed.contains("frames in:  11"), printed);
        assertTrue(printed.contains("TCP  203.0.113.10:80 rr"), printed);
        assertTrue(printed.matches("(?s).*-> 192\\.0\\.2\\.11:80\\s+Route\\s+1\\s+0\\s+5.*"), printed);
        assertTrue(printed.matches("(?s).*-> 192\\.0\\.2\\.12:80\\s+Route\\s+1\\s+0\\s+5.*"), printed);
        assertTrue(Files.size(outPcap) > 24);
    }
}
