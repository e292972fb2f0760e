package io.lvs4j.bench.lab;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServers;
import io.lvs4j.forwarder.tunnel.IpIpTunnelEndpoint;

/**
 * HTTP lab (a benchmark, not a test): the lab-baselines topology, wrk from the client through the VIP to two nginx
 * real servers (1 worker each, a tiny body naming the server), every set-up measured in the same run.
 * <ul>
 *   <li>Topology "one segment": cli (198.51.100.2), dir (198.51.100.1 + 192.0.2.1), rs1 (192.0.2.11), rs2
 *       (192.0.2.12), all on bridge br0 in its own namespace; real servers hold the VIP on lo with the LVS-DR ARP
 *       sysctls and reach the client on-link. Rows: direct to rs1 (the ceiling), lvs4j DR, lvs4j TUN (an
 *       {@link IpIpTunnelEndpoint} on each real server), HAProxy mode tcp roundrobin in dir (the VIP then on dir's
 *       lo, its kernel answering ARP).</li>
 *   <li>Topology "two segments": cli and dir eth0 on br0, dir eth1 and the real servers on br1, real servers' default
 *       route via dir. Rows: lvs4j NAT (dir's kernel does not forward), nftables DNAT with numgen (VIP on dir's
 *       lo, ip_forward=1).</li>
 * </ul>
 * Offloads are off on every veth; no namespace has a route to the host. Each row: a check that the VIP answers
 * (and which servers answer 10 requests), a 1 s wrk warm-up, then {@code wrk -t2 -c64 -dS --latency} with
 * keep-alive and with {@code Connection: close}. The client has ip_local_port_range 1024-65535 and tcp_tw_reuse=1
 * so that close runs do not run out of ports.
 * <p>
 * Run with {@code bench/bin/lab-bench http [--seconds 5] [--workers 1] [--rows direct,dr,tun,haproxy,nat,nft]
 * [--threads 2] [--connections 64] [--max-seconds 240]}, as root.
 */
public final class HttpLabHarness
{
    static final String VIP = "203.0.113.10";
    static final String CLI = "198.51.100.2";
    static final String DIR_CLIENT = "198.51.100.1";
    static final String DIR_SERVER = "192.0.2.1";
    static final String RS1 = "192.0.2.11";
    static final String RS2 = "192.0.2.12";

    private static final String USAGE = """
        usage: lab-bench http [--seconds S] [--workers N] [--rows direct,dr,tun,haproxy,nat,nft]
                              [--threads 2] [--connections 64] [--warmup 1] [--max-seconds 240]
          --seconds      wrk duration per measurement (default 5; the baselines used 10)
          --workers      lvs4j director workers (default 1)
          --rows         which set-ups (default direct,dr,tun,haproxy,nat,nft)
          --threads      wrk -t (default 2)   --connections  wrk -c (default 64)
          --warmup       seconds of wrk before each row's measurements (default 1)
          --max-seconds  hard limit for the whole run; cleanup still happens (default 240)""";

    private final Lab lab;
    private final Args args;
    private final int seconds;
    private final int workers;

    /** One set-up's results: keep-alive and close runs. */
    record Row(String setup, Wrk keepAlive, Wrk close, String balance, String notes)
    {
    }

    /** What wrk printed. */
    record Wrk(double requestsPerSecond, double p50Ms, double p99Ms, long errors, String raw)
    {
        static final Wrk FAILED = new Wrk(Double.NaN, Double.NaN, Double.NaN, -1, "");
    }

    private HttpLabHarness(final Lab lab, final Args args)
    {
        this.lab = lab;
        this.args = args;
        this.seconds = (int)args.number("seconds", 5);
        this.workers = (int)args.number("workers", 1);
    }

