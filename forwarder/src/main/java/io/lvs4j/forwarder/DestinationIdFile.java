package io.lvs4j.forwarder;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which real-server id each (service, real server) had, kept in a small text file next to a persisted connection
 * table: the table's entries name their real server by id, so a restarted director must give the same real
 * server the same id for its connections to continue. One line per real server, {@code <id> <service key>
 * <address>:<port>}; rewritten whole (then renamed) on every change, which admin operations make rare.
 */
final class DestinationIdFile
{
    private final Path file;
    private final Map<String, Integer> ids = new LinkedHashMap<>();

    private DestinationIdFile(final Path file)
    {
        this.file = file;
    }

    /**
     * Loads the file, or starts empty when it does not exist.
     *
     * @param file the file.
     * @return the ids.
     */
    static DestinationIdFile load(final Path file)
    {
        final DestinationIdFile loaded = new DestinationIdFile(file);
        if (Files.exists(file))
        {
            try
            {
                for (final String line : Files.readAllLines(file, StandardCharsets.UTF_8))
                {
                    final int space = line.indexOf(' ');
                    if (space > 0)
                    {
                        loaded.ids.put(line.substring(space + 1), Integer.parseInt(line.substring(0, space)));
                    }
                }
            }
            catch (final IOException | NumberFormatException ex)
            {
                throw new IllegalStateException(file + ": unreadable real-server ids: " + ex.getMessage(), ex);
            }
        }
        return loaded;
    }

    /**
     * @param key the service and real server, as {@link #key} makes it.
     * @return the id it had, or -1.
     */
    int idOf(final String key)
    {
        return ids.getOrDefault(key, -1);
    }

    /** @return one more than the highest id recorded, 0 when none. */
    int nextFreeId()
    {
        return ids.values().stream().mapToInt(i -> i + 1).max().orElse(0);
    }

    /**
     * Records an id and rewrites the file.
     *
     * @param key the service and real server.
     * @param id  its id.
     */
    void record(final String key, final int id)
    {
        // an id names one real server: a reused id replaces the old line
        ids.values().removeIf(v -> v == id);
        ids.put(key, id);
        write();
    }

    private void write()
    {
        final StringBuilder sb = new StringBuilder();
        ids.forEach((key, id) -> sb.append(id).append(' ').append(key).append('\n'));
        try
        {
            final Path partial = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(partial, sb, StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot write " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * The key of a real server of a service.
     *
     * @param serviceKey the director's key of the service.
     * @param address    the real server's IPv4 address.
     * @param port       its port.
     * @return the key.
     */
    static String key(final String serviceKey, final int address, final int port)
    {
        return serviceKey + " " + (address & 0xFFFF_FFFFL) + ":" + port;
    }
}
