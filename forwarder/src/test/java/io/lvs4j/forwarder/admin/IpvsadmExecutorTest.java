package io.lvs4j.forwarder.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.core.packet.TcpView;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.channel.MemoryChannel;
import io.lvs4j.forwarder.pipeline.DirectorInterface;
import io.lvs4j.forwarder.pipeline.Ipv4Text;
import io.lvs4j.forwarder.pipeline.TestFrames;

/**
 * ipvsadm command lines against a running director: its grammar, its listings byte for byte, its answers to
 * refusals, save and restore, zeroing and timeouts.
 */
@Timeout(30)
class IpvsadmExecutorTest
{
    private static final String HEADER = "IP Virtual Server version 1.2.1 (size=%d)\n" +
        "Prot LocalAddress:Port Scheduler Flags\n" +
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

    private final MemoryChannel eth0 = new MemoryChannel("eth0");
    private Director director;
    private IpvsadmExecutor ipvsadm;

    @BeforeEach
    void start()
    {
        director = Director.launch(new Director.Context()
            .interfaces(List.of(new DirectorInterface(0, "eth0", 2, MacAddresses.parse("02:00:00:00:00:01"), 1500,
                List.of(new DirectorInterface.Prefix(Ipv4Text.parse("192.0.2.1"), 24),
                    new DirectorInterface.Prefix(Ipv4Text.parse("198.51.100.1"), 24)))))
            .channels((i, w, n) -> eth0)
            .workers(1)
            .neighbour("192.0.2.11", "02:00:00:00:00:a1")
            .neighbour("192.0.2.12", "02:00:00:00:00:a2"));
        ipvsadm = new IpvsadmExecutor(director);
    }

    @AfterEach
    void stop()
    {
        ipvsadm.close();
        director.close();
    }

    private AdminResponse run(final String line)
    {
        return ipvsadm.execute(List.of(line.split(" ")));
    }

    private void ok(final String line)
    {
        final AdminResponse r = run(line);
        assertEquals(0, r.exitCode(), line + ": " + r.err());
    }

    private String header()
    {
        return String.format(HEADER, director.ipvsSnapshot().connectionTableSize());
    }

    @Test
    void theSeedsTableAsIpvsadmPrintsIt()
    {
        ok("-A -t 203.0.113.10:80 -s wrr");
        ok("-a -t 203.0.113.10:80 -r 192.0.2.12:80 -g -w 2");
        ok("-a -t 203.0.113.10:80 -r 192.0.2.11:80 -g -w 1");
        ok("-A -u 203.0.113.10:53 -s sh -p 600");
        ok("-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m -w 1");
        final AdminResponse list = run("-Ln");
        assertEquals(0, list.exitCode());
        assertEquals(header() +
            "TCP  203.0.113.10:80 wrr\n" +
            "  -> 192.0.2.11:80                Route   1      0          0         \n" +
            "  -> 192.0.2.12:80                Route   2      0          0         \n" +
            "UDP  203.0.113.10:53 sh persistent 600\n" +
            "  -> 192.0.2.11:5353              Masq    1      0          0         \n", list.out());

        final AdminResponse save = run("-S -n");
        assertEquals(
            "-A -t 203.0.113.10:80 -s wrr\n" +
            "-a -t 203.0.113.10:80 -r 192.0.2.11:80 -g -w 1\n" +
            "-a -t 203.0.113.10:80 -r 192.0.2.12:80 -g -w 2\n" +
            "-A -u 203.0.113.10:53 -s sh -p 600\n" +
            "-a -u 203.0.113.10:53 -r 192.0.2.11:5353 -m -w 1\n", save.out());

        // restore what was saved into an empty director: the same table
        ok("-C");
        assertEquals(header(), run("-Ln").out());
        final AdminResponse restored = ipvsadm.execute(List.of("-R", IpvsadmExecutor.STDIN, save.out()));
        assertEquals(0, restored.exitCode(), restored.err());
        assertEquals(list.out(), run("-Ln").out());
    }

