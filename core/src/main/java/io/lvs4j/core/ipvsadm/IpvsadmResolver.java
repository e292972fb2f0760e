package io.lvs4j.core.ipvsadm;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

import io.lvs4j.core.flow.IpProtocol;

/**
 * Name resolution as ipvsadm does it through the C library ({@code gethostbyname}, {@code gethostbyaddr},
 * {@code getservbyname}, {@code getservbyport}), injected so that nothing here ever asks DNS by itself. Every
 * method has a "not found" default, so {@link #NUMERIC} resolves nothing: literals and numeric ports only, which
 * is what {@code -n} output and tests want.
 */
public interface IpvsadmResolver
{
    /** Resolves nothing: listings print numbers, the parser accepts only literal addresses and numeric ports. */
    IpvsadmResolver NUMERIC = new IpvsadmResolver()
    {
    };

    /**
     * The name of an address ({@code gethostbyaddr}), for listings without {@code -n}.
     *
     * @param family {@link io.lvs4j.core.flow.FlowKey#AF_INET} or {@code AF_INET6}.
     * @param hi     address, high 64 bits (0 for IPv4).
     * @param lo     address, low 64 bits (IPv4 in the low 32 bits).
     * @return the host name, or null to print the address.
     */
    default String hostName(final int family, final long hi, final long lo)
    {
        return null;
    }

    /**
     * The IPv4 address of a host name ({@code gethostbyname}, first A record), for the parser.
     *
     * @param name the host name.
     * @return the address in the low 32 bits, or -1 when unknown.
     */
    default long hostAddress(final String name)
    {
        return -1;
    }

    /**
     * The name of a port ({@code getservbyport}), for listings without {@code -n}.
     *
     * @param port     the port.
     * @param protocol {@link IpProtocol#TCP}, {@code UDP} or {@code SCTP} (others never have names).
     * @return the service name, or null to print the number.
     */
    default String serviceName(final int port, final int protocol)
    {
        return null;
    }

    /**
     * The port of a service name ({@code getservbyname}), for the parser.
     *
     * @param name     the service name, e.g. {@code http}.
     * @param protocol {@link IpProtocol#TCP}, {@code UDP} or {@code SCTP}.
     * @return the port, or -1 when unknown.
     */
    default int servicePort(final String name, final int protocol)
    {
        return -1;
    }

    /**
     * A resolver that knows service names from text in {@code /etc/services} format (the caller reads the file;
     * {@code core} does not) and nothing about hosts. Lines are {@code name port/proto [aliases...]}; {@code #}
     * starts a comment. As in the C library, the first entry for a port names it, and aliases resolve too.
     *
     * @param etcServices the file's text.
     * @return the resolver.
     */
    static IpvsadmResolver services(final String etcServices)
    {
        final Map<String, Integer> ports = new HashMap<>();
        final Map<String, String> names = new HashMap<>();
        for (final String raw : etcServices.split("\n"))
        {
            final int hash = raw.indexOf('#');
            final String line = (hash >= 0 ? raw.substring(0, hash) : raw).trim();
            if (line.isEmpty())
            {
                continue;
            }
            final String[] fields = line.split("\\s+");
            if (fields.length < 2 || fields[1].indexOf('/') < 0)
            {
                continue;
            }
            final String portText = fields[1].substring(0, fields[1].indexOf('/'));
            final String proto = fields[1].substring(fields[1].indexOf('/') + 1).toLowerCase(Locale.ROOT);
            final int port;
            try
            {
                port = Integer.parseInt(portText);
            }
            catch (final NumberFormatException ex)
            {
                continue;
            }
            if (port < 0 || port > 0xFFFF)
            {
                continue;
            }
            names.putIfAbsent(port + "/" + proto, fields[0]);
            for (int i = 0; i < fields.length; i++)
            {
                if (i != 1)
                {
                    ports.putIfAbsent(fields[i] + "/" + proto, port);
                }
            }
        }
        return new IpvsadmResolver()
        {
            @Override
            public String serviceName(final int port, final int protocol)
            {
                final String proto = protoName(protocol);
                return proto == null ? null : names.get(port + "/" + proto);
            }

            @Override
            public int servicePort(final String name, final int protocol)
            {
                final String proto = protoName(protocol);
                final Integer port = proto == null ? null : ports.get(name + "/" + proto);
                return port == null ? -1 : port;
            }
        };
    }

    private static String protoName(final int protocol)
    {
        switch (protocol)
        {
            case IpProtocol.TCP: return "tcp";
            case IpProtocol.UDP: return "udp";
            case IpProtocol.SCTP: return "sctp";
            default: return null;
        }
    }
}
