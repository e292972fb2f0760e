package io.lvs4j.core.checksum;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;

/**
 * The Internet checksum (RFC 1071) over {@link DirectBuffer} ranges, full and incremental (RFC 1624), for the IPv4
 * header, TCP and UDP over IPv4 and IPv6, ICMPv4 and ICMPv6, plus the CRC-32C that SCTP uses instead.
 * <p>
 * Conventions:
 * <ul>
 *   <li>A <em>sum</em> ({@code long}) is an unfolded one's-complement accumulator: sums of disjoint ranges and
 *   pseudo-headers may simply be added together, as long as every range but the last starts at an even distance
 *   from the start of the checksummed message (the headers we sum always do).</li>
 *   <li>A <em>checksum</em> ({@code int}, 0..0xFFFF) is the value to store in the header field: the complement of
 *   the folded sum. Every {@code *Checksum} method treats the packet's own checksum field as zero, so it can be
 *   called on a packet whose field holds anything.</li>
 *   <li>UDP: a checksum computed as 0 is stored as 0xFFFF (RFC 768; RFC 8200 §8.1 for IPv6), because 0 means
 *   "no checksum" over IPv4. Incremental updates leave a stored 0 untouched, over IPv4 and IPv6 alike: over IPv4 it
 *   means "none" (lvs-keepalived.md §12.2); over IPv6 it is invalid unless the receiver accepts zero checksums for
 *   tunnels (RFC 6935/6936), and such a receiver keeps accepting it, while any other receiver drops it either
 *   way. Turning it into a non-zero value would only make it wrong for everyone.</li>
 * </ul>
 * All methods are static, allocation-free and read only the ranges they are given.
 */
public final class Checksums
{
    /** Offset of the checksum field in an IPv4 header. */
    public static final int IPV4_CHECKSUM_OFFSET = 10;
    /** Offset of the checksum field in a TCP header. */
    public static final int TCP_CHECKSUM_OFFSET = 16;
    /** Offset of the checksum field in a UDP header. */
    public static final int UDP_CHECKSUM_OFFSET = 6;
    /** Offset of the checksum field in an ICMPv4 or ICMPv6 header. */
    public static final int ICMP_CHECKSUM_OFFSET = 2;
    /** Offset of the CRC-32C field in an SCTP common header. */
    public static final int SCTP_CHECKSUM_OFFSET = 8;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;
    private static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    private static final int PROTOCOL_ICMPV6 = 58;
    private static final int IPV4_SOURCE_OFFSET = 12;
    private static final int IPV6_SOURCE_OFFSET = 8;
    private static final int IPV6_ADDRESSES_LENGTH = 32;
    private static final int[] CRC32C_TABLE = crc32cTable();

    private Checksums()
    {
    }

    /**
     * One's-complement sum of the bytes of a range taken as big-endian 16-bit words, the last odd byte padded
     * with a zero byte on the right (RFC 1071).
     * <p>
     * Reads eight bytes at a time and adds their two 32-bit halves: a sum of 32-bit words folds to the same
     * 16-bit result because 2^16 = 1 modulo 0xFFFF, and 33-bit additions cannot overflow the accumulator for any
     * range that fits in a buffer.
     *
     * @param buffer the bytes.
     * @param offset first byte.
     * @param length number of bytes, may be odd or 0.
     * @return the unfolded sum.
     */
    public static long sum(final DirectBuffer buffer, final int offset, final int length)
    {
        long acc = 0;
        int i = offset;
        final int end = offset + length;
        for (final int last8 = end - 8; i <= last8; i += 8)
        {
            final long w = buffer.getLong(i, BIG);
            acc += (w >>> 32) + (w & 0xFFFF_FFFFL);
        }
        if (end - i >= 4)
        {
            acc += buffer.getInt(i, BIG) & 0xFFFF_FFFFL;
            i += 4;
        }
        if (end - i >= 2)
        {
            acc += buffer.getShort(i, BIG) & 0xFFFF;
            i += 2;
        }
        if (i < end)
        {
            acc += (buffer.getByte(i) & 0xFF) << 8;
        }
        return acc;
    }

