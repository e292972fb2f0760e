package io.lvs4j.core.ipvsadm;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.core.stats.IpvsStats;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Listings compared byte for byte with text built from ipvsadm.c's own printf formats (print_title,
 * print_service_entry, print_largenum, print_conn), trailing blanks included; the --stats zero case is a real
 * ipvsadm output.
 */
class IpvsadmListingTest
{
    private static final String SPEC_LN =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  10.0.0.100:80 wlc persistent 360 mask 255.255.255.0\n" +
            "  -> 192.168.1.11:80              Route   1      3          10        \n" +
            "  -> 192.168.1.12:80              Route   2      7          21        \n" +
            "UDP  10.0.0.100:53 rr ops\n" +
            "  -> 192.168.1.11:53              Masq    1      0          0         \n" +
            "FWM  7 sh (sh-fallback,sh-port)\n" +
            "  -> 192.168.1.13:0               Tunnel  1      0          0         \n";

    private static final String BLOG_STATS =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  10.85.0.10:9153                     0        0        0        0        0\n" +
            "  -> 172.22.34.187:9153                  0        0        0        0        0\n";

    private static final String STATS_BIG =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  203.0.113.10:80              99999999  100000K  999999K    1000M   99999M\n" +
            "  -> 192.0.2.11:80                    100G   99999G     100T18446744T    12345\n";

    private static final String STATS_EXACT =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  203.0.113.10:80              99999999 100000000 999999999 1000000000 99999999999\n" +
            "  -> 192.0.2.11:80                100000000000 99999999999999 100000000000000 18446744073709551615    12345\n";

    private static final String RATE =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n" +
            "  -> RemoteAddress:Port\n" +
            "UDP  203.0.113.10:53                    12     3400     3390  250000K    1200M\n" +
            "  -> 192.0.2.11:53                123456789        7        0  250000K        5\n";

    private static final String THR =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  203.0.113.10:80 wlc\n" +
            "  -> 192.0.2.11:80                1000       800        12         34        \n" +
            "  -> 192.0.2.12:80                0          0          0          0         \n";

    private static final String PC =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n" +
            "  -> RemoteAddress:Port\n" +
            "TCP  203.0.113.10:443 lc persistent 600\n" +
            "  -> 192.0.2.11:443               3         17          5          2         \n";

    private static final String TUN =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n" +
            "TCP  203.0.113.10:443 wlc\n" +
            "  -> 192.0.2.5:443                Tunnel  gue:6080:-c   1      0          0         \n" +
            "  -> 192.0.2.6:443                Tunnel  gre:+c        2      0          0         \n" +
            "  -> 192.0.2.7:443                Tunnel  ipip          3      0          0         \n" +
            "  -> 192.0.2.8:443                Masq    n/a           4      0          0         \n";

    private static final String V6 =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  [2001:db8::10]:443 mh (mh-fallback,mh-port) persistent 360 mask 64\n" +
            "  -> [2001:db8:ffff:ffff:ffff:ffff:ffff:1234]:443 Route   1      0          0         \n" +
            "  -> [2001:db8::11]:443           Masq    1      0          0         \n" +
            "FWM  9 IPv6 rr\n" +
            "  -> [::ffff:192.0.2.1]:0         Local   0      0          0         \n";

    private static final String CONN =
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "TCP 14:59  ESTABLISHED 198.51.100.5:51514 203.0.113.10:80    192.0.2.11:80\n" +
            "TCP 05:53  NONE        198.51.100.0:0     203.0.113.10:80    192.0.2.11:80\n" +
            "UDP 00:00  UDP         198.51.100.9:5353  203.0.113.10:53    192.0.2.11:53\n" +
            "IP  120:00 ASSURED     198.51.100.0:0     0.0.0.7:0          192.0.2.13:0\n" +
            "SCTP 01:01  ESTABLISHED [2001:db8::5]:40000 [2001:db8::10]:38412 [2001:db8::11]:38412\n";

    private static final String CONN_PE =
            "IPVS connection entries\n" +
            "pro expire state       source             virtual            destination        pe name          pe_data\n" +
            "UDP 04:58  UDP         198.51.100.9:5060  203.0.113.10:5060  192.0.2.11:5060  sip                a84b4c76e66710\n" +
            "TCP 00:59  SYN_RECV    198.51.100.5:1     203.0.113.10:80    192.0.2.11:80\n";

