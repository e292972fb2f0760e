package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * Every receive check: each bad advert is dropped with its own reason and counted; good v2, v3 and unicast adverts
 * pass.
 */
@Timeout(10)
class VrrpReceiverTest
{
    static final int OURS = Ipv4Text.parse("192.0.2.1");
    static final int PEER = Ipv4Text.parse("192.0.2.2");
    static final int VIP = Ipv4Text.parse("203.0.113.10");
    static final byte[] PASS = "1111".getBytes(StandardCharsets.US_ASCII);

    final VrrpCounters counters = new VrrpCounters();
    final VrrpReceiver receiver = new VrrpReceiver(counters);

    VrrpReceiverTest()
    {
        receiver.add(new VrrpInstanceSpec("VI_1", 0, 51, 2, 100, 100, false, 0, VrrpPacket.AUTH_PASS, PASS,
            new int[] {VIP}, OURS, new int[0], false));
        receiver.add(new VrrpInstanceSpec("V3", 0, 52, 3, 100, 100, false, 0, VrrpPacket.AUTH_NONE, null,
            new int[] {VIP}, OURS, new int[0], false));
        receiver.add(new VrrpInstanceSpec("UNI", 1, 51, 2, 100, 100, false, 0, VrrpPacket.AUTH_NONE, null,
            new int[] {VIP}, OURS, new int[] {PEER}, false));
        receiver.ownAddress(0, OURS);
    }