    /**
     * Folds a sum to 16 bits with end-around carries. The result is 0 only when the sum is 0, so a non-empty sum
     * of non-zero data has one representation (0xFFFF for "negative zero"), which is what keeps incremental
     * updates equal to full recomputes.
     *
     * @param sum an unfolded sum (non-negative).
     * @return 0..0xFFFF.
     */
    public static int fold(final long sum)
    {
        long s = (sum & 0xFFFF_FFFFL) + (sum >>> 32);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        s = (s & 0xFFFF) + (s >>> 16);
        return (int)s;
    }

    /**
     * Turns a sum into the value stored in a checksum field: the complement of the folded sum.
     *
     * @param sum an unfolded sum.
     * @return the checksum, 0..0xFFFF.
     */
    public static int finish(final long sum)
    {
        return ~fold(sum) & 0xFFFF;
    }

    /**
     * Maps a computed UDP checksum of 0 to 0xFFFF, since 0 on the wire means "no checksum".
     *
     * @param checksum a computed checksum.
     * @return {@code checksum}, or 0xFFFF in place of 0.
     */
    public static int udpNonZero(final int checksum)
    {
        return checksum == 0 ? 0xFFFF : checksum;
    }

    /**
     * Sum of a range with the 16-bit checksum field inside it taken as zero.
     *
     * @param buffer      the bytes.
     * @param offset      start of the range (the start of the header).
     * @param length      length of the range; at least {@code fieldOffset + 2}.
     * @param fieldOffset offset of the checksum field from {@code offset}; must be even.
     * @return the unfolded sum.
     */
    public static long sumSkippingField(
        final DirectBuffer buffer, final int offset, final int length, final int fieldOffset)
    {
        final int after = fieldOffset + 2;
        return sum(buffer, offset, fieldOffset) + sum(buffer, offset + after, length - after);
    }

    // ---------------------------------------------------------------------------------------------- IPv4 header

    /**
     * The IPv4 header checksum to store, computed over the header with its checksum field taken as zero.
     *
     * @param buffer       the bytes.
     * @param ipOffset     start of the IPv4 header.
     * @param headerLength IHL * 4 (20..60).
     * @return the checksum.
     */
    public static int ipv4HeaderChecksum(final DirectBuffer buffer, final int ipOffset, final int headerLength)
    {
        return finish(sumSkippingField(buffer, ipOffset, headerLength, IPV4_CHECKSUM_OFFSET));
    }

    /**
     * Whether an IPv4 header's stored checksum is right: the sum over the whole header, field included, folds to
     * 0xFFFF.
     *
     * @param buffer       the bytes.
     * @param ipOffset     start of the IPv4 header.
     * @param headerLength IHL * 4.
     * @return true when the checksum verifies.
     */
    public static boolean isIpv4HeaderValid(final DirectBuffer buffer, final int ipOffset, final int headerLength)
    {
        return fold(sum(buffer, ipOffset, headerLength)) == 0xFFFF;
    }

    // ----------------------------------------------------------------------------------------- pseudo-headers

    /**
     * Sum of the IPv4 pseudo-header (RFC 793 / RFC 768): addresses, zero, protocol, transport length.
     *
     * @param source      source address, big-endian int.
     * @param destination destination address, big-endian int.
     * @param protocol    IP protocol number.
     * @param length      transport header + data length.
     * @return the unfolded sum.
     */
    public static long pseudoHeaderSumV4(final int source, final int destination, final int protocol, final int length)
    {
        return (source & 0xFFFF_FFFFL) + (destination & 0xFFFF_FFFFL) + (protocol & 0xFF) + (length & 0xFFFF);
    }

    /**
     * Sum of the IPv4 pseudo-header taking the addresses from an IPv4 header.
     *
     * @param buffer   the bytes.
     * @param ipOffset start of the IPv4 header.
     * @param protocol IP protocol number.
     * @param length   transport header + data length.
     * @return the unfolded sum.
     */
    public static long pseudoHeaderSumV4(
        final DirectBuffer buffer, final int ipOffset, final int protocol, final int length)
    {
        return sum(buffer, ipOffset + IPV4_SOURCE_OFFSET, 8) + (protocol & 0xFF) + (length & 0xFFFF);
    }

