package io.lvs4j.bench.lab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;

/**
 * Packet-rate lab (a benchmark, not a test): how many 64-byte UDP frames per second get through the director, next
 * to the kernel's own forwarding and nftables DNAT measured in the same run on the same topology.
 * <pre>
 *   gen (198.51.100.2) eth0 ==veth== eth0 dir eth1 ==veth== eth0 sink (192.0.2.11, VIP 203.0.113.10 on lo)
 *                                   198.51.100.1    192.0.2.1
 * </pre>
 * The generator is trafgen (TX ring, qdisc bypass, {@code --no-sock-mem -Q}, one process) sending 60-byte frames
 * (64 on the wire with the FCS: Ethernet + IPv4 + UDP + 18 bytes) to dir's MAC, UDP port 9, 1020 source ports. The
 * sink drops everything IPv4 at its netdev ingress hook and counts the frames of the row (UDP port 9, or IP
 * protocol 4 for TUN) in an nft counter: only what arrives is counted, and the sink's stack costs nothing. The rate
 * is measured over a window after a warm-up (ARP, JIT). Offloads are off on every veth; no namespace has a route to
 * the host. Rows: kernel forwarding (ip_forward=1, destination 192.0.2.11), lvs4j DR/NAT/TUN with 1 and 2 workers,
 * nftables DNAT (ip_forward=1, VIP:9 to 192.0.2.11:9; run last, because its conntrack stays loaded in the
 * namespace), then a loss check: lvs4j DR with its best worker count at 80% of its measured peak, sent vs received.
 * <p>
 * Run with {@code bench/bin/lab-bench packet-rate [--seconds 5] [--warmup 1] [--workers 1,2]
 * [--rows kernel,dr,nat,tun,nft] [--loss-fraction 0.8] [--no-loss-check] [--max-seconds 170]}, as root.
 */
public final class PacketRateHarness
{
    static final String VIP = "203.0.113.10";
    static final String GEN = "198.51.100.2";
    static final String DIR_CLIENT = "198.51.100.1";
    static final String DIR_SERVER = "192.0.2.1";
    static final String SINK = "192.0.2.11";
    static final int PORT = 9;
    static final int FLOWS = 4 * 255;

    private static final String USAGE = """
        usage: lab-bench packet-rate [--seconds S] [--warmup S] [--workers 1,2] [--rows kernel,dr,nat,tun,nft]
                                     [--loss-fraction 0.8] [--no-loss-check] [--max-seconds 170] [--no-pin]
                                     [--block-kib K] [--blocks N]
          --seconds        measurement window per row (default 5)
          --warmup         seconds of traffic before the window (ARP, JIT; default 1)
          --workers        director worker counts for the lvs4j rows (default 1,2)
          --rows           which rows (default kernel,dr,nat,tun,nft)
          --loss-fraction  loss check rate as a fraction of the best DR rate (default 0.8)
          --no-loss-check  skip the loss check
          --max-seconds    hard limit for the whole run; cleanup still happens (default 170)
          --no-pin         leave the director's worker threads unpinned (default: worker w on CPU (w+1) mod
                           CPUs, trafgen pins itself to CPU 0)
          --block-kib, --blocks  the director's receive ring (AfPacketChannels customizer; default: the
                           forwarder's AfPacketOptions defaults)""";

    private final Lab lab;
    private final double seconds;
    private final double warmup;
    private final boolean pin;
    private final int blockSize;
    private final int blockCount;
    private String dirMac;
    private String sinkMac;
    private String genMac;

    private PacketRateHarness(final Lab lab, final double seconds, final double warmup, final boolean pin,
        final int blockSize, final int blockCount)
    {
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.lab = lab;
        this.seconds = seconds;
        this.warmup = warmup;
        this.pin = pin;
    }

    /** What one row measured. */
    record Row(String path, int workers, double offeredPps, double receivedPps, String drops, String notes)
    {
    }

