package io.lvs4j.core.conn;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

import static io.lvs4j.core.conn.ConnectionFlags.DROUTE;
import static io.lvs4j.core.conn.ConnectionFlags.INACTIVE;
import static io.lvs4j.core.conn.ConnectionFlags.TEMPLATE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Destination counts and the OVERLOAD flag as {@code ip_vs_bind_dest}/{@code ip_vs_unbind_dest} keep them
 * (reference section 1.2).
 */
class DestinationCountersTest
{
    private final DestinationCounters counters = new DestinationCounters(4);

    @Test
    void overheadIsActiveTimes256PlusInactiveFromOneRead()
    {
        counters.reset(1, 0, 0);
        assertEquals(0, counters.overhead(1));
        for (int i = 0; i < 3; i++)
        {
            counters.bind(1, INACTIVE);
        }
        counters.transition(1, true);
        counters.bind(1, TEMPLATE);
        assertEquals(256 + 2, counters.overhead(1));
        for (int i = 0; i < 70_000; i++)
        {
            counters.bind(1, DROUTE);
        }
        assertEquals(70_001L * 256 + 2, counters.overhead(1));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.overhead(4));
    }

    @Test
    void bindCountsByInactiveFlagAndTemplates()
    {
        counters.reset(0, 0, 0);
        counters.bind(0, DROUTE | INACTIVE);
        counters.bind(0, DROUTE);
        counters.bind(0, TEMPLATE | INACTIVE);
        assertEquals(1, counters.active(0));
        assertEquals(1, counters.inactive(0));
        assertEquals(1, counters.persistent(0));
        counters.unbind(0, TEMPLATE | INACTIVE);
        counters.unbind(0, DROUTE);
        counters.unbind(0, INACTIVE);
        assertEquals(0, counters.active(0));
        assertEquals(0, counters.inactive(0));
        assertEquals(0, counters.persistent(0));
    }

    @Test
    void transitionMovesOneConnection()
    {
        counters.reset(1, 0, 0);
        counters.bind(1, INACTIVE);
        counters.transition(1, true);
        assertEquals(1, counters.active(1));
        assertEquals(0, counters.inactive(1));
        counters.transition(1, false);
        assertEquals(0, counters.active(1));
        assertEquals(1, counters.inactive(1));
    }

    @Test
    void overloadSetAtUpperClearedBelowThreeQuarters()
    {
        counters.reset(0, 4, 0);
        for (int i = 0; i < 3; i++)
        {
            counters.bind(0, INACTIVE);
        }
        assertFalse(counters.isOverloaded(0));
        counters.bind(0, 0);
        assertTrue(counters.isOverloaded(0), "active + inactive reached 4");
        counters.unbind(0, INACTIVE);
        assertTrue(counters.isOverloaded(0), "3 * 4 = 12 is not below 4 * 3 = 12");
        counters.unbind(0, INACTIVE);
        assertFalse(counters.isOverloaded(0), "2 * 4 < 12");
    }

    @Test
    void lowerThresholdDecidesWhenSet()
    {
        counters.reset(0, 4, 3);
        for (int i = 0; i < 4; i++)
        {
            counters.bind(0, INACTIVE);
        }
        assertTrue(counters.isOverloaded(0));
        counters.unbind(0, INACTIVE);
        assertTrue(counters.isOverloaded(0), "3 is not below l_threshold 3");
        counters.unbind(0, INACTIVE);
        assertFalse(counters.isOverloaded(0));
    }

    @Test
    void withoutThresholdsUnbindClearsOverload()
    {
        counters.reset(0, 1, 0);
        counters.bind(0, INACTIVE);
        counters.bind(0, INACTIVE);
        assertTrue(counters.isOverloaded(0));
        counters.setThresholds(0, 1, 0); // not larger: OVERLOAD stays
        assertTrue(counters.isOverloaded(0));
        // thresholds removed by an edit clear it at once; without any, every unbind clears it too
        counters.setThresholds(0, 0, 0);
        assertFalse(counters.isOverloaded(0));
        counters.setThresholds(0, 1, 0);
        counters.bind(0, INACTIVE);
        assertTrue(counters.isOverloaded(0));
        counters.setThresholds(0, 5, 0);
        assertFalse(counters.isOverloaded(0), "a larger u_threshold clears OVERLOAD");
    }

    @Test
    void templatesDoNotCountTowardsThresholds()
    {
        counters.reset(2, 1, 0);
        counters.bind(2, TEMPLATE);
        counters.bind(2, TEMPLATE);
        assertFalse(counters.isOverloaded(2));
        counters.bind(2, INACTIVE);
        assertTrue(counters.isOverloaded(2));
    }

    @Test
    void availability()
    {
        assertFalse(counters.isAvailable(3), "an id never reset is not available");
        counters.reset(3, 0, 0);
        assertTrue(counters.isAvailable(3));
        counters.setAvailable(3, false);
        assertFalse(counters.isAvailable(3));
        counters.setAvailable(3, true);
        assertTrue(counters.isAvailable(3));
        assertEquals(DestinationCounters.F_AVAILABLE, counters.flags(3));
    }

    @Test
    void idsOutsideTheCapacityAreRejected()
    {
        assertThrows(IndexOutOfBoundsException.class, () -> counters.bind(4, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> counters.active(-1));
    }

    @Test
    void worksOverCallerMemory()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(8 * DestinationCounters.SLOT_LENGTH));
        final DestinationCounters c = new DestinationCounters(buffer, 8);
        c.reset(7, 0, 0);
        c.bind(7, INACTIVE);
        assertEquals(1, new DestinationCounters(buffer, 8).inactive(7), "another view of the same memory sees it");
        assertThrows(IllegalArgumentException.class, () -> new DestinationCounters(buffer, 9));
    }

    @Test
    void concurrentUpdatesLoseNothing() throws Exception
    {
        counters.reset(0, 0, 0);
        final int threads = 4;
        final int rounds = 50_000;
        final CountDownLatch start = new CountDownLatch(1);
        final Thread[] workers = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            workers[t] = new Thread(() ->
            {
                try
                {
                    start.await();
                }
                catch (final InterruptedException e)
                {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < rounds; i++)
                {
                    counters.bind(0, INACTIVE);
                    counters.transition(0, true);
                    if ((i & 1) == 0)
                    {
                        counters.unbind(0, 0);
                    }
                    else
                    {
                        counters.transition(0, false);
                    }
                }
            });
            workers[t].start();
        }
        start.countDown();
        for (final Thread w : workers)
        {
            w.join();
        }
        assertEquals(0, counters.active(0));
        assertEquals(threads * rounds / 2, counters.inactive(0));
    }
}
