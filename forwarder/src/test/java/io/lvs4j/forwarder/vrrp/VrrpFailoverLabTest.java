package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;

/**
 * Two lvs4j directors (Director + VrrpEngine each) in two namespaces of the DR lab, running the seed's
 * {@code vrrp_instance} (priorities 100 and 90) and the same DR service. The VIP answers through the master; the
 * master killed (no priority-0 advert) -> the backup takes over after the master-down interval (~3.65 s) and the
 * VIP keeps answering; the first director restarted preempts; with nopreempt it does not; a graceful stop
 * (priority 0) hands over after skew time (~0.65 s).
 */
@Tag("lab")
@Timeout(150)
class VrrpFailoverLabTest
{
    private static final long NS = 1_000_000_000L;

    @Test
    void killPreemptGracefulStopAndNopreempt() throws Exception
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

                // the first director alone: it becomes master after 3 x advert_int + skew (3.609 s)
                final long startA = System.nanoTime();
                a = new VrrpLab.LvsNode(ns1, VrrpLab.instance("MASTER", 100, false));
                final VrrpLab.LvsNode first = a;
                final long aMaster = VrrpLab.awaitSince(startA, first::isMaster, 8000);
                System.out.println("[vrrp-lab] lvs4j A (100) master after start: " + VrrpLab.seconds(aMaster));
                assertTrue(aMaster > 0, "A becomes master: " + a.counters());
                b = new VrrpLab.LvsNode(dir2.namespace, VrrpLab.instance("BACKUP", 90, false));
                final VrrpLab.LvsNode second = b;
                assertTrue(VrrpLab.await(() -> second.engine.counters().advertsReceived() >= 2, 5000) > 0,
                    "B hears A: " + b.counters());
                assertEquals(VrrpState.BACKUP, b.state());
                assertFalse(b.director.isMaster());

                assertTrue(client.get(VrrpLab.URL, 5000).ok(), "first request: " + client.get(VrrpLab.URL, 5000));
                long aFwd = a.director.forwarded();
                long bFwd = b.director.forwarded();
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through A");
                assertTrue(a.director.forwarded() > aFwd, "A forwarded");
                assertEquals(bFwd, b.director.forwarded(), "the backup forwards nothing");

                // 1. A killed: no release advert; B takes over after its master-down interval (3 + 0.648 s)
                final long killA = System.nanoTime();
                a.kill();
                final long killed = System.nanoTime() - killA;
                final long bMaster = VrrpLab.awaitSince(killA, second::isMaster, 8000);
                System.out.println("[vrrp-lab] lvs4j A killed (close took " + VrrpLab.seconds(killed) +
                    ") -> lvs4j B master after " + VrrpLab.seconds(bMaster) + "; B: " + b.counters());
                assertTrue(bMaster > 0, "B takes over: " + b.counters());
                assertTrue(bMaster < 4_500_000_000L, "within ~4 s: " + VrrpLab.seconds(bMaster));
                assertTrue(bMaster > 2_500_000_000L, "by its master-down timer, not a release: " +
                    VrrpLab.seconds(bMaster));
                a = null;
                bFwd = b.director.forwarded();
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through B");
                assertTrue(b.director.forwarded() > bFwd, "B forwarded");

                // 2. A restarted (priority 100 > 90, preempt): it ignores B's lower adverts and takes the VIP back
                final long restartA = System.nanoTime();
                a = new VrrpLab.LvsNode(ns1, VrrpLab.instance("MASTER", 100, false));
                final VrrpLab.LvsNode restarted = a;
                final long preempt = VrrpLab.awaitSince(restartA,
                    () -> restarted.isMaster() && second.state() == VrrpState.BACKUP && !second.director.isMaster(),
                    8000);
                System.out.println("[vrrp-lab] lvs4j A restarted -> preempts B after " + VrrpLab.seconds(preempt) +
                    "; A: " + a.counters() + "; B: " + b.counters());
                assertTrue(preempt > 0, "A preempts: A " + a.state() + ", B " + b.state());
                aFwd = a.director.forwarded();
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through A again");
                assertTrue(a.director.forwarded() > aFwd, "A forwarded again");

                // 3. graceful stop of A: priority-0 advert, B takes over after skew time ((256-90)/256 = 0.648 s)
                final long stopA = System.nanoTime();
                a.close();
                a = null;
                final long graceful = VrrpLab.awaitSince(stopA, second::isMaster, 5000);
                System.out.println("[vrrp-lab] lvs4j A stopped gracefully -> lvs4j B master after " +
                    VrrpLab.seconds(graceful));
                assertTrue(graceful > 0, "B takes over: " + b.counters());
                assertTrue(graceful < NS, "well under 1 s: " + VrrpLab.seconds(graceful));
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "through B");

                // 4. A restarted with nopreempt: it hears B and stays backup, however long
                a = new VrrpLab.LvsNode(ns1, VrrpLab.instance("BACKUP", 100, true));
                final VrrpLab.LvsNode polite = a;
                Thread.sleep(6000);
                System.out.println("[vrrp-lab] lvs4j A (nopreempt) after 6 s: " + a.state() + "; A: " + a.counters());
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