    public static void main(final String[] argv) throws Exception
    {
        final Args args = new Args(argv, USAGE, "seconds", "warmup", "workers", "rows", "loss-fraction",
            "no-loss-check", "max-seconds", "no-pin", "block-kib",
            "blocks");
        Lab.requireRootAndTools("packet-rate", "ip", "ethtool", "nft", "trafgen");
        final double seconds = args.number("seconds", 5);
        final double warmup = args.number("warmup", 1);
        final List<Integer> workers = args.list("workers", "1,2").stream().map(Integer::parseInt).toList();
        final List<String> rows = args.list("rows", "kernel,dr,nat,tun,nft");
        final double lossFraction = args.number("loss-fraction", 0.8);
        Watchdog.start((long)args.number("max-seconds", 170));

        final long start = System.nanoTime();
        final List<Row> results = new ArrayList<>();
        Row loss = null;
        double lossRate = Double.NaN;
        double lossElapsed = Double.NaN;
        long[] lossCounts = null;
        try (Lab lab = new Lab())
        {
            final boolean pin = !args.flag("no-pin");
            final int blockKib = (int)args.number("block-kib", 0);
            final int blocks = (int)args.number("blocks", 0);
            final PacketRateHarness h = new PacketRateHarness(lab, seconds, warmup, pin, blockKib * 1024, blocks);
            h.build();
            System.out.printf(Locale.ROOT, "packet-rate lab: %s, %d flows, 60-byte frames (64 B on the wire), " +
                "window %.1f s after %.1f s warm-up, trafgen -P 1 (CPU 0)%s, %d CPUs%n", lab.ns("*"), FLOWS,
                seconds, warmup, pin ? ", director worker w pinned to CPU (w+1) mod CPUs" : "",
                Runtime.getRuntime().availableProcessors());
            System.out.println("director: " + DirectorProbe.ringText(blockKib * 1024, blocks));
            if (rows.contains("kernel"))
            {
                results.add(h.kernelForwarding());
            }
            for (final String method : List.of("dr", "nat", "tun"))
            {
                if (rows.contains(method))
                {
                    for (final int w : workers)
                    {
                        results.add(h.lvs4j(method, w));
                    }
                }
            }
            if (!args.flag("no-loss-check") && rows.contains("dr"))
            {
                Row best = null;
                for (final Row r : results)
                {
                    if (r.path.equals("lvs4j DR") && (best == null || r.receivedPps > best.receivedPps))
                    {
                        best = r;
                    }
                }
                if (best != null && best.receivedPps > 0)
                {
                    lossRate = Math.floor(best.receivedPps * lossFraction / 1000) * 1000;
                    final Object[] out = h.lossCheck(best.workers, (long)lossRate);
                    loss = (Row)out[0];
                    lossCounts = (long[])out[1];
                    lossElapsed = (double)out[2];
                }
            }
            if (rows.contains("nft"))
            {
                results.add(h.nftDnat());
            }
        }
        print(results, loss, lossRate, lossFraction, lossCounts, lossElapsed);
        System.out.printf(Locale.ROOT, "(run took %.0f s; namespaces removed)%n", (System.nanoTime() - start) / 1e9);
        System.exit(0);
    }

    // ------------------------------------------------------------------ topology

    private void build()
    {
        lab.addNamespace("gen");
        lab.addNamespace("dir");
        lab.addNamespace("sink");
        lab.veth("gen", "eth0", "dir", "eth0");
        lab.veth("dir", "eth1", "sink", "eth0");
        lab.ip("gen", "addr", "add", GEN + "/24", "dev", "eth0");
        lab.ip("gen", "route", "add", "192.0.2.0/24", "via", DIR_CLIENT);
        lab.ip("gen", "route", "add", VIP + "/32", "via", DIR_CLIENT);
        lab.ip("dir", "addr", "add", DIR_CLIENT + "/24", "dev", "eth0");
        lab.ip("dir", "addr", "add", DIR_SERVER + "/24", "dev", "eth1");
        lab.sysctl("dir", "net.ipv4.ip_forward", "0");
        lab.ip("sink", "addr", "add", SINK + "/24", "dev", "eth0");
        lab.ip("sink", "addr", "add", VIP + "/32", "dev", "lo");
        lab.sysctl("sink", "net.ipv4.conf.all.arp_ignore", "1");
        lab.sysctl("sink", "net.ipv4.conf.all.arp_announce", "2");
        lab.ip("sink", "route", "add", "198.51.100.0/24", "via", DIR_SERVER);
        dirMac = lab.mac("dir", "eth0");
        genMac = lab.mac("gen", "eth0");
        sinkMac = lab.mac("sink", "eth0");
        // the kernel rows need the sink's MAC; the director resolves it itself (ARP passes the sink's filter)
        lab.ip("dir", "neigh", "replace", SINK, "lladdr", sinkMac, "dev", "eth1", "nud", "permanent");
        lab.nft("sink", """
            table netdev l4jsink {
                counter rows { }
                chain in {
                    type filter hook ingress device "eth0" priority 0; policy accept;
                }
            }
            """);
        writeConfig("to-sink", SINK);
        writeConfig("to-vip", VIP);
    }

