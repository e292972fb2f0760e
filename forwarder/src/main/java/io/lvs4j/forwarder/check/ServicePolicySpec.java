package io.lvs4j.forwarder.check;

import java.net.InetAddress;

/**
 * A virtual service's health policy, keepalived's names and defaults (sections 10.4 and 10.5 of the reference).
 *
 * @param quorum               {@code quorum}: the sum of up weights the service needs (default 1).
 * @param hysteresis           {@code hysteresis}: quorum is gained at {@code quorum + hysteresis} and lost below
 *                             {@code quorum - hysteresis} (default 0).
 * @param inhibitOnFailure     {@code inhibit_on_failure}: a failed real server stays with weight 0 instead of being
 *                             removed.
 * @param sorryServer          {@code sorry_server} address, or {@code null} for none.
 * @param sorryServerPort      its port.
 * @param sorryServerWeight    the weight the sorry server is added with (keepalived uses 1).
 * @param sorryServerInhibit   {@code sorry_server_inhibit}: on quorum gain the sorry server stays with weight 0.
 * @param omega                {@code omega}: on shutdown, notify down every up real server and the quorum loss.
 */
public record ServicePolicySpec(
    long quorum,
    long hysteresis,
    boolean inhibitOnFailure,
    InetAddress sorryServer,
    int sorryServerPort,
    int sorryServerWeight,
    boolean sorryServerInhibit,
    boolean omega)
{
    /** keepalived's defaults: quorum 1, hysteresis 0, remove on failure, no sorry server. */
    public static final ServicePolicySpec DEFAULTS = new ServicePolicySpec(1, 0, false, null, 0, 1, false, false);

    /**
     * Validates the values.
     */
    public ServicePolicySpec
    {
        if (quorum < 1 || hysteresis < 0)
        {
            throw new IllegalArgumentException("quorum must be >= 1 and hysteresis >= 0: " + quorum + "/" + hysteresis);
        }
        if (sorryServerPort < 0 || sorryServerPort > 65535 || sorryServerWeight < 0)
        {
            throw new IllegalArgumentException("bad sorry server port or weight");
        }
    }

    /**
     * @param quorum     {@code quorum}.
     * @param hysteresis {@code hysteresis}.
     * @return this policy with them set.
     */
    public ServicePolicySpec withQuorum(final long quorum, final long hysteresis)
    {
        return new ServicePolicySpec(quorum, hysteresis, inhibitOnFailure, sorryServer, sorryServerPort,
            sorryServerWeight, sorryServerInhibit, omega);
    }

    /**
     * @param inhibit {@code inhibit_on_failure}.
     * @return this policy with it set.
     */
    public ServicePolicySpec withInhibitOnFailure(final boolean inhibit)
    {
        return new ServicePolicySpec(quorum, hysteresis, inhibit, sorryServer, sorryServerPort, sorryServerWeight,
            sorryServerInhibit, omega);
    }

    /**
     * @param address {@code sorry_server} address, {@code null} for none.
     * @param port    its port.
     * @param inhibit {@code sorry_server_inhibit}.
     * @return this policy with it set.
     */
    public ServicePolicySpec withSorryServer(final InetAddress address, final int port, final boolean inhibit)
    {
        return new ServicePolicySpec(quorum, hysteresis, inhibitOnFailure, address, port, sorryServerWeight, inhibit,
            omega);
    }

    /**
     * @param notifyOnShutdown {@code omega}.
     * @return this policy with it set.
     */
    public ServicePolicySpec withOmega(final boolean notifyOnShutdown)
    {
        return new ServicePolicySpec(quorum, hysteresis, inhibitOnFailure, sorryServer, sorryServerPort,
            sorryServerWeight, sorryServerInhibit, notifyOnShutdown);
    }
}
