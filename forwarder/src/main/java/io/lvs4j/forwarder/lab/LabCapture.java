package io.lvs4j.forwarder.lab;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

import org.pcap4j.core.NotOpenException;
import org.pcap4j.core.PcapHandle;
import org.pcap4j.core.PcapNativeException;
import org.pcap4j.core.Pcaps;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;

/**
 * A tcpdump capture on one interface of a lab namespace, read back with pcap4j into plain {@link Frame} records:
 * the independent witness of what went over the wire (handshakes, resets, ICMP, MAC and address rewrites).
 * {@link #start} returns once tcpdump says it is listening; {@link #stop()} ends it with SIGINT (so the file is
 * complete) and parses the file. The file is deleted on {@link #close()}.
 */
public final class LabCapture implements AutoCloseable
{
    /** TCP flag bits as in the header. */
    public static final int FIN = 0x01;
    /** TCP SYN. */
    public static final int SYN = 0x02;
    /** TCP RST. */
    public static final int RST = 0x04;
    /** TCP PSH. */
    public static final int PSH = 0x08;
    /** TCP ACK. */
    public static final int ACK = 0x10;
    /** TCP URG. */
    public static final int URG = 0x20;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(15);
    /** Frames in flight when stop() is called still reach tcpdump if it gets a moment first. */
    private static final long SETTLE_MS = 200;

    private final String namespace;
    private final String iface;
    private final Path dir;
    private final Path file;
    private final Process process;
    private final StringBuilder stderr = new StringBuilder();
    private List<Frame> frames;
    private boolean closed;

    /**
     * One captured Ethernet frame, reduced to the fields lab tests check. Absent fields are null or -1.
     *
     * @param timestamp when it was captured
     * @param length the frame's captured length in bytes
     * @param srcMac source MAC, lower-case colon form
     * @param dstMac destination MAC
     * @param etherType e.g. 0x0800 IPv4, 0x0806 ARP, 0x86dd IPv6
     * @param srcIp the (outer) IPv4 source, or null
     * @param dstIp the (outer) IPv4 destination, or null
     * @param ipProtocol the outer IPv4 protocol (6 TCP, 17 UDP, 1 ICMP, 4 IPIP), or -1
     * @param innerSrcIp for IP-in-IP, the inner IPv4 source, else null
     * @param innerDstIp for IP-in-IP, the inner IPv4 destination, else null
     * @param tcpFlags TCP flag bits ({@link #SYN} etc.), or -1 if not TCP
     * @param srcPort TCP or UDP source port (of the innermost packet), or -1
     * @param dstPort TCP or UDP destination port, or -1
     * @param icmpType ICMPv4 type, or -1
     * @param icmpCode ICMPv4 code, or -1
     */
    public record Frame(Instant timestamp, int length, String srcMac, String dstMac, int etherType,
                        String srcIp, String dstIp, int ipProtocol, String innerSrcIp, String innerDstIp,
                        int tcpFlags, int srcPort, int dstPort, int icmpType, int icmpCode)
    {
        /** @return whether it carries TCP (directly or inside IP-in-IP). */
        public boolean isTcp()
        {
            return tcpFlags >= 0;
        }

        /**
         * @param flags one or more of {@link #SYN}, {@link #ACK}, ...
         * @return whether it is TCP with all those flags set
         */
        public boolean has(final int flags)
        {
            return tcpFlags >= 0 && (tcpFlags & flags) == flags;
        }

        /** @return whether it is a SYN without ACK (a connection attempt). */
        public boolean isSyn()
        {
            return has(SYN) && !has(ACK);
        }

        /** @return whether it is a TCP reset. */
        public boolean isRst()
        {
            return has(RST);
        }

        /** @return whether it is ICMPv4. */
        public boolean isIcmp()
        {
            return icmpType >= 0;
        }

        /** @return whether it is ARP. */
        public boolean isArp()
        {
            return etherType == 0x0806;
        }

        /** @return whether it is IP-in-IP (outer protocol 4). */
        public boolean isIpip()
        {
            return ipProtocol == 4;
        }

        @Override
        public String toString()
        {
            final StringBuilder sb = new StringBuilder().append(timestamp).append(' ').append(srcMac).append(" > ")
                .append(dstMac).append(String.format(" 0x%04x", etherType));
            if (srcIp != null)
            {
                sb.append(' ').append(srcIp).append(" > ").append(dstIp).append(" proto ").append(ipProtocol);
            }
            if (innerSrcIp != null)
            {
                sb.append(" [").append(innerSrcIp).append(" > ").append(innerDstIp).append(']');
            }
            if (srcPort >= 0)
            {
                sb.append(' ').append(srcPort).append(" > ").append(dstPort);
            }
            if (tcpFlags >= 0)
            {
                sb.append(" flags ").append(flagString(tcpFlags));
            }
            if (icmpType >= 0)
            {
                sb.append(" icmp ").append(icmpType).append('/').append(icmpCode);
            }
            return sb.append(" len ").append(length).toString();
        }
    }

