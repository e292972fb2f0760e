package io.lvs4j.forwarder.lab;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.checksum.Checksums;
import io.lvs4j.core.packet.Malformation;
import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.AfPacketChannels;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.afpacket.AfPacketChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketOptions;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.TestFrames;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * Malformed and hostile frames sent at a running director from the client's namespace (raw, through an AF_PACKET
 * socket): truncated frames, lying lengths, bad IHL, IP options, fragments, random bytes, a SYN flood to random
 * ports of the VIP, and traffic for other hosts. The director keeps forwarding good HTTP traffic throughout, counts
 * the bad under their reasons, never crashes, and its kernel answers none of it.
 */
@Tag("lab")
@Timeout(120)
class HostileTrafficLabTest
{
    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    @Test
    void keepsForwardingAndCountsTheBad() throws Exception
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            final List<AutoCloseable> resources = new ArrayList<>();
            try
            {
                resources.add(LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80));
                resources.add(LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80));
                final String dirNs = net.namespace(LabNetwork.Node.DIR);
                // what the director's kernel sends (the director's own transmissions bypass the taps)
                final LabCapture capture = LabCapture.start(dirNs, "eth0", "ether src " +
                    net.mac(LabNetwork.Node.DIR, "eth0") + " and (icmp or (tcp[tcpflags] & tcp-rst != 0))");
                resources.add(capture);
                final Director director = Director.launch(new Director.Context()
                    .networkNamespace(dirNs)
                    .interfaces("eth0")
                    .workers(2)
                    .connectionCapacity(1 << 16)
                    .channels(new AfPacketChannels(dirNs)));
                resources.add(director);
                final VirtualService web = VirtualService.tcp(LabNetwork.VIP, 80).withScheduler("rr");
                director.addService(web);
                director.addRealServer(web, RealServers.direct(LabNetwork.RS1_ADDRESS, 80, 1));
                director.addRealServer(web, RealServers.direct(LabNetwork.RS2_ADDRESS, 80, 1));
                final LabClient client = LabClient.on(net);
                final String url = "http://" + LabNetwork.VIP + "/";
                assertTrue(client.get(url, 5000).ok(), "good traffic before");

                final long directorMac = MacAddresses.parse(net.mac(LabNetwork.Node.DIR, "eth0"));
                final long clientMac = MacAddresses.parse(net.mac(LabNetwork.Node.CLI, "eth0"));
                final List<byte[]> hostile = hostileFrames(clientMac, directorMac);
                final AfPacketChannel sender = NetworkNamespace.call(net.namespace(LabNetwork.Node.CLI),
                    () -> AfPacketChannel.open(AfPacketOptions.builder("eth0").noFanout().build()));
                resources.add(sender);

                final long forwardedBefore = director.forwarded();
                final Thread flood = new Thread(() -> send(sender, hostile, 3));
                flood.start();
                final Map<String, Integer> during = client.getMany(url, 20, 5000);
                flood.join(60_000);
                final Map<String, Integer> after = client.getMany(url, 20, 5000);

                assertEquals(Map.of("rs1", 10, "rs2", 10), during, "good traffic during the flood: " + drops(director));
                assertEquals(Map.of("rs1", 10, "rs2", 10), after, "good traffic after the flood");
                assertTrue(director.forwarded() > forwardedBefore);
                // frames cut inside the IPv4 header fail the socket filter's address load and never reach the ring;
                // those cut later are caught by the classifier (their total length lies)
                assertTrue(director.drops(DropReason.MALFORMED) >= 1200, drops(director));
                assertTrue(director.stats().malformed(Malformation.BAD_IHL) > 0, drops(director));
                assertTrue(director.stats().malformed(Malformation.BAD_TOTAL_LENGTH) > 0, drops(director));
                assertTrue(director.drops(DropReason.FRAGMENT) > 0, drops(director));
                assertTrue(director.drops(DropReason.NO_CONNECTION) > 0, "ACKs without a connection: " + drops(director));
                // frames for other hosts never reach the ring: the socket filter drops them in the kernel; what
                // is left of NOT_OURS is the flood to closed VIP ports and the garbage aimed at the VIP
                assertTrue(director.drops(DropReason.NOT_OURS) <= 3L * (SYN_FLOOD + 200 + 39) + 100,
                    "the BPF filter kept other hosts' traffic out: " + drops(director));
                assertEquals(List.of(), capture.stop(), "the director's kernel answered nothing");
            }
            finally
            {
                for (int i = resources.size() - 1; i >= 0; i--)
                {
                    try
                    {
                        resources.get(i).close();
                    }
                    catch (final Exception ignored)
                    {
                        // deleting the namespaces removes the rest
                    }
                }
            }
        }
    }

    /**
     * The control for every "the director's kernel answered nothing" assertion: the same capture does see a
     * kernel RST when the director's kernel owns the VIP (the misconfiguration lvs4j must avoid).
     */
    @Test
    void theCaptureSeesAKernelThatOwnsTheVip() throws Exception
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            net.ip(LabNetwork.Node.DIR, "addr", "add", LabNetwork.VIP + "/32", "dev", "eth0");
            final String dirNs = net.namespace(LabNetwork.Node.DIR);
            try (LabCapture capture = LabCapture.start(dirNs, "eth0", "ether src " +
                net.mac(LabNetwork.Node.DIR, "eth0") + " and (icmp or (tcp[tcpflags] & tcp-rst != 0))"))
            {
                final LabClient.Response response = LabClient.on(net).get("http://" + LabNetwork.VIP + ":81/", 3000);
                assertTrue(!response.ok(), "nothing listens on the director");
                final List<LabCapture.Frame> frames = capture.stop();
                assertTrue(frames.stream().anyMatch(LabCapture.Frame::isRst), "the kernel's RST is seen: " + frames);
            }
        }
    }

    private static final int OTHER_HOSTS_FRAMES = 2000;
    private static final int SYN_FLOOD = 5000;

    private static List<byte[]> hostileFrames(final long clientMac, final long directorMac)
    {
        final int client = Ipv4Text.parse(LabNetwork.CLIENT_ADDRESS);
        final int vip = Ipv4Text.parse(LabNetwork.VIP);
        final SplittableRandom random = new SplittableRandom(42);
        final List<byte[]> frames = new ArrayList<>();
        final byte[] syn = TestFrames.tcp(clientMac, directorMac, client, 50000, vip, 80, TcpView.SYN, 64, true, 0);
        for (int cut = 15; cut < 54; cut++)
        {
            frames.add(Arrays.copyOf(syn, cut));
        }
        for (int i = 0; i < 200; i++)
        {
            final byte[] badIhl = syn.clone();
            badIhl[14] = (byte)(0x40 | random.nextInt(5));
            frames.add(badIhl);
            final byte[] lying = syn.clone();
            new UnsafeBuffer(lying).putShort(16, (short)(1000 + random.nextInt(60000)), BIG);
            frames.add(lying);
            final byte[] fragment = TestFrames.tcp(clientMac, directorMac, client, 50001 + i, vip, 80, TcpView.SYN, 64,
                false, 100);
            final UnsafeBuffer fb = new UnsafeBuffer(fragment);
            fb.putShort(20, (short)(0x2000 | random.nextInt(100)), BIG);
            fb.putShort(24, (short)0, BIG);
            fb.putShort(24, (short)Checksums.ipv4HeaderChecksum(fb, 14, 20), BIG);
            frames.add(fragment);
            final byte[] garbage = new byte[14 + random.nextInt(200)];
            random.nextBytes(garbage);
            final UnsafeBuffer gb = new UnsafeBuffer(garbage);
            MacAddresses.put(gb, 0, directorMac);
            gb.putShort(12, (short)0x0800, BIG);
            if (garbage.length >= 34)
            {
                gb.putInt(30, vip, BIG);
            }
            frames.add(garbage);
            // an ACK for a connection that never was
            frames.add(TestFrames.tcp(clientMac, directorMac, client, 1024 + random.nextInt(60000), vip, 80,
                TcpView.ACK, 64, true, 10));
        }
        for (int i = 0; i < SYN_FLOOD; i++)
        {
            // SYN flood to random closed ports of the VIP, from random sources
            final int port = 81 + random.nextInt(60000);
            frames.add(TestFrames.tcp(clientMac, directorMac, 0xC6336400 | (2 + random.nextInt(250)),
                1024 + random.nextInt(60000), vip, port, TcpView.SYN, 64, true, 0));
        }
        for (int i = 0; i < OTHER_HOSTS_FRAMES; i++)
        {
            frames.add(TestFrames.udp(clientMac, directorMac, client, 2000 + i, Ipv4Text.parse("192.0.2.200"), 53, 20));
        }
        return frames;
    }

    private static void send(final AfPacketChannel channel, final List<byte[]> frames, final int rounds)
    {
        final FrameClaim claim = new FrameClaim();
        for (int r = 0; r < rounds; r++)
        {
            for (final byte[] f : frames)
            {
                final UnsafeBuffer b = new UnsafeBuffer(f);
                while (!channel.send(b, 0, f.length, claim))
                {
                    channel.flush();
                    Thread.onSpinWait();
                }
            }
            channel.flush();
        }
    }

    private static String drops(final Director director)
    {
        final StringBuilder sb = new StringBuilder();
        for (final DropReason r : DropReason.values())
        {
            if (director.drops(r) != 0)
            {
                sb.append(r).append('=').append(director.drops(r)).append(' ');
            }
        }
        for (final Malformation m : Malformation.values())
        {
            if (director.stats().malformed(m) != 0)
            {
                sb.append(m).append('=').append(director.stats().malformed(m)).append(' ');
            }
        }
        return sb.toString();
    }
}
