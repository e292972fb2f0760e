package io.lvs4j.forwarder.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.agrona.concurrent.UnsafeBuffer;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.Malformation;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.neighbour.NeighbourTable;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * A director on one memory channel with one worker, as {@link DirectorPipelineTest} launches it, plus what the
 * pipeline tests need around it: injection that never loses a frame, a store of everything sent, waits that
 * consume matching frames, and a barrier (an ARP request for a VIP, answered in order) that proves every frame
 * injected before it was processed and flushed, so "nothing was sent" can be checked without long sleeps.
 */
final class PipelineHarness implements AutoCloseable
{
    static final long DIRECTOR_MAC = MacAddresses.parse("02:00:00:00:00:01");
    static final long CLIENT_MAC = MacAddresses.parse("02:00:00:00:00:c1");
    static final long ROUTER_MAC = MacAddresses.parse("02:00:00:00:00:fe");
    static final long RS1_MAC = MacAddresses.parse("02:00:00:00:00:a1");
    static final long RS2_MAC = MacAddresses.parse("02:00:00:00:00:a2");
    static final long BARRIER_MAC = MacAddresses.parse("02:00:00:00:00:bb");
    static final int DIRECTOR_CLIENT_SIDE = Ipv4Text.parse("198.51.100.1");
    static final int DIRECTOR_SERVER_SIDE = Ipv4Text.parse("192.0.2.1");
    static final int CLIENT = Ipv4Text.parse("198.51.100.2");
    static final int CLIENT2 = Ipv4Text.parse("198.51.100.3");
    static final int ROUTER = Ipv4Text.parse("198.51.100.254");
    static final int BARRIER_HOST = Ipv4Text.parse("198.51.100.200");
    static final int RS1 = Ipv4Text.parse("192.0.2.11");
    static final int RS2 = Ipv4Text.parse("192.0.2.12");
    static final String RS1_TEXT = "192.0.2.11";
    static final String RS2_TEXT = "192.0.2.12";
    static final String VIP_TEXT = "203.0.113.10";
    static final int VIP = Ipv4Text.parse(VIP_TEXT);

    static final long WAIT_MS = 5000;
    static final long QUIET_MS = 300;

    final MemoryChannel eth0;
    final Director director;
    private final List<byte[]> sent = new ArrayList<>();
    private int barrierVip = VIP;
    private long barriers;

    private PipelineHarness(final MemoryChannel channel, final Director director)
    {
        this.eth0 = channel;
        this.director = director;
    }

    static PipelineHarness start()
    {
        return start(c -> { });
    }

    static PipelineHarness start(final Consumer<Director.Context> customise)
    {
        return start(new MemoryChannel("eth0"), 1500, customise);
    }

    static PipelineHarness start(final MemoryChannel channel, final int mtu, final Consumer<Director.Context> customise)
    {
        final DirectorInterface iface = new DirectorInterface(0, "eth0", 2, DIRECTOR_MAC, mtu, List.of(
            new DirectorInterface.Prefix(DIRECTOR_CLIENT_SIDE, 24), new DirectorInterface.Prefix(DIRECTOR_SERVER_SIDE, 24)));
        final Director.Context context = new Director.Context()
            .interfaces(List.of(iface))
            .channels((i, w, n) -> channel)
            .workers(1)
            .connectionCapacity(1 << 14)
            .pollTimeoutMs(1);
        customise.accept(context);
        return new PipelineHarness(channel, Director.launch(context));
    }

    @Override
    public void close()
    {
        director.close();
    }

    /** Which VIP the barrier asks for (a service on it must exist and the director must be master). */
    void barrierVip(final int vip)
    {
        this.barrierVip = vip;
    }

    // ------------------------------------------------------------------------------------------ input

    void inject(final byte[] frame)
    {
        inject(frame, 0);
    }

