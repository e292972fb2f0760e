package io.lvs4j.core.ipvsadm;

import java.util.Objects;

import io.lvs4j.core.flow.IpProtocol;

/**
 * One row of the connection table as {@code /proc/net/ip_vs_conn} gives it to {@code ipvsadm -Lc}: the director
 * fills these from its connection table and templates.
 * <p>
 * For a persistence template the client port is 0 and the state {@code NONE} or {@code ASSURED}; for a fwmark
 * template the protocol is {@link IpProtocol#IP} and the virtual address is the mark written as an IPv4 address
 * ({@code 0.0.0.7} for mark 7), as the kernel prints it.
 *
 * @param protocol       {@link IpProtocol#TCP}, {@code UDP}, {@code SCTP}, or {@code IP} for fwmark templates.
 * @param client         the client's address and port.
 * @param virtual        the virtual address and port.
 * @param destination    the real server's address and port.
 * @param state          the state name as the kernel prints it ({@code ESTABLISHED}, {@code UDP}, {@code NONE}...).
 * @param expiresSeconds seconds until the entry expires.
 * @param peName         the persistence engine's name ({@code sip}), or null.
 * @param peData         the persistence engine's data (the SIP Call-ID), or null.
 */
public record ConnectionEntry(
    int protocol,
    Endpoint client,
    Endpoint virtual,
    Endpoint destination,
    String state,
    long expiresSeconds,
    String peName,
    String peData)
{
    /**
     * Checks the row.
     *
     * @param protocol       the protocol.
     * @param client         the client side.
     * @param virtual        the virtual side.
     * @param destination    the real server side.
     * @param state          the state name.
     * @param expiresSeconds seconds to expiry, not negative.
     * @param peName         persistence engine, or null.
     * @param peData         persistence engine data, or null.
     */
    public ConnectionEntry
    {
        Objects.requireNonNull(client, "client");
        Objects.requireNonNull(virtual, "virtual");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(state, "state");
        if (expiresSeconds < 0)
        {
            throw new IllegalArgumentException("expires " + expiresSeconds);
        }
    }

    /**
     * A row without persistence-engine data.
     *
     * @param protocol       the protocol.
     * @param client         the client side.
     * @param virtual        the virtual side.
     * @param destination    the real server side.
     * @param state          the state name.
     * @param expiresSeconds seconds to expiry.
     */
    public ConnectionEntry(
        final int protocol,
        final Endpoint client,
        final Endpoint virtual,
        final Endpoint destination,
        final String state,
        final long expiresSeconds)
    {
        this(protocol, client, virtual, destination, state, expiresSeconds, null, null);
    }
}
