package io.lvs4j.schedulers;

import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.service.RealServerList;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A tournament tree over one real-server list that keeps the choice of the schedulers whose kernel versions scan
 * every server per pick (lc, wlc, sed, nq, fo, ovf) without the scan: each leaf is a list position, each inner node
 * holds the winner of its two children under the scheduler's comparison, and the root is the server the kernel's
 * scan would return. Each of those scans is an arg-min over a total order (the scheduler's key, then the list
 * position, because strict comparisons keep the earlier server on a tie), which is what makes a tournament give the
 * same answer. Comparisons keep the scan's rules exactly: weights cross-multiplied in 64 bits, quiesced and
 * OVERLOADed servers never win, and on a tie the left child (the earlier list position) wins.
 * <p>
 * Load changes arrive through {@link #markDirty} from whichever thread changed the counts (one or two atomic ORs
 * into a bitmap). The tree itself is only touched by one picker at a time: a pick that wins the owner flag with one
 * compare-and-set refreshes the paths of the dirty leaves (stopping early where a node's winner is unchanged and
 * is not the changed leaf) and reads the root; a pick that finds another worker owning the tree does not wait but
 * falls back to the scan, which gives the same answer. So picks are lock-free, and once changes stop the root
 * equals the scan's choice.
 */
final class LoadTree
{
    /** lc: smallest {@code activeconns * 256 + inactconns}, weights ignored except 0. */
    static final int LEAST_CONNECTION = 0;
    /** wlc: smallest {@code overhead / weight}. */
    static final int WEIGHTED_LEAST_CONNECTION = 1;
    /** sed: smallest {@code (activeconns + 1) / weight}. */
    static final int SHORTEST_EXPECTED_DELAY = 2;
    /** nq: the first server with no active connection in list order, else as sed. */
    static final int NEVER_QUEUE = 3;
    /** fo: the highest weight. */
    static final int WEIGHTED_FAILOVER = 4;
    /** ovf: the highest weight among servers whose active connections do not exceed it. */
    static final int WEIGHTED_OVERFLOW = 5;
    /**
     * twos: two weighted random draws. Not a winner tree: inner nodes hold the sum of the eligible weights below
     * them, so a draw finds its server by descending instead of walking the list.
     */
    static final int TWO_CHOICES = 6;

    private static final long INELIGIBLE = -1;
    /** Up to this many bitmap words (256 servers) a pick reads them all rather than keep a summary word. */
    private static final int SUMMARY_FREE_WORDS = 4;

    private static final VarHandle DIRTY = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle SUMMARY;
    private static final VarHandle OWNER;

