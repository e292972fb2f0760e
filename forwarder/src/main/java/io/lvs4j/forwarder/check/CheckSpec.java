package io.lvs4j.forwarder.check;

/**
 * One checker of a real server, as configured: what to probe and its {@link CheckOptions}. The records are
 * immutable and independent of any configuration syntax; the keepalived.conf model is mapped onto them.
 */
public sealed interface CheckSpec
    permits TcpCheckSpec, UdpCheckSpec, HttpCheckSpec, DnsCheckSpec, SmtpCheckSpec, MiscCheckSpec, FileCheckSpec,
    PingCheckSpec
{
    /**
     * @return the timing and counting of this checker.
     */
    CheckOptions options();

    /**
     * @return keepalived's keyword for this checker, e.g. {@code TCP_CHECK}, for logs and the stats page.
     */
    String type();
}
