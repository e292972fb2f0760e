package io.lvs4j.core.ipvsadm;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import io.lvs4j.core.conn.ConnectionFlags;
import io.lvs4j.core.flow.FlowKey;
import io.lvs4j.core.flow.IpProtocol;
import io.lvs4j.core.service.RealServer;
import io.lvs4j.core.service.ServiceFlags;
import io.lvs4j.core.service.VirtualService;

import io.lvs4j.core.ipvsadm.IpvsadmCommand.Option;
import io.lvs4j.core.ipvsadm.IpvsadmCommand.Verb;

/**
 * ipvsadm 1.31's command line, parsed as ipvsadm parses it: popt's option syntax (short options clustered as in
 * {@code -Ln}, an option's value attached or in the next word, {@code --long=value}, {@code -p}'s optional
 * timeout not taken from a following word that starts with {@code -}, words that are not options collected and
 * rejected, {@code --} ending the options), the first option being the command, then ipvsadm's checks in its
 * order and with its messages: the per-value checks while parsing, the command/option legality table, the
 * service, real-server and tunnel checks.
 * <p>
 * Addresses follow ipvsadm: {@code [v6]:port} or bare IPv6, IPv4 as {@code inet_aton} reads it ({@code 10.1} is
 * 10.0.0.1), a host name through the {@link IpvsadmResolver} (none by default), a port number or a service name
 * through the resolver. Stateless; thread-safe.
 */
public final class IpvsadmCommandLine
{
    /** The program name ipvsadm's messages use. */
    public static final String PROGRAM = "ipvsadm";
    /** What {@code ipvsadm -v} prints. */
    public static final String VERSION = "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)";
    /** The longest timeout ipvsadm accepts: 31 days. */
    public static final int MAX_TIMEOUT_S = 86400 * 31;
    /** ipvsadm's default scheduler. */
    public static final String DEFAULT_SCHEDULER = "wlc";

    private static final int ARG_NONE = 0;
    private static final int ARG_REQUIRED = 1;
    private static final int ARG_OPTIONAL = 2;

    private static final int POPT_END = -1;
    private static final int POPT_ERROR_NOARG = -10;
    private static final int POPT_ERROR_BADOPT = -11;
    private static final int POPT_ERROR_UNWANTEDARG = -12;

    /** popt's table: long name, short name, argument kind, in ipvsadm's order (the first "list" wins). */
    private static final Object[][] POPT_TABLE =
    {
        {"add-service", 'A', ARG_NONE}, {"edit-service", 'E', ARG_NONE}, {"delete-service", 'D', ARG_NONE},
        {"clear", 'C', ARG_NONE}, {"list", 'L', ARG_NONE}, {"list", 'l', ARG_NONE}, {"zero", 'Z', ARG_NONE},
        {"add-server", 'a', ARG_NONE}, {"edit-server", 'e', ARG_NONE}, {"delete-server", 'd', ARG_NONE},
        {"set", '\0', ARG_NONE}, {"help", 'h', ARG_NONE}, {"version", 'v', ARG_NONE},
        {"restore", 'R', ARG_NONE}, {"save", 'S', ARG_NONE}, {"start-daemon", '\0', ARG_REQUIRED},
        {"stop-daemon", '\0', ARG_REQUIRED}, {"tcp-service", 't', ARG_REQUIRED},
        {"udp-service", 'u', ARG_REQUIRED}, {"sctp-service", '\0', ARG_REQUIRED},
        {"fwmark-service", 'f', ARG_REQUIRED}, {"scheduler", 's', ARG_REQUIRED},
        {"persistent", 'p', ARG_OPTIONAL}, {"netmask", 'M', ARG_REQUIRED}, {"real-server", 'r', ARG_REQUIRED},
        {"masquerading", 'm', ARG_NONE}, {"ipip", 'i', ARG_NONE}, {"gatewaying", 'g', ARG_NONE},
        {"weight", 'w', ARG_REQUIRED}, {"u-threshold", 'x', ARG_REQUIRED}, {"l-threshold", 'y', ARG_REQUIRED},
        {"numeric", 'n', ARG_NONE}, {"connection", 'c', ARG_NONE}, {"mcast-interface", '\0', ARG_REQUIRED},
        {"syncid", '\0', ARG_REQUIRED}, {"timeout", '\0', ARG_NONE}, {"daemon", '\0', ARG_NONE},
        {"stats", '\0', ARG_NONE}, {"rate", '\0', ARG_NONE}, {"thresholds", '\0', ARG_NONE},
        {"persistent-conn", '\0', ARG_NONE}, {"nosort", '\0', ARG_NONE}, {"sort", '\0', ARG_NONE},
        {"exact", 'X', ARG_NONE}, {"ipv6", '6', ARG_NONE}, {"ops", 'o', ARG_NONE},
        {"pe", '\0', ARG_REQUIRED}, {"sched-flags", 'b', ARG_REQUIRED}, {"mcast-group", '\0', ARG_REQUIRED},
        {"mcast-port", '\0', ARG_REQUIRED}, {"mcast-ttl", '\0', ARG_REQUIRED},
        {"sync-maxlen", '\0', ARG_REQUIRED}, {"tun-info", '\0', ARG_NONE}, {"tun-type", '\0', ARG_REQUIRED},
        {"tun-port", '\0', ARG_REQUIRED}, {"tun-nocsum", '\0', ARG_NONE}, {"tun-csum", '\0', ARG_NONE},
        {"tun-remcsum", '\0', ARG_NONE},
    };

