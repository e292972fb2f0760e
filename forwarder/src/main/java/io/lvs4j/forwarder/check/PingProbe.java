package io.lvs4j.forwarder.check;

import java.net.InetAddress;

/**
 * PING_CHECK: one ICMP echo request; passes on the reply, fails after {@code connect_timeout}.
 */
final class PingProbe extends Probe
{
    private final InetAddress target;
    int sequence = -1;

    PingProbe(final HealthChecker host, final Checker checker, final InetAddress target)
    {
        super(host, checker);
        this.target = target;
    }

    void start()
    {
        final String error = host.pinger().send(this, target);
        if (error != null)
        {
            fail(error);
            return;
        }
        armTimeout();
    }

    void onReply()
    {
        pass("echo reply");
    }

    void release()
    {
        host.pinger().cancel(this);
    }
}
