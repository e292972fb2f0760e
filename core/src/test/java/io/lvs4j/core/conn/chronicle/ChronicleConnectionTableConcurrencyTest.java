package io.lvs4j.core.conn.chronicle;

import io.lvs4j.core.conn.ConnectionTable;
import io.lvs4j.core.conn.ConnectionTableConcurrencyContract;
import io.lvs4j.core.conn.ConnectionTimeoutProfiles;
import io.lvs4j.core.conn.DestinationCounters;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Runs the {@link ConnectionTableConcurrencyContract} against {@link ChronicleConnectionTable}. */
class ChronicleConnectionTableConcurrencyTest extends ConnectionTableConcurrencyContract
{
    @TempDir
    Path dir;

    private int files;

    @Override
    protected ConnectionTable newTable(
        final int capacity, final DestinationCounters counters, final ConnectionTimeoutProfiles profiles)
    {
        try
        {
            return ChronicleConnectionTable.createOrRecover(
                dir.resolve("table-" + files++ + ".cmap"), capacity, counters, profiles);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
