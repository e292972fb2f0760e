package io.lvs4j.schedulers;

/**
 * The kernel's {@code hsiphash} as a 64-bit kernel computes it ({@code lib/siphash.c}, {@code BITS_PER_LONG == 64}):
 * SipHash-1-3 with two 64-bit key words, truncated to its low 32 bits. The mh scheduler hashes with it, so that
 * its tables match the kernel's slot for slot. (32-bit kernels use HalfSipHash-1-3 and build other tables.)
 */
final class HsipHash
{
    private static final long C0 = 0x736f_6d65_7073_6575L;
    private static final long C1 = 0x646f_7261_6e64_6f6dL;
    private static final long C2 = 0x6c79_6765_6e65_7261L;
    private static final long C3 = 0x7465_6462_7974_6573L;

    private HsipHash()
    {
    }

    /**
     * {@code hsiphash(&value, 4, key)} (also {@code hsiphash_1u32}): one 32-bit word, read as the little-endian
     * machine the kernel runs on stores it, so the word is the low half of the final block.
     *
     * @param k0    key word 0.
     * @param k1    key word 1.
     * @param value the 32-bit input.
     * @return the 32-bit hash.
     */
    static int hash32(final long k0, final long k1, final int value)
    {
        final long b = (4L << 56) | (value & 0xFFFF_FFFFL);
        long v0 = C0 ^ k0;
        long v1 = C1 ^ k1;
        long v2 = C2 ^ k0;
        long v3 = C3 ^ k1 ^ b;

        // one compression round for the final block
        v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
        v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
        v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
        v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);

        v0 ^= b;
        v2 ^= 0xFF;
        for (int i = 0; i < 3; i++)
        {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return (int)(v0 ^ v1 ^ v2 ^ v3);
    }

    /**
     * {@code hsiphash(data, length, key)} over any bytes, for checking against the kernel's self-test vectors.
     *
     * @param k0     key word 0.
     * @param k1     key word 1.
     * @param data   the input.
     * @param offset first byte.
     * @param length number of bytes.
     * @return the 32-bit hash.
     */
    static int hash(final long k0, final long k1, final byte[] data, final int offset, final int length)
    {
        long v0 = C0 ^ k0;
        long v1 = C1 ^ k1;
        long v2 = C2 ^ k0;
        long v3 = C3 ^ k1;
        final int full = length & ~7;
        for (int i = 0; i <= full; i += 8)
        {
            final int left = Math.min(8, length - i);
            long m = 0;
            for (int j = left - 1; j >= 0; j--)
            {
                m = (m << 8) | (data[offset + i + j] & 0xFF);
            }
            if (i == full)
            {
                m |= (long)(length & 0xFF) << 56;
            }
            v3 ^= m;
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
            v0 ^= m;
        }
        v2 ^= 0xFF;
        for (int i = 0; i < 3; i++)
        {
            v0 += v1; v1 = Long.rotateLeft(v1, 13); v1 ^= v0; v0 = Long.rotateLeft(v0, 32);
            v2 += v3; v3 = Long.rotateLeft(v3, 16); v3 ^= v2;
            v0 += v3; v3 = Long.rotateLeft(v3, 21); v3 ^= v0;
            v2 += v1; v1 = Long.rotateLeft(v1, 17); v1 ^= v2; v2 = Long.rotateLeft(v2, 32);
        }
        return (int)(v0 ^ v1 ^ v2 ^ v3);
    }
}
