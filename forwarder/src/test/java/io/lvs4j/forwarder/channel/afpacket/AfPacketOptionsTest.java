package io.lvs4j.forwarder.channel.afpacket;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AfPacketOptionsTest
{
    @Test
    void defaults()
    {
        final AfPacketOptions o = AfPacketOptions.builder("eth0").build();
        assertEquals("eth0", o.interfaceName());
        assertEquals(RingVersion.V3, o.ringVersion());
        assertEquals(1 << 18, o.blockSize());
        assertEquals(64, o.blockCount());
        assertEquals(2048, o.frameSize());
        assertEquals(1, o.retireTimeoutMs());
        assertEquals(1024, o.txFrameCount());
        assertTrue(o.qdiscBypass());
        assertTrue(o.ignoreOutgoing());
        assertTrue(o.discardMalformedTx());
        assertFalse(o.hasFanout());
        assertNull(o.filter());
        assertFalse(o.promiscuous());
        assertEquals(0, o.multicastGroups().length);
        assertEquals(16L << 20, o.rxRingLength());
        assertEquals(128 * 64, o.rxFrameCount());
        assertEquals(2000, o.txFrameCapacity());
    }

    @Test
    void toBuilderKeepsEverything()
    {
        final BpfProgram filter = BpfProgram.filter().arp().build();
        final AfPacketOptions o = AfPacketOptions.builder("vb").ringVersion(RingVersion.V2).blockSize(8192)
            .blockCount(3).frameSize(1024).retireTimeoutMs(4).txFrameCount(7).qdiscBypass(false).ignoreOutgoing(false)
            .discardMalformedTx(false).fanout(9, FanoutType.LB, FanoutType.FLAG_ROLLOVER).filter(filter)
            .promiscuous(true).multicastGroup(0x01005e000012L).build();
        final AfPacketOptions copy = o.toBuilder().build();
        assertEquals(o.toString(), copy.toString());
        assertEquals(RingVersion.V2, copy.ringVersion());
        assertEquals(9, copy.fanoutGroup());
        assertEquals(FanoutType.LB, copy.fanoutType());
        assertEquals(FanoutType.FLAG_ROLLOVER, copy.fanoutFlags());
        assertSame(filter, copy.filter());
        assertArrayEquals(new long[] {0x01005e000012L}, copy.multicastGroups());
        assertEquals(1024 - 32, copy.txFrameCapacity());
        assertEquals(8 * 3, copy.rxFrameCount());
        assertFalse(o.toBuilder().interfaceName("va").noFanout().build().hasFanout());
    }

    @Test
    void refusesWhatTheKernelWould()
    {
        assertBad(AfPacketOptions.builder("this-name-is-too-long"));
        assertBad(AfPacketOptions.builder(""));
        assertBad(AfPacketOptions.builder("eth0").blockSize(5000));
        assertBad(AfPacketOptions.builder("eth0").blockSize(0));
        assertBad(AfPacketOptions.builder("eth0").blockCount(0));
        assertBad(AfPacketOptions.builder("eth0").frameSize(2000 + 8));
        assertBad(AfPacketOptions.builder("eth0").frameSize(64));
        assertBad(AfPacketOptions.builder("eth0").blockSize(4096).frameSize(8192));
        assertBad(AfPacketOptions.builder("eth0").retireTimeoutMs(-1));
        assertBad(AfPacketOptions.builder("eth0").txFrameCount(-1));
        assertBad(AfPacketOptions.builder("eth0").fanout(65536, FanoutType.HASH, 0));
        assertBad(AfPacketOptions.builder("eth0").fanout(1, FanoutType.HASH, 0x1));
        assertBad(AfPacketOptions.builder("eth0").fanout(1, null, 0));
        assertBad(AfPacketOptions.builder("eth0").multicastGroup(0x0200_0000_0001L));
        assertBad(AfPacketOptions.builder("eth0").blockSize(1 << 30).blockCount(2));
        assertBad(AfPacketOptions.builder("eth0").ringVersion(null));
        AfPacketOptions.builder("eth0").blockSize(1 << 30).blockCount(1).txFrameCount(0).build();
        AfPacketOptions.builder("eth0").retireTimeoutMs(0).txFrameCount(0).build();
    }

    @Test
    void fanoutOptionValue()
    {
        assertEquals(0x0000_002A, FanoutType.HASH.optionValue(42, 0));
        assertEquals(0x9003_FFFF,
            FanoutType.ROLLOVER.optionValue(0xFFFF, FanoutType.FLAG_ROLLOVER | FanoutType.FLAG_DEFRAG));
    }

    private static void assertBad(final AfPacketOptions.Builder builder)
    {
        assertThrows(IllegalArgumentException.class, builder::build);
    }
}
