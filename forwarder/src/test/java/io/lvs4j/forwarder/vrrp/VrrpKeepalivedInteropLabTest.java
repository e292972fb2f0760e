package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.lvs4j.forwarder.lab.LabCapture;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.Shell;

/**
 * lvs4j's VRRP against Debian's keepalived 2.2.7 (VRRP only, in the second director namespace, same VRID and PASS
 * auth): each side stays backup while the other, with the higher priority, is master, and takes over within
 * ~4 s when the other is killed. Adverts are counted on both sides (VrrpCounters, a capture in keepalived's
 * namespace), and the capture shows where they went: to 224.0.0.18, or with {@code unicast_src_ip} /
 * {@code unicast_peer} on both sides to the peer's address and its MAC (lvs4j resolves the peer by ARP itself).
 */
@Tag("lab")
@Timeout(120)
class VrrpKeepalivedInteropLabTest
{
    private static final String VIRTUAL_MAC = "00:00:5e:00:01:33";
    private static final String VRRP_GROUP = "224.0.0.18";
    private static final String VRRP_GROUP_MAC = "01:00:5e:00:00:12";
    /** lvs4j's eth0 address on the server segment, its unicast_src_ip. */
    private static final String LVS4J_ADDRESS = LabNetwork.DIRECTOR_SERVER_ADDRESS;
    /** keepalived's eth0 address on the server segment, its unicast_src_ip. */
    private static final String KEEPALIVED_ADDRESS = VrrpLab.DIR2_SERVER_ADDRESS;

    /** How the two sides advertise. */
    enum Peering
    {
        /** The seed's: multicast to 224.0.0.18. */
        MULTICAST(VrrpLab.Adverts.V2_MULTICAST, VrrpLab.Adverts.V2_MULTICAST),
        /** unicast_src_ip / unicast_peer on both sides: each sends to the other's server-segment address. */
        UNICAST(VrrpLab.Adverts.v2Unicast(LVS4J_ADDRESS, KEEPALIVED_ADDRESS),
            VrrpLab.Adverts.v2Unicast(KEEPALIVED_ADDRESS, LVS4J_ADDRESS));

        final VrrpLab.Adverts lvs4j;
        final VrrpLab.Adverts keepalived;

        Peering(final VrrpLab.Adverts lvs4j, final VrrpLab.Adverts keepalived)
        {
            this.lvs4j = lvs4j;
            this.keepalived = keepalived;
        }
    }

    @ParameterizedTest
    @EnumSource(Peering.class)
    void lvs4jMasterKeepalivedBackupThenKeepalivedTakesOver(final Peering peering) throws Exception
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
                final String tag = "[vrrp-lab " + peering + "] (a) ";
                final String lvsMac = net.mac(LabNetwork.Node.DIR, "eth0");
                lvs = new VrrpLab.LvsNode(net.namespace(LabNetwork.Node.DIR),
                    VrrpLab.instance("MASTER", 100, false, peering.lvs4j));
                final VrrpLab.LvsNode node = lvs;
                assertTrue(VrrpLab.await(node::isMaster, 8000) > 0, "lvs4j becomes master: " + lvs.counters());
                capture = LabCapture.start(dir2.namespace, "eth0", "ip proto 112");
                final VrrpLab.SecondDirector second = dir2;
                ka = new VrrpLab.Keepalived(dir2.namespace, VrrpLab.instance("BACKUP", 90, false, peering.keepalived));
                final VrrpLab.Keepalived keepalived = ka;
                assertTrue(VrrpLab.await(() -> keepalived.log().contains("Entering BACKUP STATE"), 5000) > 0,
                    "keepalived starts: " + ka.log());
                Thread.sleep(5000);
                assertFalse(dir2.holdsVip(), "keepalived stays backup: " + ka.log());
                assertFalse(ka.log().contains("Entering MASTER STATE"), ka.log());
                assertTrue(lvs.isMaster(), "lvs4j stays master");
                assertEquals(0, lvs.engine.counters().advertsReceived(), "nor does lvs4j hear anything");

