package io.lvs4j.forwarder.web;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.packet.Malformation;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.RealServerStatus;
import io.lvs4j.forwarder.ServiceStatus;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.stats.DropReason;

/**
 * The director's HTTP endpoint on a local address: Prometheus text metrics at {@code /metrics} and a small stats
 * page at {@code /stats} in the spirit of HAProxy's (services, real servers, state, weight, connections, traffic,
 * check results), refreshing itself. One small thread pool of its own; it only reads the director's snapshots
 * and counters, so it can never slow the workers.
 */
public final class StatsEndpoint implements AutoCloseable
{
    private final HttpServer server;
    private final ExecutorService executor;
    private final Director director;
    private final RealServerHealth health;

    private StatsEndpoint(
        final HttpServer server, final ExecutorService executor, final Director director, final RealServerHealth health)
    {
        this.server = server;
        this.executor = executor;
        this.director = director;
        this.health = health;
    }

    /**
     * Starts serving.
     *
     * @param address  where to listen, e.g. {@code 127.0.0.1:9100}; keep it local or firewalled.
     * @param director the director to show.
     * @param health   the health checks' view of each real server ({@link RealServerHealth#NONE} without checks).
     * @return the running endpoint.
     */
    public static StatsEndpoint start(
        final InetSocketAddress address, final Director director, final RealServerHealth health)
    {
        try
        {
            final HttpServer server = HttpServer.create(address, 16);
            final ExecutorService executor = Executors.newFixedThreadPool(2, r ->
            {
                final Thread t = new Thread(r, "lvs4j-stats-http");
                t.setDaemon(true);
                return t;
            });
            final StatsEndpoint endpoint = new StatsEndpoint(server, executor, director, health);
            server.createContext("/metrics", endpoint::metrics);
            server.createContext("/stats", endpoint::stats);
            server.createContext("/", exchange -> redirect(exchange, "/stats"));
            server.setExecutor(executor);
            server.start();
            return endpoint;
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException("cannot listen on " + address + ": " + ex.getMessage(), ex);
        }
    }

    /** @return the address it listens on (with the port chosen when 0 was asked for). */
    public InetSocketAddress address()
    {
        return server.getAddress();
    }

    private void metrics(final HttpExchange exchange) throws IOException
    {
        send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8", prometheus(director.services()));
    }

    /**
     * Renders Prometheus's text exposition format.
     *
     * @param services the services with their counters.
     * @return the text.
     */
    String prometheus(final List<ServiceStatus> services)
    {
        final StringBuilder sb = new StringBuilder(4096);
        family(sb, "lvs4j_service_connections_total", "counter", "Connections scheduled to the service.");
        for (final ServiceStatus s : services)
        {
            sample(sb, "lvs4j_service_connections_total", serviceLabels(s), s.connections());
        }
        serviceCounter(sb, services, "lvs4j_service_packets_in_total", "Packets client to server.", 0);
        serviceCounter(sb, services, "lvs4j_service_packets_out_total", "Packets server to client (NAT).", 1);
        serviceCounter(sb, services, "lvs4j_service_bytes_in_total", "Bytes client to server.", 2);
        serviceCounter(sb, services, "lvs4j_service_bytes_out_total", "Bytes server to client (NAT).", 3);
        family(sb, "lvs4j_real_server_weight", "gauge", "The real server's weight (0: quiesced).");
        for (final ServiceStatus s : services)
        {
            for (final RealServerStatus rs : s.realServers())
            {
                sample(sb, "lvs4j_real_server_weight", realServerLabels(s, rs), rs.server().weight());
            }
        }
        realServerValue(sb, services, "lvs4j_real_server_active_connections", "gauge",
            "ActiveConn: connections in ESTABLISHED.", 0);
        realServerValue(sb, services, "lvs4j_real_server_inactive_connections", "gauge",
            "InActConn: the other connections.", 1);
        realServerValue(sb, services, "lvs4j_real_server_persistent_connections", "gauge",
            "Persistence templates pointing at the real server.", 2);
        realServerValue(sb, services, "lvs4j_real_server_connections_total", "counter",
            "Connections scheduled to the real server.", 3);
        realServerValue(sb, services, "lvs4j_real_server_packets_in_total", "counter", "Packets client to server.", 4);
        realServerValue(sb, services, "lvs4j_real_server_packets_out_total", "counter", "Packets server to client.", 5);
        realServerValue(sb, services, "lvs4j_real_server_bytes_in_total", "counter", "Bytes client to server.", 6);
        realServerValue(sb, services, "lvs4j_real_server_bytes_out_total", "counter", "Bytes server to client.", 7);
        family(sb, "lvs4j_drops_total", "counter", "Frames the director did not forward, by reason.");
        for (final DropReason r : DropReason.values())
        {
            sample(sb, "lvs4j_drops_total", "reason=\"" + r.name() + "\"", director.drops(r));
        }
        family(sb, "lvs4j_malformed_total", "counter", "Malformed frames, by what was wrong.");
        for (final Malformation m : Malformation.values())
        {
            if (m != Malformation.NONE)
            {
                sample(sb, "lvs4j_malformed_total", "kind=\"" + m.name() + "\"", director.stats().malformed(m));
            }
        }
        family(sb, "lvs4j_master", "gauge", "1 while the director owns its VIPs.");
        sample(sb, "lvs4j_master", "", director.isMaster() ? 1 : 0);
        family(sb, "lvs4j_connection_table_entries", "gauge", "Entries in the connection table.");
        sample(sb, "lvs4j_connection_table_entries", "", director.connections().size());
        return sb.toString();
    }

