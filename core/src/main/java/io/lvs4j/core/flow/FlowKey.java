package io.lvs4j.core.flow;

/**
 * The identity of a flow as IPVS sees it: address family, transport protocol, source address and port,
 * destination address and port, for IPv4 and IPv6 alike.
 * <p>
 * A mutable, reusable holder so that the hot path never allocates: a worker owns one instance per packet slot
 * and the classifier fills it in place. Addresses are held as two {@code long}s in network (big-endian) order:
 * an IPv6 address is {@code hi} (bytes 0..7) and {@code lo} (bytes 8..15); an IPv4 address is kept in the low 32
 * bits of {@code lo} with {@code hi == 0}, so that an IPv4 address compares and hashes like any other.
 * <p>
 * Persistence templates reuse the same shape (client network, port 0, VIP or fwmark, service port), with
 * protocol {@link IpProtocol#IP} for fwmark templates.
 */
public final class FlowKey
{
    /** Address family value for IPv4. */
    public static final int AF_INET = 4;
    /** Address family value for IPv6. */
    public static final int AF_INET6 = 6;

    private int family;
    private int protocol;
    private long srcHi;
    private long srcLo;
    private int srcPort;
    private long dstHi;
    private long dstLo;
    private int dstPort;

    /**
     * Sets an IPv4 flow.
     *
     * @param protocol IP protocol number (6 TCP, 17 UDP, ...).
     * @param srcAddress source address as a big-endian int (a.b.c.d is {@code a << 24 | ...}).
     * @param srcPort    source port 0..65535.
     * @param dstAddress destination address as a big-endian int.
     * @param dstPort    destination port 0..65535.
     * @return this for chaining.
     */
    public FlowKey setV4(
        final int protocol, final int srcAddress, final int srcPort, final int dstAddress, final int dstPort)
    {
        this.family = AF_INET;
        this.protocol = protocol & 0xFF;
        this.srcHi = 0;
        this.srcLo = srcAddress & 0xFFFF_FFFFL;
        this.srcPort = srcPort & 0xFFFF;
        this.dstHi = 0;
        this.dstLo = dstAddress & 0xFFFF_FFFFL;
        this.dstPort = dstPort & 0xFFFF;
        return this;
    }

    /**
     * Sets an IPv6 flow.
     *
     * @param protocol IP protocol number of the transport header.
     * @param srcHi    source address bytes 0..7, big-endian.
     * @param srcLo    source address bytes 8..15, big-endian.
     * @param srcPort  source port.
     * @param dstHi    destination address bytes 0..7.
     * @param dstLo    destination address bytes 8..15.
     * @param dstPort  destination port.
     * @return this for chaining.
     */
    public FlowKey setV6(
        final int protocol,
        final long srcHi,
        final long srcLo,
        final int srcPort,
        final long dstHi,
        final long dstLo,
        final int dstPort)
    {
        this.family = AF_INET6;
        this.protocol = protocol & 0xFF;
        this.srcHi = srcHi;
        this.srcLo = srcLo;
        this.srcPort = srcPort & 0xFFFF;
        this.dstHi = dstHi;
        this.dstLo = dstLo;
        this.dstPort = dstPort & 0xFFFF;
        return this;
    }

    /**
     * Copies another key into this one.
     *
     * @param other the key to copy.
     * @return this for chaining.
     */
    public FlowKey set(final FlowKey other)
    {
        family = other.family;
        protocol = other.protocol;
        srcHi = other.srcHi;
        srcLo = other.srcLo;
        srcPort = other.srcPort;
        dstHi = other.dstHi;
        dstLo = other.dstLo;
        dstPort = other.dstPort;
        return this;
    }

    /**
     * Makes this the reverse of {@code other}: source and destination swapped, as a reply travels.
     *
     * @param other the forward key.
     * @return this for chaining.
     */
    public FlowKey setReverseOf(final FlowKey other)
    {
        family = other.family;
        protocol = other.protocol;
        final long sh = other.srcHi, sl = other.srcLo;
        final int sp = other.srcPort;
        srcHi = other.dstHi;
        srcLo = other.dstLo;
        srcPort = other.dstPort;
        dstHi = sh;
        dstLo = sl;
        dstPort = sp;
        return this;
    }

    /** Clears the key to family 0, all fields 0. */
    public void clear()
    {
        family = 0;
        protocol = 0;
        srcHi = srcLo = dstHi = dstLo = 0;
        srcPort = dstPort = 0;
    }

    /** @return {@link #AF_INET}, {@link #AF_INET6}, or 0 when unset. */
    public int family()
    {
        return family;
    }

    /** @return true when this is an IPv4 flow. */
    public boolean isV4()
    {
        return family == AF_INET;
    }

    /** @return the IP protocol number. */
    public int protocol()
    {
        return protocol;
    }

    /** @return the source address's high 64 bits (IPv6 bytes 0..7; 0 for IPv4). */
    public long srcHi()
    {
        return srcHi;
    }

    /** @return the source address's low 64 bits (IPv6 bytes 8..15; the IPv4 address in the low 32 bits). */
    public long srcLo()
    {
        return srcLo;
    }

    /** @return the IPv4 source address as a big-endian int. */
    public int srcV4()
    {
        return (int)srcLo;
    }

    /** @return the source port. */
    public int srcPort()
    {
        return srcPort;
    }

    /** @return the destination address's high 64 bits. */
    public long dstHi()
    {
        return dstHi;
    }

    /** @return the destination address's low 64 bits. */
    public long dstLo()
    {
        return dstLo;
    }

