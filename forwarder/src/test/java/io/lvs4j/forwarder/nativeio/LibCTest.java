package io.lvs4j.forwarder.nativeio;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.agrona.concurrent.UnsafeBuffer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.jna.LastErrorException;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class LibCTest
{
    @BeforeAll
    static void linuxOnly()
    {
        assumeTrue(System.getProperty("os.name", "").toLowerCase().contains("linux"), "libc bindings are Linux-only");
    }

    @Test
    void pageSizeIsAPowerOfTwo()
    {
        final int page = LibC.getpagesize();
        assertTrue(page >= 4096 && Integer.bitCount(page) == 1, "page size " + page);
    }

    @Test
    void throwingCallsCarryErrno()
    {
        final LastErrorException ex = assertThrows(
            LastErrorException.class, () -> LibC.open("/nonexistent/lvs4j", LibC.O_RDONLY));
        assertEquals(2, ex.getErrorCode(), "ENOENT");
    }

    @Test
    void nonThrowingCallsLeaveErrnoForErrno()
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(16);
        assertEquals(-1, LibC.read(-1, new UnsafeBuffer(buffer).addressOffset(), 16));
        assertEquals(9, LibC.errno(), "EBADF");
        assertEquals(-1, LibC.poll(0, 1, 0));
        assertEquals(14, LibC.errno(), "EFAULT");
    }

    @Test
    void readsAFileThroughOpenAndRead()
    {
        final int fd = LibC.open("/proc/self/stat", LibC.O_RDONLY | LibC.O_CLOEXEC);
        try
        {
            final byte[] bytes = new byte[64];
            final long n = LibC.read(fd, bytes, bytes.length);
            assertTrue(n > 0);
            final String pid = new String(bytes, 0, (int)n).split(" ")[0];
            assertEquals(ProcessHandle.current().pid(), Long.parseLong(pid));
        }
        finally
        {
            LibC.close(fd);
        }
    }

    @Test
    void interfaceRequestEncodesTheName()
    {
        final InterfaceRequest request = new InterfaceRequest("veth0");
        assertEquals(40, request.bytes().length);
        assertArrayEquals(new byte[] {'v', 'e', 't', 'h', '0', 0}, Arrays.copyOf(request.bytes(), 6));
        assertEquals("veth0", request.name());
        assertThrows(IllegalArgumentException.class, () -> new InterfaceRequest("sixteen-chars-xx"));
        assertThrows(IllegalArgumentException.class, () -> new InterfaceRequest(""));
    }

    @Test
    void queriesLoopback()
    {
        final NetworkInterfaceInfo lo = NetworkInterfaceInfo.query("lo");
        assertEquals(LibC.if_nametoindex("lo"), lo.index());
        assertEquals(0L, lo.mac());
        assertEquals(772, lo.hardwareType(), "ARPHRD_LOOPBACK");
        assertTrue(lo.mtu() >= 1500);
        final NativeException ex = assertThrows(NativeException.class, () -> NetworkInterfaceInfo.query("nosuchif0"));
        assertEquals(19, ex.errno(), "ENODEV");
    }

    @Test
    void formatsMacs()
    {
        assertEquals("01:00:5e:00:00:12", NetworkInterfaceInfo.formatMac(0x01005e000012L));
    }
}
