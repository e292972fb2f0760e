package io.lvs4j.forwarder.sync;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;

/**
 * Parses one sync datagram, version 1 (reference section 6.2) or the legacy version 0 (section 6.3), into
 * reusable {@link SyncEntry} objects, checking it the way {@code ip_vs_process_message} does: the header's size
 * must be the datagram's length, the syncid must match unless ours is 0, every entry must lie inside the
 * datagram with version 0 and a length covering its fixed part, options must be well formed.
 * <p>
 * Unlike the kernel, which applies the entries before a malformed one and then gives up, the whole datagram
 * is parsed before anything is handed out, so a malformed datagram is rejected as a whole. Entries with an
 * unknown mandatory option are marked ({@link #entryDrop}) and the rest of the datagram stands, as in the
 * kernel. A datagram with bytes left after its announced entries is rejected too (the kernel ignores them;
 * its senders never produce them).
 */
public final class SyncMessageReader
{
    /** Length of the legacy (v0) header. */
    public static final int V0_HEADER_LENGTH = 4;
    /** Length of a legacy (v0) entry without the sequence block. */
    public static final int V0_ENTRY_LENGTH = 24;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private final SyncEntry[] entries = new SyncEntry[SyncMessageWriter.MAX_ENTRIES];
    private final SyncDropReason[] entryDrops = new SyncDropReason[SyncMessageWriter.MAX_ENTRIES];
    private int count;
    private int version;
    private int syncId;

    /** Creates a reader with its entries allocated once. */
    public SyncMessageReader()
    {
        for (int i = 0; i < entries.length; i++)
        {
            entries[i] = new SyncEntry();
        }
    }

    /**
     * Parses a datagram.
     *
     * @param b            holds it.
     * @param offset       where it starts.
     * @param length       its length.
     * @param acceptSyncId our syncid: 0 accepts every sender, otherwise only messages carrying it.
     * @return null when the datagram was accepted ({@link #count()} entries ready), else why it was dropped.
     */
    public SyncDropReason read(final DirectBuffer b, final int offset, final int length, final int acceptSyncId)
    {
        count = 0;
        version = -1;
        if (length < V0_HEADER_LENGTH)
        {
            return SyncDropReason.TOO_SHORT;
        }
        if ((b.getShort(offset + 2, BIG) & 0xFFFF) != length)
        {
            return SyncDropReason.SIZE_MISMATCH;
        }
        syncId = b.getByte(offset + 1) & 0xFF;
        if (acceptSyncId != 0 && syncId != acceptSyncId)
        {
            return SyncDropReason.WRONG_SYNCID;
        }
        if (length >= SyncMessageWriter.HEADER_LENGTH && b.getByte(offset) == 0 &&
            b.getByte(offset + 5) == SyncMessageWriter.VERSION && b.getShort(offset + 6) == 0)
        {
            version = 1;
            return readV1(b, offset, length);
        }
        version = 0;
        return readV0(b, offset, length);
    }

    private SyncDropReason readV1(final DirectBuffer b, final int offset, final int length)
    {
        final int n = b.getByte(offset + 4) & 0xFF;
        final int end = offset + length;
        int p = offset + SyncMessageWriter.HEADER_LENGTH;
        for (int i = 0; i < n; i++)
        {
            // each entry starts on a 4-byte boundary of the message
            p = offset + ((p - offset + 3) & ~3);
            if (p + SyncMessageWriter.V4_ENTRY_LENGTH > end)
            {
                return SyncDropReason.COUNT_EXCEEDS_DATA;
            }
            final int verSize = b.getShort(p + 2, BIG) & 0xFFFF;
            final int size = verSize & 0x0FFF;
            if (p + size > end)
            {
                return SyncDropReason.COUNT_EXCEEDS_DATA;
            }
            if ((verSize >>> 12) != 0)
            {
                return SyncDropReason.BAD_ENTRY_VERSION;
            }
            final SyncDropReason r = readV1Entry(b, p, size, entries[i], i);
            if (r != null)
            {
                return r;
            }
            p += size;
        }
        if (p != end)
        {
            return SyncDropReason.COUNT_BELOW_DATA;
        }
        count = n;
        return null;
    }

