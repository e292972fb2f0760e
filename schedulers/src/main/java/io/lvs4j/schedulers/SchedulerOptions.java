package io.lvs4j.schedulers;

import io.lvs4j.core.service.ServiceFlags;

import java.util.concurrent.TimeUnit;

/**
 * What a scheduler may be told about its service beyond the real servers: the service's scheduler flags
 * ({@code sh-fallback}, {@code sh-port}, {@code mh-fallback}, {@code mh-port}) and the tunables that the kernel
 * takes from Kconfig or sysctls. Fluent and mutable while being set up, like Aeron's {@code Context}; a
 * scheduler copies what it needs when it is created.
 */
public final class SchedulerOptions
{
    /** The kernel's default mh table size: {@code CONFIG_IP_VS_MH_TAB_INDEX} 12 gives the prime 4093. */
    public static final int DEFAULT_MH_TABLE_SIZE = 4093;
    /** Weighted Maglev's default table size, the paper's and Katran's prime 65537. */
    public static final int DEFAULT_MAGLEV_TABLE_SIZE = 65537;
    /** The sh table size from the default {@code CONFIG_IP_VS_SH_TAB_BITS} 8. */
    public static final int DEFAULT_SH_TABLE_BITS = 8;
    /** {@code lblc_expiration} / {@code lblcr_expiration} sysctl default: 24 hours. */
    public static final long DEFAULT_LBLC_EXPIRATION_MS = TimeUnit.HOURS.toMillis(24);

    /**
     * Up to this many real servers, lc, wlc, sed, nq, fo, ovf and twos scan the list as the kernel does; above it they
     * keep a load tree. {@code SchedulerBenchmark.pickAndCount} (decision plus a connection's counting) put the
     * crossover for wlc between 2 servers (scan 37 ns, tree 46 ns) and 10 (scan 90, tree 72), and for twos near 10
     * (scan 93, tree 95; at 16: 116 and 100).
     */
    public static final int DEFAULT_LOAD_TREE_ABOVE = 8;

    private int serviceFlags;
    private int loadTreeAbove = DEFAULT_LOAD_TREE_ABOVE;
    private int mhTableSize = DEFAULT_MH_TABLE_SIZE;
    private int maglevTableSize = DEFAULT_MAGLEV_TABLE_SIZE;
    private int shTableBits = DEFAULT_SH_TABLE_BITS;
    private long lblcExpirationMs = DEFAULT_LBLC_EXPIRATION_MS;
    private RandomSource random = RandomSource.THREAD_LOCAL;
    private String serviceName = "";

    /** @return the service's flags ({@link ServiceFlags}); schedulers read SCHED1..SCHED3. */
    public int serviceFlags()
    {
        return serviceFlags;
    }

    /**
     * @param flags the service's {@link ServiceFlags}.
     * @return this.
     */
    public SchedulerOptions serviceFlags(final int flags)
    {
        serviceFlags = flags;
        return this;
    }

    /** @return mh's lookup table size, a prime from the kernel's list. */
    public int mhTableSize()
    {
        return mhTableSize;
    }

    /**
     * @param size one of the kernel's mh primes (251, 509, 1021, 2039, 4093, 8191, 16381, 32749, 65521, 131071).
     * @return this.
     */
    public SchedulerOptions mhTableSize(final int size)
    {
        mhTableSize = size;
        return this;
    }

    /** @return weighted Maglev's lookup table size, a prime. */
    public int maglevTableSize()
    {
        return maglevTableSize;
    }

    /**
     * @param size a prime; larger tables balance better and cost more to build.
     * @return this.
     */
    public SchedulerOptions maglevTableSize(final int size)
    {
        maglevTableSize = size;
        return this;
    }

    /** @return sh's table size as a power of two (the kernel's {@code CONFIG_IP_VS_SH_TAB_BITS}, 4..20). */
    public int shTableBits()
    {
        return shTableBits;
    }

    /**
     * @param bits 4..20.
     * @return this.
     */
    public SchedulerOptions shTableBits(final int bits)
    {
        shTableBits = bits;
        return this;
    }

    /** @return how long an idle lblc/lblcr entry lives ({@code lblc_expiration}). */
    public long lblcExpirationMs()
    {
        return lblcExpirationMs;
    }

    /**
     * @param ms the {@code lblc_expiration} / {@code lblcr_expiration} value in milliseconds.
     * @return this.
     */
    public SchedulerOptions lblcExpirationMs(final long ms)
    {
        lblcExpirationMs = ms;
        return this;
    }

    /** @return the random source of randomised schedulers. */
    public RandomSource random()
    {
        return random;
    }

    /**
     * @param source random numbers for {@code twos}; tests pass a fixed sequence.
     * @return this.
     */
    public SchedulerOptions random(final RandomSource source)
    {
        random = source;
        return this;
    }

    /** @return the service's name for messages, e.g. {@code TCP 203.0.113.10:80}. */
    public String serviceName()
    {
        return serviceName;
    }

    /**
     * @param name the service's name for messages.
     * @return this.
     */
    public SchedulerOptions serviceName(final String name)
    {
        serviceName = name;
        return this;
    }

    /** @return the list size up to which the least-connection family scans instead of keeping a load tree. */
    public int loadTreeAbove()
    {
        return loadTreeAbove;
    }

    /**
     * @param servers lists of up to this many servers are scanned; 0 always keeps a tree, {@link Integer#MAX_VALUE}
     *                always scans (the kernel's way, and the benchmarks' baseline).
     * @return this.
     */
    public SchedulerOptions loadTreeAbove(final int servers)
    {
        if (servers < 0)
        {
            throw new IllegalArgumentException("loadTreeAbove " + servers);
        }
        loadTreeAbove = servers;
        return this;
    }
}
