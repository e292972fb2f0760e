package io.lvs4j.forwarder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The admin socket carries a command line to the director and its answer back, and survives bad clients.
 */
@Timeout(30)
class AdminSocketTest
{
    @TempDir
    Path dir;

    @Test
    void commandLinesGoInAndAnswersComeBack() throws Exception
    {
        final Path socket = dir.resolve("run/director.sock");
        try (AdminServer server = AdminServer.start(socket, argv -> argv.contains("boom") ?
            AdminResponse.error(2, "bad: " + argv + "\n") :
            argv.get(0).equals("throw") ? fail() : AdminResponse.ok(String.join("|", argv) + "\n")))
        {
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(socket), "root's only, like ipvsadm's netlink");
            assertFalse(Files.exists(dir.resolve("run/director.sock~")),
                "bound under a staging name and moved into place once listening: nothing left behind");
            final AdminResponse ok = AdminClient.call(socket, List.of("-L", "-n", "ünïcode"));
            assertEquals(new AdminResponse(0, "-L|-n|ünïcode\n", ""), ok);
            final AdminResponse bad = AdminClient.call(socket, List.of("-A", "boom"));
            assertEquals(2, bad.exitCode());
            assertEquals("bad: [-A, boom]\n", bad.err());
            final AdminResponse thrown = AdminClient.call(socket, List.of("throw"));
            assertEquals(1, thrown.exitCode());
            assertTrue(thrown.err().contains("kaputt"));
            assertEquals(1, AdminClient.call(socket, List.of()).exitCode(), "a handler failure is an answer too");
            // a client that sends garbage and hangs up must not stop the server
            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX))
            {
                channel.connect(UnixDomainSocketAddress.of(socket));
                channel.write(ByteBuffer.wrap(new byte[] {0x7f, 0, 0, 0}));
            }
            assertEquals(0, AdminClient.call(socket, List.of("-L")).exitCode(), "still serving");
        }
        assertFalse(Files.exists(socket), "the socket file goes with the server");
        assertThrows(IOException.class, () -> AdminClient.call(socket, List.of("-L")));
    }

    private static AdminResponse fail()
    {
        throw new IllegalStateException("kaputt");
    }
}