    /**
     * ipvsadm's {@code commands_v_options}: per command (CMD_ADD..CMD_ZERO), per option (OPTC_ order):
     * '+' required, 'x' illegal, '1' at most one of them, ' ' optional.
     */
    private static final String[] LEGALITY =
    {
        // columns: -n -c svc -s -p -M -r fwd -w -x -y mcast timeout daemon stats rate thresholds pconn nosort
        // syncid exact ops pe -b group port ttl maxlen tun-info tun-type tun-port nocsum csum remcsum
        "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx", // ADD
        "xx+   xxxxxxxxxxxxxxx   xxxxxxxxxx", // EDIT
        "xx+xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // DEL
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // FLUSH
        " 11xxxxxxxxx11       xxxxxxx xxxxx", // LIST
        "xx+xxx+    xxxxxxxxxxxxxxxxxx     ", // ADDDEST
        "xx+xxx+xxxxxxxxxxxxxxxxxxxxxxxxxxx", // DELDEST
        "xx+xxx+    xxxxxxxxxxxxxxxxxx     ", // EDITDEST
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // TIMEOUT
        "xxxxxxxxxxx xxxxxxx xxxx    xxxxxx", // STARTDAEMON
        "xxxxxxxxxxxxxxxxxxx xxxxxxxxxxxxxx", // STOPDAEMON
        "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // RESTORE
        " xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // SAVE
        "xx xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", // ZERO
    };

    /** ipvsadm's {@code tunnel_types_v_options}: per tunnel type, for --tun-port, -nocsum, -csum, -remcsum. */
    private static final String[] TUNNEL_LEGALITY = {"xxxx", "+111", "x11x"};
    private static final Option[] TUNNEL_OPTIONS =
        {Option.TUN_PORT, Option.TUN_NOCSUM, Option.TUN_CSUM, Option.TUN_REMCSUM};
    private static final String[] TUNNEL_NAMES = {"ipip", "gue", "gre"};

    private IpvsadmCommandLine()
    {
    }

    /**
     * Parses a command line with numeric resolution only.
     *
     * @param args the arguments after the program name.
     * @return the command.
     * @throws IpvsadmException with ipvsadm's message and exit status when ipvsadm would refuse it.
     */
    public static IpvsadmCommand parse(final String... args)
    {
        return parse(IpvsadmResolver.NUMERIC, Arrays.asList(args));
    }

    /**
     * Parses a command line.
     *
     * @param resolver host and service names for addresses and ports that are not literals.
     * @param args     the arguments after the program name; none means {@code -L}.
     * @return the command.
     * @throws IpvsadmException with ipvsadm's message and exit status when ipvsadm would refuse it.
     */
    public static IpvsadmCommand parse(final IpvsadmResolver resolver, final List<String> args)
    {
        return new Parser(resolver, args).run();
    }

