package io.lvs4j.core.service;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;

/**
 * One real server ("destination") of a virtual service, as configuration: its address and port, weight, last
 * non-zero weight, forwarding method and connection thresholds. Immutable: an edit makes a new value that
 * keeps the {@link #id() id}, so connections and counters stay attached to it.
 * <p>
 * The id indexes {@link io.lvs4j.core.conn.DestinationCounters}, where the live connection counts and the
 * AVAILABLE/OVERLOAD flags are; it is stable for the life of the server and unique within a director. An id must
 * not be given to another server while anything may still name the old one: its connections, and the lblc/lblcr
 * tables, which keep ids of deleted servers until they expire ({@code lblc_expiration}, 24 h by default). The
 * kernel holds a reference to the destination there; an id reused too early would send those clients to a
 * stranger.
 * Addresses follow {@link FlowKey}'s convention: two longs, IPv4 in the low 32 bits of {@code lo}.
 */
public final class RealServer
{
    private final int id;
    private final int family;
    private final long addressHi;
    private final long addressLo;
    private final int port;
    private final int weight;
    private final int lastWeight;
    private final int method;
    private final int upperThreshold;
    private final int lowerThreshold;

    /**
     * Creates a real server.
     *
     * @param id             the destination id (index into the destination counters), {@code >= 0}.
     * @param family         {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}.
     * @param addressHi      address, high 64 bits (0 for IPv4).
     * @param addressLo      address, low 64 bits (IPv4 in the low 32 bits).
     * @param port           port, 0..65535 (0: keep the packet's port).
     * @param weight         weight, {@code >= 0}; 0 quiesces the server.
     * @param lastWeight     last non-zero weight (the mh scheduler builds from it); {@code weight} when non-zero.
     * @param method         forwarding method, {@link ConnectionFlags#MASQ}, {@code TUNNEL}, {@code DROUTE}, ...
     * @param upperThreshold connection upper threshold (ipvsadm {@code -x}), 0 for none.
     * @param lowerThreshold connection lower threshold (ipvsadm {@code -y}), 0 for none; not above the upper.
     */
    public RealServer(
        final int id,
        final int family,
        final long addressHi,
        final long addressLo,
        final int port,
        final int weight,
        final int lastWeight,
        final int method,
        final int upperThreshold,
        final int lowerThreshold)
    {
        if (id < 0)
        {
            throw new IllegalArgumentException("id " + id);
        }
        if (family != FlowKey.AF_INET && family != FlowKey.AF_INET6)
        {
            throw new IllegalArgumentException("family " + family);
        }
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("port " + port);
        }
        if (weight < 0 || lastWeight < 0)
        {
            throw new IllegalArgumentException("weight " + weight + " (last " + lastWeight + ") is negative");
        }
        if (upperThreshold < 0 || lowerThreshold < 0 || (upperThreshold != 0 && lowerThreshold > upperThreshold))
        {
            throw new IllegalArgumentException("thresholds upper " + upperThreshold + " lower " + lowerThreshold);
        }
        this.id = id;
        this.family = family;
        this.addressHi = family == FlowKey.AF_INET ? 0 : addressHi;
        this.addressLo = family == FlowKey.AF_INET ? addressLo & 0xFFFF_FFFFL : addressLo;
        this.port = port;
        this.weight = weight;
        this.lastWeight = weight != 0 ? weight : lastWeight;
        this.method = method & ConnectionFlags.FWD_MASK;
        this.upperThreshold = upperThreshold;
        this.lowerThreshold = lowerThreshold;
    }

    /**
     * An IPv4 real server with no thresholds, forwarded by masquerading (NAT), weight as given.
     *
     * @param id      destination id.
     * @param address IPv4 address as an int in network order ({@code 192.0.2.1} is {@code 0xC0000201}).
     * @param port    port.
     * @param weight  weight.
     * @return the server.
     */
    public static RealServer ipv4(final int id, final int address, final int port, final int weight)
    {
        return new RealServer(id, FlowKey.AF_INET, 0, address & 0xFFFF_FFFFL, port, weight, weight,
            ConnectionFlags.MASQ, 0, 0);
    }

    /**
     * The edit {@code ipvsadm -e -w} makes: a new value with the weight changed and the last non-zero weight
     * following it only when the new weight is not zero ({@code __ip_vs_update_dest}).
     *
     * @param newWeight the weight.
     * @return the edited server, same id.
     */
    public RealServer withWeight(final int newWeight)
    {
        return new RealServer(id, family, addressHi, addressLo, port, newWeight, newWeight != 0 ? newWeight : lastWeight,
            method, upperThreshold, lowerThreshold);
    }

    /**
     * @param upper connection upper threshold, 0 for none.
     * @param lower connection lower threshold, 0 for none.
     * @return the edited server, same id.
     */
    public RealServer withThresholds(final int upper, final int lower)
    {
        return new RealServer(id, family, addressHi, addressLo, port, weight, lastWeight, method, upper, lower);
    }

    /**
     * @param newMethod forwarding method ({@link ConnectionFlags#MASQ}, {@code TUNNEL}, {@code DROUTE}).
     * @return the edited server, same id.
     */
    public RealServer withMethod(final int newMethod)
    {
        return new RealServer(id, family, addressHi, addressLo, port, weight, lastWeight, newMethod,
            upperThreshold, lowerThreshold);
    }

    /** @return the destination id: index into the destination counters, stable for the server's life. */
    public int id()
    {
        return id;
    }

    /** @return {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}. */
    public int family()
    {
        return family;
    }

    /** @return address, high 64 bits (0 for IPv4). */
    public long addressHi()
    {
        return addressHi;
    }

    /** @return address, low 64 bits (IPv4 in the low 32 bits). */
    public long addressLo()
    {
        return addressLo;
    }

    /** @return the IPv4 address as a network-order int; meaningful for IPv4 only. */
    public int addressV4()
    {
        return (int)addressLo;
    }

    /**
     * The address folded to 32 bits as IPVS's hash schedulers do ({@code ip_vs_addr_fold}): IPv4 as is, IPv6 as
     * the XOR of its four 32-bit words. Host order, so the kernel's {@code ntohl(addr_fold)}.
     *
     * @return the folded address.
     */
    public int addressFold()
    {
        return fold(family, addressHi, addressLo);
    }

    /**
     * @param family {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}.
     * @param hi     address, high 64 bits.
     * @param lo     address, low 64 bits.
     * @return the address folded to 32 bits as {@link #addressFold()} does.
     */
    public static int fold(final int family, final long hi, final long lo)
    {
        if (family == FlowKey.AF_INET)
        {
            return (int)lo;
        }
        return (int)(hi >>> 32) ^ (int)hi ^ (int)(lo >>> 32) ^ (int)lo;
    }

    /** @return port; 0 keeps the packet's port (fwmark and port-0 services). */
    public int port()
    {
        return port;
    }

    /** @return weight; 0 means quiesced: no new connections, existing ones continue. */
    public int weight()
    {
        return weight;
    }

    /** @return the last non-zero weight (the kernel's {@code last_weight}), which the mh scheduler uses. */
    public int lastWeight()
    {
        return lastWeight;
    }

    /** @return the forwarding method, one of {@link ConnectionFlags}' {@code FWD_MASK} values. */
    public int method()
    {
        return method;
    }

    /** @return connection upper threshold, 0 for none. */
    public int upperThreshold()
    {
        return upperThreshold;
    }

    /** @return connection lower threshold, 0 for none. */
    public int lowerThreshold()
    {
        return lowerThreshold;
    }

    /**
     * @param other another server.
     * @return true when both name the same address and port (the kernel's key for a destination).
     */
    public boolean sameEndpoint(final RealServer other)
    {
        return family == other.family && addressHi == other.addressHi && addressLo == other.addressLo &&
            port == other.port;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder(48);
        if (family == FlowKey.AF_INET6)
        {
            sb.append('[');
            FlowKey.appendAddress(sb, family, addressHi, addressLo).append(']');
        }
        else
        {
            FlowKey.appendAddress(sb, family, addressHi, addressLo);
        }
        return sb.append(':').append(port).append(" w=").append(weight).append(" id=").append(id).toString();
    }
}
