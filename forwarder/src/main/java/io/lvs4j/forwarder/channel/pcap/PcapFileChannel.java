package io.lvs4j.forwarder.channel.pcap;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeoutException;

import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.FrameFlags;
import io.lvs4j.forwarder.channel.FrameHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapDumper;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.namednumber.DataLinkType;

/**
 * Replays a capture file as received frames and writes what is sent to another capture file: the channel behind
 * {@code replay IN.pcap OUT.pcap}, and a deterministic wire for tests.
 * <p>
 * {@link #receive} hands the file's frames over in file order, as fast as they are asked for; the capture time of
 * the frame most recently handed over is {@link #lastTimestampNanos()}, so a replaying pipeline can use capture
 * time as its clock. {@link #await} never blocks: it says whether frames remain, false once the file is
 * {@linkplain #isExhausted() exhausted}. Frames committed and flushed are appended to the output capture
 * (Ethernet, microsecond timestamps) stamped with the capture time of the frame being processed, or the wall
 * clock before any frame was received; with no output file they are discarded.
 * <p>
 * Like {@link PcapLiveChannel} this is not zero-copy: pcap4j reads each frame into a new {@code byte[]}, which is
 * copied into one reusable receive buffer, and each written frame is copied into an exact-length array because
 * pcap4j's dumper takes the array's length as the frame's. A damaged file never crashes the JVM: libpcap reports
 * it and this channel throws a {@link PcapChannelException} naming the file.
 * <p>
 * Not thread-safe: one channel, one thread.
 */
public final class PcapFileChannel implements FrameChannel
{
    /** The snapshot length the output file declares, and the largest frame that can be claimed, by default. */
    public static final int DEFAULT_SNAPLEN = 65_535;
    /** {@link #lastTimestampNanos()} before any frame was handed over. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;
    /** Capture time of the first frame {@link #writeFrames(Path, List)} writes: 2023-11-14T22:13:20Z. */
    public static final long DEFAULT_FIRST_NANOS = 1_700_000_000_000_000_000L;
    /** Gap between frames {@link #writeFrames(Path, List)} writes: one microsecond, the file's resolution. */
    public static final long DEFAULT_STEP_NANOS = 1_000L;

    private final Path input;
    private final Path output;
    private final String name;
    private final int mtu;
    private final PcapHandle in;
    private final PcapHandle dead;
    private final PcapDumper dumper;
    private final TxBatch tx;
    private final Timestamp stamp = new Timestamp(0);
    private UnsafeBuffer rxBuffer;
    private byte[] next;
    private int nextFlags;
    private long nextTimestampNanos;
    private boolean exhausted;
    private PcapChannelException failure;
    private long lastTimestampNanos = NO_TIMESTAMP;
    private long framesRead;
    private long framesWritten;
    private boolean closed;

    /**
     * Replays {@code input} and writes to {@code output}, with the default snaplen, a 64-frame transmit batch
     * and a 1500-byte MTU.
     *
     * @param input  the capture to replay; Ethernet link type.
     * @param output the capture to write (created or truncated), or null to discard what is sent.
     * @throws PcapChannelException when either file cannot be opened, or the input is not an Ethernet capture.
     */
    public PcapFileChannel(final Path input, final Path output)
    {
        this(input, output, DEFAULT_SNAPLEN, 64, 1500);
    }

