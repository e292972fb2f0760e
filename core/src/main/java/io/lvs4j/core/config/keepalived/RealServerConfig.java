package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A {@code real_server <IP> [<PORT>] { }} block. Weight, method and inhibit are resolved (the virtual server's
 * values where the block does not say); the timing values are kept as written because they only serve as
 * defaults for the checkers, which hold the resolved ones.
 *
 * @param address          the real server's address.
 * @param port             its port, 0 when not written (fwmark and port-0 services keep the packet's port).
 * @param weight           {@code weight}, the virtual server's {@code weight} or 1 by default.
 * @param method           {@code lvs_method}, the virtual server's by default.
 * @param upperThreshold   {@code uthreshold}, 0 for none.
 * @param lowerThreshold   {@code lthreshold}, 0 for none.
 * @param inhibitOnFailure {@code inhibit_on_failure}: weight 0 instead of removal on failure.
 * @param notifyUp         {@code notify_up}, null for none.
 * @param notifyDown       {@code notify_down}, null for none.
 * @param alpha            {@code alpha} as written, null to follow the virtual server.
 * @param virtualhost      {@code virtualhost} as written, null to follow the virtual server.
 * @param connectTimeout   {@code connect_timeout} as written, null when not.
 * @param retry            {@code retry} as written, null when not.
 * @param delayBeforeRetry {@code delay_before_retry} as written, null when not.
 * @param warmup           {@code warmup} as written, null when not.
 * @param delayLoop        {@code delay_loop} as written, null when not.
 * @param checkers         the health checkers; none means always alive.
 */
public record RealServerConfig(
    InetAddress address,
    int port,
    int weight,
    LvsMethod method,
    int upperThreshold,
    int lowerThreshold,
    boolean inhibitOnFailure,
    NotifyScript notifyUp,
    NotifyScript notifyDown,
    Boolean alpha,
    String virtualhost,
    Duration connectTimeout,
    Integer retry,
    Duration delayBeforeRetry,
    Duration warmup,
    Duration delayLoop,
    List<Checker> checkers)
{
    /** The weight of a real server when nothing says otherwise. */
    public static final int DEFAULT_WEIGHT = 1;
    /** The largest weight keepalived accepts. */
    public static final int MAX_WEIGHT = 65535;

    /**
     * Checks the fields.
     *
     * @param address          address.
     * @param port             port.
     * @param weight           weight.
     * @param method           method.
     * @param upperThreshold   upper threshold.
     * @param lowerThreshold   lower threshold.
     * @param inhibitOnFailure inhibit.
     * @param notifyUp         up script.
     * @param notifyDown       down script.
     * @param alpha            alpha.
     * @param virtualhost      virtual host.
     * @param connectTimeout   connect timeout.
     * @param retry            retry.
     * @param delayBeforeRetry retry delay.
     * @param warmup           warmup.
     * @param delayLoop        delay loop.
     * @param checkers         checkers.
     */
    public RealServerConfig
    {
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(method, "method");
        checkers = List.copyOf(checkers);
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("port " + port);
        }
        if (weight < 0 || weight > MAX_WEIGHT)
        {
            throw new IllegalArgumentException("weight " + weight);
        }
    }

    /** @return {@code address:port}, IPv6 in brackets. */
    public String endpoint()
    {
        final String a = Addresses.text(address);
        return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ':' + port;
    }
}
