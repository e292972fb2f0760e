package io.lvs4j.core.testing;

import java.util.SplittableRandom;

/**
 * A small property-test runner: runs a check against many independently seeded random sources and, on a
 * failure, names the seed that reproduces it.
 * <p>
 * Seeds are deterministic by default (derived from the property's name), so CI is repeatable; set
 * {@code -Dlvs4j.seed=N} to replay one failing case, {@code -Dlvs4j.seed=random} to explore new cases, and
 * {@code -Dlvs4j.tries=N} to change the number of cases.
 */
public final class PropertyCheck
{
    /** A property: throws (an assertion error) when it does not hold for the values drawn from {@code random}. */
    @FunctionalInterface
    public interface Property
    {
        /**
         * Checks the property for one case.
         *
         * @param random the case's random source.
         * @throws Exception when the property does not hold or the code under test fails.
         */
        void check(SplittableRandom random) throws Exception;
    }

    private PropertyCheck()
    {
    }

    /**
     * Runs {@code property} for {@code tries} cases.
     *
     * @param name     names the property in failure messages and seeds its cases.
     * @param tries    number of cases (overridden by {@code -Dlvs4j.tries}).
     * @param property the property.
     */
    public static void forAll(final String name, final int tries, final Property property)
    {
        final String seedProperty = System.getProperty("lvs4j.seed");
        final int n = Integer.getInteger("lvs4j.tries", tries);
        final long base;
        if (seedProperty == null)
        {
            base = name.hashCode() * 0x9E37_79B9_7F4A_7C15L;
        }
        else if ("random".equals(seedProperty))
        {
            base = System.nanoTime();
        }
        else
        {
            base = Long.parseLong(seedProperty);
        }
        final int cases = seedProperty != null && !"random".equals(seedProperty) ? 1 : n;
        for (int i = 0; i < cases; i++)
        {
            final long seed = base + i;
            try
            {
                property.check(new SplittableRandom(seed));
            }
            catch (final Throwable t)
            {
                throw new AssertionError(
                    name + " failed on case " + i + " of " + cases + "; replay with -Dlvs4j.seed=" + seed, t);
            }
        }
    }
}
