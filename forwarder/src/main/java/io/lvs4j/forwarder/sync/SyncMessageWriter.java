package io.lvs4j.forwarder.sync;

import java.nio.ByteOrder;

import org.agrona.concurrent.UnsafeBuffer;

import io.lvs4j.core.flow.FlowKey;

/**
 * Builds one version-1 sync datagram (reference section 6.2) in a buffer of fixed size: the 8-byte header
 * ({@code reserved=0, syncid, size, nr_conns, version=1, spare=0}) followed by entries, each starting on a 4-byte
 * boundary with zero padding before it, as {@code ip_vs_sync_conn} lays them out. All fields network order.
 * Reused for every datagram; allocation free.
 */
public final class SyncMessageWriter
{
    /** Length of the v1 message header. */
    public static final int HEADER_LENGTH = 8;
    /** Protocol version written in the header ({@code SYNC_PROTO_VER}). */
    public static final int VERSION = 1;
    /** Fixed part of an IPv4 entry. */
    public static final int V4_ENTRY_LENGTH = 36;
    /** Fixed part of an IPv6 entry. */
    public static final int V6_ENTRY_LENGTH = 72;
    /** Entry type bit: IPv6 ({@code STYPE_F_INET6}). */
    public static final int TYPE_INET6 = 1;
    /** Option: sequence data (24 bytes). */
    public static final int OPT_SEQ_DATA = 1;
    /** Option: persistence-engine data. */
    public static final int OPT_PE_DATA = 2;
    /** Option: persistence-engine name. */
    public static final int OPT_PE_NAME = 3;
    /** Option type bit: optional, receivers may skip it ({@code IPVS_OPT_F_PARAM}). */
    public static final int OPT_F_PARAM = 64;
    /** Length of the sequence option's data. */
    public static final int SEQ_LENGTH = 24;
    /** Most entries one message can count (nr_conns is a byte). */
    public static final int MAX_ENTRIES = 255;
    /** IPVS's default message size: MTU 1500 minus IPv4 and UDP headers. */
    public static final int DEFAULT_MAX_LENGTH = 1472;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private final UnsafeBuffer buffer;
    private final int maxLength;
    private int length;
    private int count;

    /**
     * @param maxLength the largest datagram to build (the UDP payload limit, {@code sync_maxlen}).
     */
    public SyncMessageWriter(final int maxLength)
    {
        if (maxLength < HEADER_LENGTH + V6_ENTRY_LENGTH || maxLength > 65_535)
        {
            throw new IllegalArgumentException("maxLength " + maxLength);
        }
        this.maxLength = maxLength;
        this.buffer = new UnsafeBuffer(new byte[maxLength]);
    }

    /**
     * Starts a new message.
     *
     * @param syncId the sender's syncid, 0..255.
     * @return this.
     */
    public SyncMessageWriter reset(final int syncId)
    {
        buffer.setMemory(0, HEADER_LENGTH, (byte)0);
        buffer.putByte(1, (byte)syncId);
        buffer.putByte(5, (byte)VERSION);
        length = HEADER_LENGTH;
        count = 0;
        buffer.putShort(2, (short)length, BIG);
        return this;
    }

    /**
     * The length an entry takes without padding: its fixed part plus its options (the ver_size value).
     *
     * @param e the entry.
     * @return bytes.
     */
    public static int entryLength(final SyncEntry e)
    {
        int len = e.isV6() ? V6_ENTRY_LENGTH : V4_ENTRY_LENGTH;
        if (e.hasSeq)
        {
            len += 2 + SEQ_LENGTH;
        }
        if (e.peDataLength > 0)
        {
            len += 2 + e.peDataLength;
        }
        if (e.peNameLength > 0)
        {
            len += 2 + e.peNameLength;
        }
        return len;
    }

    /**
     * Appends an entry when it fits.
     *
     * @param e the entry.
     * @return false when the message is full (by length or by count): send it and start a new one.
     */
    public boolean append(final SyncEntry e)
    {
        final int pad = (4 - length) & 3;
        final int len = entryLength(e);
        if (count == MAX_ENTRIES || length + pad + len > maxLength)
        {
            return false;
        }
        int p = length;
        for (int i = 0; i < pad; i++)
        {
            buffer.putByte(p++, (byte)0);
        }
        final int start = p;
        buffer.putByte(p, (byte)(e.isV6() ? TYPE_INET6 : 0));
        buffer.putByte(p + 1, (byte)e.protocol);
        buffer.putShort(p + 2, (short)(len & 0x0FFF), BIG);
        buffer.putInt(p + 4, e.flags, BIG);
        buffer.putShort(p + 8, (short)e.state, BIG);
        buffer.putShort(p + 10, (short)e.clientPort, BIG);
        buffer.putShort(p + 12, (short)e.virtualPort, BIG);
        buffer.putShort(p + 14, (short)e.destPort, BIG);
        buffer.putInt(p + 16, (int)e.fwmark, BIG);
        buffer.putInt(p + 20, (int)e.timeoutS, BIG);
        p += 24;
        p = putAddress(p, e.family, e.clientHi, e.clientLo);
        p = putAddress(p, e.family, e.virtualHi, e.virtualLo);
        p = putAddress(p, e.family, e.destHi, e.destLo);
        if (e.hasSeq)
        {
            buffer.putByte(p++, (byte)OPT_SEQ_DATA);
            buffer.putByte(p++, (byte)SEQ_LENGTH);
            for (int i = 0; i < SyncEntry.SEQ_WORDS; i++)
            {
                buffer.putInt(p, e.seq[i], BIG);
                p += 4;
            }
        }
        if (e.peDataLength > 0)
        {
            buffer.putByte(p++, (byte)OPT_PE_DATA);
            buffer.putByte(p++, (byte)e.peDataLength);
            buffer.putBytes(p, e.peData, 0, e.peDataLength);
            p += e.peDataLength;
        }
        if (e.peNameLength > 0)
        {
            buffer.putByte(p++, (byte)OPT_PE_NAME);
            buffer.putByte(p++, (byte)e.peNameLength);
            buffer.putBytes(p, e.peName, 0, e.peNameLength);
            p += e.peNameLength;
        }
        length = start + len;
        count++;
        buffer.putShort(2, (short)length, BIG);
        buffer.putByte(4, (byte)count);
        return true;
    }

    private int putAddress(final int p, final int family, final long hi, final long lo)
    {
        if (family == FlowKey.AF_INET6)
        {
            buffer.putLong(p, hi, BIG);
            buffer.putLong(p + 8, lo, BIG);
            return p + 16;
        }
        buffer.putInt(p, (int)lo, BIG);
        return p + 4;
    }

    /** @return the message's length so far (the header's size field). */
    public int length()
    {
        return length;
    }

    /** @return the entries in the message. */
    public int count()
    {
        return count;
    }

    /** @return the buffer holding the message from offset 0. */
    public UnsafeBuffer buffer()
    {
        return buffer;
    }

    /** @return the backing array of {@link #buffer()}. */
    public byte[] array()
    {
        return buffer.byteArray();
    }
}
