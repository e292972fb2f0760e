package io.lvs4j.core.packet;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.SplittableRandom;

import io.lvs4j.core.checksum.Checksums;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

/**
 * Classification, rewrites, checksums and builders allocate nothing per packet: the thread's allocation counter
 * does not move over many thousands of frames of every kind (valid, truncated and corrupted). Like JMH's GC
 * profiler, it counts what survives escape analysis, which is what costs on the hot path.
 */
class HotPathAllocationTest
{
    private static final int FRAMES = 64;

    @Test
    void perPacketWorkDoesNotAllocate()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        assumeTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled());

        final SplittableRandom r = new SplittableRandom(3);
        final UnsafeBuffer[] buffers = new UnsafeBuffer[FRAMES];
        final int[] lengths = new int[FRAMES];
        for (int i = 0; i < FRAMES; i++)
        {
            final byte[] bytes = RandomFrames.any(r).bytes;
            if (i % 4 == 3)
            {
                bytes[r.nextInt(bytes.length)] ^= (byte)r.nextInt(1, 256);
            }
            buffers[i] = new UnsafeBuffer(bytes);
            lengths[i] = i % 5 == 4 ? r.nextInt(bytes.length + 1) : bytes.length;
        }
        final PacketClassifier classifier = new PacketClassifier();
        final ClassifiedFrame frame = new ClassifiedFrame();
        final UnsafeBuffer out = new UnsafeBuffer(new byte[2048]);

        long sink = run(classifier, frame, buffers, lengths, out, 1_000);
        final long thread = Thread.currentThread().getId();
        final long before = threads.getThreadAllocatedBytes(thread);
        sink += run(classifier, frame, buffers, lengths, out, 5_000);
        final long allocated = threads.getThreadAllocatedBytes(thread) - before;

        // a single allocation per packet would be at least 16 bytes x 5,000 x 64 frames
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes (" + sink + ")");
    }

    private static long run(
        final PacketClassifier classifier,
        final ClassifiedFrame frame,
        final UnsafeBuffer[] buffers,
        final int[] lengths,
        final UnsafeBuffer out,
        final int rounds)
    {
        long sink = 0;
        for (int round = 0; round < rounds; round++)
        {
            for (int i = 0; i < FRAMES; i++)
            {
                final UnsafeBuffer b = buffers[i];
                final FrameKind kind = classifier.classify(b, 0, lengths[i], frame);
                sink += kind.ordinal() + frame.flow().hash() + frame.innerFlow().srcPort();
                switch (kind)
                {
                    case IPV4_TCP:
                    case IPV4_UDP:
                        Rewrites.setIpv4Destination(b, frame, round);
                        Rewrites.setDestinationPort(b, frame, round);
                        Rewrites.decrementTtl(b, frame);
                        sink += Icmpv4ErrorBuilder.portUnreachable(out, 0, b, frame, 1L, 2, round);
                        sink += IpIpEncapsulator.writeOuterHeader(out, 14, b, frame.l3Offset(), frame.l3Length(),
                            1, 2, 64, round, true);
                        break;
                    case IPV6_TCP:
                    case IPV6_UDP:
                        Rewrites.setIpv6Source(b, frame, round, round);
                        Rewrites.setSourcePort(b, frame, round);
                        sink += Icmpv6ErrorBuilder.packetTooBig(out, 0, b, frame, 1L, 2L, 3L, 1280);
                        break;
                    case ARP:
                        sink += ArpBuilder.writeReplyTo(out, 0, b, frame, 5L);
                        break;
                    default:
                        sink += Checksums.sum(b, 0, lengths[i]);
                        break;
                }
            }
        }
        return sink;
    }
}