    /** A v2 advert frame from PEER, then {@code edit} on the bytes (checksums fixed unless the edit breaks them). */
    static byte[] v2(final int vrid, final int authType, final byte[] auth, final int[] vips, final int ttl,
        final int source, final int destination)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[80]);
        final int len = VrrpPacket.writeV2(b, 34, vrid, 200, 1, authType, auth, vips);
        final int frame = VrrpPacket.writeFrameHeaders(b, 0, VrrpPacket.MULTICAST_MAC, 0x00005e000100L | vrid, source,
            destination, 1, ttl, len);
        final byte[] out = new byte[Math.max(60, frame)];
        b.getBytes(0, out, 0, frame);
        return out;
    }

    static byte[] good()
    {
        return v2(51, VrrpPacket.AUTH_PASS, PASS, new int[] {VIP}, 255, PEER, VrrpPacket.MULTICAST_GROUP);
    }

    /** Edits the VRRP message and recomputes its v2 checksum, so only the edited field is wrong. */
    static byte[] edited(final Consumer<UnsafeBuffer> edit)
    {
        final byte[] f = good();
        final UnsafeBuffer b = new UnsafeBuffer(f);
        edit.accept(b);
        final int len = (b.getShort(16, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) - 20;
        b.putShort(34 + 6, (short)VrrpPacket.checksumV2(b, 34, len), java.nio.ByteOrder.BIG_ENDIAN);
        return f;
    }

    VrrpDropReason check(final int iface, final byte[] frame)
    {
        return receiver.check(iface, new UnsafeBuffer(frame), 0, frame.length);
    }

    VrrpDropReason check(final byte[] frame)
    {
        return check(0, frame);
    }

    @Test
    void acceptsAGoodAdvert()
    {
        assertNull(check(good()));
        assertEquals("VI_1", receiver.instance().name());
        assertEquals(200, receiver.priority());
        assertEquals(PEER, receiver.source());
        assertEquals(1_000_000_000L, receiver.advertIntervalNs());
        assertEquals(1, counters.advertsReceived());
        assertEquals(0, counters.totalDrops());
    }

    @Test
    void dropsEachBadAdvertByReason()
    {
        assertEquals(VrrpDropReason.TTL, check(v2(51, 1, PASS, new int[] {VIP}, 254, PEER, VrrpPacket.MULTICAST_GROUP)));
        assertEquals(VrrpDropReason.UNKNOWN_VRID, check(v2(99, 1, PASS, new int[] {VIP}, 255, PEER,
            VrrpPacket.MULTICAST_GROUP)));
        assertEquals(VrrpDropReason.AUTH_TYPE, check(v2(51, 0, null, new int[] {VIP}, 255, PEER,
            VrrpPacket.MULTICAST_GROUP)));
        assertEquals(VrrpDropReason.AUTH_PASSWORD, check(v2(51, 1, "2222".getBytes(StandardCharsets.US_ASCII),
            new int[] {VIP}, 255, PEER, VrrpPacket.MULTICAST_GROUP)));
        assertEquals(VrrpDropReason.ADDRESS_COUNT, check(v2(51, 1, PASS, new int[] {VIP, VIP + 1}, 255, PEER,
            VrrpPacket.MULTICAST_GROUP)));
        assertEquals(VrrpDropReason.ADDRESS_LIST, check(v2(51, 1, PASS, new int[] {VIP + 1}, 255, PEER,
            VrrpPacket.MULTICAST_GROUP)));
        assertEquals(VrrpDropReason.OWN_ADVERT, check(v2(51, 1, PASS, new int[] {VIP}, 255, OURS,
            VrrpPacket.MULTICAST_GROUP)));
        assertEquals(VrrpDropReason.VERSION, check(edited(b -> b.putByte(34, (byte)0x31))));
        assertEquals(VrrpDropReason.TYPE, check(edited(b -> b.putByte(34, (byte)0x22))));
        assertEquals(VrrpDropReason.ADVERT_INTERVAL, check(edited(b -> b.putByte(34 + 5, (byte)2))));
        final byte[] badSum = good();
        badSum[34 + 6] ^= 0x01;
        assertEquals(VrrpDropReason.CHECKSUM, check(badSum));
        final byte[] badIp = good();
        badIp[14 + 10] ^= 0x01;
        assertEquals(VrrpDropReason.IP_HEADER, check(badIp));
        final byte[] shortFrame = new byte[30];
        System.arraycopy(good(), 0, shortFrame, 0, 30);
        assertEquals(VrrpDropReason.TRUNCATED, check(shortFrame));
        final byte[] longCount = edited(b -> b.putByte(34 + 3, (byte)5));
        assertEquals(VrrpDropReason.TRUNCATED, check(longCount), "count says more than the packet holds");
        final byte[] truncatedIp = good();
        new UnsafeBuffer(truncatedIp).putShort(16, (short)200, java.nio.ByteOrder.BIG_ENDIAN);
        fixIpChecksum(truncatedIp);
        assertEquals(VrrpDropReason.TRUNCATED, check(truncatedIp));
        final byte[] ipv6 = good();
        ipv6[12] = (byte)0x86;
        ipv6[13] = (byte)0xdd;
        assertEquals(VrrpDropReason.UNSUPPORTED_FAMILY, check(ipv6));
        assertEquals(VrrpDropReason.UNKNOWN_VRID, check(2, good()), "no instance on that interface");

        for (final VrrpDropReason r : new VrrpDropReason[] {VrrpDropReason.TTL, VrrpDropReason.AUTH_TYPE,
            VrrpDropReason.AUTH_PASSWORD, VrrpDropReason.ADDRESS_COUNT, VrrpDropReason.ADDRESS_LIST,
            VrrpDropReason.OWN_ADVERT, VrrpDropReason.VERSION, VrrpDropReason.TYPE, VrrpDropReason.ADVERT_INTERVAL,
            VrrpDropReason.CHECKSUM, VrrpDropReason.IP_HEADER, VrrpDropReason.UNSUPPORTED_FAMILY})
        {
            assertEquals(1, counters.drops(r), r.name());
        }
        assertEquals(3, counters.drops(VrrpDropReason.TRUNCATED));
        assertEquals(2, counters.drops(VrrpDropReason.UNKNOWN_VRID));
        assertEquals(0, counters.advertsReceived());
    }

    static void fixIpChecksum(final byte[] frame)
    {
        final UnsafeBuffer b = new UnsafeBuffer(frame);
        b.putShort(24, (short)0);
        b.putShort(24, (short)Checksums.ipv4HeaderChecksum(b, 14, 20), java.nio.ByteOrder.BIG_ENDIAN);
    }

    @Test
    void v3ChecksumIncludesThePseudoHeader()
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[80]);
        final int len = VrrpPacket.writeV3(b, 34, 52, 150, 50, new int[] {VIP}, PEER, VrrpPacket.MULTICAST_GROUP);
        final int frame = VrrpPacket.writeFrameHeaders(b, 0, VrrpPacket.MULTICAST_MAC, 1, PEER,
            VrrpPacket.MULTICAST_GROUP, 1, 255, len);
        assertNull(receiver.check(0, b, 0, frame));
        assertEquals(500_000_000L, receiver.advertIntervalNs(), "v3 carries the master's interval");
        // the same message checksummed as v2 (no pseudo-header) is wrong for v3
        b.putShort(34 + 6, (short)VrrpPacket.checksumV2(b, 34, len), java.nio.ByteOrder.BIG_ENDIAN);
        assertEquals(VrrpDropReason.CHECKSUM, receiver.check(0, b, 0, frame));
    }

    @Test
    void unicastSkipsTtlButChecksThePeer()
    {
        assertNull(check(1, v2(51, 0, null, new int[] {VIP}, 64, PEER, OURS)), "unicast TTL is not checked");
        assertEquals(VrrpDropReason.NOT_A_PEER, check(1, v2(51, 0, null, new int[] {VIP}, 255,
            Ipv4Text.parse("192.0.2.99"), OURS)));
    }

    @Test
    void skipCheckAdvAddrSkipsTheListButNotTheCount()
    {
        final VrrpReceiver skipping = new VrrpReceiver(new VrrpCounters());
        skipping.add(new VrrpInstanceSpec("SKIP", 0, 51, 2, 100, 100, false, 0, VrrpPacket.AUTH_PASS, PASS,
            new int[] {VIP}, OURS, new int[0], true));
        final int other = Ipv4Text.parse("203.0.113.99");
        final byte[] otherList = v2(51, VrrpPacket.AUTH_PASS, PASS, new int[] {other}, 255, PEER,
            VrrpPacket.MULTICAST_GROUP);
        assertNull(skipping.check(0, new UnsafeBuffer(otherList), 0, otherList.length), "another list passes");
        final byte[] twoAddresses = v2(51, VrrpPacket.AUTH_PASS, PASS, new int[] {VIP, other}, 255, PEER,
            VrrpPacket.MULTICAST_GROUP);
        assertEquals(VrrpDropReason.ADDRESS_COUNT,
            skipping.check(0, new UnsafeBuffer(twoAddresses), 0, twoAddresses.length), "another count does not");
    }
}