    private static final String WRAP =
            "IP Virtual Server version 1.2.1 (size=65536)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  200.0.0.1:80 rr\n" +
            "TCP  10.0.0.1:80 rr\n" +
            "TCP  10.0.0.1:443 rr\n" +
            "UDP  10.0.0.1:53 rr\n";

    private static final String NOSORT =
            "IP Virtual Server version 1.2.1 (size=65536)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "UDP  10.0.0.1:53 rr\n" +
            "TCP  10.0.0.1:443 rr\n" +
            "TCP  10.0.0.1:80 rr\n" +
            "TCP  200.0.0.1:80 rr\n";

    private static final String NAMES =
            "IP Virtual Server version 1.2.1 (size=4096)\n" +
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "TCP  a-very-long-load-balancer-na wlc\n" +
            "  -> real-server-number-one.examp Route   1      0          0         \n" +
            "  -> 192.0.2.12:8080              Masq    1      0          0         \n" +
            "UDP  [www.example.net]:domain rr\n";

    private static final String ONE =
            "Prot LocalAddress:Port Scheduler Flags\n" +
            "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n" +
            "UDP  10.0.0.1:53 rr\n";


    private static final IpvsadmListing LISTING = IpvsadmListing.numeric();

    static long v4(final String dotted)
    {
        final String[] p = dotted.split("\\.");
        return (Long.parseLong(p[0]) << 24) | (Long.parseLong(p[1]) << 16) | (Long.parseLong(p[2]) << 8) |
            Long.parseLong(p[3]);
    }

    static RealServer server(final String address, final int port, final int weight, final int method)
    {
        final Endpoint e = Endpoint.of(address, port);
        return new RealServer(0, e.family(), e.addressHi(), e.addressLo(), port, weight, weight, method, 0, 0);
    }

    static DestinationEntry dest(final String address, final int port, final int weight, final int method,
        final int active, final int inactive)
    {
        return DestinationEntry.of(server(address, port, weight, method)).withConnections(active, inactive, 0);
    }

    static Set<ListFormat> fmt(final ListFormat... options)
    {
        final Set<ListFormat> set = EnumSet.of(ListFormat.NUMERIC);
        set.addAll(List.of(options));
        return set;
    }

    /** The services of the reference's example, in the kernel's (unsorted) order. */
    static IpvsSnapshot specExample()
    {
        final ServiceEntry fwm = ServiceEntry.of(
            new VirtualService(FlowKey.AF_INET, IpProtocol.IP, 0, 0, 0, 7, "sh",
                ServiceFlags.SH_FALLBACK | ServiceFlags.SH_PORT, 0, 0xFFFF_FFFF),
            List.of(dest("192.168.1.13", 0, 1, ConnectionFlags.TUNNEL, 0, 0)));
        final ServiceEntry udp = ServiceEntry.of(
            VirtualService.udp("10.0.0.100", 53).withScheduler("rr").withFlags(ServiceFlags.ONEPACKET),
            List.of(dest("192.168.1.11", 53, 1, ConnectionFlags.MASQ, 0, 0)));
        final ServiceEntry tcp = ServiceEntry.of(
            VirtualService.tcp("10.0.0.100", 80).withPersistence(360).withNetmask(0xFFFF_FF00),
            List.of(dest("192.168.1.12", 80, 2, ConnectionFlags.DROUTE, 7, 21),
                dest("192.168.1.11", 80, 1, ConnectionFlags.DROUTE, 3, 10)));
        return new IpvsSnapshot(4096, List.of(fwm, udp, tcp));
    }

    @Test
    void defaultListingOfTheReferenceExample()
    {
        assertEquals(SPEC_LN, LISTING.list(specExample(), fmt()));
        // without -n and without a resolver that knows names, the same
        assertEquals(SPEC_LN, LISTING.list(specExample(), EnumSet.noneOf(ListFormat.class)));
    }

    @Test
    void statsOfARealIpvsadmOutput()
    {
        final ServiceEntry svc = ServiceEntry.of(VirtualService.tcp("10.85.0.10", 9153),
            List.of(DestinationEntry.of(server("172.22.34.187", 9153, 1, ConnectionFlags.MASQ))));
        assertEquals(BLOG_STATS, LISTING.list(new IpvsSnapshot(4096, List.of(svc)), fmt(ListFormat.STATS)));
    }

