package io.lvs4j.forwarder.channel.afpacket;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A classic BPF program for {@code SO_ATTACH_FILTER}: the kernel runs it on every frame before it reaches the
 * socket's ring, so frames a director has no business with never cost a ring slot or a wake-up.
 * <p>
 * Programs are immutable. {@link #acceptAll()} and {@link #rejectAll()} are the trivial ones;
 * {@link #filter()} builds what a director needs (ARP, VRRP, IPv6 neighbour discovery, and IP frames to or from
 * given addresses); {@link #assembler()} writes anything else with labels; {@link #parse} reads the output of
 * {@code tcpdump -dd}. Offsets are from the Ethernet header, as an AF_PACKET {@code SOCK_RAW} socket sees frames;
 * VLAN tags that the device stripped into metadata are not in the bytes the program reads.
 */
public final class BpfProgram
{
    /** {@code BPF_MAXINSNS}: the kernel refuses longer programs. */
    public static final int MAX_INSTRUCTIONS = 4096;
    /** The return value that keeps a whole frame. */
    public static final int ACCEPT = -1;
    /** The return value that drops a frame. */
    public static final int REJECT = 0;

    /** {@code BPF_LD | BPF_W | BPF_ABS}: A = 32-bit word at k. */
    public static final int LD_W_ABS = 0x20;
    /** {@code BPF_LD | BPF_H | BPF_ABS}: A = 16-bit half-word at k. */
    public static final int LD_H_ABS = 0x28;
    /** {@code BPF_LD | BPF_B | BPF_ABS}: A = byte at k. */
    public static final int LD_B_ABS = 0x30;
    /** {@code BPF_LD | BPF_W | BPF_IND}: A = 32-bit word at X + k. */
    public static final int LD_W_IND = 0x40;
    /** {@code BPF_LD | BPF_H | BPF_IND}: A = 16-bit half-word at X + k. */
    public static final int LD_H_IND = 0x48;
    /** {@code BPF_LD | BPF_B | BPF_IND}: A = byte at X + k. */
    public static final int LD_B_IND = 0x50;
    /** {@code BPF_LD | BPF_W | BPF_LEN}: A = frame length. */
    public static final int LD_W_LEN = 0x80;
    /** {@code BPF_LDX | BPF_B | BPF_MSH}: X = 4 * (byte at k &amp; 0xf), an IPv4 header length. */
    public static final int LDX_B_MSH = 0xb1;
    /** {@code BPF_ALU | BPF_AND | BPF_K}: A &amp;= k. */
    public static final int ALU_AND_K = 0x54;
    /** {@code BPF_JMP | BPF_JA}: jump k forward. */
    public static final int JMP_JA = 0x05;
    /** {@code BPF_JMP | BPF_JEQ | BPF_K}: jt if A == k else jf. */
    public static final int JMP_JEQ_K = 0x15;
    /** {@code BPF_JMP | BPF_JGT | BPF_K}: jt if A &gt; k (unsigned) else jf. */
    public static final int JMP_JGT_K = 0x25;
    /** {@code BPF_JMP | BPF_JGE | BPF_K}: jt if A &gt;= k (unsigned) else jf. */
    public static final int JMP_JGE_K = 0x35;
    /** {@code BPF_JMP | BPF_JSET | BPF_K}: jt if A &amp; k else jf. */
    public static final int JMP_JSET_K = 0x45;
    /** {@code BPF_RET | BPF_K}: return k bytes of the frame (0 drops it). */
    public static final int RET_K = 0x06;
    /** {@code BPF_RET | BPF_A}: return A bytes of the frame. */
    public static final int RET_A = 0x16;

    /** Ethertype of ARP. */
    public static final int ETHERTYPE_ARP = 0x0806;
    /** Ethertype of IPv4. */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** Ethertype of IPv6. */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** IP protocol number of VRRP. */
    public static final int PROTOCOL_VRRP = 112;
    /** IPv6 next header of ICMPv6. */
    public static final int PROTOCOL_ICMPV6 = 58;
    /** IPv4 protocol number of ICMP. */
    public static final int PROTOCOL_ICMP = 1;

    private static final int ETHERTYPE_OFFSET = 12;
    private static final int IPV4_PROTOCOL_OFFSET = 14 + 9;
    private static final int IPV4_SOURCE_OFFSET = 14 + 12;
    private static final int IPV4_DESTINATION_OFFSET = 14 + 16;
    private static final int IPV6_NEXT_HEADER_OFFSET = 14 + 6;
    private static final int IPV6_SOURCE_OFFSET = 14 + 8;
    private static final int IPV6_DESTINATION_OFFSET = 14 + 24;
    private static final int ICMPV6_TYPE_OFFSET = 14 + 40;
    private static final int ND_NEIGHBOUR_SOLICITATION = 135;
    private static final int ND_NEIGHBOUR_ADVERTISEMENT = 136;

    private static final BpfProgram ACCEPT_ALL = new BpfProgram(new long[] {encode(RET_K, 0, 0, ACCEPT)});
    private static final BpfProgram REJECT_ALL = new BpfProgram(new long[] {encode(RET_K, 0, 0, REJECT)});

    /** Each instruction packed as code (bits 48..63), jt (40..47), jf (32..39), k (0..31). */
    private final long[] instructions;

    private BpfProgram(final long[] instructions)
    {
        if (instructions.length == 0 || instructions.length > MAX_INSTRUCTIONS)
        {
            throw new IllegalArgumentException(
                "a BPF program has 1.." + MAX_INSTRUCTIONS + " instructions, not " + instructions.length);
        }
        this.instructions = instructions;
    }

    /** @return a program that keeps every frame whole. */
    public static BpfProgram acceptAll()
    {
        return ACCEPT_ALL;
    }

    /** @return a program that drops every frame (to open a socket quiet and attach the real filter later). */
    public static BpfProgram rejectAll()
    {
        return REJECT_ALL;
    }

    /** @return a builder of a director's filter. */
    public static FilterBuilder filter()
    {
        return new FilterBuilder();
    }

    /** @return an assembler for any other program. */
    public static Assembler assembler()
    {
        return new Assembler();
    }

    /**
     * Reads the C-array form {@code tcpdump -dd} prints, e.g. <code>{ 0x28, 0, 0, 0x0000000c },</code> per line.
     *
     * @param ddOutput the text.
     * @return the program.
     */
    public static BpfProgram parse(final String ddOutput)
    {
        final Pattern line = Pattern.compile(
            "\\{\\s*(0x[0-9a-fA-F]+|\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(0x[0-9a-fA-F]+|\\d+)\\s*}");
        final Matcher m = line.matcher(ddOutput);
        final List<Long> parsed = new ArrayList<>();
        while (m.find())
        {
            parsed.add(encode(
                (int)Long.decode(m.group(1)).longValue(),
                Integer.parseInt(m.group(2)),
                Integer.parseInt(m.group(3)),
                (int)Long.decode(m.group(4)).longValue()));
        }
        return new BpfProgram(parsed.stream().mapToLong(Long::longValue).toArray());
    }

    private static long encode(final int code, final int jt, final int jf, final int k)
    {
        if ((code & ~0xFFFF) != 0 || (jt & ~0xFF) != 0 || (jf & ~0xFF) != 0)
        {
            throw new IllegalArgumentException("code " + code + " jt " + jt + " jf " + jf + " out of range");
        }
        return ((long)code << 48) | ((long)jt << 40) | ((long)jf << 32) | (k & 0xFFFF_FFFFL);
    }

    /** @return how many instructions the program has. */
    public int length()
    {
        return instructions.length;
    }

    /**
     * @param index an instruction index.
     * @return its opcode ({@code code}).
     */
    public int code(final int index)
    {
        return (int)(instructions[index] >>> 48) & 0xFFFF;
    }

    /**
     * @param index an instruction index.
     * @return its jump-if-true offset.
     */
    public int jt(final int index)
    {
        return (int)(instructions[index] >>> 40) & 0xFF;
    }

    /**
     * @param index an instruction index.
     * @return its jump-if-false offset.
     */
    public int jf(final int index)
    {
        return (int)(instructions[index] >>> 32) & 0xFF;
    }

    /**
     * @param index an instruction index.
     * @return its constant.
     */
    public int k(final int index)
    {
        return (int)instructions[index];
    }

    /**
     * The program as the kernel reads it: an array of {@code struct sock_filter} in native byte order.
     *
     * @return 8 bytes per instruction.
     */
    public byte[] encode()
    {
        final ByteBuffer bytes = ByteBuffer.allocate(instructions.length * TpacketLayout.SOCK_FILTER_LENGTH)
            .order(ByteOrder.nativeOrder());
        for (int i = 0; i < instructions.length; i++)
        {
            bytes.putShort((short)code(i)).put((byte)jt(i)).put((byte)jf(i)).putInt(k(i));
        }
        return bytes.array();
    }

    /** @return the program in {@code tcpdump -dd} form, one instruction per line. */
    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < instructions.length; i++)
        {
            sb.append(String.format("{ 0x%02x, %d, %d, 0x%08x },%n", code(i), jt(i), jf(i), k(i)));
        }
        return sb.toString();
    }

    @Override
    public boolean equals(final Object other)
    {
        return other instanceof BpfProgram && Arrays.equals(instructions, ((BpfProgram)other).instructions);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(instructions);
    }

    /**
     * Writes classic BPF with named labels, so that jump offsets are computed rather than counted by hand.
     * A {@code null} label means the next instruction. Conditional jumps reach at most 255 instructions ahead
     * (their offsets are bytes); {@link #jump} reaches anywhere ahead.
     */
    public static final class Assembler
    {
        private final List<int[]> code = new ArrayList<>();
        private final List<String[]> targets = new ArrayList<>();
        private final Map<String, Integer> labels = new HashMap<>();

        private Assembler()
        {
        }

        /**
         * Appends an instruction without jumps.
         *
         * @param opcode the opcode.
         * @param k      the constant.
         * @return this.
         */
        public Assembler op(final int opcode, final int k)
        {
            code.add(new int[] {opcode, k});
            targets.add(new String[] {null, null});
            return this;
        }

        /**
         * Appends a conditional jump.
         *
         * @param opcode      a {@code BPF_JMP} opcode, e.g. {@link #JMP_JEQ_K}.
         * @param k           the constant compared with A.
         * @param whenTrue    label to go to when the condition holds, null for the next instruction.
         * @param whenFalse   label to go to otherwise, null for the next instruction.
         * @return this.
         */
        public Assembler branch(final int opcode, final int k, final String whenTrue, final String whenFalse)
        {
            code.add(new int[] {opcode, k});
            targets.add(new String[] {whenTrue, whenFalse});
            return this;
        }

        /**
         * Appends an unconditional jump.
         *
         * @param label where to go.
         * @return this.
         */
        public Assembler jump(final String label)
        {
            code.add(new int[] {JMP_JA, 0});
            targets.add(new String[] {label, null});
            return this;
        }

        /**
         * Appends A = byte at an offset.
         *
         * @param offset from the start of the frame.
         * @return this.
         */
        public Assembler loadByte(final int offset)
        {
            return op(LD_B_ABS, offset);
        }

        /**
         * Appends A = big-endian half-word at an offset.
         *
         * @param offset from the start of the frame.
         * @return this.
         */
        public Assembler loadHalf(final int offset)
        {
            return op(LD_H_ABS, offset);
        }

        /**
         * Appends A = big-endian word at an offset.
         *
         * @param offset from the start of the frame.
         * @return this.
         */
        public Assembler loadWord(final int offset)
        {
            return op(LD_W_ABS, offset);
        }

        /**
         * Appends a return.
         *
         * @param k bytes to keep: {@link #ACCEPT} or {@link #REJECT}.
         * @return this.
         */
        public Assembler ret(final int k)
        {
            return op(RET_K, k);
        }

        /**
         * Appends "if A == k, accept the frame" as two instructions whose jumps are local, so that a long list of
         * comparisons never needs a far conditional jump.
         *
         * @param k the value.
         * @return this.
         */
        public Assembler acceptIfEqual(final int k)
        {
            final String skip = "$skip" + code.size();
            branch(JMP_JEQ_K, k, null, skip);
            ret(ACCEPT);
            return label(skip);
        }

        /**
         * Names the position of the next instruction.
         *
         * @param name a label not used before.
         * @return this.
         */
        public Assembler label(final String name)
        {
            if (labels.putIfAbsent(name, code.size()) != null)
            {
                throw new IllegalArgumentException("label defined twice: " + name);
            }
            return this;
        }

        /**
         * Resolves the labels.
         *
         * @return the program.
         * @throws IllegalArgumentException for an unknown label, a backward jump, or a conditional jump further than
         *                                  255 instructions.
         */
        public BpfProgram build()
        {
            final long[] out = new long[code.size()];
            for (int pc = 0; pc < out.length; pc++)
            {
                final int[] insn = code.get(pc);
                final String[] target = targets.get(pc);
                if (insn[0] == JMP_JA)
                {
                    out[pc] = encode(JMP_JA, 0, 0, distance(pc, target[0], Integer.MAX_VALUE));
                }
                else
                {
                    out[pc] = encode(insn[0], distance(pc, target[0], 255), distance(pc, target[1], 255), insn[1]);
                }
            }
            return new BpfProgram(out);
        }

        private int distance(final int pc, final String label, final int max)
        {
            if (label == null)
            {
                return 0;
            }
            final Integer at = labels.get(label);
            if (at == null)
            {
                throw new IllegalArgumentException("no such label: " + label);
            }
            final int distance = at - pc - 1;
            if (distance < 0 || distance > max)
            {
                throw new IllegalArgumentException("jump from " + pc + " to " + label + " (" + at + ") out of reach");
            }
            return distance;
        }
    }

    /**
     * Builds the filter a director attaches to its sockets: keep ARP, VRRP, IPv6 neighbour discovery when asked,
     * and IPv4/IPv6 frames whose destination is one of the given addresses (VIPs, the director's own) or whose
     * source is one of the given addresses (real servers, for NAT replies and health checks); drop the rest.
     */
    public static final class FilterBuilder
    {
        private boolean arp;
        private boolean vrrp;
        private boolean neighbourDiscovery;
        private final List<InetAddress> destinations = new ArrayList<>();
        private final List<InetAddress> sources = new ArrayList<>();
        private final List<InetAddress> icmpDestinations = new ArrayList<>();

        private FilterBuilder()
        {
        }

        /**
         * Keeps every ARP frame.
         *
         * @return this.
         */
        public FilterBuilder arp()
        {
            arp = true;
            return this;
        }

        /**
         * Keeps every VRRP packet (IP protocol / IPv6 next header 112).
         *
         * @return this.
         */
        public FilterBuilder vrrp()
        {
            vrrp = true;
            return this;
        }

        /**
         * Keeps IPv6 neighbour solicitations and advertisements (ICMPv6 135/136 right after the IPv6 header): a
         * solicitation for a VIP goes to a solicited-node multicast address, not to the VIP.
         *
         * @return this.
         */
        public FilterBuilder neighbourDiscovery()
        {
            neighbourDiscovery = true;
            return this;
        }

        /**
         * Keeps IP frames sent to an address.
         *
         * @param address an IPv4 or IPv6 address.
         * @return this.
         */
        public FilterBuilder destination(final InetAddress address)
        {
            destinations.add(address);
            return this;
        }

        /**
         * Keeps ICMP (IPv4) sent to an address: errors from routers about the director's own packets (its IP-in-IP
         * tunnels) without the rest of the traffic to that address.
         *
         * @param address an IPv4 address.
         * @return this.
         */
        public FilterBuilder icmpTo(final InetAddress address)
        {
            icmpDestinations.add(address);
            return this;
        }

        /**
         * Keeps IP frames sent from an address.
         *
         * @param address an IPv4 or IPv6 address.
         * @return this.
         */
        public FilterBuilder source(final InetAddress address)
        {
            sources.add(address);
            return this;
        }

        /** @return the program. */
        public BpfProgram build()
        {
            final Assembler a = assembler();
            a.loadHalf(ETHERTYPE_OFFSET);
            if (arp)
            {
                a.acceptIfEqual(ETHERTYPE_ARP);
            }
            // Far targets are reached with `ja`, whose offset is 32 bits; the conditional jumps stay local.
            a.branch(JMP_JEQ_K, ETHERTYPE_IPV4, null, "not-ipv4").jump("ipv4").label("not-ipv4");
            a.branch(JMP_JEQ_K, ETHERTYPE_IPV6, null, "reject").jump("ipv6").label("reject");
            a.ret(REJECT);

            a.label("ipv4");
            if (vrrp)
            {
                a.loadByte(IPV4_PROTOCOL_OFFSET).acceptIfEqual(PROTOCOL_VRRP);
            }
            if (icmpDestinations.stream().anyMatch(i -> i instanceof Inet4Address))
            {
                a.loadByte(IPV4_PROTOCOL_OFFSET).branch(JMP_JEQ_K, PROTOCOL_ICMP, null, "not-icmp");
                emitIpv4(a, IPV4_DESTINATION_OFFSET, icmpDestinations);
                a.label("not-icmp");
            }
            emitIpv4(a, IPV4_DESTINATION_OFFSET, destinations);
            emitIpv4(a, IPV4_SOURCE_OFFSET, sources);
            a.ret(REJECT);

            a.label("ipv6");
            if (vrrp || neighbourDiscovery)
            {
                a.loadByte(IPV6_NEXT_HEADER_OFFSET);
                if (vrrp)
                {
                    a.acceptIfEqual(PROTOCOL_VRRP);
                }
                if (neighbourDiscovery)
                {
                    a.branch(JMP_JEQ_K, PROTOCOL_ICMPV6, null, "not-nd");
                    a.loadByte(ICMPV6_TYPE_OFFSET);
                    a.acceptIfEqual(ND_NEIGHBOUR_SOLICITATION);
                    a.acceptIfEqual(ND_NEIGHBOUR_ADVERTISEMENT);
                    a.label("not-nd");
                }
            }
            emitIpv6(a, IPV6_DESTINATION_OFFSET, destinations, "d");
            emitIpv6(a, IPV6_SOURCE_OFFSET, sources, "s");
            a.ret(REJECT);
            return a.build();
        }

        private static void emitIpv4(final Assembler a, final int offset, final List<InetAddress> addresses)
        {
            boolean loaded = false;
            for (final InetAddress address : addresses)
            {
                if (address instanceof Inet4Address)
                {
                    if (!loaded)
                    {
                        a.loadWord(offset);
                        loaded = true;
                    }
                    a.acceptIfEqual(ByteBuffer.wrap(address.getAddress()).getInt());
                }
            }
        }

        private static void emitIpv6(
            final Assembler a, final int offset, final List<InetAddress> addresses, final String prefix)
        {
            int n = 0;
            for (final InetAddress address : addresses)
            {
                if (address instanceof Inet6Address)
                {
                    final ByteBuffer bytes = ByteBuffer.wrap(address.getAddress());
                    final String next = "v6" + prefix + n++;
                    for (int word = 0; word < 4; word++)
                    {
                        a.loadWord(offset + 4 * word).branch(JMP_JEQ_K, bytes.getInt(), null, next);
                    }
                    a.ret(ACCEPT).label(next);
                }
            }
        }
    }
}
