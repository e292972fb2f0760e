package io.lvs4j.examples;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.conn.DestinationCounters;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import io.lvs4j.schedulers.Scheduler;
import io.lvs4j.schedulers.SchedulerOptions;
import io.lvs4j.schedulers.SchedulerRegistry;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The README's scheduler snippet, line for line, so it keeps compiling and doing what the README says. */
class ReadmeSchedulerSnippetTest
{
    @Test
    void snippetPicksAsTheReadmeSays()
    {
        final FlowKey flow = new FlowKey().setV4(6, 0xC633_6402, 40000, 0xCB00_710A, 80);
        final long nowMs = 0;
        // README "Schedulers" snippet, from here
        DestinationCounters counters = new DestinationCounters(1024);   // the connection table keeps the counts
        Scheduler scheduler = SchedulerRegistry.load().create("wlc", new SchedulerOptions());
        RealServerList servers = RealServerList.empty(counters)
            .withAdded(RealServer.ipv4(0, 0xC000_020B, 8080, 1))        // 192.0.2.11:8080, weight 1
            .withAdded(RealServer.ipv4(1, 0xC000_020C, 8080, 3));       // listed first: the newest comes first
        scheduler.update(servers);                   // control plane: on every add, edit, delete
        RealServer server = scheduler.pick(flow, nowMs);  // worker: per new connection; null = no destination available
        // to here
        assertEquals(1, server.id(), "both idle: the tie goes to the first in list order, the newest");
        counters.bind(1, ConnectionFlags.INACTIVE);
        assertEquals(0, scheduler.pick(flow, nowMs).id(), "1/3 is more than 0/1");
        counters.bind(0, ConnectionFlags.INACTIVE);
        assertEquals(1, scheduler.pick(flow, nowMs).id(), "1/3 is less than 1/1");
        scheduler.close();
    }
}
