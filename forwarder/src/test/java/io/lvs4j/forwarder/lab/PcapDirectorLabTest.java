package io.lvs4j.forwarder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.pcap.PcapLiveChannel;
import io.lvs4j.forwarder.channel.pcap.PcapLiveOptions;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;

/**
 * The portable alternative: the same director on libpcap (pcap4j) handles instead of AF_PACKET rings, DR in the
 * seed's lab. The handles are opened inside the director's namespace (libpcap's socket takes the opening
 * thread's namespace).
 */
@Tag("lab")
@Timeout(120)
class PcapDirectorLabTest
{
    @Test
    void directRoutingOverLibpcap() throws Exception
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            final String dirNs = net.namespace(LabNetwork.Node.DIR);
            try (Director director = Director.launch(new Director.Context()
                .networkNamespace(dirNs)
                .interfaces("eth0")
                .workers(1)
                .connectionCapacity(1 << 12)
                .channels((iface, worker, workers) -> open(dirNs, iface.name(), iface.mtu()))))
            {
                final VirtualService web = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
                director.addService(web);
                director.addRealServer(web, RealServers.direct(LabNetwork.RS1_ADDRESS, 80, 1));
                director.addRealServer(web, RealServers.direct(LabNetwork.RS2_ADDRESS, 80, 1));
                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "first request over libpcap");
                assertEquals(Map.of("rs1", 10, "rs2", 10), client.getMany(url, 20));
            }
        }
    }

    private static PcapLiveChannel open(final String ns, final String name, final int mtu)
    {
        try
        {
            return NetworkNamespace.call(ns, () -> new PcapLiveChannel(name, new PcapLiveOptions().mtu(mtu)
                .bufferBytes(4 << 20)));
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
