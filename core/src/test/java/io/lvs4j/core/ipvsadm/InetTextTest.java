package io.lvs4j.core.ipvsadm;

import io.lvs4j.core.flow.FlowKey;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class InetTextTest
{
    @Test
    void inetAtonAcceptsWhatGlibcAccepts()
    {
        assertEquals(0x0A00_0001L, InetText.inetAton("10.0.0.1"));
        assertEquals(0x0A00_0001L, InetText.inetAton("10.1"));
        assertEquals(0x0A01_0001L, InetText.inetAton("10.1.1"));
        assertEquals(0x0000_0018L, InetText.inetAton("24"));
        assertEquals(0xFFFF_FFFFL, InetText.inetAton("4294967295"));
        assertEquals(0x0A00_0008L, InetText.inetAton("0x0a.0.0.010"));
        assertEquals(0x0A00_0001L, InetText.inetAton("10.0.0.1 trailing"));
        assertEquals(InetText.INVALID, InetText.inetAton("4294967296"));
        assertEquals(InetText.INVALID, InetText.inetAton("10.0.0.256"));
        assertEquals(InetText.INVALID, InetText.inetAton("256.0.0.1"));
        assertEquals(InetText.INVALID, InetText.inetAton("08.0.0.1"));
        assertEquals(InetText.INVALID, InetText.inetAton("10.0.0.1.2"));
        assertEquals(InetText.INVALID, InetText.inetAton("10.0.0."));
        assertEquals(InetText.INVALID, InetText.inetAton(""));
        assertEquals(InetText.INVALID, InetText.inetAton("host"));
        assertEquals(InetText.INVALID, InetText.inetAton("0x"));
    }

    @Test
    void inetPtonIsStrict()
    {
        assertEquals(0xC000_0201L, InetText.inetPton4("192.0.2.1"));
        assertEquals(InetText.INVALID, InetText.inetPton4("192.0.2.01"));
        assertEquals(InetText.INVALID, InetText.inetPton4("10.1"));
        assertEquals(InetText.INVALID, InetText.inetPton4("1.2.3.4."));
        assertArrayEquals(new long[] {0x2001_0db8_0000_0000L, 1}, InetText.inetPton6("2001:db8::1"));
        assertArrayEquals(new long[] {0, 0}, InetText.inetPton6("::"));
        assertArrayEquals(new long[] {0, 1}, InetText.inetPton6("::1"));
        assertArrayEquals(new long[] {0x0001_0000_0000_0000L, 0}, InetText.inetPton6("1::"));
        assertArrayEquals(new long[] {0, 0x0000_FFFF_C000_0201L}, InetText.inetPton6("::ffff:192.0.2.1"));
        assertArrayEquals(new long[] {0x0001_0002_0003_0004L, 0x0005_0006_0007_0008L},
            InetText.inetPton6("1:2:3:4:5:6:7:8"));
        assertNull(InetText.inetPton6("1:2:3:4:5:6:7:8:9"));
        assertNull(InetText.inetPton6("1:2:3:4:5:6:7::8"));
        assertNull(InetText.inetPton6("1::2::3"));
        assertNull(InetText.inetPton6(":1::"));
        assertNull(InetText.inetPton6("1:"));
        assertNull(InetText.inetPton6("12345::"));
        assertNull(InetText.inetPton6("fe80::1%eth0"));
        assertNull(InetText.inetPton6("10.0.0.1"));
        assertNull(InetText.inetPton6("[::1]"));
        assertNull(InetText.inetPton6(""));
    }

    @Test
    void inetNtopCompressesTheLongestZeroRun()
    {
        assertEquals("2001:db8::1", ntop("2001:db8::1"));
        assertEquals("::", ntop("::"));
        assertEquals("::1", ntop("::1"));
        assertEquals("1::", ntop("1::"));
        assertEquals("2001:db8:0:1:1:1:1:1", ntop("2001:db8:0:1:1:1:1:1"));
        assertEquals("2001:0:0:1::1", ntop("2001:0:0:1:0:0:0:1"));
        assertEquals("2001::1:1:0:0:1", ntop("2001:0:0:1:1:0:0:1"));
        assertEquals("::ffff:192.0.2.1", ntop("::ffff:c000:201"));
        assertEquals("::192.0.2.1", ntop("::c000:201"));
        assertEquals("::1:c000:201", ntop("::1:c000:201"));
        assertEquals("192.0.2.1", InetText.ntop(FlowKey.AF_INET, 0, 0xC000_0201L));
    }

    private static String ntop(final String v6)
    {
        final long[] a = InetText.inetPton6(v6);
        return InetText.ntop(FlowKey.AF_INET6, a[0], a[1]);
    }

    @Test
    void numbersAsStrtolAndAtoiReadThem()
    {
        assertEquals(5, InetText.stringToNumber(" +5", 0, 10));
        assertEquals(-1, InetText.stringToNumber("5 ", 0, 10));
        assertEquals(-1, InetText.stringToNumber("", 0, 10));
        assertEquals(-1, InetText.stringToNumber("+", 0, 10));
        assertEquals(-1, InetText.stringToNumber("99999999999999999999", 0, Integer.MAX_VALUE));
        assertEquals(64, InetText.atoi("64abc"));
        assertEquals(0, InetText.atoi("x"));
        assertEquals(-3, InetText.atoi(" -3"));
    }
}
