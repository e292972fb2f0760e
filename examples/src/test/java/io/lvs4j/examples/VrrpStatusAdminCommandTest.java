package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.KeepalivedParser;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.vrrp.VrrpDropReason;
import io.lvs4j.forwarder.vrrp.VrrpEngine;

/**
 * {@code --vrrp} on the admin socket: the instance's state and priority, the director's role, the counters, every
 * drop reason; other commands pass through; without an engine it says VRRP is not running.
 */
@Timeout(30)
class VrrpStatusAdminCommandTest
{
    private static final long S = 1_000_000_000L;

    @Test
    void listsStateCountersAndDropsAndPassesOtherCommandsOn()
    {
        final KeepalivedConfig config = new KeepalivedParser().parse("test.conf", VrrpProcessLab.seed("master"),
            Path.of("."));
        final AtomicLong clock = new AtomicLong(1000 * S);
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, MacAddresses.parse("02:00:00:00:00:01"),
            1500, List.of(new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24)));
        final MemoryChannel eth0 = new MemoryChannel("eth0");
        try (Director director = Director.launch(new Director.Context().interfaces(List.of(iface))
            .channels((i, w, n) -> eth0).workers(1).connectionCapacity(1 << 12).pollTimeoutMs(1)))
        {
            final VrrpEngine engine = VrrpEngine.launch(director, config, new VrrpEngine.Context().clock(clock::get)
                .startThread(false).interfaceAlias("eno16777736", "eth0").linkState(name -> true));
            try
            {
                final VrrpEngine[] running = {null};
                final VrrpStatusAdminCommand command = new VrrpStatusAdminCommand(
                    argv -> AdminResponse.ok("next " + argv + "\n"), director, () -> running[0],
                    config::vrrpInstances);
                final AdminResponse off = command.execute(List.of("--vrrp"));
                assertEquals(1, off.exitCode());
                assertTrue(off.err().contains("VRRP is not running"), off.err());
                assertEquals("next [-Ln]\n", command.execute(List.of("-Ln")).out());

                running[0] = engine;
                engine.doWork();
                final String backup = command.execute(List.of("--vrrp")).out();
                assertTrue(backup.startsWith("instance VI_1 state BACKUP priority 100\n" +
                    "director master no forwarded 0 control_queue_full 0\n" +
                    "adverts received 0 sent 0 refused 0 transitions 1\n"), backup);
                assertTrue(backup.contains("\ndrop TTL 0\n") && backup.contains("\ndrop NOT_RUNNING 0\n"), backup);

                // past the master-down interval (3.609 s): master, one advert sent, the director forwards
                clock.addAndGet(4 * S);
                engine.doWork();
                final String master = command.execute(List.of("--vrrp")).out();
                assertTrue(master.startsWith("instance VI_1 state MASTER priority 100\n" +
                    "director master yes forwarded 0 control_queue_full 0\n" +
                    "adverts received 0 sent 1 refused 0 transitions 2\n"), master);
                assertEquals(3 + VrrpDropReason.values().length, master.split("\n").length,
                    "three lines, then one per drop reason: " + master);
            }
            finally
            {
                engine.close();
            }
        }
    }
}