    /**
     * What {@code ipvsadm -h} prints (to stdout, exit 0). The scheduler list is ipvsadm 1.31's {@code SCHEDULERS}
     * file joined with {@code |}.
     *
     * @param program the program name to show.
     * @return the help text, lines ending in a newline.
     */
    public static String usage(final String program)
    {
        final String p = program;
        return VERSION + "\n" +
            "Usage:\n" +
            "  " + p + " -A|E virtual-service [-s scheduler] [-p [timeout]] [-M netmask] [--pe persistence_engine]" +
            " [-b sched-flags]\n" +
            "  " + p + " -D virtual-service\n" +
            "  " + p + " -C\n" +
            "  " + p + " -R\n" +
            "  " + p + " -S [-n]\n" +
            "  " + p + " -a|e virtual-service -r server-address [options]\n" +
            "  " + p + " -d virtual-service -r server-address\n" +
            "  " + p + " -L|l [virtual-service] [options]\n" +
            "  " + p + " -Z [virtual-service]\n" +
            "  " + p + " --set tcp tcpfin udp\n" +
            "  " + p + " --start-daemon {master|backup} [daemon-options]\n" +
            "  " + p + " --stop-daemon {master|backup}\n" +
            "  " + p + " -h\n\n" +
            "Commands:\n" +
            "Either long or short options are allowed.\n" +
            "  --add-service     -A        add virtual service with options\n" +
            "  --edit-service    -E        edit virtual service with options\n" +
            "  --delete-service  -D        delete virtual service\n" +
            "  --clear           -C        clear the whole table\n" +
            "  --restore         -R        restore rules from stdin\n" +
            "  --save            -S        save rules to stdout\n" +
            "  --add-server      -a        add real server with options\n" +
            "  --edit-server     -e        edit real server with options\n" +
            "  --delete-server   -d        delete real server\n" +
            "  --list            -L|-l     list the table\n" +
            "  --zero            -Z        zero counters in a service or all services\n" +
            "  --set tcp tcpfin udp        set connection timeout values\n" +
            "  --start-daemon              start connection sync daemon\n" +
            "  --stop-daemon               stop connection sync daemon\n" +
            "  --help            -h        display this help message\n\n" +
            "virtual-service:\n" +
            "  --tcp-service|-t  service-address   service-address is host[:port]\n" +
            "  --udp-service|-u  service-address   service-address is host[:port]\n" +
            "  --sctp-service    service-address   service-address is host[:port]\n" +
            "  --fwmark-service|-f fwmark          fwmark is an integer greater than zero\n" +
            "\n" +
            "Options:\n" +
            "  --ipv6         -6                   fwmark entry uses IPv6\n" +
            "  --scheduler    -s scheduler         one of rr|wrr|lc|wlc|lblc|lblcr|dh|sh|sed|nq|fo|ovf|mh,\n" +
            "                                      the default scheduler is wlc.\n" +
            "  --pe            engine              alternate persistence engine may be sip,\n" +
            "                                      not set by default.\n" +
            "  --persistent   -p [timeout]         persistent service\n" +
            "  --netmask      -M netmask           persistent granularity mask\n" +
            "  --real-server  -r server-address    server-address is host (and port)\n" +
            "  --gatewaying   -g                   gatewaying (direct routing) (default)\n" +
            "  --ipip         -i                   ipip encapsulation (tunneling)\n" +
            "  --masquerading -m                   masquerading (NAT)\n" +
            "  --tun-type      type                one of ipip|gue|gre,\n" +
            "                                      the default tunnel type is ipip.\n" +
            "  --tun-port      port                tunnel destination port\n" +
            "  --tun-nocsum                        tunnel encapsulation without checksum\n" +
            "  --tun-csum                          tunnel encapsulation with checksum\n" +
            "  --tun-remcsum                       tunnel encapsulation with remote checksum\n" +
            "  --weight       -w weight            capacity of real server\n" +
            "  --u-threshold  -x uthreshold        upper threshold of connections\n" +
            "  --l-threshold  -y lthreshold        lower threshold of connections\n" +
            "  --connection   -c                   output of current IPVS connections\n" +
            "  --timeout                           output of timeout (tcp tcpfin udp)\n" +
            "  --daemon                            output of daemon information\n" +
            "  --stats                             output of statistics information\n" +
            "  --rate                              output of rate information\n" +
            "  --exact                             expand numbers (display exact values)\n" +
            "  --thresholds                        output of thresholds information\n" +
            "  --persistent-conn                   output of persistent connection info\n" +
            "  --tun-info                          output of tunnel information\n" +
            "  --nosort                            disable sorting output of service/server entries\n" +
            "  --sort                              does nothing, for backwards compatibility\n" +
            "  --ops          -o                   one-packet scheduling\n" +
            "  --numeric      -n                   numeric output of addresses and ports\n" +
            "  --sched-flags  -b flags             scheduler flags (comma-separated)\n" +
            "Daemon Options:\n" +
            "  --syncid sid                        syncid for connection sync (default=255)\n" +
            "  --sync-maxlen length                Max sync message length (default=1472)\n" +
            "  --mcast-interface interface         multicast interface for connection sync\n" +
            "  --mcast-group address               IPv4/IPv6 group (default=224.0.0.81)\n" +
            "  --mcast-port port                   UDP port (default=8848)\n" +
            "  --mcast-ttl ttl                     Multicast TTL (default=1)\n";
    }

    static IpvsadmException fail(final String message)
    {
        return new IpvsadmException(message, IpvsadmException.EXIT_USAGE);
    }

    static IpvsadmException tryHelp()
    {
        return new IpvsadmException(
            "Try `" + PROGRAM + " -h' or '" + PROGRAM + " --help' for more information.",
            IpvsadmException.EXIT_TRY_HELP);
    }

    /** The state of one parse: popt's cursor and ipvsadm's {@code ipvs_command_entry}. */
    private static final class Parser
    {
        private final IpvsadmResolver resolver;
        private final List<String> argv;

        // popt
        private int next;
        private String nextCharArg;
        private boolean restLeftover;
        private final List<String> leftovers = new ArrayList<>();
        private String optArg;

        // ipvsadm's command entry
        private Verb verb;
        private final Set<Option> options = EnumSet.noneOf(Option.class);
        private final Set<ListFormat> format = EnumSet.noneOf(ListFormat.class);
        private final Addr svc = new Addr();
        private String schedName = "";
        private int svcFlags;
        private int timeout;
        private int netmask = 0xFFFF_FFFF;
        private String peName = "";
        private final Addr dest = new Addr();
        private int weight = 1;
        private int method = ConnectionFlags.DROUTE;
        private int upperThreshold;
        private int lowerThreshold;
        private int tunType;
        private int tunPort;
        private int tunFlags;
        private final int[] timeouts = new int[3];
        private String daemonState;
        private String mcastInterface = "";
        private int syncId;
        private String mcastGroup;
        private int mcastPort;
        private int mcastTtl;
        private int syncMaxLen;
        private String schedFlagsArg = "";

        Parser(final IpvsadmResolver resolver, final List<String> argv)
        {
            this.resolver = resolver;
            this.argv = argv;
        }

        IpvsadmCommand run()
        {
            if (argv.isEmpty())
            {
                // no argument at all: list everything
                verb = Verb.LIST;
                return build();
            }
            parseOptions();
            if (verb == Verb.HELP || verb == Verb.VERSION)
            {
                return build();
            }
            return processOptions();
        }

        // ---------------------------------------------------------------------------------------------------
        // popt

