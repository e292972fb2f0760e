package io.lvs4j.core.conn;

import org.agrona.BitUtil;

/**
 * Layout of the {@link OffHeapConnectionTable}'s slots: the control word every slot starts with, and the field
 * offsets of the three regions (IPv4 entries, IPv6 entries, NAT reply index). A descriptor in Agrona's sense:
 * constants and pure functions only.
 *
 * <h2>Control word (offset 0 of every slot, 64 bits)</h2>
 * <pre>
 *   bit  0      BUSY   a writer holds the slot (seqlock "odd"); readers retry, writers wait
 *   bits 1..2   KIND   EMPTY (never used, ends probe chains), TOMB (freed, reusable), PENDING (being
 *                      inserted, invisible to lookups), LIVE
 *   bits 3..31  SEQ    bumped by every release, so a reader's before/after comparison of the whole word
 *                      detects any write in between (29 bits: a reader would need 2^29 writes to one slot
 *                      between its two reads to be fooled)
 *   bits 32..47 TAG    16 hash bits of the key, fixed for an incarnation: probes skip foreign slots, even busy
 *                      ones, without touching key words
 *   bits 48..63 GEN    incarnation number, bumped each time a free slot is claimed for a new entry; cursors and
 *                      reply pointers carry it so that a reused slot is never mistaken for the old entry
 * </pre>
 *
 * <h2>IPv4 entry: 64 bytes, one cache line (IPVS's {@code struct ip_vs_conn} spends 288)</h2>
 * <pre>
 *    0 long ctrl
 *    8 long key1      client address &lt;&lt; 32 | virtual address (or fwmark)
 *   16 long key2      client port &lt;&lt; 48 | virtual port &lt;&lt; 32 | protocol &lt;&lt; 24 | type &lt;&lt; 16
 *                     | dest port
 *                     (the low 16 bits are not part of the key: lookups compare key2 &amp; {@link #KEY2_MASK})
 *   24 int  dest address
 *   28 int  destination id
 *   32 int  meta      flags (bits 0..15, the sync-visible IPVS flags) | state &lt;&lt; 16 | timeout profile &lt;&lt; 24
 *   36 int  control count (entries this one controls)
 *   40 int  link      connections: controlling entry's slot + 1 (0 = none);
 *                     templates: persistence timeout in ms, unsigned (up to 49.7 days; IPVS's maximum is 31)
 *   44 int  packets   unsigned 32 bits, wraps (the kernel's per-connection in_pkts is 32 bits too)
 *   48 long expires   absolute table-clock milliseconds
 *   56 long bytes
 * </pre>
 *
 * <h2>IPv6 entry: 128 bytes, two cache lines (key on the first, counters on the second)</h2>
 * <pre>
 *    0 long ctrl      8 client hi   16 client lo   24 virtual hi   32 virtual lo   40 key2   48 dest hi   56 dest lo
 *   64 int dest id   68 int meta   72 int control count   76 int link   80 long expires   88 long packets
 *   96 long bytes    104..127 spare
 * </pre>
 *
 * <h2>Reply index entry: 16 bytes, four per cache line</h2>
 * <pre>
 *    0 long ctrl      (TAG from the reply key's hash)
 *    8 long target    region id &lt;&lt; 56 | target GEN &lt;&lt; 32 | target slot
 * </pre>
 * A reply entry holds no key: {@code findOut} follows the pointer and compares the reply key with the entry's
 * dest and client fields, so one reply region serves both families.
 */
