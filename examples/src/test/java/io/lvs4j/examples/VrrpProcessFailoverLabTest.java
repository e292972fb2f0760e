package io.lvs4j.examples;

import static io.lvs4j.examples.VrrpProcessLab.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.forwarder.lab.LabCapture;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.Shell;

/**
 * Two bundled directors ({@code lvs4j director -f}, one JVM each) in the HA DR lab, running the seed's
 * lvs-dr-master.conf and lvs-dr-backup.conf with the lab's addresses: the VIP answers through the master only; the
 * master killed with SIGKILL (no priority-0 advert), the backup forwards within the master-down interval
 * (3 x advert_int + skew = 3.609 s at priority 100) and keeps forwarding; the master restarted takes the VIP back
 * when it has the higher priority and preempts (default), and does not with {@code nopreempt} or (the seed
 * unchanged) at equal priority; stopped with SIGTERM it sends priority 0 and the backup takes over after its skew
 * time. Takeover times are printed; the bound allows 2 s of slack for a loaded 2-core host.
 */
@Tag("lab")
@Timeout(180)
class VrrpProcessFailoverLabTest
{
    /** The master-down interval at priority 100 and 90 (advert_int 1): 3 s + (256 - priority) / 256 s. */
    private static final long DOWN_100_NS = 3_000_000_000L + (156L * 1_000_000_000L) / 256;
    private static final long DOWN_90_NS = 3_000_000_000L + (166L * 1_000_000_000L) / 256;
    private static final long SLACK_NS = 2_000_000_000L;
    /** ARP replies whose sender address is the VIP, as tcpdump filters them. */
    private static final String ARP_REPLIES = "arp and arp[6:2] = 2 and arp[14:4] = 0xcb00710a";

    @TempDir
    Path dir;

    /** The seeds unchanged (priority 100 both): kill -9 the master, the backup takes over; the master returns as backup. */
    @Test
    void seedKillTheMasterTheBackupTakesOverAndKeepsTheVip() throws Exception
    {
        run(VrrpProcessLab.seed("master"), VrrpProcessLab.seed("backup"), DOWN_100_NS, false);
    }

    /** Priorities 100 and 90: the returning master preempts (keepalived's default). */
    @Test
    void higherPriorityMasterPreemptsWhenItReturns() throws Exception
    {
        run(VrrpProcessLab.seed("master"),
            VrrpProcessLab.instance(VrrpProcessLab.seed("backup"), 90, "BACKUP", ""), DOWN_90_NS, true);
    }

    /** Priorities 100 and 90, both state BACKUP with nopreempt: the returning higher-priority director waits. */
    @Test
    void nopreemptLeavesTheVipWithTheNewMaster() throws Exception
    {
        run(VrrpProcessLab.instance(VrrpProcessLab.seed("master"), 100, "BACKUP", "nopreempt"),
            VrrpProcessLab.instance(VrrpProcessLab.seed("backup"), 90, "BACKUP", "nopreempt"), DOWN_90_NS, false);
    }

