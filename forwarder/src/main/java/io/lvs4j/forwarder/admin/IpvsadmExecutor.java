package io.lvs4j.forwarder.admin;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import io.lvs4j.core.ipvsadm.IpvsadmCommand;
import io.lvs4j.core.ipvsadm.IpvsadmCommandLine;
import io.lvs4j.core.ipvsadm.IpvsadmException;
import io.lvs4j.core.ipvsadm.IpvsadmListing;
import io.lvs4j.core.ipvsadm.IpvsadmResolver;
import io.lvs4j.core.ipvsadm.IpvsadmRestore;
import io.lvs4j.core.ipvsadm.ServiceKey;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.VirtualService;
import io.lvs4j.forwarder.Director;
import io.lvs4j.forwarder.ServiceStatus;
import io.lvs4j.forwarder.sync.SyncBackup;
import io.lvs4j.forwarder.sync.SyncInstaller;
import io.lvs4j.forwarder.sync.SyncMaster;
import io.lvs4j.forwarder.sync.SyncOptions;
import io.lvs4j.forwarder.sync.SyncStats;

/**
 * Runs {@code ipvsadm} command lines against a running {@link Director}, answering as ipvsadm 1.31 does: the same
 * grammar and validation, the same listings byte for byte, the same messages and exit codes for the kernel's
 * refusals ("Service already exists", "No such service", "No such destination").
 * <p>
 * {@code -R} reads its commands from the text the client sends after the {@value #STDIN} marker (the admin socket
 * carries arguments, not a stream).
 * <p>
 * {@code --start-daemon master|backup} and {@code --stop-daemon} run connection sync ({@link SyncMaster},
 * {@link SyncBackup}) as IPVS's daemons, with its defaults (multicast 224.0.0.81:8848, TTL 1, on {@code eth0}
 * unless {@code --mcast-interface} says otherwise), and {@code -L --daemon} lists them; these daemons are apart from
 * a keepalived configuration's {@code lvs_sync_daemon}. Close the executor to stop them.
 */
public final class IpvsadmExecutor implements AdminCommand, AutoCloseable
{
    /** Marks the argument after which a client sends its standard input ({@code -R}). */
    public static final String STDIN = "--lvs4j-stdin";
    /** Most connections {@code -Lc} lists. */
    public static final int MAX_CONNECTIONS = 1_000_000;

    private final Director director;
    private final IpvsadmResolver resolver;
    private final SyncStats syncStats = new SyncStats();
    private String networkNamespace;
    private SyncMaster syncMaster;
    private SyncOptions masterOptions;
    private SyncBackup syncBackup;
    private SyncOptions backupOptions;

    /**
     * An executor over a director, resolving numerically.
     *
     * @param director the director.
     */
    public IpvsadmExecutor(final Director director)
    {
        this(director, IpvsadmResolver.NUMERIC);
    }

    /**
     * An executor with a name resolver for listings without {@code -n}.
     *
     * @param director the director.
     * @param resolver names for addresses and ports.
     */
    public IpvsadmExecutor(final Director director, final IpvsadmResolver resolver)
    {
        this.director = director;
        this.resolver = resolver;
    }

    /**
     * @param name the network namespace the director runs in, where sync daemons open their sockets; null for the
     *             caller's.
     * @return this.
     */
    public IpvsadmExecutor networkNamespace(final String name)
    {
        this.networkNamespace = name;
        return this;
    }

    /** @return the counters of the daemons started with {@code --start-daemon}. */
    public SyncStats syncStats()
    {
        return syncStats;
    }

    @Override
    public synchronized AdminResponse execute(final List<String> argv)
    {
        final int stdinAt = argv.indexOf(STDIN);
        final List<String> args = stdinAt < 0 ? argv : argv.subList(0, stdinAt);
        final String stdin = stdinAt >= 0 && stdinAt + 1 < argv.size() ? argv.get(stdinAt + 1) : "";
        try
        {
            return run(IpvsadmCommandLine.parse(resolver, args), stdin);
        }
        catch (final IpvsadmException ex)
        {
            return AdminResponse.error(ex.exitStatus(), ex.getMessage() + "\n");
        }
    }