        /** @return the option's table row, or a POPT_* code (END or an error). */
        private Object nextOption()
        {
            optArg = null;
            while (true)
            {
                Object[] opt = null;
                String longArg = null;
                if (nextCharArg == null && next == argv.size())
                {
                    return POPT_END;
                }
                if (nextCharArg == null)
                {
                    final String word = argv.get(next++);
                    if (restLeftover || !word.startsWith("-"))
                    {
                        leftovers.add(word);
                        continue;
                    }
                    if (word.equals("--"))
                    {
                        restLeftover = true;
                        continue;
                    }
                    if (word.startsWith("--"))
                    {
                        String name = word.substring(2);
                        final int eq = name.indexOf('=');
                        if (eq >= 0)
                        {
                            longArg = name.substring(eq + 1);
                            name = name.substring(0, eq);
                        }
                        opt = findLong(name);
                        if (opt == null)
                        {
                            return POPT_ERROR_BADOPT;
                        }
                    }
                    else
                    {
                        // a single dash: a cluster of short options (none of ipvsadm's long ones take one dash)
                        nextCharArg = word.substring(1);
                    }
                }
                if (nextCharArg != null)
                {
                    final String cluster = nextCharArg;
                    nextCharArg = null;
                    opt = cluster.isEmpty() ? null : findShort(cluster.charAt(0));
                    if (opt == null)
                    {
                        return POPT_ERROR_BADOPT;
                    }
                    if (cluster.length() > 1)
                    {
                        nextCharArg = cluster.substring(1);
                    }
                }
                final int kind = (Integer)opt[2];
                if (kind == ARG_NONE)
                {
                    if (longArg != null || (nextCharArg != null && nextCharArg.startsWith("=")))
                    {
                        return POPT_ERROR_UNWANTEDARG;
                    }
                }
                else if (longArg != null)
                {
                    optArg = longArg;
                }
                else if (nextCharArg != null)
                {
                    optArg = nextCharArg.startsWith("=") ? nextCharArg.substring(1) : nextCharArg;
                    nextCharArg = null;
                }
                else if (next == argv.size())
                {
                    if (kind != ARG_OPTIONAL)
                    {
                        return POPT_ERROR_NOARG;
                    }
                }
                else if (kind == ARG_OPTIONAL && argv.get(next).startsWith("-"))
                {
                    // popt leaves a following option alone: -p -M ... has no timeout
                    optArg = null;
                }
                else
                {
                    optArg = argv.get(next++);
                }
                return opt;
            }
        }

        private static Object[] findLong(final String name)
        {
            for (final Object[] row : POPT_TABLE)
            {
                if (row[0].equals(name))
                {
                    return row;
                }
            }
            return null;
        }

        private static Object[] findShort(final char c)
        {
            for (final Object[] row : POPT_TABLE)
            {
                if ((Character)row[1] != '\0' && (Character)row[1] == c)
                {
                    return row;
                }
            }
            return null;
        }

        /** popt's {@code poptBadOption(NOALIAS)}: the last word consumed. */
        private String badOption()
        {
            return next > 0 ? argv.get(next - 1) : "";
        }

        private static String tag(final Object[] row)
        {
            final char shortName = (Character)row[1];
            return shortName != '\0' ? String.valueOf(shortName) : (String)row[0];
        }

        // ---------------------------------------------------------------------------------------------------
        // parse_options

        private void parseOptions()
        {
            Object c = nextOption();
            if (!(c instanceof Object[]))
            {
                throw tryHelp();
            }
            switch (tag((Object[])c))
            {
                case "A": verb = Verb.ADD_SERVICE; break;
                case "E": verb = Verb.EDIT_SERVICE; break;
                case "D": verb = Verb.DELETE_SERVICE; break;
                case "a": verb = Verb.ADD_SERVER; break;
                case "e": verb = Verb.EDIT_SERVER; break;
                case "d": verb = Verb.DELETE_SERVER; break;
                case "C": verb = Verb.FLUSH; break;
                case "L":
                case "l": verb = Verb.LIST; break;
                case "Z": verb = Verb.ZERO; break;
                case "set": verb = Verb.SET_TIMEOUT; break;
                case "R": verb = Verb.RESTORE; break;
                case "S": verb = Verb.SAVE; break;
                case "start-daemon":
                    verb = Verb.START_DAEMON;
                    if (!"master".equals(optArg) && !"backup".equals(optArg))
                    {
                        throw fail("illegal start-daemon parameter specified");
                    }
                    daemonState = optArg;
                    break;
                case "stop-daemon":
                    verb = Verb.STOP_DAEMON;
                    if (!"master".equals(optArg) && !"backup".equals(optArg))
                    {
                        throw fail("illegal start_daemon specified");
                    }
                    daemonState = optArg;
                    break;
                case "h":
                    verb = Verb.HELP;
                    return;
                case "v":
                    verb = Verb.VERSION;
                    return;
                default:
                    throw tryHelp();
            }

            while ((c = nextOption()) instanceof Object[])
            {
                handleOption(tag((Object[])c));
            }
            final int error = (Integer)c;
            if (error != POPT_END)
            {
                final String reason = error == POPT_ERROR_NOARG ? "missing argument" :
                    error == POPT_ERROR_UNWANTEDARG ? "option does not take an argument" : "unknown option";
                throw new IpvsadmException(badOption() + ": " + reason, IpvsadmException.EXIT_TRY_HELP);
            }

            int leftover = 0;
            if (verb == Verb.SET_TIMEOUT)
            {
                if (leftovers.size() < 3)
                {
                    throw fail("--set option requires 3 timeout values");
                }
                for (int i = 0; i < 3; i++)
                {
                    timeouts[i] = parseTimeout(leftovers.get(i), 0, MAX_TIMEOUT_S);
                }
                leftover = 3;
            }
            if (leftovers.size() > leftover)
            {
                throw fail("unexpected argument " + leftovers.get(leftover));
            }
            if (!schedFlagsArg.isEmpty())
            {
                svcFlags &= ~(ServiceFlags.SCHED1 | ServiceFlags.SCHED2 | ServiceFlags.SCHED3);
                svcFlags |= parseSchedFlags(schedName, schedFlagsArg);
            }
        }

