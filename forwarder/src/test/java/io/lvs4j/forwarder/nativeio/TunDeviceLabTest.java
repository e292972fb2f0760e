package io.lvs4j.forwarder.nativeio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import io.lvs4j.forwarder.lab.LabPreconditions;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Tag("lab")
@Timeout(60)
class TunDeviceLabTest
{
    private static final int LOCAL = 0xC000_0201;   // 192.0.2.1, the tun's own address
    private static final int PEER = 0xC000_0202;    // 192.0.2.2, a sender behind the tun

    @BeforeEach
    void lab()
    {
        LabPreconditions.assumeLab();
    }

    @Test
    void anEchoRequestWrittenIntoTheTunIsAnsweredThroughIt() throws Exception
    {
        try (LabNamespace ns = LabNamespace.create())
        {
            final TunDevice tun = NetworkNamespace.call(ns.name(), () -> TunDevice.open("lvt0"));
            try
            {
                assertEquals("lvt0", tun.name());
                ns.ip("addr", "add", "192.0.2.1/24", "dev", "lvt0");
                ns.ip("link", "set", "lvt0", "up");

                final UnsafeBuffer packet = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
                final int length = echoRequest(packet, 0x4C56, 7);
                assertEquals(length, tun.write(packet, 0, length));

                final UnsafeBuffer in = new UnsafeBuffer(ByteBuffer.allocateDirect(2048));
                final long deadline = System.nanoTime() + 5_000_000_000L;
                boolean answered = false;
                while (!answered && System.nanoTime() < deadline)
                {
                    final long n = tun.read(in, 0, in.capacity());
                    assertTrue(n >= 0, "read errno " + LibC.errno());
                    if (n == 0)
                    {
                        Thread.sleep(1);
                        continue;
                    }
                    answered = n >= 28 && (in.getByte(0) & 0xF0) == 0x40 && in.getByte(9) == 1 &&
                        in.getByte(20) == 0 && in.getInt(12, ByteOrder.BIG_ENDIAN) == LOCAL &&
                        in.getInt(16, ByteOrder.BIG_ENDIAN) == PEER &&
                        in.getShort(24, ByteOrder.BIG_ENDIAN) == 0x4C56 && in.getShort(26, ByteOrder.BIG_ENDIAN) == 7;
                }
                assertTrue(answered, "echo reply read back from the tun");
                assertEquals(0, tun.read(in, 0, in.capacity()), "nothing else waits (non-blocking)");
            }
            finally
            {
                tun.close();
                tun.close();
            }
            assertFalse(ns.ip("link", "show").contains("lvt0"), "the device goes with its descriptor");
        }
    }

    private static int echoRequest(final UnsafeBuffer b, final int id, final int sequence)
    {
        final int payload = 16;
        final int total = 20 + 8 + payload;
        b.setMemory(0, total, (byte)0);
        b.putByte(0, (byte)0x45);
        b.putShort(2, (short)total, ByteOrder.BIG_ENDIAN);
        b.putByte(8, (byte)64);
        b.putByte(9, (byte)1);
        b.putInt(12, PEER, ByteOrder.BIG_ENDIAN);
        b.putInt(16, LOCAL, ByteOrder.BIG_ENDIAN);
        b.putShort(10, checksum(b, 0, 20), ByteOrder.BIG_ENDIAN);
        b.putByte(20, (byte)8);
        b.putShort(24, (short)id, ByteOrder.BIG_ENDIAN);
        b.putShort(26, (short)sequence, ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < payload; i++)
        {
            b.putByte(28 + i, (byte)i);
        }
        b.putShort(22, checksum(b, 20, 8 + payload), ByteOrder.BIG_ENDIAN);
        return total;
    }

    private static short checksum(final UnsafeBuffer b, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i < length; i += 2)
        {
            sum += b.getShort(offset + i, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (short)~sum;
    }
}