    void inject(final byte[] frame, final int flags)
    {
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!eth0.inject(b, 0, frame.length, flags))
        {
            collect();
            if (System.currentTimeMillis() > deadline)
            {
                fail("the director stopped taking frames (worker dead?)");
            }
            Thread.yield();
        }
    }

    /** Tells the director a neighbour's MAC with an ARP reply, and waits until it is in the table. */
    void resolve(final int address, final long mac)
    {
        inject(TestFrames.arpReply(mac, address, DIRECTOR_MAC, DIRECTOR_SERVER_SIDE));
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (director.neighbours().lookup(address) != mac)
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("neighbour " + Ipv4Text.format(address) + " not learned");
            }
            Thread.onSpinWait();
        }
    }

    void resolveRealServers()
    {
        resolve(RS1, RS1_MAC);
        resolve(RS2, RS2_MAC);
    }

    // ------------------------------------------------------------------------------------------ output

    /** Moves everything the director flushed so far into the store. */
    void collect()
    {
        sent.addAll(eth0.drainSent());
    }

    /** Forgets everything sent so far (after a barrier, all earlier frames are included). */
    void clearSent()
    {
        collect();
        sent.clear();
    }

    /** Takes (removes) up to {@code count} stored frames that match, waiting up to 5 s for them. */
    List<byte[]> await(final Predicate<byte[]> wanted, final int count)
    {
        final List<byte[]> got = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true)
        {
            collect();
            for (final Iterator<byte[]> it = sent.iterator(); it.hasNext() && got.size() < count; )
            {
                final byte[] f = it.next();
                if (wanted.test(f))
                {
                    got.add(f);
                    it.remove();
                }
            }
            if (got.size() >= count || System.currentTimeMillis() > deadline)
            {
                return got;
            }
            Thread.yield();
        }
    }

    byte[] awaitOne(final Predicate<byte[]> wanted, final String what)
    {
        final List<byte[]> got = await(wanted, 1);
        if (got.isEmpty())
        {
            fail("nothing sent within " + WAIT_MS + " ms: expected " + what + "; drops " + dropSummary());
        }
        return got.get(0);
    }

    List<byte[]> awaitExactly(final Predicate<byte[]> wanted, final int count, final String what)
    {
        final List<byte[]> got = await(wanted, count);
        assertEquals(count, got.size(), what + " (drops " + dropSummary() + ")");
        return got;
    }

    /** Takes every stored frame that matches, without waiting. */
    List<byte[]> take(final Predicate<byte[]> wanted)
    {
        collect();
        final List<byte[]> got = new ArrayList<>();
        for (final Iterator<byte[]> it = sent.iterator(); it.hasNext(); )
        {
            final byte[] f = it.next();
            if (wanted.test(f))
            {
                got.add(f);
                it.remove();
            }
        }
        return got;
    }

    /**
     * Proves every frame injected so far was processed and its output flushed: an ARP request for the VIP from
     * a host of its own, whose reply comes out after everything before it (one worker, one ordered channel).
     */
    void barrier()
    {
        inject(TestFrames.arpRequest(BARRIER_MAC, BARRIER_HOST, barrierVip));
        barriers++;
        final List<byte[]> reply = await(f -> PipelineFrames.isArpReplyTo(f, BARRIER_MAC), 1);
        if (reply.isEmpty())
        {
            fail("barrier: no ARP reply for the VIP within " + WAIT_MS + " ms (worker dead or not master?)");
        }
    }

    /** @return barriers passed so far (each is one ARP reply in {@code Director.forwarded()}). */
    long barriers()
    {
        return barriers;
    }

    /** Asserts that nothing matching was sent (call after {@link #barrier()} or {@link #quiet}). */
    void assertNothingSent(final Predicate<byte[]> unwanted, final String what)
    {
        final List<byte[]> got = take(unwanted);
        assertTrue(got.isEmpty(), what + ": " + got.size() + " frame(s) were sent");
    }

    /** Waits a short while for frames that should not come (when no barrier can be used). */
    void quiet()
    {
        final long until = System.currentTimeMillis() + QUIET_MS;
        while (System.currentTimeMillis() < until)
        {
            collect();
            Thread.yield();
        }
    }

    // ------------------------------------------------------------------------------------------ counters

    long drops(final DropReason reason)
    {
        return director.drops(reason);
    }

    long malformed(final Malformation m)
    {
        return director.stats().malformed(m);
    }

    void awaitDrops(final DropReason reason, final long atLeast)
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (director.drops(reason) < atLeast)
        {
            if (System.currentTimeMillis() > deadline)
            {
                fail("expected at least " + atLeast + " drops " + reason + ", got " + director.drops(reason) +
                    "; drops " + dropSummary());
            }
            Thread.yield();
        }
    }

    long totalDrops()
    {
        long total = 0;
        for (final DropReason r : DropReason.values())
        {
            total += director.drops(r);
        }
        return total;
    }

    long totalMalformed()
    {
        long total = 0;
        for (final Malformation m : Malformation.values())
        {
            total += director.stats().malformed(m);
        }
        return total;
    }

    String dropSummary()
    {
        final StringBuilder sb = new StringBuilder("{");
        for (final DropReason r : DropReason.values())
        {
            final long n = director.drops(r);
            if (n != 0)
            {
                sb.append(r).append('=').append(n).append(' ');
            }
        }
        for (final Malformation m : Malformation.values())
        {
            final long n = director.stats().malformed(m);
            if (n != 0)
            {
                sb.append("malformed ").append(m).append('=').append(n).append(' ');
            }
        }
        return sb.append('}').toString();
    }

    boolean knows(final int address)
    {
        return director.neighbours().lookup(address) != NeighbourTable.NONE;
    }
}
