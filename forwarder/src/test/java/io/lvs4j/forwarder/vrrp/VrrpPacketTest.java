package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * The advert codec: byte-exact v2 (PASS) and v3 adverts with checksums computed here independently (a plain
 * RFC 1071 sum over the bytes), and round trips through the readers.
 */
@Timeout(10)
class VrrpPacketTest
{
    /** RFC 1071 the slow way, sharing nothing with the code under test. */
    static int rfc1071(final byte[] bytes, final int from, final int to, final long extra)
    {
        long sum = extra;
        for (int i = from; i < to; i += 2)
        {
            final int hi = bytes[i] & 0xFF;
            final int lo = i + 1 < to ? bytes[i + 1] & 0xFF : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >> 16);
        }
        return (int)(~sum & 0xFFFF);
    }

    @Test
    void v2PassAdvertIsByteExact()
    {
        final byte[] bytes = new byte[64];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int length = VrrpPacket.writeV2(buffer, 0, 51, 100, 1, VrrpPacket.AUTH_PASS,
            "1111".getBytes(StandardCharsets.US_ASCII), new int[] {Ipv4Text.parse("192.168.20.50")});
        assertEquals(20, length);
        final byte[] expected = {
            0x21, 0x33, 0x64, 0x01, 0x01, 0x01, 0x42, (byte)0x8d,
            (byte)0xc0, (byte)0xa8, 0x14, 0x32,
            0x31, 0x31, 0x31, 0x31, 0, 0, 0, 0};
        final byte[] got = new byte[length];
        buffer.getBytes(0, got);
        assertArrayEquals(expected, got);
        final byte[] zeroed = got.clone();
        zeroed[6] = 0;
        zeroed[7] = 0;
        assertEquals(0x428d, rfc1071(zeroed, 0, length, 0));
        assertEquals(0, rfc1071(got, 0, length, 0), "a valid checksum sums to zero");
    }

    @Test
    void v3AdvertIsByteExactWithPseudoHeader()
    {
        final byte[] bytes = new byte[64];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int src = Ipv4Text.parse("192.0.2.1");
        final int dst = VrrpPacket.MULTICAST_GROUP;
        final int length = VrrpPacket.writeV3(buffer, 0, 51, 100, 100, new int[] {Ipv4Text.parse("203.0.113.10")},
            src, dst);
        assertEquals(12, length);
        final byte[] expected = {0x31, 0x33, 0x64, 0x01, 0x00, 0x64, (byte)0x8b, (byte)0xcb,
            (byte)0xcb, 0x00, 0x71, 0x0a};
        final byte[] got = new byte[length];
        buffer.getBytes(0, got);
        assertArrayEquals(expected, got);
        final long pseudo = 0xc000 + 0x0201 + 0xe000 + 0x0012 + 112 + length;
        assertEquals(0, rfc1071(got, 0, length, pseudo));
    }

    @Test
    void roundTripsThroughTheReaders()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[128]);
        final int[] vips = {Ipv4Text.parse("203.0.113.10"), Ipv4Text.parse("203.0.113.11")};
        final int length = VrrpPacket.writeV2(buffer, 10, 7, 254, 3, VrrpPacket.AUTH_NONE, null, vips);
        assertEquals(VrrpPacket.length(2, 2), length);
        assertEquals(2, VrrpPacket.version(buffer, 10));
        assertEquals(VrrpPacket.TYPE_ADVERTISEMENT, VrrpPacket.type(buffer, 10));
        assertEquals(7, VrrpPacket.vrid(buffer, 10));
        assertEquals(254, VrrpPacket.priority(buffer, 10));
        assertEquals(2, VrrpPacket.count(buffer, 10));
        assertEquals(VrrpPacket.AUTH_NONE, VrrpPacket.authType(buffer, 10));
        assertEquals(3, VrrpPacket.advertIntSeconds(buffer, 10));
        assertEquals(vips[1], VrrpPacket.address(buffer, 10, 1));
        assertEquals(VrrpPacket.checksum(buffer, 10), VrrpPacket.checksumV2(buffer, 10, length));

        final int v3 = VrrpPacket.writeV3(buffer, 40, 200, 0, 4095, vips, 1, 2);
        assertEquals(VrrpPacket.length(3, 2), v3);
        assertEquals(3, VrrpPacket.version(buffer, 40));
        assertEquals(0, VrrpPacket.priority(buffer, 40));
        assertEquals(4095, VrrpPacket.maxAdvertIntCs(buffer, 40));
        assertEquals(VrrpPacket.checksum(buffer, 40), VrrpPacket.checksumV3(buffer, 40, v3, 1, 2));
    }

    @Test
    void frameHeadersCarryTtl255AndProtocol112()
    {
        final byte[] bytes = new byte[128];
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final int vrrp = VrrpPacket.writeV2(buffer, 34, 51, 100, 1, VrrpPacket.AUTH_NONE, null, new int[] {1});
        final int frame = VrrpPacket.writeFrameHeaders(buffer, 0, VrrpPacket.MULTICAST_MAC, 0x00005e000133L,
            Ipv4Text.parse("192.0.2.1"), VrrpPacket.MULTICAST_GROUP, 1, VrrpPacket.TTL, vrrp);
        assertEquals(14 + 20 + vrrp, frame);
        assertEquals(0x01, bytes[0]);
        assertEquals(0x5e, bytes[2]);
        assertEquals(0x12, bytes[5]);
        assertEquals(0x33, bytes[11]);
        assertEquals((byte)255, bytes[14 + 8]);
        assertEquals(112, bytes[14 + 9]);
        assertEquals(0, rfc1071(bytes, 14, 34, 0), "IPv4 header checksum");
    }
}