                final Instant killedAt = Instant.now();
                final long kill = System.nanoTime();
                lvs.kill();
                lvs = null;
                final long takeover = VrrpLab.awaitSince(kill, second::holdsVip, 8000);
                System.out.println(tag + "lvs4j killed -> keepalived holds the VIP after " + VrrpLab.seconds(takeover));
                assertTrue(takeover > 0, "keepalived takes over: " + ka.log());
                assertTrue(takeover < 4_500_000_000L, VrrpLab.seconds(takeover));
                assertTrue(ka.log().contains("Entering MASTER STATE"), ka.log());
                // a few of keepalived's adverts as master, to see where they go
                Thread.sleep(2500);
                final List<LabCapture.Frame> frames = capture.stop();
                final List<LabCapture.Frame> lvsAdverts = frames.stream()
                    .filter(f -> VIRTUAL_MAC.equals(f.srcMac()) && f.timestamp().isBefore(killedAt)).toList();
                final List<LabCapture.Frame> kaBefore = frames.stream()
                    .filter(f -> !VIRTUAL_MAC.equals(f.srcMac()) && f.timestamp().isBefore(killedAt)).toList();
                final List<LabCapture.Frame> kaAfter = frames.stream()
                    .filter(f -> !VIRTUAL_MAC.equals(f.srcMac()) && !f.timestamp().isBefore(killedAt)).toList();
                System.out.println(tag + "lvs4j master / keepalived backup for 5 s: keepalived's namespace saw " +
                    lvsAdverts.size() + " lvs4j adverts and " + kaBefore.size() + " from keepalived, then " +
                    kaAfter.size() + " from keepalived as master; first lvs4j advert " +
                    (lvsAdverts.isEmpty() ? "none" : lvsAdverts.get(0)));
                assertTrue(lvsAdverts.size() >= 3, "keepalived's side sees lvs4j's adverts: " + frames);
                assertEquals(0, kaBefore.size(), "a keepalived backup sends nothing: " + frames);
                assertTrue(kaAfter.size() >= 2, "keepalived advertises as master: " + frames);
                assertDestinations(lvsAdverts, peering, KEEPALIVED_ADDRESS, second.mac(), "lvs4j");
                assertDestinations(kaAfter, peering, LVS4J_ADDRESS, lvsMac, "keepalived");
                System.out.println(tag + "keepalived log:\n" + ka.log());
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

    @ParameterizedTest
    @EnumSource(Peering.class)
    void keepalivedMasterLvs4jBackupThenLvs4jTakesOver(final Peering peering) throws Exception
    {
        io.lvs4j.forwarder.lab.LabPreconditions.assumeLab();
        assumeKeepalived();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            VrrpLab.SecondDirector dir2 = null;
            VrrpLab.LvsNode lvs = null;
            VrrpLab.Keepalived ka = null;
            LabCapture capture = null;
            LabHttpServer rs1 = null;
            LabHttpServer rs2 = null;
            try
            {
                rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
                rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
                dir2 = new VrrpLab.SecondDirector(net);
                final String tag = "[vrrp-lab " + peering + "] (b) ";
                final String lvsMac = net.mac(LabNetwork.Node.DIR, "eth0");
                final VrrpLab.SecondDirector second = dir2;
                final long start = System.nanoTime();
                ka = new VrrpLab.Keepalived(dir2.namespace, VrrpLab.instance("MASTER", 110, false, peering.keepalived));
                final long kaMaster = VrrpLab.awaitSince(start, second::holdsVip, 8000);
                System.out.println(tag + "keepalived (110) holds the VIP after start: " + VrrpLab.seconds(kaMaster));
                assertTrue(kaMaster > 0, "keepalived becomes master: " + ka.log());

                capture = LabCapture.start(dir2.namespace, "eth0", "ip proto 112");
                lvs = new VrrpLab.LvsNode(net.namespace(LabNetwork.Node.DIR),
                    VrrpLab.instance("BACKUP", 100, false, peering.lvs4j));
                final VrrpLab.LvsNode node = lvs;
                Thread.sleep(5500);
                System.out.println(tag + "lvs4j (100) next to keepalived master for 5.5 s: " + lvs.counters());
                assertEquals(VrrpState.BACKUP, lvs.state(), "lvs4j stays backup");
                assertFalse(lvs.director.isMaster());
                assertTrue(lvs.engine.counters().advertsReceived() >= 4, "lvs4j hears keepalived: " + lvs.counters());
                assertEquals(0, lvs.engine.counters().totalDrops(), "keepalived's adverts pass every check: " +
                    lvs.counters());
                assertEquals(0, lvs.engine.counters().advertsSent(), "a backup sends nothing");

                final Instant killedAt = Instant.now();
                final long kill = System.nanoTime();
                ka.kill9();
                final long takeover = VrrpLab.awaitSince(kill, node::isMaster, 8000);
                System.out.println(tag + "keepalived SIGKILLed -> lvs4j master after " +
                    VrrpLab.seconds(takeover) + "; " + lvs.counters());
                System.out.println(tag + "keepalived log:\n" + ka.log());
                assertTrue(takeover > 0, "lvs4j takes over: " + lvs.counters());
                assertTrue(takeover < 4_500_000_000L, VrrpLab.seconds(takeover));
                assertTrue(takeover > 2_500_000_000L, "by the master-down timer: keepalived sent no release");

                // a killed keepalived leaves the VIP on its kernel; remove it, and the VIP answers through lvs4j
                assertTrue(dir2.holdsVip(), "SIGKILL: keepalived could not remove its VIP");
                dir2.ip("addr", "del", LabNetwork.VIP + "/32", "dev", "eth0");
                final LabClient client = LabClient.on(net);
                assertTrue(client.get(VrrpLab.URL, 5000).ok(), "through lvs4j: " + client.get(VrrpLab.URL, 5000));
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000));