final class SlotLayout
{
    /** Control word: a writer holds the slot. */
    static final long BUSY = 1L;
    /** Shift of the KIND field. */
    static final int KIND_SHIFT = 1;
    /** Mask of the KIND field. */
    static final long KIND_MASK = 3L << KIND_SHIFT;
    /** KIND: never used since the last clean-up; ends every probe chain. */
    static final int EMPTY = 0;
    /** KIND: freed; probes continue past it and inserts reuse it. */
    static final int TOMB = 1;
    /** KIND: claimed by an insert that has not yet proven its key unique; invisible to lookups. */
    static final int PENDING = 2;
    /** KIND: a visible entry. */
    static final int LIVE = 3;
    /** Shift of the SEQ field. */
    static final int SEQ_SHIFT = 3;
    /** One step of the SEQ field. */
    static final long SEQ_UNIT = 1L << SEQ_SHIFT;
    /** Mask of the SEQ field. */
    static final long SEQ_MASK = ((1L << 29) - 1) << SEQ_SHIFT;
    /** Shift of the TAG field. */
    static final int TAG_SHIFT = 32;
    /** Shift of the GEN field. */
    static final int GEN_SHIFT = 48;

    /** Entry type in key2: a connection. */
    static final int TYPE_CONNECTION = 0;
    /** Entry type in key2: a persistence template. */
    static final int TYPE_TEMPLATE = 1;
    /** Entry type in key2: a template neutralised because its destination went away (IPVS sets dport 0xffff). */
    static final int TYPE_INVALID_TEMPLATE = 3;
    /** The key bits of key2 (everything but the dest port). */
    static final long KEY2_MASK = ~0xFFFFL;

    /** Offset of the control word in every slot. */
    static final int CTRL = 0;

    /** IPv4 slot length: one cache line. */
    static final int V4_SLOT_LENGTH = BitUtil.CACHE_LINE_LENGTH;
    /** IPv4: client and virtual address. */
    static final int V4_KEY1 = 8;
    /** IPv4: ports, protocol, type, dest port. */
    static final int V4_KEY2 = 16;
    /** IPv4: dest address. */
    static final int V4_DEST = 24;
    /** IPv4: destination id. */
    static final int V4_DEST_ID = 28;
    /** IPv4: flags, state, profile. */
    static final int V4_META = 32;
    /** IPv4: control count. */
    static final int V4_CONTROL = 36;
    /** IPv4: controller link or persistence timeout. */
    static final int V4_LINK = 40;
    /** IPv4: packets (32 bits). */
    static final int V4_PACKETS = 44;
    /** IPv4: expiry. */
    static final int V4_EXPIRES = 48;
    /** IPv4: bytes. */
    static final int V4_BYTES = 56;

    /** IPv6 slot length: two cache lines. */
    static final int V6_SLOT_LENGTH = 2 * BitUtil.CACHE_LINE_LENGTH;
    /** IPv6: client address high. */
    static final int V6_CLIENT_HI = 8;
    /** IPv6: client address low. */
    static final int V6_CLIENT_LO = 16;
    /** IPv6: virtual address high. */
    static final int V6_VIRTUAL_HI = 24;
    /** IPv6: virtual address low. */
    static final int V6_VIRTUAL_LO = 32;
    /** IPv6: ports, protocol, type, dest port. */
    static final int V6_KEY2 = 40;
    /** IPv6: dest address high. */
    static final int V6_DEST_HI = 48;
    /** IPv6: dest address low. */
    static final int V6_DEST_LO = 56;
    /** IPv6: destination id. */
    static final int V6_DEST_ID = 64;
    /** IPv6: flags, state, profile. */
    static final int V6_META = 68;
    /** IPv6: control count. */
    static final int V6_CONTROL = 72;
    /** IPv6: controller link or persistence timeout. */
    static final int V6_LINK = 76;
    /** IPv6: expiry. */
    static final int V6_EXPIRES = 80;
    /** IPv6: packets (64 bits). */
    static final int V6_PACKETS = 88;
    /** IPv6: bytes. */
    static final int V6_BYTES = 96;

    /** Reply slot length. */
    static final int REPLY_SLOT_LENGTH = 16;
    /** Reply: pointer to the primary entry. */
    static final int REPLY_TARGET = 8;

    /** Region id of the IPv4 entries (in reply pointers). */
    static final int REGION_V4 = 1;
    /** Region id of the IPv6 entries. */
    static final int REGION_V6 = 2;
    /** Region id of the reply index. */
    static final int REGION_REPLY = 3;

