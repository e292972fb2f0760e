package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The state machine under a fake clock: startup as backup, the master-down timer, preempt, nopreempt,
 * preempt_delay, priority-0 release, the owner, priority changes, ties broken by address.
 */
@Timeout(10)
class VrrpRouterTest
{
    static final long MS = 1_000_000L;
    static final long S = 1000 * MS;
    static final int LOW_ADDRESS = 0xC0000201;
    static final int HIGH_ADDRESS = 0xC0000202;

    final List<Integer> adverts = new ArrayList<>();
    final List<VrrpState> states = new ArrayList<>();
    final VrrpRouter.Listener listener = new VrrpRouter.Listener()
    {
        @Override
        public void sendAdvert(final VrrpRouter router, final int priority)
        {
            adverts.add(priority);
        }

        @Override
        public void stateChanged(final VrrpRouter router, final VrrpState from, final VrrpState to)
        {
            states.add(to);
        }
    };

    VrrpRouter router(final int priority, final boolean nopreempt, final long preemptDelay)
    {
        return new VrrpRouter("VI_1", 51, 2, priority, S, nopreempt, preemptDelay, LOW_ADDRESS, listener);
    }

    @Test
    void startsAsBackupAndTakesOverAfterMasterDownInterval()
    {
        final VrrpRouter r = router(100, false, 0);
        r.start(0);
        assertEquals(VrrpState.BACKUP, r.state());
        // 3 * 1 s + (256 - 100) / 256 s = 3.609375 s: keepalived's measured ~3.6 s
        assertEquals(3 * S + 156 * S / 256, r.masterDownIntervalNs());
        r.poll(3609 * MS);
        assertEquals(VrrpState.BACKUP, r.state());
        r.poll(3610 * MS);
        assertEquals(VrrpState.MASTER, r.state());
        assertEquals(List.of(100), adverts);
        r.poll(4609 * MS);
        assertEquals(1, adverts.size());
        r.poll(4610 * MS);
        assertEquals(List.of(100, 100), adverts, "one advert per interval");
    }

    @Test
    void backupStaysWhileTheMasterAdvertises()
    {
        final VrrpRouter r = router(100, false, 0);
        r.start(0);
        for (long t = S; t < 20 * S; t += S)
        {
            r.onAdvert(t, 100, HIGH_ADDRESS, S);
            r.poll(t);
        }
        assertEquals(VrrpState.BACKUP, r.state());
        assertTrue(adverts.isEmpty());
    }

    @Test
    void ownerBecomesMasterAtOnce()
    {
        final VrrpRouter r = router(255, false, 0);
        r.start(0);
        assertEquals(VrrpState.MASTER, r.state());
        assertEquals(List.of(255), adverts);
        r.priority(10);
        assertEquals(255, r.priority(), "an owner's priority never changes");
    }

    @Test
    void priorityZeroMakesTheBackupTakeOverAfterSkew()
    {
        final VrrpRouter r = router(100, false, 0);
        r.start(0);
        r.onAdvert(S, 200, HIGH_ADDRESS, S);
        r.onAdvert(2 * S, 0, HIGH_ADDRESS, S);
        final long skew = 156 * S / 256;
        r.poll(2 * S + skew - 1);
        assertEquals(VrrpState.BACKUP, r.state());
        r.poll(2 * S + skew);
        assertEquals(VrrpState.MASTER, r.state());
    }

    @Test
    void stopSendsPriorityZeroFromMaster()
    {
        final VrrpRouter r = router(255, false, 0);
        r.start(0);
        r.stop(S);
        assertEquals(List.of(255, 0), adverts);
        assertEquals(VrrpState.INIT, r.state());
    }

    @Test
    void preemptTakesOverFromALowerPriorityMaster()
    {
        final VrrpRouter r = router(150, false, 0);
        r.start(0);
        long t = 0;
        while (r.state() == VrrpState.BACKUP && t < 10 * S)
        {
            t += 100 * MS;
            r.onAdvert(t, 100, HIGH_ADDRESS, S);
            r.poll(t);
        }
        assertEquals(VrrpState.MASTER, r.state());
        assertTrue(t <= r.masterDownIntervalNs() + 100 * MS, "took over at its timer: " + t);
    }

    @Test
    void nopreemptKeepsALowerPriorityMaster()
    {
        final VrrpRouter r = router(150, true, 0);
        r.start(0);
        for (long t = 100 * MS; t < 20 * S; t += 100 * MS)
        {
            r.onAdvert(t, 100, HIGH_ADDRESS, S);
            r.poll(t);
        }
        assertEquals(VrrpState.BACKUP, r.state());
    }