    /** The sink counts the frames of the row (UDP port 9, or IPIP) and drops every IPv4 frame at ingress. */
    private void sinkCounts(final boolean ipip)
    {
        lab.nft("sink", "flush chain netdev l4jsink in\n" +
            "add rule netdev l4jsink in " + (ipip ? "ip protocol 4" : "udp dport " + PORT) + " counter name rows drop\n" +
            "add rule netdev l4jsink in meta protocol ip drop\n" +
            "reset counter netdev l4jsink rows\n");
    }

    private long sinkCount()
    {
        final String out = lab.exec("sink", "nft", "list", "counter", "netdev", "l4jsink", "rows").out();
        final Matcher m = Pattern.compile("packets (\\d+)").matcher(out);
        if (!m.find())
        {
            throw new IllegalStateException("no counter in " + out);
        }
        return Long.parseLong(m.group(1));
    }

    private void writeConfig(final String name, final String destination)
    {
        final StringBuilder ip = new StringBuilder();
        for (final String part : destination.split("\\."))
        {
            ip.append(part).append(", ");
        }
        final String cfg = "{\n" +
            "  " + hex(dirMac) + ", " + hex(genMac) + ", c16(0x0800),\n" +
            "  0x45, 0x00, c16(46), c16(0), c16(0x4000), 64, 17, csumip(14, 33),\n" +
            "  198, 51, 100, 2, " + ip + "\n" +
            // source ports 0x0400..0x07fe: two counters of coprime periods 4 and 255 -> 1020 flows
            "  dinc(4, 7), dinc(0, 254), c16(" + PORT + "), c16(26), c16(0),\n" +
            "  fill(0x00, 18)\n" +
            "}\n";
        lab.write(lab.workDir().resolve(name + ".cfg"), cfg);
    }

    private static String hex(final String mac)
    {
        return "0x" + mac.replace(":", ", 0x");
    }

    // ------------------------------------------------------------------ generator

    /** Starts trafgen for a bounded time (timeout -s INT makes it print its totals). */
    private Process generator(final String config, final double forSeconds, final long ratePps, final long count)
    {
        final List<String> cmd = new ArrayList<>(List.of("timeout", "-s", "INT",
            String.format(Locale.ROOT, "%.2f", forSeconds), "trafgen", "--dev", "eth0", "--conf",
            lab.workDir().resolve(config + ".cfg").toString(), "--no-sock-mem", "-Q", "-P", "1"));
        if (ratePps > 0)
        {
            cmd.addAll(List.of("-b", ratePps + "pps"));
        }
        if (count > 0)
        {
            cmd.addAll(List.of("-n", Long.toString(count)));
        }
        return lab.start("gen", "trafgen", cmd.toArray(String[]::new));
    }