    @Test
    void statsAbbreviateLargeNumbersAsPrintLargenumDoes()
    {
        final ServiceEntry svc = new ServiceEntry(VirtualService.tcp("203.0.113.10", 80), "",
            List.of(DestinationEntry.of(server("192.0.2.11", 80, 1, ConnectionFlags.MASQ)).withStats(
                IpvsStats.counters(100_000_000_000L, 99_999_999_999_999L, 100_000_000_000_000L, -1L, 12345))),
            IpvsStats.counters(99_999_999, 100_000_000, 999_999_999, 1_000_000_000, 99_999_999_999L));
        final IpvsSnapshot snapshot = new IpvsSnapshot(4096, List.of(svc));
        assertEquals(STATS_BIG, LISTING.list(snapshot, fmt(ListFormat.STATS)));
        assertEquals(STATS_EXACT, LISTING.list(snapshot, fmt(ListFormat.STATS, ListFormat.EXACT)));
    }

    @Test
    void ratesUsePlainColumnsForServerPacketRates()
    {
        final ServiceEntry svc = new ServiceEntry(VirtualService.udp("203.0.113.10", 53), "",
            List.of(DestinationEntry.of(server("192.0.2.11", 53, 1, ConnectionFlags.MASQ)).withStats(
                new IpvsStats(0, 0, 0, 0, 0, 123_456_789, 7, 0, 250_000_000, 5))),
            new IpvsStats(0, 0, 0, 0, 0, 12, 3400, 3390, 250_000_000, 1_200_000_000));
        assertEquals(RATE, LISTING.list(new IpvsSnapshot(4096, List.of(svc)), fmt(ListFormat.RATE)));
    }

    @Test
    void thresholdsPersistentConnectionsAndTunnelInfo()
    {
        final RealServer limited = server("192.0.2.11", 80, 1, ConnectionFlags.DROUTE).withThresholds(1000, 800);
        final ServiceEntry thr = ServiceEntry.of(VirtualService.tcp("203.0.113.10", 80),
            List.of(DestinationEntry.of(server("192.0.2.12", 80, 1, ConnectionFlags.DROUTE)),
                DestinationEntry.of(limited).withConnections(12, 34, 0)));
        assertEquals(THR, LISTING.list(new IpvsSnapshot(4096, List.of(thr)), fmt(ListFormat.THRESHOLDS)));

        final ServiceEntry pc = ServiceEntry.of(VirtualService.tcp("203.0.113.10", 443).withScheduler("lc")
                .withPersistence(600),
            List.of(DestinationEntry.of(server("192.0.2.11", 443, 3, ConnectionFlags.DROUTE))
                .withConnections(5, 2, 17)));
        assertEquals(PC, LISTING.list(new IpvsSnapshot(4096, List.of(pc)), fmt(ListFormat.PERSISTENT_CONN)));

        final ServiceEntry tun = ServiceEntry.of(VirtualService.tcp("203.0.113.10", 443), List.of(
            DestinationEntry.of(server("192.0.2.8", 443, 4, ConnectionFlags.MASQ)),
            DestinationEntry.of(server("192.0.2.7", 443, 3, ConnectionFlags.TUNNEL)),
            DestinationEntry.of(server("192.0.2.6", 443, 2, ConnectionFlags.TUNNEL))
                .withTunnel(DestinationEntry.TUN_GRE, 0, DestinationEntry.TUN_CSUM),
            DestinationEntry.of(server("192.0.2.5", 443, 1, ConnectionFlags.TUNNEL))
                .withTunnel(DestinationEntry.TUN_GUE, 6080, DestinationEntry.TUN_NOCSUM)));
        assertEquals(TUN, LISTING.list(new IpvsSnapshot(4096, List.of(tun)), fmt(ListFormat.TUN_INFO)));
    }

    @Test
    void ipv6IsNeverTruncatedAndSortsByWrappedWords()
    {
        final Endpoint vip = Endpoint.of("2001:db8::10", 443);
        final ServiceEntry tcp6 = ServiceEntry.of(
            new VirtualService(FlowKey.AF_INET6, IpProtocol.TCP, vip.addressHi(), vip.addressLo(), 443, 0, "mh",
                ServiceFlags.MH_FALLBACK | ServiceFlags.MH_PORT, 360, 64),
            // ::11 has word 1 = 0, the other 0xffffffff: 0 - 0xffffffff wraps to +1, so ::11 sorts last
            List.of(dest("2001:db8::11", 443, 1, ConnectionFlags.MASQ, 0, 0),
                dest("2001:db8:ffff:ffff:ffff:ffff:ffff:1234", 443, 1, ConnectionFlags.DROUTE, 0, 0)));
        final ServiceEntry fwm6 = ServiceEntry.of(
            new VirtualService(FlowKey.AF_INET6, IpProtocol.IP, 0, 0, 0, 9, "rr", 0, 0, 128),
            List.of(dest("::ffff:192.0.2.1", 0, 0, ConnectionFlags.LOCALNODE, 0, 0)));
        assertEquals(V6, LISTING.list(new IpvsSnapshot(4096, List.of(fwm6, tcp6)), fmt()));
    }

