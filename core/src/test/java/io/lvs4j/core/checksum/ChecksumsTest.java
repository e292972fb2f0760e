package io.lvs4j.core.checksum;

import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * The Internet checksum: known answers, a naive reference, RFC 1624 incremental updates against full recomputes,
 * the UDP zero rules, and CRC-32C against the JDK's.
 */
class ChecksumsTest
{
    @Test
    void rfc1071Example()
    {
        // RFC 1071 §3: 00 01 f2 03 f4 f5 f6 f7 sums to 0x2ddf0, folds to 0xddf2
        final UnsafeBuffer b = buffer(0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7);
        assertEquals(0xddf2, Checksums.fold(Checksums.sum(b, 0, 8)));
        assertEquals(0x220d, Checksums.finish(Checksums.sum(b, 0, 8)));
    }

    @Test
    void knownIpv4HeaderChecksum()
    {
        final UnsafeBuffer header = buffer(
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61,
            0xc0, 0xa8, 0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7);
        assertEquals(0xb861, Checksums.ipv4HeaderChecksum(header, 0, 20));
        assertTrue(Checksums.isIpv4HeaderValid(header, 0, 20));
        // the stored field does not take part in the computation
        header.putShort(10, (short)0x1234);
        assertEquals(0xb861, Checksums.ipv4HeaderChecksum(header, 0, 20));
        assertFalse(Checksums.isIpv4HeaderValid(header, 0, 20));
    }

    @Test
    void oddLengthPadsTheLastByteOnTheRight()
    {
        assertEquals(0xAB00, Checksums.sum(buffer(0xAB), 0, 1));
        assertEquals(0x0102 + 0x0300, Checksums.sum(buffer(0x01, 0x02, 0x03), 0, 3));
        assertEquals(0, Checksums.sum(buffer(0x01), 0, 0));
    }

    @Test
    void foldIsZeroOnlyForZero()
    {
        assertEquals(0, Checksums.fold(0));
        assertEquals(0xFFFF, Checksums.fold(0xFFFF));
        assertEquals(0xFFFF, Checksums.fold(0x1FFFEL));
        assertEquals(0xFFFF, Checksums.fold(0xFFFF_FFFFL));
        assertEquals(0xFFFF, Checksums.fold(0xFFFF_FFFF_FFFFL));
        assertEquals(1, Checksums.fold(0x1_0000L));
        assertEquals(0xFFFF, Checksums.finish(0));
    }

