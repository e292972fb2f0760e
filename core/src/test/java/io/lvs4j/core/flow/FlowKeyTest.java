package io.lvs4j.core.flow;

import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FlowKeyTest
{
    private static final int CLIENT = 0xC633_6402; // 198.51.100.2
    private static final int VIP = 0xCB00_710A;    // 203.0.113.10

    @Test
    void hashIsStableAcrossInstancesAndRuns()
    {
        final FlowKey a = new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80);
        final FlowKey b = new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80);
        assertEquals(a.hash(), b.hash());
        assertTrue(a.sameAs(b));
        assertEquals(a.hash(), new FlowKey().set(a).hash());
    }

    @Test
    void everyFieldTakesPartInEqualityAndHash()
    {
        final FlowKey base = new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80);
        final FlowKey[] variants =
        {
            new FlowKey().setV4(IpProtocol.UDP, CLIENT, 40000, VIP, 80),
            new FlowKey().setV4(IpProtocol.TCP, CLIENT + 1, 40000, VIP, 80),
            new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40001, VIP, 80),
            new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40000, VIP + 1, 80),
            new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 81),
            new FlowKey().setV6(IpProtocol.TCP, 0, CLIENT & 0xFFFF_FFFFL, 40000, 0, VIP & 0xFFFF_FFFFL, 80),
        };
        for (final FlowKey v : variants)
        {
            assertFalse(base.sameAs(v), v.toString());
            assertNotEquals(base.hash(), v.hash(), v.toString());
        }
    }

    @Test
    void seedChangesTheHash()
    {
        final FlowKey a = new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80);
        assertNotEquals(a.hash(1), a.hash(2));
        assertEquals(a.hash(0), a.hash());
    }

    @Test
    void reverseSwapsEnds()
    {
        final FlowKey a = new FlowKey().setV6(IpProtocol.UDP, 0x2001_0db8_0000_0001L, 2, 53, 0x2001_0db8_0000_0002L, 3, 5353);
        final FlowKey r = new FlowKey().setReverseOf(a);
        assertEquals(a.srcHi(), r.dstHi());
        assertEquals(a.srcLo(), r.dstLo());
        assertEquals(a.srcPort(), r.dstPort());
        assertEquals(a.dstPort(), r.srcPort());
        assertTrue(a.sameAs(new FlowKey().setReverseOf(r)));
    }

    @Test
    void printsAddressesAsOperatorsWriteThem()
    {
        assertEquals("TCP 198.51.100.2:40000 -> 203.0.113.10:80",
            new FlowKey().setV4(IpProtocol.TCP, CLIENT, 40000, VIP, 80).toString());
        assertEquals("UDP 2001:db8:0:0:0:0:0:1:53 -> 2001:db8:0:0:0:0:0:2:53",
            new FlowKey().setV6(IpProtocol.UDP, 0x2001_0db8_0000_0000L, 1, 53, 0x2001_0db8_0000_0000L, 2, 53).toString());
    }

    @Test
    void hashSpreadsSequentialClientPorts()
    {
        // 4096 flows from one client to one VIP must land in (nearly) 4096 distinct buckets of a 64K table
        // (a uniform hash leaves ~3970 distinct).
        PropertyCheck.forAll("hashSpreadsSequentialClientPorts", 200, random ->
        {
            final int clientAddress = random.nextInt();
            final Set<Integer> buckets = new HashSet<>();
            final FlowKey key = new FlowKey();
            for (int port = 1024; port < 1024 + 4096; port++)
            {
                buckets.add((int)(key.setV4(IpProtocol.TCP, clientAddress, port, VIP, 443).hash() & 0xFFFF));
            }
            assertTrue(buckets.size() > 3900, "distinct buckets " + buckets.size());
        });
    }
}
