package io.lvs4j.forwarder.admin;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The director's admin socket: a Unix domain socket (mode 0600, root's like ipvsadm's netlink) on which
 * {@code lvs4j ipvsadm ...} sends its command line and gets the output and exit code back. One thread, one
 * connection at a time: admin commands are rare and serialised anyway; the workers never see them.
 * <p>
 * Wire format (big-endian): request = int count, then per argument an int byte length and UTF-8 bytes (at most
 * 256 arguments of 64 KiB); response = int exit code, int length + UTF-8 stdout, int length + UTF-8 stderr.
 */
public final class AdminServer implements AutoCloseable
{
    /** Where the bundled director listens unless told otherwise. */
    public static final Path DEFAULT_PATH = Path.of("/run/lvs4j/director.sock");
    static final int MAX_ARGS = 256;
    static final int MAX_ARG_BYTES = 64 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(AdminServer.class);

    private final Path path;
    private final ServerSocketChannel server;
    private final AdminCommand command;
    private final Thread thread;
    private volatile boolean running = true;

    private AdminServer(final Path path, final ServerSocketChannel server, final AdminCommand command)
    {
        this.path = path;
        this.server = server;
        this.command = command;
        this.thread = new Thread(this::run, "lvs4j-admin");
        this.thread.setDaemon(true);
    }

    /**
     * Listens on a Unix socket (replacing a stale socket file) and starts serving.
     *
     * @param path    the socket path.
     * @param command what runs each command line.
     * @return the running server.
     */
    public static AdminServer start(final Path path, final AdminCommand command)
    {
        try
        {
            if (path.getParent() != null)
            {
                Files.createDirectories(path.getParent());
            }
            Files.deleteIfExists(path);
            // bind() creates the file a moment before listen(): bound under another name and moved into place,
            // the socket file appears only once it accepts, so whoever waits for it never sees "connection refused"
            final Path staging = path.resolveSibling(path.getFileName() + "~");
            Files.deleteIfExists(staging);
            final ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            server.bind(UnixDomainSocketAddress.of(staging));
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rw-------"));
            Files.move(staging, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            final AdminServer admin = new AdminServer(path, server, command);
            admin.thread.start();
            return admin;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot listen on " + path + ": " + ex.getMessage(), ex);
        }
    }

    private void run()
    {
        while (running)
        {
            try (SocketChannel client = server.accept())
            {
                serve(client);
            }
            catch (final ClosedChannelException ex)
            {
                return;
            }
            catch (final IOException | RuntimeException ex)
            {
                if (running)
                {
                    LOG.warn("admin connection failed: {}", ex.toString());
                }
            }
        }
    }

    private void serve(final SocketChannel client) throws IOException
    {
        final DataInputStream in = new DataInputStream(Channels.newInputStream(client));
        final DataOutputStream out = new DataOutputStream(Channels.newOutputStream(client));
        final int count = in.readInt();
        AdminResponse response;
        if (count < 0 || count > MAX_ARGS)
        {
            response = AdminResponse.error(2, "too many arguments: " + count + "\n");
        }
        else
        {
            final List<String> argv = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                argv.add(readString(in));
            }
            try
            {
                response = command.execute(argv);
            }
            catch (final RuntimeException ex)
            {
                LOG.error("admin command {} failed", argv, ex);
                response = AdminResponse.error(1, "lvs4j: " + ex.getMessage() + "\n");
            }
        }
        out.writeInt(response.exitCode());
        writeString(out, response.out());
        writeString(out, response.err());
        out.flush();
    }

    static String readString(final DataInputStream in) throws IOException
    {
        final int length = in.readInt();
        if (length < 0 || length > MAX_ARG_BYTES * 64)
        {
            throw new IOException("bad length " + length);
        }
        final byte[] bytes = new byte[length];
        in.readFully(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    static void writeString(final DataOutputStream out, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    /** @return the socket path. */
    public Path path()
    {
        return path;
    }

    /** Stops serving and removes the socket file. */
    @Override
    public void close()
    {
        running = false;
        try
        {
            server.close();
            thread.join(5000);
            Files.deleteIfExists(path);
        }
        catch (final IOException ex)
        {
            LOG.warn("closing the admin socket: {}", ex.toString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
