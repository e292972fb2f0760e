package io.lvs4j.forwarder.channel.afpacket;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.FrameFlags;
import io.lvs4j.forwarder.channel.FrameHandler;
import io.lvs4j.forwarder.lab.LabPreconditions;
import io.lvs4j.forwarder.nativeio.LabNamespace;
import io.lvs4j.forwarder.nativeio.LibC;
import io.lvs4j.forwarder.nativeio.NetworkInterfaceInfo;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * AF_PACKET channels on a veth pair (va, vb) inside a throwaway namespace: what one end transmits through its ring,
 * the other receives through its ring.
 */
@Tag("lab")
@Timeout(120)
class AfPacketChannelLabTest
{
    private static final int FRAMES = 20_000;

    private LabNamespace ns;
    private final List<AfPacketChannel> channels = new ArrayList<>();
    private long macA;
    private long macB;

    @BeforeEach
    void setUp() throws Exception
    {
        LabPreconditions.assumeLab();
        ns = LabNamespace.create();
        ns.vethPair("va", "vb");
        macA = NetworkNamespace.call(ns.name(), () -> NetworkInterfaceInfo.query("va")).mac();
        macB = NetworkNamespace.call(ns.name(), () -> NetworkInterfaceInfo.query("vb")).mac();
    }

    @AfterEach
    void tearDown()
    {
        channels.forEach(AfPacketChannel::close);
        if (ns != null)
        {
            ns.close();
        }
    }

    private AfPacketChannel open(final AfPacketOptions.Builder options) throws Exception
    {
        final AfPacketOptions built = options.build();
        final AfPacketChannel channel = NetworkNamespace.call(ns.name(), () -> AfPacketChannel.open(built));
        channels.add(channel);
        return channel;
    }

    @ParameterizedTest
    @EnumSource(RingVersion.class)
    void transfersTwentyThousandNumberedFramesWithoutLoss(final RingVersion version) throws Exception
    {
        final AfPacketChannel tx = open(AfPacketOptions.builder("va").ringVersion(version)
            .blockSize(1 << 16).blockCount(4).txFrameCount(512));
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").ringVersion(version)
            .blockSize(1 << 16).blockCount(64).txFrameCount(0));
        assertEquals(512, tx.transmitSlots());
        assertEquals(0, rx.transmitSlots());