    private SlotLayout()
    {
    }

    /**
     * @param ctrl a control word.
     * @return true when a writer holds the slot.
     */
    static boolean isBusy(final long ctrl)
    {
        return (ctrl & BUSY) != 0;
    }

    /**
     * @param ctrl a control word.
     * @return its KIND.
     */
    static int kind(final long ctrl)
    {
        return (int)(ctrl >>> KIND_SHIFT) & 3;
    }

    /**
     * @param ctrl a control word.
     * @return its TAG.
     */
    static int tag(final long ctrl)
    {
        return (int)(ctrl >>> TAG_SHIFT) & 0xFFFF;
    }

    /**
     * @param ctrl a control word.
     * @return its GEN.
     */
    static int gen(final long ctrl)
    {
        return (int)(ctrl >>> GEN_SHIFT);
    }

    /**
     * The TAG of a key hash: its top 16 bits (slot indices use the low bits, so the two are independent).
     *
     * @param hash the key's hash.
     * @return 0..65535.
     */
    static int tagOf(final long hash)
    {
        return (int)(hash >>> 48);
    }

    /**
     * The word a writer stores to let go of a slot: BUSY cleared, SEQ bumped, KIND set; TAG and GEN kept.
     *
     * @param held the word the writer holds (busy or not).
     * @param kind the slot's kind from now on.
     * @return the word to release-store.
     */
    static long released(final long held, final int kind)
    {
        return (held & ~(BUSY | KIND_MASK | SEQ_MASK)) | ((held + SEQ_UNIT) & SEQ_MASK) | ((long)kind << KIND_SHIFT);
    }

    /**
     * The word that claims a free (EMPTY or TOMB) slot for a new entry: BUSY, PENDING, new TAG, GEN bumped.
     *
     * @param free the free slot's word.
     * @param tag  the new key's TAG.
     * @return the word to compare-and-set.
     */
    static long incarnation(final long free, final int tag)
    {
        final long gen = ((free >>> GEN_SHIFT) + 1) & 0xFFFF;
        return gen << GEN_SHIFT | (long)tag << TAG_SHIFT | ((free + SEQ_UNIT) & SEQ_MASK) |
            ((long)PENDING << KIND_SHIFT) | BUSY;
    }

    /**
     * key2 of an entry.
     *
     * @param clientPort  client port.
     * @param virtualPort virtual port.
     * @param protocol    IP protocol.
     * @param type        {@link #TYPE_CONNECTION}, {@link #TYPE_TEMPLATE} or {@link #TYPE_INVALID_TEMPLATE}.
     * @param destPort    dest port (not part of the key).
     * @return the packed word.
     */
    static long key2(
        final int clientPort, final int virtualPort, final int protocol, final int type, final int destPort)
    {
        return (long)(clientPort & 0xFFFF) << 48 | (long)(virtualPort & 0xFFFF) << 32 | (long)(protocol & 0xFF) << 24 |
            (long)(type & 0xFF) << 16 | (destPort & 0xFFFF);
    }

    /**
     * key1 of an IPv4 entry.
     *
     * @param clientAddress  client address (low 32 bits used).
     * @param virtualAddress VIP or fwmark (low 32 bits used).
     * @return the packed word.
     */
    static long v4Key1(final long clientAddress, final long virtualAddress)
    {
        return clientAddress << 32 | (virtualAddress & 0xFFFF_FFFFL);
    }

    /**
     * A reply pointer.
     *
     * @param regionId {@link #REGION_V4} or {@link #REGION_V6}.
     * @param gen      the target's GEN.
     * @param slot     the target's slot.
     * @return the packed word.
     */
    static long target(final int regionId, final int gen, final int slot)
    {
        return (long)regionId << 56 | (long)(gen & 0xFFFF) << 32 | (slot & 0xFFFF_FFFFL);
    }
}
