package io.lvs4j.schedulers;

import java.util.Collections;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Finds schedulers by name: the fourteen of IPVS ({@code rr wrr lc wlc lblc lblcr dh sh sed nq fo ovf mh twos}),
 * weighted {@code maglev}, and any {@link SchedulerFactory} a user lists in
 * {@code META-INF/services/io.lvs4j.schedulers.SchedulerFactory}. A user factory may not take a built-in name:
 * a configuration that says {@code wlc} gets the kernel's wlc.
 */
public final class SchedulerRegistry
{
    private final Map<String, SchedulerFactory> factories;

    private SchedulerRegistry(final Map<String, SchedulerFactory> factories)
    {
        this.factories = Collections.unmodifiableMap(factories);
    }

    /**
     * The built-in schedulers plus those found by {@link ServiceLoader} through this class's loader.
     *
     * @return the registry.
     * @throws IllegalStateException when two factories claim one name.
     */
    public static SchedulerRegistry load()
    {
        return load(SchedulerRegistry.class.getClassLoader());
    }

    /**
     * The built-in schedulers plus those found by {@link ServiceLoader} through {@code loader}.
     *
     * @param loader where to look for user factories.
     * @return the registry.
     * @throws IllegalStateException when two factories claim one name.
     */
    public static SchedulerRegistry load(final ClassLoader loader)
    {
        final Map<String, SchedulerFactory> map = builtIns();
        for (final SchedulerFactory factory : ServiceLoader.load(SchedulerFactory.class, loader))
        {
            final SchedulerFactory previous = map.putIfAbsent(factory.name(), factory);
            if (previous != null)
            {
                throw new IllegalStateException("scheduler name '" + factory.name() + "' of " +
                    factory.getClass().getName() + " is taken by " + previous.getClass().getName());
            }
        }
        return new SchedulerRegistry(map);
    }

    /**
     * Only the built-in schedulers.
     *
     * @return the registry.
     */
    public static SchedulerRegistry builtIn()
    {
        return new SchedulerRegistry(builtIns());
    }

    private static Map<String, SchedulerFactory> builtIns()
    {
        final Map<String, SchedulerFactory> map = new TreeMap<>();
        add(map, RoundRobinScheduler.NAME, RoundRobinScheduler::new);
        add(map, WeightedRoundRobinScheduler.NAME, WeightedRoundRobinScheduler::new);
        add(map, LeastConnectionScheduler.NAME, LeastConnectionScheduler::new);
        add(map, WeightedLeastConnectionScheduler.NAME, WeightedLeastConnectionScheduler::new);
        add(map, ShortestExpectedDelayScheduler.NAME, ShortestExpectedDelayScheduler::new);
        add(map, NeverQueueScheduler.NAME, NeverQueueScheduler::new);
        add(map, WeightedFailoverScheduler.NAME, WeightedFailoverScheduler::new);
        add(map, WeightedOverflowScheduler.NAME, WeightedOverflowScheduler::new);
        add(map, PowerOfTwoChoicesScheduler.NAME, PowerOfTwoChoicesScheduler::new);
        add(map, LocalityBasedLeastConnectionScheduler.NAME, LocalityBasedLeastConnectionScheduler::new);
        add(map, ReplicatedLocalityBasedLeastConnectionScheduler.NAME,
            ReplicatedLocalityBasedLeastConnectionScheduler::new);
        add(map, DestinationHashingScheduler.NAME, DestinationHashingScheduler::new);
        add(map, SourceHashingScheduler.NAME, SourceHashingScheduler::new);
        add(map, MaglevHashingScheduler.NAME, MaglevHashingScheduler::new);
        add(map, WeightedMaglevScheduler.NAME, WeightedMaglevScheduler::new);
        return map;
    }

    private static void add(
        final Map<String, SchedulerFactory> map, final String name, final Function<SchedulerOptions, Scheduler> ctor)
    {
        map.put(name, new SchedulerFactory()
        {
            @Override
            public String name()
            {
                return name;
            }

            @Override
            public Scheduler create(final SchedulerOptions options)
            {
                return ctor.apply(options);
            }

            @Override
            public String toString()
            {
                return name;
            }
        });
    }

    /** @return every known scheduler name, sorted. */
    public Set<String> names()
    {
        return factories.keySet();
    }

    /**
     * @param name a scheduler name.
     * @return true when known.
     */
    public boolean contains(final String name)
    {
        return factories.containsKey(name);
    }

    /**
     * Creates a scheduler by name.
     *
     * @param name    the ipvsadm name ({@code lb_algo} in keepalived).
     * @param options the service's flags and tunables.
     * @return a new scheduler with an empty list.
     * @throws IllegalArgumentException for an unknown name, listing the known ones.
     */
    public Scheduler create(final String name, final SchedulerOptions options)
    {
        final SchedulerFactory factory = factories.get(name);
        if (factory == null)
        {
            throw new IllegalArgumentException("unknown scheduler '" + name + "'; known: " + String.join(" ", names()));
        }
        return factory.create(options);
    }
}
