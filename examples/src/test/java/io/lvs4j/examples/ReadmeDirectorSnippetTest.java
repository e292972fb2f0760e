package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.ServiceStatus;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * The README's Director snippet, line for line between the markers (the context is a memory channel here instead
 * of {@code eth0}), so it keeps compiling and doing what the README says; and the README still shows those lines.
 */
@Timeout(30)
class ReadmeDirectorSnippetTest
{
    @Test
    void snippetRunsAsTheReadmeSays() throws Exception
    {
        final MemoryChannel eth0 = new MemoryChannel("eth0");
        final Director.Context context = new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 2, MacAddresses.parse("02:00:00:00:00:01"), 1500,
                List.of(new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24)))))
            .channels((iface, worker, workers) -> eth0)
            .workers(1);
        final List<ServiceStatus> listed;
        try (Director director = Director.launch(context))
        {
            // README "Forward traffic" snippet, from here
            VirtualService web = VirtualService.tcp("203.0.113.10", 80).withScheduler("wrr");
            director.addService(web);                                                   // ipvsadm -A -t ... -s wrr
            RealServer rs1 = director.addRealServer(web, RealServers.direct("192.0.2.11", 80, 1)); // -a -r ... -g -w 1
            director.addRealServer(web, RealServers.direct("192.0.2.12", 80, 2));
            director.editRealServer(web, rs1.withWeight(0));                            // -e ... -w 0: drain
            director.services().forEach(System.out::println);                           // -L --stats
            director.deleteRealServer(web, rs1);                                        // -d
            // to here
            listed = director.services();
        }
        assertEquals(1, listed.size());
        assertEquals(1, listed.get(0).realServers().size());
        assertEquals(2, listed.get(0).realServers().get(0).server().weight());

        final String readme = Files.readString(Path.of("..", "README.md"));
        for (final String line : List.of(
            "VirtualService web = VirtualService.tcp(\"203.0.113.10\", 80).withScheduler(\"wrr\");",
            "RealServer rs1 = director.addRealServer(web, RealServers.direct(\"192.0.2.11\", 80, 1));",
            "director.editRealServer(web, rs1.withWeight(0));",
            "director.deleteRealServer(web, rs1);"))
        {
            assertTrue(readme.contains(line), "README shows: " + line);
        }
    }
}
