package io.lvs4j.forwarder.channel.afpacket;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TpacketLayoutTest
{
    @Test
    void headerLengthsFollowTheStructs()
    {
        // tpacket3_hdr is 48 bytes and tpacket2_hdr 32; the kernel's hdrlen adds a sockaddr_ll after the aligned header.
        assertEquals(TpacketLayout.tpacketAlign(48) + TpacketLayout.SOCKADDR_LL_LENGTH, TpacketLayout.TPACKET3_HDRLEN);
        assertEquals(TpacketLayout.tpacketAlign(32) + TpacketLayout.SOCKADDR_LL_LENGTH, TpacketLayout.TPACKET2_HDRLEN);
        assertEquals(48, RingVersion.V3.transmitDataOffset());
        assertEquals(32, RingVersion.V2.transmitDataOffset());
        assertEquals(2, RingVersion.V3.value());
        assertEquals(1, RingVersion.V2.value());
    }

    @Test
    void fieldsAreWhereOffsetofPutThem()
    {
        assertEquals(20, TpacketLayout.V3_STATUS_OFFSET);
        assertEquals(24, TpacketLayout.V3_MAC_OFFSET);
        assertEquals(16, TpacketLayout.V3_LEN_OFFSET);
        assertEquals(12, TpacketLayout.V3_SNAPLEN_OFFSET);
        assertEquals(0, TpacketLayout.V2_STATUS_OFFSET);
        assertEquals(12, TpacketLayout.V2_MAC_OFFSET);
        assertEquals(8, TpacketLayout.BLOCK_STATUS_OFFSET);
        assertEquals(12, TpacketLayout.BLOCK_NUM_PKTS_OFFSET);
        assertEquals(16, TpacketLayout.BLOCK_OFFSET_TO_FIRST_PKT_OFFSET);
        assertEquals(28, TpacketLayout.TPACKET_REQ3_LENGTH);
        assertEquals(16, TpacketLayout.TPACKET_REQ_LENGTH);
        assertEquals(16, TpacketLayout.PACKET_MREQ_LENGTH);
        assertEquals(16, TpacketLayout.SOCK_FPROG_LENGTH);
    }

    @Test
    void helpers()
    {
        assertEquals(0x0300, TpacketLayout.htons(TpacketLayout.ETH_P_ALL));
        assertEquals(0xDD86, TpacketLayout.htons(0x86DD));
        assertEquals(0, TpacketLayout.tpacketAlign(0));
        assertEquals(16, TpacketLayout.tpacketAlign(1));
        assertEquals(80, TpacketLayout.tpacketAlign(68));
    }
}
