package io.lvs4j.core.conn.chronicle;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A load balancer never makes a network call its operator did not ask for: proves that creating and using a
 * {@link ChronicleConnectionTable} makes no network connection attempt, even when the JVM is started without
 * {@code -Dchronicle.analytics.disable=true} (the class sets it itself). Each case runs in a fresh child JVM
 * with {@link NetworkRecorder}'s JVM-wide recorders, an empty hosts file and a private home directory
 * (Chronicle writes an analytics client id there), and without the test frameworks on its class path (Chronicle
 * mutes its analytics when it sees JUnit, which the control must not rely on). Two controls show the recorder
 * can fail the test: it catches deliberate attempts through each channel, and it catches Chronicle Map's own
 * call home when Chronicle is used directly without the property.
 */
class ChronicleNoNetworkTest
{
    private static final long TIMEOUT_SECONDS = 120;
    private static final String SETTLE_MS = "3000";

    @TempDir
    Path dir;

    private Path home;
    private Path hosts;

    @BeforeEach
    void setUp() throws IOException
    {
        home = Files.createDirectories(dir.resolve("home"));
        hosts = Files.writeString(dir.resolve("hosts"), "");
    }

    private List<String> isolation()
    {
        final List<String> properties = new ArrayList<>();
        properties.add("-Duser.home=" + home);
        properties.add("-Djdk.net.hosts.file=" + hosts);
        properties.add("-Djava.nio.channels.spi.SelectorProvider=" + RecordingSelectorProvider.class.getName());
        return properties;
    }

    private ChildJvm.Result probe(final List<String> prefix, final String mode, final String settleMs) throws Exception
    {
        final ChildJvm.Result result = ChildJvm.run(
            ChildJvm.command(prefix, isolation(), NoNetworkProbe.class, List.of(mode, dir.toString(), settleMs)),
            dir, TIMEOUT_SECONDS);
        System.out.println("[" + mode + "] " + result);
        assertEquals(0, result.exitCode, () -> "child failed: " + result);
        assertEquals(1, result.linesStartingWith("DONE ").size(), () -> "child did not finish: " + result);
        return result;
    }

    @Test
    void controlRecorderCatchesDeliberateAttemptsThroughEveryChannel() throws Exception
    {
        final ChildJvm.Result result = probe(List.of(), "control", "0");
        final List<String> attempts = result.linesStartingWith("ATTEMPT ");
        assertTrue(attempts.stream().anyMatch(a -> a.startsWith("url https://www.google-analytics.com")), attempts::toString);
        assertTrue(attempts.stream().anyMatch(a -> a.startsWith("socket connect")), attempts::toString);
        assertTrue(attempts.stream().anyMatch(a -> a.startsWith("nio socket channel")), attempts::toString);
    }

    @Test
    void controlRecorderCatchesChronicleMapsOwnCallHome() throws Exception
    {
        final ChildJvm.Result result = probe(List.of(), "chronicle-raw", "20000");
        assertEquals(List.of("null"), result.linesStartingWith("PROPERTY-AFTER "), "nothing disabled analytics");
        final List<String> attempts = result.linesStartingWith("ATTEMPT ");
        assertFalse(attempts.isEmpty(),
            "Chronicle Map used directly, without chronicle.analytics.disable, did not try to call home: either " +
            "its analytics changed or the recorder no longer sees them; re-check before trusting the no-network test");
        assertTrue(attempts.stream().anyMatch(a -> a.contains("google-analytics")), attempts::toString);
    }

    @Test
    void chronicleConnectionTableMakesNoNetworkAttempt() throws Exception
    {
        final ChildJvm.Result result = probe(List.of(), "table", SETTLE_MS);
        assertEquals(List.of("null"), result.linesStartingWith("PROPERTY-BEFORE "), "the child had no flag");
        assertEquals(List.of("true"), result.linesStartingWith("PROPERTY-AFTER "), "the class set it");
        assertEquals(2, result.linesStartingWith("OPS ").size(), result::toString);
        assertEquals(List.of(), result.linesStartingWith("ATTEMPT "));
        assertEquals(List.of("attempts=0"), result.linesStartingWith("DONE "));
    }

    @Test
    void chronicleConnectionTableWorksInAnEmptyNetworkNamespace() throws Exception
    {
        final String reason = whyNoNetworkNamespace();
        if (reason != null)
        {
            System.out.println("SKIPPED chronicleConnectionTableWorksInAnEmptyNetworkNamespace: " + reason);
        }
        Assumptions.assumeTrue(reason == null, reason);
        final ChildJvm.Result result = probe(List.of("unshare", "--net", "--"), "table", SETTLE_MS);
        assertEquals(2, result.linesStartingWith("OPS ").size(), result::toString);
        assertEquals(List.of("attempts=0"), result.linesStartingWith("DONE "));
    }

    /** @return why a network namespace cannot be made here, or null when it can. */
    private static String whyNoNetworkNamespace()
    {
        try
        {
            final Process id = new ProcessBuilder("id", "-u").redirectErrorStream(true).start();
            final String uid = new String(id.getInputStream().readAllBytes()).trim();
            if (!id.waitFor(10, TimeUnit.SECONDS) || !"0".equals(uid))
            {
                return "needs root to create a network namespace (uid " + uid + ")";
            }
            final Process probe = new ProcessBuilder("unshare", "--net", "--", "true").redirectErrorStream(true).start();
            final String out = new String(probe.getInputStream().readAllBytes()).trim();
            if (!probe.waitFor(10, TimeUnit.SECONDS) || probe.exitValue() != 0)
            {
                return "unshare --net failed: " + out;
            }
            return null;
        }
        catch (final IOException | InterruptedException ex)
        {
            return "cannot run id/unshare: " + ex;
        }
    }
}