    public static void main(final String[] argv) throws Exception
    {
        final Args args = new Args(argv, USAGE, "seconds", "workers", "rows", "threads", "connections", "warmup",
            "max-seconds");
        Lab.requireRootAndTools("http", "ip", "ethtool", "nft", "wrk", "nginx", "haproxy", "curl");
        final List<String> rows = args.list("rows", "direct,dr,tun,haproxy,nat,nft");
        PacketRateHarness.Watchdog.start((long)args.number("max-seconds", 240));
        final long start = System.nanoTime();
        final List<Row> results = new ArrayList<>();
        try (Lab lab = new Lab())
        {
            final HttpLabHarness h = new HttpLabHarness(lab, args);
            System.out.printf(Locale.ROOT, "http lab: %s, wrk -t%d -c%d -d%ds, lvs4j workers %d%n", lab.ns("*"),
                (int)args.number("threads", 2), (int)args.number("connections", 64), h.seconds, h.workers);
            if (rows.stream().anyMatch(r -> List.of("direct", "dr", "tun", "haproxy").contains(r)))
            {
                h.buildOneSegment("a");
                if (rows.contains("direct"))
                {
                    results.add(h.direct("a"));
                }
                if (rows.contains("dr"))
                {
                    results.add(h.lvs4j("a", "dr"));
                }
                if (rows.contains("tun"))
                {
                    results.add(h.lvs4j("a", "tun"));
                }
                if (rows.contains("haproxy"))
                {
                    results.add(h.haproxy("a"));
                }
            }
            if (rows.contains("nat") || rows.contains("nft"))
            {
                h.buildTwoSegments("b");
                if (rows.contains("nat"))
                {
                    results.add(h.lvs4j("b", "nat"));
                }
                if (rows.contains("nft"))
                {
                    results.add(h.nftDnat("b"));
                }
            }
        }
        print(results, args);
        System.out.printf(Locale.ROOT, "(run took %.0f s; namespaces removed)%n", (System.nanoTime() - start) / 1e9);
        System.exit(0);
    }

    // ------------------------------------------------------------------ topologies

    private String n(final String topo, final String node)
    {
        return topo + node;
    }

    /** A node's eth0 (or another interface) plugged into a bridge of the topology's bridge namespace. */
    private void plug(final String topo, final String node, final String ifname, final String bridge)
    {
        final String port = node + "-" + ifname;
        lab.veth(n(topo, node), ifname, n(topo, "br"), port);
        lab.ip(n(topo, "br"), "link", "set", port, "master", bridge);
    }

    private void bridges(final String topo, final String... names)
    {
        lab.addNamespace(n(topo, "br"));
        for (final String b : names)
        {
            lab.ip(n(topo, "br"), "link", "add", b, "type", "bridge", "stp_state", "0", "forward_delay", "0");
            lab.ip(n(topo, "br"), "link", "set", b, "up");
        }
        for (final String node : List.of("cli", "dir", "rs1", "rs2"))
        {
            lab.addNamespace(n(topo, node));
        }
    }

    private void client(final String topo)
    {
        final String cli = n(topo, "cli");
        lab.ip(cli, "addr", "add", CLI + "/24", "dev", "eth0");
        // on-link: the client ARPs for the VIP, which the director (user space or kernel) answers
        lab.ip(cli, "route", "add", VIP + "/32", "dev", "eth0");
        lab.sysctl(cli, "net.ipv4.ip_local_port_range", "1024 65535");
        lab.sysctl(cli, "net.ipv4.tcp_tw_reuse", "1");
    }

    private void buildOneSegment(final String topo)
    {
        bridges(topo, "br0");
        for (final String node : List.of("cli", "dir", "rs1", "rs2"))
        {
            plug(topo, node, "eth0", "br0");
        }
        client(topo);
        lab.ip(n(topo, "cli"), "route", "add", "192.0.2.0/24", "dev", "eth0");
        final String dir = n(topo, "dir");
        lab.ip(dir, "addr", "add", DIR_CLIENT + "/24", "dev", "eth0");
        lab.ip(dir, "addr", "add", DIR_SERVER + "/24", "dev", "eth0");
        lab.sysctl(dir, "net.ipv4.ip_forward", "0");
        for (final String rs : List.of("rs1", "rs2"))
        {
            final String ns = n(topo, rs);
            lab.ip(ns, "addr", "add", address(rs) + "/24", "dev", "eth0");
            lab.ip(ns, "addr", "add", VIP + "/32", "dev", "lo");
            lab.sysctl(ns, "net.ipv4.conf.all.arp_ignore", "1");
            lab.sysctl(ns, "net.ipv4.conf.eth0.arp_ignore", "1");
            lab.sysctl(ns, "net.ipv4.conf.all.arp_announce", "2");
            lab.sysctl(ns, "net.ipv4.conf.eth0.arp_announce", "2");
            lab.sysctl(ns, "net.ipv4.conf.eth0.rp_filter", "0");
            lab.ip(ns, "route", "add", "198.51.100.0/24", "dev", "eth0");
            nginx(topo, rs);
        }
    }

