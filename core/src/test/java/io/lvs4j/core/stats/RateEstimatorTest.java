package io.lvs4j.core.stats;

import java.math.BigInteger;

import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RateEstimatorTest
{
    @Test
    void connectionRateFollowsTheKernelsQuarterWeightSequence()
    {
        // 100 connections per 2 s tick = 50/s; by hand from ip_vs_est.c:
        // rate = 100 << 9 = 51200; avg: 0 -> 12800 -> 22400 -> 29600; read (avg + 0x1FF) >> 10 = 12, 22, 29
        final RateEstimator e = new RateEstimator();
        e.tick(100, 0, 0, 0, 0);
        assertEquals(12800, e.cpsScaled());
        assertEquals(12, e.cps());
        e.tick(200, 0, 0, 0, 0);
        assertEquals(22400, e.cpsScaled());
        assertEquals(22, e.cps());
        e.tick(300, 0, 0, 0, 0);
        assertEquals(29600, e.cpsScaled());
        assertEquals(29, e.cps());
        // nothing new: 29600 + ((0 - 29600) >> 2) = 22200 -> 22
        e.tick(300, 0, 0, 0, 0);
        assertEquals(22200, e.cpsScaled());
        assertEquals(22, e.cps());
    }

    @Test
    void decayUsesAnArithmeticShiftNotATruncatingDivision()
    {
        final RateEstimator e = new RateEstimator();
        e.tick(100, 0, 0, 0, 0);  // 12800
        e.tick(200, 0, 0, 0, 0);  // 22400
        e.tick(300, 0, 0, 0, 0);  // 29600
        e.tick(300, 0, 0, 0, 0);  // 22200
        e.tick(301, 0, 0, 0, 0);  // 22200 + ((512 - 22200) >> 2) = 22200 - 5422 = 16778
        assertEquals(16778, e.cpsScaled());
        e.tick(301, 0, 0, 0, 0);  // (-16778) >> 2 = -4195 (a division would give -4194): 12583
        assertEquals(12583, e.cpsScaled());
        assertEquals(12, e.cps());
    }

    @Test
    void byteRatesUseTheTwoToTheFifthScale()
    {
        // 1000 bytes in 2 s: rate = 1000 << 4 = 16000, avg 4000, read (4000 + 0xF) >> 5 = 125
        final RateEstimator e = new RateEstimator();
        e.tick(0, 10, 4, 1000, 600);
        assertEquals(4000, e.inBpsScaled());
        assertEquals(125, e.inBps());
        // outbytes 600: 9600 >> 2 = 2400 -> (2400 + 15) >> 5 = 75
        assertEquals(75, e.outBps());
        // 10 packets: 5120 >> 2 = 1280 -> (1280 + 511) >> 10 = 1; 4 packets: 512 -> (512 + 511) >> 10 = 0
        assertEquals(1, e.inPps());
        assertEquals(0, e.outPps());
        e.tick(0, 20, 8, 2000, 1200);
        // 4000 + (16000 - 4000) / 4 = 7000 -> 219
        assertEquals(7000, e.inBpsScaled());
        assertEquals(219, e.inBps());
        assertEquals(new IpvsStats(0, 20, 8, 2000, 1200, 0, e.inPps(), e.outPps(), 219, e.outBps()),
            e.stats(0, 20, 8, 2000, 1200));
    }

    @Test
    void steadyTrafficConvergesToTheTrueRate()
    {
        final RateEstimator e = new RateEstimator();
        long conns = 0;
        long bytes = 0;
        for (int i = 0; i < 100; i++)
        {
            conns += 2000;     // 1000/s
            bytes += 3_000_000; // 1.5 MB/s
            e.tick(conns, conns * 10, conns * 8, bytes, bytes / 3);
        }
        assertEquals(1000, e.cps());
        assertEquals(10_000, e.inPps());
        assertEquals(8000, e.outPps());
        assertEquals(1_500_000, e.inBps());
        assertEquals(500_000, e.outBps());
    }

    @Test
    void zeroRestartsFromTheCurrentCounters()
    {
        final RateEstimator e = new RateEstimator();
        e.tick(1000, 1000, 1000, 1000, 1000);
        e.zero(5000, 5000, 5000, 5000, 5000);
        assertEquals(0, e.cps());
        assertEquals(0, e.inBps());
        e.tick(5100, 5000, 5000, 5000, 5000);
        assertEquals(12, e.cps());
        assertEquals(0, e.inPps());
    }

    @Test
    void countersThatWrapStillGiveTheDelta()
    {
        final RateEstimator e = new RateEstimator();
        e.zero(-10, -10, -10, -10, -10); // 2^64 - 10
        e.tick(90, 90, 90, 90, 90);      // 100 more, across the wrap
        assertEquals(12800, e.cpsScaled());
        assertEquals(12, e.cps());
    }

    @Test
    void matchesAnIndependentModelOfTheKernelArithmetic()
    {
        PropertyCheck.forAll("estimator vs u64/s64 model", 200, random ->
        {
            final RateEstimator e = new RateEstimator();
            final KernelModel m = new KernelModel();
            final long[] counters = new long[5];
            for (int tick = 0; tick < 60; tick++)
            {
                for (int k = 0; k < 5; k++)
                {
                    final int scale = random.nextInt(4);
                    counters[k] += scale == 0 ? 0 : scale == 1 ? random.nextInt(100) :
                        scale == 2 ? random.nextInt(1_000_000) : random.nextLong(1L << 40);
                }
                if (random.nextInt(30) == 0)
                {
                    e.zero(counters[0], counters[1], counters[2], counters[3], counters[4]);
                    m.zero(counters);
                }
                else
                {
                    e.tick(counters[0], counters[1], counters[2], counters[3], counters[4]);
                    m.tick(counters);
                }
                assertEquals(m.read(0, 0x1FF, 10), e.cps(), "cps");
                assertEquals(m.read(1, 0x1FF, 10), e.inPps(), "inpps");
                assertEquals(m.read(2, 0x1FF, 10), e.outPps(), "outpps");
                assertEquals(m.read(3, 0xF, 5), e.inBps(), "inbps");
                assertEquals(m.read(4, 0xF, 5), e.outBps(), "outbps");
            }
        });
    }

    /** The kernel's formulas in arbitrary precision with explicit u64/s64 conversions. */
    private static final class KernelModel
    {
        private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);
        private static final BigInteger TWO_63 = BigInteger.ONE.shiftLeft(63);
        private final BigInteger[] last = {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
            BigInteger.ZERO};
        private final BigInteger[] avg = {BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO, BigInteger.ZERO,
            BigInteger.ZERO};

        private static BigInteger u64(final BigInteger v)
        {
            return v.mod(TWO_64);
        }

        private static BigInteger s64(final BigInteger v)
        {
            final BigInteger u = u64(v);
            return u.compareTo(TWO_63) >= 0 ? u.subtract(TWO_64) : u;
        }

        private static BigInteger unsigned(final long v)
        {
            return u64(BigInteger.valueOf(v));
        }

        void tick(final long[] counters)
        {
            for (int k = 0; k < 5; k++)
            {
                final BigInteger now = unsigned(counters[k]);
                final BigInteger rate = u64(u64(now.subtract(last[k])).shiftLeft(k < 3 ? 9 : 4));
                last[k] = now;
                // (s64)rate - (s64)avg, then an arithmetic shift (floor), then added to the u64 average
                final BigInteger diff = s64(s64(rate).subtract(s64(avg[k])));
                avg[k] = u64(avg[k].add(diff.shiftRight(2)));
            }
        }

        void zero(final long[] counters)
        {
            for (int k = 0; k < 5; k++)
            {
                last[k] = unsigned(counters[k]);
                avg[k] = BigInteger.ZERO;
            }
        }

        long read(final int k, final int round, final int shift)
        {
            return u64(avg[k].add(BigInteger.valueOf(round))).shiftRight(shift).longValue();
        }
    }
}
