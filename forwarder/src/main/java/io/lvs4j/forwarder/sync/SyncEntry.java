package io.lvs4j.forwarder.sync;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;

/**
 * One connection entry as IPVS's sync daemon carries it (reference section 6.2): the fields of
 * {@code struct ip_vs_sync_v4}/{@code ip_vs_sync_v6} plus the optional sequence, persistence-engine data and name.
 * Mutable and reused by its owner; addresses follow {@link FlowKey}'s convention (IPv4 in the low 32 bits of
 * {@code lo}).
 * <p>
 * {@link #state} holds the kernel's wire value, which differs from {@link TcpState} for UDP ({@code
 * IP_VS_UDP_S_NORMAL} = 0) and templates ({@code IP_VS_CTPL_S_NONE} = 0, {@code IP_VS_CTPL_S_ASSURED} = 1);
 * {@link #fromRecord} and {@link #tableState} translate.
 */
public final class SyncEntry
{
    /** Template wire state: not yet assured ({@code IP_VS_CTPL_S_NONE}). */
    public static final int TEMPLATE_STATE_NONE = 0;
    /** Template wire state: assured ({@code IP_VS_CTPL_S_ASSURED}). */
    public static final int TEMPLATE_STATE_ASSURED = 1;
    /** Number of template wire states ({@code IP_VS_CTPL_S_LAST}). */
    public static final int TEMPLATE_STATE_COUNT = 2;
    /** Maximum persistence-engine data length (the option's length byte). */
    public static final int MAX_PE_DATA = 255;
    /** Maximum persistence-engine name length ({@code IP_VS_PENAME_MAXLEN}). */
    public static final int MAX_PE_NAME = 16;
    /** Number of 32-bit words of the sequence option: in and out, each init_seq, delta, previous_delta. */
    public static final int SEQ_WORDS = 6;

    /** {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}. */
    public int family;
    /** IP protocol. */
    public int protocol;
    /** Connection flags as sent ({@code HASHED} cleared). */
    public int flags;
    /** State, wire value. */
    public int state;
    /** Client port. */
    public int clientPort;
    /** Virtual port. */
    public int virtualPort;
    /** Real server port. */
    public int destPort;
    /** Firewall mark, 0 for none. */
    public long fwmark;
    /** Timeout in seconds (unsigned 32 bits). */
    public long timeoutS;
    /** Client address, high 64 bits. */
    public long clientHi;
    /** Client address, low 64 bits. */
    public long clientLo;
    /** Virtual address, high 64 bits. */
    public long virtualHi;
    /** Virtual address, low 64 bits. */
    public long virtualLo;
    /** Real server address, high 64 bits. */
    public long destHi;
    /** Real server address, low 64 bits. */
    public long destLo;
    /** Whether the sequence option is present. */
    public boolean hasSeq;
    /** The sequence option's words: in init_seq, delta, previous_delta, then out. */
    public final int[] seq = new int[SEQ_WORDS];
    /** Persistence-engine data length, 0 for none. */
    public int peDataLength;
    /** Persistence-engine data. */
    public final byte[] peData = new byte[MAX_PE_DATA];
    /** Persistence-engine name length, 0 for none. */
    public int peNameLength;
    /** Persistence-engine name bytes. */
    public final byte[] peName = new byte[MAX_PE_NAME];

    /** Clears every field. */
    public void clear()
    {
        family = protocol = flags = state = clientPort = virtualPort = destPort = 0;
        fwmark = timeoutS = 0;
        clientHi = clientLo = virtualHi = virtualLo = destHi = destLo = 0;
        hasSeq = false;
        java.util.Arrays.fill(seq, 0);
        peDataLength = peNameLength = 0;
    }

    /** @return true for a persistence template. */
    public boolean isTemplate()
    {
        return (flags & ConnectionFlags.TEMPLATE) != 0;
    }

    /** @return true for an IPv6 entry. */
    public boolean isV6()
    {
        return family == FlowKey.AF_INET6;
    }

