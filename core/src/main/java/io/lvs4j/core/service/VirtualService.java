package io.lvs4j.core.service;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.Objects;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;

/**
 * A virtual service as ipvsadm's {@code -A} defines it: protocol, virtual address and port (or a firewall mark),
 * the scheduler's name, flags, persistence timeout and netmask. An immutable value: editing a service
 * ({@code -E}) makes a new one with the same {@link #sameKey key}.
 * <p>
 * Port 0 is the catch-all of its address ({@code ip_vs_service_find} step 4), valid only with persistence, as
 * ipvsadm insists.
 */
public final class VirtualService
{
    /** {@code ipvsadm -p} without a value: 360 s ({@code IPVS_SVC_PERSISTENT_TIMEOUT}). */
    public static final int DEFAULT_PERSISTENCE_TIMEOUT_S = 360;
    /** The longest persistence ipvsadm accepts: 31 days. */
    public static final int MAX_PERSISTENCE_TIMEOUT_S = 2_678_400;

    private final int family;
    private final int protocol;
    private final long addressHi;
    private final long addressLo;
    private final int port;
    private final int fwmark;
    private final String scheduler;
    private final int flags;
    private final int persistenceTimeoutS;
    private final int netmask;

    /**
     * A service; prefer the factories and {@code with*} methods.
     *
     * @param family              {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}.
     * @param protocol            {@link IpProtocol#TCP}, {@link IpProtocol#UDP} or {@link IpProtocol#SCTP}; for a
     *                            fwmark service {@link IpProtocol#IP}.
     * @param addressHi           high 64 bits of an IPv6 address; 0 for IPv4.
     * @param addressLo           IPv4 address in the low 32 bits, or the low 64 bits of an IPv6 address.
     * @param port                the virtual port, 0 for a catch-all (or fwmark) service.
     * @param fwmark              the firewall mark of a fwmark service, else 0.
     * @param scheduler           the scheduler's ipvsadm name ({@code rr}, {@code wlc}, ...).
     * @param flags               {@link ServiceFlags} bits; {@link ServiceFlags#PERSISTENT} follows the timeout.
     * @param persistenceTimeoutS persistence in seconds, 0 for none.
     * @param netmask             IPv4 persistence netmask (e.g. 0xFFFFFFFF), or the IPv6 prefix length.
     */
    public VirtualService(
        final int family,
        final int protocol,
        final long addressHi,
        final long addressLo,
        final int port,
        final int fwmark,
        final String scheduler,
        final int flags,
        final int persistenceTimeoutS,
        final int netmask)
    {
        if (family != FlowKey.AF_INET && family != FlowKey.AF_INET6)
        {
            throw new IllegalArgumentException("family " + family);
        }
        if (fwmark == 0 && protocol != IpProtocol.TCP && protocol != IpProtocol.UDP && protocol != IpProtocol.SCTP)
        {
            throw new IllegalArgumentException("protocol " + protocol + ": a service is TCP, UDP or SCTP");
        }
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("port " + port);
        }
        if (persistenceTimeoutS < 0 || persistenceTimeoutS > MAX_PERSISTENCE_TIMEOUT_S)
        {
            throw new IllegalArgumentException("persistence timeout " + persistenceTimeoutS + " s");
        }
        if (port == 0 && fwmark == 0 && persistenceTimeoutS == 0)
        {
            throw new IllegalArgumentException("port zero is only supported in persistent services");
        }
        if (family == FlowKey.AF_INET6 && (netmask < 1 || netmask > 128))
        {
            throw new IllegalArgumentException("IPv6 persistence prefix length " + netmask);
        }
        this.family = family;
        this.protocol = fwmark != 0 ? IpProtocol.IP : protocol;
        this.addressHi = family == FlowKey.AF_INET ? 0 : addressHi;
        this.addressLo = family == FlowKey.AF_INET ? addressLo & 0xFFFF_FFFFL : addressLo;
        this.port = fwmark != 0 ? 0 : port;
        this.fwmark = fwmark;
        this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
        this.flags = persistenceTimeoutS > 0 ? flags | ServiceFlags.PERSISTENT : flags & ~ServiceFlags.PERSISTENT;
        this.persistenceTimeoutS = persistenceTimeoutS;
        this.netmask = netmask;
    }

    /**
     * A TCP service with the {@code wlc} scheduler, ipvsadm's default.
     *
     * @param address the virtual address, IPv4 or IPv6 text.
     * @param port    the virtual port.
     * @return the service.
     */
    public static VirtualService tcp(final String address, final int port)
    {
        return of(IpProtocol.TCP, address, port);
    }

    /**
     * A UDP service with the {@code wlc} scheduler.
     *
     * @param address the virtual address, IPv4 or IPv6 text.
     * @param port    the virtual port.
     * @return the service.
     */
    public static VirtualService udp(final String address, final int port)
    {
        return of(IpProtocol.UDP, address, port);
    }

    /**
     * A service with the {@code wlc} scheduler and no persistence.
     *
     * @param protocol the protocol.
     * @param address  the virtual address, IPv4 or IPv6 literal.
     * @param port     the virtual port.
     * @return the service.
     */
    public static VirtualService of(final int protocol, final String address, final int port)
    {
        final InetAddress parsed = parseLiteral(address);
        if (parsed instanceof Inet4Address)
        {
            return new VirtualService(FlowKey.AF_INET, protocol, 0, ByteBuffer.wrap(parsed.getAddress()).getInt(), port,
                0, "wlc", 0, 0, 0xFFFF_FFFF);
        }
        final ByteBuffer bytes = ByteBuffer.wrap(parsed.getAddress());
        return new VirtualService(FlowKey.AF_INET6, protocol, bytes.getLong(), bytes.getLong(), port, 0, "wlc", 0, 0,
            128);
    }

    /**
     * Parses an IP literal without ever asking DNS.
     *
     * @param text an IPv4 dotted quad or an IPv6 literal (brackets allowed).
     * @return the address.
     * @throws IllegalArgumentException when the text is not a literal.
     */
    public static InetAddress parseLiteral(final String text)
    {
        final String literal = text.startsWith("[") && text.endsWith("]") ? text.substring(1, text.length() - 1) : text;
        final boolean v4 = literal.matches("\\d{1,3}(\\.\\d{1,3}){3}");
        if (!v4 && (literal.indexOf(':') < 0 || !literal.matches("[0-9A-Fa-f:.]+")))
        {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        try
        {
            // a literal never reaches DNS: getByName only parses it
            final InetAddress address = InetAddress.getByName(literal);
            if (v4 && !(address instanceof Inet4Address))
            {
                throw new IllegalArgumentException("not an IP address: " + text);
            }
            return address;
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalArgumentException("not an IP address: " + text, ex);
        }
    }

    /**
     * This service with another scheduler.
     *
     * @param name the scheduler's ipvsadm name.
     * @return the new value.
     */
    public VirtualService withScheduler(final String name)
    {
        return new VirtualService(family, protocol, addressHi, addressLo, port, fwmark, name, flags,
            persistenceTimeoutS, netmask);
    }

    /**
     * This service with persistence ({@code -p}); 0 turns it off.
     *
     * @param timeoutS the persistence timeout in seconds.
     * @return the new value.
     */
    public VirtualService withPersistence(final int timeoutS)
    {
        return new VirtualService(family, protocol, addressHi, addressLo, port, fwmark, scheduler, flags, timeoutS,
            netmask);
    }

    /**
     * This service with another persistence netmask ({@code -M}).
     *
     * @param mask the IPv4 mask, or the IPv6 prefix length.
     * @return the new value.
     */
    public VirtualService withNetmask(final int mask)
    {
        return new VirtualService(family, protocol, addressHi, addressLo, port, fwmark, scheduler, flags,
            persistenceTimeoutS, mask);
    }

    /**
     * This service with other flags ({@code -o}, scheduler flags {@code -b}).
     *
     * @param newFlags the {@link ServiceFlags} bits.
     * @return the new value.
     */
    public VirtualService withFlags(final int newFlags)
    {
        return new VirtualService(family, protocol, addressHi, addressLo, port, fwmark, scheduler, newFlags,
            persistenceTimeoutS, netmask);
    }

    /**
     * Whether two values name the same service (what {@code -E} and {@code -D} match on): family, protocol,
     * address and port, or the fwmark.
     *
     * @param other another service.
     * @return true when they are the same service.
     */
    public boolean sameKey(final VirtualService other)
    {
        return family == other.family && protocol == other.protocol && addressHi == other.addressHi &&
            addressLo == other.addressLo && port == other.port && fwmark == other.fwmark;
    }

    /** @return {@link FlowKey#AF_INET} or {@link FlowKey#AF_INET6}. */
    public int family()
    {
        return family;
    }

    /** @return the protocol ({@link IpProtocol#IP} for fwmark services). */
    public int protocol()
    {
        return protocol;
    }

    /** @return the high 64 bits of an IPv6 address; 0 for IPv4. */
    public long addressHi()
    {
        return addressHi;
    }

    /** @return the IPv4 address in the low 32 bits, or the low 64 bits of an IPv6 address. */
    public long addressLo()
    {
        return addressLo;
    }

    /** @return the IPv4 address as an int. */
    public int addressV4()
    {
        return (int)addressLo;
    }

    /** @return the virtual port; 0 for a catch-all or fwmark service. */
    public int port()
    {
        return port;
    }

    /** @return the firewall mark, 0 unless a fwmark service. */
    public int fwmark()
    {
        return fwmark;
    }

    /** @return the scheduler's ipvsadm name. */
    public String scheduler()
    {
        return scheduler;
    }

    /** @return the {@link ServiceFlags} bits. */
    public int flags()
    {
        return flags;
    }

    /** @return true when persistent. */
    public boolean isPersistent()
    {
        return persistenceTimeoutS > 0;
    }

    /** @return the persistence timeout in seconds, 0 for none. */
    public int persistenceTimeoutS()
    {
        return persistenceTimeoutS;
    }

    /** @return the IPv4 persistence netmask, or the IPv6 prefix length. */
    public int netmask()
    {
        return netmask;
    }

    /** @return ipvsadm's way of naming the service: {@code TCP 203.0.113.10:80} or {@code FWM 1}. */
    @Override
    public String toString()
    {
        if (fwmark != 0)
        {
            return "FWM  " + fwmark;
        }
        final StringBuilder sb = new StringBuilder(IpProtocol.name(protocol)).append(' ');
        if (family == FlowKey.AF_INET6)
        {
            sb.append('[');
        }
        FlowKey.appendAddress(sb, family, addressHi, addressLo);
        if (family == FlowKey.AF_INET6)
        {
            sb.append(']');
        }
        return sb.append(':').append(port).toString();
    }
}
