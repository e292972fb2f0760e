package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.util.Objects;

/**
 * One line of {@code virtual_ipaddress} (also {@code virtual_ipaddress_excluded}, {@code static_ipaddress}):
 * {@code <IP>[/<LEN>] [brd <IP>] [dev <IF>] [scope <S>] [label <L>] [no_track]}.
 *
 * @param address      the address.
 * @param prefixLength the prefix length, 32 (IPv4) or 128 (IPv6) when not written.
 * @param broadcast    {@code brd}, null for none.
 * @param device       {@code dev}, null for the instance's interface.
 * @param scope        {@code scope}, null for the default (global).
 * @param label        {@code label}, null for none.
 * @param noTrack      {@code no_track}: the instance ignores this address's interface state.
 */
public record VirtualIpAddress(
    InetAddress address, int prefixLength, InetAddress broadcast, String device, String scope, String label,
    boolean noTrack)
{
    /**
     * Checks the fields.
     *
     * @param address      address.
     * @param prefixLength prefix.
     * @param broadcast    broadcast or null.
     * @param device       device or null.
     * @param scope        scope or null.
     * @param label        label or null.
     * @param noTrack      no_track.
     */
    public VirtualIpAddress
    {
        Objects.requireNonNull(address, "address");
        final int max = address.getAddress().length * 8;
        if (prefixLength < 0 || prefixLength > max)
        {
            throw new IllegalArgumentException("prefix length " + prefixLength);
        }
    }

    /**
     * @param address an address.
     * @return it as a host address on the instance's interface.
     */
    public static VirtualIpAddress of(final InetAddress address)
    {
        return new VirtualIpAddress(address, address.getAddress().length * 8, null, null, null, null, false);
    }
}
