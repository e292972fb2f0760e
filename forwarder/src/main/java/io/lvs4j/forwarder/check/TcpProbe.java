package io.lvs4j.forwarder.check;

import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * TCP_CHECK: passes as soon as the connection is established, then closes it.
 */
final class TcpProbe extends StreamProbe
{
    TcpProbe(final HealthChecker host, final Checker checker, final InetSocketAddress target, final InetAddress bindTo)
    {
        super(host, checker, target, bindTo, false, null);
    }

    void onConnected()
    {
        pass("connected");
    }
}
