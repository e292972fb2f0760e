package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.forwarder.lab.LabCapture;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.Shell;

/**
 * lvs4j's VRRP against Debian's keepalived 2.2.7 (VRRP only, in the second director namespace, same VRID and PASS
 * auth): each side stays backup while the other, with the higher priority, is master, and takes over within
 * ~4 s when the other is killed. Adverts are counted on both sides (VrrpCounters, a capture in keepalived's
 * namespace).
 */
@Tag("lab")
@Timeout(120)
class VrrpKeepalivedInteropLabTest
{
    private static final String VIRTUAL_MAC = "00:00:5e:00:01:33";

    @Test
    void lvs4jMasterKeepalivedBackupThenKeepalivedTakesOver() throws Exception
    {
        io.lvs4j.forwarder.lab.LabPreconditions.assumeLab();
        assumeKeepalived();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            VrrpLab.SecondDirector dir2 = null;
            VrrpLab.LvsNode lvs = null;
            VrrpLab.Keepalived ka = null;
            LabCapture capture = null;
            try
            {
                dir2 = new VrrpLab.SecondDirector(net);
                lvs = new VrrpLab.LvsNode(net.namespace(LabNetwork.Node.DIR), VrrpLab.instance("MASTER", 100, false));
                final VrrpLab.LvsNode node = lvs;
                assertTrue(VrrpLab.await(node::isMaster, 8000) > 0, "lvs4j becomes master: " + lvs.counters());
                capture = LabCapture.start(dir2.namespace, "eth0", "ip proto 112");
                final VrrpLab.SecondDirector second = dir2;
                ka = new VrrpLab.Keepalived(dir2.namespace, VrrpLab.instance("BACKUP", 90, false));
                final VrrpLab.Keepalived keepalived = ka;
                assertTrue(VrrpLab.await(() -> keepalived.log().contains("Entering BACKUP STATE"), 5000) > 0,
                    "keepalived starts: " + ka.log());
                Thread.sleep(5000);
                assertFalse(dir2.holdsVip(), "keepalived stays backup: " + ka.log());
                assertFalse(ka.log().contains("Entering MASTER STATE"), ka.log());
                assertTrue(lvs.isMaster(), "lvs4j stays master");
                final List<LabCapture.Frame> window = capture.stop();
                final long lvsAdverts = window.stream().filter(f -> VIRTUAL_MAC.equals(f.srcMac())).count();
                final long kaAdverts = window.size() - lvsAdverts;
                System.out.println("[vrrp-lab] (a) lvs4j master / keepalived backup for 5 s: keepalived's namespace saw " +
                    lvsAdverts + " lvs4j adverts and " + kaAdverts + " from keepalived; lvs4j: " + lvs.counters());
                assertTrue(lvsAdverts >= 3, "keepalived's side sees lvs4j's adverts: " + window);
                assertEquals(0, kaAdverts, "a keepalived backup sends nothing: " + window);
                assertEquals(0, lvs.engine.counters().advertsReceived(), "nor does lvs4j hear anything");

                final long kill = System.nanoTime();
                lvs.kill();
                lvs = null;
                final long takeover = VrrpLab.awaitSince(kill, second::holdsVip, 8000);
                System.out.println("[vrrp-lab] (a) lvs4j killed -> keepalived holds the VIP after " +
                    VrrpLab.seconds(takeover));
                assertTrue(takeover > 0, "keepalived takes over: " + ka.log());
                assertTrue(takeover < 4_500_000_000L, VrrpLab.seconds(takeover));
                assertTrue(ka.log().contains("Entering MASTER STATE"), ka.log());
                System.out.println("[vrrp-lab] (a) keepalived log:\n" + ka.log());
            }
            finally
            {
                VrrpLab.closeQuietly(capture);
                VrrpLab.closeQuietly(ka);
                VrrpLab.closeQuietly(lvs);
                VrrpLab.closeQuietly(dir2);
            }
        }
    }

    @Test
    void keepalivedMasterLvs4jBackupThenLvs4jTakesOver() throws Exception
    {
        io.lvs4j.forwarder.lab.LabPreconditions.assumeLab();
        assumeKeepalived();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            VrrpLab.SecondDirector dir2 = null;
            VrrpLab.LvsNode lvs = null;
            VrrpLab.Keepalived ka = null;
            LabHttpServer rs1 = null;
            LabHttpServer rs2 = null;
            try
            {
                rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
                rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
                dir2 = new VrrpLab.SecondDirector(net);
                final VrrpLab.SecondDirector second = dir2;
                final long start = System.nanoTime();
                ka = new VrrpLab.Keepalived(dir2.namespace, VrrpLab.instance("MASTER", 110, false));
                final long kaMaster = VrrpLab.awaitSince(start, second::holdsVip, 8000);
                System.out.println("[vrrp-lab] (b) keepalived (110) holds the VIP after start: " +
                    VrrpLab.seconds(kaMaster));
                assertTrue(kaMaster > 0, "keepalived becomes master: " + ka.log());

                lvs = new VrrpLab.LvsNode(net.namespace(LabNetwork.Node.DIR), VrrpLab.instance("BACKUP", 100, false));
                final VrrpLab.LvsNode node = lvs;
                Thread.sleep(5500);
                System.out.println("[vrrp-lab] (b) lvs4j (100) next to keepalived master for 5.5 s: " + lvs.counters());
                assertEquals(VrrpState.BACKUP, lvs.state(), "lvs4j stays backup");
                assertFalse(lvs.director.isMaster());
                assertTrue(lvs.engine.counters().advertsReceived() >= 4, "lvs4j hears keepalived: " + lvs.counters());
                assertEquals(0, lvs.engine.counters().totalDrops(), "keepalived's adverts pass every check: " +
                    lvs.counters());
                assertEquals(0, lvs.engine.counters().advertsSent(), "a backup sends nothing");

                final long kill = System.nanoTime();
                ka.kill9();
                final long takeover = VrrpLab.awaitSince(kill, node::isMaster, 8000);
                System.out.println("[vrrp-lab] (b) keepalived SIGKILLed -> lvs4j master after " +
                    VrrpLab.seconds(takeover) + "; " + lvs.counters());
                System.out.println("[vrrp-lab] (b) keepalived log:\n" + ka.log());
                assertTrue(takeover > 0, "lvs4j takes over: " + lvs.counters());
                assertTrue(takeover < 4_500_000_000L, VrrpLab.seconds(takeover));
                assertTrue(takeover > 2_500_000_000L, "by the master-down timer: keepalived sent no release");

                // a killed keepalived leaves the VIP on its kernel; remove it, and the VIP answers through lvs4j
                assertTrue(dir2.holdsVip(), "SIGKILL: keepalived could not remove its VIP");
                dir2.ip("addr", "del", LabNetwork.VIP + "/32", "dev", "eth0");
                final LabClient client = LabClient.on(net);
                assertTrue(client.get(VrrpLab.URL, 5000).ok(), "through lvs4j: " + client.get(VrrpLab.URL, 5000));
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000));
            }
            finally
            {
                VrrpLab.closeQuietly(ka);
                VrrpLab.closeQuietly(lvs);
                VrrpLab.closeQuietly(rs1);
                VrrpLab.closeQuietly(rs2);
                VrrpLab.closeQuietly(dir2);
            }
        }
    }

    private static void assumeKeepalived()
    {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(
            java.nio.file.Path.of("/usr/sbin/keepalived")), "needs /usr/sbin/keepalived");
        Shell.tryRun("true");
    }
}