        private void setOption(final Option option)
        {
            if (!options.add(option))
            {
                throw fail("multiple '" + option.ipvsadmName() + "' options specified");
            }
        }

        private void handleOption(final String tag)
        {
            switch (tag)
            {
                case "t":
                case "u":
                case "sctp-service":
                    setOption(Option.SERVICE);
                    svc.protocol = "t".equals(tag) ? IpProtocol.TCP : "u".equals(tag) ? IpProtocol.UDP :
                        IpProtocol.SCTP;
                    if ((parseService(optArg, svc, true) & SERVICE_ADDR) == 0)
                    {
                        throw fail("illegal virtual server address[:port] specified");
                    }
                    break;
                case "f":
                    setOption(Option.SERVICE);
                    // ipvsadm sets a sane protocol although a fwmark service does not use it
                    svc.family = FlowKey.AF_INET;
                    svc.protocol = IpProtocol.TCP;
                    svc.fwmark = parseFwmark(optArg);
                    break;
                case "s":
                    setOption(Option.SCHEDULER);
                    // strncpy into IP_VS_SCHEDNAME_MAXLEN - 1
                    schedName = optArg.length() > 15 ? optArg.substring(0, 15) : optArg;
                    break;
                case "p":
                    setOption(Option.PERSISTENT);
                    svcFlags |= ServiceFlags.PERSISTENT;
                    timeout = optArg == null ? VirtualService.DEFAULT_PERSISTENCE_TIMEOUT_S :
                        parseTimeout(optArg, 1, MAX_TIMEOUT_S);
                    break;
                case "M":
                    setOption(Option.NETMASK);
                    if (svc.family != FlowKey.AF_INET6)
                    {
                        long mask = InetText.inetAton(optArg);
                        if (mask == InetText.INVALID)
                        {
                            mask = resolver.hostAddress(optArg);
                        }
                        if (mask < 0)
                        {
                            throw fail("illegal virtual server persistent mask specified");
                        }
                        netmask = (int)mask;
                    }
                    else
                    {
                        netmask = InetText.atoi(optArg);
                        if (netmask < 1 || netmask > 128)
                        {
                            throw fail("illegal ipv6 netmask specified");
                        }
                    }
                    break;
                case "r":
                {
                    setOption(Option.SERVER);
                    final Addr parsed = svc.copy();
                    final int parse = parseService(optArg, parsed, false);
                    dest.family = parsed.family;
                    dest.hi = parsed.hi;
                    dest.lo = parsed.lo;
                    dest.port = parsed.port;
                    if ((parse & SERVICE_ADDR) == 0)
                    {
                        throw fail("illegal real server address[:port] specified");
                    }
                    if (parse == SERVICE_ADDR)
                    {
                        // no port given: the service's
                        dest.port = svc.port;
                    }
                    break;
                }
                case "i":
                    setOption(Option.FORWARD);
                    method = ConnectionFlags.TUNNEL;
                    break;
                case "g":
                    setOption(Option.FORWARD);
                    method = ConnectionFlags.DROUTE;
                    break;
                case "m":
                    setOption(Option.FORWARD);
                    method = ConnectionFlags.MASQ;
                    break;
                case "w":
                    setOption(Option.WEIGHT);
                    weight = (int)InetText.stringToNumber(optArg, 0, 65535);
                    if (weight == -1)
                    {
                        throw fail("illegal weight specified");
                    }
                    break;
                case "x":
                    setOption(Option.UTHRESHOLD);
                    upperThreshold = (int)InetText.stringToNumber(optArg, 0, Integer.MAX_VALUE);
                    if (upperThreshold == -1)
                    {
                        throw fail("illegal u_threshold specified");
                    }
                    break;
                case "y":
                    setOption(Option.LTHRESHOLD);
                    lowerThreshold = (int)InetText.stringToNumber(optArg, 0, Integer.MAX_VALUE);
                    if (lowerThreshold == -1)
                    {
                        throw fail("illegal l_threshold specified");
                    }
                    break;
                case "c":
                    setOption(Option.CONNECTION);
                    break;
                case "n":
                    setOption(Option.NUMERIC);
                    format.add(ListFormat.NUMERIC);
                    break;
                case "mcast-interface":
                    setOption(Option.MCAST);
                    mcastInterface = optArg.length() > 15 ? optArg.substring(0, 15) : optArg;
                    break;
                case "syncid":
                    setOption(Option.SYNCID);
                    syncId = (int)InetText.stringToNumber(optArg, 0, 255);
                    if (syncId == -1)
                    {
                        throw fail("illegal syncid specified");
                    }
                    break;
                case "timeout":
                    setOption(Option.TIMEOUT);
                    break;
                case "daemon":
                    setOption(Option.DAEMON);
                    break;
                case "stats":
                    setOption(Option.STATS);
                    format.add(ListFormat.STATS);
                    break;
                case "rate":
                    setOption(Option.RATE);
                    format.add(ListFormat.RATE);
                    break;
                case "thresholds":
                    setOption(Option.THRESHOLDS);
                    format.add(ListFormat.THRESHOLDS);
                    break;
                case "persistent-conn":
                    setOption(Option.PERSISTENTCONN);
                    format.add(ListFormat.PERSISTENT_CONN);
                    break;
                case "nosort":
                    setOption(Option.NOSORT);
                    format.add(ListFormat.NOSORT);
                    break;
                case "sort":
                    // sorting is the default: a no-op kept for compatibility
                    break;
                case "X":
                    setOption(Option.EXACT);
                    format.add(ListFormat.EXACT);
                    break;
                case "6":
                    if (svc.fwmark != 0)
                    {
                        svc.family = FlowKey.AF_INET6;
                        netmask = 128;
                    }
                    else
                    {
                        throw fail("-6 used before -f\n");
                    }
                    break;
                case "o":
                    setOption(Option.ONEPACKET);
                    svcFlags |= ServiceFlags.ONEPACKET;
                    break;
                case "pe":
                    setOption(Option.PERSISTENCE_ENGINE);
                    peName = optArg.length() > 15 ? optArg.substring(0, 15) : optArg;
                    break;
                case "b":
                    setOption(Option.SCHED_FLAGS);
                    schedFlagsArg = optArg.length() > 127 ? optArg.substring(0, 127) : optArg;
                    break;
                case "mcast-group":
                    setOption(Option.MCAST_GROUP);
                    if (optArg.indexOf(':') >= 0)
                    {
                        final long[] group = InetText.inetPton6(optArg);
                        if (group == null || (group[0] >>> 56) != 0xFF)
                        {
                            throw fail("invalid IPv6 mcast-group `" + optArg + "'");
                        }
                    }
                    else
                    {
                        final long group = InetText.inetPton4(optArg);
                        if (group == InetText.INVALID || (group >>> 28) != 0xE)
                        {
                            throw fail("invalid IPv4 mcast-group `" + optArg + "'");
                        }
                    }
                    mcastGroup = optArg;
                    break;
                case "mcast-port":
                    setOption(Option.MCAST_PORT);
                    mcastPort = (int)InetText.stringToNumber(optArg, 1, 65535);
                    if (mcastPort == -1)
                    {
                        throw fail("illegal mcast-port specified");
                    }
                    break;
                case "mcast-ttl":
                    setOption(Option.MCAST_TTL);
                    mcastTtl = (int)InetText.stringToNumber(optArg, 1, 255);
                    if (mcastTtl == -1)
                    {
                        throw fail("illegal mcast-ttl specified");
                    }
                    break;
                case "sync-maxlen":
                    setOption(Option.SYNC_MAXLEN);
                    syncMaxLen = (int)InetText.stringToNumber(optArg, 1, 65535 - 20 - 8);
                    if (syncMaxLen == -1)
                    {
                        throw fail("illegal sync-maxlen specified");
                    }
                    break;
                case "tun-info":
                    setOption(Option.TUN_INFO);
                    format.add(ListFormat.TUN_INFO);
                    break;
                case "tun-type":
                    setOption(Option.TUN_TYPE);
                    tunType = Arrays.asList(TUNNEL_NAMES).indexOf(optArg);
                    if (tunType == -1)
                    {
                        throw fail("illegal tunnel type specified");
                    }
                    break;
                case "tun-port":
                    setOption(Option.TUN_PORT);
                    tunPort = (int)InetText.stringToNumber(optArg, 1, 65535);
                    if (tunPort == -1)
                    {
                        throw fail("illegal tunnel port specified");
                    }
                    break;
                case "tun-nocsum":
                    setOption(Option.TUN_NOCSUM);
                    tunFlags |= DestinationEntry.TUN_NOCSUM;
                    break;
                case "tun-csum":
                    setOption(Option.TUN_CSUM);
                    tunFlags |= DestinationEntry.TUN_CSUM;
                    break;
                case "tun-remcsum":
                    setOption(Option.TUN_REMCSUM);
                    tunFlags |= DestinationEntry.TUN_REMCSUM;
                    break;
                default:
                    // a second command, -h or -v after the command
                    throw fail("invalid option `" + badOption() + "'");
            }
        }

