package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.lvs4j.core.config.keepalived.KeepalivedConfig;
import io.lvs4j.core.config.keepalived.KeepalivedParser;

/**
 * From keepalived.conf text to the sync daemon's settings, as keepalived 2.x resolves them: every option of
 * {@code lvs_sync_daemon}, the syncid defaulting to the instance's VRID (0 without an instance, both daemons), the
 * deprecated {@code lvs_sync_daemon_interface}, an unknown instance clearing the setting.
 */
class KeepalivedSyncTest
{
    private static KeepalivedConfig parse(final String globalDefs, final String instanceExtra)
    {
        return new KeepalivedParser().parse("sync.conf", "global_defs {\n" + globalDefs + "}\n" +
            "vrrp_instance VI_1 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 51\n  priority 100\n" +
            "  advert_int 1\n" + instanceExtra + "  virtual_ipaddress {\n    203.0.113.10\n  }\n}\n" +
            "vrrp_instance VI_2 {\n  state BACKUP\n  interface eth0\n  virtual_router_id 52\n  priority 100\n" +
            "  lvs_sync_daemon_interface eth2\n  virtual_ipaddress {\n    203.0.113.11\n  }\n}\n", Path.of("."));
    }

    @Test
    void everyOptionReachesTheDaemonOptions() throws Exception
    {
        final List<String> warnings = new ArrayList<>();
        final KeepalivedSync s = KeepalivedSync.of(parse(
            "  lvs_sync_daemon eth1 VI_1 id 7 maxlen 1400 port 8849 ttl 2 group 239.1.1.1\n", ""), warnings);
        assertEquals(new KeepalivedSync("eth1", "VI_1", 7, 1400, 8849, 2, InetAddress.getByName("239.1.1.1")), s);
        final SyncOptions o = s.options("ns1");
        assertEquals("eth1", o.interfaceName());
        assertEquals(InetAddress.getByName("239.1.1.1"), o.group());
        assertEquals(8849, o.port());
        assertEquals(2, o.ttl());
        assertEquals(7, o.syncId());
        assertEquals(1400, o.maxLength());
        assertEquals("ns1", o.networkNamespace());
        assertNull(o.peer(), "multicast: keepalived has no unicast sync option");
        assertEquals(List.of("vrrp_instance VI_2: lvs_sync_daemon_interface eth2 ignored: the sync interface is " +
            "already eth1"), warnings);
    }

    @Test
    void defaultsAreIpvssAndTheSyncidIsTheInstancesVrid() throws Exception
    {
        for (final String line : List.of("  lvs_sync_daemon eth1 VI_1\n", "  lvs_sync_daemon eth1 inst VI_1\n"))
        {
            final KeepalivedSync s = KeepalivedSync.of(parse(line, ""), null);
            assertEquals(new KeepalivedSync("eth1", "VI_1", 51, 0, 8848, 1, null), s, line);
            final SyncOptions o = s.options(null);
            assertEquals(InetAddress.getByName("224.0.0.81"), o.group());
            assertEquals(8848, o.port());
            assertEquals(1, o.ttl());
            assertEquals(51, o.syncId());
            assertEquals(1472, o.maxLength());
        }
    }

    @Test
    void withoutAnInstanceBothDaemonsRunWithSyncid0() throws Exception
    {
        final KeepalivedSync s = KeepalivedSync.of(parse("  lvs_sync_daemon eth1 port 9000\n", ""), null);
        assertNull(s.instance());
        assertEquals(0, s.syncId());
        assertEquals(9000, s.options(null).port());
        assertEquals(InetAddress.getByName("224.0.0.81"), s.options(null).group());
    }

    @Test
    void anUnknownInstanceClearsTheSetting()
    {
        final List<String> warnings = new ArrayList<>();
        assertNull(KeepalivedSync.of(parse("  lvs_sync_daemon eth1 VI_9 id 3\n", ""), warnings));
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).contains("no vrrp_instance VI_9"), warnings.get(0));
    }

    @Test
    void theDeprecatedInstanceKeywordFollowsItsInstanceAndTheFirstOneWins()
    {
        final List<String> warnings = new ArrayList<>();
        final KeepalivedSync s = KeepalivedSync.of(parse("", "  lvs_sync_daemon_interface eth3\n"), warnings);
        assertEquals(new KeepalivedSync("eth3", "VI_1", 51, 0, 8848, 1, null), s);
        assertEquals(1, warnings.size(), warnings.toString());
        final KeepalivedSync only = KeepalivedSync.of(parse("", ""), null);
        assertEquals(new KeepalivedSync("eth2", "VI_2", 52, 0, 8848, 1, null), only);
    }

    @Test
    void aTooSmallMaxlenIsRaisedToOneEntry()
    {
        final List<String> warnings = new ArrayList<>();
        final KeepalivedSync s = KeepalivedSync.of(parse("  lvs_sync_daemon eth1 maxlen 20\n", ""), warnings);
        assertEquals(SyncMessageWriter.HEADER_LENGTH + SyncMessageWriter.V6_ENTRY_LENGTH, s.maxLength());
        assertEquals(s.maxLength(), s.options(null).maxLength());
        assertTrue(warnings.stream().anyMatch(w -> w.contains("maxlen 20 raised")), warnings.toString());
    }
}
