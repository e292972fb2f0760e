package io.lvs4j.schedulers;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;

import java.util.ArrayList;
import java.util.List;

/**
 * A service's real servers and their live counts for scheduler tests: servers are named by id (192.0.2.id:80),
 * loads are set by binding connections as the connection table would.
 */
final class ServiceFixture
{
    final DestinationCounters counters = new DestinationCounters(2048);
    final FlowKey flow = new FlowKey();

    /**
     * A server 192.0.2.{id}:80 (ids above 255 spill into the third octet) with fresh counters.
     */
    RealServer server(final int id, final int weight)
    {
        counters.reset(id, 0, 0);
        return RealServer.ipv4(id, 0xC000_0200 + id, 80, weight);
    }

    /** A list of servers given newest first, as the kernel lists them. */
    RealServerList list(final RealServer... newestFirst)
    {
        return RealServerList.of(counters, newestFirst);
    }

    /** Servers with the given weights and ids 1..n, newest first. */
    RealServerList listOfWeights(final int... weights)
    {
        final RealServer[] servers = new RealServer[weights.length];
        for (int i = 0; i < weights.length; i++)
        {
            servers[i] = server(i + 1, weights[i]);
        }
        return list(servers);
    }

    /** Binds {@code n} inactive connections to the server (UDP entries, TCP before ESTABLISHED). */
    void inactive(final int id, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            counters.bind(id, ConnectionFlags.INACTIVE);
        }
    }

    /** Binds {@code n} connections and makes them active (TCP ESTABLISHED). */
    void active(final int id, final int n)
    {
        for (int i = 0; i < n; i++)
        {
            counters.bind(id, ConnectionFlags.INACTIVE);
            counters.transition(id, true);
        }
    }

    /** Sets an upper threshold of 1 and binds a connection, so the server is OVERLOADed. */
    void overload(final int id)
    {
        counters.setThresholds(id, 1, 0);
        counters.bind(id, ConnectionFlags.INACTIVE);
        if (!counters.isOverloaded(id))
        {
            throw new AssertionError("server " + id + " did not overload");
        }
    }

    /** A TCP flow from 198.51.100.{client}:{port} to 203.0.113.10:80. */
    FlowKey flow(final int client, final int port)
    {
        return flow.setV4(
            6, 0xC633_6400 | (client & 0xFF) | ((client >>> 8 & 0xFF) << 8), port, 0xCB00_710A, 80);
    }

    /** Picks {@code n} times (new connections from distinct client ports) and returns the chosen ids, -1 for none. */
    static List<Integer> picks(final Scheduler scheduler, final ServiceFixture fixture, final int n)
    {
        final List<Integer> ids = new ArrayList<>(n);
        for (int i = 0; i < n; i++)
        {
            final RealServer s = scheduler.pick(fixture.flow(1, 1024 + i), 0);
            ids.add(s == null ? -1 : s.id());
        }
        return ids;
    }
}