        private static int parseTimeout(final String text, final int min, final int max)
        {
            final long value = InetText.stringToNumber(text, min, max);
            if (value == -1)
            {
                throw fail("invalid timeout value `" + text + "' specified");
            }
            return (int)value;
        }

        private static int parseFwmark(final String text)
        {
            final Long value = InetText.strtol(text);
            if (value == null || value <= 0 || value > 0xFFFF_FFFFL)
            {
                throw fail("invalid fwmark value `" + text + "' specified");
            }
            return (int)(long)value;
        }

        private static int parseSchedFlags(final String sched, final String arg)
        {
            final String scheduler = sched.isEmpty() ? DEFAULT_SCHEDULER : sched;
            int flags = 0;
            final String[] tokens = Arrays.stream(arg.split(",")).filter(s -> !s.isEmpty()).toArray(String[]::new);
            if (tokens.length == 0)
            {
                // strtok finds nothing; ipvsadm would compare a null flag: treat it as an invalid flag
                throw fail("invalid scheduler flag `'");
            }
            for (final String flag : tokens)
            {
                switch (flag)
                {
                    case "flag-1": flags |= ServiceFlags.SCHED1; break;
                    case "flag-2": flags |= ServiceFlags.SCHED2; break;
                    case "flag-3": flags |= ServiceFlags.SCHED3; break;
                    case "sh-fallback":
                    case "sh-port":
                        flags |= flag.equals("sh-port") ? ServiceFlags.SH_PORT : ServiceFlags.SH_FALLBACK;
                        if (!scheduler.equals("sh"))
                        {
                            throw fail("incompatible scheduler flag `" + flag + "'");
                        }
                        break;
                    case "mh-fallback":
                    case "mh-port":
                        flags |= flag.equals("mh-port") ? ServiceFlags.MH_PORT : ServiceFlags.MH_FALLBACK;
                        if (!scheduler.equals("mh"))
                        {
                            throw fail("incompatible scheduler flag `" + flag + "'");
                        }
                        break;
                    default:
                        throw fail("invalid scheduler flag `" + flag + "'");
                }
            }
            return flags;
        }