    private AdminResponse run(final IpvsadmCommand command, final String stdin)
    {
        switch (command.verb())
        {
            case HELP:
                return AdminResponse.ok(IpvsadmCommandLine.usage(IpvsadmCommandLine.PROGRAM));
            case VERSION:
                return AdminResponse.ok(IpvsadmCommandLine.VERSION + "\n");
            case LIST:
            case SAVE:
                if (command.has(IpvsadmCommand.Option.DAEMON))
                {
                    return AdminResponse.ok(daemons());
                }
                return AdminResponse.ok(new IpvsadmListing(resolver).render(command, director.ipvsSnapshot(),
                    command.has(IpvsadmCommand.Option.CONNECTION) ? director.connectionEntries(MAX_CONNECTIONS) :
                        List.of()));
            case RESTORE:
                for (final IpvsadmCommand each : new IpvsadmRestore(resolver).parse(stdin))
                {
                    final AdminResponse r = run(each, "");
                    if (r.exitCode() != 0)
                    {
                        return r;
                    }
                }
                return AdminResponse.ok("");
            default:
                return apply(command);
        }
    }

    private AdminResponse apply(final IpvsadmCommand command)
    {
        try
        {
            switch (command.verb())
            {
                case ADD_SERVICE:
                    if (find(command.serviceKey()) != null)
                    {
                        return failure("Service already exists");
                    }
                    director.addService(command.service());
                    break;
                case EDIT_SERVICE:
                    requireService(command.serviceKey());
                    director.editService(command.service());
                    break;
                case DELETE_SERVICE:
                    director.deleteService(requireService(command.serviceKey()));
                    break;
                case FLUSH:
                    director.clear();
                    break;
                case ADD_SERVER:
                {
                    final VirtualService service = requireService(command.serviceKey());
                    if (findServer(service, command.server()))
                    {
                        return failure("Destination already exists");
                    }
                    director.addRealServer(service, command.server());
                    break;
                }
                case EDIT_SERVER:
                {
                    final VirtualService service = requireService(command.serviceKey());
                    if (!findServer(service, command.server()))
                    {
                        return failure("No such destination");
                    }
                    director.editRealServer(service, command.server());
                    break;
                }
                case DELETE_SERVER:
                {
                    final VirtualService service = requireService(command.serviceKey());
                    if (!findServer(service, command.server()))
                    {
                        return failure("No such destination");
                    }
                    director.deleteRealServer(service, command.server());
                    break;
                }
                case ZERO:
                    director.zeroCounters(command.serviceKey() == null ? null : requireService(command.serviceKey()));
                    break;
                case SET_TIMEOUT:
                    director.setTimeouts(command.tcpTimeoutS(), command.tcpFinTimeoutS(), command.udpTimeoutS());
                    break;
                case START_DAEMON:
                    return startDaemon(command);
                case STOP_DAEMON:
                    return stopDaemon(command);
                default:
                    return failure("lvs4j: " + command.verb() + " is not supported");
            }
            return AdminResponse.ok("");
        }
        catch (final NoSuchService ex)
        {
            return failure("No such service");
        }
        catch (final IllegalArgumentException | IllegalStateException ex)
        {
            return failure(ex.getMessage());
        }
    }

