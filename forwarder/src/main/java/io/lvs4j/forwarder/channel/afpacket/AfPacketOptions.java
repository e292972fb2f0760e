package io.lvs4j.forwarder.channel.afpacket;

import java.util.Arrays;

import io.lvs4j.forwarder.nativeio.InterfaceRequest;

/**
 * Everything an {@link AfPacketChannel} is opened with: immutable, checked when built, made with
 * {@link #builder(String)}.
 * <p>
 * The defaults suit a director worker: a TPACKET_V3 receive ring of 64 blocks of 256 KiB (16 MiB, about 100,000
 * small frames, 0.1 s of 1 Mpps) retired after 1 ms, 2 KiB frames, a 1024-slot transmit ring, qdisc bypass,
 * no outgoing frames, no fanout, no filter, not promiscuous. Every size is checked here against what the kernel
 * will accept, so that a bad value fails with a message instead of {@code EINVAL} from {@code setsockopt}.
 * <p>
 * Sizing a V3 ring: when traffic is light the kernel retires each block by its timer, part full, so the ring
 * holds about {@code blockCount * retireTimeoutMs} milliseconds of a stalled consumer (a GC pause, a descheduled
 * thread) before it freezes and drops; when traffic is heavy it holds {@code blockSize * blockCount} bytes. Many
 * smaller blocks serve both cases better than a few large ones (measured: 8 blocks froze twice in a test run on a
 * busy 2-core VM, 64 did not).
 */
public final class AfPacketOptions
{
    /** Default V3 block size: 256 KiB, filled in under 2 ms at 1 Mpps of small frames. */
    public static final int DEFAULT_BLOCK_SIZE = 1 << 18;
    /** Default number of receive blocks: 64 ms of consumer stall at light load with the default timeout. */
    public static final int DEFAULT_BLOCK_COUNT = 64;
    /** Default frame size: a 1500-byte MTU frame with its VLAN tag and ring header fits with room to spare. */
    public static final int DEFAULT_FRAME_SIZE = 2048;
    /**
     * Default V3 retire timeout, 1 ms: the smallest the kernel takes (0 makes it pick one from the link speed, 8 ms
     * on veth), because at low rates a frame waits for it (measured p50 0.9 ms at 1 ms, 5.9 ms at 8 ms). Full
     * blocks are handed over at once, so the timer costs nothing at high rates.
     */
    public static final int DEFAULT_RETIRE_TIMEOUT_MS = 1;
    /** Default transmit slots. */
    public static final int DEFAULT_TX_FRAME_COUNT = 1024;
    /** Smallest block size the options accept: the x86_64 page (the kernel wants a multiple of its page size). */
    public static final int PAGE_SIZE = 4096;
    /** Smallest frame size the options accept: a V3 header, an Ethernet header and some payload. */
    public static final int MIN_FRAME_SIZE = 128;
    /** Largest fanout group id. */
    public static final int MAX_FANOUT_GROUP = 0xFFFF;

    private final String interfaceName;
    private final RingVersion ringVersion;
    private final int blockSize;
    private final int blockCount;
    private final int frameSize;
    private final int retireTimeoutMs;
    private final int txFrameCount;
    private final boolean qdiscBypass;
    private final boolean ignoreOutgoing;
    private final boolean discardMalformedTx;
    private final int fanoutGroup;
    private final FanoutType fanoutType;
    private final int fanoutFlags;
    private final BpfProgram filter;
    private final boolean promiscuous;
    private final long[] multicastGroups;

    private AfPacketOptions(final Builder b)
    {
        interfaceName = b.interfaceName;
        ringVersion = b.ringVersion;
        blockSize = b.blockSize;
        blockCount = b.blockCount;
        frameSize = b.frameSize;
        retireTimeoutMs = b.retireTimeoutMs;
        txFrameCount = b.txFrameCount;
        qdiscBypass = b.qdiscBypass;
        ignoreOutgoing = b.ignoreOutgoing;
        discardMalformedTx = b.discardMalformedTx;
        fanoutGroup = b.fanoutGroup;
        fanoutType = b.fanoutType;
        fanoutFlags = b.fanoutFlags;
        filter = b.filter;
        promiscuous = b.promiscuous;
        multicastGroups = b.multicastGroups.clone();
    }

