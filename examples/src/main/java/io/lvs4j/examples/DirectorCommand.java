package io.lvs4j.examples;

import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicReference;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import io.lvs4j.core.config.keepalived.ConfigCheck;
import io.lvs4j.core.config.keepalived.ConfigProblem;
import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.VrrpInstance;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.admin.AdminServer;
import io.lvs4j.forwarder.vrrp.VrrpEngine;
import io.lvs4j.forwarder.vrrp.VrrpState;
import io.lvs4j.forwarder.admin.IpvsadmExecutor;
import io.lvs4j.forwarder.config.KeepalivedDirector;
import io.lvs4j.forwarder.web.StatsEndpoint;

/**
 * {@code lvs4j director -f FILE}: keepalived's healthchecker with lvs4j's director in place of IPVS. Reads the
 * configuration, starts the director on the interfaces (given, or those of the configuration's VRRP instances), the
 * ipvsadm admin socket, the counters file and optionally the stats page, and runs the configuration's checks.
 * {@code SIGHUP} (or {@code lvs4j ipvsadm --reload}) re-reads the file and applies the difference; {@code SIGTERM}
 * and {@code SIGINT} stop it cleanly. keepalived's options keep their meaning: {@code -f} the file, {@code -n}
 * stay in the foreground (always the case here), {@code -l} log to the console, {@code -D} detailed logging,
 * {@code -t} test the configuration and exit. {@code lvs4j ipvsadm --vrrp} lists the VRRP instances' states and
 * counters through the admin socket.
 */
@Command(name = "director", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
    description = "Run a director from a keepalived.conf (virtual servers, health checks, VRRP and connection sync).")
public final class DirectorCommand implements Callable<Integer>
{
    /** Where the counters file goes unless {@code --stats-file} says otherwise. */
    public static final Path DEFAULT_STATS_FILE = Path.of("/run/lvs4j/director.stats");

    @Option(names = {"-f", "--use-file"}, description = "The configuration (default ${DEFAULT-VALUE}).")
    Path file = Path.of("/etc/keepalived/keepalived.conf");

    @Option(names = {"-n", "--dont-fork"}, description = "Stay in the foreground (always; accepted for keepalived).")
    boolean dontFork;

    @Option(names = {"-l", "--log-console"}, description = "Log to the console (informational messages too).")
    boolean logConsole;

    @Option(names = {"-D", "--log-detail"}, description = "Detailed logging; errors with their stack traces.")
    boolean logDetail;

    @Option(names = {"-t", "--config-test"}, description = "Check the configuration, print the verdict and exit " +
        "(non-zero on errors).")
    boolean configTest;

    @Option(names = {"-i", "--config-id"}, description = "The config id for @id lines.")
    String configId;

    @Option(names = "--interface", description = "An interface to serve (repeatable); default: the VRRP " +
        "instances' interfaces.")
    List<String> interfaces = new ArrayList<>();

    @Option(names = "--netns", description = "Run the director and its checks in this network namespace.")
    String netns;

    @Option(names = "--admin-socket", description = "The ipvsadm admin socket (default ${DEFAULT-VALUE}).")
    Path adminSocket = AdminServer.DEFAULT_PATH;

    @Option(names = "--stats-file", description = "The counters file (default ${DEFAULT-VALUE}).")
    Path statsFile = DEFAULT_STATS_FILE;

    @Option(names = "--state-dir", description = "Keep the connection table here (a persisted Chronicle Map) so that " +
        "a restarted director re-attaches and established connections continue (hot restart).")
    Path stateDirectory;

    @Option(names = "--no-vrrp", description = "Do not run the file's vrrp_instance blocks: the director stays master.")
    boolean noVrrp;

    @Option(names = "--vrrp-interface", description = "Run a vrrp_instance's interface NAME on interface IF " +
        "(NAME=IF, repeatable), for a file written for another host's interface names.")
    Map<String, String> vrrpInterfaceAliases = new LinkedHashMap<>();

