package io.lvs4j.forwarder.lab;

import static io.lvs4j.forwarder.lab.LabNetwork.Node.CLI;
import static io.lvs4j.forwarder.lab.LabNetwork.Node.DIR;
import static io.lvs4j.forwarder.lab.LabNetwork.Node.DIR2;
import static io.lvs4j.forwarder.lab.LabNetwork.Node.RS1;
import static io.lvs4j.forwarder.lab.LabNetwork.Node.RS2;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The HA variant of the lab ({@link LabNetwork.Builder#backupDirector()}) with the kernel alone: a second director
 * on the same segments, the gateway 192.0.2.1 held by no kernel (nobody answers ARP for it without a VRRP master),
 * and a single-director lab that has no trace of the second director.
 */
@Tag("lab")
class HaLabSmokeTest
{
    private static final boolean REFUSED = true;
    private static final boolean NO_ANSWER = false;

    /**
     * Probes an address from a host with a TCP connect to the closed port 1 (there is no ping in the image): a
     * kernel holding the address answers with a RST ("Connection refused"); an address nobody holds fails ARP
     * ("No route to host") or times out.
     *
     * @return whether the connection was refused, i.e. some kernel answered for the address
     */
    private static boolean probe(final LabNetwork net, final LabNetwork.Node from, final String address)
    {
        // bash's /dev/tcp reports the errno in words (curl says "Couldn't connect" for both cases)
        final Shell.Result r = net.tryExec(from, "timeout", "6", "bash", "-c", "exec 3<>/dev/tcp/" + address + "/1");
        return r.stderr().contains("Connection refused");
    }

    /** Two-armed NAT with two directors: both on both segments, the real servers' gateway floats. */
    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void natTwoArmedHaLabHasTwoDirectorsAndAFloatingGateway()
    {
        LabPreconditions.assumeLab();
        try (LabNetwork net = LabNetwork.natTwoArmed().backupDirector().build())
        {
            assertTrue(net.isHa());
            assertEquals(List.of(DIR, DIR2), net.directors());
            assertEquals(List.of("eth0", "eth1"), net.interfaces(DIR2));
            assertEquals("br0", net.bridgeOf(DIR2, "eth0"));
            assertEquals("br1", net.bridgeOf(DIR2, "eth1"));
            assertEquals(5, LabNetwork.namespacesWithPrefix(net.prefix()).size() - 1, "five hosts and the bridges");

            final List<String> dir1 = net.ipv4Addresses(DIR);
            final List<String> dir2 = net.ipv4Addresses(DIR2);
            assertTrue(dir1.containsAll(List.of("198.51.100.1/24", "192.0.2.2/24")), dir1.toString());
            assertTrue(dir2.containsAll(List.of("198.51.100.3/24", "192.0.2.3/24")), dir2.toString());
            for (final List<String> held : List.of(dir1, dir2))
            {
                assertFalse(held.stream().anyMatch(a -> a.startsWith(LabNetwork.GATEWAY_ADDRESS + "/")), held.toString());
                assertFalse(held.stream().anyMatch(a -> a.startsWith(LabNetwork.VIP + "/")), held.toString());
            }
            assertEquals("0", net.readSysctl(DIR2, "net.ipv4.ip_forward"));
            assertEquals(LabNetwork.GATEWAY_ADDRESS, net.ip(RS2, "route", "show", "default").stdout().split("\\s+")[2]);

            // both directors reach each other on both segments and the real servers on theirs
            assertEquals(REFUSED, probe(net, DIR, LabNetwork.DIRECTOR2_CLIENT_ADDRESS));
            assertEquals(REFUSED, probe(net, DIR, LabNetwork.DIRECTOR2_SERVER_ADDRESS));
            assertEquals(REFUSED, probe(net, DIR2, LabNetwork.RS1_ADDRESS));
            assertEquals(REFUSED, probe(net, CLI, LabNetwork.DIRECTOR2_CLIENT_ADDRESS));
            // the floating gateway is dark until a VRRP master answers for it
            assertEquals(NO_ANSWER, probe(net, RS1, LabNetwork.GATEWAY_ADDRESS));
        }
    }

    /** DR with two directors: one segment, and a single-director DR lab is as before (no dir2, 192.0.2.1 held). */
    @Test
    @Timeout(value = 40, unit = TimeUnit.SECONDS)
    void drHaLabAndSingleDirectorLabDiffer()
    {
        LabPreconditions.assumeLab();
        try (LabNetwork ha = LabNetwork.dr().backupDirector().build();
             LabNetwork single = LabNetwork.dr().build())
        {
            assertEquals(List.of("eth0"), ha.interfaces(DIR2));
            assertEquals("192.0.2.2", ha.directorServerAddress(DIR));
            assertEquals("192.0.2.3", ha.directorServerAddress(DIR2));
            assertEquals(REFUSED, probe(ha, DIR2, LabNetwork.RS2_ADDRESS));
            assertEquals(REFUSED, probe(ha, CLI, LabNetwork.DIRECTOR2_CLIENT_ADDRESS));

            assertFalse(single.isHa());
            assertEquals(List.of(CLI, DIR, RS1, RS2), single.nodes());
            assertEquals(List.of(DIR), single.directors());
            assertFalse(LabNetwork.namespacesWithPrefix(single.prefix()).contains(single.namespace(DIR2)));
            assertTrue(single.ipv4Addresses(DIR).contains("192.0.2.1/24"));
            assertEquals("192.0.2.1", single.directorServerAddress(DIR));
        }
    }
}
