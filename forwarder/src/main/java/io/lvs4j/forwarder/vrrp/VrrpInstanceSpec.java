package io.lvs4j.forwarder.vrrp;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import io.lvs4j.core.config.keepalived.VirtualIpAddress;
import io.lvs4j.core.config.keepalived.VrrpAuthentication;
import io.lvs4j.core.config.keepalived.VrrpInstance;

/**
 * What the engine needs of one {@code vrrp_instance}, resolved against the director's interfaces: the fields that
 * go into adverts and the receive checks, in wire form (IPv4 addresses as ints, the password as 8 bytes).
 *
 * @param name             the instance's name.
 * @param iface            the director interface index it runs on.
 * @param vrid             virtual router id.
 * @param version          2 or 3.
 * @param priority         configured priority.
 * @param advertIntervalCs the advert interval in centiseconds (v2: a whole number of seconds).
 * @param nopreempt        {@code nopreempt}.
 * @param preemptDelayMs   {@code preempt_delay}.
 * @param authType         {@link VrrpPacket#AUTH_NONE} or {@link VrrpPacket#AUTH_PASS} (v2 only).
 * @param authData         8 bytes: the PASS password zero padded, or zeros.
 * @param addresses        the IPv4 {@code virtual_ipaddress} list (what adverts carry).
 * @param sourceAddress    the adverts' source: {@code unicast_src_ip}, else the interface's first address.
 * @param unicastPeers     {@code unicast_peer} addresses; empty for multicast.
 * @param skipCheckAdvAddr {@code vrrp_skip_check_adv_addr}: do not compare address lists.
 */
public record VrrpInstanceSpec(
    String name, int iface, int vrid, int version, int priority, int advertIntervalCs, boolean nopreempt,
    long preemptDelayMs, int authType, byte[] authData, int[] addresses, int sourceAddress, int[] unicastPeers,
    boolean skipCheckAdvAddr)
{
    /**
     * Checks the fields.
     *
     * @param name             name.
     * @param iface            interface index.
     * @param vrid             VRID.
     * @param version          version.
     * @param priority         priority.
     * @param advertIntervalCs interval.
     * @param nopreempt        nopreempt.
     * @param preemptDelayMs   preempt delay.
     * @param authType         auth type.
     * @param authData         auth data.
     * @param addresses        addresses.
     * @param sourceAddress    source.
     * @param unicastPeers     peers.
     * @param skipCheckAdvAddr skip address checks.
     */
    public VrrpInstanceSpec
    {
        Objects.requireNonNull(name, "name");
        if (version != 2 && version != 3)
        {
            throw new IllegalArgumentException(name + ": VRRP version " + version);
        }
        if (version == 2 && advertIntervalCs % 100 != 0)
        {
            throw new IllegalArgumentException(name + ": VRRPv2 advert_int must be whole seconds");
        }
        if (advertIntervalCs <= 0 || advertIntervalCs > (version == 2 ? 25500 : 4095))
        {
            throw new IllegalArgumentException(name + ": advert_int " + advertIntervalCs + " cs");
        }
        if (authType != VrrpPacket.AUTH_NONE && authType != VrrpPacket.AUTH_PASS)
        {
            throw new IllegalArgumentException(name + ": auth_type AH is not supported");
        }
        authData = Arrays.copyOf(authData == null ? new byte[0] : authData, VrrpPacket.AUTH_DATA_LENGTH);
        addresses = addresses.clone();
        unicastPeers = unicastPeers.clone();
    }

    /**
     * Maps a parsed {@code vrrp_instance}.
     *
     * @param instance         the instance.
     * @param iface            the director interface index it runs on.
     * @param interfaceAddress the interface's first IPv4 address (the source unless {@code unicast_src_ip}).
     * @param skipCheckAdvAddr {@code vrrp_skip_check_adv_addr}.
     * @return the spec.
     */
    public static VrrpInstanceSpec of(
        final VrrpInstance instance, final int iface, final int interfaceAddress, final boolean skipCheckAdvAddr)
    {
        final VrrpAuthentication auth = instance.authentication();
        int authType = VrrpPacket.AUTH_NONE;
        byte[] authData = null;
        if (auth != null && instance.version() == 2)
        {
            if (auth.type() != VrrpAuthentication.Type.PASS)
            {
                throw new IllegalArgumentException(instance.name() + ": auth_type " + auth.type() + " is not supported");
            }
            authType = VrrpPacket.AUTH_PASS;
            // keepalived keeps the first 8 characters and pads with zeros
            authData = auth.password().getBytes(StandardCharsets.US_ASCII);
        }
        final long ms = instance.advertInt().toMillis();
        // keepalived's vrrp_complete_instance: a v2 interval is whole seconds, rounded, at least 1 s (the parser
        // already warned that the fraction is dropped)
        final int cs = instance.version() == 2 ? (int)Math.max(1, Math.round(ms / 1000.0)) * 100 : (int)(ms / 10);
        final int source = instance.unicastSrcIp() != null ? ipv4(instance.unicastSrcIp()) : interfaceAddress;
        return new VrrpInstanceSpec(instance.name(), iface, instance.virtualRouterId(), instance.version(),
            instance.priority(), cs, instance.nopreempt(), instance.preemptDelay().toMillis(), authType, authData,
            ipv4s(instance.virtualIpAddresses()), source,
            instance.unicastPeers().stream().mapToInt(VrrpInstanceSpec::ipv4).toArray(), skipCheckAdvAddr);
    }

    private static int[] ipv4s(final List<VirtualIpAddress> addresses)
    {
        return addresses.stream().map(VirtualIpAddress::address).filter(a -> a instanceof Inet4Address)
            .mapToInt(VrrpInstanceSpec::ipv4).toArray();
    }

    private static int ipv4(final InetAddress address)
    {
        if (!(address instanceof Inet4Address))
        {
            throw new IllegalArgumentException("not IPv4: " + address.getHostAddress());
        }
        final byte[] b = address.getAddress();
        return (b[0] & 0xFF) << 24 | (b[1] & 0xFF) << 16 | (b[2] & 0xFF) << 8 | (b[3] & 0xFF);
    }

    /** @return whether adverts go unicast to peers. */
    public boolean unicast()
    {
        return unicastPeers.length > 0;
    }

    /** @return the advert interval in nanoseconds. */
    public long advertIntervalNs()
    {
        return advertIntervalCs * 10_000_000L;
    }
}
