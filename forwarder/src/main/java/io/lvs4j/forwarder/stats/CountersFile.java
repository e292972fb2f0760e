package io.lvs4j.forwarder.stats;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.agrona.BitUtil;
import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

/**
 * The director's statistics in a memory-mapped file that another process reads while the director runs, as
 * Aeron's CnC file: a 64-byte header, then Agrona counters metadata (type, key, label per counter), then the
 * counter values. An {@code ipvsadm --stats} run as another process maps the file read-only and needs no socket.
 * <p>
 * Layout of the header, little-endian: magic {@code LVS4JCNT} (8 bytes), version (int), metadata length (int),
 * values length (int), padding, the writer's pid (long) at 24, its start time in epoch ms (long) at 32.
 */
public final class CountersFile implements AutoCloseable
{
    /** "LVS4JCNT" read as a little-endian long. */
    public static final long MAGIC = 0x544E_434A_3453_564CL;
    /** The layout version this class writes and reads. */
    public static final int VERSION = 1;
    /** Bytes before the metadata. */
    public static final int HEADER_LENGTH = 64;

    private static final int VERSION_OFFSET = 8;
    private static final int META_LENGTH_OFFSET = 12;
    private static final int VALUES_LENGTH_OFFSET = 16;
    private static final int PID_OFFSET = 24;
    private static final int START_OFFSET = 32;

    private final Path file;
    private final MappedByteBuffer mapped;
    private final CountersManager manager;

    private CountersFile(final Path file, final MappedByteBuffer mapped, final CountersManager manager)
    {
        this.file = file;
        this.mapped = mapped;
        this.manager = manager;
    }

    /**
     * Creates (or replaces) a counters file with room for {@code counters} counters and maps it.
     *
     * @param file     where, e.g. {@code /dev/shm/lvs4j/director.stats}.
     * @param counters how many counters it holds.
     * @param nowMs    the writer's start time.
     * @return the writer's view.
     */
    public static CountersFile create(final Path file, final int counters, final long nowMs)
    {
        final int valuesLength = BitUtil.findNextPositivePowerOfTwo(counters * CountersReader.COUNTER_LENGTH);
        final int metaLength = valuesLength / CountersReader.COUNTER_LENGTH * CountersReader.METADATA_LENGTH;
        final long total = HEADER_LENGTH + (long)metaLength + valuesLength;
        try
        {
            if (file.getParent() != null)
            {
                Files.createDirectories(file.getParent());
            }
            // a fresh inode: a reader still mapping the old file keeps a consistent (if stale) view
            Files.deleteIfExists(file);
            final MappedByteBuffer mapped;
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
            {
                raf.setLength(total);
                mapped = raf.getChannel().map(FileChannel.MapMode.READ_WRITE, 0, total);
            }
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            final UnsafeBuffer meta = new UnsafeBuffer(mapped, HEADER_LENGTH, metaLength);
            final UnsafeBuffer values = new UnsafeBuffer(mapped, HEADER_LENGTH + metaLength, valuesLength);
            header.putInt(VERSION_OFFSET, VERSION, ByteOrder.LITTLE_ENDIAN);
            header.putInt(META_LENGTH_OFFSET, metaLength, ByteOrder.LITTLE_ENDIAN);
            header.putInt(VALUES_LENGTH_OFFSET, valuesLength, ByteOrder.LITTLE_ENDIAN);
            header.putLong(PID_OFFSET, ProcessHandle.current().pid(), ByteOrder.LITTLE_ENDIAN);
            header.putLong(START_OFFSET, nowMs, ByteOrder.LITTLE_ENDIAN);
            // the magic goes last, ordered: a reader that sees it sees the lengths
            header.putLongRelease(0, MAGIC);
            return new CountersFile(file, mapped, new CountersManager(meta, values));
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot create counters file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Maps an existing counters file for reading, from any process.
     *
     * @param file the file a director writes.
     * @return a reader of its counters; values are live.
     * @throws IllegalStateException when the file is missing or not a counters file of this version.
     */
    public static Reader open(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long size = channel.size();
            if (size < HEADER_LENGTH)
            {
                throw new IllegalStateException(file + ": not an lvs4j counters file (" + size + " bytes)");
            }
            final MappedByteBuffer mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, size);
            final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
            if (header.getLongVolatile(0) != MAGIC)
            {
                throw new IllegalStateException(file + ": not an lvs4j counters file (bad magic)");
            }
            final int version = header.getInt(VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (version != VERSION)
            {
                throw new IllegalStateException(file + ": counters file version " + version + ", expected " + VERSION);
            }
            final int metaLength = header.getInt(META_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
            final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET, ByteOrder.LITTLE_ENDIAN);
            if (HEADER_LENGTH + (long)metaLength + valuesLength > size)
            {
                throw new IllegalStateException(file + ": truncated counters file");
            }
            final CountersReader reader = new CountersReader(
                new UnsafeBuffer(mapped, HEADER_LENGTH, metaLength),
                new UnsafeBuffer(mapped, HEADER_LENGTH + metaLength, valuesLength));
            return new Reader(reader, header.getLong(PID_OFFSET, ByteOrder.LITTLE_ENDIAN),
                header.getLong(START_OFFSET, ByteOrder.LITTLE_ENDIAN), mapped);
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot read counters file " + file + ": " + ex.getMessage(), ex);
        }
    }

    /** @return the counters, for allocating and updating (the writer's control thread only). */
    public CountersManager manager()
    {
        return manager;
    }

    /** @return the file. */
    public Path file()
    {
        return file;
    }

    /** Unmaps the file; the file stays for readers until the next director replaces it. */
    @Override
    public void close()
    {
        IoUtil.unmap(mapped);
    }

    /**
     * A reader's view of a counters file.
     *
     * @param counters the counters (labels, types, keys, live values).
     * @param pid      the writing process.
     * @param startMs  when it started.
     * @param mapping  the mapping, kept alive with the reader.
     */
    public record Reader(CountersReader counters, long pid, long startMs, MappedByteBuffer mapping)
    {
        /** @return whether the writing process is still running. */
        public boolean isWriterAlive()
        {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }
    }
}