    private void buildTwoSegments(final String topo)
    {
        bridges(topo, "br0", "br1");
        plug(topo, "cli", "eth0", "br0");
        plug(topo, "dir", "eth0", "br0");
        plug(topo, "dir", "eth1", "br1");
        plug(topo, "rs1", "eth0", "br1");
        plug(topo, "rs2", "eth0", "br1");
        client(topo);
        final String dir = n(topo, "dir");
        lab.ip(dir, "addr", "add", DIR_CLIENT + "/24", "dev", "eth0");
        lab.ip(dir, "addr", "add", DIR_SERVER + "/24", "dev", "eth1");
        lab.sysctl(dir, "net.ipv4.ip_forward", "0");
        for (final String rs : List.of("rs1", "rs2"))
        {
            final String ns = n(topo, rs);
            lab.ip(ns, "addr", "add", address(rs) + "/24", "dev", "eth0");
            lab.ip(ns, "route", "add", "default", "via", DIR_SERVER, "dev", "eth0");
            nginx(topo, rs);
        }
    }

    private static String address(final String rs)
    {
        return rs.equals("rs1") ? RS1 : RS2;
    }

    /** nginx with 1 worker answering its own name, in the foreground, its own pid file and temp paths. */
    private void nginx(final String topo, final String rs)
    {
        final Path dir = lab.workDir().resolve("nginx-" + topo + rs);
        try
        {
            Files.createDirectories(dir.resolve("tmp"));
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        final String conf = """
            worker_processes 1;
            daemon off;
            pid %1$s/nginx.pid;
            error_log %1$s/error.log warn;
            events { worker_connections 4096; }
            http {
                access_log off;
                client_body_temp_path %1$s/tmp/body;
                proxy_temp_path %1$s/tmp/proxy;
                fastcgi_temp_path %1$s/tmp/fastcgi;
                uwsgi_temp_path %1$s/tmp/uwsgi;
                scgi_temp_path %1$s/tmp/scgi;
                server {
                    listen 80 backlog=4096;
                    location / { default_type text/plain; return 200 "%2$s\\n"; }
                }
            }
            """.formatted(dir, rs);
        lab.write(dir.resolve("nginx.conf"), conf);
        lab.start(n(topo, rs), "nginx-" + topo + rs, "nginx", "-e", dir.resolve("error.log").toString(), "-c",
            dir.resolve("nginx.conf").toString());
        final long deadline = System.currentTimeMillis() + 5000;
        while (!lab.tryExec(n(topo, rs), "curl", "-s", "-m", "1", "http://" + address(rs) + "/").out()
            .startsWith(rs))
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("nginx in " + rs + " does not answer: " +
                    lab.log("nginx-" + topo + rs));
            }
            Lab.sleep(50);
        }
    }

    // ------------------------------------------------------------------ rows

    private Row direct(final String topo)
    {
        return measure(topo, "direct to rs1 (ceiling)", "http://" + RS1 + "/", new StringBuilder());
    }

    private Row lvs4j(final String topo, final String method)
    {
        final String dirNs = lab.ns(n(topo, "dir"));
        final List<AutoCloseable> endpoints = new ArrayList<>();
        Director director = null;
        final DirectorProbe probe = new DirectorProbe(dirNs);
        final StringBuilder notes = new StringBuilder();
        final String name = "lvs4j " + method.toUpperCase(Locale.ROOT);
        try
        {
            if (method.equals("tun"))
            {
                for (final String rs : List.of("rs1", "rs2"))
                {
                    endpoints.add(lab.own(IpIpTunnelEndpoint.open(lab.ns(n(topo, rs)), "eth0", address(rs),
                        "l4jtun0")));
                }
            }
            director = lab.own(Director.launch(new Director.Context()
                .networkNamespace(dirNs)
                .interfaces(method.equals("nat") ? new String[] {"eth0", "eth1"} : new String[] {"eth0"})
                .workers(workers)
                .channels(probe)));
            final VirtualService web = VirtualService.tcp(VIP, 80).withScheduler("rr");
            director.addService(web);
            for (final String rs : List.of("rs1", "rs2"))
            {
                final RealServer server = switch (method)
                {
                    case "dr" -> RealServers.direct(address(rs), 80, 1);
                    case "nat" -> RealServers.nat(address(rs), 80, 1);
                    default -> RealServers.tunnel(address(rs), 80, 1);
                };
                director.addRealServer(web, server);
            }
            final Row row = measure(topo, name, "http://" + VIP + "/", notes);
            notes.append(" director drops: ").append(DirectorProbe.drops(director)).append(';')
                .append(probe.channelNotes(director));
            for (final AutoCloseable e : endpoints)
            {
                final IpIpTunnelEndpoint ep = (IpIpTunnelEndpoint)e;
                notes.append(" ipip endpoint delivered ").append(ep.delivered()).append(", ignored ")
                    .append(ep.ignored()).append(", write errors ").append(ep.writeErrors()).append(';');
            }
            return new Row(row.setup, row.keepAlive, row.close, row.balance, notes.toString());
        }
        catch (final RuntimeException ex)
        {
            return new Row(name, Wrk.FAILED, Wrk.FAILED, "-", " FAILED: " + ex + notes);
        }
        finally
        {
            if (director != null)
            {
                lab.release(director);
            }
            for (final AutoCloseable e : endpoints)
            {
                lab.release(e);
            }
        }
    }

    private Row haproxy(final String topo)
    {
        final String dir = n(topo, "dir");
        final Path conf = lab.workDir().resolve("haproxy.cfg");
        lab.write(conf, """
            global
                maxconn 8000
            defaults
                mode tcp
                timeout connect 5s
                timeout client 30s
                timeout server 30s
            frontend vip
                bind %s:80
                default_backend rs
            backend rs
                balance roundrobin
                server rs1 %s:80
                server rs2 %s:80
            """.formatted(VIP, RS1, RS2));
        // the VIP on the director's kernel for this row only: it answers ARP and terminates TCP
        lab.ip(dir, "addr", "add", VIP + "/32", "dev", "lo");
        final Process p = lab.start(dir, "haproxy", "haproxy", "-db", "-f", conf.toString());
        try
        {
            final Row row = measure(topo, "HAProxy 2.6 mode tcp roundrobin", "http://" + VIP + "/",
                new StringBuilder());
            if (Double.isNaN(row.keepAlive.requestsPerSecond))
            {
                return new Row(row.setup, row.keepAlive, row.close, row.balance, row.notes + " haproxy said: " +
                    lab.log("haproxy").strip().replace('\n', ' '));
            }
            return row;
        }
        finally
        {
            lab.stop(p);
            lab.ip(dir, "addr", "del", VIP + "/32", "dev", "lo");
            lab.tryExec(n(topo, "cli"), "ip", "neigh", "flush", "dev", "eth0");
        }
    }

    private Row nftDnat(final String topo)
    {
        final String dir = n(topo, "dir");
        lab.ip(dir, "addr", "add", VIP + "/32", "dev", "lo");
        lab.sysctl(dir, "net.ipv4.ip_forward", "1");
        lab.nft(dir, """
            table ip l4jlb {
                chain pre {
                    type nat hook prerouting priority dstnat; policy accept;
                    ip daddr %s tcp dport 80 dnat to numgen inc mod 2 map { 0 : %s, 1 : %s }
                }
            }
            """.formatted(VIP, RS1, RS2));
        try
        {
            return measure(topo, "nftables DNAT numgen (kernel NAT)", "http://" + VIP + "/", new StringBuilder());
        }
        finally
        {
            lab.tryExec(dir, "nft", "delete", "table", "ip", "l4jlb");
            lab.sysctl(dir, "net.ipv4.ip_forward", "0");
            lab.ip(dir, "addr", "del", VIP + "/32", "dev", "lo");
        }
    }

    // ------------------------------------------------------------------ measuring

    private Row measure(final String topo, final String setup, final String url, final StringBuilder notes)
    {
        final String cli = n(topo, "cli");
        // first answer (ARP both ways, a user-space director's neighbour resolution)
        final long deadline = System.currentTimeMillis() + 5000;
        while (!lab.tryExec(cli, "curl", "-s", "-m", "1", url).ok())
        {
            if (System.currentTimeMillis() > deadline)
            {
                return new Row(setup, Wrk.FAILED, Wrk.FAILED, "-", " FAILED: no answer from " + url + " in 5 s;" +
                    notes);
            }
            Lab.sleep(100);
        }
        final Map<String, Integer> balance = new TreeMap<>();
        for (int i = 0; i < 10; i++)
        {
            final Lab.Result r = lab.tryExec(cli, "curl", "-s", "-m", "2", url);
            balance.merge(r.ok() ? r.out().strip() : "error", 1, Integer::sum);
        }
        final int warm = (int)args.number("warmup", 1);
        if (warm > 0)
        {
            wrk(cli, url, warm, false);
        }
        final Wrk keepAlive = wrk(cli, url, seconds, false);
        final Wrk close = wrk(cli, url, seconds, true);
        final StringBuilder b = new StringBuilder();
        balance.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append(':').append(v));
        if (keepAlive.errors != 0 || close.errors != 0)
        {
            notes.append(" wrk errors: keep-alive ").append(keepAlive.errors).append(", close ").append(close.errors)
                .append(';');
        }
        return new Row(setup, keepAlive, close, b.toString(), notes.toString());
    }

    private Wrk wrk(final String cli, final String url, final int duration, final boolean close)
    {
        final List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", lab.ns(cli), "wrk",
            "-t" + (int)args.number("threads", 2), "-c" + (int)args.number("connections", 64), "-d" + duration + "s",
            "--latency", "--timeout", "5s"));
        if (close)
        {
            cmd.addAll(List.of("-H", "Connection: close"));
        }
        cmd.add(url);
        final Lab.Result r = Lab.Shell.exec(cmd, (duration + 20) * 1000L);
        return parse(r.out());
    }

    static Wrk parse(final String out)
    {
        final Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        if (!rps.find())
        {
            System.err.println("[http] wrk printed no rate:\n" + out);
            return new Wrk(Double.NaN, Double.NaN, Double.NaN, -1, out);
        }
        long errors = 0;
        final Matcher sock = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)")
            .matcher(out);
        if (sock.find())
        {
            for (int i = 1; i <= 4; i++)
            {
                errors += Long.parseLong(sock.group(i));
            }
        }
        final Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: (\\d+)").matcher(out);
        if (non2xx.find())
        {
            errors += Long.parseLong(non2xx.group(1));
        }
        return new Wrk(Double.parseDouble(rps.group(1)), percentile(out, "50"), percentile(out, "99"), errors, out);
    }

    private static double percentile(final String out, final String p)
    {
        final Matcher m = Pattern.compile("\\n\\s*" + p + "%\\s+([0-9.]+)(us|ms|s)").matcher(out);
        if (!m.find())
        {
            return Double.NaN;
        }
        final double v = Double.parseDouble(m.group(1));
        return switch (m.group(2))
        {
            case "us" -> v / 1000;
            case "ms" -> v;
            default -> v * 1000;
        };
    }

    // ------------------------------------------------------------------ report

    private static void print(final List<Row> rows, final Args args)
    {
        double directKa = Double.NaN;
        double directClose = Double.NaN;
        for (final Row r : rows)
        {
            if (r.setup.startsWith("direct"))
            {
                directKa = r.keepAlive.requestsPerSecond;
                directClose = r.close.requestsPerSecond;
            }
        }
        final Table t = new Table("set-up", "keep-alive req/s", "vs direct", "`Connection: close` conn/s",
            "vs direct", "p50 keep-alive", "p99 keep-alive", "p50 close", "10 requests went to");
        for (final Row r : rows)
        {
            t.row(r.setup, Table.si(r.keepAlive.requestsPerSecond), Table.ratio(r.keepAlive.requestsPerSecond, directKa),
                Table.si(r.close.requestsPerSecond), Table.ratio(r.close.requestsPerSecond, directClose),
                ms(r.keepAlive.p50Ms), ms(r.keepAlive.p99Ms), ms(r.close.p50Ms), r.balance);
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "## HTTP through the VIP: wrk -t%d -c%d -d%ds from cli (same run)%n%n",
            (int)args.number("threads", 2), (int)args.number("connections", 64), (int)args.number("seconds", 5));
        System.out.print(t.render());
        final Map<String, String> notes = new LinkedHashMap<>();
        for (final Row r : rows)
        {
            if (!r.notes.isBlank())
            {
                notes.put(r.setup, r.notes);
            }
        }
        if (!notes.isEmpty())
        {
            System.out.println();
            System.out.println("Details:");
            notes.forEach((k, v) -> System.out.println("- " + k + ":" + v));
        }
    }

    private static String ms(final double v)
    {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.2f ms", v);
    }
}
