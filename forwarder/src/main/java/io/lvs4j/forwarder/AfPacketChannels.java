package io.lvs4j.forwarder;

import java.util.function.UnaryOperator;

import org.agrona.BitUtil;

import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.IpIpEncapsulator;
import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketOptions;
import io.lvs4j.forwarder.channel.afpacket.FanoutType;
import io.lvs4j.forwarder.channel.afpacket.RingVersion;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.pipeline.DirectorInterface;

/**
 * The director's default channels: one AF_PACKET socket per worker per interface, with a TPACKET_V3 receive
 * ring, a transmit ring bypassing the qdisc, outgoing frames ignored, and (with several workers) a
 * {@code PACKET_FANOUT} hash group per interface so each flow stays on one worker. Sockets are opened in the
 * director's network namespace when it has one.
 */
public final class AfPacketChannels implements ChannelFactory
{
    private final String networkNamespace;
    private final UnaryOperator<AfPacketOptions.Builder> customizer;

    /**
     * Channels with the default ring settings.
     *
     * @param networkNamespace the namespace the interfaces live in, or null.
     */
    public AfPacketChannels(final String networkNamespace)
    {
        this(networkNamespace, UnaryOperator.identity());
    }

    /**
     * Channels with ring settings adjusted by the caller (ring version, block size, retire timeout...).
     *
     * @param networkNamespace the namespace the interfaces live in, or null.
     * @param customizer       adjusts each socket's options; fanout and interface are set already.
     */
    public AfPacketChannels(final String networkNamespace, final UnaryOperator<AfPacketOptions.Builder> customizer)
    {
        this.networkNamespace = networkNamespace;
        this.customizer = customizer;
    }

    @Override
    public FrameChannel open(final DirectorInterface iface, final int worker, final int workers)
    {
        AfPacketOptions.Builder builder = AfPacketOptions.builder(iface.name());
        // a slot must hold the largest frame the interface carries, grown by a tunnel header, after the ring header
        final int needed = RingVersion.V3.headerLength() + EthernetView.HEADER_LENGTH + EthernetView.VLAN_TAG_LENGTH +
            IpIpEncapsulator.OVERHEAD + iface.mtu();
        if (needed > AfPacketOptions.DEFAULT_FRAME_SIZE)
        {
            final int frameSize = BitUtil.findNextPositivePowerOfTwo(needed);
            builder = builder.frameSize(frameSize).blockSize(Math.max(AfPacketOptions.DEFAULT_BLOCK_SIZE, frameSize));
        }
        if (workers > 1)
        {
            // one group per interface per process: two directors on one host must not share a group
            final int group = (int)((ProcessHandle.current().pid() * 31 + iface.ifIndex()) & 0xFFFF);
            builder = builder.fanout(group, FanoutType.HASH, 0);
        }
        final AfPacketOptions options = customizer.apply(builder).build();
        try
        {
            return networkNamespace == null ? AfPacketChannel.open(options) :
                NetworkNamespace.call(networkNamespace, () -> AfPacketChannel.open(options));
        }
        catch (final RuntimeException ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("cannot open AF_PACKET on " + iface.name() + ": " + ex.getMessage(), ex);
        }
    }
}