    /**
     * Sum of the IPv6 pseudo-header (RFC 8200 §8.1): addresses, 32-bit upper-layer length, next header.
     *
     * @param sourceHi      source address bytes 0..7.
     * @param sourceLo      source address bytes 8..15.
     * @param destinationHi destination address bytes 0..7.
     * @param destinationLo destination address bytes 8..15.
     * @param nextHeader    upper-layer protocol number.
     * @param length        upper-layer length.
     * @return the unfolded sum.
     */
    public static long pseudoHeaderSumV6(
        final long sourceHi,
        final long sourceLo,
        final long destinationHi,
        final long destinationLo,
        final int nextHeader,
        final int length)
    {
        return halves(sourceHi) + halves(sourceLo) + halves(destinationHi) + halves(destinationLo) +
            (length & 0xFFFF_FFFFL) + (nextHeader & 0xFF);
    }

    /**
     * Sum of the IPv6 pseudo-header taking the addresses from an IPv6 header. The destination is the header's;
     * a packet with a routing header is checksummed against its final destination instead (RFC 8200 §8.1), which
     * only its sender knows to use: we never originate such packets, and rewrites update checksums incrementally.
     *
     * @param buffer     the bytes.
     * @param ipv6Offset start of the IPv6 header.
     * @param nextHeader upper-layer protocol number.
     * @param length     upper-layer length.
     * @return the unfolded sum.
     */
    public static long pseudoHeaderSumV6(
        final DirectBuffer buffer, final int ipv6Offset, final int nextHeader, final int length)
    {
        return sum(buffer, ipv6Offset + IPV6_SOURCE_OFFSET, IPV6_ADDRESSES_LENGTH) +
            (length & 0xFFFF_FFFFL) + (nextHeader & 0xFF);
    }

    // ------------------------------------------------------------------------------------- transport checksums

    /**
     * The TCP checksum to store for a segment over IPv4.
     *
     * @param buffer    the bytes.
     * @param ipOffset  start of the IPv4 header (for the addresses).
     * @param tcpOffset start of the TCP header.
     * @param tcpLength TCP header + data length (at least 20).
     * @return the checksum.
     */
    public static int tcpChecksumV4(
        final DirectBuffer buffer, final int ipOffset, final int tcpOffset, final int tcpLength)
    {
        return finish(pseudoHeaderSumV4(buffer, ipOffset, PROTOCOL_TCP, tcpLength) +
            sumSkippingField(buffer, tcpOffset, tcpLength, TCP_CHECKSUM_OFFSET));
    }

    /**
     * The UDP checksum to store for a datagram over IPv4 (never 0: a computed 0 is 0xFFFF).
     *
     * @param buffer    the bytes.
     * @param ipOffset  start of the IPv4 header.
     * @param udpOffset start of the UDP header.
     * @param udpLength UDP length (header + data, at least 8).
     * @return the checksum, 1..0xFFFF.
     */
    public static int udpChecksumV4(
        final DirectBuffer buffer, final int ipOffset, final int udpOffset, final int udpLength)
    {
        return udpNonZero(finish(pseudoHeaderSumV4(buffer, ipOffset, PROTOCOL_UDP, udpLength) +
            sumSkippingField(buffer, udpOffset, udpLength, UDP_CHECKSUM_OFFSET)));
    }

    /**
     * The TCP checksum to store for a segment over IPv6.
     *
     * @param buffer     the bytes.
     * @param ipv6Offset start of the IPv6 header.
     * @param tcpOffset  start of the TCP header (after any extension headers).
     * @param tcpLength  TCP header + data length.
     * @return the checksum.
     */
    public static int tcpChecksumV6(
        final DirectBuffer buffer, final int ipv6Offset, final int tcpOffset, final int tcpLength)
    {
        return finish(pseudoHeaderSumV6(buffer, ipv6Offset, PROTOCOL_TCP, tcpLength) +
            sumSkippingField(buffer, tcpOffset, tcpLength, TCP_CHECKSUM_OFFSET));
    }