    @Test
    void refusalsAnswerAsTheKernelDoes()
    {
        ok("-A -t 203.0.113.10:80");
        assertEquals(new AdminResponse(1, "", "Service already exists\n"), run("-A -t 203.0.113.10:80"));
        assertEquals(new AdminResponse(1, "", "No such service\n"), run("-a -t 203.0.113.11:80 -r 192.0.2.11:80"));
        assertEquals(new AdminResponse(1, "", "No such destination\n"), run("-d -t 203.0.113.10:80 -r 192.0.2.11"));
        ok("-a -t 203.0.113.10:80 -r 192.0.2.11:80 -w 3");
        assertEquals(new AdminResponse(1, "", "Destination already exists\n"),
            run("-a -t 203.0.113.10:80 -r 192.0.2.11:80"));
        final AdminResponse usage = run("-A -t 203.0.113.10:0");
        assertTrue(usage.exitCode() != 0 && usage.err().contains("Zero port specified for non-persistent service"),
            usage.toString());
        assertEquals(0, run("-v").exitCode());
        ok("-e -t 203.0.113.10:80 -r 192.0.2.11:80 -w 0");
        assertTrue(run("-Ln").out().contains("  -> 192.0.2.11:80                Route   0      0          0"));
        ok("-d -t 203.0.113.10:80 -r 192.0.2.11:80");
        ok("-D -t 203.0.113.10:80");
        assertEquals(header(), run("-Ln").out());
    }

    @Test
    void statsConnectionsZeroAndTimeouts() throws Exception
    {
        ok("-A -t 203.0.113.10:80 -s rr");
        ok("-a -t 203.0.113.10:80 -r 192.0.2.11:80 -g");
        final long directorMac = MacAddresses.parse("02:00:00:00:00:01");
        for (int i = 0; i < 3; i++)
        {
            eth0.inject(TestFrames.tcp(MacAddresses.parse("02:00:00:00:00:c1"), directorMac,
                Ipv4Text.parse("198.51.100.2"), 40000 + i, Ipv4Text.parse("203.0.113.10"), 80, TcpView.SYN, 64,
                true, 0));
        }
        final long deadline = System.currentTimeMillis() + 5000;
        while (director.connections().size() < 3 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        final String stats = run("-Ln --stats").out();
        assertTrue(stats.contains("TCP  203.0.113.10:80                     3        3        0      120        0\n" +
            "  -> 192.0.2.11:80                       3        3        0      120        0\n"), stats);
        final String conns = run("-Lnc").out();
        assertTrue(conns.startsWith("IPVS connection entries\npro expire state       source             virtual" +
            "            destination\n"), conns);
        assertTrue(conns.contains("TCP 00:5") && conns.contains("SYN_RECV    198.51.100.2:40000 203.0.113.10:80    " +
            "192.0.2.11:80"), conns);
        ok("-Z");
        assertTrue(run("-Ln --stats").out().contains("TCP  203.0.113.10:80                     0        0        0" +
            "        0        0\n"));
        ok("--set 3600 60 120");
        assertEquals("Timeout (tcp tcpfin udp): 3600 60 120\n", run("-L --timeout").out());
    }

    @Test
    void syncDaemonsStartListAndStopAsIpvsadmSays() throws Exception
    {
        final int port;
        try (java.net.DatagramSocket s = new java.net.DatagramSocket(0))
        {
            port = s.getLocalPort();
        }
        ok("--start-daemon master --mcast-interface lo --syncid 7 --mcast-port " + port);
        ok("--start-daemon backup --mcast-interface lo --syncid 7 --mcast-port " + port + " --mcast-ttl 2");
        assertEquals("master sync daemon (mcast=lo, syncid=7, maxlen=1472, group=224.0.0.81, port=" + port +
            ", ttl=1)\nbackup sync daemon (mcast=lo, syncid=7, maxlen=1472, group=224.0.0.81, port=" + port +
            ", ttl=2)\n", run("-L --daemon").out());
        final AdminResponse again = run("--start-daemon master --mcast-interface lo");
        assertEquals(1, again.exitCode());
        assertEquals("Daemon has already run\n", again.err());
        ok("--stop-daemon master");
        assertEquals("backup sync daemon (mcast=lo, syncid=7, maxlen=1472, group=224.0.0.81, port=" + port +
            ", ttl=2)\n", run("-L --daemon").out());
        final AdminResponse none = run("--stop-daemon master");
        assertEquals(1, none.exitCode());
        assertEquals("No daemon is running\n", none.err());
        ok("--stop-daemon backup");
        assertEquals("", run("-L --daemon").out());
        final AdminResponse noSuch = run("--start-daemon backup --mcast-interface nosuch0");
        assertEquals(1, noSuch.exitCode());
        assertTrue(noSuch.err().contains("nosuch0"), noSuch.err());
    }
}