    @Option(names = "--http", description = "Serve the stats page on ADDR:PORT.")
    String http;

    @Option(names = "--drain", description = "Seconds a real server removed by a reload keeps its connections " +
        "(weight 0) before it is deleted (default ${DEFAULT-VALUE}).")
    int drainSeconds;

    private final PrintStream out;
    private final PrintStream err;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();

    /** The command printing to standard output and error. */
    public DirectorCommand()
    {
        this(System.out, System.err);
    }

    /**
     * The command printing elsewhere (tests).
     *
     * @param out standard output.
     * @param err standard error.
     */
    public DirectorCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * Asks a running director to re-read its file (as SIGHUP does); for the admin socket and tests.
     */
    public void requestReload()
    {
        events.add("reload");
    }

    /**
     * Asks a running director to stop (as SIGTERM does).
     */
    public void requestStop()
    {
        events.add("stop");
    }

    @Override
    public Integer call()
    {
        if (!configTest)
        {
            // before the first logger exists: slf4j-simple reads its level once
            System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", logDetail ? "debug" : logConsole ? "info" :
                "warn");
            System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        }
        final ConfigCheck.Verdict verdict = ConfigCheck.check(file, configId);
        if (configTest)
        {
            for (final ConfigProblem p : verdict.problems())
            {
                err.println(p);
            }
            out.println(verdict.summary());
            return verdict.ok() ? 0 : 1;
        }
        if (!verdict.ok())
        {
            return fail(verdict.errors().get(0).toString() + more(verdict.errors().size()), null);
        }
        final List<AutoCloseable> running = new ArrayList<>();
        try
        {
            final KeepalivedConfig config = verdict.config();
            final List<String> names = interfaces.isEmpty() ? vrrpInterfaces(config) : interfaces;
            if (names.isEmpty())
            {
                return fail(file + ": no interface to serve: give --interface, or a vrrp_instance with an interface",
                    null);
            }
            final Director.Context context = new Director.Context()
                .interfaces(names.toArray(String[]::new))
                .countersFile(statsFile)
                .stateDirectory(stateDirectory)
                // with VRRP the director starts as backup: it must not answer ARP for (or announce) a VIP that
                // the peer may own before the engine has heard a single advert
                .master(noVrrp || config.vrrpInstances().isEmpty());
            if (netns != null)
            {
                context.networkNamespace(netns);
            }
            final Director director = Director.launch(context);
            running.add(director);
            final AtomicReference<VrrpEngine> vrrpRef = new AtomicReference<>();
            final KeepalivedDirector kd = KeepalivedDirector.start(config, director, new KeepalivedDirector.Context()
                .networkNamespace(netns).drainTime(java.time.Duration.ofSeconds(drainSeconds))
                // lvs_sync_daemon IF INSTANCE follows that instance, not the director's role (master while any is)
                .vrrpRole(name ->
                {
                    final VrrpEngine e = vrrpRef.get();
                    return e != null ? e.state(name) == VrrpState.MASTER : director.isMaster();
                }));
            running.add(kd);
            VrrpEngine engine = null;
            if (!noVrrp && !config.vrrpInstances().isEmpty())
            {
                // VRRP decides who owns the VIPs: the director starts as backup and the engine makes it master
                final VrrpEngine.Context vrrp = new VrrpEngine.Context().networkNamespace(netns);
                vrrpInterfaceAliases.forEach(vrrp::interfaceAlias);
                engine = VrrpEngine.launch(director, config, vrrp);
                vrrpRef.set(engine);
                running.add(engine);
            }
            final VrrpEngine vrrpEngine = engine;
            // ipvsadm --start-daemon opens its sockets where the director runs; closed before the director
            final IpvsadmExecutor ipvsadm = new IpvsadmExecutor(director).networkNamespace(netns);
            running.add(ipvsadm);
            running.add(AdminServer.start(adminSocket, new VrrpStatusAdminCommand(new ReloadAdminCommand(
                ipvsadm, this::reloadNow), director, () -> vrrpEngine, config::vrrpInstances)));
            if (http != null)
            {
                running.add(StatsEndpoint.start(address(http), director, kd.health()));
            }
            installSignals();
            out.println("lvs4j director: running " + file + " on " + String.join(", ", names) +
                (netns != null ? " in " + netns : "") + "; admin socket " + adminSocket);
            out.flush();
            this.director = kd;
            while (true)
            {
                final String event = events.take();
                if (event.equals("stop"))
                {
                    break;
                }
                final String result = reloadNow();
                (result.startsWith("reloaded") ? out : err).println("lvs4j director: " + result);
            }
            out.println("lvs4j director: stopping");
            return 0;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return 0;
        }
        catch (final RuntimeException ex)
        {
            return fail(ex.getMessage() != null ? ex.getMessage() : ex.toString(), ex);
        }
        finally
        {
            this.director = null;
            for (int i = running.size() - 1; i >= 0; i--)
            {
                try
                {
                    running.get(i).close();
                }
                catch (final Exception ex)
                {
                    err.println("lvs4j director: while stopping: " + ex.getMessage());
                }
            }
        }
    }

    private volatile KeepalivedDirector director;

    /**
     * Re-reads the file and applies it; the running configuration stays when the new one has errors.
     *
     * @return one line saying what happened.
     */
    synchronized String reloadNow()
    {
        final KeepalivedDirector kd = director;
        if (kd == null)
        {
            return "not running";
        }
        final ConfigCheck.Verdict verdict = ConfigCheck.check(file, configId);
        if (!verdict.ok())
        {
            return "reload refused, configuration unchanged: " + verdict.errors().get(0) +
                more(verdict.errors().size());
        }
        try
        {
            return "reloaded " + file + ": " + kd.reload(verdict.config());
        }
        catch (final RuntimeException ex)
        {
            return "reload refused, configuration unchanged: " + ex.getMessage();
        }
    }

    private int fail(final String message, final Throwable cause)
    {
        err.println("lvs4j director: " + message);
        if (logDetail && cause != null)
        {
            cause.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    private static String more(final int errors)
    {
        return errors > 1 ? " (and " + (errors - 1) + " more; run with -t to see them all)" : "";
    }

    private static List<String> vrrpInterfaces(final KeepalivedConfig config)
    {
        final Set<String> names = new LinkedHashSet<>();
        for (final VrrpInstance instance : config.vrrpInstances())
        {
            if (instance.interfaceName() != null)
            {
                names.add(instance.interfaceName());
            }
        }
        if (names.isEmpty() && config.globalDefs().defaultInterface() != null)
        {
            names.add(config.globalDefs().defaultInterface());
        }
        return new ArrayList<>(names);
    }

    private static InetSocketAddress address(final String text)
    {
        final int colon = text.lastIndexOf(':');
        if (colon < 0)
        {
            throw new IllegalArgumentException("--http " + text + ": expected ADDR:PORT");
        }
        final String host = text.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host.isEmpty() ? "0.0.0.0" : host, Integer.parseInt(text.substring(colon + 1)));
    }

    private void installSignals()
    {
        // sun.misc.Signal is the JDK's only way to see SIGHUP; without it reloads go through the admin socket
        try
        {
            sun.misc.Signal.handle(new sun.misc.Signal("HUP"), s -> requestReload());
            sun.misc.Signal.handle(new sun.misc.Signal("TERM"), s -> requestStop());
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), s -> requestStop());
        }
        catch (final IllegalArgumentException | UnsupportedOperationException ex)
        {
            err.println("lvs4j director: signals unavailable (" + ex.getMessage() + "); reload with " +
                "lvs4j ipvsadm --reload, stop with the admin socket's owner");
        }
    }
}
