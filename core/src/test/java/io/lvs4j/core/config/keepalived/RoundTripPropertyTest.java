package io.lvs4j.core.config.keepalived;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.testing.PropertyCheck;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Random valid configurations written by {@link KeepalivedConfigWriter} parse back to the same model. */
class RoundTripPropertyTest
{
    private static final String[] SCHEDULERS = {"rr", "wrr", "lc", "wlc", "sh", "mh", "twos", "maglev"};

    @Test
    void writtenConfigurationsParseBackEqual()
    {
        PropertyCheck.forAll("keepalived round trip", 300, random ->
        {
            final KeepalivedConfig config = new Gen(random).config();
            final String text = KeepalivedConfigWriter.write(config);
            final KeepalivedParser.Result result = new KeepalivedParser().check("random.conf", text, Path.of("."));
            if (!result.ok())
            {
                throw new AssertionError(result.problems() + "\n" + text);
            }
            assertEquals(config.globalDefs(), result.config().globalDefs(), text);
            assertEquals(config.virtualServerGroups(), result.config().virtualServerGroups(), text);
            assertEquals(config.virtualServers(), result.config().virtualServers(), text);
            assertEquals(config.vrrpScripts(), result.config().vrrpScripts(), text);
            assertEquals(config.vrrpInstances(), result.config().vrrpInstances(), text);
            assertEquals(config.vrrpSyncGroups(), result.config().vrrpSyncGroups(), text);
            assertEquals(config, result.config());
            // and the text is stable: writing the parsed model again gives the same text
            assertEquals(text, KeepalivedConfigWriter.write(result.config()));
        });
    }

    /** Draws valid (already normalised) models. */
    private static final class Gen
    {
        private final SplittableRandom r;

        Gen(final SplittableRandom r)
        {
            this.r = r;
        }

        boolean b()
        {
            return r.nextBoolean();
        }

        int i(final int lo, final int hi)
        {
            return (int)r.nextLong(lo, (long)hi + 1);
        }

        Duration t(final boolean zero)
        {
            final long micros = r.nextInt(4) == 0 ? r.nextLong(zero ? 0 : 1, 100_000_000L) : i(zero ? 0 : 1, 120) * 1_000_000L;
            return Duration.ofNanos(micros * 1000);
        }

        Duration nt()
        {
            return b() ? null : t(true);
        }

        String word()
        {
            final String[] w = {"eth0", "bond0.12", "chk_x", "VI-1", "a#b", "two words", "q\"uote", "x{y}", "sl\\ash",
                "$notparam", "@id", "ünï"};
            return w[r.nextInt(w.length)];
        }

        String nword()
        {
            return b() ? null : word();
        }

        InetAddress ip(final boolean v6)
        {
            final byte[] b = new byte[v6 ? 16 : 4];
            r.nextBytes(b);
            try
            {
                return InetAddress.getByAddress(b);
            }
            catch (final java.net.UnknownHostException ex)
            {
                throw new IllegalStateException(ex);
            }
        }

        NotifyScript script()
        {
            if (b())
            {
                return null;
            }
            final String user = b() ? null : "root";
            return new NotifyScript("/usr/bin/" + word() + " --arg", user, user != null && b() ? "wheel" : null);
        }

        LvsMethod method()
        {
            switch (r.nextInt(6))
            {
                case 0: return LvsMethod.NAT;
                case 1: return LvsMethod.DR;
                case 2: return LvsMethod.TUN;
                case 3: return new LvsMethod(LvsMethod.Kind.TUN, LvsMethod.TunnelType.GUE, i(1, 65535),
                    LvsMethod.TunnelChecksum.values()[r.nextInt(3)]);
                case 4: return new LvsMethod(LvsMethod.Kind.TUN, LvsMethod.TunnelType.GRE, 0,
                    LvsMethod.TunnelChecksum.values()[r.nextInt(2)]);
                default: return LvsMethod.DR;
            }
        }

        ConnectionOptions connection()
        {
            return new ConnectionOptions(b() ? null : ip(b()), b() ? 0 : i(1, 65535), b() ? null : ip(b()),
                b() ? 0 : i(1, 65535), nword(), t(false), b() ? 0 : r.nextInt());
        }

        CheckerTiming timing()
        {
            return new CheckerTiming(i(0, 10), t(true), t(true), t(false), b(), b());
        }

