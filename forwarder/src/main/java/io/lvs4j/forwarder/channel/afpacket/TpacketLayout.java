package io.lvs4j.forwarder.channel.afpacket;

/**
 * Constants and struct offsets of the AF_PACKET socket API ({@code linux/if_packet.h}) as laid out on LP64 Linux
 * (x86_64, aarch64), measured with {@code offsetof} and checked against the kernel headers.
 * <p>
 * Ring memory is read and written at these offsets through an Agrona buffer over the mapping, never through JNA
 * structures, so that the hot path neither allocates nor crosses into native code.
 */
public final class TpacketLayout
{
    /** {@code SOL_PACKET}: the level of the options below. */
    public static final int SOL_PACKET = 263;
    /** {@code PACKET_ADD_MEMBERSHIP}. */
    public static final int PACKET_ADD_MEMBERSHIP = 1;
    /** {@code PACKET_DROP_MEMBERSHIP}. */
    public static final int PACKET_DROP_MEMBERSHIP = 2;
    /** {@code PACKET_RX_RING}. */
    public static final int PACKET_RX_RING = 5;
    /** {@code PACKET_STATISTICS}: reads and resets the socket's counters. */
    public static final int PACKET_STATISTICS = 6;
    /** {@code PACKET_VERSION}. */
    public static final int PACKET_VERSION = 10;
    /** {@code PACKET_HDRLEN}. */
    public static final int PACKET_HDRLEN = 11;
    /** {@code PACKET_RESERVE}. */
    public static final int PACKET_RESERVE = 12;
    /** {@code PACKET_TX_RING}. */
    public static final int PACKET_TX_RING = 13;
    /** {@code PACKET_LOSS}: skip malformed transmit slots instead of stopping at them. */
    public static final int PACKET_LOSS = 14;
    /** {@code PACKET_FANOUT}. */
    public static final int PACKET_FANOUT = 18;
    /** {@code PACKET_QDISC_BYPASS}. */
    public static final int PACKET_QDISC_BYPASS = 20;
    /** {@code PACKET_IGNORE_OUTGOING}. */
    public static final int PACKET_IGNORE_OUTGOING = 23;

    /** {@code PACKET_MR_MULTICAST}: membership of one multicast MAC. */
    public static final int PACKET_MR_MULTICAST = 0;
    /** {@code PACKET_MR_PROMISC}: promiscuous mode while the socket lives. */
    public static final int PACKET_MR_PROMISC = 1;
    /** {@code PACKET_MR_ALLMULTI}: all multicast while the socket lives. */
    public static final int PACKET_MR_ALLMULTI = 2;
    /** {@code PACKET_MR_UNICAST}: an extra unicast MAC the interface accepts (promiscuous where it cannot filter). */
    public static final int PACKET_MR_UNICAST = 3;

    /** {@code ETH_P_ALL}: every protocol (host order; sockets take it in network order). */
    public static final int ETH_P_ALL = 0x0003;

    /** {@code TP_STATUS_KERNEL}: the slot belongs to the kernel (receive). */
    public static final int TP_STATUS_KERNEL = 0;
    /** {@code TP_STATUS_USER}: the slot or block belongs to user space (receive). */
    public static final int TP_STATUS_USER = 0x1;
    /** {@code TP_STATUS_COPY}: the frame was too long for the slot and is cut short. */
    public static final int TP_STATUS_COPY = 0x2;
    /** {@code TP_STATUS_LOSING}: the kernel dropped frames since the last statistics read. */
    public static final int TP_STATUS_LOSING = 0x4;
    /** {@code TP_STATUS_CSUMNOTREADY}: transport checksum left for offload. */
    public static final int TP_STATUS_CSUMNOTREADY = 0x8;
    /** {@code TP_STATUS_VLAN_VALID}: the frame had a VLAN tag, stripped into {@code tp_vlan_tci}. */
    public static final int TP_STATUS_VLAN_VALID = 0x10;
    /** {@code TP_STATUS_BLK_TMO}: a V3 block was retired by its timer rather than by filling up. */
    public static final int TP_STATUS_BLK_TMO = 0x20;
    /** {@code TP_STATUS_CSUM_VALID}: transport checksum already validated. */
    public static final int TP_STATUS_CSUM_VALID = 0x80;

