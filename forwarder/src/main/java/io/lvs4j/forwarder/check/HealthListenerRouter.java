package io.lvs4j.forwarder.check;

import java.util.HashMap;
import java.util.Map;

/**
 * Hands each real server's transitions to its own virtual service's listener (normally a
 * {@link VirtualServiceHealthPolicy}), so one {@link HealthChecker} serves every service.
 */
public final class HealthListenerRouter implements RealServerHealthListener
{
    private final Map<String, RealServerHealthListener> byService = new HashMap<>();

    /**
     * @param service  a virtual service's name.
     * @param listener its listener.
     * @return this.
     */
    public HealthListenerRouter route(final String service, final RealServerHealthListener listener)
    {
        byService.put(service, listener);
        return this;
    }

    /**
     * @param service a virtual service's name.
     * @return its listener is no longer called.
     */
    public boolean unroute(final String service)
    {
        return byService.remove(service) != null;
    }

    /** {@inheritDoc} */
    public void onRegistered(final RealServerRef rs, final boolean up, final int weight)
    {
        final RealServerHealthListener listener = byService.get(rs.service());
        if (listener != null)
        {
            listener.onRegistered(rs, up, weight);
        }
    }

    /** {@inheritDoc} */
    public void onUp(final RealServerRef rs, final String reason)
    {
        final RealServerHealthListener listener = byService.get(rs.service());
        if (listener != null)
        {
            listener.onUp(rs, reason);
        }
    }

    /** {@inheritDoc} */
    public void onDown(final RealServerRef rs, final String reason)
    {
        final RealServerHealthListener listener = byService.get(rs.service());
        if (listener != null)
        {
            listener.onDown(rs, reason);
        }
    }

    /** {@inheritDoc} */
    public void onWeightChanged(final RealServerRef rs, final int weight)
    {
        final RealServerHealthListener listener = byService.get(rs.service());
        if (listener != null)
        {
            listener.onWeightChanged(rs, weight);
        }
    }

    /** {@inheritDoc} */
    public void onUnregistered(final RealServerRef rs)
    {
        final RealServerHealthListener listener = byService.get(rs.service());
        if (listener != null)
        {
            listener.onUnregistered(rs);
        }
    }
}