                // lvs4j's adverts as master, still to the (dead) keepalived's address: its kernel answers ARP
                VrrpLab.await(() -> System.nanoTime() - kill > takeover + 2_500_000_000L, 5000);
                final List<LabCapture.Frame> frames = capture.stop();
                final List<LabCapture.Frame> kaAdverts = frames.stream()
                    .filter(f -> !VIRTUAL_MAC.equals(f.srcMac()) && f.timestamp().isBefore(killedAt)).toList();
                final List<LabCapture.Frame> lvsBefore = frames.stream()
                    .filter(f -> VIRTUAL_MAC.equals(f.srcMac()) && f.timestamp().isBefore(killedAt)).toList();
                final List<LabCapture.Frame> lvsAfter = frames.stream()
                    .filter(f -> VIRTUAL_MAC.equals(f.srcMac()) && !f.timestamp().isBefore(killedAt)).toList();
                System.out.println(tag + "keepalived's namespace saw " + kaAdverts.size() + " keepalived adverts and " +
                    lvsBefore.size() + " from lvs4j as backup, then " + lvsAfter.size() + " from lvs4j as master; " +
                    "first lvs4j advert " + (lvsAfter.isEmpty() ? "none" : lvsAfter.get(0)));
                assertTrue(kaAdverts.size() >= 4, "keepalived advertises as master: " + frames);
                assertEquals(0, lvsBefore.size(), "an lvs4j backup sends nothing: " + frames);
                assertTrue(lvsAfter.size() >= 2, "lvs4j advertises as master: " + frames);
                assertDestinations(kaAdverts, peering, LVS4J_ADDRESS, lvsMac, "keepalived");
                assertDestinations(lvsAfter, peering, KEEPALIVED_ADDRESS, second.mac(), "lvs4j");
            }
            finally
            {
                VrrpLab.closeQuietly(capture);
                VrrpLab.closeQuietly(ka);
                VrrpLab.closeQuietly(lvs);
                VrrpLab.closeQuietly(rs1);
                VrrpLab.closeQuietly(rs2);
                VrrpLab.closeQuietly(dir2);
            }
        }
    }

    /**
     * Asserts where one side's adverts went: to 224.0.0.18 and its MAC, or unicast to the peer's address and the
     * peer's MAC, every one of them: lvs4j resolves its unicast peers when its engine starts (Director.nextHopMac), so
     * even its first advert as master, taking over from a dead peer, knows the MAC.
     */
    private static void assertDestinations(
        final List<LabCapture.Frame> adverts, final Peering peering, final String peer, final String peerMac,
        final String who)
    {
        long toPeerMac = 0;
        for (int i = 0; i < adverts.size(); i++)
        {
            final LabCapture.Frame f = adverts.get(i);
            if (peering == Peering.MULTICAST)
            {
                assertEquals(VRRP_GROUP, f.dstIp(), who + "'s advert " + f);
                assertEquals(VRRP_GROUP_MAC, f.dstMac(), who + "'s advert " + f);
                continue;
            }
            assertEquals(peer, f.dstIp(), who + "'s unicast advert goes to the peer: " + f);
            assertEquals(peerMac, f.dstMac(), who + "'s unicast advert goes to the peer's MAC, not broadcast: " + f +
                " (all: " + adverts + ")");
            toPeerMac++;
        }
        if (peering == Peering.UNICAST)
        {
            assertTrue(toPeerMac >= adverts.size() - 1 && toPeerMac >= 1, who + ": " + adverts);
        }
    }

    private static void assumeKeepalived()
    {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(
            java.nio.file.Path.of("/usr/sbin/keepalived")), "needs /usr/sbin/keepalived");
        Shell.tryRun("true");
    }
}
