package io.lvs4j.forwarder.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.LabPreconditions;
import io.lvs4j.forwarder.pipeline.ForwardingOptions;

/**
 * The seed's "fault removal" and "recovery" with keepalived's checks running the director: a DR lab, the seed's
 * lvs-dr-master.conf with the lab's addresses and short timers; stopping rs1's web server takes it out of the pool
 * within the checker time (retry + 1 failed checks), starting it again puts it back. And a reload that adds a
 * service leaves an established connection alone.
 */
@Tag("lab")
@Timeout(180)
class KeepalivedDirectorLabTest
{
    /** The seed's lvs-dr-master.conf, its VRRP part left out, with lab addresses and one-second timers. */
    static final String CONFIG = """
        global_defs {
            router_id LVS_DEVEL
        }
        virtual_server 203.0.113.10 80 {
            delay_loop 1
            lb_algo rr
            lb_kind DR
            persistence_timeout 0
            protocol TCP
            real_server 192.0.2.11 80 {
                weight 1
                TCP_CHECK {
                    connect_timeout 1
                    retry 1
                    delay_before_retry 1
                    connect_port 80
                }
            }
            real_server 192.0.2.12 80 {
                weight 1
                TCP_CHECK {
                    connect_timeout 1
                    retry 1
                    delay_before_retry 1
                    connect_port 80
                }
            }
        }
        """;

    private static KeepalivedConfig parse(final String text)
    {
        return new KeepalivedParser().parse("lvs-dr-master.conf", text, Path.of("."));
    }

    @Test
    void faultRemovalAndRecovery() throws Exception
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            final List<AutoCloseable> resources = new ArrayList<>();
            try
            {
                final LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
                resources.add(rs1);
                resources.add(LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80));
                final Director director = launch(net);
                resources.add(director);
                final KeepalivedDirector kd = KeepalivedDirector.start(parse(CONFIG), director,
                    new KeepalivedDirector.Context().networkNamespace(net.namespace(LabNetwork.Node.DIR)));
                resources.add(kd);

                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "first request through the VIP");
                assertEquals(Map.of("rs1", 10, "rs2", 10), client.getMany(url, 20), "rr over both");

                rs1.stop();
                final long stopped = System.nanoTime();
                // down after retry + 1 = 2 failed checks: delay_loop 1 s, then delay_before_retry 1 s, connect
                // refused at once; allow the warmup and a loop of slack
                awaitServers(director, 1, Duration.ofSeconds(6));
                final long tookMs = (System.nanoTime() - stopped) / 1_000_000;
                assertTrue(tookMs <= 6000, "removed within the checker time: " + tookMs + " ms");
                assertEquals(Map.of("rs2", 20), client.getMany(url, 20), "all new requests go to rs2");

                rs1.start();
                awaitServers(director, 2, Duration.ofSeconds(4));
                assertEquals(Map.of("rs1", 10, "rs2", 10), client.getMany(url, 20), "split again after recovery");
            }
            finally
            {
                closeAll(resources);
            }
        }
    }

    @Test
    void anEstablishedConnectionSurvivesAReloadThatAddsAService() throws Exception
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            final List<AutoCloseable> resources = new ArrayList<>();
            try
            {
                resources.add(LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80));
                resources.add(LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80));
                final Director director = launch(net);
                resources.add(director);
                final KeepalivedDirector kd = KeepalivedDirector.start(parse(CONFIG), director,
                    new KeepalivedDirector.Context().networkNamespace(net.namespace(LabNetwork.Node.DIR)));
                resources.add(kd);

                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "first request through the VIP");
                try (LabClient.Stream stream = client.stream(url + "stream?seconds=4&interval=100",
                    Duration.ofSeconds(15)))
                {
                    assertTrue(stream.awaitLines(3, Duration.ofSeconds(5)), "stream started: " + stream.error());
                    final String owner = stream.lines().get(0).split(" ")[0];
                    final KeepalivedDirector.Changes changes = kd.reload(parse(CONFIG +
                        CONFIG.substring(CONFIG.indexOf("virtual_server")).replace("203.0.113.10 80",
                            "203.0.113.10 8080")));
                    assertEquals(1, changes.servicesAdded(), changes.toString());
                    assertEquals(0, changes.realServersRemoved() + changes.realServersEdited() +
                        changes.servicesRemoved() + changes.servicesEdited(), changes.toString());
                    assertEquals(2, director.services().size());
                    assertTrue(stream.awaitExit(Duration.ofSeconds(12)).isPresent(), "stream ends");
                    assertEquals(0, stream.exitCode().getAsInt(), "no reset: " + stream.error());
                    assertTrue(stream.lines().size() >= 35, "all lines: " + stream.lines().size());
                    for (final String line : stream.lines())
                    {
                        assertTrue(line.startsWith(owner + " "), "every line from " + owner + ": " + line);
                    }
                }
            }
            finally
            {
                closeAll(resources);
            }
        }
    }

    private static Director launch(final LabNetwork net)
    {
        final String dirNs = net.namespace(LabNetwork.Node.DIR);
        return Director.launch(new Director.Context()
            .networkNamespace(dirNs)
            .interfaces(net.interfaces(LabNetwork.Node.DIR).toArray(String[]::new))
            .workers(1)
            .connectionCapacity(1 << 14)
            // a client port that once led to the removed server is scheduled afresh, as with expire_nodest_conn
            .forwardingOptions(ForwardingOptions.defaults().withExpireNodestConn(true))
            .channels(new AfPacketChannels(dirNs, b -> b.retireTimeoutMs(1))));
    }

    private static void awaitServers(final Director director, final int count, final Duration timeout)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (director.services().get(0).realServers().size() != count)
        {
            assertTrue(System.nanoTime() < deadline, "expected " + count + " real servers within " + timeout + ": " +
                director.services());
            Thread.sleep(20);
        }
    }

    private static void closeAll(final List<AutoCloseable> resources)
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            try
            {
                resources.get(i).close();
            }
            catch (final Exception ignored)
            {
                // best effort: deleting the namespaces removes the rest
            }
        }
    }
}
