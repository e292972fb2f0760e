package io.lvs4j.forwarder.check;

/**
 * UDP_CHECK: with {@code require_reply} a matching reply must come in time; without, silence until
 * {@code connect_timeout} passes and only an ICMP error fails.
 */
final class UdpProbe extends DatagramProbe
{
    private final UdpCheckSpec spec;

    UdpProbe(final HealthChecker host, final Checker checker, final UdpCheckSpec spec, final RealServerRef rs)
    {
        super(host, checker, spec.endpoint().target(rs), spec.endpoint().bindTo());
        this.spec = spec;
    }

    byte[] request()
    {
        return spec.payloadBytes();
    }

    void onDatagram(final byte[] data, final int length)
    {
        if (!spec.requireReply())
        {
            pass("reply of " + length + " bytes");
        }
        else if (spec.matches(data, length))
        {
            pass("matching reply of " + length + " bytes");
        }
        else
        {
            fail("reply of " + length + " bytes does not match");
        }
    }

    void onTimeout()
    {
        if (spec.requireReply())
        {
            fail("no reply within " + checker.connectTimeoutNs / 1_000_000 + " ms");
        }
        else
        {
            pass("no ICMP error within " + checker.connectTimeoutNs / 1_000_000 + " ms");
        }
    }
}
