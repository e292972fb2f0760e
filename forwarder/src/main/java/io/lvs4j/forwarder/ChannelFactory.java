package io.lvs4j.forwarder;

import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;

/**
 * Opens the channel a worker uses on one of the director's interfaces: an AF_PACKET socket in the interface's
 * fanout group by default, memory in tests, libpcap where AF_PACKET is not available.
 */
@FunctionalInterface
public interface ChannelFactory
{
    /**
     * Opens a channel.
     *
     * @param iface   the interface.
     * @param worker  the worker that will own it.
     * @param workers how many workers share the interface.
     * @return the channel, owned by that worker from now on.
     */
    FrameChannel open(DirectorInterface iface, int worker, int workers);
}
