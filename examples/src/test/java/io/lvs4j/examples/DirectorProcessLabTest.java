package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;

/**
 * The bundled director as a process: {@code lvs4j director -f keepalived.conf} in the seed's DR lab serves the
 * VIP, answers {@code lvs4j ipvsadm}, reloads on SIGHUP (only the difference), and stops cleanly on SIGTERM.
 */
@Tag("lab")
@Timeout(180)
class DirectorProcessLabTest
{
    @TempDir
    Path dir;

    private static String config(final int weight2)
    {
        // the seed's lvs-dr-master.conf, with the lab's addresses
        return """
            global_defs {
               router_id LVS_LAB
            }
            virtual_server 203.0.113.10 80 {
                delay_loop 1
                lb_algo wrr
                lb_kind DR
                protocol TCP
                real_server 192.0.2.11 80 {
                    weight 1
                    TCP_CHECK {
                        connect_timeout 1
                        retry 1
                        delay_before_retry 1
                    }
                }
                real_server 192.0.2.12 80 {
                    weight %d
                    TCP_CHECK {
                        connect_timeout 1
                        retry 1
                        delay_before_retry 1
                    }
                }
            }
            """.formatted(weight2);
    }

    @Test
    void theDirectorProcessServesAnswersReloadsAndStops() throws Exception
    {
        Assumptions.assumeTrue("root".equals(System.getProperty("user.name")) &&
            Files.isExecutable(Path.of("/usr/sbin/ip")) && Files.isExecutable(Path.of("/usr/bin/curl")), () ->
            {
                System.out.println("[lab] skipped: the director's lab needs root, iproute2 and curl");
                return "not root";
            });
        try (LabNetwork net = LabNetwork.dr().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            final Path conf = dir.resolve("keepalived.conf");
            Files.writeString(conf, config(1));
            final Path socket = dir.resolve("director.sock");
            final Path stats = dir.resolve("director.stats");
            final Path log = dir.resolve("director.log");
            final List<String> command = new ArrayList<>(List.of(
                ProcessHandle.current().info().command().orElse("java")));
            ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .filter(a -> a.startsWith("--add-") || a.startsWith("--enable-native")).forEach(command::add);
            command.addAll(List.of("-cp", System.getProperty("java.class.path"), Lvs4j.class.getName(),
                "director", "-f", conf.toString(), "-n", "-l", "--netns", net.namespace(LabNetwork.Node.DIR),
                "--interface", "eth0", "--admin-socket", socket.toString(), "--stats-file", stats.toString()));
            final Process director = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
            try
            {
                final long deadline = System.currentTimeMillis() + 30_000;
                while (!Files.exists(socket) && director.isAlive() && System.currentTimeMillis() < deadline)
                {
                    Thread.sleep(100);
                }
                assertTrue(Files.exists(socket), "the director listens: " + Files.readString(log));

                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "the VIP answers: " + Files.readString(log));
                assertEquals(Map.of("rs1", 10, "rs2", 10), client.getMany(url, 20));

                final String listing = ipvsadm(socket, "-Ln");
                assertTrue(listing.contains("TCP  203.0.113.10:80 wrr\n"), listing);
                assertTrue(listing.contains("  -> 192.0.2.12:80                Route   1"), listing);

                // SIGHUP: weight 1 -> 3 for rs2 is applied, nothing else is touched
                Files.writeString(conf, config(3));
                new ProcessBuilder("kill", "-HUP", Long.toString(director.pid())).start().waitFor();
                final long reloaded = System.currentTimeMillis() + 10_000;
                String after = ipvsadm(socket, "-Ln");
                while (!after.contains("  -> 192.0.2.12:80                Route   3") &&
                    System.currentTimeMillis() < reloaded)
                {
                    Thread.sleep(100);
                    after = ipvsadm(socket, "-Ln");
                }
                assertTrue(after.contains("  -> 192.0.2.12:80                Route   3"), after);
                final Map<String, Integer> weighted = client.getMany(url, 40);
                assertEquals(10, weighted.getOrDefault("rs1", 0), 1, "wrr 1:3 after the reload: " + weighted);

                // a client that cannot reach the socket still gets the statistics, from the counters file
                final String fromFile = ipvsadm(dir.resolve("not-the-socket"), "--stats-file", stats.toString(),
                    "-Ln", "--stats");
                assertTrue(fromFile.contains("Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes" +
                    " OutBytes\n"), fromFile);
                assertTrue(fromFile.contains("TCP  203.0.113.10:80 "), fromFile);
                assertTrue(fromFile.contains("  -> 192.0.2.12:80"), fromFile);

                director.destroy();   // SIGTERM
                assertTrue(director.waitFor(30, TimeUnit.SECONDS), "stops on SIGTERM");
                assertEquals(0, director.exitValue(), Files.readString(log));
                assertFalse(Files.exists(socket), "the admin socket goes with it");
            }
            finally
            {
                director.destroyForcibly();
                director.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String ipvsadm(final Path socket, final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final String[] all = new String[args.length + 2];
        all[0] = "--socket";
        all[1] = socket.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        new CommandLine(new IpvsadmCommand(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)))
            .setUnmatchedOptionsArePositionalParams(true).execute(all);
        return out.toString(StandardCharsets.UTF_8);
    }
}