    /**
     * Starts options for an interface.
     *
     * @param interfaceName the interface, at most 15 ASCII characters.
     * @return a builder with the defaults.
     */
    public static Builder builder(final String interfaceName)
    {
        return new Builder(interfaceName);
    }

    /** @return a builder holding these options, to derive others (another interface, another fanout member). */
    public Builder toBuilder()
    {
        final Builder b = new Builder(interfaceName);
        b.ringVersion = ringVersion;
        b.blockSize = blockSize;
        b.blockCount = blockCount;
        b.frameSize = frameSize;
        b.retireTimeoutMs = retireTimeoutMs;
        b.txFrameCount = txFrameCount;
        b.qdiscBypass = qdiscBypass;
        b.ignoreOutgoing = ignoreOutgoing;
        b.discardMalformedTx = discardMalformedTx;
        b.fanoutGroup = fanoutGroup;
        b.fanoutType = fanoutType;
        b.fanoutFlags = fanoutFlags;
        b.filter = filter;
        b.promiscuous = promiscuous;
        b.multicastGroups = multicastGroups.clone();
        return b;
    }

    /** @return the interface the channel serves. */
    public String interfaceName()
    {
        return interfaceName;
    }

    /** @return the ring layout. */
    public RingVersion ringVersion()
    {
        return ringVersion;
    }

    /** @return bytes per receive block. */
    public int blockSize()
    {
        return blockSize;
    }

    /** @return receive blocks. */
    public int blockCount()
    {
        return blockCount;
    }

    /** @return bytes per frame slot: V2 receive slots and all transmit slots (V3 receive frames are packed). */
    public int frameSize()
    {
        return frameSize;
    }

    /** @return milliseconds after which the kernel hands over a V3 block that is not full. */
    public int retireTimeoutMs()
    {
        return retireTimeoutMs;
    }

    /** @return transmit slots; 0 for a receive-only channel (rounded up to whole pages of slots when opened). */
    public int txFrameCount()
    {
        return txFrameCount;
    }

    /** @return whether transmits skip the qdisc layer ({@code PACKET_QDISC_BYPASS}). */
    public boolean qdiscBypass()
    {
        return qdiscBypass;
    }

    /** @return whether frames sent on the interface by others are not received ({@code PACKET_IGNORE_OUTGOING}). */
    public boolean ignoreOutgoing()
    {
        return ignoreOutgoing;
    }

    /** @return whether the kernel skips a malformed transmit slot instead of stopping there ({@code PACKET_LOSS}). */
    public boolean discardMalformedTx()
    {
        return discardMalformedTx;
    }

    /** @return whether the socket joins a fanout group. */
    public boolean hasFanout()
    {
        return fanoutGroup >= 0;
    }

    /** @return the fanout group id, -1 for none. */
    public int fanoutGroup()
    {
        return fanoutGroup;
    }

    /** @return how the fanout group spreads frames. */
    public FanoutType fanoutType()
    {
        return fanoutType;
    }

    /** @return {@code FanoutType.FLAG_*} bits. */
    public int fanoutFlags()
    {
        return fanoutFlags;
    }

    /** @return the filter attached before the socket is bound, or null. */
    public BpfProgram filter()
    {
        return filter;
    }

    /** @return whether the interface is promiscuous while the channel is open. */
    public boolean promiscuous()
    {
        return promiscuous;
    }

    /** @return multicast MACs (low 48 bits) the interface accepts while the channel is open; a copy. */
    public long[] multicastGroups()
    {
        return multicastGroups.clone();
    }

    /** @return bytes of the receive ring. */
    public long rxRingLength()
    {
        return (long)blockSize * blockCount;
    }

    /** @return V2 receive frames (or the nominal V3 frame count the kernel wants). */
    public int rxFrameCount()
    {
        return blockSize / frameSize * blockCount;
    }

