package io.lvs4j.forwarder.tunnel;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;

import org.agrona.MutableDirectBuffer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.packet.EthernetView;
import io.lvs4j.core.packet.Ipv4View;
import io.lvs4j.forwarder.channel.FrameHandler;
import io.lvs4j.forwarder.channel.afpacket.AfPacketChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketOptions;
import io.lvs4j.forwarder.channel.afpacket.BpfProgram;
import io.lvs4j.forwarder.channel.afpacket.RingVersion;
import io.lvs4j.forwarder.nativeio.Commands;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.nativeio.TunDevice;
import io.lvs4j.forwarder.pipeline.Ipv4Text;

/**
 * The real-server side of LVS-TUN for kernels without the {@code ipip} module (containers, many VMs): receives
 * IP-in-IP packets addressed to the real server from the wire and hands the inner packet to the local stack
 * through a TUN device, so the server sees the client's packet to the VIP and answers the client directly, as
 * with {@code tunl0}.
 * <p>
 * The real server still needs what LVS-TUN always needs: the VIP on a non-ARPing interface ({@code lo}), and
 * reverse-path filtering relaxed on the TUN device ({@code rp_filter=0}, which {@link #open} sets) because the
 * client's address routes out of another interface. Its kernel also sees the outer packet and, lacking a
 * protocol-4 handler, would answer ICMP protocol unreachable to the director for every packet: when {@code nft} is
 * installed the endpoint adds a rule dropping IP protocol 4 to the local address on input (AF_PACKET sees frames
 * before netfilter, so the endpoint still gets them) and removes it on close; without nft it logs a warning.
 * <p>
 * One thread; one AF_PACKET V2 ring (low latency at low rates) and one {@code write} per inner packet, since a
 * TUN device takes one packet per call.
 */