        private static final int SERVICE_ADDR = 1;
        private static final int SERVICE_PORT = 2;

        /**
         * ipvsadm's {@code parse_service}, including its quirks ({@code [1.2.3.4]:80} takes no port, a purely
         * numeric string is refused, {@code 10.1} is 10.0.0.1).
         */
        private int parseService(final String text, final Addr into, final boolean isService)
        {
            if (text == null || InetText.allDigits(text))
            {
                return 0;
            }
            String buf = text;
            String portText = null;
            if (buf.startsWith("["))
            {
                buf = buf.substring(1);
                final int close = buf.indexOf(']');
                if (close < 0)
                {
                    return 0;
                }
                final String after = buf.substring(close + 1);
                buf = buf.substring(0, close);
                if (!after.startsWith(":"))
                {
                    return 0;
                }
                portText = after.substring(1);
            }
            final long[] v6 = InetText.inetPton6(buf);
            if (v6 != null)
            {
                into.hi = v6[0];
                into.lo = v6[1];
                into.family = FlowKey.AF_INET6;
                if (isService)
                {
                    netmask = 128;
                }
            }
            else
            {
                // strrchr(buf, ':'): without brackets the port follows the last colon; after brackets, only a
                // colon inside them would count (then the address cannot be IPv4 either)
                final int colon = buf.lastIndexOf(':');
                portText = colon >= 0 ? buf.substring(colon + 1) : null;
                final String host = colon >= 0 ? buf.substring(0, colon) : buf;
                long v4 = InetText.inetAton(host);
                if (v4 == InetText.INVALID)
                {
                    v4 = resolver.hostAddress(host);
                }
                if (v4 < 0)
                {
                    return 0;
                }
                into.hi = 0;
                into.lo = v4 & 0xFFFF_FFFFL;
                into.family = FlowKey.AF_INET;
            }
            int result = SERVICE_ADDR;
            if (portText != null)
            {
                result |= SERVICE_PORT;
                long port = InetText.stringToNumber(portText, 0, 65535);
                if (port == -1)
                {
                    port = into.protocol == IpProtocol.TCP || into.protocol == IpProtocol.UDP ||
                        into.protocol == IpProtocol.SCTP ? resolver.servicePort(portText, into.protocol) : -1;
                }
                if (port < 0)
                {
                    return 0;
                }
                into.port = (int)port;
            }
            return result;
        }

        // ---------------------------------------------------------------------------------------------------
        // process_options

        private IpvsadmCommand processOptions()
        {
            genericOptCheck();
            if (verb == Verb.ADD_SERVICE || verb == Verb.EDIT_SERVICE)
            {
                if (svc.fwmark == 0 && svc.port == 0 && (svcFlags & ServiceFlags.PERSISTENT) == 0)
                {
                    throw fail("Zero port specified for non-persistent service");
                }
                if ((svcFlags & ServiceFlags.ONEPACKET) != 0 && svc.fwmark == 0 && svc.protocol != IpProtocol.UDP)
                {
                    throw fail("One-Packet Scheduling is only for UDP virtual services");
                }
                if (schedName.isEmpty())
                {
                    schedName = DEFAULT_SCHEDULER;
                }
            }
            if (verb == Verb.START_DAEMON && mcastInterface.isEmpty())
            {
                mcastInterface = "eth0";
            }
            if (verb == Verb.ADD_SERVER || verb == Verb.EDIT_SERVER)
            {
                // DR and TUN cannot change the port: it must be the service's
                if (svc.fwmark == 0 && (method == ConnectionFlags.TUNNEL || method == ConnectionFlags.DROUTE))
                {
                    dest.port = svc.port;
                }
                if (dest.family != svc.family && method != ConnectionFlags.TUNNEL)
                {
                    throw fail("Different address family is allowed only for tunneling servers");
                }
                if ((options.contains(Option.TUN_TYPE) || options.contains(Option.TUN_PORT) ||
                    options.contains(Option.TUN_NOCSUM) || options.contains(Option.TUN_CSUM) ||
                    options.contains(Option.TUN_REMCSUM)) && method != ConnectionFlags.TUNNEL)
                {
                    throw fail("Tunnel options conflict with forward method");
                }
                tunnelOptCheck();
                if (lowerThreshold > upperThreshold)
                {
                    // the kernel's refusal (ip_vs_add_dest / ip_vs_edit_dest: -ERANGE)
                    throw new IpvsadmException("Numerical result out of range", IpvsadmException.EXIT_TRY_HELP);
                }
            }
            if (verb == Verb.LIST)
            {
                final boolean special = options.contains(Option.CONNECTION) || options.contains(Option.TIMEOUT) ||
                    options.contains(Option.DAEMON);
                final boolean layout = options.contains(Option.STATS) || options.contains(Option.RATE) ||
                    options.contains(Option.THRESHOLDS);
                if ((special && layout) || ((options.contains(Option.TIMEOUT) || options.contains(Option.DAEMON)) &&
                    options.contains(Option.PERSISTENTCONN)))
                {
                    throw fail("options conflicts in the list command");
                }
            }
            return build();
        }

