package io.lvs4j.forwarder.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.CaptureReplay;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.pcap.PcapFileChannel;

/**
 * A capture replayed through the pipeline: the output capture holds what the director would have sent.
 */
@Timeout(30)
class CaptureReplayTest
{
    @TempDir
    Path dir;

    @Test
    void replaysTheSeedsHundredRequestsIntoAFiftyFiftySplit() throws Exception
    {
        final List<byte[]> in = new ArrayList<>();
        in.add(TestFrames.arpRequest(DirectorPipelineTest.CLIENT_MAC, DirectorPipelineTest.CLIENT,
            DirectorPipelineTest.VIP));
        for (int i = 0; i < 100; i++)
        {
            in.add(TestFrames.tcp(DirectorPipelineTest.CLIENT_MAC, DirectorPipelineTest.DIRECTOR_MAC,
                DirectorPipelineTest.CLIENT, 30000 + i, DirectorPipelineTest.VIP, 80, TcpView.SYN, 64, true, 0));
        }
        final Path input = dir.resolve("in.pcap");
        final Path output = dir.resolve("out.pcap");
        PcapFileChannel.writeFrames(input, in);

        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        final CaptureReplay.Result result = CaptureReplay.replay(input, output, new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 0, DirectorPipelineTest.DIRECTOR_MAC, 1500, List.of(
                new DirectorInterface.Prefix(DirectorPipelineTest.DIRECTOR_SERVER_SIDE, 24),
                new DirectorInterface.Prefix(DirectorPipelineTest.DIRECTOR_CLIENT_SIDE, 24)))))
            .neighbour("192.0.2.11", "02:00:00:00:00:a1")
            .neighbour("192.0.2.12", "02:00:00:00:00:a2")
            .connectionCapacity(1024)
            .onStart(director ->
            {
                director.addService(web);
                director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
                director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 1));
            }));

        assertEquals(101, result.framesIn());
        assertEquals(102, result.framesOut(), "the gratuitous ARP for the VIP, the ARP reply, 100 forwarded SYNs");
        final List<byte[]> out = PcapFileChannel.readFrames(output);
        assertEquals(102, out.size());
        final int before = out.size();
        out.removeIf(f -> MacAddresses.get(new UnsafeBuffer(f), 0) == MacAddresses.BROADCAST);
        assertEquals(1, before - out.size(), "one broadcast: the gratuitous ARP for the VIP");
        final Map<Long, Integer> byMac = new HashMap<>();
        for (final byte[] f : out.subList(1, out.size()))
        {
            byMac.merge(MacAddresses.get(new UnsafeBuffer(f), 0), 1, Integer::sum);
        }
        assertEquals(Map.of(DirectorPipelineTest.RS1_MAC, 50, DirectorPipelineTest.RS2_MAC, 50), byMac);
        assertEquals(DirectorPipelineTest.CLIENT_MAC, MacAddresses.get(new UnsafeBuffer(out.get(0)), 0),
            "the ARP reply goes back to the client");
        assertEquals(100, result.services().get(0).connections());
        assertEquals(true, Files.size(output) > 0);
    }

    @Test
    void theClockFollowsTheCaptureSoConnectionsLiveAsTheyDid() throws Exception
    {
        final List<byte[]> in = new ArrayList<>();
        for (int i = 0; i < 100; i++)
        {
            in.add(TestFrames.tcp(DirectorPipelineTest.CLIENT_MAC, DirectorPipelineTest.DIRECTOR_MAC,
                DirectorPipelineTest.CLIENT, 30000 + i, DirectorPipelineTest.VIP, 80, TcpView.SYN, 64, true, 0));
        }
        for (int i = 0; i < 100; i++)
        {
            in.add(TestFrames.tcp(DirectorPipelineTest.CLIENT_MAC, DirectorPipelineTest.DIRECTOR_MAC,
                DirectorPipelineTest.CLIENT, 30000 + i, DirectorPipelineTest.VIP, 80, TcpView.ACK, 64, true, 10));
        }
        final Path input = dir.resolve("flows.pcap");
        // epoch timestamps 10 ms apart: the whole capture spans 2 s, within SYN_RECV's timeout
        PcapFileChannel.writeFrames(input, in, 1_700_000_000_000_000_000L, 10_000_000L);
        final VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("rr");
        final CaptureReplay.Result result = CaptureReplay.replay(input, null, new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 0, DirectorPipelineTest.DIRECTOR_MAC, 1500, List.of(
                new DirectorInterface.Prefix(DirectorPipelineTest.DIRECTOR_SERVER_SIDE, 24),
                new DirectorInterface.Prefix(DirectorPipelineTest.DIRECTOR_CLIENT_SIDE, 24)))))
            .neighbour("192.0.2.11", "02:00:00:00:00:a1")
            .connectionCapacity(1024)
            .onStart(director ->
            {
                director.addService(web);
                director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1));
            }));
        assertEquals(200, result.services().get(0).inPackets(), "every ACK found its connection");
        assertEquals(100, result.services().get(0).connections());
    }
}
