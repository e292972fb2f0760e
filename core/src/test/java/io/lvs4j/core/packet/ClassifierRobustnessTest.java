package io.lvs4j.core.packet;

import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The classifier never throws and never reads outside the frame it is given, whatever the bytes.
 * <p>
 * Each input is classified twice: at the end of a buffer wrapped with exactly the frame's length (Agrona's bounds
 * checks, on by default, throw on any read past it), and at a non-zero offset inside a larger buffer with random
 * garbage before and after the frame. Both must give the same result; any dependence on a byte outside the frame
 * would show up as a difference or an exception.
 */
class ClassifierRobustnessTest
{
    private final PacketClassifier verifying = new PacketClassifier();
    // without the IPv4 checksum check, corrupted IPv4 headers get past L3 and exercise the deeper checks
    private final PacketClassifier lenient = new PacketClassifier(Ipv6View.DEFAULT_MAX_EXTENSION_HEADERS, false);
    private final ClassifiedFrame exact = new ClassifiedFrame();
    private final ClassifiedFrame embedded = new ClassifiedFrame();

    @Test
    void agronaBoundsChecksAreOn()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[16], 4, 8);
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.getByte(8));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.getShort(7));
        assertThrows(IndexOutOfBoundsException.class, () -> buffer.getByte(-1));
    }

    @Test
    void everyPrefixOfAValidFrameClassifiesWithinBounds()
    {
        PropertyCheck.forAll("everyPrefixOfAValidFrameClassifiesWithinBounds", 300, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = variant(r, RandomFrames.any(r).bytes);
            for (int length = 0; length <= bytes.length; length++)
            {
                check(r, bytes, length, verifying);
                check(r, bytes, length, lenient);
            }
        });
    }

    @Test
    void corruptedFramesClassifyWithinBounds()
    {
        PropertyCheck.forAll("corruptedFramesClassifyWithinBounds", 2000, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = variant(r, RandomFrames.any(r).bytes);
            for (int i = 0, n = r.nextInt(1, 7); i < n; i++)
            {
                bytes[r.nextInt(bytes.length)] = interesting(r);
            }
            final int length = r.nextInt(4) == 0 ? r.nextInt(bytes.length + 1) : bytes.length;
            check(r, bytes, length, verifying);
            check(r, bytes, length, lenient);
        });
    }

    @Test
    void randomBytesClassifyWithinBounds()
    {
        PropertyCheck.forAll("randomBytesClassifyWithinBounds", 1000, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = new byte[r.nextInt(200)];
            for (int i = 0; i < bytes.length; i++)
            {
                bytes[i] = interesting(r);
            }
            if (bytes.length >= 14)
            {
                // give the parser something to chew on beyond the Ethernet header
                final int[] types = {0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8};
                final int type = types[r.nextInt(types.length)];
                bytes[12] = (byte)(type >>> 8);
                bytes[13] = (byte)type;
            }
            check(r, bytes, bytes.length, verifying);
            check(r, bytes, bytes.length, lenient);
        });
    }

    @Test
    void truncatedIcmpErrorQuotesAreReportedNotThrown()
    {
        final SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 200; i++)
        {
            final RandomFrames.Frame frame = RandomFrames.frame(
                r, r.nextBoolean() ? 4 : 6, RandomFrames.Transport.ICMP_ERROR);
            for (int length = 0; length <= frame.bytes.length; length++)
            {
                check(r, frame.bytes, length, lenient);
            }
        }
    }

    @Test
    void corruptionReachesEveryCheckAndKind()
    {
        // a short extension-header limit, so that the chain limit is reachable by corrupting real frames
        final PacketClassifier shortChains = new PacketClassifier(2, false);
        final EnumSet<Malformation> malformations = EnumSet.noneOf(Malformation.class);
        final EnumSet<Malformation> innerMalformations = EnumSet.noneOf(Malformation.class);
        final EnumSet<FrameKind> kinds = EnumSet.noneOf(FrameKind.class);
        final SplittableRandom r = new SplittableRandom(7);
        for (int i = 0; i < 30_000; i++)
        {
            final byte[] bytes = variant(r, RandomFrames.any(r).bytes);
            for (int j = 0, n = r.nextInt(0, 4); j < n; j++)
            {
                bytes[r.nextInt(bytes.length)] = interesting(r);
            }
            final int length = r.nextInt(3) == 0 ? r.nextInt(bytes.length + 1) : bytes.length;
            final PacketClassifier classifier = i % 3 == 0 ? verifying : i % 3 == 1 ? lenient : shortChains;
            kinds.add(classifier.classify(new UnsafeBuffer(bytes, 0, length), 0, length, exact));
            malformations.add(exact.malformation());
            innerMalformations.add(exact.innerMalformation());
        }
        assertEquals(EnumSet.allOf(Malformation.class), malformations);
        assertEquals(EnumSet.allOf(FrameKind.class), kinds);
        assertTrue(innerMalformations.size() > 5, innerMalformations::toString);
    }

    /** Some frames get their VLAN TPIDs changed to 802.1ad, which pcap4j does not build. */
    private static byte[] variant(final SplittableRandom r, final byte[] bytes)
    {
        final byte[] copy = bytes.clone();
        if (r.nextBoolean())
        {
            for (int p = 12; p + 4 <= copy.length && (copy[p] & 0xFF) == 0x81 && copy[p + 1] == 0; p += 4)
            {
                if (r.nextBoolean())
                {
                    copy[p] = (byte)0x88;
                    copy[p + 1] = (byte)0xA8;
                }
            }
        }
        return copy;
    }

    private static byte interesting(final SplittableRandom r)
    {
        final int[] values =
            {0x00, 0xFF, 0x45, 0x4F, 0x60, 0x81, 0x86, 0xDD, 0x08, 0x06, 0x2C, 0x3C, 0x2B, 0x33, 0x11, 0x04, 0x70};
        return (byte)(r.nextBoolean() ? values[r.nextInt(values.length)] : r.nextInt(256));
    }

    private void check(
        final SplittableRandom r, final byte[] bytes, final int length, final PacketClassifier classifier)
    {
        // the frame at the end of a region wrapped with exactly its length, itself inside a larger array
        final byte[] backing = new byte[length + 9];
        Arrays.fill(backing, (byte)0xA5);
        System.arraycopy(bytes, 0, backing, 9, length);
        final UnsafeBuffer tight = new UnsafeBuffer(backing, 9, length);
        final FrameKind kindExact = classifier.classify(tight, 0, length, exact);

        // the frame at an offset inside a larger buffer full of garbage
        final int before = r.nextInt(1, 64);
        final byte[] garbage = new byte[before + length + r.nextInt(1, 64)];
        for (int i = 0; i < garbage.length; i++)
        {
            garbage[i] = (byte)r.nextInt(256);
        }
        System.arraycopy(bytes, 0, garbage, before, length);
        final FrameKind kindEmbedded = classifier.classify(new UnsafeBuffer(garbage), before, length, embedded);

        assertEquals(kindExact, kindEmbedded);
        assertEquals(describe(exact, 0), describe(embedded, before));
        assertWithinFrame(exact, 0, length);
    }

    /** Every offset the result reports lies inside the frame. */
    static void assertWithinFrame(final ClassifiedFrame frame, final int base, final int length)
    {
        final int end = base + length;
        if (frame.kind() == FrameKind.MALFORMED)
        {
            assertNotEquals(Malformation.NONE, frame.malformation());
            return;
        }
        assertEquals(Malformation.NONE, frame.malformation());
        if (frame.l3Length() >= 0)
        {
            assertTrue(frame.l3Offset() + frame.l3Length() <= end, frame::toString);
        }
        if (frame.l4Offset() >= 0)
        {
            assertTrue(frame.l4Offset() >= frame.l3Offset() && frame.l4Offset() + frame.l4Length() <= end);
            assertTrue(frame.payloadOffset() >= frame.l4Offset());
            assertTrue(frame.payloadOffset() + frame.payloadLength() <= end);
            assertTrue(frame.payloadLength() >= 0);
        }
        if (frame.innerL3Offset() >= 0)
        {
            assertTrue(frame.innerL3Offset() + frame.innerL3Length() <= end);
            if (frame.innerL4Offset() >= 0)
            {
                assertTrue(frame.innerL4Offset() <= frame.innerL3Offset() + frame.innerL3Length());
            }
        }
    }

    /** All of a result, with offsets relative to the frame's start. */
    static String describe(final ClassifiedFrame f, final int base)
    {
        return f.kind() + " " + f.malformation() + " vlans=" + f.vlanCount() + " " +
            Integer.toHexString(f.vlanTpid(0)) + "/" + f.vlanTci(0) + " " +
            Integer.toHexString(f.vlanTpid(1)) + "/" + f.vlanTci(1) + " type=" + f.etherType() +
            " frame=" + (f.frameOffset() - base) + "+" + f.frameLength() +
            " l3=" + rel(f.l3Offset(), base) + "+" + f.l3Length() +
            " l4=" + rel(f.l4Offset(), base) + "+" + f.l4Length() +
            " payload=" + rel(f.payloadOffset(), base) + "+" + f.payloadLength() +
            " flow=" + f.flow() + " fam=" + f.flow().family() +
            " ttl=" + f.ttl() + " tos=" + f.tos() + " id=" + f.ipIdentification() +
            " frag=" + f.fragmentOffset() + "/" + f.moreFragments() + "/" + f.dontFragment() +
            " ext=" + f.extensionHeaderCount() + " tcp=" + f.tcpFlags() +
            " icmp=" + f.icmpType() + "/" + f.icmpCode() + "/" + f.isIcmpError() +
            " inner=" + f.innerMalformation() + " " + f.innerFlow() + " fam=" + f.innerFlow().family() +
            " innerL3=" + rel(f.innerL3Offset(), base) + "+" + f.innerL3Length() +
            " innerL4=" + rel(f.innerL4Offset(), base) + " innerFrag=" + f.isInnerFragment();
    }

    private static int rel(final int offset, final int base)
    {
        return offset < 0 ? offset : offset - base;
    }
}
