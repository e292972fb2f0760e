package io.lvs4j.forwarder.check;

import java.net.Inet4Address;
import java.net.InetAddress;

import org.agrona.collections.Int2ObjectHashMap;

/**
 * Sends ICMP echo requests for every PING_CHECK over one shared non-blocking {@link IcmpSocket} and matches replies
 * to their probes by sequence number (and, on a raw socket, by this process's id). Polled from the engine's loop.
 */
final class IcmpPinger implements AutoCloseable
{
    private final Int2ObjectHashMap<PingProbe> outstanding = new Int2ObjectHashMap<>();
    private final byte[] buffer = new byte[2048];
    private final int id = (int)(ProcessHandle.current().pid() & 0xFFFF);
    private IcmpSocket socket;
    private String unavailable;
    private int nextSequence;

    /**
     * Sends an echo request for a probe.
     *
     * @param probe the probe waiting for the reply.
     * @param to    where to send it.
     * @return null when sent, else why not.
     */
    String send(final PingProbe probe, final InetAddress to)
    {
        if (!(to instanceof Inet4Address v4))
        {
            return "PING_CHECK supports IPv4 only";
        }
        if (socket == null && unavailable == null)
        {
            try
            {
                socket = IcmpSocket.open();
            }
            catch (final RuntimeException | LinkageError ex)
            {
                unavailable = "no ICMP socket (needs CAP_NET_RAW or net.ipv4.ping_group_range): " + Probe.describe(ex);
            }
        }
        if (socket == null)
        {
            return unavailable;
        }
        int sequence;
        do
        {
            sequence = nextSequence++ & 0xFFFF;
        }
        while (outstanding.containsKey(sequence));
        final byte[] message = new byte[16];
        message[0] = 8; // echo request
        message[4] = (byte)(id >>> 8);
        message[5] = (byte)id;
        message[6] = (byte)(sequence >>> 8);
        message[7] = (byte)sequence;
        System.arraycopy("lvs4j-ch".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, message, 8, 8);
        final int checksum = checksum(message, 0, message.length);
        message[2] = (byte)(checksum >>> 8);
        message[3] = (byte)checksum;
        final int errno = socket.send(v4, message);
        if (errno != 0)
        {
            return "sendto: errno " + errno;
        }
        probe.sequence = sequence;
        outstanding.put(sequence, probe);
        return null;
    }

    /**
     * Forgets a probe that finished without a reply.
     *
     * @param probe the probe.
     */
    void cancel(final PingProbe probe)
    {
        if (probe.sequence >= 0 && outstanding.get(probe.sequence) == probe)
        {
            outstanding.remove(probe.sequence);
        }
    }

    /**
     * @return probes waiting for a reply.
     */
    int outstanding()
    {
        return outstanding.size();
    }

    /**
     * Reads every queued reply without waiting.
     *
     * @return replies matched.
     */
    int poll()
    {
        if (socket == null || outstanding.isEmpty())
        {
            return 0;
        }
        int matched = 0;
        int length;
        while ((length = socket.receive(buffer)) > 0)
        {
            int offset = 0;
            if (socket.raw())
            {
                offset = (buffer[0] & 0x0F) * 4;
            }
            if (length - offset < 8 || buffer[offset] != 0)
            {
                continue; // not an echo reply (a raw socket sees every ICMP message, our requests on loopback too)
            }
            final int replyId = (buffer[offset + 4] & 0xFF) << 8 | (buffer[offset + 5] & 0xFF);
            final int sequence = (buffer[offset + 6] & 0xFF) << 8 | (buffer[offset + 7] & 0xFF);
            if (socket.raw() && replyId != id)
            {
                continue;
            }
            final PingProbe probe = outstanding.remove(sequence);
            if (probe != null)
            {
                matched++;
                probe.onReply();
            }
        }
        return matched;
    }

    /**
     * Closes the socket.
     */
    public void close()
    {
        if (socket != null)
        {
            socket.close();
            socket = null;
        }
    }

    /**
     * The Internet checksum (RFC 1071).
     */
    static int checksum(final byte[] data, final int offset, final int length)
    {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2)
        {
            sum += (data[offset + i] & 0xFF) << 8 | (data[offset + i + 1] & 0xFF);
        }
        if ((length & 1) != 0)
        {
            sum += (data[offset + length - 1] & 0xFF) << 8;
        }
        while ((sum >>> 16) != 0)
        {
            sum = (sum & 0xFFFF) + (sum >>> 16);
        }
        return (int)(~sum & 0xFFFF);
    }
}