    @Test
    void preemptDelayToleratesALowerMasterForTheDelay()
    {
        final VrrpRouter r = router(150, false, 10 * S);
        r.start(0);
        long t = 0;
        while (r.state() == VrrpState.BACKUP && t < 30 * S)
        {
            t += 100 * MS;
            r.onAdvert(t, 100, HIGH_ADDRESS, S);
            r.poll(t);
        }
        assertEquals(VrrpState.MASTER, r.state());
        assertTrue(t >= 10 * S && t <= 10 * S + r.masterDownIntervalNs() + 100 * MS, "took over at " + t);
    }

    @Test
    void masterStepsDownForHigherPriorityOrEqualPriorityHigherAddress()
    {
        final VrrpRouter r = router(255 - 155, false, 0);
        r.start(0);
        r.poll(4 * S);
        assertEquals(VrrpState.MASTER, r.state());
        r.onAdvert(5 * S, 100, LOW_ADDRESS - 1, S);
        assertEquals(VrrpState.MASTER, r.state(), "equal priority, lower address: stays");
        r.onAdvert(6 * S, 100, HIGH_ADDRESS, S);
        assertEquals(VrrpState.BACKUP, r.state(), "equal priority, higher address: steps down");
        r.poll(20 * S);
        assertEquals(VrrpState.MASTER, r.state());
        r.onAdvert(21 * S, 101, LOW_ADDRESS - 1, S);
        assertEquals(VrrpState.BACKUP, r.state(), "higher priority: steps down");
    }

    @Test
    void masterAnswersLowerPriorityAndPriorityZeroAtOnce()
    {
        final VrrpRouter r = router(255, false, 0);
        r.start(0);
        r.onAdvert(S / 2, 100, HIGH_ADDRESS, S);
        r.onAdvert(S / 2 + VrrpRouter.ANSWER_SPACING_NS, 0, HIGH_ADDRESS, S);
        assertEquals(List.of(255, 255, 255), adverts);
    }

    @Test
    void aFloodOfAdvertsIsAnsweredAtMostOncePerSpacing()
    {
        final VrrpRouter r = router(200, false, 0);
        r.start(0);
        r.poll(4 * S);
        assertEquals(VrrpState.MASTER, r.state());
        adverts.clear();
        // 10,000 lower-priority adverts over one second: 10 answers, not 10,000
        for (int i = 0; i < 10_000; i++)
        {
            r.onAdvert(5 * S + i * (S / 10_000), 100, HIGH_ADDRESS, S);
        }
        assertEquals(10, adverts.size());
        assertEquals(VrrpState.MASTER, r.state());
    }

    @Test
    void faultReleasesAndRecoversAsBackup()
    {
        final VrrpRouter r = router(100, false, 0);
        r.start(0);
        r.poll(4 * S);
        assertEquals(VrrpState.MASTER, r.state());
        r.fault(5 * S, true);
        assertEquals(VrrpState.FAULT, r.state());
        assertEquals(0, adverts.get(adverts.size() - 1));
        assertFalse(r.onAdvert(6 * S, 100, HIGH_ADDRESS, S), "FAULT ignores adverts");
        r.fault(7 * S, false);
        assertEquals(VrrpState.BACKUP, r.state());
        assertEquals(List.of(VrrpState.BACKUP, VrrpState.MASTER, VrrpState.FAULT, VrrpState.BACKUP), states);
    }

    @Test
    void v3LearnsTheMastersIntervalAndScalesSkew()
    {
        final VrrpRouter r = new VrrpRouter("v3", 1, 3, 100, S, false, 0, LOW_ADDRESS, listener);
        r.start(0);
        r.onAdvert(S, 200, HIGH_ADDRESS, 2 * S);
        assertEquals(2 * S, r.masterAdvertIntervalNs());
        // skew = (256 - 100) * 200 cs / 256 = 121 cs
        assertEquals(6 * S + 1210 * MS, r.masterDownIntervalNs());
    }

    @Test
    void raisedPriorityPreemptsThroughTheTimer()
    {
        final VrrpRouter r = router(90, false, 0);
        r.start(0);
        r.onAdvert(S, 100, HIGH_ADDRESS, S);
        r.priority(110);
        long t = S;
        while (r.state() == VrrpState.BACKUP && t < 10 * S)
        {
            t += 100 * MS;
            r.onAdvert(t, 100, HIGH_ADDRESS, S);
            r.poll(t);
        }
        assertEquals(VrrpState.MASTER, r.state());
    }
}