    @Test
    void sortingReproducesTheWrappedAddressComparison()
    {
        final VirtualService a = VirtualService.tcp("10.0.0.1", 80).withScheduler("rr");
        final VirtualService b = VirtualService.tcp("10.0.0.1", 443).withScheduler("rr");
        final VirtualService c = VirtualService.udp("10.0.0.1", 53).withScheduler("rr");
        final VirtualService d = VirtualService.tcp("200.0.0.1", 80).withScheduler("rr");
        final IpvsSnapshot snapshot = new IpvsSnapshot(65536, List.of(ServiceEntry.of(c, List.of()),
            ServiceEntry.of(b, List.of()), ServiceEntry.of(a, List.of()), ServiceEntry.of(d, List.of())));
        // 200.0.0.1 - 10.0.0.1 overflows an int: ipvsadm lists 200.0.0.1 first
        assertEquals(WRAP, LISTING.list(snapshot, fmt()));
        assertEquals(NOSORT, LISTING.list(snapshot, fmt(ListFormat.NOSORT)));
    }

    @Test
    void namesComeFromTheResolverAndAreTruncatedForIpv4()
    {
        final IpvsadmResolver resolver = new IpvsadmResolver()
        {
            @Override
            public String hostName(final int family, final long hi, final long lo)
            {
                if (family == FlowKey.AF_INET && lo == v4("203.0.113.10"))
                {
                    return "a-very-long-load-balancer-name.example.com";
                }
                if (family == FlowKey.AF_INET && lo == v4("192.0.2.11"))
                {
                    return "real-server-number-one.example.com";
                }
                return family == FlowKey.AF_INET6 ? "www.example.net" : null;
            }

            @Override
            public String serviceName(final int port, final int protocol)
            {
                return port == 80 && protocol == IpProtocol.TCP ? "http" :
                    port == 53 && protocol == IpProtocol.UDP ? "domain" : null;
            }
        };
        final Endpoint v6 = Endpoint.of("2001:db8::53", 53);
        final IpvsSnapshot snapshot = new IpvsSnapshot(4096, List.of(
            ServiceEntry.of(new VirtualService(FlowKey.AF_INET6, IpProtocol.UDP, v6.addressHi(), v6.addressLo(), 53,
                0, "rr", 0, 0, 128), List.of()),
            ServiceEntry.of(VirtualService.tcp("203.0.113.10", 80), List.of(
                dest("192.0.2.12", 8080, 1, ConnectionFlags.MASQ, 0, 0),
                dest("192.0.2.11", 80, 1, ConnectionFlags.DROUTE, 0, 0)))));
        assertEquals(NAMES, new IpvsadmListing(resolver).list(snapshot, EnumSet.noneOf(ListFormat.class)));
        // -n never asks the resolver
        assertEquals(LISTING.list(snapshot, fmt()), new IpvsadmListing(resolver).list(snapshot, fmt()));
    }

    @Test
    void oneServiceHasNoHeaderLine()
    {
        final IpvsSnapshot snapshot = new IpvsSnapshot(65536, List.of(
            ServiceEntry.of(VirtualService.udp("10.0.0.1", 53).withScheduler("rr"), List.of())));
        final IpvsadmCommand list = IpvsadmCommandLine.parse("-L", "-n", "-u", "10.0.0.1:53");
        assertEquals(ONE, LISTING.render(list, snapshot, List.of()));
        final IpvsadmException missing = assertThrows(IpvsadmException.class,
            () -> LISTING.render(IpvsadmCommandLine.parse("-L", "-t", "10.0.0.1:53"), snapshot, List.of()));
        assertEquals("No such service", missing.getMessage());
        assertEquals(1, missing.exitStatus());
    }