    /**
     * Replays {@code input} and writes to {@code output}.
     *
     * @param input   the capture to replay; Ethernet link type.
     * @param output  the capture to write (created or truncated), or null to discard what is sent.
     * @param snaplen the largest frame that can be claimed, and the snapshot length the output declares.
     * @param txBatch how many frames can be committed before a {@link #flush()}.
     * @param mtu     the MTU to report.
     * @throws PcapChannelException when either file cannot be opened, or the input is not an Ethernet capture.
     */
    public PcapFileChannel(final Path input, final Path output, final int snaplen, final int txBatch, final int mtu)
    {
        this.input = input;
        this.output = output;
        this.name = input.toString();
        this.mtu = mtu;
        this.tx = new TxBatch(name, snaplen, txBatch);
        this.in = openInput(input);
        this.rxBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(Math.max(snaplen, inputSnaplen(in))));
        PcapHandle deadHandle = null;
        try
        {
            if (output != null)
            {
                deadHandle = Pcaps.openDead(DataLinkType.EN10MB, snaplen);
                this.dumper = deadHandle.dumpOpen(output.toString());
            }
            else
            {
                this.dumper = null;
            }
            this.dead = deadHandle;
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            in.close();
            if (deadHandle != null)
            {
                deadHandle.close();
            }
            throw new PcapChannelException("cannot open capture file " + output + " for writing: " + ex.getMessage(), ex);
        }
    }

    private static PcapHandle openInput(final Path file)
    {
        final PcapHandle handle;
        try
        {
            // nanosecond precision reads microsecond files exactly too: libpcap scales their timestamps
            handle = Pcaps.openOffline(file.toString(), PcapHandle.TimestampPrecision.NANO);
        }
        catch (final PcapNativeException ex)
        {
            throw new PcapChannelException("cannot read capture file " + file + ": " + ex.getMessage(), ex);
        }
        if (handle.getDlt() != DataLinkType.EN10MB)
        {
            final DataLinkType dlt = handle.getDlt();
            handle.close();
            throw new PcapChannelException("capture file " + file + " has link type " + dlt +
                ", not Ethernet; frame channels carry Ethernet frames");
        }
        return handle;
    }

    private static int inputSnaplen(final PcapHandle handle)
    {
        try
        {
            return handle.getSnapshot();
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException("capture file closed while opening", ex);
        }
    }

    /**
     * Hands over up to {@code limit} frames in file order. If the file turns out damaged after some frames were
     * handed over, those count and the next call throws.
     *
     * @throws PcapChannelException when the next record of the file is damaged or truncated.
     */
    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        checkOpen();
        int count = 0;
        while (count < limit)
        {
            try
            {
                if (!advance())
                {
                    break;
                }
            }
            catch (final PcapChannelException ex)
            {
                if (count == 0)
                {
                    throw ex;
                }
                // report the frames already handed over; the damage surfaces on the next call
                break;
            }
            final byte[] frame = next;
            next = null;
            if (rxBuffer.capacity() < frame.length)
            {
                rxBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(frame.length));
            }
            rxBuffer.putBytes(0, frame);
            // set before the handler runs, so it can read the capture time of the frame it is processing
            lastTimestampNanos = nextTimestampNanos;
            count++;
            handler.onFrame(rxBuffer, 0, frame.length, nextFlags);
        }
        return count;
    }

    /** Reads the next record unless one is already waiting; false at end of file. */
    private boolean advance()
    {
        if (next != null)
        {
            return true;
        }
        if (failure != null)
        {
            throw failure;
        }
        if (exhausted)
        {
            return false;
        }
        try
        {
            final byte[] frame = in.getNextRawPacketEx();
            // the timestamp and original length come back through pcap4j thread-locals, valid right after the read
            final Integer original = in.getOriginalLength();
            nextFlags = original != null && original > frame.length ? FrameFlags.TRUNCATED : 0;
            nextTimestampNanos = toNanos(in.getTimestamp());
            next = frame;
            framesRead++;
            return true;
        }
        catch (final EOFException ex)
        {
            exhausted = true;
            return false;
        }
        catch (final PcapNativeException | TimeoutException ex)
        {
            failure = new PcapChannelException("capture file " + input + " is damaged or truncated after frame " +
                framesRead + ": " + ex.getMessage(), ex);
            throw failure;
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException(name + " is closed", ex);
        }
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
     * Appends every committed frame to the output capture and flushes the file, so a reader sees whole batches.
     *
     * @return how many frames were written, or discarded when there is no output file.
     * @throws PcapChannelException when the output file cannot be flushed (disk full, for one).
     */
    @Override
    public int flush()
    {
        checkOpen();
        final int count = tx.committed();
        try
        {
            if (dumper != null && count > 0)
            {
                final long nanos = lastTimestampNanos != NO_TIMESTAMP ? lastTimestampNanos :
                    System.currentTimeMillis() * 1_000_000L;
                stamp.setTime(Math.floorDiv(nanos, 1_000_000_000L) * 1000L);
                stamp.setNanos((int)Math.floorMod(nanos, 1_000_000_000L));
                for (int i = 0; i < count; i++)
                {
                    dumper.dumpRaw(Arrays.copyOf(tx.frame(i), tx.length(i)), stamp);
                }
                dumper.flush();
            }
        }
        catch (final PcapNativeException ex)
        {
            throw new PcapChannelException("cannot write capture file " + output + ": " + ex.getMessage(), ex);
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException(name + " is closed", ex);
        }
        finally
        {
            tx.reset();
        }
        framesWritten += count;
        return count;
    }

    /**
     * Never blocks: a file has no more frames to wait for.
     *
     * @param timeoutMs ignored.
     * @return true while frames remain to be received, false at end of file.
     * @throws PcapChannelException when the next record of the file is damaged or truncated.
     */
    @Override
    public boolean await(final int timeoutMs)
    {
        checkOpen();
        return advance();
    }

    /**
     * @return true once every frame of the input was handed over.
     * @throws PcapChannelException when the next record of the file is damaged or truncated.
     */
    public boolean isExhausted()
    {
        checkOpen();
        return !advance();
    }

    /**
     * @return the capture time, in nanoseconds since the epoch, of the frame most recently handed to a handler
     *         (valid inside the handler for the frame it is given); {@link #NO_TIMESTAMP} before the first.
     */
    public long lastTimestampNanos()
    {
        return lastTimestampNanos;
    }

    /**
     * The capture time of the frame the next {@link #receive} hands over (reading it ahead), or of the last one at
     * the end of the file: a replay's clock for the batch it is about to process.
     *
     * @return nanoseconds since the epoch, {@link #NO_TIMESTAMP} for an empty capture.
     * @throws PcapChannelException when the next record of the file is damaged or truncated.
     */
    public long nextTimestampNanos()
    {
        checkOpen();
        return advance() ? nextTimestampNanos : lastTimestampNanos;
    }

    /** @return frames read from the input so far (including one read ahead by {@link #await}). */
    public long framesRead()
    {
        return framesRead;
    }

    /** @return frames flushed so far: written to the output, or discarded without one. */
    public long framesWritten()
    {
        return framesWritten;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public int mtu()
    {
        return mtu;
    }

    /** @return 0: a file drops nothing. */
    @Override
    public long receiveDrops()
    {
        return 0;
    }

    /** Closes both files; frames committed but not flushed are not written. Idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            next = null;
            try
            {
                in.close();
            }
            finally
            {
                if (dumper != null)
                {
                    dumper.close();
                }
                if (dead != null)
                {
                    dead.close();
                }
            }
        }
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(name + " is closed");
        }
    }

    /**
     * Writes frames to a new Ethernet capture file, one microsecond apart from {@link #DEFAULT_FIRST_NANOS}.
     *
     * @param file   the file to create or truncate.
     * @param frames the frames, in order.
     * @throws PcapChannelException when the file cannot be written.
     */
    public static void writeFrames(final Path file, final List<byte[]> frames)
    {
        writeFrames(file, frames, DEFAULT_FIRST_NANOS, DEFAULT_STEP_NANOS);
    }

    /**
     * Writes frames to a new Ethernet capture file with evenly spaced timestamps (microsecond resolution).
     *
     * @param file       the file to create or truncate.
     * @param frames     the frames, in order.
     * @param firstNanos capture time of the first frame, nanoseconds since the epoch.
     * @param stepNanos  time between frames.
     * @throws PcapChannelException when the file cannot be written.
     */
    public static void writeFrames(final Path file, final List<byte[]> frames, final long firstNanos,
        final long stepNanos)
    {
        int snaplen = DEFAULT_SNAPLEN;
        for (final byte[] frame : frames)
        {
            snaplen = Math.max(snaplen, frame.length);
        }
        PcapHandle handle = null;
        PcapDumper dumper = null;
        try
        {
            handle = Pcaps.openDead(DataLinkType.EN10MB, snaplen);
            dumper = handle.dumpOpen(file.toString());
            final Timestamp stamp = new Timestamp(0);
            long nanos = firstNanos;
            for (final byte[] frame : frames)
            {
                stamp.setTime(Math.floorDiv(nanos, 1_000_000_000L) * 1000L);
                stamp.setNanos((int)Math.floorMod(nanos, 1_000_000_000L));
                dumper.dumpRaw(frame, stamp);
                nanos += stepNanos;
            }
            dumper.flush();
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            throw new PcapChannelException("cannot write capture file " + file + ": " + ex.getMessage(), ex);
        }
        finally
        {
            if (dumper != null)
            {
                dumper.close();
            }
            if (handle != null)
            {
                handle.close();
            }
        }
    }

    /**
     * Reads every frame of a capture file, whatever its link type.
     *
     * @param file the capture to read.
     * @return the frames as captured (possibly cut to the file's snaplen), in file order.
     * @throws PcapChannelException when the file cannot be opened, or is damaged or truncated.
     */
    public static List<byte[]> readFrames(final Path file)
    {
        final List<byte[]> frames = new ArrayList<>();
        final PcapHandle handle;
        try
        {
            handle = Pcaps.openOffline(file.toString());
        }
        catch (final PcapNativeException ex)
        {
            throw new PcapChannelException("cannot read capture file " + file + ": " + ex.getMessage(), ex);
        }
        try
        {
            while (true)
            {
                frames.add(handle.getNextRawPacketEx());
            }
        }
        catch (final EOFException ex)
        {
            return frames;
        }
        catch (final PcapNativeException | TimeoutException ex)
        {
            throw new PcapChannelException("capture file " + file + " is damaged or truncated after frame " +
                frames.size() + ": " + ex.getMessage(), ex);
        }
        catch (final NotOpenException ex)
        {
            throw new IllegalStateException(file + " closed while reading", ex);
        }
        finally
        {
            handle.close();
        }
    }

    private static long toNanos(final Timestamp timestamp)
    {
        // getTime() carries whole milliseconds and getNanos() the whole fraction of the second: take seconds
        // from the one and the fraction from the other
        return Math.floorDiv(timestamp.getTime(), 1000L) * 1_000_000_000L + timestamp.getNanos();
    }
}
