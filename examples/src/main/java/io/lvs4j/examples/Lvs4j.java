package io.lvs4j.examples;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import io.lvs4j.examples.demo.DemoCommand;

/**
 * The bundled program: {@code java -jar examples/target/lvs4j.jar <subcommand>} (or {@code examples/bin/lvs4j}).
 */
@Command(
    name = "lvs4j",
    mixinStandardHelpOptions = true,
    version = "lvs4j 0.1.0-SNAPSHOT",
    description = "The Linux Virtual Server in Java: run a director, look at it the way ipvsadm does.",
    subcommands = {DemoCommand.class, IpvsadmCommand.class, DirectorCommand.class, ReplayCommand.class})
public final class Lvs4j
{
    private Lvs4j()
    {
    }

    /**
     * Runs a subcommand and exits with its code.
     *
     * @param args the command line.
     */
    public static void main(final String[] args)
    {
        System.exit(run(args));
    }

    /**
     * Runs a subcommand.
     *
     * @param args the command line.
     * @return the exit code.
     */
    public static int run(final String... args)
    {
        final CommandLine commandLine = new CommandLine(new Lvs4j()).setCaseInsensitiveEnumValuesAllowed(true);
        // ipvsadm's own options (-L, -n, --stats...) belong to ipvsadm, not to picocli
        commandLine.getSubcommands().get("ipvsadm").setUnmatchedOptionsArePositionalParams(true)
            .setUnmatchedArgumentsAllowed(false);
        return commandLine.execute(args);
    }
}