    /**
     * The UDP checksum to store for a datagram over IPv6 (mandatory there; a computed 0 is 0xFFFF).
     *
     * @param buffer     the bytes.
     * @param ipv6Offset start of the IPv6 header.
     * @param udpOffset  start of the UDP header.
     * @param udpLength  UDP length.
     * @return the checksum, 1..0xFFFF.
     */
    public static int udpChecksumV6(
        final DirectBuffer buffer, final int ipv6Offset, final int udpOffset, final int udpLength)
    {
        return udpNonZero(finish(pseudoHeaderSumV6(buffer, ipv6Offset, PROTOCOL_UDP, udpLength) +
            sumSkippingField(buffer, udpOffset, udpLength, UDP_CHECKSUM_OFFSET)));
    }

    /**
     * The ICMPv4 checksum to store: over the ICMP message alone, no pseudo-header.
     *
     * @param buffer     the bytes.
     * @param icmpOffset start of the ICMP header.
     * @param length     ICMP message length (at least 4).
     * @return the checksum.
     */
    public static int icmpv4Checksum(final DirectBuffer buffer, final int icmpOffset, final int length)
    {
        return finish(sumSkippingField(buffer, icmpOffset, length, ICMP_CHECKSUM_OFFSET));
    }

    /**
     * The ICMPv6 checksum to store: over the IPv6 pseudo-header and the message (RFC 4443 §2.3).
     *
     * @param buffer     the bytes.
     * @param ipv6Offset start of the IPv6 header.
     * @param icmpOffset start of the ICMPv6 header.
     * @param length     ICMPv6 message length (at least 4).
     * @return the checksum.
     */
    public static int icmpv6Checksum(
        final DirectBuffer buffer, final int ipv6Offset, final int icmpOffset, final int length)
    {
        return finish(pseudoHeaderSumV6(buffer, ipv6Offset, PROTOCOL_ICMPV6, length) +
            sumSkippingField(buffer, icmpOffset, length, ICMP_CHECKSUM_OFFSET));
    }

    // ------------------------------------------------------------------------------------ incremental updates

    /**
     * RFC 1624 eqn. 3, {@code HC' = ~(~HC + ~m + m')}, for one changed 16-bit word.
     *
     * @param checksum the stored checksum.
     * @param oldWord  the word's old value.
     * @param newWord  the word's new value.
     * @return the checksum to store.
     */
    public static int update16(final int checksum, final int oldWord, final int newWord)
    {
        return finish((~checksum & 0xFFFF) + (~oldWord & 0xFFFF) + (newWord & 0xFFFF));
    }

    /**
     * RFC 1624 eqn. 3 for a changed 32-bit value (an IPv4 address, or two adjacent words).
     *
     * @param checksum the stored checksum.
     * @param oldValue the old value, big-endian.
     * @param newValue the new value, big-endian.
     * @return the checksum to store.
     */
    public static int update32(final int checksum, final int oldValue, final int newValue)
    {
        // ~x as an unsigned 32-bit value is the complement of both of its 16-bit words
        return finish((~checksum & 0xFFFF) + (~oldValue & 0xFFFF_FFFFL) + (newValue & 0xFFFF_FFFFL));
    }

    /**
     * RFC 1624 eqn. 3 for a changed 128-bit value (an IPv6 address).
     *
     * @param checksum the stored checksum.
     * @param oldHi    old value bytes 0..7.
     * @param oldLo    old value bytes 8..15.
     * @param newHi    new value bytes 0..7.
     * @param newLo    new value bytes 8..15.
     * @return the checksum to store.
     */
    public static int update128(
        final int checksum, final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return finish((~checksum & 0xFFFF) + halves(~oldHi) + halves(~oldLo) + halves(newHi) + halves(newLo));
    }

