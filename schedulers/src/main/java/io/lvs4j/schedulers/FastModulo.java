package io.lvs4j.schedulers;

/**
 * Remainder of an unsigned 32-bit value by a fixed divisor without a division instruction (Lemire, Kaser and
 * Kurz, "Faster remainder by direct computation", 2019): with {@code M = floor((2^64 - 1) / d) + 1} precomputed,
 * {@code a mod d} is the high 64 bits of {@code (M * a mod 2^64) * d}, exactly, for every 32-bit {@code a}. The mh
 * scheduler takes a remainder by its prime table size on every pick; a 64-bit division costs several times the
 * multiplications.
 */
final class FastModulo
{
    private FastModulo()
    {
    }

    /**
     * @param divisor the fixed divisor, {@code 1 <= divisor < 2^31}.
     * @return the multiplier {@link #remainder} takes.
     */
    static long multiplier(final int divisor)
    {
        if (divisor <= 0)
        {
            throw new IllegalArgumentException("divisor " + divisor);
        }
        return Long.divideUnsigned(-1L, divisor) + 1;
    }

    /**
     * @param value      an unsigned 32-bit value.
     * @param multiplier {@link #multiplier(int)} of the divisor.
     * @param divisor    the divisor.
     * @return {@code Integer.remainderUnsigned(value, divisor)}.
     */
    static int remainder(final int value, final long multiplier, final int divisor)
    {
        final long low = multiplier * (value & 0xFFFF_FFFFL);
        // unsigned high half of low * divisor; divisor is positive, so only low's sign needs correcting
        return (int)(Math.multiplyHigh(low, divisor) + ((low >> 63) & divisor));
    }
}