    /** {@code TP_STATUS_AVAILABLE}: a transmit slot is free. */
    public static final int TP_STATUS_AVAILABLE = 0;
    /** {@code TP_STATUS_SEND_REQUEST}: a transmit slot waits to be sent. */
    public static final int TP_STATUS_SEND_REQUEST = 0x1;
    /** {@code TP_STATUS_SENDING}: the kernel is sending a transmit slot. */
    public static final int TP_STATUS_SENDING = 0x2;
    /** {@code TP_STATUS_WRONG_FORMAT}: the kernel refused a transmit slot (and stopped there). */
    public static final int TP_STATUS_WRONG_FORMAT = 0x4;

    /** {@code TPACKET_ALIGNMENT}. */
    public static final int TPACKET_ALIGNMENT = 16;
    /** {@code sizeof(struct sockaddr_ll)}. */
    public static final int SOCKADDR_LL_LENGTH = 20;
    /** {@code TPACKET2_HDRLEN}: {@code tpacket2_hdr} aligned, plus a {@code sockaddr_ll}. */
    public static final int TPACKET2_HDRLEN = 52;
    /** {@code TPACKET3_HDRLEN}: {@code tpacket3_hdr} aligned, plus a {@code sockaddr_ll}. */
    public static final int TPACKET3_HDRLEN = 68;

    /** {@code sockaddr_ll.sll_family}. */
    public static final int SLL_FAMILY_OFFSET = 0;
    /** {@code sockaddr_ll.sll_protocol} (network order). */
    public static final int SLL_PROTOCOL_OFFSET = 2;
    /** {@code sockaddr_ll.sll_ifindex}. */
    public static final int SLL_IFINDEX_OFFSET = 4;

    /** Bytes of {@code struct tpacket_req3}. */
    public static final int TPACKET_REQ3_LENGTH = 28;
    /** Bytes of {@code struct tpacket_req} (V1/V2): the first four fields of the V3 request. */
    public static final int TPACKET_REQ_LENGTH = 16;
    /** {@code tp_block_size}. */
    public static final int REQ_BLOCK_SIZE_OFFSET = 0;
    /** {@code tp_block_nr}. */
    public static final int REQ_BLOCK_NR_OFFSET = 4;
    /** {@code tp_frame_size}. */
    public static final int REQ_FRAME_SIZE_OFFSET = 8;
    /** {@code tp_frame_nr}. */
    public static final int REQ_FRAME_NR_OFFSET = 12;
    /** {@code tp_retire_blk_tov} (V3, milliseconds). */
    public static final int REQ_RETIRE_BLK_TOV_OFFSET = 16;
    /** {@code tp_sizeof_priv} (V3). */
    public static final int REQ_SIZEOF_PRIV_OFFSET = 20;
    /** {@code tp_feature_req_word} (V3). */
    public static final int REQ_FEATURE_REQ_WORD_OFFSET = 24;

    /** {@code tpacket_block_desc.hdr.bh1.block_status}. */
    public static final int BLOCK_STATUS_OFFSET = 8;
    /** {@code tpacket_block_desc.hdr.bh1.num_pkts}. */
    public static final int BLOCK_NUM_PKTS_OFFSET = 12;
    /** {@code tpacket_block_desc.hdr.bh1.offset_to_first_pkt}. */
    public static final int BLOCK_OFFSET_TO_FIRST_PKT_OFFSET = 16;
    /** {@code tpacket_block_desc.hdr.bh1.blk_len}. */
    public static final int BLOCK_LEN_OFFSET = 20;
    /** {@code tpacket_block_desc.hdr.bh1.seq_num} (u64). */
    public static final int BLOCK_SEQ_NUM_OFFSET = 24;