    private static void serviceCounter(
        final StringBuilder sb, final List<ServiceStatus> services, final String name, final String help,
        final int which)
    {
        family(sb, name, "counter", help);
        for (final ServiceStatus s : services)
        {
            final long v = switch (which)
            {
                case 0 -> s.inPackets();
                case 1 -> s.outPackets();
                case 2 -> s.inBytes();
                default -> s.outBytes();
            };
            sample(sb, name, serviceLabels(s), v);
        }
    }

    private static void realServerValue(
        final StringBuilder sb, final List<ServiceStatus> services, final String name, final String type,
        final String help, final int which)
    {
        family(sb, name, type, help);
        for (final ServiceStatus s : services)
        {
            for (final RealServerStatus rs : s.realServers())
            {
                final long v = switch (which)
                {
                    case 0 -> rs.active();
                    case 1 -> rs.inactive();
                    case 2 -> rs.persistent();
                    case 3 -> rs.connections();
                    case 4 -> rs.inPackets();
                    case 5 -> rs.outPackets();
                    case 6 -> rs.inBytes();
                    default -> rs.outBytes();
                };
                sample(sb, name, realServerLabels(s, rs), v);
            }
        }
    }

    private static void family(final StringBuilder sb, final String name, final String type, final String help)
    {
        sb.append("# HELP ").append(name).append(' ').append(help).append('\n');
        sb.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(final StringBuilder sb, final String name, final String labels, final long value)
    {
        sb.append(name);
        if (!labels.isEmpty())
        {
            sb.append('{').append(labels).append('}');
        }
        sb.append(' ').append(value).append('\n');
    }

    private static String serviceLabels(final ServiceStatus s)
    {
        return "service=\"" + s.service() + "\",scheduler=\"" + s.service().scheduler() + "\"";
    }

    private static String realServerLabels(final ServiceStatus s, final RealServerStatus rs)
    {
        return "service=\"" + s.service() + "\",real_server=\"" + endpoint(rs.server()) + "\",method=\"" +
            method(rs.server()) + "\"";
    }

    private static String endpoint(final RealServer server)
    {
        return Ipv4Text.format(server.addressV4()) + ":" + server.port();
    }

    private static String method(final RealServer server)
    {
        return switch (server.method())
        {
            case ConnectionFlags.DROUTE -> "Route";
            case ConnectionFlags.TUNNEL -> "Tunnel";
            case ConnectionFlags.MASQ -> "Masq";
            default -> "Local";
        };
    }

    private void stats(final HttpExchange exchange) throws IOException
    {
        send(exchange, 200, "text/html; charset=utf-8", html(director.services()));
    }

    /**
     * Renders the stats page.
     *
     * @param services the services with their counters.
     * @return the HTML.
     */
    String html(final List<ServiceStatus> services)
    {
        final StringBuilder sb = new StringBuilder(8192);
        sb.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"5\">")
            .append("<title>lvs4j statistics</title><style>")
            .append("body{font-family:sans-serif;font-size:13px;margin:16px}")
            .append("table{border-collapse:collapse;margin-bottom:18px;min-width:900px}")
            .append("th,td{border:1px solid #999;padding:3px 8px;text-align:right}")
            .append("th{background:#4b5d79;color:#fff;text-align:center}td.name{text-align:left}")
            .append("tr.service td{background:#c7d2e6;font-weight:bold}")
            .append("tr.up td.state{background:#8ee08e}tr.down td.state{background:#ff8080}")
            .append("tr.drain td.state{background:#ffd27f}")
            .append("</style></head><body>")
            .append("<h1>lvs4j director</h1><p id=\"role\">")
            .append(director.isMaster() ? "MASTER: owns its VIPs" : "BACKUP: not forwarding")
            .append(" &middot; connection table ").append(director.connections().size()).append(" entries</p>");
        for (final ServiceStatus s : services)
        {
            sb.append("<table class=\"service\"><tr><th>Virtual service / real server</th><th>Method</th>")
                .append("<th>State</th><th>Weight</th><th>ActiveConn</th><th>InActConn</th><th>Conns</th>")
                .append("<th>InPkts</th><th>OutPkts</th><th>InBytes</th><th>OutBytes</th><th>Check</th></tr>");
            sb.append("<tr class=\"service\"><td class=\"name\">").append(escape(s.service().toString()))
                .append(" (").append(escape(s.service().scheduler()))
                .append(s.service().isPersistent() ? ", persistent " + s.service().persistenceTimeoutS() : "")
                .append(")</td><td></td><td></td><td></td><td></td><td></td><td>").append(s.connections())
                .append("</td><td>").append(s.inPackets()).append("</td><td>").append(s.outPackets())
                .append("</td><td>").append(s.inBytes()).append("</td><td>").append(s.outBytes())
                .append("</td><td></td></tr>");
            for (final RealServerStatus rs : s.realServers())
            {
                final String state = rs.server().weight() == 0 ? "drain" : rs.overloaded() ? "down" : "up";
                sb.append("<tr class=\"").append(state).append("\"><td class=\"name\">&rarr; ")
                    .append(endpoint(rs.server())).append("</td><td>").append(method(rs.server()))
                    .append("</td><td class=\"state\">")
                    .append(rs.server().weight() == 0 ? "DRAIN" : rs.overloaded() ? "OVERLOADED" : "UP")
                    .append("</td><td>").append(rs.server().weight()).append("</td><td>").append(rs.active())
                    .append("</td><td>").append(rs.inactive()).append("</td><td>").append(rs.connections())
                    .append("</td><td>").append(rs.inPackets()).append("</td><td>").append(rs.outPackets())
                    .append("</td><td>").append(rs.inBytes()).append("</td><td>").append(rs.outBytes())
                    .append("</td><td class=\"name\">")
                    .append(escape(health.describe(s.service(), rs.server()))).append("</td></tr>");
            }
            sb.append("</table>");
        }
        sb.append("<table><tr><th>Drop reason</th><th>Frames</th></tr>");
        for (final DropReason r : DropReason.values())
        {
            final long n = director.drops(r);
            if (n != 0)
            {
                sb.append("<tr><td class=\"name\">").append(escape(r.description())).append("</td><td>").append(n)
                    .append("</td></tr>");
            }
        }
        sb.append("</table></body></html>");
        return sb.toString();
    }

    private static String escape(final String text)
    {
        final StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            switch (c)
            {
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '&' -> sb.append("&amp;");
                case '"' -> sb.append("&quot;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    private static void redirect(final HttpExchange exchange, final String to) throws IOException
    {
        exchange.getResponseHeaders().add("Location", to);
        exchange.sendResponseHeaders(302, -1);
        exchange.close();
    }

    private static void send(final HttpExchange exchange, final int status, final String type, final String body)
        throws IOException
    {
        final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", type);
        exchange.getResponseHeaders().add("Cache-Control", "no-store");
        if (!"GET".equals(exchange.getRequestMethod().toUpperCase(Locale.ROOT)))
        {
            exchange.sendResponseHeaders(405, -1);
            exchange.close();
            return;
        }
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    /** Stops serving. */
    @Override
    public void close()
    {
        server.stop(0);
        executor.shutdownNow();
    }
}
