package io.lvs4j.examples;

import static io.lvs4j.examples.VrrpProcessLab.seconds;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.lab.Shell;

/**
 * The bundled director ({@code lvs4j director -f}, its own JVM) and Debian's keepalived (VRRP only, {@code -P}) in
 * the two director namespaces of the HA DR lab, running the seed's {@code vrrp_instance}: each hears the other's
 * adverts (lvs4j counts them, with no drops; keepalived's notify script records its states), the backup stays
 * backup while the master advertises, and when the master is killed (SIGKILL, no priority-0 advert) the other takes
 * over within the master-down interval (+ 2 s slack). keepalived holds the VIP in its namespace's kernel, as it
 * does on a real host; lvs4j answers ARP for it with the virtual MAC. VRRPv2 with PASS auth (the seed) and VRRPv3.
 */
@Tag("lab")
@Timeout(180)
class KeepalivedInteropLabTest
{
    private static final long DOWN_100_NS = 3_000_000_000L + (156L * 1_000_000_000L) / 256;
    private static final long DOWN_90_NS = 3_000_000_000L + (166L * 1_000_000_000L) / 256;
    private static final long SLACK_NS = 2_000_000_000L;

    @TempDir
    Path dir;

    /**
     * lvs4j master (the seed's lvs-dr-master.conf) and keepalived backup (lvs-dr-backup.conf's instance, both
     * priority 100): keepalived stays backup; lvs4j killed, keepalived takes over; lvs4j back, it stays backup
     * (equal priority) and hears keepalived's adverts.
     */
    @Test
    void lvs4jMasterKeepalivedBackupV2() throws Exception
    {
        lvs4jMaster(VrrpProcessLab.seed("master"), VrrpProcessLab.seed("backup"));
    }

    /** As {@link #lvs4jMasterKeepalivedBackupV2()} with VRRPv3 (no authentication). */
    @Test
    void lvs4jMasterKeepalivedBackupV3() throws Exception
    {
        lvs4jMaster(v3(VrrpProcessLab.seed("master")), v3(VrrpProcessLab.seed("backup")));
    }

    /**
     * keepalived master (lvs-dr-master.conf's instance, priority 100) and lvs4j backup (lvs-dr-backup.conf at
     * priority 90): lvs4j stays backup; keepalived killed, lvs4j takes over and forwards; keepalived back, it
     * preempts and lvs4j steps down.
     */
    @Test
    void keepalivedMasterLvs4jBackupV2() throws Exception
    {
        keepalivedMaster(VrrpProcessLab.seed("master"),
            VrrpProcessLab.instance(VrrpProcessLab.seed("backup"), 90, "BACKUP", ""));
    }

    /** As {@link #keepalivedMasterLvs4jBackupV2()} with VRRPv3 (no authentication). */
    @Test
    void keepalivedMasterLvs4jBackupV3() throws Exception
    {
        keepalivedMaster(v3(VrrpProcessLab.seed("master")),
            v3(VrrpProcessLab.instance(VrrpProcessLab.seed("backup"), 90, "BACKUP", "")));
    }

    private static String v3(final String config)
    {
        final String changed = config.replaceFirst("(?s)authentication\\s*\\{[^}]*\\}", "")
            .replaceFirst("advert_int 1", "advert_int 1\n        version 3");
        if (changed.contains("auth_pass") || !changed.contains("version 3"))
        {
            throw new IllegalStateException("cannot make " + config + " VRRPv3");
        }
        return changed;
    }