    @Test
    void connectionListing()
    {
        final List<ConnectionEntry> conns = List.of(
            new ConnectionEntry(IpProtocol.TCP, Endpoint.of("198.51.100.5", 51514), Endpoint.of("203.0.113.10", 80),
                Endpoint.of("192.0.2.11", 80), "ESTABLISHED", 899),
            new ConnectionEntry(IpProtocol.TCP, Endpoint.of("198.51.100.0", 0), Endpoint.of("203.0.113.10", 80),
                Endpoint.of("192.0.2.11", 80), "NONE", 353),
            new ConnectionEntry(IpProtocol.UDP, Endpoint.of("198.51.100.9", 5353), Endpoint.of("203.0.113.10", 53),
                Endpoint.of("192.0.2.11", 53), "UDP", 0),
            new ConnectionEntry(IpProtocol.IP, Endpoint.of("198.51.100.0", 0), Endpoint.ipv4(7, 0),
                Endpoint.of("192.0.2.13", 0), "ASSURED", 7200),
            new ConnectionEntry(IpProtocol.SCTP, Endpoint.of("2001:db8::5", 40000), Endpoint.of("2001:db8::10", 38412),
                Endpoint.of("2001:db8::11", 38412), "ESTABLISHED", 61));
        assertEquals(CONN, LISTING.listConnections(conns, fmt()));
        assertEquals(CONN, LISTING.render(IpvsadmCommandLine.parse("-Lnc"), new IpvsSnapshot(4096, List.of()),
            conns));

        final List<ConnectionEntry> sip = List.of(
            new ConnectionEntry(IpProtocol.UDP, Endpoint.of("198.51.100.9", 5060), Endpoint.of("203.0.113.10", 5060),
                Endpoint.of("192.0.2.11", 5060), "UDP", 298, "sip", "a84b4c76e66710"),
            new ConnectionEntry(IpProtocol.TCP, Endpoint.of("198.51.100.5", 1), Endpoint.of("203.0.113.10", 80),
                Endpoint.of("192.0.2.11", 80), "SYN_RECV", 59));
        assertEquals(CONN_PE, LISTING.listConnections(sip, fmt(ListFormat.PERSISTENT_CONN)));
    }

    @Test
    void connectionNamesUseTheProtocolsServices()
    {
        final IpvsadmResolver resolver = new IpvsadmResolver()
        {
            @Override
            public String serviceName(final int port, final int protocol)
            {
                return port == 80 && protocol == IpProtocol.TCP ? "http" : null;
            }
        };
        final List<ConnectionEntry> conns = List.of(new ConnectionEntry(IpProtocol.TCP,
            Endpoint.of("198.51.100.5", 80), Endpoint.of("203.0.113.10", 80), Endpoint.of("192.0.2.11", 80),
            "FIN_WAIT", 65));
        assertEquals("IPVS connection entries\n" +
            "pro expire state       source             virtual            destination\n" +
            "TCP 01:05  FIN_WAIT    198.51.100.5:http  203.0.113.10:http  192.0.2.11:http\n",
            new IpvsadmListing(resolver).listConnections(conns, EnumSet.noneOf(ListFormat.class)));
    }

    @Test
    void timeouts()
    {
        assertEquals("Timeout (tcp tcpfin udp): 900 120 300\n",
            LISTING.render(IpvsadmCommandLine.parse("-L", "--timeout"), new IpvsSnapshot(4096, List.of()),
                List.of()));
        assertEquals("Timeout (tcp tcpfin udp): 7200 60 30\n",
            IpvsadmListing.listTimeout(new IpvsSnapshot(4096, List.of(), 7200, 60, 30)));
    }

    @Test
    void largeNumberTiers()
    {
        final String[][] cases = {
            {"0", "        0"}, {"99999999", " 99999999"}, {"100000000", "  100000K"}, {"999999999", "  999999K"},
            {"1000000000", "    1000M"}, {"99999999999", "   99999M"}, {"100000000000", "     100G"},
            {"99999999999999", "   99999G"}, {"100000000000000", "     100T"},
        };
        for (final String[] c : cases)
        {
            assertEquals(c[1], IpvsadmListing.largeNumber(new StringBuilder(), Long.parseLong(c[0]), false)
                .toString(), c[0]);
        }
        assertEquals("18446744T", IpvsadmListing.largeNumber(new StringBuilder(), -1L, false).toString());
        assertEquals(" 18446744073709551615",
            IpvsadmListing.largeNumber(new StringBuilder(), -1L, true).toString());
        assertEquals(" 12345678", IpvsadmListing.largeNumber(new StringBuilder(), 12_345_678, true).toString());
        assertEquals(" 123456789", IpvsadmListing.largeNumber(new StringBuilder(), 123_456_789, true).toString());
    }
}
