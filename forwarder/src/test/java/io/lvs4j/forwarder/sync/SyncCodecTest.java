package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;

/**
 * The sync wire format against messages assembled by hand from reference section 6.2 and 6.3.
 */
@Timeout(10)
class SyncCodecTest
{
    static SyncEntry v4Entry()
    {
        final SyncEntry e = new SyncEntry();
        e.family = FlowKey.AF_INET;
        e.protocol = IpProtocol.TCP;
        e.flags = ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT;
        e.state = TcpState.ESTABLISHED;
        e.clientPort = 40000;
        e.virtualPort = 80;
        e.destPort = 8080;
        e.fwmark = 0;
        e.timeoutS = 900;
        e.clientLo = 0xC6336402L; // 198.51.100.2
        e.virtualLo = 0xCB00710AL; // 203.0.113.10
        e.destLo = 0xC000020BL; // 192.0.2.11
        return e;
    }

    /** One IPv4 entry, byte by byte as section 6.2 lays it out. */
    static final byte[] ONE_V4 =
    {
        0, 7, 0, 44, 1, 1, 0, 0, // reserved, syncid 7, size 44, nr_conns 1, version 1, spare 0
        0, 6, 0, 36, // type v4, protocol TCP, ver_size = version 0 | length 36
        0, 0, 0, (byte)0x83, // flags DROUTE | NOOUTPUT
        0, 1, // state ESTABLISHED
        (byte)0x9C, 0x40, 0, 80, 0x1F, (byte)0x90, // cport 40000, vport 80, dport 8080
        0, 0, 0, 0, // fwmark
        0, 0, 3, (byte)0x84, // timeout 900
        (byte)198, 51, 100, 2, (byte)203, 0, 113, 10, (byte)192, 0, 2, 11,
    };

    @Test
    void writesOneIpv4EntryExactly()
    {
        final SyncMessageWriter w = new SyncMessageWriter(1472).reset(7);
        assertTrue(w.append(v4Entry()));
        assertArrayEquals(ONE_V4, Arrays.copyOf(w.array(), w.length()));
    }

    @Test
    void readsOneIpv4EntryExactly()
    {
        final SyncMessageReader r = new SyncMessageReader();
        assertNull(r.read(new UnsafeBuffer(ONE_V4), 0, ONE_V4.length, 7));
        assertEquals(1, r.version());
        assertEquals(1, r.count());
        final SyncEntry e = r.entry(0);
        assertEquals(v4Entry().toString(), e.toString());
        assertEquals(ConnectionFlags.DROUTE | ConnectionFlags.NOOUTPUT, e.flags);
        assertEquals(900, e.timeoutS);
        assertNull(r.read(new UnsafeBuffer(ONE_V4), 0, ONE_V4.length, 0), "syncid 0 accepts every sender");
        assertEquals(SyncDropReason.WRONG_SYNCID, r.read(new UnsafeBuffer(ONE_V4), 0, ONE_V4.length, 8));
    }

