package io.lvs4j.schedulers;

import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The division-free remainder equals {@code Integer.remainderUnsigned} for every table size mh and maglev use. */
class FastModuloTest
{
    private static final int[] SIZES = {1, 2, 3, 7, 251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 65537,
        131071, 655373, Integer.MAX_VALUE};

    @Test
    void edgesOfTheUnsignedRange()
    {
        final int[] values = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, -2, 4092, 4093, 4094};
        for (final int d : SIZES)
        {
            final long m = FastModulo.multiplier(d);
            for (final int v : values)
            {
                assertEquals(Integer.remainderUnsigned(v, d), FastModulo.remainder(v, m, d), v + " mod " + d);
            }
        }
    }

    @Test
    void randomValues()
    {
        PropertyCheck.forAll("fast modulo", 200, random ->
        {
            final int d = random.nextBoolean() ? SIZES[random.nextInt(SIZES.length)] : 1 + random.nextInt(1 << 30);
            final long m = FastModulo.multiplier(d);
            for (int i = 0; i < 1000; i++)
            {
                final int v = random.nextInt();
                assertEquals(Integer.remainderUnsigned(v, d), FastModulo.remainder(v, m, d), v + " mod " + d);
            }
        });
    }
}
