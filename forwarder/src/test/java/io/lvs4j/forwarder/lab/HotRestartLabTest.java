package io.lvs4j.forwarder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * Hot restart with real traffic: 20 long-lived HTTP streams through a DR or NAT director; the director is closed
 * and started again on the same state directory while they stream; at least 19 of 20 finish without a reset, each
 * on the real server it started on, and the restarted director forwards their packets through the recovered
 * entries (none dropped as packets of no connection).
 */
@Tag("lab")
@Timeout(120)
class HotRestartLabTest
{
    @TempDir
    Path state;

    private static Director launch(final LabNetwork net, final Path state, final int method)
    {
        final String ns = net.namespace(LabNetwork.Node.DIR);
        final Director director = Director.launch(new Director.Context()
            .networkNamespace(ns)
            .interfaces(net.interfaces(LabNetwork.Node.DIR).toArray(String[]::new))
            .workers(1)
            .connectionCapacity(1 << 12)
            .stateDirectory(state)
            .channels(new AfPacketChannels(ns)));
        final VirtualService web = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
        director.addService(web);
        director.addRealServer(web, RealServers.of(LabNetwork.RS1_ADDRESS, 80, 1, method));
        director.addRealServer(web, RealServers.of(LabNetwork.RS2_ADDRESS, 80, 1, method));
        return director;
    }

    @ParameterizedTest
    @EnumSource(value = LabNetwork.Mode.class, names = {"DR", "NAT_TWO_ARMED"})
    void streamsSurviveARestartOfTheDirector(final LabNetwork.Mode mode) throws Exception
    {
        LabPreconditions.assumeLab();
        final int method = mode == LabNetwork.Mode.DR ? ConnectionFlags.DROUTE : ConnectionFlags.MASQ;
        try (LabNetwork net = LabNetwork.of(mode).build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            Director director = launch(net, state, method);
            final List<LabClient.Stream> streams = new ArrayList<>();
            try
            {
                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "the VIP answers");
                for (int i = 0; i < 20; i++)
                {
                    streams.add(client.stream(url + "stream?seconds=6&interval=100", Duration.ofSeconds(30)));
                }
                for (final LabClient.Stream s : streams)
                {
                    assertTrue(s.awaitLines(3, Duration.ofSeconds(10)), "stream started: " + s.error());
                }
                director.close();
                director = launch(net, state, method);
                int completed = 0;
                final StringBuilder failures = new StringBuilder();
                for (final LabClient.Stream s : streams)
                {
                    s.awaitExit(Duration.ofSeconds(30));
                    final List<String> lines = s.lines();
                    final String owner = lines.get(0).split(" ")[0];
                    final boolean oneServer = lines.stream().allMatch(l -> l.startsWith(owner + " "));
                    if (s.exitCode().orElse(-1) == 0 && lines.size() >= 55 && oneServer)
                    {
                        completed++;
                    }
                    else
                    {
                        failures.append(owner).append(": exit ").append(s.exitCode()).append(", ")
                            .append(lines.size()).append(" lines; ");
                    }
                }
                assertTrue(completed >= 19, completed + " of 20 streams survived the restart; " + failures);
                // the proof that they went on through the recovered entries (a new table would drop the client's
                // ACKs, and for NAT the servers' replies, as packets of no connection)
                assertEquals(0, director.drops(DropReason.NO_CONNECTION), "no packet without its connection");
                final var carried = director.service(VirtualService.tcp(LabNetwork.VIP, 80));
                assertTrue(carried.inPackets() > 20, "the restarted director carried the streams: " + carried);
                if (method == ConnectionFlags.MASQ)
                {
                    assertTrue(carried.outPackets() > 20, "and their replies, through the recovered entries");
                }
            }
            finally
            {
                streams.forEach(LabClient.Stream::close);
                director.close();
            }
        }
    }
}
