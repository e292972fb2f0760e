package io.lvs4j.examples;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.conn.TcpState;
import io.lvs4j.core.packet.ClassifiedFrame;
import io.lvs4j.core.packet.FrameKind;
import io.lvs4j.core.packet.PacketClassifier;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

class EmbeddedNatStepTest
{
    private static final int CLIENT = 0xC633_6402; // 198.51.100.2
    private static final int VIP = 0xCB00_710A;    // 203.0.113.10
    private static final int REAL = 0xC000_020B;   // 192.0.2.11
    private static final int OTHER = 0xC000_020C;  // 192.0.2.12

    @Test
    void handshakeThroughTheReadmeExample()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        try (EmbeddedNatStep step = new EmbeddedNatStep("wlc", 8080, REAL))
        {
            assertEquals(TcpState.SYN_RECV, step.onRequest(buffer, 0, tcpFrame(buffer, 0x02, 40000), 1_000));
            assertRewrittenTo(buffer, REAL);
            assertEquals(TcpState.ESTABLISHED, step.onRequest(buffer, 0, tcpFrame(buffer, 0x10, 40000), 1_001));
            assertEquals("ActiveConn 1 InActConn 0", step.realServerCounts(0));
            assertEquals(1, step.table().size());
        }
    }

    @Test
    void wlcSendsTheNextConnectionToTheLessLoadedServer()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        try (EmbeddedNatStep step = new EmbeddedNatStep("wlc", 8080, REAL, OTHER))
        {
            // Both idle: the tie goes to the first in list order, the newest server: OTHER (id 1) was added last.
            step.onRequest(buffer, 0, tcpFrame(buffer, 0x02, 40000), 1_000);
            assertRewrittenTo(buffer, OTHER);
            step.onRequest(buffer, 0, tcpFrame(buffer, 0x10, 40000), 1_001);
            step.onRequest(buffer, 0, tcpFrame(buffer, 0x02, 40001), 1_002);
            assertRewrittenTo(buffer, REAL);
            assertEquals("ActiveConn 1 InActConn 0", step.realServerCounts(1));
            assertEquals("ActiveConn 0 InActConn 1", step.realServerCounts(0));
        }
    }

    @Test
    void noRealServerAvailableRefusesTheConnection()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(128));
        try (EmbeddedNatStep step = new EmbeddedNatStep("rr", 8080))
        {
            assertEquals(-1, step.onRequest(buffer, 0, tcpFrame(buffer, 0x02, 40000), 1_000));
            assertEquals(0, step.table().size());
        }
    }

    private static void assertRewrittenTo(final UnsafeBuffer buffer, final int real)
    {
        final ClassifiedFrame frame = new ClassifiedFrame();
        assertEquals(FrameKind.IPV4_TCP, new PacketClassifier().classify(buffer, 0, 54, frame));
        assertEquals(real, frame.flow().dstV4());
        assertEquals(8080, frame.flow().dstPort());
        assertEquals(true, Checksums.isIpv4HeaderValid(buffer, frame.l3Offset(), 20), "IP checksum");
        final int stored = buffer.getShort(frame.l4Offset() + Checksums.TCP_CHECKSUM_OFFSET, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        assertEquals(Checksums.tcpChecksumV4(buffer, frame.l3Offset(), frame.l4Offset(), 20), stored, "TCP checksum");
    }

    /** Writes a 54-byte Ethernet/IPv4/TCP frame client:port -> VIP:80 with valid checksums. */
    private static int tcpFrame(final UnsafeBuffer b, final int flags, final int port)
    {
        b.setMemory(0, 128, (byte)0);
        b.putShort(12, (short)0x0800, ByteOrder.BIG_ENDIAN);
        b.putByte(14, (byte)0x45);
        b.putShort(16, (short)40, ByteOrder.BIG_ENDIAN);
        b.putByte(22, (byte)64);
        b.putByte(23, (byte)6);
        b.putInt(26, CLIENT, ByteOrder.BIG_ENDIAN);
        b.putInt(30, VIP, ByteOrder.BIG_ENDIAN);
        b.putShort(24, (short)Checksums.ipv4HeaderChecksum(b, 14, 20), ByteOrder.BIG_ENDIAN);
        b.putShort(34, (short)port, ByteOrder.BIG_ENDIAN);
        b.putShort(36, (short)80, ByteOrder.BIG_ENDIAN);
        b.putByte(46, (byte)0x50);
        b.putByte(47, (byte)flags);
        b.putShort(48, (short)64240, ByteOrder.BIG_ENDIAN);
        b.putShort(50, (short)Checksums.tcpChecksumV4(b, 14, 34, 20), ByteOrder.BIG_ENDIAN);
        return 54;
    }
}