    /** {@code tpacket3_hdr.tp_next_offset}. */
    public static final int V3_NEXT_OFFSET = 0;
    /** {@code tpacket3_hdr.tp_sec}. */
    public static final int V3_SEC_OFFSET = 4;
    /** {@code tpacket3_hdr.tp_nsec}. */
    public static final int V3_NSEC_OFFSET = 8;
    /** {@code tpacket3_hdr.tp_snaplen}. */
    public static final int V3_SNAPLEN_OFFSET = 12;
    /** {@code tpacket3_hdr.tp_len}. */
    public static final int V3_LEN_OFFSET = 16;
    /** {@code tpacket3_hdr.tp_status}. */
    public static final int V3_STATUS_OFFSET = 20;
    /** {@code tpacket3_hdr.tp_mac} (u16). */
    public static final int V3_MAC_OFFSET = 24;
    /** {@code tpacket3_hdr.tp_net} (u16). */
    public static final int V3_NET_OFFSET = 26;
    /** {@code tpacket3_hdr.hv1.tp_rxhash}. */
    public static final int V3_RXHASH_OFFSET = 28;
    /** {@code tpacket3_hdr.hv1.tp_vlan_tci}. */
    public static final int V3_VLAN_TCI_OFFSET = 32;

    /** {@code tpacket2_hdr.tp_status}. */
    public static final int V2_STATUS_OFFSET = 0;
    /** {@code tpacket2_hdr.tp_len}. */
    public static final int V2_LEN_OFFSET = 4;
    /** {@code tpacket2_hdr.tp_snaplen}. */
    public static final int V2_SNAPLEN_OFFSET = 8;
    /** {@code tpacket2_hdr.tp_mac} (u16). */
    public static final int V2_MAC_OFFSET = 12;
    /** {@code tpacket2_hdr.tp_net} (u16). */
    public static final int V2_NET_OFFSET = 14;
    /** {@code tpacket2_hdr.tp_sec}. */
    public static final int V2_SEC_OFFSET = 16;
    /** {@code tpacket2_hdr.tp_nsec}. */
    public static final int V2_NSEC_OFFSET = 20;
    /** {@code tpacket2_hdr.tp_vlan_tci} (u16). */
    public static final int V2_VLAN_TCI_OFFSET = 24;

    /** Bytes of {@code struct tpacket_stats_v3}: packets, drops, freeze_q_cnt. */
    public static final int TPACKET_STATS_V3_LENGTH = 12;
    /** Bytes of {@code struct tpacket_stats}: packets, drops. */
    public static final int TPACKET_STATS_LENGTH = 8;

    /** Bytes of {@code struct packet_mreq}: ifindex, type, alen, address[8]. */
    public static final int PACKET_MREQ_LENGTH = 16;
    /** {@code packet_mreq.mr_ifindex}. */
    public static final int MREQ_IFINDEX_OFFSET = 0;
    /** {@code packet_mreq.mr_type} (u16). */
    public static final int MREQ_TYPE_OFFSET = 4;
    /** {@code packet_mreq.mr_alen} (u16). */
    public static final int MREQ_ALEN_OFFSET = 6;
    /** {@code packet_mreq.mr_address}. */
    public static final int MREQ_ADDRESS_OFFSET = 8;

    /** Bytes of {@code struct sock_filter}: code u16, jt u8, jf u8, k u32. */
    public static final int SOCK_FILTER_LENGTH = 8;
    /** Bytes of {@code struct sock_fprog}: len u16, padding, then the pointer at 8. */
    public static final int SOCK_FPROG_LENGTH = 16;
    /** Offset of {@code sock_fprog.filter}. */
    public static final int FPROG_FILTER_OFFSET = 8;

    private TpacketLayout()
    {
    }

    /**
     * Aligns to {@link #TPACKET_ALIGNMENT}, as the kernel's {@code TPACKET_ALIGN}.
     *
     * @param value a length.
     * @return the value rounded up to a multiple of 16.
     */
    public static int tpacketAlign(final int value)
    {
        return (value + TPACKET_ALIGNMENT - 1) & -TPACKET_ALIGNMENT;
    }

    /**
     * Byte-swaps a 16-bit value to network order, for protocols in {@code socket}, {@code bind} and
     * {@code sockaddr_ll} (x86_64 and aarch64 are little-endian).
     *
     * @param value a host-order 16-bit value.
     * @return it in network order, as read by a little-endian host.
     */
    public static int htons(final int value)
    {
        return Short.toUnsignedInt(Short.reverseBytes((short)value));
    }
}