    /** @return the longest frame a transmit slot holds. */
    public int txFrameCapacity()
    {
        return frameSize - ringVersion.transmitDataOffset();
    }

    @Override
    public String toString()
    {
        return "AfPacketOptions{" + interfaceName + ", " + ringVersion + ", block " + blockSize + " x " + blockCount +
            ", frame " + frameSize + ", tov " + retireTimeoutMs + " ms, tx " + txFrameCount +
            (qdiscBypass ? ", qdisc-bypass" : "") + (ignoreOutgoing ? ", ignore-outgoing" : "") +
            (hasFanout() ? ", fanout " + fanoutGroup + " " + fanoutType + " 0x" + Integer.toHexString(fanoutFlags) : "") +
            (filter != null ? ", filter " + filter.length() + " insns" : "") + (promiscuous ? ", promisc" : "") +
            (multicastGroups.length > 0 ? ", " + multicastGroups.length + " multicast" : "") + '}';
    }

    /**
     * Collects options; {@link #build()} checks them.
     */
    public static final class Builder
    {
        private String interfaceName;
        private RingVersion ringVersion = RingVersion.V3;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private int blockCount = DEFAULT_BLOCK_COUNT;
        private int frameSize = DEFAULT_FRAME_SIZE;
        private int retireTimeoutMs = DEFAULT_RETIRE_TIMEOUT_MS;
        private int txFrameCount = DEFAULT_TX_FRAME_COUNT;
        private boolean qdiscBypass = true;
        private boolean ignoreOutgoing = true;
        private boolean discardMalformedTx = true;
        private int fanoutGroup = -1;
        private FanoutType fanoutType = FanoutType.HASH;
        private int fanoutFlags;
        private BpfProgram filter;
        private boolean promiscuous;
        private long[] multicastGroups = new long[0];

        private Builder(final String interfaceName)
        {
            this.interfaceName = interfaceName;
        }

        /**
         * @param name the interface the channel serves.
         * @return this.
         */
        public Builder interfaceName(final String name)
        {
            interfaceName = name;
            return this;
        }

        /**
         * @param version V3 (default) for throughput, V2 for the lowest latency at low rates.
         * @return this.
         */
        public Builder ringVersion(final RingVersion version)
        {
            ringVersion = version;
            return this;
        }

        /**
         * @param bytes bytes per receive block, a multiple of 4096 (default 256 KiB).
         * @return this.
         */
        public Builder blockSize(final int bytes)
        {
            blockSize = bytes;
            return this;
        }

        /**
         * @param count receive blocks (default 64).
         * @return this.
         */
        public Builder blockCount(final int count)
        {
            blockCount = count;
            return this;
        }

        /**
         * @param bytes bytes per frame slot, a multiple of 16 (default 2048).
         * @return this.
         */
        public Builder frameSize(final int bytes)
        {
            frameSize = bytes;
            return this;
        }

        /**
         * @param ms V3 block retire timeout, 1 or more; 0 lets the kernel choose from the link speed (default 1).
         * @return this.
         */
        public Builder retireTimeoutMs(final int ms)
        {
            retireTimeoutMs = ms;
            return this;
        }

        /**
         * @param count transmit slots, 0 for none (default 1024).
         * @return this.
         */
        public Builder txFrameCount(final int count)
        {
            txFrameCount = count;
            return this;
        }

        /**
         * @param on whether transmits skip the qdisc layer (default on). Frames sent this way are not seen by
         *           other packet sockets on the interface (tcpdump included).
         * @return this.
         */
        public Builder qdiscBypass(final boolean on)
        {
            qdiscBypass = on;
            return this;
        }

        /**
         * @param on whether frames others send on the interface (the kernel stack, other sockets) are left out
         *           (default on). A socket never receives its own transmissions either way.
         * @return this.
         */
        public Builder ignoreOutgoing(final boolean on)
        {
            ignoreOutgoing = on;
            return this;
        }

        /**
         * @param on whether the kernel skips malformed transmit slots (default on); off makes it stop at one and
         *           mark it {@code TP_STATUS_WRONG_FORMAT} until the channel reclaims it.
         * @return this.
         */
        public Builder discardMalformedTx(final boolean on)
        {
            discardMalformedTx = on;
            return this;
        }

