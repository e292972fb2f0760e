package io.lvs4j.forwarder.check;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * {@code DNS_CHECK} over UDP: sends one query and passes when a reply with the same id, QR set and RCODE 0
 * (NOERROR) arrives within {@code connect_timeout}, as keepalived's {@code check_dns}.
 *
 * @param options  timing and counting ({@link #defaultOptions()} has keepalived's DNS defaults).
 * @param endpoint where to send (default the real server's address and port).
 * @param queryType {@code type}: one of {@code A NS CNAME SOA MX TXT AAAA} (default SOA).
 * @param name     {@code name}: the name to query (default the root, {@code "."}).
 */
public record DnsCheckSpec(CheckOptions options, Endpoint endpoint, String queryType, String name) implements CheckSpec
{
    /**
     * Validates the components.
     */
    public DnsCheckSpec
    {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(endpoint, "endpoint");
        queryType = queryType == null ? "SOA" : queryType.toUpperCase(Locale.ROOT);
        typeCode(queryType);
        name = name == null || name.isEmpty() ? "." : name;
        for (final String label : name.split("\\."))
        {
            if (label.length() > 63)
            {
                throw new IllegalArgumentException("DNS label longer than 63: " + label);
            }
        }
    }

    /**
     * @return keepalived's DNS_CHECK defaults: {@code retry} 3 and {@code delay_before_retry} = {@code delay_loop}.
     */
    public static CheckOptions defaultOptions()
    {
        return CheckOptions.DEFAULTS.withRetry(3).withDelayBeforeRetry(null);
    }

    /**
     * @param delayLoop the virtual server's {@code delay_loop}.
     * @return keepalived's DNS_CHECK defaults with that {@code delay_loop}.
     */
    public static CheckOptions defaultOptions(final Duration delayLoop)
    {
        return defaultOptions().withDelayLoop(delayLoop);
    }

    /**
     * @param type a query type name.
     * @return its code on the wire.
     */
    public static int typeCode(final String type)
    {
        return switch (type)
        {
            case "A" -> 1;
            case "NS" -> 2;
            case "CNAME" -> 5;
            case "SOA" -> 6;
            case "MX" -> 15;
            case "TXT" -> 16;
            case "AAAA" -> 28;
            default -> throw new IllegalArgumentException("DNS_CHECK type must be A NS CNAME SOA MX TXT AAAA: " + type);
        };
    }

    /** {@inheritDoc} */
    public String type()
    {
        return "DNS_CHECK";
    }
}
