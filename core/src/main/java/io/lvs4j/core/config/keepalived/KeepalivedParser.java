package io.lvs4j.core.config.keepalived;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Parses keepalived configuration files into a {@link KeepalivedConfig}.
 * <p>
 * Follows keepalived 2.x: unknown keywords are warnings (kept in {@link KeepalivedConfig#warnings()}); broken
 * structure, bad values and missing mandatory items are errors, all of them collected in one pass and thrown
 * together as a {@link KeepalivedConfigException}. The parser is immutable and may be shared.
 */
public final class KeepalivedParser
{
    private static final Set<String> UNSUPPORTED_TOP = Set.of(
        "SSL", "bfd_instance", "vrrp_track_file", "track_file", "vrrp_track_process", "track_process", "garp_group",
        "static_rules", "linkbeat_interfaces", "net_namespace", "net_namespace_ipvs", "use_pid_dir", "instance",
        "child_wait_time", "namespace_with_ipsets");

    private final String configId;

    /** A parser with no config id: lines with an {@code @id} prefix are skipped, {@code @^id} lines are kept. */
    public KeepalivedParser()
    {
        this(null);
    }

    /**
     * A parser for one node of a shared configuration ({@code keepalived -i <id>}).
     *
     * @param configId the id {@code @id} line prefixes are matched against; null for none.
     */
    public KeepalivedParser(final String configId)
    {
        this.configId = configId;
    }

    /** @return the config id, null for none. */
    public String configId()
    {
        return configId;
    }

    /**
     * Parses a configuration file and the files it includes.
     *
     * @param file the main file.
     * @return the configuration, with its warnings.
     * @throws KeepalivedConfigException when there are errors (it lists every problem found).
     */
    public KeepalivedConfig parse(final Path file)
    {
        return orThrow(check(file));
    }

    /**
     * Parses configuration text.
     *
     * @param name      the name messages give the text (e.g. a file name).
     * @param text      the configuration.
     * @param directory where relative {@code include}s are looked up.
     * @return the configuration, with its warnings.
     * @throws KeepalivedConfigException when there are errors.
     */
    public KeepalivedConfig parse(final String name, final String text, final Path directory)
    {
        return orThrow(check(name, text, directory));
    }

    /**
     * Parses without throwing: the result holds every problem and, when there were no errors, the
     * configuration.
     *
     * @param file the main file.
     * @return the outcome.
     */
    public Result check(final Path file)
    {
        final Problems problems = new Problems();
        final KeepalivedLexer lexer = new KeepalivedLexer(configId, problems);
        if (!lexer.readMain(file))
        {
            return new Result(null, problems.all());
        }
        return interpret(lexer, problems);
    }

    /**
     * Parses text without throwing.
     *
     * @param name      the name messages give the text.
     * @param text      the configuration.
     * @param directory where relative {@code include}s are looked up.
     * @return the outcome.
     */
    public Result check(final String name, final String text, final Path directory)
    {
        final Problems problems = new Problems();
        final KeepalivedLexer lexer = new KeepalivedLexer(configId, problems);
        lexer.readText(name, text, directory);
        return interpret(lexer, problems);
    }

    /**
     * The outcome of a parse that does not throw.
     *
     * @param config   the configuration; null when there were errors.
     * @param problems every problem, errors and warnings, in the order found.
     */
    public record Result(KeepalivedConfig config, List<ConfigProblem> problems)
    {
        /**
         * Copies the list.
         *
         * @param config   configuration or null.
         * @param problems problems.
         */
        public Result
        {
            problems = List.copyOf(problems);
        }

        /** @return true when no problem is an error. */
        public boolean ok()
        {
            return problems.stream().noneMatch(ConfigProblem::isError);
        }
    }

    private static KeepalivedConfig orThrow(final Result result)
    {
        if (!result.ok())
        {
            throw new KeepalivedConfigException(result.problems());
        }
        return result.config();
    }

    private static Result interpret(final KeepalivedLexer lexer, final Problems problems)
    {
        final List<ConfigNode> top = ConfigNode.parse(lexer.tokens(), problems);
        final Values v = new Values(problems);
        final LvsReader lvs = new LvsReader(v);
        final VrrpReader vrrp = new VrrpReader(v);

        final List<ConfigNode> globals = new ArrayList<>();
        for (final ConfigNode n : top)
        {
            if ("global_defs".equals(n.name()))
            {
                globals.add(n);
            }
        }
        final GlobalDefs global = new GlobalDefsReader(v).read(globals);

        final List<VirtualServerGroup> groups = new ArrayList<>();
        final List<VirtualServerConfig> servers = new ArrayList<>();
        final List<VrrpScript> scripts = new ArrayList<>();
        final List<VrrpInstance> instances = new ArrayList<>();
        final List<VrrpSyncGroup> syncGroups = new ArrayList<>();
        final List<VirtualIpAddress> staticAddresses = new ArrayList<>();
        final List<String> staticRoutes = new ArrayList<>();
        final Map<Object, ConfigNode> nodeOf = new HashMap<>();
        for (final ConfigNode n : top)
        {
            switch (n.name())
            {
                case "global_defs" ->
                {
                    // read first, so instances see its defaults wherever it stands
                }
                case "virtual_server_group" -> add(groups, lvs.group(n), n, nodeOf);
                case "virtual_server" -> add(servers, lvs.virtualServer(n), n, nodeOf);
                case "vrrp_script" -> add(scripts, vrrp.script(n), n, nodeOf);
                case "vrrp_instance" -> add(instances, vrrp.instance(n, global), n, nodeOf);
                case "vrrp_sync_group" -> add(syncGroups, vrrp.syncGroup(n), n, nodeOf);
                case "static_ipaddress" ->
                {
                    staticAddresses.addAll(vrrp.addresses(n));
                    v.unsupported(n, "no address is added to the system");
                }
                case "static_routes" ->
                {
                    staticRoutes.addAll(vrrp.staticLines(n));
                    v.unsupported(n, "no route is added to the system");
                }
                default ->
                {
                    if (UNSUPPORTED_TOP.contains(n.name()))
                    {
                        v.unsupported(n);
                    }
                    else
                    {
                        v.unknown(n, "the top level");
                    }
                }
            }
        }
        crossCheck(v, global, groups, servers, scripts, instances, syncGroups, nodeOf);
        final List<VrrpInstance> resolvedInstances = dropUnknownScripts(v, instances, scripts, nodeOf);
        final List<VrrpSyncGroup> resolvedGroups = dropUnknownMembers(v, syncGroups, instances, nodeOf);
        if (problems.hasErrors())
        {
            return new Result(null, problems.all());
        }
        final KeepalivedConfig config = new KeepalivedConfig(lexer.files(), global, groups, servers, scripts,
            resolvedInstances, resolvedGroups, staticAddresses, staticRoutes, problems.warnings());
        return new Result(config, problems.all());
    }

    private static <T> void add(final List<T> list, final T value, final ConfigNode n, final Map<Object, ConfigNode> nodes)
    {
        if (value != null)
        {
            list.add(value);
            nodes.put(new Identity(value), n);
        }
    }

    /** Keys the node map by identity: equal records from different blocks must keep their own positions. */
    private record Identity(Object value)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Identity other && other.value == value;
        }

        @Override
        public int hashCode()
        {
            return System.identityHashCode(value);
        }
    }

    private static ConfigNode node(final Map<Object, ConfigNode> nodes, final Object value)
    {
        return nodes.get(new Identity(value));
    }

    private static void crossCheck(
        final Values v, final GlobalDefs global, final List<VirtualServerGroup> groups,
        final List<VirtualServerConfig> servers, final List<VrrpScript> scripts, final List<VrrpInstance> instances,
        final List<VrrpSyncGroup> syncGroups, final Map<Object, ConfigNode> nodes)
    {
        final Set<String> groupNames = new HashSet<>();
        for (final VirtualServerGroup g : groups)
        {
            if (!groupNames.add(g.name()))
            {
                v.error(node(nodes, g).keyword, "virtual_server_group " + g.name() + " is defined twice");
            }
        }
        final Set<String> serverKeys = new HashSet<>();
        for (final VirtualServerConfig s : servers)
        {
            final ConfigNode n = node(nodes, s);
            if (s.group() != null && !groupNames.contains(s.group()))
            {
                v.error(n.arg(1), "virtual_server group: no virtual_server_group named \"" + s.group() + "\"");
            }
            final String key = s.key() + (s.kind() == VirtualServerConfig.Kind.ADDRESS ? " " + s.protocol() : "");
            if (!serverKeys.add(key))
            {
                v.error(n.keyword, "virtual_server " + s.key() + " is defined twice");
            }
        }
        final Set<String> scriptNames = new HashSet<>();
        for (final VrrpScript s : scripts)
        {
            if (!scriptNames.add(s.name()))
            {
                v.error(node(nodes, s).keyword, "vrrp_script " + s.name() + " is defined twice");
            }
        }
        final Set<String> instanceNames = new HashSet<>();
        final Map<String, VrrpInstance> vrids = new HashMap<>();
        for (final VrrpInstance i : instances)
        {
            final ConfigNode n = node(nodes, i);
            if (!instanceNames.add(i.name()))
            {
                v.error(n.keyword, "vrrp_instance " + i.name() + " is defined twice");
            }
            final String iface = i.interfaceName() != null ? i.interfaceName() : global.defaultInterface();
            final boolean v6 = !i.virtualIpAddresses().isEmpty() &&
                i.virtualIpAddresses().get(0).address() instanceof java.net.Inet6Address;
            final String vridKey = iface + '/' + (v6 ? 6 : 4) + '/' + i.virtualRouterId();
            final VrrpInstance other = vrids.putIfAbsent(vridKey, i);
            if (other != null)
            {
                v.error(n.keyword, "vrrp_instance " + i.name() + ": virtual_router_id " + i.virtualRouterId() +
                    " is already used by " + other.name() + " on the same interface");
            }
        }
        final Set<String> syncNames = new HashSet<>();
        for (final VrrpSyncGroup g : syncGroups)
        {
            if (!syncNames.add(g.name()))
            {
                v.error(node(nodes, g).keyword, "vrrp_sync_group " + g.name() + " is defined twice");
            }
        }
    }

    private static List<VrrpInstance> dropUnknownScripts(
        final Values v, final List<VrrpInstance> instances, final List<VrrpScript> scripts,
        final Map<Object, ConfigNode> nodes)
    {
        final Set<String> names = new HashSet<>();
        scripts.forEach(s -> names.add(s.name()));
        final List<VrrpInstance> out = new ArrayList<>();
        for (final VrrpInstance i : instances)
        {
            final List<TrackedScript> kept = new ArrayList<>();
            for (final TrackedScript t : i.trackScripts())
            {
                if (names.contains(t.name()))
                {
                    kept.add(t);
                }
                else
                {
                    v.warning(node(nodes, i).keyword, "vrrp_instance " + i.name() + ": track_script " + t.name() +
                        " is not a vrrp_script; ignored, as keepalived does");
                }
            }
            out.add(kept.size() == i.trackScripts().size() ? i : new VrrpInstance(i.name(), i.state(),
                i.interfaceName(), i.virtualRouterId(), i.priority(), i.advertInt(), i.version(), i.nopreempt(),
                i.preemptDelay(), i.authentication(), i.virtualIpAddresses(), i.excludedIpAddresses(),
                i.virtualRoutes(), i.unicastSrcIp(), i.unicastPeers(), i.trackInterfaces(), kept, i.notifyMaster(),
                i.notifyBackup(), i.notifyFault(), i.notifyStop(), i.notifyGeneric(), i.smtpAlert(), i.garpMasterDelay(),
                i.garpMasterRepeat(), i.garpLowerPrioDelay(), i.garpLowerPrioRepeat(), i.garpMasterRefresh(),
                i.garpMasterRefreshRepeat(), i.useVmac(), i.vmacName(), i.dontTrackPrimary(), i.accept(),
                i.lvsSyncDaemonInterface()));
        }
        return out;
    }

    private static List<VrrpSyncGroup> dropUnknownMembers(
        final Values v, final List<VrrpSyncGroup> groups, final List<VrrpInstance> instances,
        final Map<Object, ConfigNode> nodes)
    {
        final Set<String> names = new HashSet<>();
        instances.forEach(i -> names.add(i.name()));
        final List<VrrpSyncGroup> out = new ArrayList<>();
        for (final VrrpSyncGroup g : groups)
        {
            final List<String> kept = new ArrayList<>();
            for (final String m : g.members())
            {
                if (names.contains(m))
                {
                    kept.add(m);
                }
                else
                {
                    v.warning(node(nodes, g).keyword, "vrrp_sync_group " + g.name() + ": " + m +
                        " is not a vrrp_instance; left out, as keepalived does");
                }
            }
            if (!kept.isEmpty())
            {
                out.add(kept.size() == g.members().size() ? g : new VrrpSyncGroup(g.name(), kept, g.notifyMaster(),
                    g.notifyBackup(), g.notifyFault(), g.notifyStop(), g.notifyGeneric(), g.smtpAlert()));
            }
        }
        return out;
    }
}