        /**
         * Joins a fanout group, so that N sockets (one per worker) split the interface's traffic.
         *
         * @param group the group id, 0..65535, shared by the members.
         * @param type  how frames are spread; all members must agree.
         * @param flags {@code FanoutType.FLAG_*} bits; all members must agree.
         * @return this.
         */
        public Builder fanout(final int group, final FanoutType type, final int flags)
        {
            fanoutGroup = group;
            fanoutType = type;
            fanoutFlags = flags;
            return this;
        }

        /**
         * Leaves fanout off (the default).
         *
         * @return this.
         */
        public Builder noFanout()
        {
            fanoutGroup = -1;
            return this;
        }

        /**
         * @param program a filter to attach, or null for none.
         * @return this.
         */
        public Builder filter(final BpfProgram program)
        {
            filter = program;
            return this;
        }

        /**
         * @param on whether the interface is promiscuous while the channel is open (default off).
         * @return this.
         */
        public Builder promiscuous(final boolean on)
        {
            promiscuous = on;
            return this;
        }

        /**
         * Adds a multicast MAC the interface accepts while the channel is open, e.g. VRRP's 01:00:5e:00:00:12.
         *
         * @param mac the address in the low 48 bits.
         * @return this.
         */
        public Builder multicastGroup(final long mac)
        {
            multicastGroups = Arrays.copyOf(multicastGroups, multicastGroups.length + 1);
            multicastGroups[multicastGroups.length - 1] = mac;
            return this;
        }

        /**
         * Checks the options.
         *
         * @return the immutable options.
         * @throws IllegalArgumentException naming the first bad value.
         */
        public AfPacketOptions build()
        {
            InterfaceRequest.checkName(interfaceName);
            require(ringVersion != null, "ring version is required");
            require(blockSize >= PAGE_SIZE && blockSize % PAGE_SIZE == 0,
                "block size must be a positive multiple of " + PAGE_SIZE + ": " + blockSize);
            require(blockCount >= 1, "block count must be positive: " + blockCount);
            require(frameSize >= MIN_FRAME_SIZE && frameSize % TpacketLayout.TPACKET_ALIGNMENT == 0,
                "frame size must be a multiple of 16, at least " + MIN_FRAME_SIZE + ": " + frameSize);
            require(frameSize <= blockSize, "frame size " + frameSize + " exceeds block size " + blockSize);
            require(retireTimeoutMs >= 0, "retire timeout must not be negative: " + retireTimeoutMs);
            require(txFrameCount >= 0, "transmit frame count must not be negative: " + txFrameCount);
            require(fanoutGroup >= -1 && fanoutGroup <= MAX_FANOUT_GROUP,
                "fanout group must be 0.." + MAX_FANOUT_GROUP + ": " + fanoutGroup);
            require(fanoutType != null, "fanout type is required");
            require((fanoutFlags & ~(FanoutType.FLAG_ROLLOVER | FanoutType.FLAG_UNIQUEID |
                FanoutType.FLAG_IGNORE_OUTGOING | FanoutType.FLAG_DEFRAG)) == 0,
                "unknown fanout flags: 0x" + Integer.toHexString(fanoutFlags));
            for (final long mac : multicastGroups)
            {
                require((mac & ~0xFFFF_FFFF_FFFFL) == 0 && (mac & 0x0100_0000_0000L) != 0,
                    "not a multicast MAC: 0x" + Long.toHexString(mac));
            }
            final long rx = (long)blockSize * blockCount;
            final long tx = (long)txFrameCount * frameSize + 2L * Math.max(frameSize, PAGE_SIZE);
            // One Agrona buffer covers both rings, and its capacity is an int.
            require(rx + tx <= Integer.MAX_VALUE, "rings too large for one mapping: " + (rx + tx) + " bytes");
            return new AfPacketOptions(this);
        }

        private static void require(final boolean condition, final String message)
        {
            if (!condition)
            {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