    @Test
    void sumEqualsNaiveReferenceAtAnyOffsetAndLength()
    {
        PropertyCheck.forAll("sumEqualsNaiveReferenceAtAnyOffsetAndLength", 1000, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = random(r, r.nextInt(0, 400));
            final int offset = bytes.length == 0 ? 0 : r.nextInt(bytes.length);
            final int length = r.nextInt(bytes.length - offset + 1);
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            assertEquals(naiveFold(bytes, offset, length), Checksums.fold(Checksums.sum(b, offset, length)));
        });
    }

    @Test
    void sumsOfRangesSplitAtEvenDistancesAdd()
    {
        PropertyCheck.forAll("sumsOfRangesSplitAtEvenDistancesAdd", 1000, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = random(r, r.nextInt(2, 300));
            final int split = r.nextInt(bytes.length / 2 + 1) * 2;
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            assertEquals(
                Checksums.fold(Checksums.sum(b, 0, bytes.length)),
                Checksums.fold(Checksums.sum(b, 0, split) + Checksums.sum(b, split, bytes.length - split)));
        });
    }

    @Test
    void incrementalUpdatesEqualFullRecompute()
    {
        PropertyCheck.forAll("incrementalUpdatesEqualFullRecompute", 1000, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = random(r, 2 * r.nextInt(8, 200) + (r.nextBoolean() ? 1 : 0));
            // sometimes an all-zero message, the one whose sum is 0
            if (r.nextInt(20) == 0)
            {
                java.util.Arrays.fill(bytes, (byte)0);
            }
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            final int checksum = Checksums.finish(Checksums.sum(b, 0, bytes.length));

            final int width = 2 << r.nextInt(4); // 2, 4, 8 or 16 bytes changed
            final int at = 2 * r.nextInt((bytes.length - 16) / 2 + 1);
            final byte[] before = new byte[16];
            b.getBytes(at, before, 0, 16);
            final byte[] after = before.clone();
            for (int i = 0; i < width; i++)
            {
                after[i] = (byte)(r.nextInt(8) == 0 ? 0 : r.nextInt(256));
            }
            b.putBytes(at, after);
            final int full = Checksums.finish(Checksums.sum(b, 0, bytes.length));

            final UnsafeBuffer o = new UnsafeBuffer(before);
            final UnsafeBuffer n = new UnsafeBuffer(after);
            final int incremental;
            switch (width)
            {
                case 2:
                    incremental = Checksums.update16(checksum, o.getShort(0, ByteOrder.BIG_ENDIAN) & 0xFFFF,
                        n.getShort(0, ByteOrder.BIG_ENDIAN) & 0xFFFF);
                    break;
                case 4:
                    incremental = Checksums.update32(checksum, o.getInt(0, ByteOrder.BIG_ENDIAN),
                        n.getInt(0, ByteOrder.BIG_ENDIAN));
                    break;
                case 8:
                    incremental = Checksums.update32(
                        Checksums.update32(checksum, o.getInt(0, ByteOrder.BIG_ENDIAN), n.getInt(0, ByteOrder.BIG_ENDIAN)),
                        o.getInt(4, ByteOrder.BIG_ENDIAN), n.getInt(4, ByteOrder.BIG_ENDIAN));
                    break;
                default:
                    incremental = Checksums.update128(checksum,
                        o.getLong(0, ByteOrder.BIG_ENDIAN), o.getLong(8, ByteOrder.BIG_ENDIAN),
                        n.getLong(0, ByteOrder.BIG_ENDIAN), n.getLong(8, ByteOrder.BIG_ENDIAN));
                    break;
            }
            // the same number, except around an all-zero message (a sum of 0, not 0xFFFF), where the two may pick
            // different forms of one's-complement zero
            final boolean zeroMessage = isZero(before, bytes, at) || Checksums.sum(b, 0, bytes.length) == 0;
            if (zeroMessage)
            {
                assertEquals(full % 0xFFFF, incremental % 0xFFFF);
            }
            else
            {
                assertEquals(full, incremental);
            }
        });
    }

    @Test
    void udpComputedZeroIsSentAsAllOnes()
    {
        // IPv4 + UDP, then pick a payload word that makes the checksum come out as 0
        final UnsafeBuffer b = new UnsafeBuffer(new byte[20 + 12]);
        b.putInt(12, 0x0A00_0001, ByteOrder.BIG_ENDIAN);
        b.putInt(16, 0x0A00_0002, ByteOrder.BIG_ENDIAN);
        b.putShort(20, (short)1234, ByteOrder.BIG_ENDIAN);
        b.putShort(22, (short)53, ByteOrder.BIG_ENDIAN);
        b.putShort(24, (short)12, ByteOrder.BIG_ENDIAN);
        final int raw = Checksums.finish(Checksums.pseudoHeaderSumV4(b, 0, 17, 12) +
            Checksums.sumSkippingField(b, 20, 12, Checksums.UDP_CHECKSUM_OFFSET));
        b.putShort(28, (short)raw, ByteOrder.BIG_ENDIAN);
        assertEquals(0, Checksums.finish(Checksums.pseudoHeaderSumV4(b, 0, 17, 12) +
            Checksums.sumSkippingField(b, 20, 12, Checksums.UDP_CHECKSUM_OFFSET)));
        assertEquals(0xFFFF, Checksums.udpChecksumV4(b, 0, 20, 12));
        // and it verifies: the sum over everything, field included, is "negative zero"
        b.putShort(26, (short)0xFFFF, ByteOrder.BIG_ENDIAN);
        assertEquals(0xFFFF, Checksums.fold(Checksums.pseudoHeaderSumV4(b, 0, 17, 12) + Checksums.sum(b, 20, 12)));
    }

    @Test
    void udpZeroChecksumMeansNoneAndStaysZero()
    {
        assertEquals(0, Checksums.updateUdp16(0, 1234, 80));
        assertEquals(0, Checksums.updateUdp32(0, 0x0A00_0001, 0xC000_0201));
        assertEquals(0, Checksums.updateUdp128(0, 1, 2, 3, 4));
        assertNotEquals(0, Checksums.update16(0, 1234, 80));
    }

    @Test
    void udpIncrementalResultOfZeroBecomesAllOnes()
    {
        // checksum 1 means the data sums to 0xFFFE; adding 1 makes the sum 0xFFFF and the checksum 0
        assertEquals(0, Checksums.update16(1, 0, 1));
        assertEquals(0xFFFF, Checksums.updateUdp16(1, 0, 1));
        assertEquals(0xFFFF, Checksums.updateUdp32(1, 0, 1));
        assertEquals(0xFFFF, Checksums.updateUdp128(1, 0, 0, 0, 1));
        assertEquals(0xFFFF, Checksums.udpNonZero(0));
        assertEquals(0x1234, Checksums.udpNonZero(0x1234));
    }

    @Test
    void pseudoHeadersFromBufferEqualPseudoHeadersFromValues()
    {
        PropertyCheck.forAll("pseudoHeadersFromBufferEqualPseudoHeadersFromValues", 200, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final UnsafeBuffer b = new UnsafeBuffer(random(r, 40));
            final int length = r.nextInt(65536);
            assertEquals(
                Checksums.fold(Checksums.pseudoHeaderSumV4(b.getInt(12, ByteOrder.BIG_ENDIAN),
                    b.getInt(16, ByteOrder.BIG_ENDIAN), 6, length)),
                Checksums.fold(Checksums.pseudoHeaderSumV4(b, 0, 6, length)));
            assertEquals(
                Checksums.fold(Checksums.pseudoHeaderSumV6(
                    b.getLong(8, ByteOrder.BIG_ENDIAN), b.getLong(16, ByteOrder.BIG_ENDIAN),
                    b.getLong(24, ByteOrder.BIG_ENDIAN), b.getLong(32, ByteOrder.BIG_ENDIAN), 17, length)),
                Checksums.fold(Checksums.pseudoHeaderSumV6(b, 0, 17, length)));
        });
    }

    @Test
    void crc32cEqualsTheJdks()
    {
        PropertyCheck.forAll("crc32cEqualsTheJdks", 500, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = random(r, r.nextInt(0, 300));
            final CRC32C jdk = new CRC32C();
            jdk.update(bytes);
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            assertEquals((int)jdk.getValue(), Checksums.crc32c(0, b, 0, bytes.length));
            // continuing a CRC over a split equals one pass
            final int split = r.nextInt(bytes.length + 1);
            assertEquals((int)jdk.getValue(),
                Checksums.crc32c(Checksums.crc32c(0, b, 0, split), b, split, bytes.length - split));
        });
    }

    @Test
    void crc32cKnownAnswer()
    {
        // the CRC-32C check value of "123456789" (RFC 3720 B.4 lists test vectors of the same function)
        final UnsafeBuffer b = new UnsafeBuffer("123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(0xE306_9283, Checksums.crc32c(0, b, 0, 9));
    }

    @Test
    void sctpChecksumIsCrc32cWithTheFieldZeroed()
    {
        PropertyCheck.forAll("sctpChecksumIsCrc32cWithTheFieldZeroed", 200, random ->
        {
            final long seed = random.nextLong();
            final SplittableRandom r = new SplittableRandom(seed);
            final byte[] bytes = random(r, r.nextInt(12, 200));
            final UnsafeBuffer b = new UnsafeBuffer(bytes);
            final int ours = Checksums.sctpChecksum(b, 0, bytes.length);
            final byte[] zeroed = bytes.clone();
            zeroed[8] = zeroed[9] = zeroed[10] = zeroed[11] = 0;
            final CRC32C jdk = new CRC32C();
            jdk.update(zeroed);
            assertEquals((int)jdk.getValue(), ours);
        });
    }

    private static boolean isZero(final byte[] changedRange, final byte[] message, final int at)
    {
        for (int i = 0; i < message.length; i++)
        {
            final byte original = i >= at && i < at + changedRange.length ? changedRange[i - at] : message[i];
            if (original != 0)
            {
                return false;
            }
        }
        return true;
    }

    private static int naiveFold(final byte[] bytes, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            final int hi = bytes[offset + i] & 0xFF;
            final int lo = i + 1 < length ? bytes[offset + i + 1] & 0xFF : 0;
            sum += hi << 8 | lo;
            while ((sum >>> 16) != 0)
            {
                sum = (sum & 0xFFFF) + (sum >>> 16);
            }
        }
        return (int)sum;
    }

    private static byte[] random(final SplittableRandom r, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)r.nextInt(256);
        }
        return bytes;
    }

    private static UnsafeBuffer buffer(final int... bytes)
    {
        final byte[] b = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++)
        {
            b[i] = (byte)bytes[i];
        }
        return new UnsafeBuffer(b);
    }
}