    private AdminResponse startDaemon(final IpvsadmCommand command)
    {
        final boolean master = "master".equals(command.daemonState());
        if (master ? syncMaster != null : syncBackup != null)
        {
            return failure("Daemon has already run");
        }
        final SyncOptions o = new SyncOptions().multicast(command.mcastInterface().isEmpty() ? "eth0" :
            command.mcastInterface()).syncId(command.syncId()).networkNamespace(networkNamespace);
        try
        {
            if (command.mcastGroup() != null || command.mcastPort() != 0)
            {
                o.group(command.mcastGroup() != null ? InetAddress.getByName(command.mcastGroup()) : o.group(),
                    command.mcastPort() != 0 ? command.mcastPort() : SyncOptions.DEFAULT_PORT);
            }
            if (command.mcastTtl() != 0)
            {
                o.ttl(command.mcastTtl());
            }
            if (command.syncMaxLen() != 0)
            {
                o.maxLength(command.syncMaxLen());
            }
            if (master)
            {
                syncMaster = new SyncMaster(director.connections(), o, syncStats).listenForDumpRequests().start();
                masterOptions = o;
            }
            else
            {
                syncBackup = new SyncBackup(new SyncInstaller(director, syncStats), o, syncStats).start();
                backupOptions = o;
            }
            return AdminResponse.ok("");
        }
        catch (final UnknownHostException ex)
        {
            return failure("Invalid multicast group " + command.mcastGroup());
        }
        catch (final IOException ex)
        {
            return failure("lvs4j: cannot start the " + command.daemonState() + " sync daemon on " +
                o.interfaceName() + ": " + ex.getMessage());
        }
    }

    private AdminResponse stopDaemon(final IpvsadmCommand command)
    {
        if ("master".equals(command.daemonState()))
        {
            if (syncMaster == null)
            {
                return failure("No daemon is running");
            }
            syncMaster.close();
            syncMaster = null;
        }
        else
        {
            if (syncBackup == null)
            {
                return failure("No daemon is running");
            }
            syncBackup.close();
            syncBackup = null;
        }
        return AdminResponse.ok("");
    }

    /** {@code print_daemon}: one line per running daemon, master first, with what the kernel reports. */
    private String daemons()
    {
        final StringBuilder sb = new StringBuilder();
        if (syncMaster != null)
        {
            daemon(sb, "master", masterOptions);
        }
        if (syncBackup != null)
        {
            daemon(sb, "backup", backupOptions);
        }
        return sb.toString();
    }

    private static void daemon(final StringBuilder sb, final String state, final SyncOptions o)
    {
        sb.append(state).append(" sync daemon (mcast=").append(o.interfaceName()).append(", syncid=")
            .append(o.syncId()).append(", maxlen=").append(o.maxLength()).append(", group=")
            .append(o.group().getHostAddress()).append(", port=").append(o.port()).append(", ttl=").append(o.ttl())
            .append(")\n");
    }

    /** Stops the daemons started with {@code --start-daemon}. */
    @Override
    public synchronized void close()
    {
        if (syncMaster != null)
        {
            syncMaster.close();
            syncMaster = null;
        }
        if (syncBackup != null)
        {
            syncBackup.close();
            syncBackup = null;
        }
    }

    private static AdminResponse failure(final String message)
    {
        return AdminResponse.error(IpvsadmException.EXIT_FAILURE, message + "\n");
    }

    private VirtualService find(final ServiceKey key)
    {
        for (final ServiceStatus s : director.services())
        {
            if (key.matches(s.service()))
            {
                return s.service();
            }
        }
        return null;
    }

    private VirtualService requireService(final ServiceKey key)
    {
        final VirtualService service = find(key);
        if (service == null)
        {
            throw new NoSuchService();
        }
        return service;
    }

    private boolean findServer(final VirtualService service, final RealServer server)
    {
        final ServiceStatus status = director.service(service);
        return status != null && status.realServers().stream().anyMatch(rs ->
            rs.server().addressLo() == server.addressLo() && rs.server().addressHi() == server.addressHi() &&
            rs.server().port() == server.port());
    }

    /** Thrown inside {@link #apply} when a named service does not exist; answered as the kernel's ESRCH. */
    private static final class NoSuchService extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        NoSuchService()
        {
            super("No such service", null, false, false);
        }
    }
}
