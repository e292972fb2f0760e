package io.lvs4j.schedulers;

import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.RealServerList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Schedulers are found by their ipvsadm names; users add their own through {@code ServiceLoader}. */
class SchedulerRegistryTest
{
    private static final Set<String> KERNEL = Set.of(
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "twos");

    @Test
    void hasEveryKernelSchedulerAndMaglev()
    {
        final Set<String> expected = new TreeSet<>(KERNEL);
        expected.add("maglev");
        assertEquals(expected, SchedulerRegistry.builtIn().names());
        for (final String name : expected)
        {
            assertEquals(name, SchedulerRegistry.builtIn().create(name, new SchedulerOptions()).name());
        }
    }

    @Test
    void unknownNameListsTheKnownOnes()
    {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> SchedulerRegistry.builtIn().create("wlcc", new SchedulerOptions()));
        assertTrue(e.getMessage().contains("unknown scheduler 'wlcc'"), e.getMessage());
        assertTrue(e.getMessage().contains("wlc"), e.getMessage());
        assertFalse(SchedulerRegistry.builtIn().contains("first"));
    }

    @Test
    void findsUserSchedulersThroughServiceLoader()
    {
        final SchedulerRegistry registry = SchedulerRegistry.load();
        assertTrue(registry.contains("first"));
        final ServiceFixture fixture = new ServiceFixture();
        final Scheduler first = registry.create("first", new SchedulerOptions());
        first.update(fixture.listOfWeights(0, 1, 1));
        assertEquals(2, first.pick(fixture.flow(1, 1), 0).id());
    }

    @Test
    void userSchedulerMayNotTakeABuiltInName(@TempDir final Path dir) throws Exception
    {
        final Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        Files.write(services.resolve(SchedulerFactory.class.getName()), List.of(ClashingFactory.class.getName()));
        try (URLClassLoader loader =
            new URLClassLoader(new URL[] {dir.toUri().toURL()}, SchedulerRegistryTest.class.getClassLoader()))
        {
            final IllegalStateException e = assertThrows(IllegalStateException.class, () -> SchedulerRegistry.load(loader));
            assertTrue(e.getMessage().contains("'wlc'"), e.getMessage());
        }
    }

    /** A user scheduler: the first server of positive weight in list order. */
    public static final class FirstServerFactory implements SchedulerFactory
    {
        @Override
        public String name()
        {
            return "first";
        }

        @Override
        public Scheduler create(final SchedulerOptions options)
        {
            return new Scheduler()
            {
                private volatile RealServerList servers;

                @Override
                public String name()
                {
                    return "first";
                }

                @Override
                public void update(final RealServerList servers)
                {
                    this.servers = servers;
                }

                @Override
                public RealServerList servers()
                {
                    return servers;
                }

                @Override
                public RealServer pick(final FlowKey flow, final long nowMs)
                {
                    final RealServerList list = servers;
                    for (int i = 0; list != null && i < list.size(); i++)
                    {
                        if (list.isEligible(i))
                        {
                            return list.get(i);
                        }
                    }
                    return null;
                }
            };
        }
    }

    /** A user factory claiming a built-in name. */
    public static final class ClashingFactory implements SchedulerFactory
    {
        @Override
        public String name()
        {
            return "wlc";
        }

        @Override
        public Scheduler create(final SchedulerOptions options)
        {
            throw new UnsupportedOperationException();
        }
    }
}