    static
    {
        try
        {
            final MethodHandles.Lookup lookup = MethodHandles.lookup();
            SUMMARY = lookup.findVarHandle(LoadTree.class, "summary", long.class);
            OWNER = lookup.findVarHandle(LoadTree.class, "owner", int.class);
        }
        catch (final ReflectiveOperationException e)
        {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final RealServerList servers;
    private final DestinationCounters counters;
    private final int metric;
    private final int size;
    private final int leaves;
    private final int[] ids;
    private final int[] weights;
    private final int[] positionById;
    private final int[] winner;
    private final long[] key;
    private final long[] weightSums;
    private final RandomSource random;
    private final boolean scanOnly;
    private final long[] dirty;
    private final boolean useSummary;
    @SuppressWarnings("unused")
    private volatile long summary;
    @SuppressWarnings("unused")
    private volatile int owner;
    private volatile boolean rebuild = true;
    private long fallbacks;

    LoadTree(final RealServerList servers, final int metric, final RandomSource random, final boolean scanOnly)
    {
        this.scanOnly = scanOnly;
        this.servers = servers;
        this.counters = servers.counters();
        this.metric = metric;
        size = servers.size();
        int p = 2;
        while (p < size)
        {
            p <<= 1;
        }
        leaves = p;
        ids = new int[size];
        weights = new int[size];
        int maxId = 0;
        for (int i = 0; i < size; i++)
        {
            ids[i] = servers.id(i);
            weights[i] = servers.weight(i);
            maxId = Math.max(maxId, ids[i]);
        }
        positionById = new int[maxId + 1];
        java.util.Arrays.fill(positionById, -1);
        for (int i = 0; i < size; i++)
        {
            positionById[ids[i]] = i;
        }
        this.random = random;
        winner = new int[2 * leaves];
        weightSums = metric == TWO_CHOICES ? new long[2 * leaves] : null;
        useSummary = (leaves + 63) >>> 6 > SUMMARY_FREE_WORDS;
        key = new long[leaves];
        dirty = new long[(leaves + 63) >>> 6];
    }

    RealServerList servers()
    {
        return servers;
    }

    /** How many picks found the tree busy and scanned instead (diagnostics; racy by design). */
    long fallbacks()
    {
        return fallbacks;
    }

    /**
     * Notes that a destination's load or flags changed; its path is refreshed by the next pick that owns the tree.
     * Wait-free: reads first so that repeated changes of one server cost no atomic write.
     */
    void markDirty(final int dest)
    {
        if (dest < 0 || dest >= positionById.length)
        {
            return;
        }
        final int position = positionById[dest];
        if (position < 0)
        {
            return;
        }
        final int word = position >>> 6;
        final long bit = 1L << position;
        if (((long)DIRTY.getVolatile(dirty, word) & bit) == 0)
        {
            DIRTY.getAndBitwiseOr(dirty, word, bit);
        }
        if (!useSummary)
        {
            return;
        }
        final long summaryBit = 1L << word;
        if (((long)SUMMARY.getVolatile(this) & summaryBit) == 0)
        {
            SUMMARY.getAndBitwiseOr(this, summaryBit);
        }
    }

    /**
     * The scheduler's choice.
     *
     * @return the list position, or {@link LoadScan#NONE}.
     */
    int pick()
    {
        if (scanOnly)
        {
            return scan();
        }
        if (!OWNER.compareAndSet(this, 0, 1))
        {
            fallbacks++;
            return scan();
        }
        try
        {
            if (rebuild)
            {
                rebuild = false;
                SUMMARY.getAndSet(this, 0L);
                for (int w = 0; w < dirty.length; w++)
                {
                    DIRTY.getAndSet(dirty, w, 0L);
                }
                buildAll();
            }
            else if (!useSummary)
            {
                drainWords(-1L);
            }
            else if ((long)SUMMARY.getVolatile(this) != 0)
            {
                drainWords((long)SUMMARY.getAndSet(this, 0L));
            }
            return metric == TWO_CHOICES ? twoChoices() : winner[1];
        }
        finally
        {
            OWNER.setRelease(this, 0);
        }
    }

    /** The scan the kernel does, for a pick that finds the tree busy. */
    int scan()
    {
        switch (metric)
        {
            case LEAST_CONNECTION:
                return LoadScan.leastConnection(servers);
            case WEIGHTED_LEAST_CONNECTION:
                return LoadScan.weightedLeastConnection(servers);
            case SHORTEST_EXPECTED_DELAY:
                return LoadScan.shortestExpectedDelay(servers, false);
            case NEVER_QUEUE:
                return LoadScan.shortestExpectedDelay(servers, true);
            case WEIGHTED_FAILOVER:
                return LoadScan.weightedFailover(servers);
            case TWO_CHOICES:
                return LoadScan.twoChoices(servers, random);
            default:
                return LoadScan.weightedOverflow(servers);
        }
    }

    private void buildAll()
    {
        for (int i = 0; i < leaves; i++)
        {
            winner[leaves + i] = i < size ? i : LoadScan.NONE;
            if (i < size)
            {
                key[i] = keyOf(i);
            }
        }
        if (weightSums != null)
        {
            for (int i = 0; i < leaves; i++)
            {
                weightSums[leaves + i] = i < size ? Math.max(key[i], 0) : 0;
            }
            for (int node = leaves - 1; node >= 1; node--)
            {
                weightSums[node] = weightSums[2 * node] + weightSums[2 * node + 1];
            }
            return;
        }
        for (int node = leaves - 1; node >= 1; node--)
        {
            winner[node] = better(winner[2 * node], winner[2 * node + 1]);
        }
    }

    /**
     * {@code ip_vs_twos_schedule} on the sums: draws {@code r1, r2} uniform in {@code [0, T]} over the eligible
     * weight {@code T}; the kernel's walk stops at the first eligible server where the running weight reaches the
     * draw (a draw of 0 at the first eligible server), which is where a descent for {@code max(r, 1)} lands. Keeps
     * the second server only when it is less loaded by weight, as the kernel does.
     */
    private int twoChoices()
    {
        final long total = weightSums[1];
        if (total <= 0)
        {
            return LoadScan.NONE;
        }
        final int first = descend(Math.max(random.nextLong(total + 1), 1));
        final int second = descend(Math.max(random.nextLong(total + 1), 1));
        final long overheadFirst = counters.overhead(ids[first]);
        final long overheadSecond = counters.overhead(ids[second]);
        return (long)weights[second] * overheadFirst > (long)weights[first] * overheadSecond ? second : first;
    }

    private int descend(final long target)
    {
        long remaining = target;
        int node = 1;
        while (node < leaves)
        {
            final long left = weightSums[2 * node];
            if (left >= remaining)
            {
                node = 2 * node;
            }
            else
            {
                remaining -= left;
                node = 2 * node + 1;
            }
        }
        return node - leaves;
    }

    /**
     * Refreshes the dirty leaves of the words flagged in {@code words} (bit {@code w & 63} for word {@code w}). A
     * word is claimed with an atomic swap only when a plain volatile read finds it non-zero, so a pick with nothing
     * to do costs no atomic write.
     */
    private void drainWords(final long words)
    {
        for (int w = 0; w < dirty.length; w++)
        {
            if ((words & (1L << w)) == 0 || (long)DIRTY.getVolatile(dirty, w) == 0)
            {
                continue;
            }
            long bits = (long)DIRTY.getAndSet(dirty, w, 0L);
            while (bits != 0)
            {
                final int position = (w << 6) + Long.numberOfTrailingZeros(bits);
                bits &= bits - 1;
                refresh(position);
            }
        }
    }

    /**
     * Recomputes the winners on a leaf's path to the root. Above a node whose winner is unchanged and is another
     * leaf, nothing this leaf did can matter: that winner's load did not change (or it is dirty and refreshed on
     * its own), so the comparisons further up stand.
     */
    private void refresh(final int position)
    {
        key[position] = keyOf(position);
        if (weightSums != null)
        {
            final long delta = Math.max(key[position], 0) - weightSums[leaves + position];
            for (int node = leaves + position; delta != 0 && node >= 1; node >>>= 1)
            {
                weightSums[node] += delta;
            }
            return;
        }
        int node = (leaves + position) >>> 1;
        while (node >= 1)
        {
            final int old = winner[node];
            final int now = better(winner[2 * node], winner[2 * node + 1]);
            winner[node] = now;
            if (now == old && old != position)
            {
                return;
            }
            node >>>= 1;
        }
    }

    /**
     * A leaf's key from its live counts, read once per change of the server so that the comparisons up its path
     * and every later one read only this array: {@link #INELIGIBLE} for a server that may not take connections,
     * else the load the scheduler compares (the overhead for lc and wlc, {@code activeconns + 1} for sed and nq,
     * 0 for fo and ovf, which compare weights only).
     */
    private long keyOf(final int position)
    {
        final int weight = weights[position];
        final int id = ids[position];
        if (weight <= 0 || counters.isOverloaded(id))
        {
            return INELIGIBLE;
        }
        switch (metric)
        {
            case LEAST_CONNECTION:
            case WEIGHTED_LEAST_CONNECTION:
                return counters.overhead(id);
            case SHORTEST_EXPECTED_DELAY:
            case NEVER_QUEUE:
                return counters.active(id) + 1L;
            case WEIGHTED_FAILOVER:
                return 0;
            case TWO_CHOICES:
                return weight;
            default:
                return counters.active(id) <= weight ? 0 : INELIGIBLE;
        }
    }

    /** The winner of a left candidate (earlier in the list) and a right one; -1 stands for none. */
    private int better(final int left, final int right)
    {
        final long leftKey = left >= 0 ? key[left] : INELIGIBLE;
        final long rightKey = right >= 0 ? key[right] : INELIGIBLE;
        if (leftKey == INELIGIBLE)
        {
            return rightKey == INELIGIBLE ? LoadScan.NONE : right;
        }
        if (rightKey == INELIGIBLE)
        {
            return left;
        }
        switch (metric)
        {
            case LEAST_CONNECTION:
                return rightKey < leftKey ? right : left;
            case NEVER_QUEUE:
                // An idle server (key 1) comes first, the earliest idle one first of all; then as sed.
                if (leftKey == 1)
                {
                    return left;
                }
                if (rightKey == 1)
                {
                    return right;
                }
                return leftKey * weights[right] > rightKey * weights[left] ? right : left;
            case WEIGHTED_LEAST_CONNECTION:
            case SHORTEST_EXPECTED_DELAY:
                return leftKey * weights[right] > rightKey * weights[left] ? right : left;
            default:
                return weights[right] > weights[left] ? right : left;
        }
    }
}