    /**
     * The seeds unchanged (priority 100 both) and a split brain: with VRRP blocked on the switch both directors
     * become master; when the switch passes VRRP again, equal priorities are decided by the primary address
     * (RFC 3768 6.4.3): B (198.51.100.3) stays master, A (198.51.100.1), configured MASTER, steps down.
     */
    @Test
    void seedSplitBrainHealsToTheHigherPrimaryAddress() throws Exception
    {
        VrrpProcessLab.assumeLab(false);
        try (LabNetwork net = LabNetwork.dr().backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            VrrpProcessLab.DirectorProcess a = null;
            VrrpProcessLab.DirectorProcess b = null;
            try
            {
                final String br = net.bridgeNamespace();
                Shell.run("ip", "netns", "exec", br, "nft", "add", "table", "bridge", "lvs4jlab");
                Shell.run("ip", "netns", "exec", br, "nft", "add", "chain", "bridge", "lvs4jlab", "vrrpblock",
                    "{ type filter hook forward priority 0; }");
                Shell.run("ip", "netns", "exec", br, "nft", "add", "rule", "bridge", "lvs4jlab", "vrrpblock", "ip",
                    "protocol", "vrrp", "drop");
                a = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR, dir, "a",
                    VrrpProcessLab.seed("master")).awaitRunning();
                b = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR2, dir, "b",
                    VrrpProcessLab.seed("backup")).awaitRunning();
                final VrrpProcessLab.DirectorProcess first = a;
                final VrrpProcessLab.DirectorProcess second = b;
                assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> first.isMaster() && second.isMaster(),
                    20_000) > 0, "both masters while VRRP is blocked: A " + a.status() + " / B " + b.status());
                assertEquals(0, a.number("received") + b.number("received"), "nothing got through");

                final long heal = System.nanoTime();
                Shell.run("ip", "netns", "exec", br, "nft", "delete", "table", "bridge", "lvs4jlab");
                final long settled = VrrpProcessLab.awaitSince(heal,
                    () -> "BACKUP".equals(first.state()) && second.isMaster(), 10_000);
                System.out.println("[vrrp-lab] split brain healed: A " + a.state() + " after " +
                    seconds(settled) + ", B " + b.state());
                assertTrue(settled > 0, "A (the lower address) steps down: A " + a.status() + " / B " + b.status());
                assertTrue(settled < 1_000_000_000L + SLACK_NS, "at B's next advert: " + seconds(settled));
                // and it stays that way
                VrrpProcessLab.sleep(3000);
                assertTrue(b.isMaster(), b.status().toString());
                assertEquals("BACKUP", a.state(), a.status().toString());
                assertEquals("no", a.status().get("master"));
                final long bFwd = b.number("forwarded");
                assertEquals(Map.of("rs1", 4, "rs2", 8), LabClient.on(net).getMany(VrrpProcessLab.URL, 12, 3000));
                assertTrue(b.number("forwarded") > bFwd, "B forwards: " + b.status());
            }
            finally
            {
                VrrpProcessLab.closeQuietly(a);
                VrrpProcessLab.closeQuietly(b);
            }
        }
    }

    /**
     * The master's link goes down (its primary interface is tracked, keepalived's default): it goes to FAULT and
     * stops forwarding, the backup takes over after its master-down interval; the link back, the master (100 over
     * 90) returns to BACKUP and preempts, and its director forwards again on the same sockets.
     */
    @Test
    void linkDownFaultsTheMasterAndLinkUpBringsItBack() throws Exception
    {
        VrrpProcessLab.assumeLab(false);
        try (LabNetwork net = LabNetwork.dr().backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            VrrpProcessLab.DirectorProcess a = null;
            VrrpProcessLab.DirectorProcess b = null;
            try
            {
                final LabClient client = LabClient.on(net);
                a = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR, dir, "a",
                    VrrpProcessLab.seed("master")).awaitRunning();
                final VrrpProcessLab.DirectorProcess first = a;
                assertTrue(VrrpProcessLab.awaitSince(a.started, first::isMaster, 20_000) > 0, a.status().toString());
                b = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR2, dir, "b",
                    VrrpProcessLab.instance(VrrpProcessLab.seed("backup"), 90, "BACKUP", "")).awaitRunning();
                final VrrpProcessLab.DirectorProcess second = b;
                assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> second.number("received") >= 2,
                    10_000) > 0, b.status().toString());
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000));

                final long down = System.nanoTime();
                net.ip(LabNetwork.Node.DIR, "link", "set", "eth0", "down");
                final long fault = VrrpProcessLab.awaitSince(down, () -> "FAULT".equals(first.state()), 5000);
                final long bMaster = VrrpProcessLab.awaitSince(down, second::isMaster, 15_000);
                final long answered = VrrpProcessLab.firstAnswer(client, down, 15_000);
                System.out.println("[vrrp-lab] A's link down: A FAULT after " + seconds(fault) + ", B master after " +
                    seconds(bMaster) + ", the VIP answers after " + seconds(answered));
                assertTrue(fault > 0, "A faults: " + a.status());
                assertEquals("no", a.status().get("master"), "a faulted director does not forward");
                assertTrue(bMaster > 0 && bMaster < DOWN_90_NS + SLACK_NS, "B takes over: " + seconds(bMaster) + " " +
                    b.status());
                assertTrue(answered > 0, "the VIP answers through B");
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000));

                final long up = System.nanoTime();
                net.ip(LabNetwork.Node.DIR, "link", "set", "eth0", "up");
                final long back = VrrpProcessLab.awaitSince(up, first::isMaster, 20_000);
                final long stepped = VrrpProcessLab.awaitSince(up, () -> "BACKUP".equals(second.state()), 10_000);
                System.out.println("[vrrp-lab] A's link up: A master again after " + seconds(back) +
                    ", B backup after " + seconds(stepped) + "; A " + a.status().get("transitions") + " transitions");
                assertTrue(back > 0 && back < DOWN_100_NS + 2 * SLACK_NS, "A preempts: " + seconds(back) + " " +
                    a.status() + "\n" + a.log());
                assertTrue(stepped > 0, "B steps back: " + b.status());
                assertTrue(first.process.isAlive(), "A's director survived its link going down");
                final long aFwd = a.number("forwarded");
                // every request answered; the split may differ from 1:2 for a while, since A's TCP_CHECKs failed
                // while its link was down and a real server comes back at its next check (delay_loop 6)
                final Map<String, Integer> after = client.getMany(VrrpProcessLab.URL, 12, 3000);
                assertEquals(12, after.getOrDefault("rs1", 0) + after.getOrDefault("rs2", 0), after.toString());
                assertTrue(a.number("forwarded") > aFwd, "A forwards again: " + a.status());
            }
            finally
            {
                VrrpProcessLab.closeQuietly(a);
                VrrpProcessLab.closeQuietly(b);
            }
        }
    }

    private void run(final String configA, final String configB, final long downB, final boolean preempts)
        throws Exception
    {
        VrrpProcessLab.assumeLab(false);
        try (LabNetwork net = LabNetwork.dr().backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            VrrpProcessLab.DirectorProcess a = null;
            VrrpProcessLab.DirectorProcess b = null;
            try
            {
                final LabClient client = LabClient.on(net);
                // A alone first: it owns the VIP after its master-down interval (it starts as backup)
                a = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR, dir, "a", configA).awaitRunning();
                final VrrpProcessLab.DirectorProcess first = a;
                final long aMaster = VrrpProcessLab.awaitSince(a.started, first::isMaster, 20_000);
                System.out.println("[vrrp-lab] A master " + seconds(aMaster) + " after its JVM started");
                assertTrue(aMaster > 0, "A becomes master: " + a.status() + "\n" + a.log());
                b = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR2, dir, "b", configB).awaitRunning();
                final VrrpProcessLab.DirectorProcess second = b;
                assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> second.number("received") >= 3,
                    10_000) > 0, "B hears A's adverts: " + b.status());
                assertEquals("BACKUP", b.state(), b.status().toString());

                // the VIP answers through A only (wrr 1:2 over rs1 and rs2, as the seed says)
                final long aBefore = a.number("forwarded");
                final long bBefore = b.number("forwarded");
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000),
                    "through the master");
                assertTrue(a.number("forwarded") > aBefore, "A forwards: " + a.status());
                assertEquals(bBefore, b.number("forwarded"), "the backup forwards nothing: " + b.status());
                assertEquals("yes", a.status().get("master"));
                assertEquals("no", b.status().get("master"));
                // only the master answers ARP for the VIP: the client's requests (its cache flushed) are answered
                // from A's port of the switch, never from B's
                try (LabCapture fromA = LabCapture.start(net.bridgeNamespace(),
                    net.bridgePort(LabNetwork.Node.DIR, "eth0"), ARP_REPLIES);
                    LabCapture fromB = LabCapture.start(net.bridgeNamespace(),
                        net.bridgePort(LabNetwork.Node.DIR2, "eth0"), ARP_REPLIES))
                {
                    for (int i = 0; i < 3; i++)
                    {
                        net.ip(LabNetwork.Node.CLI, "neigh", "flush", "dev", "eth0");
                        assertTrue(client.get(VrrpProcessLab.URL, 3000).ok());
                    }
                    final int repliesA = fromA.stop().size();
                    final int repliesB = fromB.stop().size();
                    assertTrue(repliesA >= 3, "A answers ARP for the VIP: " + repliesA);
                    assertEquals(0, repliesB, "the backup keeps quiet");
                }

                // kill -9 A: B's master-down timer runs out, it becomes master and answers for the VIP. The steps
                // above end in step with A's adverts; a random pause puts the kill anywhere in A's advert interval
                VrrpProcessLab.sleep(ThreadLocalRandom.current().nextInt(1000));
                final long kill = System.nanoTime();
                a.kill9();
                final long[] bMaster = new long[1];
                final Thread watch = new Thread(() -> bMaster[0] = VrrpProcessLab.awaitSince(kill, second::isMaster,
                    15_000));
                watch.start();
                final long answered = VrrpProcessLab.firstAnswer(client, kill, 15_000);
                watch.join();
                System.out.println("[vrrp-lab] A killed: B master after " + seconds(bMaster[0]) +
                    ", the VIP answers again after " + seconds(answered) + " (master-down interval " +
                    seconds(downB) + ")");
                assertTrue(bMaster[0] > 0 && answered > 0, "B takes over: " + b.status() + "\n" + b.log());
                // the timer started at A's last advert, up to one advert_int before the kill
                assertTrue(bMaster[0] > downB - 1_100_000_000L, "by its master-down timer, not at once: " +
                    seconds(bMaster[0]));
                assertTrue(bMaster[0] < downB + SLACK_NS, "within the master-down interval: " + seconds(bMaster[0]));
                assertTrue(answered < downB + SLACK_NS, "the VIP answers within the master-down interval: " +
                    seconds(answered));
                final long bAfterTakeover = b.number("forwarded");
                final Map<String, Integer> after = client.getMany(VrrpProcessLab.URL, 12, 3000);
                assertEquals(Map.of("rs1", 4, "rs2", 8), after, "requests keep working through B");
                assertTrue(b.number("forwarded") > bAfterTakeover, "B forwards: " + b.status());

                // A returns
                a = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR, dir, "a2", configA).awaitRunning();
                final VrrpProcessLab.DirectorProcess returned = a;
                if (preempts)
                {
                    final long back = VrrpProcessLab.awaitSince(returned.started, returned::isMaster, 15_000);
                    System.out.println("[vrrp-lab] A restarted: master again " + seconds(back) + " after its JVM " +
                        "started (B's adverts at priority 90 ignored, A's master-down interval " +
                        seconds(DOWN_100_NS) + ")");
                    assertTrue(back > 0, "A preempts: " + a.status() + " / B " + b.status());
                    assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> "BACKUP".equals(second.state()),
                        5000) > 0, "B steps back: " + b.status());
                    final long aFwd = a.number("forwarded");
                    assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000));
                    assertTrue(a.number("forwarded") > aFwd, "A forwards again: " + a.status());

                    // SIGTERM: A stops gracefully, its priority-0 advert lets B take over after its skew time only
                    final long term = System.nanoTime();
                    returned.process.destroy();
                    final long bAgain = VrrpProcessLab.awaitSince(term, second::isMaster, 10_000);
                    final boolean exited = returned.process.waitFor(20, TimeUnit.SECONDS);
                    System.out.println("[vrrp-lab] A stopped with SIGTERM: B master after " + seconds(bAgain) +
                        " (skew time " + seconds(DOWN_90_NS - 3_000_000_000L) + ")");
                    assertTrue(exited && returned.process.exitValue() == 0, "A stops cleanly: " + a.log());
                    assertTrue(bAgain > 0 && bAgain < DOWN_90_NS - 3_000_000_000L + SLACK_NS / 2,
                        "B takes over on the priority-0 advert, not after a master-down interval: " +
                        seconds(bAgain) + " " + b.status());
                    assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000));
                }
                else
                {
                    // well past A's master-down interval: B keeps the VIP, A listens as backup
                    final long waited = VrrpProcessLab.awaitSince(returned.started, returned::isMaster,
                        (downB + 3 * SLACK_NS) / 1_000_000);
                    System.out.println("[vrrp-lab] A restarted: after " + seconds(System.nanoTime() - returned.started) +
                        " A is " + a.state() + " (received " + a.number("received") + "), B is " + b.state());
                    assertEquals(-1, waited, "A must not take the VIP back: " + a.status());
                    assertEquals("BACKUP", a.state());
                    assertTrue(a.number("received") >= 3, "A hears B: " + a.status());
                    assertTrue(b.isMaster(), "B keeps the VIP: " + b.status());
                    final long bFwd = b.number("forwarded");
                    assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000));
                    assertTrue(b.number("forwarded") > bFwd, "B still forwards: " + b.status());
                }
            }
            finally
            {
                VrrpProcessLab.closeQuietly(a);
                VrrpProcessLab.closeQuietly(b);
            }
        }
    }
}
