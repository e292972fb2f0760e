package io.lvs4j.core.ipvsadm;

import java.util.List;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.ipvsadm.IpvsadmCommand.Option;
import io.lvs4j.core.ipvsadm.IpvsadmCommand.Verb;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpvsadmCommandLineTest
{
    private static IpvsadmCommand parse(final String line)
    {
        return IpvsadmCommandLine.parse(line.isEmpty() ? new String[0] : line.split(" "));
    }

    private static void fails(final String line, final String message)
    {
        fails(line, message, 2);
    }

    private static void fails(final String line, final String message, final int status)
    {
        final IpvsadmException ex = assertThrows(IpvsadmException.class, () -> parse(line), line);
        assertEquals(message, ex.getMessage(), line);
        assertEquals(status, ex.exitStatus(), line);
    }

    private static final String TRY_HELP = "Try `ipvsadm -h' or 'ipvsadm --help' for more information.";

    // ------------------------------------------------------------------------------------------------------
    // commands

    @Test
    void noArgumentsListsEverything()
    {
        final IpvsadmCommand c = parse("");
        assertEquals(Verb.LIST, c.verb());
        assertTrue(c.options().isEmpty());
        assertTrue(c.format().isEmpty());
    }

    @Test
    void everyCommandByShortAndLongName()
    {
        assertEquals(Verb.ADD_SERVICE, parse("-A -t 10.0.0.1:80").verb());
        assertEquals(Verb.ADD_SERVICE, parse("--add-service -t 10.0.0.1:80").verb());
        assertEquals(Verb.EDIT_SERVICE, parse("-E -t 10.0.0.1:80").verb());
        assertEquals(Verb.EDIT_SERVICE, parse("--edit-service -t 10.0.0.1:80").verb());
        assertEquals(Verb.DELETE_SERVICE, parse("-D -t 10.0.0.1:80").verb());
        assertEquals(Verb.DELETE_SERVICE, parse("--delete-service -t 10.0.0.1:80").verb());
        assertEquals(Verb.FLUSH, parse("-C").verb());
        assertEquals(Verb.FLUSH, parse("--clear").verb());
        assertEquals(Verb.LIST, parse("-L").verb());
        assertEquals(Verb.LIST, parse("-l").verb());
        assertEquals(Verb.LIST, parse("--list").verb());
        assertEquals(Verb.ZERO, parse("-Z").verb());
        assertEquals(Verb.ZERO, parse("--zero -t 10.0.0.1:80").verb());
        assertEquals(Verb.ADD_SERVER, parse("-a -t 10.0.0.1:80 -r 10.0.0.2").verb());
        assertEquals(Verb.ADD_SERVER, parse("--add-server -t 10.0.0.1:80 -r 10.0.0.2").verb());
        assertEquals(Verb.EDIT_SERVER, parse("-e -t 10.0.0.1:80 -r 10.0.0.2").verb());
        assertEquals(Verb.EDIT_SERVER, parse("--edit-server -t 10.0.0.1:80 -r 10.0.0.2").verb());
        assertEquals(Verb.DELETE_SERVER, parse("-d -t 10.0.0.1:80 -r 10.0.0.2").verb());
        assertEquals(Verb.DELETE_SERVER, parse("--delete-server -t 10.0.0.1:80 -r 10.0.0.2").verb());
        assertEquals(Verb.RESTORE, parse("-R").verb());
        assertEquals(Verb.RESTORE, parse("--restore").verb());
        assertEquals(Verb.SAVE, parse("-S").verb());
        assertEquals(Verb.SAVE, parse("--save").verb());
        assertEquals(Verb.HELP, parse("-h").verb());
        assertEquals(Verb.HELP, parse("--help").verb());
        assertEquals(Verb.VERSION, parse("-v").verb());
        assertEquals(Verb.VERSION, parse("--version").verb());
    }

    @Test
    void helpAndVersionIgnoreWhatFollows()
    {
        assertEquals(Verb.HELP, parse("-h -t nonsense --bogus").verb());
        assertEquals(Verb.VERSION, parse("-v --bogus").verb());
        assertTrue(IpvsadmCommandLine.usage("ipvsadm").startsWith(IpvsadmCommandLine.VERSION + "\nUsage:\n"));
        assertEquals("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)", IpvsadmCommandLine.VERSION);
    }

    @Test
    void setTakesThreeTimeouts()
    {
        final IpvsadmCommand c = parse("--set 900 0 300");
        assertEquals(Verb.SET_TIMEOUT, c.verb());
        assertEquals(900, c.tcpTimeoutS());
        assertEquals(0, c.tcpFinTimeoutS());
        assertEquals(300, c.udpTimeoutS());
        fails("--set 900 120", "--set option requires 3 timeout values");
        fails("--set", "--set option requires 3 timeout values");
        fails("--set 900 120 300 5", "unexpected argument 5");
        fails("--set 900 x 300", "invalid timeout value `x' specified");
        // popt reads -1 as an option, as it would for ipvsadm
        fails("--set 900 -1 300", "-1: unknown option", 255);
        fails("--set 2678401 1 1", "invalid timeout value `2678401' specified");
        assertEquals(2_678_400, parse("--set 2678400 1 1").tcpTimeoutS());
        fails("--set 1 2 3 -n", "Illegal 'numeric' option with the 'set' command");
    }

    @Test
    void syncDaemonCommands()
    {
        final IpvsadmCommand start = parse("--start-daemon master --mcast-interface eth1 --syncid 7 " +
            "--mcast-group 224.0.0.82 --mcast-port 8849 --mcast-ttl 3 --sync-maxlen 1400");
        assertEquals(Verb.START_DAEMON, start.verb());
        assertEquals("master", start.daemonState());
        assertEquals("eth1", start.mcastInterface());
        assertEquals(7, start.syncId());
        assertEquals("224.0.0.82", start.mcastGroup());
        assertEquals(8849, start.mcastPort());
        assertEquals(3, start.mcastTtl());
        assertEquals(1400, start.syncMaxLen());
        assertEquals("eth0", parse("--start-daemon backup").mcastInterface());
        assertEquals("ff02::81", parse("--start-daemon backup --mcast-group ff02::81").mcastGroup());
        final IpvsadmCommand stop = parse("--stop-daemon backup --syncid 3");
        assertEquals(Verb.STOP_DAEMON, stop.verb());
        assertEquals("backup", stop.daemonState());
        fails("--start-daemon primary", "illegal start-daemon parameter specified");
        fails("--stop-daemon primary", "illegal start_daemon specified");
        fails("--start-daemon master --syncid 256", "illegal syncid specified");
        fails("--start-daemon master --mcast-port 0", "illegal mcast-port specified");
        fails("--start-daemon master --mcast-ttl 256", "illegal mcast-ttl specified");
        fails("--start-daemon master --sync-maxlen 65508", "illegal sync-maxlen specified");
        fails("--start-daemon master --mcast-group 10.0.0.1", "invalid IPv4 mcast-group `10.0.0.1'");
        fails("--start-daemon master --mcast-group 2001:db8::1", "invalid IPv6 mcast-group `2001:db8::1'");
        fails("--stop-daemon master --mcast-ttl 2", "Illegal 'mcast-ttl' option with the 'stop-daemon' command");
        fails("--start-daemon", "Try `ipvsadm -h' or 'ipvsadm --help' for more information.", 255);
    }

    // ------------------------------------------------------------------------------------------------------
    // popt syntax

    @Test
    void shortOptionsCluster()
    {
        final IpvsadmCommand c = parse("-Ln");
        assertEquals(Verb.LIST, c.verb());
        assertTrue(c.has(Option.NUMERIC));
        assertTrue(c.format().contains(ListFormat.NUMERIC));
        final IpvsadmCommand lnc = parse("-Lnc");
        assertTrue(lnc.has(Option.CONNECTION));
        // an option with a value takes the rest of the cluster
        final IpvsadmCommand at = parse("-At10.0.0.1:80");
        assertEquals(Verb.ADD_SERVICE, at.verb());
        assertEquals(80, at.service().port());
        final IpvsadmCommand w = parse("-a -t 10.0.0.1:80 -r 10.0.0.2 -mw5");
        assertEquals(5, w.server().weight());
        assertEquals(ConnectionFlags.MASQ, w.server().method());
        assertEquals(7, parse("-a -t 10.0.0.1:80 -r 10.0.0.2 -w=7").server().weight());
    }

    @Test
    void longOptionsTakeTheirValueAfterAnEqualsSignOrInTheNextWord()
    {
        final IpvsadmCommand c = parse("--add-service --tcp-service=10.0.0.1:80 --scheduler rr --persistent=600");
        assertEquals("rr", c.service().scheduler());
        assertEquals(600, c.service().persistenceTimeoutS());
        fails("-L --numeric=yes", "--numeric=yes: option does not take an argument", 255);
        fails("-L -n=1", "-n=1: option does not take an argument", 255);
    }

    @Test
    void persistentTimeoutIsOptional()
    {
        assertEquals(360, parse("-A -t 10.0.0.1:80 -p").service().persistenceTimeoutS());
        assertEquals(360, parse("-A -p -t 10.0.0.1:80").service().persistenceTimeoutS());
        assertEquals(120, parse("-A -t 10.0.0.1:80 -p 120").service().persistenceTimeoutS());
        assertEquals(120, parse("-A -t 10.0.0.1:80 -p120").service().persistenceTimeoutS());
        assertEquals(360, parse("-A -t 10.0.0.1:80 --persistent -s rr").service().persistenceTimeoutS());
        assertEquals(2_678_400, parse("-A -t 10.0.0.1:80 -p 2678400").service().persistenceTimeoutS());
        assertTrue(parse("-A -t 10.0.0.1:80 -p").service().isPersistent());
        fails("-A -t 10.0.0.1:80 -p 0", "invalid timeout value `0' specified");
        fails("-A -t 10.0.0.1:80 -p 2678401", "invalid timeout value `2678401' specified");
        fails("-A -t 10.0.0.1:80 -p abc", "invalid timeout value `abc' specified");
    }

    @Test
    void parserErrors()
    {
        fails("-L --bogus", "--bogus: unknown option", 255);
        fails("-L -q", "-q: unknown option", 255);
        fails("-Lq", "-Lq: unknown option", 255);
        fails("-L -", "-: unknown option", 255);
        fails("-A -t", "-t: missing argument", 255);
        fails("-A -t 10.0.0.1:80 -s", "-s: missing argument", 255);
        // the first option must be a command
        fails("-t 10.0.0.1:80", TRY_HELP, 255);
        fails("--bogus", TRY_HELP, 255);
        fails("list", TRY_HELP, 255);
        // a second command, or -h/-v after the command
        fails("-L -A", "invalid option `-A'");
        fails("-LA", "invalid option `-LA'");
        fails("-L -h", "invalid option `-h'");
        fails("-C --start-daemon master", "invalid option `master'");
        // words that are not options
        fails("-L extra", "unexpected argument extra");
        fails("extra -L", "unexpected argument extra");
        fails("-L -- -n", "unexpected argument -n");
    }

    @Test
    void eachOptionAtMostOnce()
    {
        fails("-A -t 10.0.0.1:80 -u 10.0.0.1:53", "multiple 'service-address' options specified");
        fails("-A -t 10.0.0.1:80 -s rr -s wrr", "multiple 'scheduler' options specified");
        fails("-a -t 10.0.0.1:80 -r 10.0.0.2 -g -m", "multiple 'forwarding-method' options specified");
        fails("-L -n -n", "multiple 'numeric' options specified");
        fails("-L --stats --stats", "multiple 'stats' options specified");
        // --sort is a no-op and -6 is not an option ipvsadm counts
        assertEquals(Verb.LIST, parse("-L --sort --sort").verb());
        assertEquals(FlowKey.AF_INET6, parse("-A -f 1 -6 -6").service().family());
    }

    // ------------------------------------------------------------------------------------------------------
    // services

    @Test
    void tcpUdpSctpAndFwmarkServices()
    {
        final IpvsadmCommand tcp = parse("-A -t 203.0.113.10:80");
        final VirtualService s = tcp.service();
        assertEquals(IpProtocol.TCP, s.protocol());
        assertEquals(FlowKey.AF_INET, s.family());
        assertEquals(0xCB00_710AL, s.addressLo());
        assertEquals(80, s.port());
        assertEquals("wlc", s.scheduler());
        assertFalse(s.isPersistent());
        assertEquals(0xFFFF_FFFF, s.netmask());
        assertEquals(new ServiceKey(FlowKey.AF_INET, IpProtocol.TCP, 0, 0xCB00_710AL, 80, 0), tcp.serviceKey());
        assertTrue(tcp.serviceKey().matches(s));

        assertEquals(IpProtocol.UDP, parse("-A -u 203.0.113.10:53").service().protocol());
        assertEquals(IpProtocol.UDP, parse("-A --udp-service 203.0.113.10:53").service().protocol());
        assertEquals(IpProtocol.SCTP, parse("-A --sctp-service 203.0.113.10:38412").service().protocol());

        final VirtualService fw = parse("-A -f 7 -s sh").service();
        assertEquals(7, fw.fwmark());
        assertEquals(IpProtocol.IP, fw.protocol());
        assertEquals(FlowKey.AF_INET, fw.family());
        assertEquals(FlowKey.AF_INET6, parse("-A --fwmark-service 7 --ipv6").service().family());
        assertEquals(128, parse("-A -f 7 -6").service().netmask());
        assertEquals(4_294_967_295L, Integer.toUnsignedLong(parse("-A -f 4294967295").service().fwmark()));
        fails("-A -f 0", "invalid fwmark value `0' specified");
        fails("-A -f 4294967296", "invalid fwmark value `4294967296' specified");
        fails("-A -f x", "invalid fwmark value `x' specified");
        fails("-A -6 -f 1", "-6 used before -f\n");
        fails("-A -t 10.0.0.1:80 -6", "-6 used before -f\n");
    }

    @Test
    void serviceAddressForms()
    {
        // IPv6 in brackets with a port, bare IPv6 without one
        final VirtualService v6 = parse("-A -t [2001:db8::10]:443").service();
        assertEquals(FlowKey.AF_INET6, v6.family());
        assertEquals(0x2001_0db8_0000_0000L, v6.addressHi());
        assertEquals(0x10L, v6.addressLo());
        assertEquals(443, v6.port());
        assertEquals(128, v6.netmask());
        assertEquals(0, parse("-A -t 2001:db8::10 -p").service().port());
        // inet_aton's forms: 10.1 is 10.0.0.1, hex and octal parts
        assertEquals(0x0A00_0001L, parse("-A -t 10.1:80").service().addressLo());
        assertEquals(0x0A00_0001L, parse("-A -t 0x0a.0.0.01:80").service().addressLo());
        // no port: 0, which needs persistence
        fails("-A -t 10.0.0.1", "Zero port specified for non-persistent service");
        fails("-A -t 10.0.0.1:0", "Zero port specified for non-persistent service");
        fails("-E -u 10.0.0.1:0", "Zero port specified for non-persistent service");
        assertEquals(0, parse("-A -t 10.0.0.1:0 -p").service().port());
        // ipvsadm's refusals
        fails("-A -t 1234", "illegal virtual server address[:port] specified");
        fails("-A -t 10.0.0.1:http", "illegal virtual server address[:port] specified");
        fails("-A -t 10.0.0.1:65536", "illegal virtual server address[:port] specified");
        fails("-A -t 10.0.0.1:", "illegal virtual server address[:port] specified");
        fails("-A -t 10.0.0.256:80", "illegal virtual server address[:port] specified");
        fails("-A -t [2001:db8::1]", "illegal virtual server address[:port] specified");
        fails("-A -t [2001:db8::1:80", "illegal virtual server address[:port] specified");
        fails("-A -t www.example.com:80", "illegal virtual server address[:port] specified");
        // [v4]:port: ipvsadm finds no port after the bracket
        fails("-A -t [10.0.0.1]:80", "Zero port specified for non-persistent service");
    }

    @Test
    void namesGoThroughTheResolver()
    {
        final IpvsadmResolver resolver = new IpvsadmResolver()
        {
            @Override
            public long hostAddress(final String name)
            {
                return "lb.example.com".equals(name) ? 0xCB00_710AL : -1;
            }

            @Override
            public int servicePort(final String name, final int protocol)
            {
                return "http".equals(name) && protocol == IpProtocol.TCP ? 80 : -1;
            }
        };
        final IpvsadmCommand c = IpvsadmCommandLine.parse(resolver,
            List.of("-A", "-t", "lb.example.com:http", "-M", "lb.example.com", "-p"));
        assertEquals(0xCB00_710AL, c.service().addressLo());
        assertEquals(80, c.service().port());
        assertEquals(0xCB00_710A, c.service().netmask());
        final IpvsadmException udp = assertThrows(IpvsadmException.class,
            () -> IpvsadmCommandLine.parse(resolver, List.of("-A", "-u", "lb.example.com:http")));
        assertEquals("illegal virtual server address[:port] specified", udp.getMessage());
        final IpvsadmResolver services = IpvsadmResolver.services("# comment\nhttp\t80/tcp www\t# WWW\n" +
            "domain 53/udp\nhttps 443/tcp\n");
        assertEquals(80, IpvsadmCommandLine.parse(services, List.of("-A", "-t", "10.0.0.1:www")).service().port());
        assertEquals(53, IpvsadmCommandLine.parse(services, List.of("-A", "-u", "10.0.0.1:domain")).service()
            .port());
        assertEquals("http", services.serviceName(80, IpProtocol.TCP));
        assertNull(services.serviceName(80, IpProtocol.UDP));
    }

    @Test
    void schedulerPersistenceNetmaskAndEngine()
    {
        final IpvsadmCommand c = parse("-A -t 10.0.0.1:80 -s rr -p 600 -M 255.255.255.0 --pe sip");
        assertEquals("rr", c.service().scheduler());
        assertEquals(600, c.service().persistenceTimeoutS());
        assertEquals(0xFFFF_FF00, c.service().netmask());
        assertEquals("sip", c.persistenceEngine());
        assertEquals("abcdefghijklmno", parse("-A -t 10.0.0.1:80 -s abcdefghijklmnopq").service().scheduler());
        // the IPv6 netmask is a prefix length once the service is IPv6
        assertEquals(64, parse("-A -t [2001:db8::1]:80 -p -M 64").service().netmask());
        fails("-A -t [2001:db8::1]:80 -p -M 129", "illegal ipv6 netmask specified");
        fails("-A -t [2001:db8::1]:80 -p -M 0", "illegal ipv6 netmask specified");
        // before the service is known, -M is an IPv4 mask (inet_aton: 24 is 0.0.0.24) and the IPv6 service
        // resets it to 128
        assertEquals(0x18, parse("-A -M 24 -t 10.0.0.1:80").service().netmask());
        assertEquals(128, parse("-A -M 24 -t [2001:db8::1]:80").service().netmask());
        fails("-A -t 10.0.0.1:80 -M 255.255.255.256", "illegal virtual server persistent mask specified");
        assertEquals(0xFFFF_FF00, parse("-A -f 1 -M 255.255.255.0").service().netmask());
    }

    @Test
    void schedulerFlags()
    {
        assertEquals(ServiceFlags.SH_FALLBACK | ServiceFlags.SH_PORT,
            parse("-A -t 10.0.0.1:80 -s sh -b sh-fallback,sh-port").service().flags());
        assertEquals(ServiceFlags.MH_PORT, parse("-A -t 10.0.0.1:80 -b mh-port -s mh").service().flags());
        assertEquals(ServiceFlags.SCHED1 | ServiceFlags.SCHED2 | ServiceFlags.SCHED3,
            parse("-A -t 10.0.0.1:80 --sched-flags flag-1,flag-2,,flag-3").service().flags());
        assertEquals(0, parse("-A -t 10.0.0.1:80 -b=").service().flags());
        fails("-A -t 10.0.0.1:80 -b sh-port", "incompatible scheduler flag `sh-port'");
        fails("-A -t 10.0.0.1:80 -s sh -b mh-fallback", "incompatible scheduler flag `mh-fallback'");
        fails("-A -t 10.0.0.1:80 -s rr -b fast", "invalid scheduler flag `fast'");
    }

    @Test
    void onePacketSchedulingIsForUdpAndFwmark()
    {
        assertEquals(ServiceFlags.ONEPACKET, parse("-A -u 10.0.0.1:53 -o").service().flags());
        assertEquals(ServiceFlags.ONEPACKET, parse("-A -f 3 --ops").service().flags());
        fails("-A -t 10.0.0.1:80 -o", "One-Packet Scheduling is only for UDP virtual services");
        fails("-E --sctp-service 10.0.0.1:80 -o", "One-Packet Scheduling is only for UDP virtual services");
    }

    // ------------------------------------------------------------------------------------------------------
    // real servers

    @Test
    void realServerDefaultsAndOptions()
    {
        final IpvsadmCommand c = parse("-a -t 10.0.0.1:80 -r 192.0.2.11");
        final RealServer r = c.server();
        assertEquals(0xC000_020BL, r.addressLo());
        assertEquals(80, r.port());
        assertEquals(1, r.weight());
        assertEquals(ConnectionFlags.DROUTE, r.method());
        assertEquals(0, r.upperThreshold());
        assertFalse(c.has(Option.WEIGHT));

        final RealServer nat = parse("-a -t 10.0.0.1:80 -r 192.0.2.11:8080 -m -w 0 -x 100 -y 50").server();
        assertEquals(8080, nat.port());
        assertEquals(ConnectionFlags.MASQ, nat.method());
        assertEquals(0, nat.weight());
        assertEquals(100, nat.upperThreshold());
        assertEquals(50, nat.lowerThreshold());
        assertEquals(65535, parse("-e -t 10.0.0.1:80 -r 192.0.2.11 --weight 65535").server().weight());
        assertEquals(ConnectionFlags.TUNNEL, parse("-a -t 10.0.0.1:80 -r 192.0.2.11 --ipip").server().method());
        assertEquals(ConnectionFlags.MASQ,
            parse("-a -t 10.0.0.1:80 -r 192.0.2.11 --masquerading").server().method());
        assertEquals(ConnectionFlags.DROUTE,
            parse("-a -t 10.0.0.1:80 --real-server 192.0.2.11 --gatewaying").server().method());
        assertEquals(5, parse("-a -t 10.0.0.1:80 -r 192.0.2.11 -w +5").server().weight());
    }

    @Test
    void directRoutingAndTunnelsUseTheServicePort()
    {
        // ipvsadm forces the port for -g and -i on address services
        assertEquals(80, parse("-a -t 10.0.0.1:80 -r 192.0.2.11:8080 -g").server().port());
        assertEquals(80, parse("-e -t 10.0.0.1:80 -r 192.0.2.11:8080 -i").server().port());
        assertEquals(8080, parse("-a -t 10.0.0.1:80 -r 192.0.2.11:8080 -m").server().port());
        // not for fwmark services, and not for -d (which names the server as given)
        assertEquals(8080, parse("-a -f 5 -r 192.0.2.11:8080 -g").server().port());
        assertEquals(0, parse("-a -f 5 -r 192.0.2.11").server().port());
        assertEquals(8080, parse("-d -t 10.0.0.1:80 -r 192.0.2.11:8080").server().port());
        // -r before the service: the port is not yet known
        assertEquals(0, parse("-a -r 192.0.2.11 -m -t 10.0.0.1:80").server().port());
    }

    @Test
    void realServerErrors()
    {
        fails("-a -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'add-server' command");
        fails("-e -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'edit-server' command");
        fails("-d -t 10.0.0.1:80", "You need to supply the 'real-server' option for the 'delete-server' command");
        fails("-a -r 192.0.2.1", "You need to supply the 'service-address' option for the 'add-server' command");
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1 -w 65536", "illegal weight specified");
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1 -w -1", "illegal weight specified");
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1 -w x", "illegal weight specified");
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1 -x -1", "illegal u_threshold specified");
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1 -y 2147483648", "illegal l_threshold specified");
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1:99999", "illegal real server address[:port] specified");
        fails("-a -t 10.0.0.1:80 -r 42", "illegal real server address[:port] specified");
        fails("-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -m",
            "Different address family is allowed only for tunneling servers");
        assertEquals(FlowKey.AF_INET6, parse("-a -t 10.0.0.1:80 -r [2001:db8::1]:80 -i").server().family());
        fails("-d -t 10.0.0.1:80 -r 192.0.2.1 -w 2", "Illegal 'weight' option with the 'delete-server' command");
        fails("-d -t 10.0.0.1:80 -r 192.0.2.1 -m",
            "Illegal 'forwarding-method' option with the 'delete-server' command");
        // the kernel refuses a lower threshold above the upper one (also above an unset upper)
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1 -x 10 -y 20", "Numerical result out of range", 255);
        fails("-a -t 10.0.0.1:80 -r 192.0.2.1 -y 20", "Numerical result out of range", 255);
    }

    @Test
    void tunnelOptions()
    {
        final IpvsadmCommand gue = parse("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type gue --tun-port 6080 " +
            "--tun-csum");
        assertEquals(DestinationEntry.TUN_GUE, gue.tunnelType());
        assertEquals(6080, gue.tunnelPort());
        assertEquals(DestinationEntry.TUN_CSUM, gue.tunnelFlags());
        assertEquals(DestinationEntry.TUN_REMCSUM,
            parse("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type gue --tun-port 1 --tun-remcsum").tunnelFlags());
        assertEquals(DestinationEntry.TUN_GRE,
            parse("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type gre --tun-nocsum").tunnelType());
        assertEquals(DestinationEntry.TUN_IPIP, parse("-a -t 10.0.0.1:443 -r 192.0.2.5 -i").tunnelType());
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 -m --tun-type gre", "Tunnel options conflict with forward method");
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 --tun-csum", "Tunnel options conflict with forward method");
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type vxlan", "illegal tunnel type specified");
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type gue",
            "You need to supply the 'tun-port' option for the 'gue' tunnel type");
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-port 5",
            "Illegal 'tun-port' option with the 'ipip' tunnel type");
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type gre --tun-remcsum",
            "Illegal 'tun-remcsum' option with the 'gre' tunnel type");
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type gue --tun-port 5 --tun-nocsum --tun-csum",
            "The option 'tun-csum' conflicts with the 'tun-nocsum' option in the 'gue' tunnel type");
        fails("-a -t 10.0.0.1:443 -r 192.0.2.5 -i --tun-type gue --tun-port 0", "illegal tunnel port specified");
        fails("-A -t 10.0.0.1:443 --tun-type gue", "Illegal 'tun-type' option with the 'add-service' command");
    }

    // ------------------------------------------------------------------------------------------------------
    // legality table and list

    @Test
    void optionsIllegalWithTheirCommand()
    {
        fails("-A -t 10.0.0.1:80 -r 192.0.2.1", "Illegal 'real-server' option with the 'add-service' command");
        fails("-A -t 10.0.0.1:80 -w 3", "Illegal 'weight' option with the 'add-service' command");
        fails("-A -t 10.0.0.1:80 -n", "Illegal 'numeric' option with the 'add-service' command");
        fails("-A", "You need to supply the 'service-address' option for the 'add-service' command");
        fails("-E -s rr", "You need to supply the 'service-address' option for the 'edit-service' command");
        fails("-D -t 10.0.0.1:80 -s rr", "Illegal 'scheduler' option with the 'delete-service' command");
        fails("-D", "You need to supply the 'service-address' option for the 'delete-service' command");
        fails("-C -n", "Illegal 'numeric' option with the 'flush' command");
        fails("-C -t 10.0.0.1:80", "Illegal 'service-address' option with the 'flush' command");
        fails("-R -n", "Illegal 'numeric' option with the 'restore' command");
        fails("-S -c", "Illegal 'connection' option with the 'save' command");
        fails("-Z -n", "Illegal 'numeric' option with the 'zero' command");
        fails("-L -s rr", "Illegal 'scheduler' option with the 'list' command");
        fails("-L -o", "Illegal 'ops' option with the 'list' command");
        assertTrue(parse("-S -n").format().contains(ListFormat.NUMERIC));
        assertEquals(Verb.ZERO, parse("-Z -f 3").verb());
    }

    @Test
    void listOptions()
    {
        final IpvsadmCommand c = parse("-L -n --stats --nosort --exact --sort");
        assertTrue(c.format().containsAll(List.of(ListFormat.NUMERIC, ListFormat.STATS, ListFormat.NOSORT,
            ListFormat.EXACT)));
        assertTrue(parse("-L --rate -X").format().contains(ListFormat.EXACT));
        assertTrue(parse("-L --thresholds").format().contains(ListFormat.THRESHOLDS));
        assertTrue(parse("-L --persistent-conn").format().contains(ListFormat.PERSISTENT_CONN));
        assertTrue(parse("-L --tun-info").format().contains(ListFormat.TUN_INFO));
        assertTrue(parse("-L --timeout").has(Option.TIMEOUT));
        assertTrue(parse("-L --daemon").has(Option.DAEMON));
        assertTrue(parse("-L --connection --persistent-conn").has(Option.CONNECTION));
        final IpvsadmCommand one = parse("-Ln -t 10.0.0.1:80");
        assertEquals(new ServiceKey(FlowKey.AF_INET, IpProtocol.TCP, 0, 0x0A00_0001L, 80, 0), one.serviceKey());
        assertNull(one.service());
        // a port-0 service can be named although it is no VirtualService of its own
        assertEquals(0, parse("-L -t 10.0.0.1").serviceKey().port());
        fails("-L -c -t 10.0.0.1:80",
            "The option 'service-address' conflicts with the 'connection' option in the 'list' command");
        fails("-L -c --timeout",
            "The option 'timeout' conflicts with the 'connection' option in the 'list' command");
        fails("-L --daemon --timeout",
            "The option 'daemon' conflicts with the 'timeout' option in the 'list' command");
        fails("-L -c --stats", "options conflicts in the list command");
        fails("-L --timeout --rate", "options conflicts in the list command");
        fails("-L --daemon --thresholds", "options conflicts in the list command");
        fails("-L --timeout --persistent-conn", "options conflicts in the list command");
    }
}
