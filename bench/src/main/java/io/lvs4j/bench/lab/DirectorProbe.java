package io.lvs4j.bench.lab;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.channel.afpacket.RingVersion;
import io.lvs4j.forwarder.ChannelFactory;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketOptions;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * The director's default AF_PACKET channels, remembered as they are opened so that the harness can read their
 * kernel statistics (frames offered, ring drops, freezes, transmit errors) before the director closes them, plus
 * the director's own drop counters as text.
 */
final class DirectorProbe implements ChannelFactory
{
    private final ChannelFactory delegate;
    private final List<AfPacketChannel> channels = new CopyOnWriteArrayList<>();

    DirectorProbe(final String networkNamespace)
    {
        this(networkNamespace, 0, 0);
    }

    /**
     * @param networkNamespace the director's namespace.
     * @param blockSize        receive block size in bytes, 0 for the forwarder's default.
     * @param blockCount       receive blocks, 0 for the forwarder's default.
     */
    DirectorProbe(final String networkNamespace, final int blockSize, final int blockCount)
    {
        this.delegate = new AfPacketChannels(networkNamespace, b ->
        {
            AfPacketOptions.Builder out = b;
            if (blockSize > 0)
            {
                out = out.blockSize(blockSize);
            }
            if (blockCount > 0)
            {
                out = out.blockCount(blockCount);
            }
            if ("v2".equalsIgnoreCase(System.getProperty("lvs4j.ring")))
            {
                // -Dlvs4j.ring=v2 (LAB_BENCH_JAVA_OPTS): frame-by-frame rings, no block retire delay
                out = out.ringVersion(RingVersion.V2);
            }
            return out;
        });
    }

    /** @return the ring layout the forwarder will use, as text (for the report header). */
    static String ringText(final int blockSize, final int blockCount)
    {
        final int size = blockSize > 0 ? blockSize : AfPacketOptions.DEFAULT_BLOCK_SIZE;
        final int count = blockCount > 0 ? blockCount : AfPacketOptions.DEFAULT_BLOCK_COUNT;
        return "rx ring " + count + " x " + (size / 1024) + " KiB blocks, retire " +
            AfPacketOptions.DEFAULT_RETIRE_TIMEOUT_MS + " ms" + (blockSize > 0 || blockCount > 0 ? "" : " (defaults)");
    }

    @Override
    public FrameChannel open(final io.lvs4j.forwarder.pipeline.DirectorInterface iface, final int worker,
        final int workers)
    {
        final FrameChannel c = delegate.open(iface, worker, workers);
        if (c instanceof AfPacketChannel a)
        {
            channels.add(a);
        }
        return c;
    }

    /** @return kernel ring drops over every channel so far (one getsockopt each). */
    long ringDrops()
    {
        long total = 0;
        for (final AfPacketChannel c : channels)
        {
            total += c.receiveDrops();
        }
        return total;
    }

    /** Per interface over the workers' sockets: frames the kernel offered, ring drops, freezes, tx errors. */
    String channelNotes(final Director director)
    {
        final Map<String, long[]> byIface = new LinkedHashMap<>();
        for (final AfPacketChannel c : channels)
        {
            final long[] t = byIface.computeIfAbsent(c.name(), k -> new long[5]);
            t[0] += c.kernelPackets();
            t[1] += c.receiveDrops();
            t[2] += c.freezeCount();
            t[3] += c.transmitErrors();
            t[4] += c.wrongFormatFrames();
        }
        final StringBuilder sb = new StringBuilder(" forwarded ").append(director.forwarded()).append(';');
        byIface.forEach((name, t) -> sb.append(' ').append(name).append(" ring: seen ").append(t[0])
            .append(", dropped ").append(t[1]).append(", freezes ").append(t[2])
            .append(t[3] != 0 ? ", tx errors " + t[3] : "").append(t[4] != 0 ? ", wrong format " + t[4] : "")
            .append(';'));
        return sb.toString();
    }

    /** @return non-zero drop counters as {@code REASON=n ...}, or 0. */
    static String drops(final Director director)
    {
        final StringBuilder sb = new StringBuilder();
        for (final DropReason reason : DropReason.values())
        {
            final long n = director.drops(reason);
            if (n != 0)
            {
                sb.append(sb.length() == 0 ? "" : " ").append(reason).append('=').append(n);
            }
        }
        return sb.length() == 0 ? "0" : sb.toString();
    }

    /** @return drops other than NOT_OURS (frames left to the kernel: ARP replies, the director's own traffic). */
    static long realDrops(final Director director)
    {
        long total = 0;
        for (final DropReason reason : DropReason.values())
        {
            if (reason != DropReason.NOT_OURS)
            {
                total += director.drops(reason);
            }
        }
        return total;
    }
}