    /** @return the IPv4 destination address as a big-endian int. */
    public int dstV4()
    {
        return (int)dstLo;
    }

    /** @return the destination port. */
    public int dstPort()
    {
        return dstPort;
    }

    /**
     * Sets the source port alone (NAT rewrites, templates with port 0).
     *
     * @param port the new port.
     * @return this for chaining.
     */
    public FlowKey srcPort(final int port)
    {
        srcPort = port & 0xFFFF;
        return this;
    }

    /**
     * Sets the destination port alone.
     *
     * @param port the new port.
     * @return this for chaining.
     */
    public FlowKey dstPort(final int port)
    {
        dstPort = port & 0xFFFF;
        return this;
    }

    /**
     * A well-mixed 64-bit hash of all fields, stable across processes and runs (no per-process seed), so that
     * two directors and a restarted director agree on it. Tables exposed to untrusted traffic should prefer
     * {@link #hash(long)} with a secret seed, so that an attacker cannot aim floods at one probe chain.
     *
     * @return the hash.
     */
    public long hash()
    {
        return hash(0);
    }

    /**
     * A well-mixed 64-bit hash of all fields under a seed: one multiply-xorshift pass for IPv4 (both addresses
     * fit one long, ports and protocol another), one more for the high halves of IPv6 addresses.
     *
     * @param seed a per-table secret; the same seed gives the same hash in every process.
     * @return the hash.
     */
    public long hash(final long seed)
    {
        return hashOf(seed, family, protocol, srcHi, srcLo, srcPort, dstHi, dstLo, dstPort);
    }

    /**
     * {@link #hash(long)} of a flow given as fields, for code that holds a flow's fields but no key (a
     * connection table hashing an entry's reply direction while it frees the entry). The fields must be
     * normalised as the setters leave them: ports and protocol unsigned, an IPv4 address in the low 32 bits
     * of {@code lo} with {@code hi == 0}.
     *
     * @param seed     a per-table secret.
     * @param family   {@link #AF_INET} or {@link #AF_INET6}.
     * @param protocol the IP protocol number.
     * @param srcHi    source address, high 64 bits.
     * @param srcLo    source address, low 64 bits.
     * @param srcPort  source port.
     * @param dstHi    destination address, high 64 bits.
     * @param dstLo    destination address, low 64 bits.
     * @param dstPort  destination port.
     * @return the same value as {@link #hash(long)} of a key holding these fields.
     */
    public static long hashOf(
        final long seed,
        final int family,
        final int protocol,
        final long srcHi,
        final long srcLo,
        final int srcPort,
        final long dstHi,
        final long dstLo,
        final int dstPort)
    {
        long a = (srcLo << 32 | srcLo >>> 32) ^ dstLo;
        final long b = (long)srcPort << 32 | (long)dstPort << 16 | (long)protocol << 8 | family;
        if ((srcHi | dstHi) != 0)
        {
            a ^= mix(srcHi ^ Long.rotateLeft(dstHi, 29) ^ seed);
        }
        return mix((a ^ seed) * 0x9E37_79B9_7F4A_7C15L + b);
    }

    /**
     * Field-by-field equality without allocation.
     *
     * @param other the key to compare with.
     * @return true when both keys name the same flow.
     */
    public boolean sameAs(final FlowKey other)
    {
        return family == other.family && protocol == other.protocol &&
            srcPort == other.srcPort && dstPort == other.dstPort &&
            srcLo == other.srcLo && dstLo == other.dstLo && srcHi == other.srcHi && dstHi == other.dstHi;
    }

    /**
     * The Stafford variant 13 finaliser of SplitMix64: cheap and avalanches every input bit.
     *
     * @param z the value to mix.
     * @return the mixed value.
     */
    public static long mix(final long z)
    {
        long x = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        x = (x ^ (x >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return x ^ (x >>> 31);
    }

    /** {@inheritDoc} */
    @Override
    public boolean equals(final Object o)
    {
        return o instanceof FlowKey && sameAs((FlowKey)o);
    }

    /** {@inheritDoc} */
    @Override
    public int hashCode()
    {
        return Long.hashCode(hash());
    }

    /** {@inheritDoc} */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(64);
        sb.append(IpProtocol.name(protocol)).append(' ');
        appendAddress(sb, family, srcHi, srcLo).append(':').append(srcPort).append(" -> ");
        appendAddress(sb, family, dstHi, dstLo).append(':').append(dstPort);
        return sb.toString();
    }

    /**
     * Appends an address in the usual text form (dotted quad, or eight hex groups for IPv6).
     *
     * @param sb     where to append.
     * @param family {@link #AF_INET} or {@link #AF_INET6}.
     * @param hi     high 64 bits.
     * @param lo     low 64 bits.
     * @return {@code sb}.
     */
    public static StringBuilder appendAddress(final StringBuilder sb, final int family, final long hi, final long lo)
    {
        if (family == AF_INET6)
        {
            for (int i = 0; i < 8; i++)
            {
                final long word = i < 4 ? hi : lo;
                final int shift = 48 - 16 * (i & 3);
                if (i > 0)
                {
                    sb.append(':');
                }
                sb.append(Integer.toHexString((int)((word >>> shift) & 0xFFFF)));
            }
        }
        else
        {
            sb.append((lo >>> 24) & 0xFF).append('.').append((lo >>> 16) & 0xFF).append('.')
                .append((lo >>> 8) & 0xFF).append('.').append(lo & 0xFF);
        }
        return sb;
    }
}
