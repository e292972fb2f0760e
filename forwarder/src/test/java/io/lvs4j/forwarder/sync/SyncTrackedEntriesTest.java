package io.lvs4j.forwarder.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.ConnectionRecord;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;

/**
 * The master's primitive tracking table against a HashMap model: random scans where entries come and go (IPv4,
 * IPv6, templates, keys that differ in one field only), growth past a hundred thousand entries, removal of the
 * unseen with backward shifts, and shrinking when most are gone.
 */
@Timeout(60)
class SyncTrackedEntriesTest
{
    private static ConnectionRecord record(final long id)
    {
        final ConnectionRecord r = new ConnectionRecord();
        final int kind = (int)(id % 4);
        final long n = id / 4;
        if (kind == 3)
        {
            r.fromInbound(new FlowKey().setV6(IpProtocol.TCP, 0x20010db8L << 32, n >>> 10, 1024 + (int)(n & 0x3FF),
                0x20010db8L << 32, 1, 443));
        }
        else
        {
            r.fromInbound(new FlowKey().setV4(kind == 1 ? IpProtocol.UDP : IpProtocol.TCP,
                0xC6336400 + (int)(n >>> 10), 1024 + (int)(n & 0x3FF), 0xCB00710A, 80));
        }
        if (kind == 2)
        {
            r.flags = ConnectionFlags.TEMPLATE; // same tuple as a TCP connection of another id: must not collide
            r.fromInbound(new FlowKey().setV4(IpProtocol.TCP,
                0xC6336400 + (int)(n >>> 10), 1024 + (int)(n & 0x3FF), 0xCB00710A, 80));
        }
        return r;
    }

    @Test
    void agreesWithAMapThroughScansWhereEntriesComeAndGo()
    {
        final TrackedEntries t = new TrackedEntries();
        final Map<Long, Long> model = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(7);
        final long[] live = new long[150_000];
        int liveCount = 0;
        for (int scan = 0; scan < 40; scan++)
        {
            t.beginScan();
            // grow for 20 scans, then shrink
            final int target = scan < 20 ? (scan + 1) * 7_000 : Math.max(50, liveCount / 3);
            while (liveCount < target)
            {
                live[liveCount++] = random.nextLong(1L << 40);
            }
            if (scan >= 20)
            {
                liveCount = target;
            }
            else
            {
                for (int k = 0; k < 200; k++)
                {
                    live[random.nextInt(liveCount)] = random.nextLong(1L << 40);
                }
            }
            final Map<Long, Long> seen = new HashMap<>();
            for (int i = 0; i < liveCount; i++)
            {
                final ConnectionRecord r = record(live[i]);
                int slot = t.find(r);
                final Long before = model.get(live[i]);
                assertEquals(before != null, slot >= 0, "present iff the model has it: " + live[i]);
                if (slot < 0)
                {
                    slot = t.insert(slot, r);
                }
                else
                {
                    assertEquals((long)before, t.packets(slot));
                    assertEquals((int)(before % 200), t.destinationId(slot));
                    assertEquals((int)(before % 13), t.state(slot));
                }
                t.markSeen(slot);
                final long value = live[i] * 3 + scan;
                t.update(slot, (int)(value % 13), (int)(value % 200), value);
                seen.put(live[i], value);
            }
            t.removeUnseen();
            model.clear();
            model.putAll(seen);
            assertEquals(model.size(), t.size());
            assertTrue(t.size() * 4L <= t.capacity() * 3L, "load at most 3/4");
        }
        assertTrue(t.capacity() <= 4096, "shrank after most entries went: " + t.capacity());
    }
}
