package io.lvs4j.forwarder;

import java.nio.file.Path;
import java.util.List;
import java.util.function.LongConsumer;

import io.lvs4j.core.ipvsadm.IpvsSnapshot;
import io.lvs4j.forwarder.channel.pcap.PcapFileChannel;

/**
 * Replays a capture through a director's pipeline and writes what the director sends to another capture: what
 * it would have done with that traffic, frame for frame, without root, interfaces or timing noise.
 * <p>
 * The director runs one worker on the calling thread (no threads of its own), its clock follows the capture's
 * timestamps, and its interface is the one the context describes (MAC, MTU, addresses); real servers' MACs come
 * from the context's static neighbours, since a capture holds no answers to the director's ARP requests (the
 * requests themselves are written to the output like any other frame the director sends).
 */
public final class CaptureReplay
{
    /** How often (in frames) a replay reports progress. */
    public static final int PROGRESS_EVERY = 10_000;

    private CaptureReplay()
    {
    }

    /**
     * What a replay did.
     *
     * @param framesIn  frames read from the input capture.
     * @param framesOut frames written to the output capture.
     * @param services  the services with their counters at the end.
     * @param table     the director's table at the end, as ipvsadm lists it.
     */
    public record Result(long framesIn, long framesOut, List<ServiceStatus> services, IpvsSnapshot table)
    {
    }

    /**
     * Replays a capture.
     *
     * @param input   the capture to replay (Ethernet).
     * @param output  where to write what the director sends; null to discard.
     * @param context the director's context: one described interface ({@link Director.Context#interfaces(List)}),
     *                static neighbours, and the services in {@link Director.Context#onStart}. Its channels,
     *                worker count, clock and threads are set here.
     * @return what happened.
     */
    public static Result replay(final Path input, final Path output, final Director.Context context)
    {
        return replay(input, output, context, framesRead -> { });
    }

    /**
     * Replays a capture, reporting progress.
     *
     * @param input    the capture to replay (Ethernet).
     * @param output   where to write what the director sends; null to discard.
     * @param context  the director's context, as for {@link #replay(Path, Path, Director.Context)}.
     * @param progress told the frames read so far every {@value #PROGRESS_EVERY} frames.
     * @return what happened.
     */
    public static Result replay(
        final Path input, final Path output, final Director.Context context, final LongConsumer progress)
    {
        final PcapFileChannel[] channel = new PcapFileChannel[1];
        context
            .workers(1)
            .startThreads(false)
            // one frame per pass, and the clock of the pass is that frame's capture time: timers run as they did
            .batchSize(1)
            .clock(() ->
            {
                final long ts = channel[0] == null ? PcapFileChannel.NO_TIMESTAMP : channel[0].nextTimestampNanos();
                return ts == PcapFileChannel.NO_TIMESTAMP ? 0 : ts / 1_000_000;
            })
            .channels((iface, worker, workers) ->
            {
                channel[0] = new PcapFileChannel(input, output, PcapFileChannel.DEFAULT_SNAPLEN, 256, iface.mtu());
                return channel[0];
            });
        try (Director director = Director.launch(context))
        {
            long reported = 0;
            while (!channel[0].isExhausted())
            {
                director.doWork(0);
                if (channel[0].framesRead() - reported >= PROGRESS_EVERY)
                {
                    reported = channel[0].framesRead();
                    progress.accept(reported);
                }
            }
            director.doWork(0);
            return new Result(channel[0].framesRead(), channel[0].framesWritten(), director.services(),
                director.ipvsSnapshot());
        }
    }
}