    private void lvs4jMaster(final String lvsConfig, final String keepalivedConfig) throws Exception
    {
        VrrpProcessLab.assumeLab(true);
        try (LabNetwork net = LabNetwork.dr().backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            VrrpProcessLab.DirectorProcess lvs = null;
            VrrpProcessLab.Keepalived ka = null;
            try
            {
                final LabClient client = LabClient.on(net);
                lvs = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR, dir, "lvs", lvsConfig)
                    .awaitRunning();
                final VrrpProcessLab.DirectorProcess l = lvs;
                assertTrue(VrrpProcessLab.awaitSince(lvs.started, l::isMaster, 20_000) > 0,
                    "lvs4j becomes master: " + lvs.status());
                ka = new VrrpProcessLab.Keepalived(net.namespace(LabNetwork.Node.DIR2), dir.resolve("ka"),
                    keepalivedConfig);
                final VrrpProcessLab.Keepalived k = ka;
                assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> k.state().equals("BACKUP"), 15_000) > 0,
                    "keepalived starts as backup: " + ka.states() + "\n" + ka.log());
                // several of lvs4j's advert intervals: keepalived hears them and stays backup
                VrrpProcessLab.sleep(6000);
                assertEquals(List.of("BACKUP"), ka.states(), "keepalived stays backup: " + ka.log());
                assertTrue(l.isMaster(), lvs.status().toString());
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000),
                    "the VIP answers through lvs4j");
                assertTrue(!holdsVip(net, LabNetwork.Node.DIR2), "keepalived's backup does not hold the VIP");

                // anywhere in the master's advert interval
                VrrpProcessLab.sleep(ThreadLocalRandom.current().nextInt(1000));
                final long kill = System.nanoTime();
                lvs.kill9();
                final long taken = VrrpProcessLab.awaitSince(kill, () -> k.state().equals("MASTER"), 15_000);
                System.out.println("[vrrp-lab] lvs4j master killed: keepalived MASTER after " + seconds(taken) +
                    " (master-down interval " + seconds(DOWN_100_NS) + ")");
                assertTrue(taken > 0, "keepalived takes over: " + ka.states() + "\n" + ka.log());
                assertTrue(taken < DOWN_100_NS + SLACK_NS, "within the master-down interval: " + seconds(taken));
                assertTrue(taken > DOWN_100_NS - 1_100_000_000L, "by its timer: " + seconds(taken));
                assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> holdsVip(net, LabNetwork.Node.DIR2),
                    3000) > 0, "keepalived's master holds the VIP");

                // lvs4j returns at equal priority: it hears keepalived's adverts and stays backup
                lvs = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR, dir, "lvs2", lvsConfig)
                    .awaitRunning();
                final VrrpProcessLab.DirectorProcess back = lvs;
                final long became = VrrpProcessLab.awaitSince(back.started, back::isMaster,
                    (DOWN_100_NS + 3 * SLACK_NS) / 1_000_000);
                final Map<String, String> status = back.status();
                System.out.println("[vrrp-lab] lvs4j restarted next to keepalived's master: " + status.get("state") +
                    ", adverts received " + status.get("received") + ", drops " + drops(status));
                assertEquals(-1, became, "lvs4j does not take over at equal priority: " + status);
                assertEquals("BACKUP", status.get("state"));
                assertTrue(Long.parseLong(status.get("received")) >= 4, "lvs4j hears keepalived: " + status);
                assertEquals(0, totalDrops(status), "keepalived's adverts pass every check: " + status);
                assertEquals("MASTER", ka.state(), ka.log());
            }
            finally
            {
                VrrpProcessLab.closeQuietly(ka);
                VrrpProcessLab.closeQuietly(lvs);
            }
        }
    }

    private void keepalivedMaster(final String keepalivedConfig, final String lvsConfig) throws Exception
    {
        VrrpProcessLab.assumeLab(true);
        try (LabNetwork net = LabNetwork.dr().backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            VrrpProcessLab.DirectorProcess lvs = null;
            VrrpProcessLab.Keepalived ka = null;
            try
            {
                final LabClient client = LabClient.on(net);
                ka = new VrrpProcessLab.Keepalived(net.namespace(LabNetwork.Node.DIR), dir.resolve("ka"),
                    keepalivedConfig);
                final VrrpProcessLab.Keepalived k = ka;
                assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> k.state().equals("MASTER"), 15_000) > 0,
                    "keepalived becomes master: " + ka.states() + "\n" + ka.log());
                lvs = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR2, dir, "lvs", lvsConfig)
                    .awaitRunning();
                final VrrpProcessLab.DirectorProcess l = lvs;
                // well past lvs4j's master-down interval: keepalived's adverts (priority 100) keep it backup
                final long became = VrrpProcessLab.awaitSince(lvs.started, l::isMaster,
                    (DOWN_90_NS + 2 * SLACK_NS) / 1_000_000);
                final Map<String, String> status = lvs.status();
                System.out.println("[vrrp-lab] lvs4j next to keepalived's master: " + status.get("state") +
                    ", adverts received " + status.get("received") + ", drops " + drops(status));
                assertEquals(-1, became, "lvs4j stays backup: " + status);
                assertEquals("BACKUP", status.get("state"));
                assertEquals("no", status.get("master"));
                assertTrue(Long.parseLong(status.get("received")) >= 4, "lvs4j hears keepalived: " + status);
                assertEquals(0, totalDrops(status), "keepalived's adverts pass every check: " + status);
                // keepalived reports BACKUP at start, then MASTER, and nothing since
                final List<String> states = ka.states();
                assertEquals(List.of("MASTER"), states.subList(Math.max(0, states.indexOf("MASTER")), states.size()),
                    "keepalived stays master: " + states + "\n" + ka.log());

                // anywhere in the master's advert interval
                VrrpProcessLab.sleep(ThreadLocalRandom.current().nextInt(1000));
                final long kill = System.nanoTime();
                ka.kill9();
                // a killed keepalived leaves the VIP in its kernel, which would go on answering ARP for it: take it
                // away, as the crash of the whole host would
                net.ip(LabNetwork.Node.DIR, "addr", "del", LabNetwork.VIP + "/32", "dev", "eth0");
                final long[] master = new long[1];
                final Thread watch = new Thread(() -> master[0] = VrrpProcessLab.awaitSince(kill, l::isMaster,
                    15_000));
                watch.start();
                final long answered = VrrpProcessLab.firstAnswer(client, kill, 15_000);
                watch.join();
                System.out.println("[vrrp-lab] keepalived master killed: lvs4j MASTER after " + seconds(master[0]) +
                    ", the VIP answers through lvs4j after " + seconds(answered) + " (master-down interval " +
                    seconds(DOWN_90_NS) + ")");
                assertTrue(master[0] > 0 && answered > 0, "lvs4j takes over: " + lvs.status() + "\n" + lvs.log());
                assertTrue(master[0] < DOWN_90_NS + SLACK_NS, "within the master-down interval: " +
                    seconds(master[0]));
                assertTrue(master[0] > DOWN_90_NS - 1_100_000_000L, "by its timer: " + seconds(master[0]));
                assertTrue(answered < DOWN_90_NS + SLACK_NS, "the VIP answers in time: " + seconds(answered));
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000),
                    "the VIP answers through lvs4j");

                // keepalived returns with priority 100 and preempts: lvs4j (90) steps down
                ka = new VrrpProcessLab.Keepalived(net.namespace(LabNetwork.Node.DIR), dir.resolve("ka2"),
                    keepalivedConfig);
                final VrrpProcessLab.Keepalived k2 = ka;
                final long restart = System.nanoTime();
                final long back = VrrpProcessLab.awaitSince(restart, () -> k2.state().equals("MASTER"), 20_000);
                final long stepped = VrrpProcessLab.awaitSince(restart, () -> "BACKUP".equals(l.state()), 20_000);
                System.out.println("[vrrp-lab] keepalived restarted: MASTER after " + seconds(back) +
                    ", lvs4j BACKUP after " + seconds(stepped));
                assertTrue(back > 0, "keepalived preempts: " + ka.states() + "\n" + ka.log());
                assertTrue(stepped > 0, "lvs4j steps down for the higher priority: " + lvs.status());
                assertEquals("no", lvs.status().get("master"));
                assertEquals(0, totalDrops(lvs.status()), lvs.status().toString());
            }
            finally
            {
                VrrpProcessLab.closeQuietly(ka);
                VrrpProcessLab.closeQuietly(lvs);
            }
        }
    }

    private static boolean holdsVip(final LabNetwork net, final LabNetwork.Node node)
    {
        return Shell.tryRun("ip", "-n", net.namespace(node), "-4", "-o", "addr", "show", "dev", "eth0").stdout()
            .contains(" " + LabNetwork.VIP + "/");
    }

    private static long totalDrops(final Map<String, String> status)
    {
        return status.entrySet().stream().filter(e -> e.getKey().startsWith("drop."))
            .mapToLong(e -> Long.parseLong(e.getValue())).sum();
    }

    private static String drops(final Map<String, String> status)
    {
        final StringBuilder sb = new StringBuilder();
        status.forEach((k, v) ->
        {
            if (k.startsWith("drop.") && !v.equals("0"))
            {
                sb.append(k.substring(5)).append('=').append(v).append(' ');
            }
        });
        return sb.length() == 0 ? "none" : sb.toString().strip();
    }
}