    @Test
    void ipv6EntryWithPersistenceOptionsAndPaddingBeforeTheNextEntry()
    {
        final SyncEntry v6 = new SyncEntry();
        v6.family = FlowKey.AF_INET6;
        v6.protocol = IpProtocol.UDP;
        v6.flags = ConnectionFlags.MASQ | ConnectionFlags.INACTIVE;
        v6.clientPort = 5353;
        v6.virtualPort = 53;
        v6.destPort = 53;
        v6.fwmark = 0x01020304L;
        v6.timeoutS = 300;
        v6.clientHi = 0x20010db800000000L;
        v6.clientLo = 1;
        v6.virtualHi = 0x20010db800000000L;
        v6.virtualLo = 0x10;
        v6.destHi = 0x20010db800000000L;
        v6.destLo = 0x11;
        v6.peDataLength = 3;
        v6.peData[0] = 'a';
        v6.peData[1] = 'b';
        v6.peData[2] = 'c';
        v6.peNameLength = 3;
        v6.peName[0] = 's';
        v6.peName[1] = 'i';
        v6.peName[2] = 'p';

        final SyncMessageWriter w = new SyncMessageWriter(1472).reset(0);
        assertTrue(w.append(v6));
        assertTrue(w.append(v4Entry()));
        // 8 header + 72 fixed + (2+3) + (2+3) = 90, pad 2 to 92, + 36 = 128
        assertEquals(128, w.length());
        final byte[] m = Arrays.copyOf(w.array(), w.length());
        final byte[] expectedV6 = new byte[82];
        final UnsafeBuffer x = new UnsafeBuffer(expectedV6);
        x.putByte(0, (byte)1);
        x.putByte(1, (byte)17);
        x.putShort(2, (short)82, java.nio.ByteOrder.BIG_ENDIAN);
        x.putInt(4, 0x100, java.nio.ByteOrder.BIG_ENDIAN);
        x.putShort(8, (short)0, java.nio.ByteOrder.BIG_ENDIAN);
        x.putShort(10, (short)5353, java.nio.ByteOrder.BIG_ENDIAN);
        x.putShort(12, (short)53, java.nio.ByteOrder.BIG_ENDIAN);
        x.putShort(14, (short)53, java.nio.ByteOrder.BIG_ENDIAN);
        x.putInt(16, 0x01020304, java.nio.ByteOrder.BIG_ENDIAN);
        x.putInt(20, 300, java.nio.ByteOrder.BIG_ENDIAN);
        final byte[] prefix = {0x20, 0x01, 0x0d, (byte)0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
        x.putBytes(24, prefix);
        x.putByte(39, (byte)1);
        x.putBytes(40, prefix);
        x.putByte(55, (byte)0x10);
        x.putBytes(56, prefix);
        x.putByte(71, (byte)0x11);
        x.putBytes(72, new byte[] {2, 3, 'a', 'b', 'c', 3, 3, 's', 'i', 'p'});
        assertArrayEquals(new byte[] {0, 0, 0, (byte)128, 2, 1, 0, 0}, Arrays.copyOf(m, 8));
        assertArrayEquals(expectedV6, Arrays.copyOfRange(m, 8, 90));
        assertArrayEquals(new byte[] {0, 0}, Arrays.copyOfRange(m, 90, 92), "zero padding");
        assertArrayEquals(Arrays.copyOfRange(ONE_V4, 8, 44), Arrays.copyOfRange(m, 92, 128));

        final SyncMessageReader r = new SyncMessageReader();
        assertNull(r.read(new UnsafeBuffer(m), 0, m.length, 0));
        assertEquals(2, r.count());
        assertEquals(v6.toString(), r.entry(0).toString());
        assertEquals(3, r.entry(0).peDataLength);
        assertEquals('p', r.entry(0).peName[2]);
        assertEquals(v4Entry().toString(), r.entry(1).toString());
    }

    @Test
    void sequenceOptionAndOptionalUnknownOptionsAreSkippedButMandatoryOnesDropTheEntry()
    {
        final SyncEntry e = v4Entry();
        e.flags |= ConnectionFlags.IN_SEQ;
        e.hasSeq = true;
        for (int i = 0; i < 6; i++)
        {
            e.seq[i] = 100 + i;
        }
        final SyncMessageWriter w = new SyncMessageWriter(1472).reset(1);
        assertTrue(w.append(e));
        assertEquals(8 + 36 + 26, w.length());
        byte[] m = Arrays.copyOf(w.array(), w.length());
        final SyncMessageReader r = new SyncMessageReader();
        assertNull(r.read(new UnsafeBuffer(m), 0, m.length, 1));
        assertEquals(105, r.entry(0).seq[5]);

        // append an optional option (type 64|9) and then a mandatory unknown one (type 9)
        m = Arrays.copyOf(m, m.length + 6);
        final UnsafeBuffer b = new UnsafeBuffer(m);
        b.putShort(2, (short)m.length, java.nio.ByteOrder.BIG_ENDIAN);
        b.putShort(8 + 2, (short)(36 + 26 + 6), java.nio.ByteOrder.BIG_ENDIAN);
        b.putBytes(8 + 62, new byte[] {64 | 9, 1, 7, 9, 1, 7});
        assertNull(r.read(b, 0, m.length, 1));
        assertEquals(1, r.count());
        assertEquals(SyncDropReason.UNKNOWN_OPTION, r.entryDrop(0));
        b.putByte(8 + 62 + 3, (byte)(64 | 9));
        assertNull(r.read(b, 0, m.length, 1));
        assertNull(r.entryDrop(0));
        b.putByte(8 + 62 + 4, (byte)0);
        assertEquals(SyncDropReason.BAD_OPTION, r.read(b, 0, m.length, 1), "option of length 0");
    }

    @Test
    void malformedMessagesAreRejectedByReason()
    {
        final SyncMessageReader r = new SyncMessageReader();
        assertEquals(SyncDropReason.TOO_SHORT, r.read(new UnsafeBuffer(new byte[3]), 0, 3, 0));
        assertEquals(SyncDropReason.SIZE_MISMATCH, r.read(new UnsafeBuffer(ONE_V4), 0, 40, 0), "truncated");
        byte[] m = ONE_V4.clone();
        m[4] = 2;
        assertEquals(SyncDropReason.COUNT_EXCEEDS_DATA, r.read(new UnsafeBuffer(m), 0, m.length, 0));
        m = ONE_V4.clone();
        m[4] = 0;
        assertEquals(SyncDropReason.COUNT_BELOW_DATA, r.read(new UnsafeBuffer(m), 0, m.length, 0));
        m = ONE_V4.clone();
        m[10] = 0x10;
        assertEquals(SyncDropReason.BAD_ENTRY_VERSION, r.read(new UnsafeBuffer(m), 0, m.length, 0));
        m = ONE_V4.clone();
        m[11] = 30;
        assertEquals(SyncDropReason.BAD_ENTRY_LENGTH, r.read(new UnsafeBuffer(m), 0, m.length, 0));
        m = ONE_V4.clone();
        m[11] = 100;
        assertEquals(SyncDropReason.COUNT_EXCEEDS_DATA, r.read(new UnsafeBuffer(m), 0, m.length, 0));
        m = ONE_V4.clone();
        m[8] = 1;
        assertEquals(SyncDropReason.BAD_ENTRY_LENGTH, r.read(new UnsafeBuffer(m), 0, m.length, 0), "v6 type, v4 size");
    }

    @Test
    void randomBytesNeverThrow()
    {
        final Random random = new Random(42);
        final SyncMessageReader r = new SyncMessageReader();
        int accepted = 0;
        for (int i = 0; i < 20_000; i++)
        {
            final byte[] m = new byte[random.nextInt(200)];
            random.nextBytes(m);
            if (m.length >= 4 && random.nextBoolean())
            {
                new UnsafeBuffer(m).putShort(2, (short)m.length, java.nio.ByteOrder.BIG_ENDIAN);
            }
            if (r.read(new UnsafeBuffer(m), 0, m.length, 0) == null)
            {
                accepted++;
            }
        }
        assertTrue(accepted < 20_000);
    }

    @Test
    void readsLegacyVersion0()
    {
        final byte[] m =
        {
            1, 9, 0, 28, // nr_conns 1, syncid 9, size 28
            0, 6, (byte)0x9C, 0x40, 0, 80, 0x1F, (byte)0x90,
            (byte)198, 51, 100, 2, (byte)203, 0, 113, 10, (byte)192, 0, 2, 11,
            0x01, (byte)0x83, 0, 4, // flags INACTIVE|NOOUTPUT|DROUTE, state FIN_WAIT
        };
        final SyncMessageReader r = new SyncMessageReader();
        assertNull(r.read(new UnsafeBuffer(m), 0, m.length, 9));
        assertEquals(0, r.version());
        assertEquals(1, r.count());
        final SyncEntry e = r.entry(0);
        assertEquals(40000, e.clientPort);
        assertEquals(8080, e.destPort);
        assertEquals(0xC000020BL, e.destLo);
        assertEquals(0x183, e.flags);
        assertEquals(TcpState.FIN_WAIT, e.state);
        assertEquals(0, e.timeoutS);
    }

    @Test
    void fullMessagesStopAtTheSizeLimitAndAt255Entries()
    {
        final SyncMessageWriter w = new SyncMessageWriter(1472).reset(0);
        int n = 0;
        while (w.append(v4Entry()))
        {
            n++;
        }
        assertEquals((1472 - 8) / 36, n);
        final SyncMessageWriter big = new SyncMessageWriter(65_000).reset(0);
        n = 0;
        while (big.append(v4Entry()))
        {
            n++;
        }
        assertEquals(255, n);
        final SyncMessageReader r = new SyncMessageReader();
        assertNull(r.read(big.buffer(), 0, big.length(), 0));
        assertEquals(255, r.count());
    }

    @Test
    void statesTranslateBetweenTableAndWire()
    {
        final ConnectionRecord udp = new ConnectionRecord();
        udp.family = FlowKey.AF_INET;
        udp.protocol = IpProtocol.UDP;
        udp.state = TcpState.UDP;
        assertEquals(0, new SyncEntry().fromRecord(udp, 300).state);
        assertEquals(TcpState.UDP, new SyncEntry().fromRecord(udp, 300).tableState());
        final ConnectionRecord tpl = new ConnectionRecord();
        tpl.family = FlowKey.AF_INET;
        tpl.protocol = IpProtocol.TCP;
        tpl.flags = ConnectionFlags.TEMPLATE;
        tpl.state = TcpState.ASSURED;
        final SyncEntry t = new SyncEntry().fromRecord(tpl, 360);
        assertEquals(SyncEntry.TEMPLATE_STATE_ASSURED, t.state);
        assertEquals(TcpState.ASSURED, t.tableState());
        t.state = 2;
        assertEquals(-1, t.tableState());
        assertFalse(new SyncEntry().isTemplate());
    }
}
