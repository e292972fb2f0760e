package io.lvs4j.core.config.keepalived;

/**
 * A health checker of a real server: the blocks keepalived's checker modules install
 * ({@code TCP_CHECK}, {@code UDP_CHECK}, {@code HTTP_GET}, {@code SSL_GET}, {@code DNS_CHECK}, {@code SMTP_CHECK},
 * {@code MISC_CHECK}, {@code FILE_CHECK}, {@code PING_CHECK}). Values are resolved: what the checker block does
 * not say comes from its real server, then its virtual server, then the checker type's default.
 */
public sealed interface Checker permits TcpCheck, UdpCheck, HttpCheck, DnsCheck, SmtpCheck, MiscCheck, FileCheck,
    PingCheck
{
    /** @return the block's keyword, e.g. {@code TCP_CHECK}. */
    String keyword();
}
