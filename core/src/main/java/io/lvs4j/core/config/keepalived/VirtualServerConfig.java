package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import io.lvs4j.core.flow.IpProtocol;

/**
 * A {@code virtual_server <IP> [<PORT>] | fwmark <INT> | group <NAME> { }} block (§10.3): how the service is
 * scheduled and forwarded, its quorum and sorry server, the checker defaults it hands down, and its real servers.
 *
 * @param address                the virtual address; null for fwmark and group services.
 * @param port                   the virtual port, 0 when not written.
 * @param fwmark                 the mark of a fwmark service, else 0.
 * @param group                  the {@code virtual_server_group} name of a group service, else null.
 * @param scheduler              {@code lb_algo}/{@code lvs_sched}, {@code wlc} by default.
 * @param flags                  {@link io.lvs4j.core.service.ServiceFlags} bits: {@code ops} (ONEPACKET), the
 *                               scheduler flags ({@code sh-port}, {@code mh-fallback}, {@code flag-N}) and
 *                               {@code hashed}.
 * @param method                 {@code lb_kind}/{@code lvs_method}, NAT by default.
 * @param persistenceTimeoutS    {@code persistence_timeout} in seconds, 0 for none (360 when written bare).
 * @param persistenceGranularity {@code persistence_granularity}: an IPv4 netmask as an int, or an IPv6 prefix
 *                               length; null for the full address.
 * @param persistenceEngine      {@code persistence_engine}, null for none.
 * @param protocol               {@code protocol}: {@link IpProtocol#TCP} (default), UDP or SCTP.
 * @param ipFamily               {@code ip_family} of a fwmark/group service, 0 when not written.
 * @param haSuspend              {@code ha_suspend}.
 * @param virtualhost            {@code virtualhost}, the HTTP checkers' default Host, null for none.
 * @param alpha                  {@code alpha}: real servers start down.
 * @param omega                  {@code omega}: run the down scripts at shutdown.
 * @param quorum                 {@code quorum}, 1 by default.
 * @param hysteresis             {@code hysteresis}, 0 by default.
 * @param quorumUp               {@code quorum_up}, null for none.
 * @param quorumDown             {@code quorum_down}, null for none.
 * @param weight                 {@code weight}: the real servers' default weight, 1 by default.
 * @param sorryServer            {@code sorry_server} with its options, null for none.
 * @param inhibitOnFailure       {@code inhibit_on_failure}: the real servers' default.
 * @param delayLoop              {@code delay_loop}, 60 s by default.
 * @param connectTimeout         {@code connect_timeout} as written (checker default), null when not.
 * @param retry                  {@code retry} as written (checker default), null when not.
 * @param delayBeforeRetry       {@code delay_before_retry} as written (checker default), null when not.
 * @param warmup                 {@code warmup} as written (checker default), null when not.
 * @param smtpAlert              {@code smtp_alert}, null when not written.
 * @param realServers            the real servers, in order.
 */
public record VirtualServerConfig(
    InetAddress address,
    int port,
    int fwmark,
    String group,
    String scheduler,
    int flags,
    LvsMethod method,
    int persistenceTimeoutS,
    Integer persistenceGranularity,
    String persistenceEngine,
    int protocol,
    int ipFamily,
    boolean haSuspend,
    String virtualhost,
    boolean alpha,
    boolean omega,
    int quorum,
    int hysteresis,
    NotifyScript quorumUp,
    NotifyScript quorumDown,
    int weight,
    SorryServer sorryServer,
    boolean inhibitOnFailure,
    Duration delayLoop,
    Duration connectTimeout,
    Integer retry,
    Duration delayBeforeRetry,
    Duration warmup,
    Boolean smtpAlert,
    List<RealServerConfig> realServers)
{
    /** {@code lb_algo}'s default. */
    public static final String DEFAULT_SCHEDULER = "wlc";
    /** {@code delay_loop}'s default. */
    public static final Duration DEFAULT_DELAY_LOOP = Duration.ofSeconds(60);
    /** {@code persistence_timeout} written without a value. */
    public static final int DEFAULT_PERSISTENCE_TIMEOUT_S = 360;

    /** How the service is named. */
    public enum Kind
    {
        /** {@code virtual_server <IP> <PORT>}. */
        ADDRESS,
        /** {@code virtual_server fwmark <INT>}. */
        FWMARK,
        /** {@code virtual_server group <NAME>}. */
        GROUP
    }

    /**
     * Checks the fields.
     *
     * @param address                address.
     * @param port                   port.
     * @param fwmark                 mark.
     * @param group                  group.
     * @param scheduler              scheduler.
     * @param flags                  flags.
     * @param method                 method.
     * @param persistenceTimeoutS    persistence.
     * @param persistenceGranularity granularity.
     * @param persistenceEngine      engine.
     * @param protocol               protocol.
     * @param ipFamily               family.
     * @param haSuspend              ha_suspend.
     * @param virtualhost            virtual host.
     * @param alpha                  alpha.
     * @param omega                  omega.
     * @param quorum                 quorum.
     * @param hysteresis             hysteresis.
     * @param quorumUp               up script.
     * @param quorumDown             down script.
     * @param weight                 default weight.
     * @param sorryServer            sorry server.
     * @param inhibitOnFailure       inhibit.
     * @param delayLoop              delay loop.
     * @param connectTimeout         connect timeout.
     * @param retry                  retry.
     * @param delayBeforeRetry       retry delay.
     * @param warmup                 warmup.
     * @param smtpAlert              SMTP alert.
     * @param realServers            real servers.
     */
    public VirtualServerConfig
    {
        final int kinds = (address != null ? 1 : 0) + (fwmark != 0 ? 1 : 0) + (group != null ? 1 : 0);
        if (kinds != 1)
        {
            throw new IllegalArgumentException("a virtual server is an address, a fwmark or a group");
        }
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(delayLoop, "delayLoop");
        realServers = List.copyOf(realServers);
        if (port < 0 || port > 0xFFFF)
        {
            throw new IllegalArgumentException("port " + port);
        }
    }

    /** @return how the service is named. */
    public Kind kind()
    {
        return address != null ? Kind.ADDRESS : fwmark != 0 ? Kind.FWMARK : Kind.GROUP;
    }

    /** @return keepalived's way of naming it: {@code 192.0.2.1 80}, {@code fwmark 1} or {@code group G}. */
    public String key()
    {
        return switch (kind())
        {
            case ADDRESS -> Addresses.text(address) + ' ' + port;
            case FWMARK -> "fwmark " + fwmark;
            case GROUP -> "group " + group;
        };
    }
}
