package io.lvs4j.core.ipvsadm;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code ipvsadm -R} ({@code ipvsadm-restore}): reads commands one per line, as {@link IpvsadmSave} writes them,
 * into {@link IpvsadmCommand}s. As ipvsadm does, each line is split on blanks, any word that is exactly
 * {@code ipvsadm} is dropped, empty lines are skipped, and each remaining line is parsed as a whole command line
 * (there is no comment syntax: a {@code #} is an argument like any other and fails). A line that does not parse
 * stops the restore; the error carries ipvsadm's message, its exit status and the line number. A {@code -R}
 * inside the input is refused as ipvsadm refuses it (no recursion).
 * <p>
 * Stateless; thread-safe. Applying the commands (which may fail as the kernel would, e.g. a service that
 * already exists) is the director's business.
 */
public final class IpvsadmRestore
{
    private final IpvsadmResolver resolver;

    /**
     * A restorer that resolves host and service names through {@code resolver}.
     *
     * @param resolver host and service names.
     */
    public IpvsadmRestore(final IpvsadmResolver resolver)
    {
        this.resolver = Objects.requireNonNull(resolver, "resolver");
    }

    /** @return a restorer for numeric input ({@code ipvsadm-save -n} output). */
    public static IpvsadmRestore numeric()
    {
        return new IpvsadmRestore(IpvsadmResolver.NUMERIC);
    }

    /**
     * Parses restore input.
     *
     * @param text the input, commands one per line.
     * @return the commands in input order.
     * @throws IpvsadmException at the first line that does not parse, with its line number.
     */
    public List<IpvsadmCommand> parse(final String text)
    {
        final List<IpvsadmCommand> commands = new ArrayList<>();
        final String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++)
        {
            final List<String> words = new ArrayList<>();
            for (final String word : lines[i].split("[ \t\r\f\u000B]+"))
            {
                if (!word.isEmpty() && !word.equals(IpvsadmCommandLine.PROGRAM))
                {
                    words.add(word);
                }
            }
            if (words.isEmpty())
            {
                continue;
            }
            try
            {
                final IpvsadmCommand command = IpvsadmCommandLine.parse(resolver, words);
                if (command.verb() == IpvsadmCommand.Verb.RESTORE)
                {
                    // restore_table refuses to read stdin again
                    throw IpvsadmCommandLine.tryHelp();
                }
                commands.add(command);
            }
            catch (final IpvsadmException ex)
            {
                throw new IpvsadmException(ex.getMessage(), ex.exitStatus(), i + 1);
            }
        }
        return commands;
    }
}
