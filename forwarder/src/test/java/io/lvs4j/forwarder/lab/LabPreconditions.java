package io.lvs4j.forwarder.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;

/**
 * Whether this machine can run lab tests (root, network namespaces, iproute2, tcpdump, nftables, ethtool, curl),
 * and the one place that says why not: every lab test calls {@link #assumeLab()} first, so a machine without them
 * skips with a printed reason instead of failing or passing silently.
 */
public final class LabPreconditions
{
    private static final String REASON = computeReason();

    private LabPreconditions()
    {
    }

    /**
     * Skips the calling test, printing the reason, unless the lab can run here.
     * Set {@code -Dlvs4j.lab=off} to skip lab tests on purpose.
     */
    public static void assumeLab()
    {
        if (REASON != null)
        {
            System.out.println("[lab] skipped: " + REASON);
        }
        Assumptions.assumeTrue(REASON == null, REASON);
    }

    /** @return null when lab tests can run, else why not. */
    public static String reason()
    {
        return REASON;
    }

    private static String computeReason()
    {
        if ("off".equals(System.getProperty("lvs4j.lab")))
        {
            return "lab tests switched off with -Dlvs4j.lab=off";
        }
        if (!System.getProperty("os.name", "").toLowerCase().contains("linux"))
        {
            return "lab tests need Linux network namespaces; this is " + System.getProperty("os.name");
        }
        if (!"root".equals(System.getProperty("user.name")))
        {
            return "lab tests need root (network namespaces, AF_PACKET); running as " + System.getProperty("user.name");
        }
        final Path ip = find("ip");
        if (ip == null)
        {
            return "lab tests need iproute2's `ip` (apt-get install iproute2)";
        }
        for (final String[] tool : new String[][] {{"tcpdump", "tcpdump"}, {"nft", "nftables"}, {"ethtool", "ethtool"},
            {"curl", "curl"}})
        {
            if (find(tool[0]) == null)
            {
                return "lab tests need `" + tool[0] + "` (apt-get install " + tool[1] + ")";
            }
        }
        try
        {
            final Process p = new ProcessBuilder(ip.toString(), "netns", "list").redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0)
            {
                p.destroyForcibly();
                return "`ip netns list` failed: network namespaces unavailable";
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            return "cannot run `ip`: " + ex.getMessage();
        }
        return null;
    }

    private static Path find(final String tool)
    {
        for (final String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin", "/bin"})
        {
            final Path candidate = Path.of(dir, tool);
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return null;
    }
}
