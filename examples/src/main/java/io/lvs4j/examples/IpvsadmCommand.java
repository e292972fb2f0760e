package io.lvs4j.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import io.lvs4j.forwarder.admin.AdminClient;
import io.lvs4j.forwarder.admin.AdminResponse;
import io.lvs4j.forwarder.admin.AdminServer;
import io.lvs4j.forwarder.admin.IpvsadmExecutor;

/**
 * {@code lvs4j ipvsadm ARGS}: ipvsadm's command line, run by the director listening on the admin socket, with
 * ipvsadm's output and exit code. {@code -R} sends standard input along.
 */
@Command(name = "ipvsadm", description = "Run an ipvsadm command against the running director.",
    usageHelpAutoWidth = true)
public final class IpvsadmCommand implements Callable<Integer>
{
    @Option(names = "--socket", description = "The director's admin socket (default ${DEFAULT-VALUE}).")
    Path socket = AdminServer.DEFAULT_PATH;

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
