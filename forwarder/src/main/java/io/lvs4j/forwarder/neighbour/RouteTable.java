package io.lvs4j.forwarder.neighbour;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * An immutable IPv4 routing table for the director's own forwarding decisions: which of its interfaces leads to
 * an address, and through which next hop. Built by the control plane from the kernel's main table (or from
 * configuration) and swapped whole; workers call {@link #lookup} per NAT reply without allocating.
 * <p>
 * Routes are kept longest prefix first, so the first match is the longest; directors have a handful of routes,
 * for which a linear scan beats any trie.
 */
public final class RouteTable
{
    /** {@link #lookup} found no route. */
    public static final int NO_ROUTE = -1;

    private final int[] prefixes;
    private final int[] masks;
    private final int[] gateways;
    private final int[] interfaces;
    private final int[] sources;
    private final List<Route> routes;

    /**
     * One route.
     *
     * @param prefix    the destination network (host bits ignored).
     * @param length    the prefix length, 0..32.
     * @param gateway   the next hop, 0 for on-link.
     * @param iface     the director's interface index (its position in the director's interface list).
     * @param source    the address to send from on this route (the interface's address), 0 if unknown.
     */
    public record Route(int prefix, int length, int gateway, int iface, int source)
    {
        /** Validates the prefix length. */
        public Route
        {
            if (length < 0 || length > 32)
            {
                throw new IllegalArgumentException("prefix length " + length);
            }
        }

        /** @return the network mask. */
        public int mask()
        {
            return length == 0 ? 0 : -1 << (32 - length);
        }
    }

    /**
     * A table of routes in any order.
     *
     * @param routes the routes.
     */
    public RouteTable(final List<Route> routes)
    {
        final List<Route> sorted = new ArrayList<>(routes);
        sorted.sort(Comparator.comparingInt(Route::length).reversed());
        this.routes = List.copyOf(sorted);
        final int n = sorted.size();
        prefixes = new int[n];
        masks = new int[n];
        gateways = new int[n];
        interfaces = new int[n];
        sources = new int[n];
        for (int i = 0; i < n; i++)
        {
            final Route r = sorted.get(i);
            masks[i] = r.mask();
            prefixes[i] = r.prefix() & masks[i];
            gateways[i] = r.gateway();
            interfaces[i] = r.iface();
            sources[i] = r.source();
        }
    }

    /** @return an empty table. */
    public static RouteTable empty()
    {
        return new RouteTable(List.of());
    }

    /**
     * The longest-prefix route to an address.
     *
     * @param address the IPv4 destination.
     * @return the route's index for {@link #nextHop}, {@link #iface} and {@link #source}, or {@link #NO_ROUTE}.
     */
    public int lookup(final int address)
    {
        for (int i = 0; i < masks.length; i++)
        {
            if ((address & masks[i]) == prefixes[i])
            {
                return i;
            }
        }
        return NO_ROUTE;
    }

    /**
     * The next hop of a route for a destination: its gateway, or the destination itself when on-link.
     *
     * @param route       a {@link #lookup} result.
     * @param destination the destination looked up.
     * @return the address whose MAC the frame goes to.
     */
    public int nextHop(final int route, final int destination)
    {
        final int gateway = gateways[route];
        return gateway != 0 ? gateway : destination;
    }

    /**
     * @param route a {@link #lookup} result.
     * @return true when the destination is on the link itself (no gateway).
     */
    public boolean isOnLink(final int route)
    {
        return gateways[route] == 0;
    }

    /**
     * @param route a {@link #lookup} result.
     * @return the director's interface index for the route.
     */
    public int iface(final int route)
    {
        return interfaces[route];
    }

    /**
     * @param route a {@link #lookup} result.
     * @return the address to send from on the route, 0 if unknown.
     */
    public int source(final int route)
    {
        return sources[route];
    }

    /** @return the routes, longest prefix first. */
    public List<Route> routes()
    {
        return routes;
    }
}