    private long finish(final Process gen)
    {
        try
        {
            gen.waitFor();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        lab.stop(gen);
        final Matcher m = Pattern.compile("(\\d+) packets outgoing").matcher(lab.log("trafgen"));
        long total = 0;
        boolean any = false;
        while (m.find())
        {
            total += Long.parseLong(m.group(1));
            any = true;
        }
        if (!any)
        {
            System.err.println("[packet-rate] trafgen printed no totals:\n" + lab.log("trafgen"));
        }
        return any ? total : -1;
    }

    /** Traffic for warm-up + window; returns offered and received pps over the window and kernel notes. */
    private double[] measure(final String config, final StringBuilder notes)
    {
        final long[] dir0 = lab.linkCounters("dir", "eth0");
        final Process gen = generator(config, warmup + seconds + 0.3, 0, 0);
        Lab.sleep((long)(warmup * 1000));
        final long g1 = lab.linkCounters("gen", "eth0")[2];
        final long c1 = sinkCount();
        final long t1 = System.nanoTime();
        Lab.sleep((long)(seconds * 1000));
        final long c2 = sinkCount();
        final long t2 = System.nanoTime();
        final long g2 = lab.linkCounters("gen", "eth0")[2];
        final long sent = finish(gen);
        final long[] dir1 = lab.linkCounters("dir", "eth0");
        final long[] genL = lab.linkCounters("gen", "eth0");
        final double dt = (t2 - t1) / 1e9;
        if (dir1[1] - dir0[1] != 0 || genL[3] != 0)
        {
            notes.append(" dir eth0 rx_dropped +").append(dir1[1] - dir0[1]).append(", gen eth0 tx_dropped ")
                .append(genL[3]).append(';');
        }
        notes.append(" trafgen sent ").append(sent).append(';');
        return new double[] {(g2 - g1) / dt, (c2 - c1) / dt};
    }

    // ------------------------------------------------------------------ rows

    private Row kernelForwarding()
    {
        sinkCounts(false);
        lab.sysctl("dir", "net.ipv4.ip_forward", "1");
        try
        {
            final StringBuilder notes = new StringBuilder();
            final double[] r = measure("to-sink", notes);
            return new Row("kernel forwarding", 0, r[0], r[1], "-", notes.toString());
        }
        finally
        {
            lab.sysctl("dir", "net.ipv4.ip_forward", "0");
        }
    }

    private Row nftDnat()
    {
        sinkCounts(false);
        lab.sysctl("dir", "net.ipv4.ip_forward", "1");
        lab.nft("dir", """
            table ip l4jdnat {
                chain pre {
                    type nat hook prerouting priority dstnat; policy accept;
                    ip daddr %s udp dport %d dnat to %s:%d
                }
            }
            """.formatted(VIP, PORT, SINK, PORT));
        try
        {
            final StringBuilder notes = new StringBuilder();
            final double[] r = measure("to-vip", notes);
            final String ct = lab.tryExec("dir", "sh", "-c", "cat /proc/sys/net/netfilter/nf_conntrack_count").out()
                .strip();
            notes.append(" conntrack entries ").append(ct).append(';');
            return new Row("nftables DNAT", 0, r[0], r[1], "-", notes.toString());
        }
        finally
        {
            lab.tryExec("dir", "nft", "delete", "table", "ip", "l4jdnat");
            lab.sysctl("dir", "net.ipv4.ip_forward", "0");
        }
    }

    /** A running director with the channels it opened (to read their kernel statistics). */
    private record Running(Director director, DirectorProbe probe, VirtualService service)
    {
    }

    private Running launch(final String method, final int workers)
    {
        final String dirNs = lab.ns("dir");
        final DirectorProbe probe = new DirectorProbe(dirNs, blockSize, blockCount);
        final Director director = lab.own(Director.launch(new Director.Context()
            .networkNamespace(dirNs)
            .interfaces("eth0", "eth1")
            .workers(workers)
            .connectionCapacity(1 << 16)
            .channels(probe)));
        final VirtualService service = VirtualService.udp(VIP, PORT).withScheduler("rr");
        director.addService(service);
        final RealServer rs = switch (method)
        {
            case "dr" -> RealServers.direct(SINK, PORT, 1);
            case "nat" -> RealServers.nat(SINK, PORT, 1);
            default -> RealServers.tunnel(SINK, PORT, 1);
        };
        director.addRealServer(service, rs);
        if (pin)
        {
            pinWorkers(workers);
        }
        return new Running(director, probe, service);
    }

    /** Pins the threads named lvs4j-worker-N of this JVM: worker w on CPU (w + 1) mod CPUs. */
    static void pinWorkers(final int workers)
    {
        final int cpus = Runtime.getRuntime().availableProcessors();
        final Path tasks = Path.of("/proc/self/task");
        try (java.util.stream.Stream<Path> list = java.nio.file.Files.list(tasks))
        {
            for (final Path task : list.toList())
            {
                final String comm = java.nio.file.Files.readString(task.resolve("comm")).strip();
                if (comm.startsWith("lvs4j-worker-"))
                {
                    final int w = Integer.parseInt(comm.substring("lvs4j-worker-".length()));
                    Lab.Shell.run("taskset", "-p", "-c", Integer.toString((w + 1) % cpus),
                        task.getFileName().toString());
                }
            }
        }
        catch (final java.io.IOException | RuntimeException ex)
        {
            System.err.println("[packet-rate] cannot pin worker threads: " + ex);
        }
    }

    private Row lvs4j(final String method, final int workers)
    {
        sinkCounts(method.equals("tun"));
        final Running run = launch(method, workers);
        try
        {
            final StringBuilder notes = new StringBuilder();
            final double[] r = measure("to-vip", notes);
            notes.append(run.probe.channelNotes(run.director));
            return new Row("lvs4j " + method.toUpperCase(Locale.ROOT), workers, r[0], r[1], DirectorProbe.drops(run.director),
                notes.toString());
        }
        catch (final RuntimeException ex)
        {
            return new Row("lvs4j " + method.toUpperCase(Locale.ROOT), workers, Double.NaN, Double.NaN, "-",
                "FAILED: " + ex);
        }
        finally
        {
            lab.release(run.director);
        }
    }

    /** Returns {row, {sent by trafgen, gen tx counter, received}, elapsed seconds}. */
    private Object[] lossCheck(final int workers, final long ratePps)
    {
        sinkCounts(false);
        final Running run = launch("dr", workers);
        try
        {
            // warm-up at the same rate: ARP for the sink, JIT
            finish(generator("to-vip", warmup + 0.5, ratePps, 0));
            Lab.sleep(300);
            final long c0 = sinkCount();
            final long g0 = lab.linkCounters("gen", "eth0")[2];
            final long dropsBefore = DirectorProbe.realDrops(run.director);
            final long ringBefore = run.probe.ringDrops();
            final long count = (long)(ratePps * seconds);
            final long t0 = System.nanoTime();
            final long sent = finish(generator("to-vip", seconds * 2 + 5, ratePps, count));
            final double elapsed = (System.nanoTime() - t0) / 1e9;
            Lab.sleep(500);
            final long c1 = sinkCount();
            final long g1 = lab.linkCounters("gen", "eth0")[2];
            final String notes = " director drops during the check " + (DirectorProbe.realDrops(run.director) - dropsBefore) +
                ", ring drops " + (run.probe.ringDrops() - ringBefore) + ";" + run.probe.channelNotes(run.director);
            final Row row = new Row("loss check: lvs4j DR", workers, (g1 - g0) / elapsed, (c1 - c0) / elapsed,
                DirectorProbe.drops(run.director), notes);
            return new Object[] {row, new long[] {sent, g1 - g0, c1 - c0}, elapsed};
        }
        finally
        {
            lab.release(run.director);
        }
    }

    // ------------------------------------------------------------------ report

    private static void print(final List<Row> rows, final Row loss, final double lossRate, final double fraction,
        final long[] lossCounts, final double lossElapsed)
    {
        double kernel = Double.NaN;
        for (final Row r : rows)
        {
            if (r.path.equals("kernel forwarding"))
            {
                kernel = r.receivedPps;
            }
        }
        final Table t = new Table("path", "workers", "offered pps (gen tx)", "received pps (sink)", "delivered",
            "vs kernel fwd", "director drops");
        for (final Row r : rows)
        {
            t.row(r.path, r.workers == 0 ? "-" : Integer.toString(r.workers), Table.si(r.offeredPps),
                Table.si(r.receivedPps), Table.pct(r.receivedPps / r.offeredPps), Table.ratio(r.receivedPps, kernel),
                r.drops);
        }
        System.out.println();
        System.out.println("## Packet rate: 64-byte UDP frames, gen -> dir -> sink (same run)");
        System.out.println();
        System.out.print(t.render());
        System.out.println();
        System.out.println("Details per row:");
        for (final Row r : rows)
        {
            System.out.println("- " + r.path + (r.workers == 0 ? "" : " (" + r.workers + " worker(s))") + ":" +
                r.notes);
        }
        if (loss != null)
        {
            final long sent = lossCounts[1];
            final long received = lossCounts[2];
            System.out.println();
            System.out.printf(Locale.ROOT, "## Loss check: lvs4j DR, %d worker(s), trafgen -b %.0fpps (%.0f%% of " +
                    "the best DR rate)%n%n", loss.workers, lossRate, fraction * 100);
            final Table l = new Table("sent (gen tx)", "trafgen reported", "received (sink)", "lost", "loss",
                "achieved rate", "director drops");
            l.row(Long.toString(sent), Long.toString(lossCounts[0]), Long.toString(received),
                Long.toString(sent - received), Table.pct(sent == 0 ? Double.NaN : (double)(sent - received) / sent),
                Table.si(sent / lossElapsed) + "pps", loss.drops);
            System.out.print(l.render());
            System.out.println("-" + loss.notes);
        }
    }

    /** Stops the JVM (cleanup runs in the shutdown hook) when the run exceeds its time limit. */
    static final class Watchdog
    {
        private Watchdog()
        {
        }

        static void start(final long seconds)
        {
            final Thread t = new Thread(() ->
            {
                try
                {
                    Thread.sleep(seconds * 1000);
                    System.err.println("[lab] time limit of " + seconds + " s reached: stopping (cleanup runs)");
                    System.exit(3);
                }
                catch (final InterruptedException ignored)
                {
                    // done
                }
            }, "lab-watchdog");
            t.setDaemon(true);
            t.start();
        }
    }
}
