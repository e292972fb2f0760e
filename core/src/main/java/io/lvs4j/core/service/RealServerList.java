package io.lvs4j.core.service;

import io.lvs4j.core.conn.DestinationCounters;

import java.util.Arrays;

/**
 * A virtual service's real servers at one moment: an immutable snapshot in the kernel's list order, newest
 * first ({@code list_add_rcu} puts an added destination at the head; an edit keeps its place). Every tie-break
 * and table layout of the schedulers follows this order.
 * <p>
 * The control plane derives a new list for each change ({@link #withAdded}, {@link #withReplaced},
 * {@link #withRemoved}) and hands it to the scheduler, which rebuilds its state off the hot path. Workers read
 * the per-index accessors, which are plain array reads; live counts and flags come from
 * {@link #counters()} by {@link #id(int) id}.
 */
public final class RealServerList
{
    private static final RealServer[] NO_SERVERS = new RealServer[0];

    private final DestinationCounters counters;
    private final RealServer[] servers;
    private final int[] ids;
    private final int[] weights;
    private final RealServer[] byId;
    private final long version;

    private RealServerList(final DestinationCounters counters, final RealServer[] servers, final long version)
    {
        this.counters = counters;
        this.servers = servers;
        this.version = version;
        ids = new int[servers.length];
        weights = new int[servers.length];
        int maxId = -1;
        for (int i = 0; i < servers.length; i++)
        {
            ids[i] = servers[i].id();
            weights[i] = servers[i].weight();
            maxId = Math.max(maxId, ids[i]);
        }
        byId = new RealServer[maxId + 1];
        for (final RealServer s : servers)
        {
            byId[s.id()] = s;
        }
    }

    /**
     * An empty list whose servers count connections in {@code counters}.
     *
     * @param counters the director's destination counters; server ids index them.
     * @return the empty list.
     */
    public static RealServerList empty(final DestinationCounters counters)
    {
        return new RealServerList(counters, NO_SERVERS, 0);
    }

    /**
     * A list holding {@code newestFirst} in that order (index 0 is the newest), as if each had been added in
     * reverse order.
     *
     * @param counters    the destination counters.
     * @param newestFirst the servers, newest first.
     * @return the list.
     * @throws IllegalArgumentException on a duplicate id or endpoint, or an id outside the counters.
     */
    public static RealServerList of(final DestinationCounters counters, final RealServer... newestFirst)
    {
        RealServerList list = empty(counters);
        for (int i = newestFirst.length - 1; i >= 0; i--)
        {
            list = list.withAdded(newestFirst[i]);
        }
        return list;
    }

    /**
     * The list after adding a server at the head ({@code ip_vs_add_dest}).
     *
     * @param server the new server.
     * @return a new list.
     * @throws IllegalArgumentException when the id or the address and port are already present (the kernel's
     *                                  {@code -EEXIST}), or the id does not fit the counters.
     */
    public RealServerList withAdded(final RealServer server)
    {
        if (server.id() >= counters.capacity())
        {
            throw new IllegalArgumentException("id " + server.id() + " exceeds the counters' " + counters.capacity());
        }
        for (final RealServer s : servers)
        {
            if (s.id() == server.id() || s.sameEndpoint(server))
            {
                throw new IllegalArgumentException(server + " already exists as " + s);
            }
        }
        final RealServer[] next = new RealServer[servers.length + 1];
        next[0] = server;
        System.arraycopy(servers, 0, next, 1, servers.length);
        return new RealServerList(counters, next, version + 1);
    }

    /**
     * The list after an edit ({@code ip_vs_edit_dest}): the server with the same id is replaced in place.
     *
     * @param server the edited server.
     * @return a new list.
     * @throws IllegalArgumentException when no server has that id (the kernel's {@code -ENOENT}).
     */
    public RealServerList withReplaced(final RealServer server)
    {
        final int index = indexOf(server.id());
        if (index < 0)
        {
            throw new IllegalArgumentException("no real server with id " + server.id());
        }
        final RealServer[] next = servers.clone();
        next[index] = server;
        return new RealServerList(counters, next, version + 1);
    }

    /**
     * The list after a delete ({@code ip_vs_del_dest}).
     *
     * @param id the server's id.
     * @return a new list.
     * @throws IllegalArgumentException when no server has that id.
     */
    public RealServerList withRemoved(final int id)
    {
        final int index = indexOf(id);
        if (index < 0)
        {
            throw new IllegalArgumentException("no real server with id " + id);
        }
        final RealServer[] next = new RealServer[servers.length - 1];
        System.arraycopy(servers, 0, next, 0, index);
        System.arraycopy(servers, index + 1, next, index, servers.length - index - 1);
        return new RealServerList(counters, next, version + 1);
    }

    /** @return the destination counters the servers' ids index. */
    public DestinationCounters counters()
    {
        return counters;
    }

    /** @return how many changes led to this list from the empty one; a scheduler can tell lists apart by it. */
    public long version()
    {
        return version;
    }

    /** @return the number of servers. */
    public int size()
    {
        return servers.length;
    }

    /** @return true when there is no server. */
    public boolean isEmpty()
    {
        return servers.length == 0;
    }

    /**
     * @param index position, 0 = newest.
     * @return the server there.
     */
    public RealServer get(final int index)
    {
        return servers[index];
    }

    /**
     * @param index position, 0 = newest.
     * @return the server's id.
     */
    public int id(final int index)
    {
        return ids[index];
    }

    /**
     * @param index position, 0 = newest.
     * @return the server's configured weight.
     */
    public int weight(final int index)
    {
        return weights[index];
    }

    /**
     * @param id a destination id.
     * @return the server with that id in this list, or null.
     */
    public RealServer byId(final int id)
    {
        return id >= 0 && id < byId.length ? byId[id] : null;
    }

    /**
     * @param server a server value.
     * @return true when this exact value is in the list (an edited or removed server is not).
     */
    public boolean contains(final RealServer server)
    {
        return byId(server.id()) == server;
    }

    /**
     * @param id a destination id.
     * @return its position, or -1.
     */
    public int indexOf(final int id)
    {
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] == id)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether the server at {@code index} may take a new connection: weight above zero and not over its upper
     * threshold (section 3.2; the counters' OVERLOAD flag).
     *
     * @param index position.
     * @return true when eligible.
     */
    public boolean isEligible(final int index)
    {
        return weights[index] > 0 && !counters.isOverloaded(ids[index]);
    }

    @Override
    public String toString()
    {
        return "RealServerList{v" + version + " " + Arrays.toString(servers) + "}";
    }
}
