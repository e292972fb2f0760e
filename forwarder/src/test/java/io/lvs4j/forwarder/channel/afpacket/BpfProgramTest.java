package io.lvs4j.forwarder.channel.afpacket;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BpfProgramTest
{
    private static final long DST = 0x0200_0000_0002L;
    private static final long SRC = 0x0200_0000_0001L;

    @Test
    void encodesSockFilterStructs()
    {
        final BpfProgram p = BpfProgram.assembler()
            .loadHalf(12).branch(BpfProgram.JMP_JEQ_K, 0x0806, "yes", null).ret(0).label("yes").ret(-1).build();
        final ByteBuffer bytes = ByteBuffer.wrap(p.encode()).order(ByteOrder.nativeOrder());
        assertEquals(4 * 8, bytes.remaining());
        assertEquals(0x28, bytes.getShort(0));
        assertEquals(12, bytes.getInt(4));
        assertEquals(0x15, bytes.getShort(8));
        assertEquals(1, bytes.get(10), "jt skips the reject");
        assertEquals(0, bytes.get(11));
        assertEquals(0x0806, bytes.getInt(12));
        assertEquals(0x06, bytes.getShort(24));
        assertEquals(-1, bytes.getInt(28));
    }

    @Test
    void trivialPrograms() throws Exception
    {
        final byte[] frame = TestFrames.numbered(DST, SRC, 1, 64);
        assertEquals(-1, BpfInterpreter.run(BpfProgram.acceptAll(), frame));
        assertEquals(0, BpfInterpreter.run(BpfProgram.rejectAll(), frame));
        assertEquals(1, BpfProgram.acceptAll().length());
    }

    @Test
    void parsesTcpdumpOutput() throws Exception
    {
        // tcpdump -dd -y EN10MB 'arp or (ip and udp dst port 53)'
        final BpfProgram p = BpfProgram.parse(
            "{ 0x28, 0, 0, 0x0000000c },\n{ 0x15, 8, 0, 0x00000806 },\n{ 0x15, 0, 8, 0x00000800 },\n" +
            "{ 0x30, 0, 0, 0x00000017 },\n{ 0x15, 0, 6, 0x00000011 },\n{ 0x28, 0, 0, 0x00000014 },\n" +
            "{ 0x45, 4, 0, 0x00001fff },\n{ 0xb1, 0, 0, 0x0000000e },\n{ 0x48, 0, 0, 0x00000010 },\n" +
            "{ 0x15, 0, 1, 0x00000035 },\n{ 0x6, 0, 0, 0x00040000 },\n{ 0x6, 0, 0, 0x00000000 },\n");
        assertEquals(12, p.length());
        assertEquals(p, BpfProgram.parse(p.toString()));
        final InetAddress a = InetAddress.getByName("198.51.100.1");
        final InetAddress b = InetAddress.getByName("192.0.2.53");
        assertEquals(0x40000, BpfInterpreter.run(p, TestFrames.udp4(DST, SRC, a, b, 4000, 53, 1)));
        assertEquals(0, BpfInterpreter.run(p, TestFrames.udp4(DST, SRC, a, b, 4000, 54, 1)));
        assertEquals(0x40000, BpfInterpreter.run(p, TestFrames.arp(SRC, a, b, 1)));
    }

    @Test
    void directorFilterKeepsWhatItShould() throws Exception
    {
        final InetAddress vip = InetAddress.getByName("203.0.113.10");
        final InetAddress vip6 = InetAddress.getByName("2001:db8::10");
        final InetAddress realServer = InetAddress.getByName("192.0.2.20");
        final InetAddress realServer6 = InetAddress.getByName("2001:db8:1::20");
        final InetAddress client = InetAddress.getByName("198.51.100.7");
        final InetAddress client6 = InetAddress.getByName("2001:db8:2::7");
        final BpfProgram p = BpfProgram.filter().arp().vrrp().neighbourDiscovery()
            .destination(vip).destination(vip6).source(realServer).source(realServer6).build();

        assertKept(p, TestFrames.arp(SRC, client, vip, 1));
        assertKept(p, TestFrames.udp4(DST, SRC, client, vip, 4000, 80, 2));
        assertDropped(p, TestFrames.udp4(DST, SRC, client, InetAddress.getByName("203.0.113.11"), 4000, 80, 3));
        assertKept(p, TestFrames.udp4(DST, SRC, realServer, client, 80, 4000, 4));
        assertDropped(p, TestFrames.udp4(DST, SRC, InetAddress.getByName("192.0.2.21"), client, 80, 4000, 5));
        assertKept(p, TestFrames.ip4(DST, SRC, client, InetAddress.getByName("224.0.0.18"), 112, 6));
        assertDropped(p, TestFrames.ip4(DST, SRC, client, InetAddress.getByName("224.0.0.18"), 113, 7));
        assertKept(p, TestFrames.ip6(DST, SRC, client6, vip6, 17, 0, 8));
        assertDropped(p, TestFrames.ip6(DST, SRC, client6, InetAddress.getByName("2001:db8::11"), 17, 0, 9));
        assertDropped(p, TestFrames.ip6(DST, SRC, client6, InetAddress.getByName("2001:db8::1:10"), 17, 0, 9));
        assertKept(p, TestFrames.ip6(DST, SRC, realServer6, client6, 6, 0, 10));
        assertKept(p, TestFrames.ip6(DST, SRC, client6, InetAddress.getByName("ff02::1:ff00:10"), 58, 135, 11));
        assertKept(p, TestFrames.ip6(DST, SRC, client6, client6, 58, 136, 12));
        assertDropped(p, TestFrames.ip6(DST, SRC, client6, client6, 58, 128, 13));
        assertKept(p, TestFrames.ip6(DST, SRC, client6, InetAddress.getByName("ff02::12"), 112, 0, 14));
        assertDropped(p, TestFrames.numbered(DST, SRC, 15, 64));
        assertDropped(p, new byte[10]);
    }

    @Test
    void icmpToTheDirectorsOwnAddressPassesAndNothingElseToIt() throws Exception
    {
        final InetAddress vip = InetAddress.getByName("203.0.113.10");
        final InetAddress own = InetAddress.getByName("192.0.2.1");
        final InetAddress router = InetAddress.getByName("192.0.2.254");
        final BpfProgram p = BpfProgram.filter().arp().destination(vip).icmpTo(own).build();
        assertKept(p, TestFrames.ip4(DST, SRC, router, own, 1, 1));
        assertDropped(p, TestFrames.udp4(DST, SRC, router, own, 4000, 22, 2));
        assertDropped(p, TestFrames.ip4(DST, SRC, router, own, 6, 3));
        assertDropped(p, TestFrames.ip4(DST, SRC, router, InetAddress.getByName("192.0.2.2"), 1, 4));
        assertKept(p, TestFrames.udp4(DST, SRC, router, vip, 4000, 80, 5));
    }

    @Test
    void withoutOptionsOnlyAddressesPass() throws Exception
    {
        final InetAddress vip = InetAddress.getByName("203.0.113.10");
        final InetAddress client = InetAddress.getByName("198.51.100.7");
        final BpfProgram p = BpfProgram.filter().destination(vip).build();
        assertDropped(p, TestFrames.arp(SRC, client, vip, 1));
        assertDropped(p, TestFrames.ip4(DST, SRC, client, InetAddress.getByName("224.0.0.18"), 112, 2));
        assertKept(p, TestFrames.udp4(DST, SRC, client, vip, 1, 2, 3));
        assertDropped(p, TestFrames.ip6(DST, SRC, InetAddress.getByName("2001:db8::1"),
            InetAddress.getByName("2001:db8::2"), 58, 135, 4));
    }

    @Test
    void manyAddressesStayWithinJumpReach() throws Exception
    {
        final BpfProgram.FilterBuilder builder = BpfProgram.filter().arp();
        for (int i = 0; i < 500; i++)
        {
            builder.destination(InetAddress.getByName("203.0." + (113 + i / 256) + "." + (i % 256)));
        }
        for (int i = 0; i < 300; i++)
        {
            builder.source(InetAddress.getByName("2001:db8::" + Integer.toHexString(i + 1)));
        }
        final BpfProgram p = builder.build();
        assertTrue(p.length() > 255 * 2, "long enough to need far jumps: " + p.length());
        final InetAddress client = InetAddress.getByName("198.51.100.7");
        assertKept(p, TestFrames.udp4(DST, SRC, client, InetAddress.getByName("203.0.114.243"), 1, 2, 1));
        assertDropped(p, TestFrames.udp4(DST, SRC, client, InetAddress.getByName("203.0.114.244"), 1, 2, 2));
        assertKept(p, TestFrames.ip6(DST, SRC, InetAddress.getByName("2001:db8::12c"),
            InetAddress.getByName("2001:db8::99:1"), 6, 0, 3));
        assertDropped(p, TestFrames.ip6(DST, SRC, InetAddress.getByName("2001:db8::12d"),
            InetAddress.getByName("2001:db8::99:1"), 6, 0, 4));
        assertKept(p, TestFrames.arp(SRC, client, client, 5));
    }

    @Test
    void assemblerRefusesBadJumps() throws Exception
    {
        assertThrows(IllegalArgumentException.class,
            () -> BpfProgram.assembler().branch(BpfProgram.JMP_JEQ_K, 1, "nowhere", null).ret(0).build());
        assertThrows(IllegalArgumentException.class,
            () -> BpfProgram.assembler().label("back").ret(0).jump("back").build());
        assertThrows(IllegalArgumentException.class,
            () -> BpfProgram.assembler().label("x").label("x"));
        final BpfProgram.Assembler far = BpfProgram.assembler().branch(BpfProgram.JMP_JEQ_K, 1, "end", null);
        for (int i = 0; i < 300; i++)
        {
            far.ret(0);
        }
        assertThrows(IllegalArgumentException.class, () -> far.label("end").ret(-1).build());
        assertThrows(IllegalArgumentException.class, () -> BpfProgram.assembler().build());
        final BpfProgram.FilterBuilder huge = BpfProgram.filter();
        for (int i = 0; i < 2100; i++)
        {
            huge.destination(InetAddress.getByAddress(new byte[] {(byte)203, 0, (byte)(i >> 8), (byte)i}));
        }
        assertThrows(IllegalArgumentException.class, huge::build, "more than BPF_MAXINSNS");
    }

    private static void assertKept(final BpfProgram p, final byte[] frame)
    {
        assertEquals(-1, BpfInterpreter.run(p, frame), () -> "frame " + TestFrames.tag(frame) + " kept");
    }

    private static void assertDropped(final BpfProgram p, final byte[] frame)
    {
        assertEquals(0, BpfInterpreter.run(p, frame), () -> "frame dropped");
    }
}
