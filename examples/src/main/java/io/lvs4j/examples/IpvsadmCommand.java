package io.lvs4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.lvs4j.core.ipvsadm.IpvsadmCommandLine;
import io.lvs4j.core.ipvsadm.IpvsadmException;
import io.lvs4j.core.ipvsadm.IpvsadmListing;
import io.lvs4j.core.ipvsadm.IpvsadmResolver;
import io.lvs4j.forwarder.admin.AdminClient;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.admin.AdminServer;
import io.lvs4j.forwarder.admin.IpvsadmExecutor;
import io.lvs4j.forwarder.stats.CountersFile;
import io.lvs4j.forwarder.stats.CountersFileSnapshot;

/**
 * {@code lvs4j ipvsadm ARGS}: ipvsadm's command line, run by the director listening on the admin socket, with
 * ipvsadm's output and exit code. {@code -R} sends standard input along. When the socket does not answer, listings
 * (with {@code --stats}, {@code --rate}...) come from the director's counters file instead.
 */
@Command(name = "ipvsadm", description = "Run an ipvsadm command against the running director.",
    usageHelpAutoWidth = true)
public final class IpvsadmCommand implements Callable<Integer>
{
    @Option(names = "--socket", description = "The director's admin socket (default ${DEFAULT-VALUE}).")
    Path socket = AdminServer.DEFAULT_PATH;

    @Option(names = "--stats-file", description = "The director's counters file, read for listings when the socket " +
        "does not answer (default ${DEFAULT-VALUE}).")
    Path statsFile = DirectorCommand.DEFAULT_STATS_FILE;

    @Parameters(arity = "0..*", description = "ipvsadm's arguments, e.g. -Ln --stats.")
    List<String> args = new ArrayList<>();

    private final PrintStream out;
    private final PrintStream err;

    /** The command printing to standard output and error. */
    public IpvsadmCommand()
    {
        this(System.out, System.err);
    }

    /**
     * The command printing elsewhere (tests).
     *
     * @param out standard output.
     * @param err standard error.
     */
    public IpvsadmCommand(final PrintStream out, final PrintStream err)
    {
        this.out = out;
        this.err = err;
    }

    /**
     * With the director's socket down, a listing (not {@code -c}, which needs the connection table) is still
     * answered from the counters file, as ipvsadm would print it; null when that is not possible.
     */
    private Integer listFromCountersFile(final List<String> argv)
    {
        if (!Files.isReadable(statsFile))
        {
            return null;
        }
        final io.lvs4j.core.ipvsadm.IpvsadmCommand command;
        try
        {
            command = IpvsadmCommandLine.parse(argv.toArray(String[]::new));
        }
        catch (final IpvsadmException ex)
        {
            err.println(ex.getMessage());
            return ex.exitStatus();
        }
        if (command.verb() != io.lvs4j.core.ipvsadm.IpvsadmCommand.Verb.LIST ||
            command.has(io.lvs4j.core.ipvsadm.IpvsadmCommand.Option.CONNECTION))
        {
            return null;
        }
        try
        {
            final CountersFile.Reader reader = CountersFile.open(statsFile);
            err.println("lvs4j ipvsadm: no director answers on " + socket + "; listing from " + statsFile +
                (reader.isWriterAlive() ? "" : " (written by a director that is no longer running)"));
            out.print(new IpvsadmListing(IpvsadmResolver.NUMERIC).render(command, CountersFileSnapshot.read(reader),
                List.of()));
            out.flush();
            return 0;
        }
        catch (final IpvsadmException ex)
        {
            err.println(ex.getMessage());
            return ex.exitStatus();
        }
        catch (final IllegalStateException ex)
        {
            err.println("lvs4j ipvsadm: " + ex.getMessage());
            return 1;
        }
    }

    @Override
    public Integer call() throws IOException
    {
        final List<String> argv = new ArrayList<>(args);
        if (argv.isEmpty())
        {
            argv.add("-L");   // as ipvsadm: no arguments lists everything
        }
        if (argv.contains("-R") || argv.contains("--restore"))
        {
            argv.add(IpvsadmExecutor.STDIN);
            argv.add(new String(System.in.readAllBytes(), StandardCharsets.UTF_8));
        }
        final AdminResponse response;
        try
        {
            response = AdminClient.call(socket, argv);
        }
        catch (final IOException ex)
        {
            final Integer fromFile = listFromCountersFile(argv);
            if (fromFile != null)
            {
                return fromFile;
            }
            err.println("lvs4j ipvsadm: no director answers on " + socket + " (" + ex.getMessage() + ")");
            return 1;
        }
        out.print(response.out());
        err.print(response.err());
        out.flush();
        err.flush();
        return response.exitCode();
    }
}