    /**
     * {@link #update16} for a UDP checksum: a stored 0 ("none") is left as it is, and a result of 0 becomes 0xFFFF.
     *
     * @param checksum the stored UDP checksum.
     * @param oldWord  the word's old value.
     * @param newWord  the word's new value.
     * @return the checksum to store.
     */
    public static int updateUdp16(final int checksum, final int oldWord, final int newWord)
    {
        return checksum == 0 ? 0 : udpNonZero(update16(checksum, oldWord, newWord));
    }

    /**
     * {@link #update32} with the UDP rules of {@link #updateUdp16}.
     *
     * @param checksum the stored UDP checksum.
     * @param oldValue the old value.
     * @param newValue the new value.
     * @return the checksum to store.
     */
    public static int updateUdp32(final int checksum, final int oldValue, final int newValue)
    {
        return checksum == 0 ? 0 : udpNonZero(update32(checksum, oldValue, newValue));
    }

    /**
     * {@link #update128} with the UDP rules of {@link #updateUdp16}.
     *
     * @param checksum the stored UDP checksum.
     * @param oldHi    old value bytes 0..7.
     * @param oldLo    old value bytes 8..15.
     * @param newHi    new value bytes 0..7.
     * @param newLo    new value bytes 8..15.
     * @return the checksum to store.
     */
    public static int updateUdp128(
        final int checksum, final long oldHi, final long oldLo, final long newHi, final long newLo)
    {
        return checksum == 0 ? 0 : udpNonZero(update128(checksum, oldHi, oldLo, newHi, newLo));
    }

    // ----------------------------------------------------------------------------------------------- CRC-32C

    /**
     * Continues a CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) over a range. Start with
     * {@code crc = 0}; the result equals {@link java.util.zip.CRC32C#getValue()} over the same bytes.
     *
     * @param crc    the CRC of the preceding bytes (0 to start).
     * @param buffer the bytes.
     * @param offset first byte.
     * @param length number of bytes.
     * @return the CRC of everything so far.
     */
    public static int crc32c(final int crc, final DirectBuffer buffer, final int offset, final int length)
    {
        int c = ~crc;
        for (int i = offset, end = offset + length; i < end; i++)
        {
            c = CRC32C_TABLE[(c ^ buffer.getByte(i)) & 0xFF] ^ (c >>> 8);
        }
        return ~c;
    }

    /**
     * The SCTP checksum (RFC 4960 §6.8, Appendix B): CRC-32C over the whole packet with the checksum field taken
     * as zero. SCTP stores it least significant byte first, so write it with
     * {@code putInt(offset + SCTP_CHECKSUM_OFFSET, value, ByteOrder.LITTLE_ENDIAN)}. It cannot be updated
     * incrementally: a port rewrite recomputes it.
     *
     * @param buffer     the bytes.
     * @param sctpOffset start of the SCTP common header.
     * @param length     SCTP packet length (at least 12).
     * @return the CRC-32C value.
     */
    public static int sctpChecksum(final DirectBuffer buffer, final int sctpOffset, final int length)
    {
        int crc = crc32c(0, buffer, sctpOffset, SCTP_CHECKSUM_OFFSET);
        crc = crc32cOfZeros(crc, 4);
        return crc32c(crc, buffer, sctpOffset + SCTP_CHECKSUM_OFFSET + 4, length - SCTP_CHECKSUM_OFFSET - 4);
    }

    private static int crc32cOfZeros(final int crc, final int count)
    {
        int c = ~crc;
        for (int i = 0; i < count; i++)
        {
            c = CRC32C_TABLE[c & 0xFF] ^ (c >>> 8);
        }
        return ~c;
    }

    private static long halves(final long value)
    {
        return (value >>> 32) + (value & 0xFFFF_FFFFL);
    }

    private static int[] crc32cTable()
    {
        final int[] table = new int[256];
        for (int n = 0; n < 256; n++)
        {
            int c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? (c >>> 1) ^ 0x82F6_3B78 : c >>> 1;
            }
            table[n] = c;
        }
        return table;
    }
}
