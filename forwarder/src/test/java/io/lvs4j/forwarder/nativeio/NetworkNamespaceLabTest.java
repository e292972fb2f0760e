package io.lvs4j.forwarder.nativeio;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;

import io.lvs4j.forwarder.lab.LabPreconditions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("lab")
@Timeout(60)
class NetworkNamespaceLabTest
{
    @BeforeEach
    void lab()
    {
        LabPreconditions.assumeLab();
    }

    @Test
    void tasksSeeTheNamespaceAndCallersDoNot() throws Exception
    {
        try (LabNamespace ns = LabNamespace.create())
        {
            ns.vethPair("afpa", "afpb");
            ns.ip("addr", "add", "198.51.100.1/24", "dev", "afpa");

            final NetworkInterfaceInfo inside = NetworkNamespace.call(ns.name(), () -> NetworkInterfaceInfo.query("afpa"));
            assertEquals("afpa", inside.name());
            assertTrue(inside.index() > 1);
            assertNotEquals(0L, inside.mac());
            assertEquals(NetworkInterfaceInfo.ARPHRD_ETHER, inside.hardwareType());
            assertEquals(1500, inside.mtu());
            assertEquals(19, assertThrows(NativeException.class, () -> NetworkInterfaceInfo.query("afpa")).errno(),
                "the calling thread stays in its own namespace");

            final String route = NetworkNamespace.readFile(ns.name(), Path.of("/proc/thread-self/net/route"));
            // /proc/net/route prints the network-order address as a little-endian hex word: 198.51.100.0 -> 006433C6.
            assertTrue(route.contains("afpa\t006433C6"), route);
            assertFalse(NetworkNamespace.readFile(ns.name(), Path.of("/proc/thread-self/net/dev")).contains("eth0:"));

            final AtomicReference<String> threadName = new AtomicReference<>();
            NetworkNamespace.threadFactory(ns.name()).newThread(
                () -> threadName.set(Thread.currentThread().getName() + ":" + LibC.if_nametoindex("afpb"))).start();
            final long deadline = System.nanoTime() + 5_000_000_000L;
            while (threadName.get() == null && System.nanoTime() < deadline)
            {
                Thread.sleep(5);
            }
            assertTrue(threadName.get().startsWith("netns-" + ns.name()), threadName.get());
            assertFalse(threadName.get().endsWith(":0"), "afpb visible from a factory thread");
        }
    }

    /**
     * Link state as the namespace sees it: an {@code eth0} inside that is down reads as down although sysfs (mounted
     * for the host) would show the host's {@code eth0}; both veth ends up, it reads as running.
     */
    @Test
    void linkStateIsTheNamespaces() throws Exception
    {
        try (LabNamespace ns = LabNamespace.create())
        {
            ns.ip("link", "add", "eth0", "type", "veth", "peer", "name", "afpc");
            assertFalse(NetworkNamespace.call(ns.name(), () -> NetworkInterfaceInfo.isRunning("eth0")), "down");
            ns.ip("link", "set", "eth0", "up");
            assertFalse(NetworkNamespace.call(ns.name(), () -> NetworkInterfaceInfo.isRunning("eth0")),
                "up, but its peer is down: no carrier");
            ns.ip("link", "set", "afpc", "up");
            final long deadline = System.nanoTime() + 5_000_000_000L;
            boolean running = false;
            while (!running && System.nanoTime() < deadline)
            {
                running = NetworkNamespace.call(ns.name(), () -> NetworkInterfaceInfo.isRunning("eth0"));
                Thread.sleep(10);
            }
            assertTrue(running, "both ends up");
            assertEquals(19, assertThrows(NativeException.class, () -> NetworkNamespace.call(ns.name(),
                () -> NetworkInterfaceInfo.isRunning("afpnone"))).errno(), "ENODEV");
        }
    }

    @Test
    void rethrowsWhatTheTaskThrew() throws Exception
    {
        try (LabNamespace ns = LabNamespace.create())
        {
            final IOException thrown = new FileNotFoundException("x");
            assertSame(thrown, assertThrows(IOException.class, () -> NetworkNamespace.call(ns.name(), () ->
            {
                throw thrown;
            })));
            final AssertionError error = new AssertionError("y");
            assertSame(error, assertThrows(AssertionError.class, () -> NetworkNamespace.run(ns.name(), () ->
            {
                throw error;
            })));
            assertEquals(42, NetworkNamespace.call(ns.name(), () -> 42));
        }
    }

    @Test
    void refusesAMissingNamespace()
    {
        assertFalse(NetworkNamespace.exists("lvs4j-afp-missing"));
        final NativeException ex = assertThrows(
            NativeException.class, () -> NetworkNamespace.call("lvs4j-afp-missing", () -> 1));
        assertEquals(2, ex.errno(), "ENOENT");
        assertThrows(IllegalArgumentException.class, () -> NetworkNamespace.call("../etc", () -> 1));
    }
}
