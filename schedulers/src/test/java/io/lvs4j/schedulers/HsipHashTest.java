package io.lvs4j.schedulers;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * hsiphash of a 64-bit kernel. The byte vectors are the kernel's own self-test vectors
 * ({@code lib/tests/siphash_kunit.c}, {@code BITS_PER_LONG == 64}: vector n hashes the bytes 0..n-1 under the key
 * words 0x0706050403020100, 0x0f0e0d0c0b0a0908). The values under the mh keys were computed by
 * {@code src/test/python/ipvs_hash_reference.py}, an independent SipHash-1-3 written from {@code lib/siphash.c} and
 * itself checked against those kernel vectors and against CPython's built-in SipHash-1-3.
 */
class HsipHashTest
{
    private static final long K0 = 0x0706_0504_0302_0100L;
    private static final long K1 = 0x0f0e_0d0c_0b0a_0908L;

    private static final int[] KERNEL_VECTORS = {
        0x050fc4dc, 0x7d57ca93, 0x4dc7d44d, 0xe7ddf7fb, 0x88d38328, 0x49533b67, 0xc59f22a7, 0x9bb11140,
        0x8d299a8e, 0x6c063de4, 0x92ff097f, 0xf94dc352, 0x57b4d9a2, 0x1229ffa7, 0xc0f95d34, 0x2a519956,
        0x7d908b66, 0x63dbd80c, 0xb473e63e, 0x8d297d1c, 0xa6cce040, 0x2b45f844, 0xa320872e, 0xdae6c123,
        0x67349c8c, 0x705b0979, 0xca9913a5, 0x4ade3b35, 0xef6cd00d, 0x4ab1e1f4, 0x43c5e663, 0x8c21d1bc,
        0x16a7b60d, 0x7a8ff9bf, 0x1f2a753e, 0xbf186b91, 0xada26206, 0xa3c33057, 0xae3a36a1, 0x7b108392,
        0x99e41531, 0x3f1ad944, 0xc8138825, 0xc28949a6, 0xfaf8876b, 0x9f042196, 0x68b1d623, 0x8b5114fd,
        0xdf074c46, 0x12cc86b3, 0x0a52098f, 0x9d292f9a, 0xa2f41f12, 0x43a71ed0, 0x73f0bce6, 0x70a7e980,
        0x243c6d75, 0xfdb71513, 0xa67d8a08, 0xb7e8f148, 0xf7a644ee, 0x0f1837f2, 0x4b6694e0, 0xb7bbb3a8,
    };

    @Test
    void matchesTheKernelSelfTestVectors()
    {
        final byte[] in = new byte[64];
        for (int i = 0; i < 64; i++)
        {
            in[i] = (byte)i;
        }
        for (int n = 0; n < 64; n++)
        {
            assertEquals(KERNEL_VECTORS[n], HsipHash.hash(K0, K1, in, 0, n), "length " + n);
        }
        // and from an offset, as the kernel's unaligned check does
        final byte[] shifted = new byte[65];
        System.arraycopy(in, 0, shifted, 1, 64);
        for (int n = 0; n < 64; n++)
        {
            assertEquals(KERNEL_VECTORS[n], HsipHash.hash(K0, K1, shifted, 1, n), "unaligned length " + n);
        }
    }

    @Test
    void oneWordMatchesHsiphash1u32()
    {
        // the kernel's check: hsiphash_1u32(0x03020100) equals the 4-byte vector
        assertEquals(0x88d38328, HsipHash.hash32(K0, K1, 0x0302_0100));
        for (int v : new int[]{0, 1, 0xC000_0201, -1, 0x1234_5678})
        {
            final byte[] le = {(byte)v, (byte)(v >>> 8), (byte)(v >>> 16), (byte)(v >>> 24)};
            assertEquals(HsipHash.hash(K0, K1, le, 0, 4), HsipHash.hash32(K0, K1, v));
        }
    }

    @Test
    void mhKeysGiveTheReferenceValues()
    {
        final long h1 = MaglevHashingScheduler.HASH1;
        final long h2 = MaglevHashingScheduler.HASH2;
        assertEquals(0x1d5a77c2, HsipHash.hash32(h1, h1, 0));
        assertEquals(0xf882433f, HsipHash.hash32(h2, h2, 0));
        assertEquals(0x16ec66b2, HsipHash.hash32(h1, h1, 1));
        assertEquals(0x8210aad1, HsipHash.hash32(h2, h2, 1));
        assertEquals(0x92889c88, HsipHash.hash32(h1, h1, 0xC000_0201));
        assertEquals(0xc6fe83e5, HsipHash.hash32(h2, h2, 0xC000_0201));
        // 192.0.2.1 port 80, as mh hashes a real server
        assertEquals(0x7cadd839, HsipHash.hash32(h1, h1, 0xC000_0201 + 80));
        assertEquals(0x952cb340, HsipHash.hash32(h2, h2, 0xC000_0201 + 80));
        assertEquals(0x22c5d719, HsipHash.hash32(h1, h1, 0xFFFF_FFFF));
        assertEquals(0xf75a0f5d, HsipHash.hash32(h2, h2, 0xFFFF_FFFF));
    }
}
