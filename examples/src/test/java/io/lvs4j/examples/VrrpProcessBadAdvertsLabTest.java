package io.lvs4j.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.afpacket.AfPacketChannel;
import io.lvs4j.forwarder.channel.afpacket.AfPacketOptions;
import io.lvs4j.forwarder.lab.LabClient;
import io.lvs4j.forwarder.lab.LabHttpServer;
import io.lvs4j.forwarder.lab.LabNetwork;
import io.lvs4j.forwarder.nativeio.NetworkNamespace;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.vrrp.VrrpPacket;

/**
 * Bad VRRP adverts from the client's namespace (a raw AF_PACKET socket) at two running bundled directors (master
 * and backup, the seed's VI_1, each its own JVM): wrong TTL, checksum, VRID, version, type, auth type, password,
 * advert interval, address count and short messages, each claiming priority 254 (or 0, a forged release): each
 * director drops and counts every one by reason (read through the admin socket, {@code --vrrp}), and neither
 * changes state. Then a bounded flood (200,000 frames or 10 s) of adverts while HTTP through the VIP keeps working:
 * forwarding is not starved, a full control inbox is counted (CONTROL_QUEUE_FULL), the roles stay.
 */
@Tag("lab")
@Timeout(180)
class VrrpProcessBadAdvertsLabTest
{
    private static final int EACH = 10;
    private static final int FLOOD_FRAMES = 200_000;
    private static final long FLOOD_NS = TimeUnit.SECONDS.toNanos(10);
    private static final byte[] PASS = "1111".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] WRONG_PASS = "2222".getBytes(StandardCharsets.US_ASCII);
    private static final int VIP = Ipv4Text.parse(LabNetwork.VIP);

    @TempDir
    Path dir;

    @Test
    void badAdvertsAreDroppedByReasonAndAFloodDoesNotStarveForwarding() throws Exception
    {
        VrrpProcessLab.assumeLab(false);
        try (LabNetwork net = LabNetwork.dr().backupDirector().build();
            LabHttpServer rs1 = LabHttpServer.startOn(net, LabNetwork.Node.RS1, 80);
            LabHttpServer rs2 = LabHttpServer.startOn(net, LabNetwork.Node.RS2, 80))
        {
            VrrpProcessLab.DirectorProcess a = null;
            VrrpProcessLab.DirectorProcess b = null;
            AfPacketChannel sender = null;
            try
            {
                final LabClient client = LabClient.on(net);
                a = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR, dir, "a",
                    VrrpProcessLab.seed("master")).awaitRunning();
                final VrrpProcessLab.DirectorProcess master = a;
                assertTrue(VrrpProcessLab.awaitSince(a.started, master::isMaster, 20_000) > 0, a.status().toString());
                b = new VrrpProcessLab.DirectorProcess(net, LabNetwork.Node.DIR2, dir, "b",
                    VrrpProcessLab.instance(VrrpProcessLab.seed("backup"), 90, "BACKUP", "")).awaitRunning();
                final VrrpProcessLab.DirectorProcess backup = b;
                assertTrue(VrrpProcessLab.awaitSince(System.nanoTime(), () -> backup.number("received") >= 2,
                    10_000) > 0, b.status().toString());
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000));

                sender = NetworkNamespace.call(net.namespace(LabNetwork.Node.CLI),
                    () -> AfPacketChannel.open(AfPacketOptions.builder("eth0").noFanout().build()));
                final long mac = MacAddresses.parse(net.mac(LabNetwork.Node.CLI, "eth0"));
                final int src = Ipv4Text.parse(LabNetwork.CLIENT_ADDRESS);

                // every kind of bad advert, EACH times; the reason each director must count it under
                final Map<String, byte[]> kinds = new LinkedHashMap<>();
                kinds.put("TTL", v2(mac, src, 51, 254, 64, 1, VrrpPacket.AUTH_PASS, PASS, VIP));
                kinds.put("CHECKSUM", corrupt(v2(mac, src, 51, 254, 255, 1, VrrpPacket.AUTH_PASS, PASS, VIP),
                    VrrpPacket.CHECKSUM_OFFSET, 0x5A));
                kinds.put("UNKNOWN_VRID", v2(mac, src, 52, 254, 255, 1, VrrpPacket.AUTH_PASS, PASS, VIP));
                kinds.put("VERSION", v3(mac, src, 51, 254));
                kinds.put("TYPE", retype(v2(mac, src, 51, 254, 255, 1, VrrpPacket.AUTH_PASS, PASS, VIP)));
                kinds.put("AUTH_TYPE", v2(mac, src, 51, 254, 255, 1, VrrpPacket.AUTH_NONE, new byte[0], VIP));
                kinds.put("AUTH_PASSWORD", v2(mac, src, 51, 254, 255, 1, VrrpPacket.AUTH_PASS, WRONG_PASS, VIP));
                kinds.put("ADVERT_INTERVAL", v2(mac, src, 51, 254, 255, 2, VrrpPacket.AUTH_PASS, PASS, VIP));
                kinds.put("ADDRESS_COUNT", v2(mac, src, 51, 254, 255, 1, VrrpPacket.AUTH_PASS, PASS, VIP,
                    Ipv4Text.parse("203.0.113.11")));
                // a forged release (priority 0) with the wrong password must not hand the VIP to the backup
                kinds.put("AUTH_PASSWORD+", v2(mac, src, 51, 0, 255, 1, VrrpPacket.AUTH_PASS, WRONG_PASS, VIP));
                // a VRRP message shorter than its address count says (the IP header consistent)
                kinds.put("TRUNCATED", shortened(v2(mac, src, 51, 254, 255, 1, VrrpPacket.AUTH_PASS, PASS, VIP), 12));

                final Map<String, Long> aBefore = numbers(a);
                final Map<String, Long> bBefore = numbers(b);
                final List<byte[]> bad = new ArrayList<>();
                for (int i = 0; i < EACH; i++)
                {
                    bad.addAll(kinds.values());
                }
                send(sender, bad);
                final long expectedDrops = (long)EACH * kinds.size();
                for (final VrrpProcessLab.DirectorProcess d : List.of(a, b))
                {
                    final Map<String, Long> before = d == a ? aBefore : bBefore;
                    final long settled = VrrpProcessLab.awaitSince(System.nanoTime(),
                        () -> totalDrops(numbers(d)) - totalDrops(before) >= expectedDrops, 5000);
                    VrrpProcessLab.sleep(300);
                    final Map<String, Long> after = numbers(d);
                    System.out.println("[vrrp-lab] " + d.name + " after " + expectedDrops + " bad adverts: " +
                        delta(before, after));
                    assertTrue(settled > 0, d.name + " dropped them all: " + delta(before, after));
                    for (final String kind : kinds.keySet())
                    {
                        if (!kind.endsWith("+"))
                        {
                            final long n = kind.equals("AUTH_PASSWORD") ? 2 * EACH : EACH;
                            assertEquals(n, after.get("drop." + kind) - before.get("drop." + kind),
                                d.name + " counts " + kind + ": " + delta(before, after));
                        }
                    }
                    assertEquals(expectedDrops, totalDrops(after) - totalDrops(before), delta(before, after));
                    assertEquals(before.get("transitions"), after.get("transitions"), d.name + " changed state");
                }
                assertTrue(a.isMaster(), "A stays master: " + a.status());
                assertEquals("BACKUP", b.state(), "B stays backup: " + b.status());
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000));

                // the flood: valid lower-priority adverts (answered at most every 100 ms by the master) and
                // wrong-password ones, as fast as the sender goes, while the client keeps requesting the VIP
                final List<byte[]> flood = List.of(v2(mac, src, 51, 50, 255, 1, VrrpPacket.AUTH_PASS, PASS, VIP),
                    kinds.get("AUTH_PASSWORD"));
                final Map<String, Long> aFlood = numbers(a);
                final Map<String, Long> bFlood = numbers(b);
                final AtomicLong sent = new AtomicLong();
                final AfPacketChannel floodSender = sender;
                final long floodStart = System.nanoTime();
                final Thread t = new Thread(() -> sent.set(flood(floodSender, flood, floodStart)), "vrrp-flood");
                t.start();
                final List<LabClient.Response> during = new ArrayList<>();
                while (t.isAlive() && during.size() < 200)
                {
                    during.add(client.get(VrrpProcessLab.URL, 3000));
                }
                t.join(30_000);
                final long floodNs = System.nanoTime() - floodStart;
                VrrpProcessLab.sleep(500);
                final Map<String, Long> aAfter = numbers(a);
                final Map<String, Long> bAfter = numbers(b);
                final long failed = during.stream().filter(r -> !r.ok()).count();
                System.out.println("[vrrp-lab] flood: " + sent.get() + " frames in " + VrrpProcessLab.seconds(floodNs) +
                    "; " + during.size() + " HTTP requests during it, " + failed + " failed; A: " +
                    delta(aFlood, aAfter) + "; B: " + delta(bFlood, bAfter));
                assertTrue(!t.isAlive(), "the flood ended");
                assertTrue(during.size() >= 5, "requests ran during the flood: " + during.size());
                assertEquals(0, failed, "HTTP through the VIP during the flood: " + during.stream()
                    .filter(r -> !r.ok()).limit(3).toList());
                assertTrue(aAfter.get("forwarded") > aFlood.get("forwarded"), "A forwarded during the flood");
                // each director sees the flood and the other's adverts (the master's answers to the flood included)
                countedOnce("A", aFlood, aAfter, sent.get() + bAfter.get("sent") - bFlood.get("sent"));
                countedOnce("B", bFlood, bAfter, sent.get() + aAfter.get("sent") - aFlood.get("sent"));
                // keepalived answers every lower-priority advert; lvs4j at most every 100 ms, so that a flood
                // cannot make it flood the segment (and its own control queue) in turn
                final long answered = aAfter.get("sent") - aFlood.get("sent");
                assertTrue(answered <= 10 * (floodNs / 1_000_000_000L + 2) + 2, "A's adverts during the flood: " +
                    answered);
                assertTrue(a.isMaster(), "A stays master: " + a.status());
                assertEquals("BACKUP", b.state(), "B stays backup: " + b.status());
                assertEquals(Map.of("rs1", 4, "rs2", 8), client.getMany(VrrpProcessLab.URL, 12, 3000),
                    "after the flood");
            }
            finally
            {
                VrrpProcessLab.closeQuietly(sender);
                VrrpProcessLab.closeQuietly(a);
                VrrpProcessLab.closeQuietly(b);
            }
        }
    }

    /**
     * Every frame a director saw is counted once: accepted, dropped by reason, or refused by a full inbox.
     *
     * @param sent the VRRP frames put on the segment meanwhile by others.
     */
    private static void countedOnce(final String name, final Map<String, Long> before, final Map<String, Long> after,
        final long sent)
    {
        final long seen = after.get("received") - before.get("received") + totalDrops(after) - totalDrops(before) +
            after.get("control_queue_full") - before.get("control_queue_full");
        assertTrue(seen > 0 && seen <= sent + 100, name + " counts each frame at most once: " + seen + " of " + sent);
        assertEquals(before.get("transitions"), after.get("transitions"), name + " changed state: " +
            delta(before, after));
    }

    private static Map<String, Long> numbers(final VrrpProcessLab.DirectorProcess d)
    {
        final Map<String, Long> out = new LinkedHashMap<>();
        d.status().forEach((k, v) ->
        {
            if (v.matches("\\d+"))
            {
                out.put(k, Long.parseLong(v));
            }
        });
        return out;
    }

    private static long totalDrops(final Map<String, Long> numbers)
    {
        return numbers.entrySet().stream().filter(e -> e.getKey().startsWith("drop."))
            .mapToLong(Map.Entry::getValue).sum();
    }

    private static String delta(final Map<String, Long> before, final Map<String, Long> after)
    {
        final StringBuilder sb = new StringBuilder();
        after.forEach((k, v) ->
        {
            final long d = v - before.getOrDefault(k, 0L);
            if (d != 0 && !k.equals("priority"))
            {
                sb.append(k).append(" +").append(d).append(", ");
            }
        });
        return sb.length() == 0 ? "no change" : sb.substring(0, sb.length() - 2);
    }

    private static byte[] v2(final long mac, final int src, final int vrid, final int priority, final int ttl,
        final int interval, final int authType, final byte[] pass, final int... addresses)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[128]);
        final int len = VrrpPacket.writeV2(b, 34, vrid, priority, interval, authType, pass, addresses);
        return frame(b, mac, src, ttl, len);
    }

    private static byte[] v3(final long mac, final int src, final int vrid, final int priority)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[128]);
        final int len = VrrpPacket.writeV3(b, 34, vrid, priority, 100, new int[] {VIP}, src,
            VrrpPacket.MULTICAST_GROUP);
        return frame(b, mac, src, 255, len);
    }

    private static byte[] frame(final UnsafeBuffer b, final long mac, final int src, final int ttl, final int len)
    {
        final int frame = VrrpPacket.writeFrameHeaders(b, 0, VrrpPacket.MULTICAST_MAC, mac, src,
            VrrpPacket.MULTICAST_GROUP, 7, ttl, len);
        final byte[] out = new byte[Math.max(60, frame)];
        b.getBytes(0, out, 0, frame);
        return out;
    }

    private static byte[] corrupt(final byte[] frame, final int vrrpOffset, final int xor)
    {
        final byte[] out = frame.clone();
        out[34 + vrrpOffset] ^= (byte)xor;
        return out;
    }

    /** Type 2 instead of ADVERTISEMENT, with the checksum fixed so that only the type is wrong. */
    private static byte[] retype(final byte[] frame)
    {
        final byte[] out = frame.clone();
        final UnsafeBuffer b = new UnsafeBuffer(out);
        final int length = VrrpPacket.length(2, 1);
        b.putByte(34, (byte)0x22);
        b.putShort(34 + VrrpPacket.CHECKSUM_OFFSET, (short)0);
        final int sum = VrrpPacket.checksumV2(b, 34, length);
        b.putShort(34 + VrrpPacket.CHECKSUM_OFFSET, (short)sum, java.nio.ByteOrder.BIG_ENDIAN);
        return out;
    }

    /** The IP total length (and header checksum) says the VRRP message has only {@code vrrpLength} bytes. */
    private static byte[] shortened(final byte[] frame, final int vrrpLength)
    {
        final UnsafeBuffer b = new UnsafeBuffer(new byte[128]);
        b.putBytes(0, frame, 0, 34 + vrrpLength);
        final int ttl = b.getByte(14 + 8) & 0xFF;
        final long mac = MacAddresses.parse(macText(frame));
        final int src = b.getInt(14 + 12, java.nio.ByteOrder.BIG_ENDIAN);
        return Arrays.copyOf(frame(b, mac, src, ttl, vrrpLength), 60);
    }

    private static String macText(final byte[] frame)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 6; i < 12; i++)
        {
            sb.append(i > 6 ? ":" : "").append(String.format("%02x", frame[i] & 0xFF));
        }
        return sb.toString();
    }

    private static void send(final AfPacketChannel channel, final List<byte[]> frames)
    {
        final FrameClaim claim = new FrameClaim();
        for (final byte[] f : frames)
        {
            final UnsafeBuffer b = new UnsafeBuffer(f);
            while (!channel.send(b, 0, f.length, claim))
            {
                channel.flush();
                Thread.onSpinWait();
            }
            // one at a time: this part is about the checks, not the queue
            channel.flush();
            VrrpProcessLab.sleep(1);
        }
    }

    /** @return frames sent: {@link #FLOOD_FRAMES}, or fewer when {@link #FLOOD_NS} ran out first. */
    private static long flood(final AfPacketChannel channel, final List<byte[]> frames, final long start)
    {
        final FrameClaim claim = new FrameClaim();
        final List<UnsafeBuffer> buffers = frames.stream().map(UnsafeBuffer::new).toList();
        long sent = 0;
        while (sent < FLOOD_FRAMES && System.nanoTime() - start < FLOOD_NS)
        {
            final UnsafeBuffer b = buffers.get((int)(sent % buffers.size()));
            if (channel.send(b, 0, b.capacity(), claim))
            {
                sent++;
                if ((sent & 63) == 0)
                {
                    channel.flush();
                }
            }
            else
            {
                channel.flush();
                Thread.onSpinWait();
            }
        }
        channel.flush();
        return sent;
    }
}
