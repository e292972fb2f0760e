package io.lvs4j.forwarder.check;

import static io.lvs4j.forwarder.check.FakeClockFixture.Outcome.FAIL;
import static io.lvs4j.forwarder.check.FakeClockFixture.Outcome.PASS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * keepalived's service-level rules: remove or inhibit, alpha at registration, sorry server, quorum with hysteresis,
 * dynamic weights, omega.
 */
final class VirtualServiceHealthPolicyTest
{
    private final List<String> decisions = new ArrayList<>();

    private VirtualServiceHealthPolicy policy(final ServicePolicySpec spec)
    {
        return new VirtualServiceHealthPolicy("vs", spec, d -> decisions.add(
            d.kind() + " " + d.target().address().getHostAddress() + (d.changesDirector() &&
            d.kind() != HealthDecision.Kind.REMOVE ? " " + d.weight() : "")));
    }

    private static RealServerRef rs(final int lastOctet)
    {
        return FakeClockFixture.rs(lastOctet);
    }

    private static InetAddress sorry()
    {
        try
        {
            return InetAddress.getByName("192.0.2.99");
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void failedRealServerIsRemovedAndAddedBack()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS);
        p.onRegistered(rs(1), true, 5);
        p.onRegistered(rs(2), true, 5);
        p.start();
        p.onDown(rs(1), "x");
        p.onUp(rs(1), "x");
        assertEquals(List.of("ADD 192.0.2.1 5", "ADD 192.0.2.2 5", "REMOVE 192.0.2.1", "NOTIFY_DOWN 192.0.2.1",
            "ADD 192.0.2.1 5", "NOTIFY_UP 192.0.2.1"), decisions);
    }