public final class IpIpTunnelEndpoint implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(IpIpTunnelEndpoint.class);

    private final AfPacketChannel channel;
    private final TunDevice tun;
    private final int localAddress;
    private final Thread thread;
    private final String networkNamespace;
    private final String nftTable;
    private volatile boolean running = true;
    private volatile long delivered;
    private volatile long ignored;
    private volatile long writeErrors;

    private IpIpTunnelEndpoint(
        final AfPacketChannel channel,
        final TunDevice tun,
        final int localAddress,
        final String threadName,
        final String networkNamespace,
        final String nftTable)
    {
        this.networkNamespace = networkNamespace;
        this.nftTable = nftTable;
        this.channel = channel;
        this.tun = tun;
        this.localAddress = localAddress;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    /**
     * Opens the endpoint and starts its thread.
     *
     * @param networkNamespace the namespace the real server lives in, or null for the JVM's own.
     * @param iface            the interface tunnelled packets arrive on.
     * @param localAddress     the real server's address (the outer destination), IPv4 text.
     * @param tunName          the TUN device to create, e.g. {@code lvs4jtun0}.
     * @return the running endpoint.
     */
    public static IpIpTunnelEndpoint open(
        final String networkNamespace, final String iface, final String localAddress, final String tunName)
    {
        final int local = Ipv4Text.parse(localAddress);
        final AfPacketChannel channel;
        final TunDevice tun;
        try
        {
            final AfPacketOptions options = AfPacketOptions.builder(iface)
                .ringVersion(RingVersion.V2)
                .noFanout()
                .filter(BpfProgram.filter().destination(InetAddress.getByName(localAddress)).build())
                .build();
            channel = networkNamespace == null ? AfPacketChannel.open(options) :
                NetworkNamespace.call(networkNamespace, () -> AfPacketChannel.open(options));
            try
            {
                tun = networkNamespace == null ? TunDevice.open(tunName) :
                    NetworkNamespace.call(networkNamespace, () -> TunDevice.open(tunName));
            }
            catch (final Exception ex)
            {
                channel.close();
                throw ex;
            }
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("IPIP endpoint on " + iface + ": " + ex.getMessage(), ex);
        }
        try
        {
            Commands.run(networkNamespace, "ip", "link", "set", tun.name(), "up");
            Commands.run(networkNamespace, "sysctl", "-qw", "net.ipv4.conf." + tun.name() + ".rp_filter=0");
            Commands.run(networkNamespace, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0");
        }
        catch (final RuntimeException ex)
        {
            channel.close();
            tun.close();
            throw ex;
        }
        final String table = silenceKernel(networkNamespace, tun.name(), localAddress);
        final IpIpTunnelEndpoint endpoint =
            new IpIpTunnelEndpoint(channel, tun, local, "lvs4j-ipip-" + tun.name(), networkNamespace, table);
        endpoint.thread.start();
        LOG.info("IPIP endpoint: {} on {} -> {}", localAddress, iface, tun.name());
        return endpoint;
    }

    private void run()
    {
        final FrameHandler handler = this::onFrame;
        while (running)
        {
            if (channel.receive(handler, 64) == 0)
            {
                channel.await(20);
            }
        }
    }

    private void onFrame(final MutableDirectBuffer buffer, final int offset, final int length, final int flags)
    {
        final int l3 = offset + EthernetView.HEADER_LENGTH;
        if (length < EthernetView.HEADER_LENGTH + 2 * Ipv4View.MIN_HEADER_LENGTH ||
            (buffer.getShort(offset + EthernetView.ETHER_TYPE_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF) !=
                EthernetView.ETHERTYPE_IPV4 ||
            (buffer.getByte(l3 + Ipv4View.PROTOCOL_OFFSET) & 0xFF) != IpProtocol.IPIP ||
            buffer.getInt(l3 + Ipv4View.DESTINATION_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) != localAddress)
        {
            ignored++;
            return;
        }
        final int ihl = (buffer.getByte(l3) & 0x0F) * 4;
        final int total = buffer.getShort(l3 + Ipv4View.TOTAL_LENGTH_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int fragment = buffer.getShort(l3 + Ipv4View.FLAGS_FRAGMENT_OFFSET, java.nio.ByteOrder.BIG_ENDIAN) &
            (Ipv4View.FLAG_MF | Ipv4View.FRAGMENT_OFFSET_MASK);
        if (ihl < Ipv4View.MIN_HEADER_LENGTH || total > length - EthernetView.HEADER_LENGTH || total < ihl + 20 ||
            fragment != 0)
        {
            // outer fragments would need reassembly; the director copies DF and never fragments the outer packet
            ignored++;
            return;
        }
        try
        {
            tun.write(buffer, l3 + ihl, total - ihl);
            delivered++;
        }
        catch (final RuntimeException ex)
        {
            writeErrors++;
        }
    }

    /** @return inner packets handed to the local stack. */
    public long delivered()
    {
        return delivered;
    }

    /** @return frames received that were not IP-in-IP for this address (or were fragments). */
    public long ignored()
    {
        return ignored;
    }

    /** @return inner packets the TUN device refused. */
    public long writeErrors()
    {
        return writeErrors;
    }

    /** @return the TUN device's name. */
    public String tunName()
    {
        return tun.name();
    }

    /** Stops the thread and closes the socket and the TUN device (which removes it). */
    @Override
    public void close()
    {
        running = false;
        try
        {
            thread.join(TimeUnit.SECONDS.toMillis(5));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive())
        {
            // unmapping the ring under a running thread would crash the JVM: leave it to the process's end
            LOG.error("IPIP endpoint thread did not stop; its socket is left open");
            return;
        }
        channel.close();
        tun.close();
        if (nftTable != null)
        {
            try
            {
                Commands.run(networkNamespace, "nft", "delete", "table", "ip", nftTable);
            }
            catch (final RuntimeException ex)
            {
                LOG.warn("could not remove nft table {}: {}", nftTable, ex.getMessage());
            }
        }
    }

    /** Stops the kernel's own ICMP protocol-unreachable answers to the tunnelled packets; the table's name. */
    private static String silenceKernel(final String ns, final String tunName, final String localAddress)
    {
        final String table = "lvs4j_" + tunName.replaceAll("[^A-Za-z0-9_]", "_");
        try
        {
            Commands.run(ns, "nft", "add", "table", "ip", table);
            Commands.run(ns, "nft", "add", "chain", "ip", table, "input",
                "{ type filter hook input priority 0 ; policy accept ; }");
            Commands.run(ns, "nft", "add", "rule", "ip", table, "input", "ip", "daddr", localAddress, "ip", "protocol", "4",
                "drop");
            return table;
        }
        catch (final RuntimeException ex)
        {
            LOG.warn("could not add an nft rule dropping IP protocol 4 on input ({}): the kernel will answer each " +
                "tunnelled packet with ICMP protocol unreachable", ex.getMessage());
            return null;
        }
    }
}