    private SyncDropReason readV1Entry(
        final DirectBuffer b, final int start, final int size, final SyncEntry e, final int index)
    {
        e.clear();
        entryDrops[index] = null;
        final boolean v6 = (b.getByte(start) & SyncMessageWriter.TYPE_INET6) != 0;
        final int fixed = v6 ? SyncMessageWriter.V6_ENTRY_LENGTH : SyncMessageWriter.V4_ENTRY_LENGTH;
        if (size < fixed)
        {
            return SyncDropReason.BAD_ENTRY_LENGTH;
        }
        e.family = v6 ? FlowKey.AF_INET6 : FlowKey.AF_INET;
        e.protocol = b.getByte(start + 1) & 0xFF;
        e.flags = b.getInt(start + 4, BIG);
        e.state = b.getShort(start + 8, BIG) & 0xFFFF;
        e.clientPort = b.getShort(start + 10, BIG) & 0xFFFF;
        e.virtualPort = b.getShort(start + 12, BIG) & 0xFFFF;
        e.destPort = b.getShort(start + 14, BIG) & 0xFFFF;
        e.fwmark = b.getInt(start + 16, BIG) & 0xFFFF_FFFFL;
        e.timeoutS = b.getInt(start + 20, BIG) & 0xFFFF_FFFFL;
        int p = start + 24;
        if (v6)
        {
            e.clientHi = b.getLong(p, BIG);
            e.clientLo = b.getLong(p + 8, BIG);
            e.virtualHi = b.getLong(p + 16, BIG);
            e.virtualLo = b.getLong(p + 24, BIG);
            e.destHi = b.getLong(p + 32, BIG);
            e.destLo = b.getLong(p + 40, BIG);
            p += 48;
        }
        else
        {
            e.clientLo = b.getInt(p, BIG) & 0xFFFF_FFFFL;
            e.virtualLo = b.getInt(p + 4, BIG) & 0xFFFF_FFFFL;
            e.destLo = b.getInt(p + 8, BIG) & 0xFFFF_FFFFL;
            p += 12;
        }
        final int end = start + size;
        int seen = 0;
        while (p < end)
        {
            // an option header needs two bytes, and its data must stay inside the entry (ip_vs_proc_sync_conn)
            if (p + 2 > end)
            {
                return SyncDropReason.BAD_OPTION;
            }
            final int type = b.getByte(p) & 0xFF;
            final int len = b.getByte(p + 1) & 0xFF;
            p += 2;
            if (len == 0 || p + len > end)
            {
                return SyncDropReason.BAD_OPTION;
            }
            final int kind = type & ~SyncMessageWriter.OPT_F_PARAM;
            if (kind >= SyncMessageWriter.OPT_SEQ_DATA && kind <= SyncMessageWriter.OPT_PE_NAME)
            {
                if ((seen & (1 << kind)) != 0)
                {
                    return SyncDropReason.BAD_OPTION;
                }
                seen |= 1 << kind;
            }
            switch (kind)
            {
                case SyncMessageWriter.OPT_SEQ_DATA:
                    if (len != SyncMessageWriter.SEQ_LENGTH)
                    {
                        return SyncDropReason.BAD_OPTION;
                    }
                    e.hasSeq = true;
                    for (int i = 0; i < SyncEntry.SEQ_WORDS; i++)
                    {
                        e.seq[i] = b.getInt(p + 4 * i, BIG);
                    }
                    break;
                case SyncMessageWriter.OPT_PE_DATA:
                    e.peDataLength = len;
                    b.getBytes(p, e.peData, 0, len);
                    break;
                case SyncMessageWriter.OPT_PE_NAME:
                    if (len > SyncEntry.MAX_PE_NAME)
                    {
                        return SyncDropReason.BAD_OPTION;
                    }
                    e.peNameLength = len;
                    b.getBytes(p, e.peName, 0, len);
                    break;
                default:
                    if ((type & SyncMessageWriter.OPT_F_PARAM) == 0)
                    {
                        // "Unknown mandatory param": this entry only
                        entryDrops[index] = SyncDropReason.UNKNOWN_OPTION;
                    }
                    break;
            }
            p += len;
        }
        return null;
    }

    private SyncDropReason readV0(final DirectBuffer b, final int offset, final int length)
    {
        final int n = b.getByte(offset) & 0xFF;
        final int end = offset + length;
        int p = offset + V0_HEADER_LENGTH;
        for (int i = 0; i < n; i++)
        {
            if (p + V0_ENTRY_LENGTH > end)
            {
                return SyncDropReason.COUNT_EXCEEDS_DATA;
            }
            final SyncEntry e = entries[i];
            e.clear();
            entryDrops[i] = null;
            e.family = FlowKey.AF_INET;
            e.protocol = b.getByte(p + 1) & 0xFF;
            e.clientPort = b.getShort(p + 2, BIG) & 0xFFFF;
            e.virtualPort = b.getShort(p + 4, BIG) & 0xFFFF;
            e.destPort = b.getShort(p + 6, BIG) & 0xFFFF;
            e.clientLo = b.getInt(p + 8, BIG) & 0xFFFF_FFFFL;
            e.virtualLo = b.getInt(p + 12, BIG) & 0xFFFF_FFFFL;
            e.destLo = b.getInt(p + 16, BIG) & 0xFFFF_FFFFL;
            e.flags = b.getShort(p + 20, BIG) & 0xFFFF;
            e.state = b.getShort(p + 22, BIG) & 0xFFFF;
            // v0 carries no timeout: the receiver uses its own for the state (3 min for templates)
            e.timeoutS = 0;
            p += V0_ENTRY_LENGTH;
            if ((e.flags & (ConnectionFlags.IN_SEQ | ConnectionFlags.OUT_SEQ)) != 0)
            {
                if (p + SyncMessageWriter.SEQ_LENGTH > end)
                {
                    return SyncDropReason.COUNT_EXCEEDS_DATA;
                }
                e.hasSeq = true;
                for (int w = 0; w < SyncEntry.SEQ_WORDS; w++)
                {
                    e.seq[w] = b.getInt(p + 4 * w, BIG);
                }
                p += SyncMessageWriter.SEQ_LENGTH;
            }
        }
        if (p != end)
        {
            return SyncDropReason.COUNT_BELOW_DATA;
        }
        count = n;
        return null;
    }

    /** @return entries of the last accepted datagram. */
    public int count()
    {
        return count;
    }

    /**
     * @param i 0..{@link #count()}-1.
     * @return the entry, valid until the next {@link #read}.
     */
    public SyncEntry entry(final int i)
    {
        return entries[i];
    }

    /**
     * @param i 0..{@link #count()}-1.
     * @return why this entry must be skipped, or null when it may be applied.
     */
    public SyncDropReason entryDrop(final int i)
    {
        return entryDrops[i];
    }

    /** @return the last datagram's version: 1, 0, or -1 when rejected before it was known. */
    public int version()
    {
        return version;
    }

    /** @return the last datagram's syncid. */
    public int syncId()
    {
        return syncId;
    }
}
