package io.lvs4j.forwarder.vrrp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.afpacket.AfPacketChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketOptions;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * Bad VRRP adverts sent at a running lvs4j master from the client's namespace (AF_PACKET): wrong TTL, wrong
 * checksum, wrong VRID, wrong password, short packets, each claiming priority 200: dropped, counted by reason, and
 * the master stays master. Then 50,000 valid adverts from a lower priority: HTTP through the VIP keeps working.
 */
@Tag("lab")
@Timeout(120)
class VrrpHostileAdvertsLabTest
{
    private static final int EACH = 10;
    private static final int FLOOD = 50_000;

    @Test
    void badAdvertsAreCountedAndAFloodChangesNothing() throws Exception
    {
        io.lvs4j.forwarder.lab.LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.dr().build())
        {
            LabHttpServer rs1 = null;
            LabHttpServer rs2 = null;
            VrrpLab.LvsNode lvs = null;
            AfPacketChannel sender = null;
            try
            {
                rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
                rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80);
                lvs = new VrrpLab.LvsNode(net.namespace(LabNetwork.Node.DIR), VrrpLab.instance("MASTER", 100, false));
                final VrrpLab.LvsNode node = lvs;
                assertTrue(VrrpLab.await(node::isMaster, 8000) > 0, "master: " + lvs.counters());
                final LabClient client = LabClient.on(net);
                assertTrue(client.get(VrrpLab.URL, 5000).ok(), "before: " + client.get(VrrpLab.URL, 5000));

                sender = NetworkNamespace.call(net.namespace(LabNetwork.Node.CLI),
                    () -> AfPacketChannel.open(AfPacketOptions.builder("eth0").noFanout().build()));
                final long clientMac = MacAddresses.parse(net.mac(LabNetwork.Node.CLI, "eth0"));
                final int clientIp = Ipv4Text.parse(LabNetwork.CLIENT_ADDRESS);
                final VrrpCounters c = lvs.engine.counters();

                final List<byte[]> bad = new ArrayList<>();
                for (int i = 0; i < EACH; i++)
                {
                    bad.add(advert(clientMac, clientIp, 51, 200, 64, "1111", false));
                    bad.add(advert(clientMac, clientIp, 51, 200, 255, "1111", true));
                    bad.add(advert(clientMac, clientIp, 52, 200, 255, "1111", false));
                    bad.add(advert(clientMac, clientIp, 51, 200, 255, "2222", false));
                    // a VRRP message shorter than its address count says (IP header consistent, 8 + i bytes)
                    bad.add(shortAdvert(clientMac, clientIp, 8 + i));
                    // and frames cut inside the VRRP message, whose IP total length lies
                    bad.add(Arrays.copyOf(advert(clientMac, clientIp, 51, 200, 255, "1111", false), 34 + 4 + i));
                }
                final long malformedBefore = lvs.director.drops(DropReason.MALFORMED);
                send(sender, bad, 1);
                // the short ones never reach the engine: the director's classifier drops a lying IP total length
                final long awaited = VrrpLab.await(() -> c.totalDrops() >= 5L * EACH, 5000);
                Thread.sleep(300);
                final long shortDropped = lvs.director.drops(DropReason.MALFORMED) - malformedBefore;
                System.out.println("[vrrp-lab] bad adverts: " + lvs.counters() + "; short frames dropped by the " +
                    "director as MALFORMED (cut frames): " + shortDropped + "; state " + lvs.state());
                assertTrue(awaited > 0, "all dropped: " + lvs.counters());
                assertEquals(EACH, c.drops(VrrpDropReason.TTL), lvs.counters());
                assertEquals(EACH, c.drops(VrrpDropReason.CHECKSUM), lvs.counters());
                assertEquals(EACH, c.drops(VrrpDropReason.UNKNOWN_VRID), lvs.counters());
                assertEquals(EACH, c.drops(VrrpDropReason.AUTH_PASSWORD), lvs.counters());
                assertEquals(EACH, c.drops(VrrpDropReason.TRUNCATED), lvs.counters());
                assertEquals(0, c.advertsReceived(), "none accepted");
                assertTrue(lvs.isMaster(), "still master");

                // a flood of valid adverts from a lower priority (50): the master answers them (as keepalived does,
                // without lower_prio_no_advert) and keeps forwarding
                final List<byte[]> flood = List.of(advert(clientMac, clientIp, 51, 50, 255, "1111", false));
                final long receivedBefore = c.advertsReceived();
                final long sentBefore = c.advertsSent();
                final long fwdBefore = lvs.director.forwarded();
                final AfPacketChannel floodSender = sender;
                final Thread t = new Thread(() -> send(floodSender, flood, FLOOD), "vrrp-flood");
                final long floodStart = System.nanoTime();
                t.start();
                final Map<String, Integer> during = client.getMany(VrrpLab.URL, 20, 5000);
                t.join(60_000);
                final long floodNs = System.nanoTime() - floodStart;
                assertTrue(!t.isAlive(), "the flood ended");
                VrrpLab.await(() -> c.advertsReceived() - receivedBefore >= FLOOD, 3000);
                System.out.println("[vrrp-lab] flood of " + FLOOD + " priority-50 adverts (" + VrrpLab.seconds(floodNs) +
                    " incl. 20 requests): accepted " + (c.advertsReceived() - receivedBefore) + ", adverts sent back " +
                    (c.advertsSent() - sentBefore) + "; " + lvs.counters() + "; during: " + during);
                assertEquals(Map.of("rs1", 10, "rs2", 10), during, "HTTP through the VIP during the flood");
                assertTrue(lvs.director.forwarded() > fwdBefore);
                assertTrue(lvs.isMaster(), "still master after the flood");
                assertTrue(c.advertsReceived() - receivedBefore > 0, "the flood reached the engine");
                assertEquals(Map.of("rs1", 5, "rs2", 5), client.getMany(VrrpLab.URL, 10, 5000), "after the flood");
            }
            finally
            {
                VrrpLab.closeQuietly(sender);
                VrrpLab.closeQuietly(lvs);
                VrrpLab.closeQuietly(rs1);
                VrrpLab.closeQuietly(rs2);
            }
        }
    }

    private static byte[] advert(final long srcMac, final int src, final int vrid, final int priority, final int ttl,
        final String pass, final boolean badChecksum)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[128]);
        final int len = VrrpPacket.writeV2(b, 34, vrid, priority, 1, VrrpPacket.AUTH_PASS,
            pass.getBytes(StandardCharsets.US_ASCII), new int[] {Ipv4Text.parse(LabNetwork.VIP)});
        final int frame = VrrpPacket.writeFrameHeaders(b, 0, VrrpPacket.MULTICAST_MAC, srcMac, src,
            VrrpPacket.MULTICAST_GROUP, 7, ttl, len);
        if (badChecksum)
        {
            b.putByte(34 + VrrpPacket.CHECKSUM_OFFSET, (byte)(b.getByte(34 + VrrpPacket.CHECKSUM_OFFSET) ^ 0x5A));
        }
        final byte[] out = new byte[Math.max(60, frame)];
        b.getBytes(0, out, 0, frame);
        return out;
    }

    private static byte[] shortAdvert(final long srcMac, final int src, final int vrrpLength)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[128]);
        VrrpPacket.writeV2(b, 34, 51, 200, 1, VrrpPacket.AUTH_PASS, "1111".getBytes(StandardCharsets.US_ASCII),
            new int[] {Ipv4Text.parse(LabNetwork.VIP)});
        final int frame = VrrpPacket.writeFrameHeaders(b, 0, VrrpPacket.MULTICAST_MAC, srcMac, src,
            VrrpPacket.MULTICAST_GROUP, 9, 255, vrrpLength);
        final byte[] out = new byte[Math.max(60, frame)];
        b.getBytes(0, out, 0, frame);
        return out;
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
            if (r % 64 == 63)
            {
                channel.flush();
            }
        }
        channel.flush();
    }
}