        final BitSet seen = new BitSet(FRAMES);
        final int[] counts = new int[3]; // received, duplicates, mismatches
        final FrameHandler check = (buffer, offset, length, flags) ->
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            if (ByteBuffer.wrap(frame).getShort(12) != (short)TestFrames.ETHERTYPE_TEST)
            {
                return;
            }
            final int number = ByteBuffer.wrap(frame).getInt(14);
            counts[0]++;
            if (number < 0 || number >= FRAMES || seen.get(number))
            {
                counts[1]++;
                return;
            }
            seen.set(number);
            if (length != 64 || flags != 0 || !Arrays.equals(frame, TestFrames.numbered(macB, macA, number, 64)))
            {
                counts[2]++;
            }
        };

        final FrameClaim claim = new FrameClaim();
        // V3 stops mid-block with a small limit, so the position-keeping across calls is exercised.
        final int limit = version == RingVersion.V3 ? 7 : 64;
        final int window = 2048;
        int sent = 0;
        int full = 0;
        final long start = System.nanoTime();
        final long deadline = start + 60_000_000_000L;
        while (counts[0] < FRAMES && System.nanoTime() < deadline)
        {
            int batch = 0;
            while (batch < 256 && sent < FRAMES && sent - counts[0] < window)
            {
                if (!tx.tryClaim(64, claim))
                {
                    full++;
                    break;
                }
                assertEquals(tx.transmitCapacity(), claim.capacity());
                claim.buffer().putBytes(claim.offset(), TestFrames.numbered(macB, macA, sent, 64));
                tx.commit(claim, 64);
                sent++;
                batch++;
            }
            tx.flush();
            int received = 0;
            int n;
            while ((n = rx.receive(check, limit)) > 0)
            {
                received += n;
            }
            if (received == 0 && batch == 0)
            {
                rx.await(5);
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("[lab] %s: %d frames sent, %d received in %.3f s (%.0f pps, tx+rx on one thread), " +
            "%d sendto, %d ring-full claims%n", version, sent, counts[0], seconds, counts[0] / seconds,
            tx.flushCalls(), full);

        assertEquals(FRAMES, sent);
        assertEquals(FRAMES, counts[0], "received");
        assertEquals(FRAMES, seen.cardinality(), "distinct");
        assertEquals(0, counts[1], "duplicates");
        assertEquals(0, counts[2], "frames differing from what was sent");
        assertEquals(0, rx.receiveDrops(), "kernel drops");
        assertEquals(FRAMES, rx.kernelPackets());
        assertEquals(0, tx.transmitErrors());
        assertEquals(0, tx.wrongFormatFrames());
        assertTrue(tx.flushCalls() <= FRAMES / 8, "batched: " + tx.flushCalls() + " sendto calls");
    }

    @ParameterizedTest
    @EnumSource(RingVersion.class)
    void theHotPathAllocatesNothing(final RingVersion version) throws Exception
    {
        final AfPacketChannel tx = open(AfPacketOptions.builder("va").ringVersion(version)
            .blockSize(1 << 16).blockCount(4).txFrameCount(256));
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").ringVersion(version)
            .blockSize(1 << 16).blockCount(64).txFrameCount(0));
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        final long[] sum = new long[1];
        final FrameHandler handler = (buffer, offset, length, flags) -> sum[0] += buffer.getInt(offset + 14) + length;
        final FrameClaim claim = new FrameClaim();
        final long self = Thread.currentThread().getId();
        long allocated = 0;
        int received = 0;
        for (int round = 0; round < 3; round++)
        {
            // Rounds 0 and 1 warm up (JIT, first calls into JNA); the last is measured.
            final long before = threads.getThreadAllocatedBytes(self);
            received = 0;
            int sent = 0;
            final long deadline = System.nanoTime() + 30_000_000_000L;
            while (received < 20_000 && System.nanoTime() < deadline)
            {
                while (sent < 20_000 && sent - received < 1024 && tx.tryClaim(64, claim))
                {
                    final MutableDirectBuffer b = claim.buffer();
                    final int at = claim.offset();
                    b.putLong(at, macB << 16);
                    b.putLong(at + 6, macA << 16);
                    b.putShort(at + 12, (short)TestFrames.ETHERTYPE_TEST, ByteOrder.BIG_ENDIAN);
                    b.putInt(at + 14, sent);
                    tx.commit(claim, 64);
                    sent++;
                }
                tx.flush();
                final int n = rx.receive(handler, 64);
                received += n;
                if (n == 0)
                {
                    rx.await(1);
                }
            }
            allocated = threads.getThreadAllocatedBytes(self) - before;
        }
        System.out.printf("[lab] %s hot path: %d frames, %d bytes allocated%n", version, received, allocated);
        assertEquals(20_000, received);
        // Usually 0; now and then a few KB appear in a run (JIT transitions, not the channel: one 16-byte object per
        // frame would already be 320 KB). Less than a byte per frame proves nothing is allocated per frame.
        assertTrue(allocated < 20_000, allocated + " bytes allocated by receive/tryClaim/commit/flush/await");
    }

    @Test
    void fanoutGroupSplitsFlowsAndLosesNothing() throws Exception
    {
        final int group = ThreadLocalRandom.current().nextInt(1, 0xFFFF);
        final AfPacketOptions.Builder member = AfPacketOptions.builder("vb").blockSize(1 << 16).blockCount(64)
            .txFrameCount(0).fanout(group, FanoutType.HASH, 0);
        final AfPacketChannel rx1 = open(member);
        final AfPacketChannel rx2 = open(member);
        final AfPacketChannel tx = open(AfPacketOptions.builder("va").blockSize(1 << 16).blockCount(1));

        final int frames = 8192;
        final int flows = 64;
        final InetAddress client = InetAddress.getByName("198.51.100.7");
        final InetAddress vip = InetAddress.getByName("203.0.113.10");
        final FrameClaim claim = new FrameClaim();
        final Map<Integer, Set<Integer>> socketsPerFlow = new HashMap<>();
        final BitSet seen = new BitSet(frames);
        final int[] perSocket = new int[2];
        final int[] duplicates = new int[1];
        final FrameHandler[] handlers = new FrameHandler[2];
        for (int s = 0; s < 2; s++)
        {
            final int socket = s;
            handlers[s] = (buffer, offset, length, flags) ->
            {
                if (length < 50 || buffer.getShort(offset + 12, ByteOrder.BIG_ENDIAN) != 0x0800)
                {
                    return;
                }
                final int tag = buffer.getInt(offset + length - 4, ByteOrder.BIG_ENDIAN);
                final int flow = buffer.getShort(offset + 34, ByteOrder.BIG_ENDIAN) - 1000;
                if (seen.get(tag))
                {
                    duplicates[0]++;
                }
                seen.set(tag);
                perSocket[socket]++;
                socketsPerFlow.computeIfAbsent(flow, f -> new HashSet<>()).add(socket);
            };
        }
        int sent = 0;
        final long deadline = System.nanoTime() + 30_000_000_000L;
        while ((sent < frames || seen.cardinality() < frames) && System.nanoTime() < deadline)
        {
            while (sent < frames && sent - seen.cardinality() < 2048 &&
                tx.send(new UnsafeBuffer(
                    TestFrames.udp4(macB, macA, client, vip, 1000 + sent % flows, 80, sent)), 0, 50, claim))
            {
                sent++;
            }
            tx.flush();
            final int n = rx1.receive(handlers[0], 256) + rx2.receive(handlers[1], 256);
            if (n == 0)
            {
                rx1.await(2);
            }
        }
        System.out.printf("[lab] fanout HASH: %d + %d of %d frames over %d flows; kernel %d/%d drops %d/%d, " +
            "freezes %d/%d, tx errors %d, pending %d%n", perSocket[0], perSocket[1], frames, flows, rx1.kernelPackets(),
            rx2.kernelPackets(), rx1.receiveDrops(), rx2.receiveDrops(), rx1.freezeCount(), rx2.freezeCount(),
            tx.transmitErrors(), tx.pendingTransmits());
        assertEquals(frames, seen.cardinality(), "every frame received by the group");
        assertEquals(0, duplicates[0], "no frame received twice");
        assertTrue(perSocket[0] > 0 && perSocket[1] > 0, "both members got traffic");
        assertEquals(flows, socketsPerFlow.size());
        socketsPerFlow.forEach((flow, sockets) -> assertEquals(1, sockets.size(), "flow " + flow + " on one socket"));
        assertEquals(0, rx1.receiveDrops() + rx2.receiveDrops());
    }

    @Test
    void filterKeepsOnlyWhatItShould() throws Exception
    {
        final InetAddress vip = InetAddress.getByName("203.0.113.10");
        final InetAddress vip6 = InetAddress.getByName("2001:db8::10");
        final InetAddress realServer = InetAddress.getByName("192.0.2.20");
        final InetAddress client = InetAddress.getByName("198.51.100.7");
        final InetAddress client6 = InetAddress.getByName("2001:db8:2::7");
        final BpfProgram filter = BpfProgram.filter().arp().vrrp().neighbourDiscovery()
            .destination(vip).destination(vip6).source(realServer).build();
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").ringVersion(RingVersion.V2)
            .blockSize(1 << 16).blockCount(4).txFrameCount(0).filter(filter));
        final AfPacketChannel tx = open(AfPacketOptions.builder("va").blockSize(1 << 16).blockCount(1));

        final List<byte[]> kept = List.of(
            TestFrames.arp(macA, client, vip, 1),
            TestFrames.udp4(macB, macA, client, vip, 4000, 80, 2),
            TestFrames.udp4(macB, macA, realServer, client, 80, 4000, 3),
            TestFrames.ip4(macB, macA, client, InetAddress.getByName("224.0.0.18"), 112, 4),
            TestFrames.ip6(macB, macA, client6, vip6, 17, 0, 5),
            TestFrames.ip6(macB, macA, client6, InetAddress.getByName("ff02::1:ff00:10"), 58, 135, 6));
        final List<byte[]> dropped = List.of(
            TestFrames.udp4(macB, macA, client, InetAddress.getByName("203.0.113.11"), 4000, 80, 101),
            TestFrames.udp4(macB, macA, InetAddress.getByName("192.0.2.21"), client, 80, 4000, 102),
            TestFrames.ip4(macB, macA, client, InetAddress.getByName("224.0.0.18"), 113, 103),
            TestFrames.ip6(macB, macA, client6, InetAddress.getByName("2001:db8::11"), 17, 0, 104),
            TestFrames.ip6(macB, macA, client6, client6, 58, 128, 105),
            TestFrames.numbered(macB, macA, 106, 64));
        final FrameClaim claim = new FrameClaim();
        for (int round = 0; round < 10; round++)
        {
            for (final byte[] frame : dropped)
            {
                assertTrue(tx.send(new UnsafeBuffer(frame), 0, frame.length, claim));
            }
            for (final byte[] frame : kept)
            {
                assertTrue(tx.send(new UnsafeBuffer(frame), 0, frame.length, claim));
            }
            assertEquals(kept.size() + dropped.size(), tx.flush());
        }

        final List<Integer> tags = new ArrayList<>();
        final FrameHandler collect = (buffer, offset, length, flags) ->
            tags.add(buffer.getInt(offset + length - 4, ByteOrder.BIG_ENDIAN));
        final long deadline = System.nanoTime() + 10_000_000_000L;
        while (tags.size() < 10 * kept.size() && System.nanoTime() < deadline)
        {
            if (rx.receive(collect, 64) == 0)
            {
                rx.await(10);
            }
        }
        rx.await(200);
        rx.receive(collect, 1000);
        final List<Integer> expected = new ArrayList<>();
        for (int round = 0; round < 10; round++)
        {
            kept.forEach(frame -> expected.add(TestFrames.tag(frame)));
        }
        assertEquals(expected, tags, "exactly the kept frames, in order");
        assertEquals(0, rx.receiveDrops());

        // Swapping the filter at run time takes effect at once.
        rx.attachFilter(BpfProgram.rejectAll());
        for (final byte[] frame : kept)
        {
            assertTrue(tx.send(new UnsafeBuffer(frame), 0, frame.length, claim));
        }
        tx.flush();
        assertFalse(rx.await(100));
        assertEquals(0, rx.receive(collect, 100));
    }

    @Test
    void ignoreOutgoingLeavesOutFramesOthersSend() throws Exception
    {
        // Taps see a socket's transmissions only through the qdisc path, so this sender does not bypass it.
        final AfPacketChannel sender = open(AfPacketOptions.builder("va").ringVersion(RingVersion.V2)
            .blockSize(1 << 16).blockCount(1).qdiscBypass(false).ignoreOutgoing(false));
        final AfPacketChannel ignoring = open(AfPacketOptions.builder("va").ringVersion(RingVersion.V2)
            .blockSize(1 << 16).blockCount(4).txFrameCount(0).ignoreOutgoing(true));
        final AfPacketChannel listening = open(AfPacketOptions.builder("va").ringVersion(RingVersion.V2)
            .blockSize(1 << 16).blockCount(4).txFrameCount(0).ignoreOutgoing(false));
        final AfPacketChannel peer = open(AfPacketOptions.builder("vb").ringVersion(RingVersion.V2)
            .blockSize(1 << 16).blockCount(4).txFrameCount(0));

        final FrameClaim claim = new FrameClaim();
        for (int i = 0; i < 100; i++)
        {
            final byte[] frame = TestFrames.numbered(macB, macA, i, 64);
            assertTrue(sender.send(new UnsafeBuffer(frame), 0, frame.length, claim));
        }
        assertEquals(100, sender.flush());
        assertEquals(100, drain(peer, 100), "the peer got them");
        assertEquals(100, drain(listening, 100), "a socket without IGNORE_OUTGOING sees them leave");
        assertEquals(0, drain(ignoring, 0), "a socket with IGNORE_OUTGOING does not");
        assertEquals(0, drain(sender, 0), "the sender never sees its own transmissions");
    }

    @ParameterizedTest
    @EnumSource(RingVersion.class)
    void awaitTimesOutOnAnIdleLinkAndWakesForAFrame(final RingVersion version) throws Exception
    {
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").ringVersion(version)
            .blockSize(1 << 16).blockCount(4).txFrameCount(0));
        final AfPacketChannel tx = open(AfPacketOptions.builder("va").blockSize(1 << 16).blockCount(1));

        assertFalse(rx.await(0));
        long start = System.nanoTime();
        assertFalse(rx.await(150), "idle link");
        final long idleMs = (System.nanoTime() - start) / 1_000_000;
        assertTrue(idleMs >= 140 && idleMs < 2000, "waited " + idleMs + " ms");

        final Thread later = new Thread(() ->
        {
            try
            {
                Thread.sleep(100);
                final byte[] frame = TestFrames.numbered(macB, macA, 1, 64);
                tx.send(new UnsafeBuffer(frame), 0, frame.length, new FrameClaim());
                tx.flush();
            }
            catch (final InterruptedException ignore)
            {
                Thread.currentThread().interrupt();
            }
        });
        start = System.nanoTime();
        later.start();
        boolean ready = false;
        // One await normally does it; a spurious early return is allowed, so wait in a short loop.
        while (!ready && System.nanoTime() - start < 5_000_000_000L)
        {
            ready = rx.await(5000);
        }
        final long wokeMs = (System.nanoTime() - start) / 1_000_000;
        later.join();
        assertTrue(ready, "a frame arrived");
        assertTrue(wokeMs >= 90 && wokeMs < 1500, "woke after " + wokeMs + " ms");
        assertEquals(1, rx.receive((b, o, l, f) -> { }, 10));
        System.out.printf("[lab] %s await: idle %d ms for 150, woke %d ms after a 100 ms delayed send%n",
            version, idleMs, wokeMs);
    }

    @ParameterizedTest
    @EnumSource(RingVersion.class)
    void framesLongerThanTheSlotArriveFlaggedTruncated(final RingVersion version) throws Exception
    {
        ns.ip("link", "set", "va", "mtu", "9000");
        ns.ip("link", "set", "vb", "mtu", "9000");
        // V2 slots are 2 KiB; a V3 frame is bounded by its 4 KiB block.
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").ringVersion(version)
            .blockSize(4096).blockCount(8).frameSize(2048).txFrameCount(0));
        final AfPacketChannel tx = open(AfPacketOptions.builder("va").blockSize(1 << 16).blockCount(1)
            .frameSize(8192).txFrameCount(4));
        assertEquals(9000, tx.mtu());
        final int longLength = version == RingVersion.V2 ? 4000 : 6000;
        final byte[] big = TestFrames.numbered(macB, macA, 1, longLength);
        final byte[] small = TestFrames.numbered(macB, macA, 2, 64);
        final FrameClaim claim = new FrameClaim();
        assertTrue(tx.send(new UnsafeBuffer(big), 0, big.length, claim));
        assertTrue(tx.send(new UnsafeBuffer(small), 0, small.length, claim));
        assertEquals(2, tx.flush());

        final List<byte[]> frames = new ArrayList<>();
        final List<Integer> flags = new ArrayList<>();
        final FrameHandler collect = (buffer, offset, length, f) ->
        {
            final byte[] frame = new byte[length];
            buffer.getBytes(offset, frame);
            frames.add(frame);
            flags.add(f);
        };
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (frames.size() < 2 && System.nanoTime() < deadline)
        {
            if (rx.receive(collect, 10) == 0)
            {
                rx.await(10);
            }
        }
        assertEquals(2, frames.size());
        assertTrue((flags.get(0) & FrameFlags.TRUNCATED) != 0, "long frame flagged");
        assertTrue(frames.get(0).length < longLength && frames.get(0).length > 1000, "cut to " + frames.get(0).length);
        assertArrayEquals(Arrays.copyOf(big, frames.get(0).length), frames.get(0), "what arrived is the frame's head");
        assertEquals(0, flags.get(1) & FrameFlags.TRUNCATED);
        assertArrayEquals(small, frames.get(1));
        System.out.printf("[lab] %s: %d-byte frame arrived as %d bytes, flags 0x%x%n",
            version, longLength, frames.get(0).length, flags.get(0));
    }

    @Test
    void transmitRingBookkeeping() throws Exception
    {
        final AfPacketChannel tx = open(AfPacketOptions.builder("va").blockSize(1 << 16).blockCount(1)
            .txFrameCount(3));
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").ringVersion(RingVersion.V2)
            .blockSize(1 << 16).blockCount(4).txFrameCount(0));
        assertEquals(4, tx.transmitSlots(), "rounded up to whole pages of 2 KiB slots");
        assertEquals(2048 - 48, tx.transmitCapacity());

        final FrameClaim claim = new FrameClaim();
        assertFalse(tx.tryClaim(2001, claim), "longer than a slot");
        assertTrue(tx.tryClaim(64, claim));
        final int firstOffset = claim.offset();
        assertThrows(IllegalStateException.class, () -> tx.tryClaim(64, new FrameClaim()));
        tx.abort(claim);
        assertFalse(claim.isActive());
        assertThrows(IllegalStateException.class, () -> tx.commit(claim, 64));
        assertTrue(tx.tryClaim(64, claim));
        assertEquals(firstOffset, claim.offset(), "an aborted slot is claimed again");
        assertThrows(IllegalArgumentException.class, () -> tx.commit(claim, 3000));
        tx.abort(claim);

        assertEquals(0, tx.flush(), "nothing committed, no system call");
        assertEquals(0, tx.flushCalls());
        for (int i = 0; i < 4; i++)
        {
            final byte[] frame = TestFrames.numbered(macB, macA, i, 64);
            assertTrue(tx.send(new UnsafeBuffer(frame), 0, frame.length, claim));
        }
        assertEquals(4, tx.pendingTransmits());
        assertFalse(tx.tryClaim(64, claim), "all slots wait for the kernel");
        assertEquals(4, tx.flush());
        assertEquals(1, tx.flushCalls());
        assertEquals(4, drain(rx, 4));
        assertTrue(tx.tryClaim(64, claim), "slots come back once sent");
        tx.abort(claim);
    }

    @Test
    void malformedTransmitsAreSkippedOrReclaimed() throws Exception
    {
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").ringVersion(RingVersion.V2)
            .blockSize(1 << 16).blockCount(4).txFrameCount(0));
        final FrameClaim claim = new FrameClaim();
        final byte[] tooLong = TestFrames.numbered(macB, macA, 0, 1600);

        // Default: the kernel skips a frame longer than the MTU and sends the rest.
        final AfPacketChannel lossy = open(AfPacketOptions.builder("va").blockSize(1 << 16).blockCount(1)
            .txFrameCount(4));
        assertTrue(lossy.send(new UnsafeBuffer(tooLong), 0, tooLong.length, claim));
        final byte[] good = TestFrames.numbered(macB, macA, 1, 64);
        assertTrue(lossy.send(new UnsafeBuffer(good), 0, good.length, claim));
        assertEquals(2, lossy.flush());
        assertEquals(1, drain(rx, 1));
        lossy.close();

        // Without PACKET_LOSS the kernel stops at the bad slot; the channel takes it back when it comes round.
        final AfPacketChannel strict = open(AfPacketOptions.builder("va").blockSize(1 << 16).blockCount(1)
            .txFrameCount(4).discardMalformedTx(false));
        assertTrue(strict.send(new UnsafeBuffer(tooLong), 0, tooLong.length, claim));
        assertEquals(0, strict.flush());
        assertEquals(1, strict.transmitErrors());
        assertEquals(90, strict.lastTransmitErrno(), "EMSGSIZE");
        for (int i = 0; i < 3; i++)
        {
            assertTrue(strict.send(new UnsafeBuffer(good), 0, good.length, claim));
        }
        strict.flush();
        assertEquals(0, drain(rx, 0), "stuck behind the bad slot");
        assertTrue(strict.send(new UnsafeBuffer(good), 0, good.length, claim));
        assertEquals(1, strict.wrongFormatFrames());
        strict.flush();
        assertEquals(4, drain(rx, 4), "moving again");
    }

    @Test
    void membershipsLastWhileTheChannelIsOpen() throws Exception
    {
        final long vrrp = 0x0100_5e00_0012L;
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").blockSize(1 << 16).blockCount(1)
            .txFrameCount(0).promiscuous(true).multicastGroup(vrrp));
        // AF_PACKET raises the promiscuity count; the PROMISC flag `ip link` prints is only the administrative one.
        assertTrue(ns.ip("-d", "link", "show", "vb").contains("promiscuity 1"));
        assertTrue(ns.ip("maddr", "show", "dev", "vb").contains("01:00:5e:00:00:12"));
        rx.joinMulticast(0x0100_5e00_0013L);
        assertTrue(ns.ip("maddr", "show", "dev", "vb").contains("01:00:5e:00:00:13"));
        rx.leaveMulticast(0x0100_5e00_0013L);
        assertFalse(ns.ip("maddr", "show", "dev", "vb").contains("01:00:5e:00:00:13"));
        rx.close();
        assertTrue(ns.ip("-d", "link", "show", "vb").contains("promiscuity 0"));
        assertFalse(ns.ip("maddr", "show", "dev", "vb").contains("01:00:5e:00:00:12"));
    }

    @Test
    void acceptsAVirtualMacAndAGroupUntilReleasedOrClosed() throws Exception
    {
        final long vmac = MacAddresses.vrrpVirtualMac(51, false);
        final long group = 0x0100_5e00_0012L;
        final AfPacketChannel rx = open(AfPacketOptions.builder("vb").blockSize(1 << 16).blockCount(1)
            .txFrameCount(0));
        rx.acceptDestination(vmac);
        rx.acceptDestination(group);
        // the unicast address joins the device's unicast list (a device that cannot filter turns promiscuous)
        assertTrue(ns.exec("bridge", "fdb", "show", "dev", "vb").contains("00:00:5e:00:01:33"),
            ns.exec("bridge", "fdb", "show", "dev", "vb"));
        assertTrue(ns.ip("maddr", "show", "dev", "vb").contains("01:00:5e:00:00:12"));
        rx.releaseDestination(vmac);
        assertFalse(ns.exec("bridge", "fdb", "show", "dev", "vb").contains("00:00:5e:00:01:33"));
        rx.acceptDestination(vmac);
        rx.close();
        rx.releaseDestination(vmac);
        assertFalse(ns.exec("bridge", "fdb", "show", "dev", "vb").contains("00:00:5e:00:01:33"),
            "closing the socket drops its memberships");
        assertFalse(ns.ip("maddr", "show", "dev", "vb").contains("01:00:5e:00:00:12"));
    }

    @Test
    void describesItsInterfaceAndClosesOnce() throws Exception
    {
        final AfPacketChannel channel = open(AfPacketOptions.builder("vb").blockSize(1 << 16).blockCount(1));
        final String link = ns.ip("link", "show", "vb");
        assertTrue(link.contains(NetworkInterfaceInfo.formatMac(channel.macAddress())), link);
        assertTrue(link.contains(channel.interfaceIndex() + ": vb@"), link);
        assertEquals(1500, channel.mtu());
        assertEquals("vb", channel.name());
        assertNotEquals(macA, channel.macAddress());

        // The kernel's own header lengths match the layout the channel writes by.
        final int[] hdrlen = NetworkNamespace.call(ns.name(), () ->
        {
            final int fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
            try
            {
                final int[] out = new int[2];
                int i = 0;
                for (final RingVersion version : RingVersion.values())
                {
                    final byte[] value = new byte[4];
                    new UnsafeBuffer(value).putInt(0, version.value());
                    LibC.getsockopt(fd, TpacketLayout.SOL_PACKET, TpacketLayout.PACKET_HDRLEN, value, new int[] {4});
                    out[i++] = new UnsafeBuffer(value).getInt(0);
                }
                return out;
            }
            finally
            {
                LibC.close(fd);
            }
        });
        // PACKET_HDRLEN answers sizeof(tpacket2_hdr) / sizeof(tpacket3_hdr): exactly where transmit data starts.
        assertArrayEquals(
            new int[] {RingVersion.V2.transmitDataOffset(), RingVersion.V3.transmitDataOffset()}, hdrlen);

        channel.close();
        channel.close();
        assertTrue(channel.isClosed());
        assertEquals(0, channel.receive((b, o, l, f) -> { }, 10));
        assertFalse(channel.tryClaim(64, new FrameClaim()));
        assertEquals(0, channel.flush());
        assertFalse(channel.await(10));
    }

    @Test
    void refusesAMissingInterface()
    {
        final Exception ex = assertThrows(Exception.class, () -> open(AfPacketOptions.builder("nosuch0")));
        assertTrue(ex.getMessage().contains("nosuch0"), ex.getMessage());
    }

    private static int drain(final AfPacketChannel channel, final int expected) throws Exception
    {
        final int[] count = new int[1];
        final FrameHandler counter = (MutableDirectBuffer buffer, int offset, int length, int flags) ->
        {
            if (buffer.getShort(offset + 12, ByteOrder.BIG_ENDIAN) == (short)TestFrames.ETHERTYPE_TEST)
            {
                count[0]++;
            }
        };
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (count[0] < expected && System.nanoTime() < deadline)
        {
            if (channel.receive(counter, 64) == 0)
            {
                channel.await(10);
            }
        }
        // Then a little longer, to see any frame that should not have come.
        channel.await(expected == 0 ? 200 : 50);
        channel.receive(counter, 1000);
        return count[0];
    }
}
