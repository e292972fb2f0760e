package io.lvs4j.core.ipvsadm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.ipvsadm.IpvsadmCommand.Verb;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.core.stats.IpvsStats;
import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;

import static io.lvs4j.core.ipvsadm.IpvsadmListingTest.dest;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpvsadmSaveRestoreTest
{
    /** The reference's save example (section 9.6), its services in ipvsadm's sorted order. */
    private static final String SAVED =
        "-A -t 10.0.0.100:80 -s wlc -p 360 -M 255.255.255.0\n" +
        "-a -t 10.0.0.100:80 -r 192.168.1.11:80 -g -w 1\n" +
        "-A -t 10.0.0.100:443 -s wlc\n" +
        "-a -t 10.0.0.100:443 -r 192.168.2.5:443 -i -w 1 --tun-type gue --tun-port 6080 --tun-nocsum\n" +
        "-A -u 10.0.0.100:53 -s rr -o\n" +
        "-a -u 10.0.0.100:53 -r 192.168.1.11:53 -m -w 1\n" +
        "-A -f 7 -s sh -b sh-fallback,sh-port\n" +
        "-a -f 7 -r 192.168.1.13:0 -i -w 1 --tun-type ipip\n";

    private static IpvsSnapshot reference()
    {
        return new IpvsSnapshot(4096, List.of(
            ServiceEntry.of(new VirtualService(FlowKey.AF_INET, IpProtocol.IP, 0, 0, 0, 7, "sh",
                    ServiceFlags.SH_FALLBACK | ServiceFlags.SH_PORT, 0, 0xFFFF_FFFF),
                List.of(dest("192.168.1.13", 0, 1, ConnectionFlags.TUNNEL, 0, 0))),
            ServiceEntry.of(VirtualService.udp("10.0.0.100", 53).withScheduler("rr").withFlags(ServiceFlags.ONEPACKET),
                List.of(dest("192.168.1.11", 53, 1, ConnectionFlags.MASQ, 4, 5))),
            ServiceEntry.of(VirtualService.tcp("10.0.0.100", 443), List.of(
                dest("192.168.2.5", 443, 1, ConnectionFlags.TUNNEL, 0, 0)
                    .withTunnel(DestinationEntry.TUN_GUE, 6080, DestinationEntry.TUN_NOCSUM))),
            ServiceEntry.of(VirtualService.tcp("10.0.0.100", 80).withPersistence(360).withNetmask(0xFFFF_FF00),
                List.of(DestinationEntry.of(IpvsadmListingTest.server("192.168.1.11", 80, 1, ConnectionFlags.DROUTE)
                    .withThresholds(100, 50))))));
    }

    @Test
    void saveWritesTheReferenceFormat()
    {
        assertEquals(SAVED, IpvsadmSave.numeric().save(reference(), true));
        assertEquals(SAVED, IpvsadmListing.numeric().render(IpvsadmCommandLine.parse("-S", "-n"), reference(),
            List.of()));
    }

    @Test
    void saveOfIpv6EnginesLocalAndGre()
    {
        final Endpoint vip = Endpoint.of("2001:db8::10", 443);
        final IpvsSnapshot snapshot = new IpvsSnapshot(4096, List.of(
            ServiceEntry.of(new VirtualService(FlowKey.AF_INET6, IpProtocol.IP, 0, 0, 0, 9, "rr", 0, 0, 128),
                List.of(dest("::ffff:192.0.2.1", 0, 0, ConnectionFlags.LOCALNODE, 0, 0))),
            ServiceEntry.of(new VirtualService(FlowKey.AF_INET6, IpProtocol.TCP, vip.addressHi(), vip.addressLo(),
                    443, 0, "mh", ServiceFlags.MH_FALLBACK | ServiceFlags.MH_PORT, 360, 64),
                List.of(dest("192.0.2.9", 443, 5, ConnectionFlags.TUNNEL, 0, 0)
                    .withTunnel(DestinationEntry.TUN_GRE, 0, DestinationEntry.TUN_CSUM))),
            new ServiceEntry(VirtualService.udp("10.0.0.1", 5060).withPersistence(600), "sip", List.of(),
                IpvsStats.ZERO),
            ServiceEntry.of(VirtualService.tcp("10.0.0.1", 80).withScheduler("wrr")
                .withFlags(ServiceFlags.SCHED1 | ServiceFlags.SCHED3), List.of())));
        final String expected =
            "-A -t 10.0.0.1:80 -s wrr -b flag-1,flag-3\n" +
            "-A -u 10.0.0.1:5060 -s wlc -p 600 --pe sip\n" +
            "-A -t [2001:db8::10]:443 -s mh -p 360 -M 64 -b mh-fallback,mh-port\n" +
            "-a -t [2001:db8::10]:443 -r 192.0.2.9:443 -i -w 5 --tun-type gre --tun-csum\n" +
            "-A -f 9 -6 -s rr\n" +
            "-a -f 9 -6 -r [::ffff:192.0.2.1]:0 -g -w 0\n";
        assertEquals(expected, IpvsadmSave.numeric().save(snapshot, true));
        assertEquals(expected, IpvsadmSave.numeric().save(apply(IpvsadmRestore.numeric().parse(expected)), true));
    }

    @Test
    void saveWithoutNumericWritesNames()
    {
        final IpvsadmSave save = new IpvsadmSave(NAMES);
        final IpvsSnapshot snapshot = new IpvsSnapshot(4096, List.of(ServiceEntry.of(
            VirtualService.tcp("203.0.113.10", 80), List.of(dest("192.0.2.11", 80, 2, ConnectionFlags.MASQ, 0, 0)))));
        final String named = "-A -t lb.example.com:http -s wlc\n" +
            "-a -t lb.example.com:http -r rs1.example.com:http -m -w 2\n";
        assertEquals(named, save.save(snapshot, false));
        assertEquals("-A -t 203.0.113.10:80 -s wlc\n-a -t 203.0.113.10:80 -r 192.0.2.11:80 -m -w 2\n",
            save.save(snapshot, true));
        assertEquals(named, save.save(apply(new IpvsadmRestore(NAMES).parse(named)), false));
    }

    @Test
    void restoreReadsCommandsLineByLine()
    {
        final List<IpvsadmCommand> commands = IpvsadmRestore.numeric().parse(
            "\n  ipvsadm -A -t 10.0.0.100:80 -s rr\n\t\n-a\t-t 10.0.0.100:80  -r 192.0.2.1 -m ipvsadm\n-C\n");
        assertEquals(3, commands.size());
        assertEquals(Verb.ADD_SERVICE, commands.get(0).verb());
        assertEquals("rr", commands.get(0).service().scheduler());
        assertEquals(Verb.ADD_SERVER, commands.get(1).verb());
        assertEquals(80, commands.get(1).server().port());
        assertEquals(Verb.FLUSH, commands.get(2).verb());
        final List<IpvsadmCommand> reference = IpvsadmRestore.numeric().parse(SAVED);
        assertEquals(8, reference.size());
        assertEquals(SAVED, IpvsadmSave.numeric().save(apply(reference), true));
    }

    @Test
    void restoreStopsAtTheFirstBadLine()
    {
        final IpvsadmException comment = assertThrows(IpvsadmException.class,
            () -> IpvsadmRestore.numeric().parse("-A -t 10.0.0.1:80\n# a comment\n"));
        assertEquals(TRY_HELP, comment.getMessage());
        assertEquals(2, comment.lineNumber());
        assertEquals(255, comment.exitStatus());
        final IpvsadmException weight = assertThrows(IpvsadmException.class,
            () -> IpvsadmRestore.numeric().parse("-C\n\n-a -t 10.0.0.1:80 -r 192.0.2.1 -w 70000\n"));
        assertEquals("illegal weight specified", weight.getMessage());
        assertEquals(3, weight.lineNumber());
        assertEquals(2, weight.exitStatus());
        final IpvsadmException nested = assertThrows(IpvsadmException.class,
            () -> IpvsadmRestore.numeric().parse("-R\n"));
        assertEquals(TRY_HELP, nested.getMessage());
        assertEquals(255, nested.exitStatus());
    }

    private static final String TRY_HELP = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

    @Test
    void saveRestoreSaveIsLossless()
    {
        PropertyCheck.forAll("save -> restore -> save (numeric)", 300, random ->
        {
            final IpvsSnapshot snapshot = randomSnapshot(random, false);
            final String saved = IpvsadmSave.numeric().save(snapshot, true);
            final IpvsSnapshot restored = apply(IpvsadmRestore.numeric().parse(saved));
            assertEquals(saved, IpvsadmSave.numeric().save(restored, true));
            assertEquals(snapshot.services().size(), restored.services().size());
        });
    }

    @Test
    void saveRestoreSaveIsLosslessWithNames()
    {
        PropertyCheck.forAll("save -> restore -> save (names)", 200, random ->
        {
            final IpvsSnapshot snapshot = randomSnapshot(random, true);
            final IpvsadmSave save = new IpvsadmSave(NAMES);
            final String saved = save.save(snapshot, false);
            final String restored = save.save(apply(new IpvsadmRestore(NAMES).parse(saved)), false);
            assertEquals(saved, restored);
            assertEquals(save.save(snapshot, true), save.save(apply(new IpvsadmRestore(NAMES).parse(saved)), true));
        });
    }

    // ------------------------------------------------------------------------------------------------------

    /** A resolver with a few IPv4 host names and the http/https/domain services, both ways. */
    private static final IpvsadmResolver NAMES = new IpvsadmResolver()
    {
        private final Map<Long, String> hosts = Map.of(0xCB00_710AL, "lb.example.com", 0xC000_020BL,
            "rs1.example.com", 0xC000_020CL, "rs2.example.com");

        @Override
        public String hostName(final int family, final long hi, final long lo)
        {
            return family == FlowKey.AF_INET ? hosts.get(lo) : null;
        }

        @Override
        public long hostAddress(final String name)
        {
            for (final Map.Entry<Long, String> e : hosts.entrySet())
            {
                if (e.getValue().equals(name))
                {
                    return e.getKey();
                }
            }
            return -1;
        }

        @Override
        public String serviceName(final int port, final int protocol)
        {
            if (protocol == IpProtocol.UDP)
            {
                return port == 53 ? "domain" : null;
            }
            return port == 80 ? "http" : port == 443 ? "https" : null;
        }

        @Override
        public int servicePort(final String name, final int protocol)
        {
            if (protocol == IpProtocol.UDP)
            {
                return "domain".equals(name) ? 53 : -1;
            }
            return "http".equals(name) ? 80 : "https".equals(name) ? 443 : -1;
        }
    };

    /** What a director does with restored commands, enough for the rules ipvsadm saves. */
    static IpvsSnapshot apply(final List<IpvsadmCommand> commands)
    {
        final List<ServiceEntry> services = new ArrayList<>();
        for (final IpvsadmCommand c : commands)
        {
            switch (c.verb())
            {
                case ADD_SERVICE:
                    services.add(new ServiceEntry(c.service(), c.persistenceEngine(), List.of(), IpvsStats.ZERO));
                    break;
                case ADD_SERVER:
                    for (int i = 0; i < services.size(); i++)
                    {
                        final ServiceEntry s = services.get(i);
                        if (c.serviceKey().matches(s.service()))
                        {
                            final List<DestinationEntry> dests = new ArrayList<>(s.destinations());
                            dests.add(DestinationEntry.of(c.server())
                                .withTunnel(c.tunnelType(), c.tunnelPort(), c.tunnelFlags()));
                            services.set(i, new ServiceEntry(s.service(), s.persistenceEngine(), dests, s.stats()));
                        }
                    }
                    break;
                case FLUSH:
                    services.clear();
                    break;
                default:
                    throw new AssertionError("unexpected " + c);
            }
        }
        return new IpvsSnapshot(4096, services);
    }

    private static final String[] SCHEDULERS =
        {"rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh"};
    private static final long[] V4_NETS = {0xC000_0200L, 0xC633_6400L, 0xCB00_7100L};

    /**
     * Random rules as ipvsadm would have built them. Addresses stay below 2^31 apart (documentation ranges,
     * IPv6 words below 2^31) so that ipvsadm's wrapping sort is a total order and re-sorting is stable.
     */
    static IpvsSnapshot randomSnapshot(final SplittableRandom random, final boolean namedHosts)
    {
        final List<ServiceEntry> services = new ArrayList<>();
        final Set<ServiceKey> keys = new HashSet<>();
        final int count = random.nextInt(7);
        while (services.size() < count)
        {
            final int kind = random.nextInt(5);
            final boolean v6 = !namedHosts && random.nextInt(3) == 0;
            final int family = v6 ? FlowKey.AF_INET6 : FlowKey.AF_INET;
            final int fwmark = kind == 4 ? 1 + random.nextInt(1000) : 0;
            final int protocol = fwmark != 0 ? IpProtocol.IP :
                new int[] {IpProtocol.TCP, IpProtocol.UDP, IpProtocol.SCTP, IpProtocol.TCP}[kind];
            final long[] address = fwmark != 0 ? new long[] {0, 0} : randomAddress(random, family, namedHosts);
            final int persistence = random.nextInt(3) == 0 ? 1 + random.nextInt(VirtualService.MAX_PERSISTENCE_TIMEOUT_S) :
                random.nextBoolean() ? 360 : 0;
            final int port = fwmark != 0 ? 0 : persistence > 0 && random.nextInt(5) == 0 ? 0 : randomPort(random);
            final String scheduler = SCHEDULERS[random.nextInt(SCHEDULERS.length)];
            int flags = 0;
            if (scheduler.equals("sh") || scheduler.equals("mh"))
            {
                flags |= random.nextBoolean() ? ServiceFlags.SCHED1 : 0;
                flags |= random.nextBoolean() ? ServiceFlags.SCHED2 : 0;
            }
            else
            {
                flags |= random.nextInt(4) == 0 ? ServiceFlags.SCHED1 : 0;
                flags |= random.nextInt(4) == 0 ? ServiceFlags.SCHED2 : 0;
                flags |= random.nextInt(4) == 0 ? ServiceFlags.SCHED3 : 0;
            }
            if ((fwmark != 0 || protocol == IpProtocol.UDP) && random.nextBoolean())
            {
                flags |= ServiceFlags.ONEPACKET;
            }
            final int netmask = v6 ? 1 + random.nextInt(128) : (int)(0xFFFF_FFFF_0000_0000L >>> random.nextInt(33));
            final VirtualService service = new VirtualService(family, protocol, address[0], address[1], port, fwmark,
                scheduler, flags, persistence, netmask);
            if (!keys.add(ServiceKey.of(service)))
            {
                continue;
            }
            final String pe = persistence > 0 && protocol == IpProtocol.UDP && random.nextBoolean() ? "sip" : "";
            services.add(new ServiceEntry(service, pe, randomDestinations(random, service, namedHosts),
                IpvsStats.ZERO));
        }
        return new IpvsSnapshot(4096, services);
    }

    private static List<DestinationEntry> randomDestinations(
        final SplittableRandom random, final VirtualService service, final boolean namedHosts)
    {
        final List<DestinationEntry> dests = new ArrayList<>();
        final Set<List<Long>> endpoints = new HashSet<>();
        final int count = random.nextInt(5);
        final int[] methods = {ConnectionFlags.MASQ, ConnectionFlags.DROUTE, ConnectionFlags.TUNNEL,
            ConnectionFlags.LOCALNODE};
        while (dests.size() < count)
        {
            final int method = methods[random.nextInt(methods.length)];
            final int family = method == ConnectionFlags.TUNNEL && !namedHosts && random.nextInt(4) == 0 ?
                (service.family() == FlowKey.AF_INET ? FlowKey.AF_INET6 : FlowKey.AF_INET) : service.family();
            final long[] address = randomAddress(random, family, namedHosts);
            // ipvsadm gives DR and TUN (and Local, saved as -g) servers the service's port
            final int port = service.fwmark() == 0 && method != ConnectionFlags.MASQ ? service.port() :
                random.nextInt(4) == 0 ? 0 : randomPort(random);
            if (!endpoints.add(List.of((long)family, address[0], address[1], (long)port)))
            {
                continue;
            }
            final int weight = random.nextInt(4) == 0 ? random.nextInt(65536) : random.nextInt(10);
            final RealServer server = new RealServer(0, family, address[0], address[1], port, weight, weight, method,
                0, 0);
            DestinationEntry entry = DestinationEntry.of(server);
            if (method == ConnectionFlags.TUNNEL)
            {
                switch (random.nextInt(3))
                {
                    case 1:
                        entry = entry.withTunnel(DestinationEntry.TUN_GUE, 1 + random.nextInt(65535),
                            random.nextInt(3));
                        break;
                    case 2:
                        entry = entry.withTunnel(DestinationEntry.TUN_GRE, 0, random.nextInt(2));
                        break;
                    default:
                        break;
                }
            }
            dests.add(entry);
        }
        return dests;
    }

    private static int randomPort(final SplittableRandom random)
    {
        final int[] common = {80, 443, 53, 8080};
        return random.nextBoolean() ? common[random.nextInt(common.length)] : 1 + random.nextInt(65535);
    }

    private static long[] randomAddress(final SplittableRandom random, final int family, final boolean namedHosts)
    {
        if (family == FlowKey.AF_INET6)
        {
            final long hi = 0x2001_0db8_0000_0000L | random.nextInt(Integer.MAX_VALUE);
            final long lo = ((long)random.nextInt(Integer.MAX_VALUE) << 32) | random.nextInt(Integer.MAX_VALUE);
            return new long[] {hi, random.nextInt(3) == 0 ? random.nextInt(16) : lo};
        }
        if (namedHosts && random.nextBoolean())
        {
            final long[] named = {0xCB00_710AL, 0xC000_020BL, 0xC000_020CL};
            return new long[] {0, named[random.nextInt(named.length)]};
        }
        return new long[] {0, V4_NETS[random.nextInt(V4_NETS.length)] | random.nextInt(256)};
    }

    @Test
    void randomSnapshotsCoverTheFormat()
    {
        final Map<String, Integer> seen = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 300; i++)
        {
            for (final String token : IpvsadmSave.numeric().save(randomSnapshot(random, false), true).split("\\s+"))
            {
                if (token.startsWith("-"))
                {
                    seen.merge(token, 1, Integer::sum);
                }
            }
        }
        for (final String option : List.of("-A", "-a", "-t", "-u", "--sctp-service", "-f", "-6", "-s", "-p", "-M",
            "--pe", "-o", "-b", "-r", "-g", "-i", "-m", "-w", "--tun-type", "--tun-port", "--tun-nocsum",
            "--tun-csum", "--tun-remcsum"))
        {
            assertTrue(seen.containsKey(option), option + " never generated");
        }
    }
}
