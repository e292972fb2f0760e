package io.lvs4j.forwarder.channel.pcap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.FrameHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link PcapLiveChannel} on a real veth pair. pcap4j opens interfaces in the JVM's own network namespace, so the
 * pair lives in the host namespace under unique names, with no addresses (so no routes) and IPv6 off (so the
 * kernel sends nothing of its own on it), and a BPF filter on an experimental EtherType as a second guard.
 */
@Tag("lab")
class PcapLiveChannelLabTest
{
    private static final int FRAMES = 1000;
    private static final int ETHER_TYPE = 0x88b5;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void thousandFramesCrossAVethPairInOrderByteEqual() throws Exception
    {
        io.lvs4j.forwarder.lab.LabPreconditions.assumeLab();
        final String suffix = String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
        final String a = "lvpc" + suffix + "a";
        final String b = "lvpc" + suffix + "b";
        try
        {
            ip("link", "add", a, "type", "veth", "peer", "name", b);
            disableIpv6(a);
            disableIpv6(b);
            ip("link", "set", a, "up");
            ip("link", "set", b, "up");
            awaitOperUp(a);
            awaitOperUp(b);

            final PcapLiveOptions options = new PcapLiveOptions()
                .filter("ether proto 0x88b5")
                .bufferBytes(8 << 20)
                .txBatch(32);
            try (PcapLiveChannel sender = new PcapLiveChannel(a, options);
                PcapLiveChannel receiver = new PcapLiveChannel(b, options))
            {
                assertEquals(1500, sender.mtu());
                assertEquals(65_535, sender.snaplen());

                // an idle channel waits out its timeout and reports nothing
                final long start = System.nanoTime();
                assertFalse(receiver.await(100));
                assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(90));

                final List<byte[]> frames = frames(mac(a), mac(b));
                final List<byte[]> received = new ArrayList<>();
                final FrameHandler collect = (buffer, offset, length, flags) ->
                {
                    assertEquals(0, flags);
                    final byte[] copy = new byte[length];
                    buffer.getBytes(offset, copy);
                    received.add(copy);
                };
                final FrameClaim claim = new FrameClaim();
                int sent = 0;
                for (final byte[] frame : frames)
                {
                    if (!sender.send(new UnsafeBuffer(frame), 0, frame.length, claim))
                    {
                        sent += sender.flush();
                        // drain as we go so the receive ring never has to hold the whole run
                        receiver.receive(collect, 256);
                        assertTrue(sender.send(new UnsafeBuffer(frame), 0, frame.length, claim));
                    }
                }
                sent += sender.flush();
                assertEquals(FRAMES, sent);
                assertEquals(0, sender.sendErrors());

                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.size() < FRAMES && System.nanoTime() < deadline)
                {
                    if (receiver.await(100))
                    {
                        receiver.receive(collect, 256);
                    }
                }
                assertEquals(FRAMES, received.size(), "frames received");
                for (int i = 0; i < FRAMES; i++)
                {
                    assertArrayEquals(frames.get(i), received.get(i), "frame " + i);
                }
                assertEquals(0, receiver.receiveDrops());

                // inbound only: the sender never receives its own frames back
                assertFalse(sender.await(50));
                assertEquals(0, sender.receive(collect, FRAMES));
            }
        }
        finally
        {
            ipQuietly("link", "del", a);
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void missingInterfaceIsAClearError()
    {
        io.lvs4j.forwarder.lab.LabPreconditions.assumeLab();
        final String name = "lvpcnone" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
        final PcapChannelException ex = assertThrows(PcapChannelException.class, () -> new PcapLiveChannel(name));
        assertTrue(ex.getMessage().contains(name), ex.getMessage());
    }

    private static List<byte[]> frames(final byte[] src, final byte[] dst)
    {
        final Random random = new Random(42);
        final List<byte[]> frames = new ArrayList<>(FRAMES);
        for (int i = 0; i < FRAMES; i++)
        {
            final byte[] frame = new byte[60 + (i * 37) % 1455];
            random.nextBytes(frame);
            System.arraycopy(dst, 0, frame, 0, 6);
            System.arraycopy(src, 0, frame, 6, 6);
            frame[12] = (byte)(ETHER_TYPE >>> 8);
            frame[13] = (byte)ETHER_TYPE;
            // a sequence number, so a reordering or loss shows up as such in a failure
            frame[14] = (byte)(i >>> 8);
            frame[15] = (byte)i;
            frames.add(frame);
        }
        return frames;
    }

    private static byte[] mac(final String name) throws IOException
    {
        final String text = Files.readString(Path.of("/sys/class/net", name, "address")).trim();
        final String[] parts = text.split(":");
        final byte[] mac = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            mac[i] = (byte)Integer.parseInt(parts[i], 16);
        }
        return mac;
    }

    private static void disableIpv6(final String name) throws IOException
    {
        final Path knob = Path.of("/proc/sys/net/ipv6/conf", name, "disable_ipv6");
        if (Files.exists(knob))
        {
            Files.writeString(knob, "1");
        }
    }

    private static void awaitOperUp(final String name) throws Exception
    {
        final Path state = Path.of("/sys/class/net", name, "operstate");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"up".equals(Files.readString(state).trim()))
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException(name + " did not come up: " + Files.readString(state).trim());
            }
            Thread.sleep(20);
        }
    }

    private static void ip(final String... args) throws IOException, InterruptedException
    {
        final List<String> command = new ArrayList<>();
        command.add("ip");
        command.addAll(List.of(args));
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(10, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
            throw new IllegalStateException("timed out: " + command);
        }
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (process.exitValue() != 0)
        {
            throw new IllegalStateException(command + " failed (" + process.exitValue() + "): " + output);
        }
    }

    private static void ipQuietly(final String... args)
    {
        try
        {
            ip(args);
        }
        catch (final Exception ex)
        {
            System.out.println("[lab] cleanup: " + ex.getMessage());
        }
    }
}
