package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;

/**
 * Two lvs4j directors (Director + VrrpEngine each) in two namespaces of the DR lab, running the seed's
 * {@code vrrp_instance} (priorities 100 and 90) and the same DR service. The VIP answers through the master; the
 * master killed (no priority-0 advert) -> the backup takes over after the master-down interval (~3.65 s) and the
 * VIP keeps answering; the first director restarted preempts; with nopreempt it does not; a graceful stop
 * (priority 0) hands over after skew time (~0.65 s). The same again with VRRPv3 every 0.5 s (RFC 5798: master-down
 * 1.5 s + 0.32 s skew), the first director versioned by {@code vrrp_version 3} in global_defs, the second by
 * {@code version 3} in its instance.
 */
@Tag("lab")
@Timeout(150)
class VrrpFailoverLabTest
{
    private static final long NS = 1_000_000_000L;
    /** What a takeover by the master-down timer may take beyond the interval on a busy 2-core machine. */
    private static final long SLACK_NS = 850_000_000L;

    /** The adverts of both directors: the seed's VRRPv2, or VRRPv3 with centisecond intervals. */
    enum Variant
    {
        /** The seed's: VRRPv2, advert_int 1, PASS auth. */
        V2(VrrpLab.Adverts.V2_MULTICAST, VrrpLab.Adverts.V2_MULTICAST),
        /** VRRPv3, advert_int 0.5: vrrp_version 3 in A's global_defs, version 3 in B's instance. */
        V3(VrrpLab.Adverts.v3("0.5", true), VrrpLab.Adverts.v3("0.5", false));

        final VrrpLab.Adverts a;
        final VrrpLab.Adverts b;

        Variant(final VrrpLab.Adverts a, final VrrpLab.Adverts b)
        {
            this.a = a;
            this.b = b;
        }
    }