    private LabCapture(final String namespace, final String iface, final String filter)
    {
        this.namespace = namespace;
        this.iface = iface;
        try
        {
            dir = Files.createTempDirectory("lab-capture-");
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        file = dir.resolve(iface + ".pcap");
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace, "tcpdump",
            "-i", iface, "-n", "-U",
            // immediate mode: libpcap's default TPACKET_V3 block would hold recent frames back until it retires
            "--immediate-mode",
            // stay root: tcpdump otherwise drops to its own user and may not write our root-owned temp dir
            "-Z", "root",
            "-s", "262144", "-w", file.toString()));
        if (filter != null && !filter.isBlank())
        {
            cmd.add(filter);
        }
        try
        {
            process = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        }
        catch (final IOException ex)
        {
            deleteFiles();
            throw new UncheckedIOException("cannot start " + String.join(" ", cmd), ex);
        }
        LabReaper.register(this);
        final CountDownLatch listening = new CountDownLatch(1);
        final Thread reader = new Thread(() -> readErrors(listening), "lab-capture-" + iface);
        reader.setDaemon(true);
        reader.start();
        try
        {
            final long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!listening.await(20, TimeUnit.MILLISECONDS))
            {
                if (!process.isAlive() || System.nanoTime() > deadline)
                {
                    final String why = process.isAlive() ? "did not start listening" : "exited " + process.exitValue();
                    close();
                    throw new IllegalStateException("tcpdump on " + iface + " in " + namespace + " " + why + ": "
                        + errors());
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            close();
            throw new IllegalStateException("interrupted while starting tcpdump", ex);
        }
    }

    /**
     * Starts capturing and returns once tcpdump listens.
     *
     * @param namespace the namespace holding the interface
     * @param iface the interface, e.g. {@code eth0}
     * @param filter a pcap filter such as {@code tcp port 80}, or null for everything
     * @return the running capture; stop or close it
     */
    public static LabCapture start(final String namespace, final String iface, final String filter)
    {
        return new LabCapture(namespace, iface, filter);
    }

    /**
     * Starts capturing on a lab host's interface.
     *
     * @param net the lab
     * @param node the host
     * @param iface its interface, e.g. {@code eth0}
     * @param filter a pcap filter, or null for everything
     * @return the running capture; stop or close it
     */
    public static LabCapture start(final LabNetwork net, final LabNetwork.Node node, final String iface,
                                   final String filter)
    {
        return new LabCapture(net.namespace(node), iface, filter);
    }

