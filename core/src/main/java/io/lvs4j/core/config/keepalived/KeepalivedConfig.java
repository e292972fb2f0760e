package io.lvs4j.core.config.keepalived;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A whole keepalived configuration as parsed: the files it came from, {@code global_defs}, the LVS part
 * (virtual server groups and virtual servers) and the VRRP part (scripts, instances, sync groups), plus static
 * addresses and routes, and the warnings the parse produced. Immutable.
 * <p>
 * Equality is about content: two configurations read from different files, or with different warnings, are equal
 * when they configure the same thing.
 */
public final class KeepalivedConfig
{
    private final List<Path> files;
    private final GlobalDefs globalDefs;
    private final List<VirtualServerGroup> virtualServerGroups;
    private final List<VirtualServerConfig> virtualServers;
    private final List<VrrpScript> vrrpScripts;
    private final List<VrrpInstance> vrrpInstances;
    private final List<VrrpSyncGroup> vrrpSyncGroups;
    private final List<VirtualIpAddress> staticIpAddresses;
    private final List<String> staticRoutes;
    private final List<ConfigProblem> warnings;

    /**
     * Creates a configuration; the parser is the usual source.
     *
     * @param files               the files read, main file first, includes in reading order.
     * @param globalDefs          {@code global_defs} (defaults when absent).
     * @param virtualServerGroups {@code virtual_server_group} blocks.
     * @param virtualServers      {@code virtual_server} blocks.
     * @param vrrpScripts         {@code vrrp_script} blocks.
     * @param vrrpInstances       {@code vrrp_instance} blocks.
     * @param vrrpSyncGroups      {@code vrrp_sync_group} blocks.
     * @param staticIpAddresses   {@code static_ipaddress} lines.
     * @param staticRoutes        {@code static_routes} lines as written.
     * @param warnings            the warnings of the parse.
     */
    public KeepalivedConfig(
        final List<Path> files,
        final GlobalDefs globalDefs,
        final List<VirtualServerGroup> virtualServerGroups,
        final List<VirtualServerConfig> virtualServers,
        final List<VrrpScript> vrrpScripts,
        final List<VrrpInstance> vrrpInstances,
        final List<VrrpSyncGroup> vrrpSyncGroups,
        final List<VirtualIpAddress> staticIpAddresses,
        final List<String> staticRoutes,
        final List<ConfigProblem> warnings)
    {
        this.files = List.copyOf(files);
        this.globalDefs = Objects.requireNonNull(globalDefs, "globalDefs");
        this.virtualServerGroups = List.copyOf(virtualServerGroups);
        this.virtualServers = List.copyOf(virtualServers);
        this.vrrpScripts = List.copyOf(vrrpScripts);
        this.vrrpInstances = List.copyOf(vrrpInstances);
        this.vrrpSyncGroups = List.copyOf(vrrpSyncGroups);
        this.staticIpAddresses = List.copyOf(staticIpAddresses);
        this.staticRoutes = List.copyOf(staticRoutes);
        this.warnings = List.copyOf(warnings);
    }

    /** @return the files read, main file first; empty when parsed from text without includes. */
    public List<Path> files()
    {
        return files;
    }

    /** @return {@code global_defs}. */
    public GlobalDefs globalDefs()
    {
        return globalDefs;
    }

    /** @return the virtual server groups, in file order. */
    public List<VirtualServerGroup> virtualServerGroups()
    {
        return virtualServerGroups;
    }

    /** @return the virtual servers, in file order. */
    public List<VirtualServerConfig> virtualServers()
    {
        return virtualServers;
    }

    /** @return the VRRP scripts, in file order. */
    public List<VrrpScript> vrrpScripts()
    {
        return vrrpScripts;
    }

    /** @return the VRRP instances, in file order. */
    public List<VrrpInstance> vrrpInstances()
    {
        return vrrpInstances;
    }

    /** @return the VRRP sync groups, in file order. */
    public List<VrrpSyncGroup> vrrpSyncGroups()
    {
        return vrrpSyncGroups;
    }

    /** @return {@code static_ipaddress} entries. */
    public List<VirtualIpAddress> staticIpAddresses()
    {
        return staticIpAddresses;
    }

    /** @return {@code static_routes} lines as written. */
    public List<String> staticRoutes()
    {
        return staticRoutes;
    }

    /** @return the warnings of the parse (unknown or unsupported keywords, deprecated spellings...). */
    public List<ConfigProblem> warnings()
    {
        return warnings;
    }

    /**
     * @param name a virtual server group's name.
     * @return the group, if defined.
     */
    public Optional<VirtualServerGroup> virtualServerGroup(final String name)
    {
        return virtualServerGroups.stream().filter(g -> g.name().equals(name)).findFirst();
    }

    /**
     * @param name a VRRP instance's name.
     * @return the instance, if defined.
     */
    public Optional<VrrpInstance> vrrpInstance(final String name)
    {
        return vrrpInstances.stream().filter(i -> i.name().equals(name)).findFirst();
    }

    /**
     * @param name a VRRP script's name.
     * @return the script, if defined.
     */
    public Optional<VrrpScript> vrrpScript(final String name)
    {
        return vrrpScripts.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    @Override
    public boolean equals(final Object o)
    {
        if (this == o)
        {
            return true;
        }
        if (!(o instanceof KeepalivedConfig other))
        {
            return false;
        }
        return globalDefs.equals(other.globalDefs) && virtualServerGroups.equals(other.virtualServerGroups) &&
            virtualServers.equals(other.virtualServers) && vrrpScripts.equals(other.vrrpScripts) &&
            vrrpInstances.equals(other.vrrpInstances) && vrrpSyncGroups.equals(other.vrrpSyncGroups) &&
            staticIpAddresses.equals(other.staticIpAddresses) && staticRoutes.equals(other.staticRoutes);
    }

    @Override
    public int hashCode()
    {
        return Objects.hash(globalDefs, virtualServerGroups, virtualServers, vrrpScripts, vrrpInstances,
            vrrpSyncGroups, staticIpAddresses, staticRoutes);
    }

    @Override
    public String toString()
    {
        return "KeepalivedConfig{" + virtualServers.size() + " virtual servers, " + vrrpInstances.size() +
            " VRRP instances, files=" + files + '}';
    }
}