    @Test
    void inhibitOnFailureSetsWeightZeroAndRestoresIt()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withInhibitOnFailure(true));
        p.onRegistered(rs(1), true, 5);
        p.onRegistered(rs(2), true, 5);
        p.start();
        p.onDown(rs(1), "x");
        p.onUp(rs(1), "x");
        assertEquals(List.of("ADD 192.0.2.1 5", "ADD 192.0.2.2 5", "SET_WEIGHT 192.0.2.1 0", "NOTIFY_DOWN 192.0.2.1",
            "SET_WEIGHT 192.0.2.1 5", "NOTIFY_UP 192.0.2.1"), decisions);
    }

    @Test
    void inhibitOnFailureIsPerRealServerAsInKeepalived()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS);
        p.inhibitOnFailure(rs(1), true);
        p.onRegistered(rs(1), true, 5);
        p.onRegistered(rs(2), true, 5);
        p.start();
        p.onDown(rs(1), "x");
        p.onDown(rs(2), "x");
        assertEquals(List.of("ADD 192.0.2.1 5", "ADD 192.0.2.2 5", "SET_WEIGHT 192.0.2.1 0", "NOTIFY_DOWN 192.0.2.1",
            "REMOVE 192.0.2.2", "NOTIFY_DOWN 192.0.2.2", "QUORUM_DOWN 0.0.0.0"), decisions,
            "rs 1 inhibits (weight 0), rs 2 without the setting is removed");
    }

    @Test
    void alphaRealServerIsNotAddedUntilUpUnlessInhibited()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS);
        p.onRegistered(rs(1), false, 5);
        p.onRegistered(rs(2), true, 5);
        assertEquals(List.of("ADD 192.0.2.2 5"), decisions);

        decisions.clear();
        final VirtualServiceHealthPolicy inhibited = policy(ServicePolicySpec.DEFAULTS.withInhibitOnFailure(true));
        inhibited.onRegistered(rs(1), false, 5);
        inhibited.onUp(rs(1), "first success");
        assertEquals(List.of("ADD 192.0.2.1 0", "SET_WEIGHT 192.0.2.1 5", "NOTIFY_UP 192.0.2.1"), decisions);
    }

    @Test
    void sorryServerReplacesTheRealServersWhileQuorumIsLost()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withSorryServer(sorry(), 80, false));
        p.onRegistered(rs(1), true, 1);
        p.start();
        decisions.clear();
        p.onDown(rs(1), "x");
        assertTrue(p.isSorryServerActive());
        assertEquals(List.of("REMOVE 192.0.2.1", "NOTIFY_DOWN 192.0.2.1", "QUORUM_DOWN 0.0.0.0",
            "ADD 192.0.2.99 1"), decisions);
        decisions.clear();
        p.onUp(rs(1), "x");
        assertFalse(p.isSorryServerActive());
        assertEquals(List.of("NOTIFY_UP 192.0.2.1", "QUORUM_UP 0.0.0.0", "REMOVE 192.0.2.99", "ADD 192.0.2.1 1"),
            decisions, "no director change while the sorry server serves, then the swap back");
    }

    @Test
    void sorryServerInhibitKeepsItWithWeightZero()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withSorryServer(sorry(), 80, true));
        p.onRegistered(rs(1), true, 1);
        p.start();
        p.onDown(rs(1), "x");
        p.onUp(rs(1), "x");
        p.onDown(rs(1), "x");
        assertEquals(List.of("ADD 192.0.2.1 1",
            "REMOVE 192.0.2.1", "NOTIFY_DOWN 192.0.2.1", "QUORUM_DOWN 0.0.0.0", "ADD 192.0.2.99 1",
            "NOTIFY_UP 192.0.2.1", "QUORUM_UP 0.0.0.0", "SET_WEIGHT 192.0.2.99 0", "ADD 192.0.2.1 1",
            "REMOVE 192.0.2.1", "NOTIFY_DOWN 192.0.2.1", "QUORUM_DOWN 0.0.0.0", "SET_WEIGHT 192.0.2.99 1"), decisions);
    }

    @Test
    void alphaServiceStartsWithTheSorryServer()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withSorryServer(sorry(), 80, false));
        p.onRegistered(rs(1), false, 1);
        p.start();
        assertEquals(List.of("QUORUM_DOWN 0.0.0.0", "ADD 192.0.2.99 1"), decisions);
    }

    @Test
    void quorumWithHysteresisDownAndUp()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withQuorum(3, 1));
        for (int i = 1; i <= 5; i++)
        {
            p.onRegistered(rs(i), true, 1);
        }
        p.start();
        assertTrue(p.isQuorumUp());
        p.onDown(rs(1), "x");
        p.onDown(rs(2), "x");
        assertTrue(p.isQuorumUp(), "3 is not below quorum - hysteresis = 2");
        p.onDown(rs(3), "x");
        assertTrue(p.isQuorumUp(), "2 is not below 2");
        p.onDown(rs(4), "x");
        assertFalse(p.isQuorumUp(), "1 < 2");
        p.onUp(rs(4), "x");
        p.onUp(rs(3), "x");
        assertFalse(p.isQuorumUp(), "3 < quorum + hysteresis = 4");
        p.onUp(rs(2), "x");
        assertTrue(p.isQuorumUp(), "4 >= 4");
        assertEquals(List.of("QUORUM_DOWN", "QUORUM_UP"),
            decisions.stream().filter(d -> d.startsWith("QUORUM")).map(d -> d.split(" ")[0]).toList());
    }

    @Test
    void quorumIsLostAtWeightSumZeroWhateverTheHysteresis()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withQuorum(1, 5));
        p.onRegistered(rs(1), true, 1);
        p.start();
        p.onDown(rs(1), "x");
        assertFalse(p.isQuorumUp());
    }

    @Test
    void weightChangesCountTowardsQuorumAndArePushedOnlyForUpRealServers()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withQuorum(10, 0));
        p.onRegistered(rs(1), true, 10);
        p.onRegistered(rs(2), false, 10);
        p.start();
        decisions.clear();
        p.onWeightChanged(rs(2), 4);
        assertEquals(List.of(), decisions, "rs 2 is down");
        p.onWeightChanged(rs(1), 4);
        assertEquals(List.of("SET_WEIGHT 192.0.2.1 4", "QUORUM_DOWN 0.0.0.0"), decisions);
        assertEquals(4, p.weightSum());
    }

    @Test
    void omegaNotifiesEverythingDownOnShutdown()
    {
        final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withOmega(true));
        p.onRegistered(rs(1), true, 1);
        p.onRegistered(rs(2), false, 1);
        p.start();
        decisions.clear();
        p.shutdown();
        assertEquals(List.of("NOTIFY_DOWN 192.0.2.1", "QUORUM_DOWN 0.0.0.0"), decisions);

        decisions.clear();
        final VirtualServiceHealthPolicy quiet = policy(ServicePolicySpec.DEFAULTS);
        quiet.onRegistered(rs(1), true, 1);
        quiet.start();
        decisions.clear();
        quiet.shutdown();
        assertEquals(List.of(), decisions, "without omega nothing is notified");
    }

    @Test
    void engineAndPolicyTogetherWithMiscDynamicWeights()
    {
        try (FakeClockFixture f = new FakeClockFixture())
        {
            final VirtualServiceHealthPolicy p = policy(ServicePolicySpec.DEFAULTS.withQuorum(3, 0)
                .withSorryServer(sorry(), 80, false));
            f.downstream = new HealthListenerRouter().route("vs", p);
            final CheckOptions options = MiscCheckSpec.defaultOptions()
                .withDelayLoop(Duration.ofSeconds(5)).withWarmup(Duration.ZERO);
            final RealServerRef a = rs(1);
            final RealServerRef b = rs(2);
            f.engine.addRealServer(a, 2, List.of(new MiscCheckSpec(options, List.of("x"), null, true)));
            f.engine.addRealServer(b, 2, List.of(TcpCheckSpec.of(options)));
            p.start();
            f.advanceTo(0);
            f.set(a, 0, new FakeClockFixture.Outcome(true, 8 - 2));
            f.advanceTo(5_000);
            assertEquals(8, f.engine.weight(a));
            f.set(b, 0, FAIL);
            f.advanceTo(10_000);
            assertTrue(p.isQuorumUp(), "8 >= 3");
            f.set(a, 0, FAIL);
            f.advanceTo(15_000);
            assertTrue(p.isSorryServerActive());
            f.set(a, 0, PASS);
            f.advanceTo(20_000);
            assertTrue(p.isQuorumUp());
            assertEquals(List.of("ADD 192.0.2.1 2", "ADD 192.0.2.2 2", "SET_WEIGHT 192.0.2.1 8",
                "REMOVE 192.0.2.2", "NOTIFY_DOWN 192.0.2.2",
                "REMOVE 192.0.2.1", "NOTIFY_DOWN 192.0.2.1", "QUORUM_DOWN 0.0.0.0", "ADD 192.0.2.99 1",
                "NOTIFY_UP 192.0.2.1", "QUORUM_UP 0.0.0.0", "REMOVE 192.0.2.99", "ADD 192.0.2.1 8"), decisions);
        }
    }
}