    @ParameterizedTest
    @EnumSource(Variant.class)
    void killPreemptGracefulStopAndNopreempt(final Variant variant) throws Exception
    {
        io.lvs4j.forwarder.lab.LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            LabHttpServer rs1 = null;
            LabHttpServer rs2 = null;
            VrrpLab.SecondDirector dir2 = null;
            VrrpLab.LvsNode a = null;
            VrrpLab.LvsNode b = null;
            try
            {
                rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
                rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
                dir2 = new VrrpLab.SecondDirector(net);
                final String ns1 = net.namespace(LabNetwork.Node.DIR);
                final LabClient client = LabClient.on(net);

                final String tag = "[vrrp-lab " + variant + "] ";
                // B's master-down interval: v2 3 + 0.648 s, v3 at 0.5 s 1.5 + 0.324 s
                final long masterDown = variant.b.masterDownNs(90);

                // the first director alone: it becomes master after 3 x advert_int + skew (v2: 3.609 s)
                final long startA = System.nanoTime();
                a = new VrrpLab.LvsNode(ns1, VrrpLab.instance("MASTER", 100, false, variant.a));
                final VrrpLab.LvsNode first = a;
                final long aMaster = VrrpLab.awaitSince(startA, first::isMaster, 8000);
                System.out.println(tag + "lvs4j A (100) master after start: " + VrrpLab.seconds(aMaster));
                assertTrue(aMaster > 0, "A becomes master: " + a.counters());
                b = new VrrpLab.LvsNode(dir2.namespace, VrrpLab.instance("BACKUP", 90, false, variant.b));
                final VrrpLab.LvsNode second = b;
                assertEquals(variant.a.version(), a.engine.router(VrrpLab.INSTANCE).version(), "A's version");
                assertEquals(variant.b.version(), b.engine.router(VrrpLab.INSTANCE).version(), "B's version");
                assertTrue(VrrpLab.await(() -> second.engine.counters().advertsReceived() >= 2, 5000) > 0,
                    "B hears A: " + b.counters());
                // a version or interval B did not expect would be a counted drop (VERSION, ADVERT_INTERVAL)
                assertEquals(0, b.engine.counters().totalDrops(), "A's adverts pass B's checks: " + b.counters());
                assertEquals(VrrpState.BACKUP, b.state());
                assertFalse(b.director.isMaster());

                assertTrue(client.get(VrrpLab.URL, 5000).ok(), "first request: " + client.get(VrrpLab.URL, 5000));
                long aFwd = a.director.forwarded();
                long bFwd = b.director.forwarded();
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through A");
                assertTrue(a.director.forwarded() > aFwd, "A forwarded");
                assertEquals(bFwd, b.director.forwarded(), "the backup forwards nothing");

                // 1. A killed: no release advert; B takes over after its master-down interval less the part of
                // A's advert interval that had passed at the kill
                final long killA = System.nanoTime();
                a.kill();
                final long killed = System.nanoTime() - killA;
                final long bMaster = VrrpLab.awaitSince(killA, second::isMaster, 8000);
                System.out.println(tag + "lvs4j A killed (close took " + VrrpLab.seconds(killed) +
                    ") -> lvs4j B master after " + VrrpLab.seconds(bMaster) + " (master-down " +
                    VrrpLab.seconds(masterDown) + "); B: " + b.counters());
                assertTrue(bMaster > 0, "B takes over: " + b.counters());
                assertTrue(bMaster < masterDown + SLACK_NS, "within the master-down interval + slack: " +
                    VrrpLab.seconds(bMaster));
                assertTrue(bMaster > masterDown - variant.a.advertNs() - 150_000_000L,
                    "by its master-down timer, not a release: " + VrrpLab.seconds(bMaster));
                a = null;
                bFwd = b.director.forwarded();
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through B");
                assertTrue(b.director.forwarded() > bFwd, "B forwarded");

                // 2. A restarted (priority 100 > 90, preempt): it ignores B's lower adverts and takes the VIP back
                final long restartA = System.nanoTime();
                a = new VrrpLab.LvsNode(ns1, VrrpLab.instance("MASTER", 100, false, variant.a));
                final VrrpLab.LvsNode restarted = a;
                final long preempt = VrrpLab.awaitSince(restartA,
                    () -> restarted.isMaster() && second.state() == VrrpState.BACKUP && !second.director.isMaster(),
                    8000);
                System.out.println(tag + "lvs4j A restarted -> preempts B after " + VrrpLab.seconds(preempt) +
                    "; A: " + a.counters() + "; B: " + b.counters());
                assertTrue(preempt > 0, "A preempts: A " + a.state() + ", B " + b.state());
                // it ignores B's lower adverts and takes over by its own master-down timer; launching a director
                // takes some of the slack
                assertTrue(preempt < variant.a.masterDownNs(100) + SLACK_NS + NS, "A preempts by its master-down " +
                    "timer (" + VrrpLab.seconds(variant.a.masterDownNs(100)) + "): " + VrrpLab.seconds(preempt));
                aFwd = a.director.forwarded();
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through A again");
                assertTrue(a.director.forwarded() > aFwd, "A forwarded again");

                // 3. graceful stop of A: priority-0 advert, B takes over after skew time (v2 0.648 s, v3 0.324 s)
                final long stopA = System.nanoTime();
                a.close();
                a = null;
                final long graceful = VrrpLab.awaitSince(stopA, second::isMaster, 5000);
                System.out.println(tag + "lvs4j A stopped gracefully -> lvs4j B master after " +
                    VrrpLab.seconds(graceful));
                assertTrue(graceful > 0, "B takes over: " + b.counters());
                assertTrue(graceful < NS, "well under 1 s: " + VrrpLab.seconds(graceful));
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through B");

                // 4. A restarted with nopreempt: it hears B and stays backup, however long
                a = new VrrpLab.LvsNode(ns1, VrrpLab.instance("BACKUP", 100, true, variant.a));
                final VrrpLab.LvsNode polite = a;
                Thread.sleep(6000);
                System.out.println(tag + "lvs4j A (nopreempt) after 6 s: " + a.state() + "; A: " + a.counters());
                assertEquals(VrrpState.BACKUP, polite.state(), "nopreempt: A stays backup");
                assertFalse(polite.director.isMaster());
                assertTrue(polite.engine.counters().advertsReceived() >= 4, polite.counters());
                assertTrue(b.isMaster(), "B stays master");
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "still through B");
            }
            finally
            {
                if (a != null)
                {
                    VrrpLab.closeQuietly(a);
                }
                VrrpLab.closeQuietly(b);
                VrrpLab.closeQuietly(rs1);
                VrrpLab.closeQuietly(rs2);
                VrrpLab.closeQuietly(dir2);
            }
        }
    }
}