    /**
     * Stops tcpdump with SIGINT (it flushes and closes the file) and parses what it wrote. Idempotent.
     *
     * @return every captured frame, in capture order
     */
    public synchronized List<Frame> stop()
    {
        if (frames != null)
        {
            return frames;
        }
        if (closed)
        {
            throw new IllegalStateException("capture closed before it was stopped");
        }
        sleep(SETTLE_MS);
        Shell.tryRun("kill", "-INT", Long.toString(process.pid()));
        try
        {
            if (!process.waitFor(10, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        LabReaper.unregister(this);
        frames = List.copyOf(parse(file));
        return frames;
    }

    /** @return the frames of a stopped capture. */
    public synchronized List<Frame> frames()
    {
        if (frames == null)
        {
            throw new IllegalStateException("stop() the capture first");
        }
        return frames;
    }

    /**
     * @param filter which frames
     * @return the matching frames of a stopped capture
     */
    public List<Frame> frames(final Predicate<Frame> filter)
    {
        return frames().stream().filter(filter).toList();
    }

    /** @return the TCP frames. */
    public List<Frame> tcp()
    {
        return frames(Frame::isTcp);
    }

    /** @return the connection attempts (SYN without ACK). */
    public List<Frame> syns()
    {
        return frames(Frame::isSyn);
    }

    /** @return the TCP resets. */
    public List<Frame> tcpResets()
    {
        return frames(Frame::isRst);
    }

    /** @return the ICMPv4 frames. */
    public List<Frame> icmp()
    {
        return frames(Frame::isIcmp);
    }

    /** @return the ARP frames. */
    public List<Frame> arp()
    {
        return frames(Frame::isArp);
    }

    /** @return the pcap file (deleted on close); open it in Wireshark while debugging. */
    public Path file()
    {
        return file;
    }

    /** @return what tcpdump wrote to stderr (its listening line, its packet and drop counts on exit). */
    public String errors()
    {
        synchronized (stderr)
        {
            return stderr.toString().strip();
        }
    }

    /** Kills tcpdump if it still runs and deletes the capture file. Idempotent. */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        if (process.isAlive())
        {
            process.destroyForcibly();
            try
            {
                process.waitFor(5, TimeUnit.SECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
        deleteFiles();
        LabReaper.unregister(this);
    }

    @Override
    public String toString()
    {
        return "LabCapture[" + iface + " in " + namespace + "]";
    }

    /**
     * Reads a pcap file into frames; usable on any Ethernet capture.
     *
     * @param pcap the file
     * @return its frames in order
     */
    public static List<Frame> parse(final Path pcap)
    {
        final List<Frame> out = new ArrayList<>();
        if (!Files.exists(pcap))
        {
            return out;
        }
        try
        {
            final PcapHandle handle = Pcaps.openOffline(pcap.toString());
            try
            {
                while (true)
                {
                    final Packet packet;
                    try
                    {
                        packet = handle.getNextPacketEx();
                    }
                    catch (final EOFException ex)
                    {
                        break;
                    }
                    catch (final TimeoutException ex)
                    {
                        // offline handles do not time out; treat it as the end
                        break;
                    }
                    out.add(toFrame(handle.getTimestamp().toInstant(), packet));
                }
            }
            finally
            {
                handle.close();
            }
        }
        catch (final PcapNativeException | NotOpenException ex)
        {
            throw new IllegalStateException("cannot read " + pcap + ": " + ex.getMessage(), ex);
        }
        return out;
    }

    private static Frame toFrame(final Instant ts, final Packet packet)
    {
        final EthernetPacket eth = packet.get(EthernetPacket.class);
        if (eth == null)
        {
            return new Frame(ts, packet.length(), null, null, -1, null, null, -1, null, null, -1, -1, -1, -1, -1);
        }
        final int etherType = eth.getHeader().getType().value() & 0xffff;
        String srcIp = null;
        String dstIp = null;
        int proto = -1;
        String innerSrc = null;
        String innerDst = null;
        // walk the chain: the first IPv4 header is the outer one, a second one is IP-in-IP's inner packet
        for (Packet p = eth.getPayload(); p != null; p = p.getPayload())
        {
            if (p instanceof IpV4Packet ip)
            {
                if (srcIp == null)
                {
                    srcIp = text(ip.getHeader().getSrcAddr());
                    dstIp = text(ip.getHeader().getDstAddr());
                    proto = ip.getHeader().getProtocol().value() & 0xff;
                }
                else if (innerSrc == null)
                {
                    innerSrc = text(ip.getHeader().getSrcAddr());
                    innerDst = text(ip.getHeader().getDstAddr());
                }
            }
        }
        int flags = -1;
        int srcPort = -1;
        int dstPort = -1;
        final TcpPacket tcp = packet.get(TcpPacket.class);
        if (tcp != null)
        {
            final TcpPacket.TcpHeader h = tcp.getHeader();
            flags = (h.getFin() ? FIN : 0) | (h.getSyn() ? SYN : 0) | (h.getRst() ? RST : 0) | (h.getPsh() ? PSH : 0)
                | (h.getAck() ? ACK : 0) | (h.getUrg() ? URG : 0);
            srcPort = h.getSrcPort().valueAsInt();
            dstPort = h.getDstPort().valueAsInt();
        }
        final UdpPacket udp = packet.get(UdpPacket.class);
        if (tcp == null && udp != null)
        {
            srcPort = udp.getHeader().getSrcPort().valueAsInt();
            dstPort = udp.getHeader().getDstPort().valueAsInt();
        }
        int icmpType = -1;
        int icmpCode = -1;
        final IcmpV4CommonPacket icmp = packet.get(IcmpV4CommonPacket.class);
        if (icmp != null)
        {
            icmpType = icmp.getHeader().getType().value() & 0xff;
            icmpCode = icmp.getHeader().getCode().value() & 0xff;
        }
        return new Frame(ts, packet.length(), eth.getHeader().getSrcAddr().toString(),
            eth.getHeader().getDstAddr().toString(), etherType, srcIp, dstIp, proto, innerSrc, innerDst,
            flags, srcPort, dstPort, icmpType, icmpCode);
    }

    private static String text(final Inet4Address a)
    {
        return a.getHostAddress();
    }

    private static String flagString(final int flags)
    {
        final StringBuilder sb = new StringBuilder();
        final String[] names = {"F", "S", "R", "P", ".", "U"};
        for (int i = 0; i < names.length; i++)
        {
            if ((flags & (1 << i)) != 0)
            {
                sb.append(names[i]);
            }
        }
        return sb.length() == 0 ? "none" : sb.toString();
    }

    private void readErrors(final CountDownLatch listening)
    {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = r.readLine()) != null)
            {
                synchronized (stderr)
                {
                    stderr.append(line).append('\n');
                }
                if (line.contains("listening on"))
                {
                    listening.countDown();
                }
            }
        }
        catch (final IOException ex)
        {
            // tcpdump ended
        }
    }

    private void deleteFiles()
    {
        try
        {
            Files.deleteIfExists(file);
            Files.deleteIfExists(dir);
        }
        catch (final IOException ex)
        {
            // a leftover file in /tmp is harmless
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