        Checker checker()
        {
            switch (r.nextInt(9))
            {
                case 0: return new TcpCheck(connection(), timing());
                case 1: return new PingCheck(connection(), timing());
                case 2:
                    final boolean reply = b();
                    return new UdpCheck(connection(), timing(), b() ? null : "0a1bff", reply,
                        reply && b() ? "0ax1" : null, i(0, 10), i(10, 1000));
                case 3:
                case 4:
                    final List<HttpUrl> urls = new ArrayList<>();
                    for (int n = i(1, 3); n > 0; n--)
                    {
                        urls.add(new HttpUrl("/" + word(), b() ? null : "0123456789abcdef0123456789abcdef",
                            b() ? HttpUrl.DEFAULT_STATUS : List.of(new HttpUrl.StatusRange(200, 200),
                            new HttpUrl.StatusRange(301, 399)), nword(), b() ? null : "^OK.*", b()));
                    }
                    // a checker without a virtualhost inherits its servers': always set, it is what parsing resolves
                    return new HttpCheck(b(), connection(), timing(), urls, word(),
                        new String[] {"1.0", "1.0C", "1.1"}[r.nextInt(3)], b(), nword(), b(), b());
                case 5: return new DnsCheck(connection(), timing(), "AAAA", b() ? "." : "example.org");
                case 6:
                    final List<ConnectionOptions> hosts = new ArrayList<>();
                    for (int n = i(0, 2); n > 0; n--)
                    {
                        hosts.add(connection());
                    }
                    return new SmtpCheck(connection(), timing(), word(), hosts);
                case 7:
                    final String user = nword();
                    return new MiscCheck(timing(), "/bin/" + word() + " 1 2", t(false), b(), user,
                        user != null && b() ? "grp" : null);
                default: return new FileCheck(word(), i(-254, 254), b(), b());
            }
        }

        RealServerConfig realServer(final boolean v6)
        {
            final List<Checker> checkers = new ArrayList<>();
            for (int n = i(0, 2); n > 0; n--)
            {
                checkers.add(checker());
            }
            final int upper = b() ? 0 : i(1, 1000);
            return new RealServerConfig(ip(v6), i(0, 65535), i(0, 65535), method(), upper,
                upper == 0 ? 0 : i(0, upper), b(), script(), script(), b() ? null : b(), nword(),
                b() ? null : t(false), b() ? null : i(0, 5), nt(), nt(), b() ? null : t(false), checkers);
        }

        VirtualServerConfig virtualServer(final String group)
        {
            final int kind = group != null ? 2 : r.nextInt(2);
            final boolean v6 = b();
            final InetAddress address = kind == 0 ? ip(v6) : null;
            final int fwmark = kind == 1 ? i(1, Integer.MAX_VALUE) : 0;
            final int protocol = kind == 1 ? IpProtocol.TCP
                : new int[] {IpProtocol.TCP, IpProtocol.UDP, IpProtocol.SCTP}[r.nextInt(3)];
            final int port = kind == 0 ? i(1, 65535) : 0;
            int flags = 0;
            if (b() && (protocol == IpProtocol.UDP || kind == 1))
            {
                flags |= ServiceFlags.ONEPACKET;
            }
            flags |= b() ? ServiceFlags.SCHED1 : 0;
            flags |= b() ? ServiceFlags.SCHED2 : 0;
            flags |= b() ? ServiceFlags.SCHED3 : 0;
            final int ipFamily = kind == 0 ? 0 : new int[] {0, FlowKey.AF_INET, FlowKey.AF_INET6}[r.nextInt(3)];
            final int family = kind == 0 ? (v6 ? FlowKey.AF_INET6 : FlowKey.AF_INET) : ipFamily;
            final Integer granularity = b() ? null : family == FlowKey.AF_INET6 ? i(1, 128) : r.nextInt();
            final List<RealServerConfig> servers = new ArrayList<>();
            for (int n = i(0, 3); n > 0; n--)
            {
                servers.add(realServer(b()));
            }
            final SorryServer sorry = b() ? null : new SorryServer(ip(b()), i(0, 65535), method(), b());
            return new VirtualServerConfig(address, port, fwmark, group, SCHEDULERS[r.nextInt(SCHEDULERS.length)],
                flags, method(), b() ? 0 : i(1, 2_678_400), granularity, b() ? null : "sip", protocol, ipFamily, b(),
                nword(), b(), b(), i(1, 100), i(0, 10), script(), script(), i(0, 65535), sorry, b(), t(false),
                b() ? null : t(false), b() ? null : i(0, 9), nt(), nt(), b() ? null : b(), servers);
        }

        VirtualIpAddress vip(final boolean v6)
        {
            return new VirtualIpAddress(ip(v6), i(0, v6 ? 128 : 32), b() ? null : ip(v6), nword(),
                b() ? null : "link", nword(), b());
        }

