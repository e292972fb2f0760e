package io.lvs4j.forwarder.admin;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.List;

/**
 * Sends one command line to a running director's {@link AdminServer} and returns its answer: what
 * {@code lvs4j ipvsadm ...} does.
 */
public final class AdminClient
{
    private AdminClient()
    {
    }

    /**
     * Runs a command on the director listening at {@code path}.
     *
     * @param path the director's admin socket.
     * @param argv the command line.
     * @return the director's answer.
     * @throws IOException when no director listens there or the connection breaks.
     */
    public static AdminResponse call(final Path path, final List<String> argv) throws IOException
    {
        if (argv.size() > AdminServer.MAX_ARGS)
        {
            throw new IllegalArgumentException("too many arguments: " + argv.size());
        }
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
        {
            channel.connect(UnixDomainSocketAddress.of(path));
            final DataOutputStream out = new DataOutputStream(Channels.newOutputStream(channel));
            out.writeInt(argv.size());
            for (final String arg : argv)
            {
                AdminServer.writeString(out, arg);
            }
            out.flush();
            final DataInputStream in = new DataInputStream(Channels.newInputStream(channel));
            final int exitCode = in.readInt();
            return new AdminResponse(exitCode, AdminServer.readString(in), AdminServer.readString(in));
        }
    }
}
