package io.lvs4j.forwarder.channel.pcap;

import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.LockSupport;

import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.FrameFlags;
import io.lvs4j.forwarder.channel.FrameHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.pcap4j.core.BpfProgram;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.PcapNetworkInterface;
import org.pcap4j.packet.namednumber.DataLinkType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live interface through libpcap (pcap4j): the portable alternative to the AF_PACKET channel, for systems or
 * interfaces where packet rings are not available, and for comparing the two.
 * <p>
 * <b>Not zero-copy.</b> pcap4j hands each frame over as a freshly allocated {@code byte[]} (its
 * {@code getNextRawPacket} copies out of libpcap's buffer and also allocates per-frame bookkeeping); this channel
 * then copies that array into one reusable receive buffer, so every handler sees the same stable memory for the
 * channel's life and may rewrite a frame in place as it would in a ring slot. Expect microseconds and a few
 * hundred bytes of garbage per frame.
 * <p>
 * <b>Not batched on send.</b> libpcap has no batch send: {@link #flush()} makes one {@code pcap_sendpacket}
 * ({@code send()} system call) per committed frame.
 * <p>
 * <b>Waiting.</b> The handle is non-blocking, because a blocking libpcap read on Linux does not return on its
 * timeout while the link is idle. pcap4j 1.8 does not expose the selectable file descriptor, so {@link #await}
 * checks for a frame, then sleeps with parks that grow to {@link PcapLiveOptions#maxParkNanos()}: an idle channel
 * costs a few checks per millisecond, never a hot spin, and adds up to that park to the first frame's latency.
 * <p>
 * Not thread-safe: one channel, one thread (libpcap does not promise that one {@code pcap_t} works from several).
 */
public final class PcapLiveChannel implements FrameChannel
{
    private static final Logger LOG = LoggerFactory.getLogger(PcapLiveChannel.class);
    private static final long MIN_PARK_NANOS = 20_000;

    private final String name;
    private final PcapHandle handle;
    private final int snaplen;
    private final int mtu;
    private final long maxParkNanos;
    private final UnsafeBuffer rxBuffer;
    private final TxBatch tx;
    private byte[] pending;
    private int pendingFlags;
    private long lastDrops;
    private long sendErrors;
    private boolean closed;

    /**
     * Opens an interface with the default {@link PcapLiveOptions}.
     *
     * @param interfaceName the interface, as {@code ip link} names it.
     * @throws PcapChannelException when libpcap cannot open it (no such interface, no privilege, not Ethernet).
     */
    public PcapLiveChannel(final String interfaceName)
    {
        this(interfaceName, new PcapLiveOptions());
    }

    /**
     * Opens an interface: non-blocking, with the options' snaplen, promiscuity, immediate mode, buffer, filter
     * and direction.
     *
     * @param interfaceName the interface, as {@code ip link} names it.
     * @param options       how to open it.
     * @throws PcapChannelException when libpcap cannot open it (no such interface, no privilege, bad filter, not
     *                              Ethernet).
     */
    public PcapLiveChannel(final String interfaceName, final PcapLiveOptions options)
    {
        this.name = interfaceName;
        this.snaplen = options.snaplen();
        this.maxParkNanos = options.maxParkNanos();
        this.handle = open(interfaceName, options);
        this.mtu = options.mtu() > 0 ? options.mtu() : osMtu(interfaceName);
        this.rxBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(snaplen));
        this.tx = new TxBatch(interfaceName, snaplen, options.txBatch());
    }

    private static PcapHandle open(final String name, final PcapLiveOptions options)
    {
        final PcapHandle.Builder builder = new PcapHandle.Builder(name)
            .snaplen(options.snaplen())
            .promiscuousMode(options.promiscuous() ?
                PcapNetworkInterface.PromiscuousMode.PROMISCUOUS : PcapNetworkInterface.PromiscuousMode.NONPROMISCUOUS)
            // only matters for the TPACKET_V3 block timer without immediate mode: reads never block here
            .timeoutMillis(1)
            .immediateMode(options.immediate());
        if (options.bufferBytes() > 0)
        {
            builder.bufferSize(options.bufferBytes());
        }
        final PcapHandle handle;
        try
        {
            handle = builder.build();
        }
        catch (final PcapNativeException ex)
        {
            throw new PcapChannelException("cannot open interface " + name + " with libpcap: " + ex.getMessage(), ex);
        }
        try
        {
            if (handle.getDlt() != DataLinkType.EN10MB)
            {
                throw new PcapChannelException("interface " + name + " is not Ethernet (link type " +
                    handle.getDlt() + "); frame channels carry Ethernet frames");
            }
            handle.setBlockingMode(PcapHandle.BlockingMode.NONBLOCKING);
            if (options.filter() != null)
            {
                handle.setFilter(options.filter(), BpfProgram.BpfCompileMode.OPTIMIZE);
            }
            if (options.inboundOnly())
            {
                setInbound(name, handle);
            }
            return handle;
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            handle.close();
            throw new PcapChannelException("cannot set up interface " + name + " with libpcap: " + ex.getMessage(), ex);
        }
        catch (final RuntimeException ex)
        {
            handle.close();
            throw ex;
        }
    }

    private static void setInbound(final String name, final PcapHandle handle) throws NotOpenException
    {
        try
        {
            handle.setDirection(PcapHandle.PcapDirection.IN);
        }
        catch (final PcapNativeException ex)
        {
            // some platforms' libpcap cannot filter by direction: the channel still works, but sees its own sends
            LOG.warn("{}: libpcap cannot capture inbound frames only ({}); this channel will also receive what it sends",
                name, ex.getMessage());
        }
    }

    private static int osMtu(final String name)
    {
        try
        {
            final NetworkInterface nif = NetworkInterface.getByName(name);
            if (nif != null)
            {
                return nif.getMTU();
            }
        }
        catch (final SocketException ex)
        {
            LOG.warn("{}: cannot read the MTU ({}); assuming 1500", name, ex.getMessage());
        }
        return 1500;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        checkOpen();
        int count = 0;
        if (limit > 0 && pending != null)
        {
            // a frame await() read to find out whether any were waiting: it goes first, in arrival order
            final byte[] frame = pending;
            pending = null;
            deliver(handler, frame, pendingFlags);
            count++;
        }
        try
        {
            while (count < limit)
            {
                final byte[] frame = handle.getNextRawPacket();
                if (frame == null)
                {
                    break;
                }
                deliver(handler, frame, flags(frame));
                count++;
            }
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException(name + " is closed", ex);
        }
        return count;
    }

    private void deliver(final FrameHandler handler, final byte[] frame, final int flags)
    {
        final int length = Math.min(frame.length, snaplen);
        rxBuffer.putBytes(0, frame, 0, length);
        handler.onFrame(rxBuffer, 0, length, flags);
    }

    private int flags(final byte[] frame)
    {
        // the original length comes back through a thread-local in pcap4j 1.x: valid right after the read, on
        // the reading thread, which is this channel's only thread
        final Integer original = handle.getOriginalLength();
        return original != null && original > frame.length ? FrameFlags.TRUNCATED : 0;
    }

    @Override
    public boolean tryClaim(final int length, final FrameClaim claim)
    {
        return tx.tryClaim(length, claim);
    }

    @Override
    public void commit(final FrameClaim claim, final int length)
    {
        tx.commit(claim, length);
    }

    @Override
    public void abort(final FrameClaim claim)
    {
        tx.abort(claim);
    }

    /**
     * Sends every committed frame, one {@code pcap_sendpacket} each: libpcap has no batch send. A frame the
     * kernel refuses (buffer full, link down) is counted in {@link #sendErrors()} and the rest still go.
     *
     * @return how many frames the kernel accepted.
     */
    @Override
    public int flush()
    {
        checkOpen();
        final int count = tx.committed();
        int sent = 0;
        try
        {
            for (int i = 0; i < count; i++)
            {
                try
                {
                    handle.sendPacket(tx.frame(i), tx.length(i));
                    sent++;
                }
                catch (final PcapNativeException ex)
                {
                    if (sendErrors++ == 0)
                    {
                        LOG.warn("{}: libpcap refused a frame ({}); further refusals are only counted",
                            name, ex.getMessage());
                    }
                }
            }
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException(name + " is closed", ex);
        }
        finally
        {
            tx.reset();
        }
        return sent;
    }

    /**
     * Waits for a frame by checking and parking, since pcap4j 1.8 exposes no file descriptor to poll. A frame
     * found while checking is kept and handed over first by the next {@link #receive}.
     *
     * @param timeoutMs the longest wait; 0 checks once without waiting.
     * @return true when a frame is waiting.
     */
    @Override
    public boolean await(final int timeoutMs)
    {
        checkOpen();
        if (pending != null || peek())
        {
            return true;
        }
        if (timeoutMs <= 0)
        {
            return false;
        }
        final long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
        long park = MIN_PARK_NANOS;
        while (true)
        {
            final long remaining = deadline - System.nanoTime();
            // an interrupted thread's parks return at once: give up rather than spin until the deadline
            if (remaining <= 0 || Thread.currentThread().isInterrupted())
            {
                return false;
            }
            LockSupport.parkNanos(Math.min(park, remaining));
            if (peek())
            {
                return true;
            }
            park = Math.min(park << 1, maxParkNanos);
        }
    }

    private boolean peek()
    {
        try
        {
            final byte[] frame = handle.getNextRawPacket();
            if (frame == null)
            {
                return false;
            }
            pending = frame;
            pendingFlags = flags(frame);
            return true;
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException(name + " is closed", ex);
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    /** @return the MTU from the options, else the operating system's for the interface, else 1500. */
    @Override
    public int mtu()
    {
        return mtu;
    }

    /** @return the most bytes captured per frame, and the largest frame that can be claimed for sending. */
    public int snaplen()
    {
        return snaplen;
    }

    /**
     * Asks libpcap ({@code pcap_stats}) how many frames the kernel dropped because the capture buffer was full.
     * One native call and a small allocation: for counters, not per frame.
     *
     * @return frames dropped since opening; the last known figure if libpcap cannot tell.
     */
    @Override
    public long receiveDrops()
    {
        if (closed)
        {
            return lastDrops;
        }
        try
        {
            lastDrops = handle.getStats().getNumPacketsDropped();
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            // not every platform's libpcap keeps drop statistics: keep reporting the last figure
        }
        return lastDrops;
    }

    /** @return committed frames libpcap refused to send since opening. */
    public long sendErrors()
    {
        return sendErrors;
    }

    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            pending = null;
            handle.close();
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name + " is closed");
        }
    }
}