        VrrpInstance instance(final String name, final int vrid, final List<String> scripts)
        {
            final boolean v6 = b();
            final List<VirtualIpAddress> vips = new ArrayList<>();
            for (int n = i(0, 3); n > 0; n--)
            {
                vips.add(vip(v6));
            }
            final boolean nopreempt = b();
            final List<TrackedScript> tracked = new ArrayList<>();
            for (final String s : scripts)
            {
                if (b())
                {
                    tracked.add(new TrackedScript(s, b() ? null : i(-253, 253), b() ? null : b()));
                }
            }
            final boolean isV6 = !vips.isEmpty() && v6;
            final boolean vmac = b();
            return new VrrpInstance(name, nopreempt ? VrrpInstance.State.BACKUP
                : VrrpInstance.State.values()[r.nextInt(2)], "eth" + vrid, vrid, i(1, 255),
                Duration.ofSeconds(i(1, 10)), isV6 ? 3 : i(2, 3), nopreempt, Duration.ofSeconds(i(0, 1000)),
                b() ? null : new VrrpAuthentication(b() ? VrrpAuthentication.Type.PASS : VrrpAuthentication.Type.AH,
                "pw" + i(0, 999_999)), vips, b() ? List.of() : List.of(vip(b())),
                b() ? List.of() : List.of("198.51.100.0/24 via 192.0.2.1 dev eth0"), b() ? null : ip(false),
                b() ? List.of() : List.of(ip(false), ip(false)),
                b() ? List.of() : List.of(new TrackedInterface("eth9", i(-253, 253), b())), tracked, script(), script(),
                script(), script(), script(), b(), t(true), i(0, 100), t(true), i(0, 100), t(true), i(1, 100), vmac,
                vmac && b() ? "vrrp." + vrid : null, b(), b() ? null : b(), null);
        }

        KeepalivedConfig config()
        {
            final GlobalDefs d = GlobalDefs.defaults();
            final String smtp = b() ? null : "192.0.2.25";
            final GlobalDefs global = b() ? d : new GlobalDefs(nword(), b() ? List.of() : List.of("ops@example.org",
                "x y@example.org"), nword(), smtp, smtp == null ? 25 : i(1, 65535), nword(), t(false),
                b() ? null : b(), b() ? null : b(), b() ? null : b(), b(), b(), nword(), ip(false), ip(true),
                b() ? null : new LvsSyncDaemon("eth1", b() ? null : "VI_1",
                    b() ? LvsSyncDaemon.UNSET_SYNC_ID : i(0, 255), b() ? 0 : i(1, 9000), i(1, 65535), i(1, 255),
                    b() ? null : ip(false)),
                b() ? null : new LvsTimeouts(i(0, 9999), i(0, 9999), i(0, 9999)), b(),
                GlobalDefs.FlushOnStop.values()[r.nextInt(3)], t(true), i(0, 99), t(true), i(0, 99), t(true),
                i(1, 99), t(true), t(true), b(), i(2, 3), b(), b(), b(), t(true), b(), nword(), null);
            final List<VirtualServerGroup> groups = new ArrayList<>();
            final List<VirtualServerConfig> servers = new ArrayList<>();
            if (b())
            {
                final InetAddress first = ip(false);
                groups.add(new VirtualServerGroup("G1", List.of(
                    new VirtualServerGroup.Entry(first, first, i(0, 65535), 0, FlowKey.AF_INET),
                    new VirtualServerGroup.Entry(null, null, 0, i(1, 99), new int[] {0, 4, 6}[r.nextInt(3)]))));
                servers.add(virtualServer("G1"));
            }
            for (int n = i(0, 3); n > 0; n--)
            {
                servers.add(virtualServer(null));
            }
            final List<VrrpScript> scripts = new ArrayList<>();
            final List<String> scriptNames = new ArrayList<>();
            for (int n = i(0, 2); n > 0; n--)
            {
                final String name = "chk" + n;
                scriptNames.add(name);
                final String user = nword();
                scripts.add(new VrrpScript(name, "/bin/" + word(), t(false), t(false), i(-253, 253), b(), i(1, 9),
                    i(1, 9), user, user != null && b() ? "g" : null, b()));
            }
            final List<VrrpInstance> instances = new ArrayList<>();
            final List<String> names = new ArrayList<>();
            for (int n = i(0, 3); n > 0; n--)
            {
                names.add("VI_" + n);
                instances.add(instance("VI_" + n, n, scriptNames));
            }
            final List<VrrpSyncGroup> syncGroups = names.isEmpty() || b() ? List.of()
                : List.of(new VrrpSyncGroup("SG", names, script(), script(), script(), script(), script(), b()));
            return new KeepalivedConfig(List.of(), global, groups, servers, scripts, instances, syncGroups,
                b() ? List.of() : List.of(vip(false)), b() ? List.of() : List.of("10.0.0.0/8 via 192.0.2.1"),
                List.of());
        }
    }
}
