package io.lvs4j.forwarder.stats;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * Prints every counter of a running director's counters file, {@code label = value} per line: the director's
 * statistics from another process, without talking to it.
 * <pre>{@code java -cp lvs4j.jar io.lvs4j.forwarder.stats.CountersFileDump /dev/shm/lvs4j/director.stats}</pre>
 */
public final class CountersFileDump
{
    private CountersFileDump()
    {
    }

    /**
     * Dumps a counters file.
     *
     * @param args the file.
     */
    public static void main(final String[] args)
    {
        if (args.length != 1)
        {
            System.err.println("usage: CountersFileDump COUNTERS_FILE");
            System.exit(2);
        }
        try
        {
            dump(CountersFile.open(Path.of(args[0])), System.out);
        }
        catch (final IllegalStateException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(1);
        }
    }

    /**
     * Writes every allocated counter as {@code label = value}.
     *
     * @param reader the file's reader.
     * @param out    where to write.
     */
    public static void dump(final CountersFile.Reader reader, final PrintStream out)
    {
        out.println("# lvs4j counters, writer pid " + reader.pid() + (reader.isWriterAlive() ? "" : " (not running)"));
        reader.counters().forEach((value, id, label) -> out.println(label + " = " + value));
    }
}
