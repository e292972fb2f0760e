package io.lvs4j.forwarder.channel.pcap;

import java.io.EOFException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.FrameHandler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class PcapFileChannelTest
{
    @TempDir
    Path dir;

    static List<byte[]> frames(final int count, final long seed)
    {
        final Random random = new Random(seed);
        final List<byte[]> frames = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] frame = new byte[60 + random.nextInt(1455)];
            random.nextBytes(frame);
            frame[12] = (byte)0x88;
            frame[13] = (byte)0xb5;
            frames.add(frame);
        }
        return frames;
    }

    private static List<byte[]> drain(final PcapFileChannel channel, final int batch, final List<Long> stamps)
    {
        final List<byte[]> received = new ArrayList<>();
        final FrameHandler handler = (buffer, offset, length, flags) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            received.add(copy);
            stamps.add(channel.lastTimestampNanos());
        };
        while (channel.await(0))
        {
            assertTrue(channel.receive(handler, batch) > 0);
        }
        return received;
    }

    private static void assertFramesEqual(final List<byte[]> expected, final List<byte[]> actual)
    {
        assertEquals(expected.size(), actual.size(), "frame count");
        for (int i = 0; i < expected.size(); i++)
        {
            assertArrayEquals(expected.get(i), actual.get(i), "frame " + i);
        }
    }

    @Test
    void replaysEveryFrameInFileOrderByteEqualWithCaptureTimes()
    {
        final Path in = dir.resolve("in.pcap");
        final List<byte[]> frames = frames(200, 1);
        PcapFileChannel.writeFrames(in, frames);
        try (PcapFileChannel channel = new PcapFileChannel(in, null))
        {
            assertFalse(channel.isExhausted());
            assertEquals(PcapFileChannel.NO_TIMESTAMP, channel.lastTimestampNanos());
            final List<Long> stamps = new ArrayList<>();
            final List<byte[]> received = drain(channel, 7, stamps);
            assertFramesEqual(frames, received);
            for (int i = 0; i < stamps.size(); i++)
            {
                assertEquals(PcapFileChannel.DEFAULT_FIRST_NANOS + i * PcapFileChannel.DEFAULT_STEP_NANOS,
                    stamps.get(i), "capture time of frame " + i);
            }
            assertTrue(channel.isExhausted());
            assertFalse(channel.await(1000));
            assertEquals(0, channel.receive((b, o, l, f) -> { }, 10));
            assertEquals(200, channel.framesRead());
            assertEquals(0, channel.receiveDrops());
            assertEquals(1500, channel.mtu());
            assertEquals(in.toString(), channel.name());
        }
    }

    @Test
    void receiveHonoursLimit()
    {
        final Path in = dir.resolve("in.pcap");
        PcapFileChannel.writeFrames(in, frames(10, 2));
        try (PcapFileChannel channel = new PcapFileChannel(in, null))
        {
            assertEquals(0, channel.receive((b, o, l, f) -> { }, 0));
            assertEquals(3, channel.receive((b, o, l, f) -> { }, 3));
            assertEquals(7, channel.receive((b, o, l, f) -> { }, 100));
            assertTrue(channel.isExhausted());
        }
    }

    @Test
    void committedFramesComeOutInOrderWithLengthsAndCaptureTimes() throws Exception
    {
        final Path in = dir.resolve("in.pcap");
        final Path out = dir.resolve("out.pcap");
        final List<byte[]> frames = frames(150, 3);
        PcapFileChannel.writeFrames(in, frames);
        final List<byte[]> expected = new ArrayList<>();
        final FrameClaim claim = new FrameClaim();
        try (PcapFileChannel channel = new PcapFileChannel(in, out))
        {
            // echo each frame cut to a varying length, one flush per frame so each carries its own capture time
            final FrameHandler echo = (buffer, offset, length, flags) ->
            {
                final int sent = Math.max(60, length - expected.size() % 17);
                assertTrue(channel.tryClaim(length, claim));
                claim.buffer().putBytes(claim.offset(), buffer, offset, sent);
                channel.commit(claim, sent);
                final byte[] copy = new byte[sent];
                buffer.getBytes(offset, copy);
                expected.add(copy);
            };
            while (channel.receive(echo, 1) == 1)
            {
                assertEquals(1, channel.flush());
            }
            assertEquals(150, channel.framesWritten());
        }

        assertFramesEqual(expected, PcapFileChannel.readFrames(out));

        // and as plain pcap4j reads it: captured and original lengths agree, timestamps are the input's
        final PcapHandle handle = Pcaps.openOffline(out.toString(), PcapHandle.TimestampPrecision.NANO);
        try
        {
            assertEquals(DataLinkType.EN10MB, handle.getDlt());
            for (int i = 0; i < expected.size(); i++)
            {
                final byte[] frame = handle.getNextRawPacketEx();
                assertArrayEquals(expected.get(i), frame, "frame " + i);
                assertEquals(expected.get(i).length, handle.getOriginalLength().intValue(), "original length " + i);
                final long nanos = Math.floorDiv(handle.getTimestamp().getTime(), 1000L) * 1_000_000_000L +
                    handle.getTimestamp().getNanos();
                assertEquals(PcapFileChannel.DEFAULT_FIRST_NANOS + i * PcapFileChannel.DEFAULT_STEP_NANOS, nanos,
                    "timestamp " + i);
            }
            assertThrows(EOFException.class, handle::getNextRawPacketEx);
        }
        finally
        {
            handle.close();
        }
    }

    @Test
    void batchedFlushWritesWholeBatchStampedWithNowBeforeAnyFrame()
    {
        final Path in = dir.resolve("empty.pcap");
        final Path out = dir.resolve("out.pcap");
        PcapFileChannel.writeFrames(in, List.of());
        final List<byte[]> frames = frames(10, 4);
        final FrameClaim claim = new FrameClaim();
        final long before = System.currentTimeMillis();
        try (PcapFileChannel channel = new PcapFileChannel(in, out, 2048, 4, 9000))
        {
            assertEquals(9000, channel.mtu());
            int sent = 0;
            for (final byte[] frame : frames)
            {
                if (!channel.send(new org.agrona.concurrent.UnsafeBuffer(frame), 0, frame.length, claim))
                {
                    sent += channel.flush();
                    assertTrue(channel.send(new org.agrona.concurrent.UnsafeBuffer(frame), 0, frame.length, claim));
                }
            }
            sent += channel.flush();
            assertEquals(10, sent);
            assertEquals(0, channel.flush());
        }
        assertFramesEqual(frames, PcapFileChannel.readFrames(out));
        try (PcapFileChannel replay = new PcapFileChannel(out, null))
        {
            replay.receive((b, o, l, f) -> { }, 1);
            final long millis = replay.lastTimestampNanos() / 1_000_000L;
            assertTrue(millis >= before - 1 && millis <= System.currentTimeMillis() + 1, "stamped with now: " + millis);
        }
    }

    @Test
    void claimsLargerThanSnaplenAreRefused()
    {
        final Path in = dir.resolve("in.pcap");
        PcapFileChannel.writeFrames(in, List.of());
        final FrameClaim claim = new FrameClaim();
        try (PcapFileChannel channel = new PcapFileChannel(in, dir.resolve("out.pcap"), 128, 2, 1500))
        {
            assertFalse(channel.tryClaim(129, claim));
            assertFalse(claim.isActive());
            assertTrue(channel.tryClaim(128, claim));
            assertEquals(128, claim.capacity());
            assertThrows(IllegalArgumentException.class, () -> channel.commit(claim, 129));
            channel.commit(claim, 128);
            assertTrue(channel.tryClaim(60, claim));
            channel.commit(claim, 60);
            assertFalse(channel.tryClaim(60, claim), "batch full");
            assertEquals(2, channel.flush());
            assertTrue(channel.tryClaim(60, claim), "room again after flush");
            channel.abort(claim);
        }
    }

    @Test
    void abortLeavesNothing()
    {
        final Path in = dir.resolve("in.pcap");
        final Path out = dir.resolve("out.pcap");
        PcapFileChannel.writeFrames(in, List.of());
        final FrameClaim claim = new FrameClaim();
        try (PcapFileChannel channel = new PcapFileChannel(in, out))
        {
            assertTrue(channel.tryClaim(100, claim));
            claim.buffer().setMemory(claim.offset(), 100, (byte)0x55);
            channel.abort(claim);
            assertFalse(claim.isActive());
            assertThrows(IllegalStateException.class, () -> channel.commit(claim, 100));
            assertThrows(IllegalStateException.class, () -> channel.abort(claim));
            assertEquals(0, channel.flush());
            assertEquals(0, channel.framesWritten());
        }
        assertEquals(List.of(), PcapFileChannel.readFrames(out));
    }

    @Test
    void secondClaimWhileOneIsActiveIsAnError()
    {
        final Path in = dir.resolve("in.pcap");
        PcapFileChannel.writeFrames(in, List.of());
        try (PcapFileChannel channel = new PcapFileChannel(in, null))
        {
            final FrameClaim claim = new FrameClaim();
            assertTrue(channel.tryClaim(60, claim));
            assertThrows(IllegalStateException.class, () -> channel.tryClaim(60, new FrameClaim()));
            assertThrows(IllegalStateException.class, channel::flush, "flush during a claim");
        }
    }

    @Test
    void withoutOutputFlushDiscards()
    {
        final Path in = dir.resolve("in.pcap");
        PcapFileChannel.writeFrames(in, List.of());
        final FrameClaim claim = new FrameClaim();
        try (PcapFileChannel channel = new PcapFileChannel(in, null))
        {
            assertTrue(channel.tryClaim(64, claim));
            channel.commit(claim, 64);
            assertEquals(1, channel.flush());
            assertEquals(1, channel.framesWritten());
        }
    }

    @Test
    void closeIsIdempotentAndClosedChannelRefusesWork()
    {
        final Path in = dir.resolve("in.pcap");
        PcapFileChannel.writeFrames(in, frames(3, 5));
        final PcapFileChannel channel = new PcapFileChannel(in, dir.resolve("out.pcap"));
        channel.close();
        channel.close();
        assertThrows(IllegalStateException.class, () -> channel.receive((b, o, l, f) -> { }, 1));
        assertThrows(IllegalStateException.class, () -> channel.await(0));
        assertThrows(IllegalStateException.class, channel::flush);
        assertThrows(IllegalStateException.class, channel::isExhausted);
    }

    @Test
    void emptyCapture()
    {
        final Path in = dir.resolve("empty.pcap");
        PcapFileChannel.writeFrames(in, List.of());
        assertEquals(List.of(), PcapFileChannel.readFrames(in));
        try (PcapFileChannel channel = new PcapFileChannel(in, null))
        {
            assertTrue(channel.isExhausted());
            assertFalse(channel.await(0));
            assertEquals(0, channel.receive((b, o, l, f) -> { }, 10));
            assertEquals(PcapFileChannel.NO_TIMESTAMP, channel.lastTimestampNanos());
        }
    }

    @Test
    void garbageFileIsAClearErrorNamingTheFile() throws IOException
    {
        final Path in = dir.resolve("garbage.pcap");
        final byte[] junk = new byte[4096];
        new Random(6).nextBytes(junk);
        Files.write(in, junk);
        assertNamesFile(in, assertThrows(PcapChannelException.class, () -> new PcapFileChannel(in, null)));
        assertNamesFile(in, assertThrows(PcapChannelException.class, () -> PcapFileChannel.readFrames(in)));
    }

    @Test
    void zeroByteAndMissingFilesAreClearErrors() throws IOException
    {
        final Path empty = Files.createFile(dir.resolve("zero.pcap"));
        assertNamesFile(empty, assertThrows(PcapChannelException.class, () -> new PcapFileChannel(empty, null)));
        final Path missing = dir.resolve("missing.pcap");
        assertNamesFile(missing, assertThrows(PcapChannelException.class, () -> new PcapFileChannel(missing, null)));
    }

    @Test
    void truncatedFileHandsOverWholeFramesThenFailsNamingTheFile() throws IOException
    {
        final Path in = dir.resolve("truncated.pcap");
        final List<byte[]> frames = frames(5, 7);
        PcapFileChannel.writeFrames(in, frames);
        final byte[] bytes = Files.readAllBytes(in);
        Files.write(in, Arrays.copyOf(bytes, bytes.length - 10));

        assertNamesFile(in, assertThrows(PcapChannelException.class, () -> PcapFileChannel.readFrames(in)));
        try (PcapFileChannel channel = new PcapFileChannel(in, null))
        {
            final List<byte[]> received = new ArrayList<>();
            final FrameHandler collect = (buffer, offset, length, flags) ->
            {
                final byte[] copy = new byte[length];
                buffer.getBytes(offset, copy);
                received.add(copy);
            };
            assertEquals(4, channel.receive(collect, 100), "the whole frames before the damage");
            assertFramesEqual(frames.subList(0, 4), received);
            final PcapChannelException ex =
                assertThrows(PcapChannelException.class, () -> channel.receive(collect, 100));
            assertNamesFile(in, ex);
            assertTrue(ex.getMessage().contains("after frame 4"), ex.getMessage());
            assertThrows(PcapChannelException.class, () -> channel.await(0), "and stays failed");
        }
    }

    @Test
    void nonEthernetCaptureIsRefused() throws Exception
    {
        final Path in = dir.resolve("raw.pcap");
        final PcapHandle dead = Pcaps.openDead(DataLinkType.RAW, 65535);
        final PcapDumper dumper = dead.dumpOpen(in.toString());
        dumper.close();
        dead.close();
        final PcapChannelException ex = assertThrows(PcapChannelException.class, () -> new PcapFileChannel(in, null));
        assertNamesFile(in, ex);
        assertTrue(ex.getMessage().contains("not Ethernet"), ex.getMessage());
    }

    @Test
    void unwritableOutputIsAClearError()
    {
        final Path in = dir.resolve("in.pcap");
        PcapFileChannel.writeFrames(in, List.of());
        final Path out = dir.resolve("no-such-dir").resolve("out.pcap");
        assertNamesFile(out, assertThrows(PcapChannelException.class, () -> new PcapFileChannel(in, out)));
        assertNamesFile(out, assertThrows(PcapChannelException.class, () -> PcapFileChannel.writeFrames(out, List.of())));
    }

    private static void assertNamesFile(final Path file, final PcapChannelException ex)
    {
        assertNotNull(ex.getMessage());
        assertTrue(ex.getMessage().contains(file.toString()), "message names " + file + ": " + ex.getMessage());
    }
}