        private void genericOptCheck()
        {
            final String row = LEGALITY[verb.ordinal()];
            final Option[] all = Option.values();
            Option last = null;
            for (int j = 0; j < all.length; j++)
            {
                final char rule = row.charAt(j);
                if (!options.contains(all[j]))
                {
                    if (rule == '+')
                    {
                        throw fail("You need to supply the '" + all[j].ipvsadmName() + "' option for the '" +
                            verb.ipvsadmName() + "' command");
                    }
                }
                else
                {
                    if (rule == 'x')
                    {
                        throw fail("Illegal '" + all[j].ipvsadmName() + "' option with the '" + verb.ipvsadmName() +
                            "' command");
                    }
                    if (rule == '1')
                    {
                        if (last == null)
                        {
                            last = all[j];
                            continue;
                        }
                        throw fail("The option '" + all[j].ipvsadmName() + "' conflicts with the '" +
                            last.ipvsadmName() + "' option in the '" + verb.ipvsadmName() + "' command");
                    }
                }
            }
        }

        private void tunnelOptCheck()
        {
            final String row = TUNNEL_LEGALITY[tunType];
            Option last = null;
            for (int j = 0; j < TUNNEL_OPTIONS.length; j++)
            {
                final Option option = TUNNEL_OPTIONS[j];
                final char rule = row.charAt(j);
                if (!options.contains(option))
                {
                    if (rule == '+')
                    {
                        throw fail("You need to supply the '" + option.ipvsadmName() + "' option for the '" +
                            TUNNEL_NAMES[tunType] + "' tunnel type");
                    }
                }
                else
                {
                    if (rule == 'x')
                    {
                        throw fail("Illegal '" + option.ipvsadmName() + "' option with the '" +
                            TUNNEL_NAMES[tunType] + "' tunnel type");
                    }
                    if (rule == '1')
                    {
                        if (last == null)
                        {
                            last = option;
                            continue;
                        }
                        throw fail("The option '" + option.ipvsadmName() + "' conflicts with the '" +
                            last.ipvsadmName() + "' option in the '" + TUNNEL_NAMES[tunType] + "' tunnel type");
                    }
                }
            }
        }

        private IpvsadmCommand build()
        {
            ServiceKey key = null;
            VirtualService service = null;
            if (options.contains(Option.SERVICE))
            {
                final int protocol = svc.fwmark != 0 ? IpProtocol.IP : svc.protocol;
                key = svc.fwmark != 0 ? new ServiceKey(svc.family, protocol, 0, 0, 0, svc.fwmark) :
                    new ServiceKey(svc.family, protocol, svc.hi, svc.lo, svc.port, 0);
                if (verb == Verb.ADD_SERVICE || verb == Verb.EDIT_SERVICE)
                {
                    final int persistence = (svcFlags & ServiceFlags.PERSISTENT) != 0 ? timeout : 0;
                    service = new VirtualService(svc.family, protocol, svc.hi, svc.lo, svc.port, svc.fwmark,
                        schedName, svcFlags & ~ServiceFlags.PERSISTENT, persistence, netmask);
                }
            }
            RealServer server = null;
            if (options.contains(Option.SERVER))
            {
                server = new RealServer(0, dest.family, dest.hi, dest.lo, dest.port, weight, weight, method,
                    upperThreshold, lowerThreshold);
            }
            return new IpvsadmCommand(verb, options, format, key, service, peName, server, tunType, tunPort,
                tunFlags, timeouts, daemonState, mcastInterface, syncId, mcastGroup, mcastPort, mcastTtl,
                syncMaxLen);
        }
    }

    /** An address being parsed: ipvsadm's service or destination address fields. */
    private static final class Addr
    {
        int family;
        int protocol;
        long hi;
        long lo;
        int port;
        int fwmark;

        Addr copy()
        {
            final Addr a = new Addr();
            a.family = family;
            a.protocol = protocol;
            a.hi = hi;
            a.lo = lo;
            a.port = port;
            a.fwmark = fwmark;
            return a;
        }
    }
}
