package io.lvs4j.forwarder;

import java.util.List;

import io.lvs4j.forwarder.neighbour.RouteTable;
import io.lvs4j.forwarder.pipeline.DirectorInterface;

/**
 * How a director started with interface names learns about them: MAC, MTU and addresses, the routes that use
 * them, what to do to them before forwarding (offloads), and how to open their channels.
 */
public interface InterfaceDiscovery
{
    /**
     * Describes an interface (and prepares it: e.g. turns receive offloads off when the context says so).
     *
     * @param name    the kernel name.
     * @param index   its index in the director's list.
     * @param context the director's context (network namespace, offload policy).
     * @return the description.
     */
    DirectorInterface describe(String name, int index, Director.Context context);

    /**
     * The routes over the director's interfaces.
     *
     * @param interfaces the described interfaces.
     * @param context    the director's context.
     * @return the routing table.
     */
    RouteTable routes(List<DirectorInterface> interfaces, Director.Context context);

    /**
     * The channels to use when the context names none.
     *
     * @param context the director's context.
     * @return the factory.
     */
    ChannelFactory defaultChannels(Director.Context context);
}