    /**
     * Fills this entry from a table entry, translating the state to its wire value.
     *
     * @param record   the table entry.
     * @param timeoutS the timeout to announce, in seconds (IPVS sends the state's full timeout).
     * @return this.
     */
    public SyncEntry fromRecord(final ConnectionRecord record, final long timeoutS)
    {
        clear();
        family = record.family;
        protocol = record.protocol;
        // ip_vs_sync_conn: cp->flags & ~IP_VS_CONN_F_HASHED
        flags = record.flags & ConnectionFlags.SYNC_MASK & ~ConnectionFlags.HASHED;
        state = wireState(record.protocol, record.flags, record.state);
        clientPort = record.clientPort;
        virtualPort = record.virtualPort;
        destPort = record.destPort;
        // fwmark templates keep the mark in the virtual address (ConnectionRecord's convention)
        fwmark = record.isTemplate() && record.protocol == 0 ? record.virtualLo & 0xFFFF_FFFFL : 0;
        this.timeoutS = timeoutS & 0xFFFF_FFFFL;
        clientHi = record.clientHi;
        clientLo = record.clientLo;
        virtualHi = record.virtualHi;
        virtualLo = record.virtualLo;
        destHi = record.destHi;
        destLo = record.destLo;
        return this;
    }

    /**
     * The kernel's state value for a table state.
     *
     * @param protocol the entry's protocol.
     * @param flags    the entry's flags.
     * @param state    a {@link TcpState} code.
     * @return the wire state.
     */
    public static int wireState(final int protocol, final int flags, final int state)
    {
        if ((flags & ConnectionFlags.TEMPLATE) != 0)
        {
            return state == TcpState.ASSURED ? TEMPLATE_STATE_ASSURED : TEMPLATE_STATE_NONE;
        }
        if (protocol == IpProtocol.TCP)
        {
            return state;
        }
        // UDP and the rest have one state, IP_VS_UDP_S_NORMAL = 0
        return 0;
    }

    /**
     * The table state for this entry's wire state, or -1 when the kernel would reject it ("Invalid state").
     *
     * @return a {@link TcpState} code, or -1.
     */
    public int tableState()
    {
        if (isTemplate())
        {
            return state == TEMPLATE_STATE_ASSURED ? TcpState.ASSURED : state == TEMPLATE_STATE_NONE ? TcpState.NONE : -1;
        }
        if (protocol == IpProtocol.TCP)
        {
            return state >= 0 && state < TcpState.TCP_STATE_COUNT ? state : -1;
        }
        if (protocol == IpProtocol.UDP)
        {
            return state == 0 ? TcpState.UDP : -1;
        }
        return -1;
    }

    /**
     * Copies every field from another entry.
     *
     * @param o the source.
     * @return this.
     */
    public SyncEntry set(final SyncEntry o)
    {
        family = o.family;
        protocol = o.protocol;
        flags = o.flags;
        state = o.state;
        clientPort = o.clientPort;
        virtualPort = o.virtualPort;
        destPort = o.destPort;
        fwmark = o.fwmark;
        timeoutS = o.timeoutS;
        clientHi = o.clientHi;
        clientLo = o.clientLo;
        virtualHi = o.virtualHi;
        virtualLo = o.virtualLo;
        destHi = o.destHi;
        destLo = o.destLo;
        hasSeq = o.hasSeq;
        System.arraycopy(o.seq, 0, seq, 0, SEQ_WORDS);
        peDataLength = o.peDataLength;
        System.arraycopy(o.peData, 0, peData, 0, o.peDataLength);
        peNameLength = o.peNameLength;
        System.arraycopy(o.peName, 0, peName, 0, o.peNameLength);
        return this;
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(128);
        sb.append(IpProtocol.name(protocol)).append(' ');
        FlowKey.appendAddress(sb, family, clientHi, clientLo).append(':').append(clientPort).append(" -> ");
        FlowKey.appendAddress(sb, family, virtualHi, virtualLo).append(':').append(virtualPort).append(" => ");
        FlowKey.appendAddress(sb, family, destHi, destLo).append(':').append(destPort);
        sb.append(" state=").append(state).append(" flags=0x").append(Integer.toHexString(flags));
        sb.append(" fwmark=").append(fwmark).append(" timeout=").append(timeoutS);
        return sb.toString();
    }
}
