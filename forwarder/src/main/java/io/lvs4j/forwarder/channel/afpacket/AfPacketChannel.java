package io.lvs4j.forwarder.channel.afpacket;

import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import io.lvs4j.core.packet.MacAddresses;
import io.lvs4j.forwarder.channel.FrameChannel;
import io.lvs4j.forwarder.channel.FrameClaim;
import io.lvs4j.forwarder.channel.FrameFlags;
import io.lvs4j.forwarder.channel.FrameHandler;
import io.lvs4j.forwarder.channel.TrafficFilter;
import io.lvs4j.forwarder.nativeio.LibC;
import io.lvs4j.forwarder.nativeio.NativeException;
import io.lvs4j.forwarder.nativeio.NetworkInterfaceInfo;
import org.agrona.BitUtil;
import org.agrona.concurrent.UnsafeBuffer;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;

import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.BLOCK_NUM_PKTS_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.BLOCK_OFFSET_TO_FIRST_PKT_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.BLOCK_STATUS_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.ETH_P_ALL;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.FPROG_FILTER_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.MREQ_ADDRESS_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.MREQ_ALEN_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.MREQ_IFINDEX_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.MREQ_TYPE_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_ADD_MEMBERSHIP;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_DROP_MEMBERSHIP;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_FANOUT;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_IGNORE_OUTGOING;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_LOSS;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_MREQ_LENGTH;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_MR_MULTICAST;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_MR_PROMISC;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_MR_UNICAST;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_QDISC_BYPASS;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_RX_RING;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_STATISTICS;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_TX_RING;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.PACKET_VERSION;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.REQ_BLOCK_NR_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.REQ_BLOCK_SIZE_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.REQ_FRAME_NR_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.REQ_FRAME_SIZE_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.REQ_RETIRE_BLK_TOV_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.SLL_FAMILY_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.SLL_IFINDEX_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.SLL_PROTOCOL_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.SOCKADDR_LL_LENGTH;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.SOCK_FPROG_LENGTH;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.SOL_PACKET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TPACKET_REQ3_LENGTH;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TPACKET_REQ_LENGTH;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TPACKET_STATS_LENGTH;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TPACKET_STATS_V3_LENGTH;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_AVAILABLE;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_COPY;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_CSUMNOTREADY;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_CSUM_VALID;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_KERNEL;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_SEND_REQUEST;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_USER;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.TP_STATUS_WRONG_FORMAT;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V2_LEN_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V2_MAC_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V2_SNAPLEN_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V2_STATUS_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V3_LEN_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V3_MAC_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V3_NEXT_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V3_SNAPLEN_OFFSET;
import static io.lvs4j.forwarder.channel.afpacket.TpacketLayout.V3_STATUS_OFFSET;

/**
 * A {@link FrameChannel} over an AF_PACKET socket with memory-mapped receive and transmit rings (TPACKET_V3 or
 * TPACKET_V2), bound to one interface.
 * <p>
 * Both rings live in one mapping, receive ring first, seen through one Agrona {@link UnsafeBuffer}: received
 * frames are handed to the {@link FrameHandler} where the kernel wrote them (offset = slot + {@code tp_mac}), and
 * transmitted frames are written where the kernel will read them (offset = slot + 48 for V3, + 32 for V2). Slot
 * ownership passes between kernel and user through the status words, read with acquire and written with release
 * semantics. {@link #receive}, {@link #tryClaim}, {@link #commit} and {@link #abort} make no system call and
 * allocate nothing; {@link #flush()} makes one {@code sendto} when anything was committed, {@link #await} at most one
 * {@code poll}.
 * <p>
 * A V3 receive block goes back to the kernel only when all its frames were handed over, so a {@code limit} may stop
 * in the middle of a block and the next call goes on from there. Statistics ({@link #receiveDrops()} and friends)
 * each cost a {@code getsockopt}: read them from the control loop, not per packet.
 * <p>
 * The socket is opened in the network namespace of the thread that calls {@link #open}; run that inside
 * {@link io.lvs4j.forwarder.nativeio.NetworkNamespace#call} to serve another namespace's interface. After that the
 * channel belongs to one thread at a time, like every {@link FrameChannel}, and must be closed by its owner once the
 * owner stops using it: touching the rings after {@link #close()} unmapped them would crash the JVM, so every entry
 * point checks for a closed channel.
 */
public final class AfPacketChannel implements FrameChannel
{
    private final AfPacketOptions options;
    private final RingVersion version;
    private final int fd;
    private final NetworkInterfaceInfo info;
    private final long mapAddress;
    private final long mapLength;
    private final UnsafeBuffer ring;

    private final int rxBlockSize;
    private final int rxBlockCount;
    private final int[] rxFrameOffsets;
    private int rxIndex;
    private int rxPacketsLeft;
    private int rxPacketOffset;
    private boolean rxBlockHeld;

    private final int[] txSlots;
    private final int txDataOffset;
    private final int txCapacity;
    private final int txStatusOffset;
    private int txHead;
    private int txCommitted;
    private boolean txClaimActive;

    private final UnsafeBuffer pollFd;
    private final byte[] statsBytes = new byte[TPACKET_STATS_V3_LENGTH];
    private final UnsafeBuffer stats = new UnsafeBuffer(statsBytes);
    private final int[] optionLength = new int[1];
    private long kernelPackets;
    private long kernelDrops;
    private long freezeCount;
    private long wrongFormatFrames;
    private long transmitErrors;
    private int lastTransmitErrno;
    private long flushCalls;
    private long socketErrors;
    private volatile boolean closed;

    private AfPacketChannel(
        final AfPacketOptions options,
        final int fd,
        final NetworkInterfaceInfo info,
        final long mapAddress,
        final long mapLength,
        final int[] rxFrameOffsets,
        final int[] txSlots)
    {
        this.options = options;
        this.version = options.ringVersion();
        this.fd = fd;
        this.info = info;
        this.mapAddress = mapAddress;
        this.mapLength = mapLength;
        this.ring = new UnsafeBuffer(mapAddress, (int)mapLength);
        this.rxBlockSize = options.blockSize();
        this.rxBlockCount = options.blockCount();
        this.rxFrameOffsets = rxFrameOffsets;
        this.txSlots = txSlots;
        this.txDataOffset = version.transmitDataOffset();
        this.txCapacity = options.frameSize() - txDataOffset;
        this.txStatusOffset = version == RingVersion.V3 ? V3_STATUS_OFFSET : V2_STATUS_OFFSET;
        this.pollFd = new UnsafeBuffer(ByteBuffer.allocateDirect(LibC.POLLFD_LENGTH).order(ByteOrder.nativeOrder()));
        pollFd.putInt(0, fd);
    }

    /**
     * Opens a socket on the options' interface in the calling thread's network namespace: sets the ring version
     * and options, creates and maps the rings, attaches the filter and memberships, binds to the interface for
     * every protocol, then joins the fanout group (the kernel takes that only from a bound socket). Until the bind
     * the socket receives nothing, so no frame arrives unfiltered.
     *
     * @param options what to open.
     * @return the open channel.
     * @throws NativeException naming the step the kernel refused and its errno (no such device, no privilege:
     *                         AF_PACKET needs CAP_NET_RAW, rings too large for memory).
     */
    public static AfPacketChannel open(final AfPacketOptions options)
    {
        final String name = options.interfaceName();
        final int fd;
        try
        {
            // Protocol 0: the socket receives nothing until bind, when the filter and rings are in place.
            fd = LibC.socket(LibC.AF_PACKET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, 0);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException("socket(AF_PACKET) for " + name, ex);
        }
        long mapAddress = 0;
        long mapLength = 0;
        try
        {
            final NetworkInterfaceInfo info = NetworkInterfaceInfo.query(fd, name);
            final RingVersion version = options.ringVersion();
            final int pageSize = LibC.getpagesize();
            if (options.blockSize() % pageSize != 0)
            {
                throw new IllegalArgumentException(
                    "block size " + options.blockSize() + " is not a multiple of the page size " + pageSize);
            }

            // These must come before the rings exist: the kernel answers EBUSY afterwards.
            setInt(fd, SOL_PACKET, PACKET_VERSION, version.value(), "PACKET_VERSION " + name);
            if (options.discardMalformedTx())
            {
                setInt(fd, SOL_PACKET, PACKET_LOSS, 1, "PACKET_LOSS " + name);
            }

            final int frameSize = options.frameSize();
            final byte[] req = new byte[TPACKET_REQ3_LENGTH];
            final UnsafeBuffer reqView = new UnsafeBuffer(req);
            reqView.putInt(REQ_BLOCK_SIZE_OFFSET, options.blockSize());
            reqView.putInt(REQ_BLOCK_NR_OFFSET, options.blockCount());
            reqView.putInt(REQ_FRAME_SIZE_OFFSET, frameSize);
            reqView.putInt(REQ_FRAME_NR_OFFSET, options.rxFrameCount());
            if (version == RingVersion.V3)
            {
                reqView.putInt(REQ_RETIRE_BLK_TOV_OFFSET, options.retireTimeoutMs());
            }
            setBytes(fd, PACKET_RX_RING, req, requestLength(version), "PACKET_RX_RING " + name);

            // Transmit slots come in page-sized blocks: the kernel wants whole pages per block and a frame count
            // that is a whole number of blocks, so the count is rounded up.
            final int[] txSlots;
            long txRingLength = 0;
            if (options.txFrameCount() > 0)
            {
                final int txBlockSize = BitUtil.align(frameSize, pageSize);
                final int framesPerBlock = txBlockSize / frameSize;
                final int txBlocks = (options.txFrameCount() + framesPerBlock - 1) / framesPerBlock;
                Arrays.fill(req, (byte)0);
                // A V3 transmit ring refuses a retire timeout, private area or feature word: they stay 0.
                reqView.putInt(REQ_BLOCK_SIZE_OFFSET, txBlockSize);
                reqView.putInt(REQ_BLOCK_NR_OFFSET, txBlocks);
                reqView.putInt(REQ_FRAME_SIZE_OFFSET, frameSize);
                reqView.putInt(REQ_FRAME_NR_OFFSET, txBlocks * framesPerBlock);
                setBytes(fd, PACKET_TX_RING, req, requestLength(version), "PACKET_TX_RING " + name);
                txRingLength = (long)txBlockSize * txBlocks;
                txSlots = slotOffsets(options.rxRingLength(), txBlockSize, txBlocks, frameSize);
            }
            else
            {
                txSlots = new int[0];
            }
            final int[] rxFrames = version == RingVersion.V2 ?
                slotOffsets(0, options.blockSize(), options.blockCount(), frameSize) : null;

            mapLength = options.rxRingLength() + txRingLength;
            try
            {
                // Ring pages are kernel pages inserted at mmap time: they are neither swappable nor faulted in
                // later, so MAP_LOCKED and MAP_POPULATE would add nothing.
                mapAddress = LibC.mmap(0, mapLength, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, fd, 0);
            }
            catch (final LastErrorException ex)
            {
                final long wanted = mapLength;
                mapLength = 0;
                throw new NativeException("mmap " + name + " rings of " + wanted + " bytes", ex);
            }

            if (options.filter() != null)
            {
                attachFilter(fd, options.filter(), name);
            }
            if (options.promiscuous())
            {
                membership(fd, PACKET_ADD_MEMBERSHIP, info.index(), PACKET_MR_PROMISC, 0, "promiscuous " + name);
            }
            for (final long mac : options.multicastGroups())
            {
                membership(fd, PACKET_ADD_MEMBERSHIP, info.index(), PACKET_MR_MULTICAST, mac,
                    "multicast " + NetworkInterfaceInfo.formatMac(mac) + " on " + name);
            }
            setInt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, options.qdiscBypass() ? 1 : 0, "PACKET_QDISC_BYPASS " + name);
            if (options.ignoreOutgoing())
            {
                setInt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, 1, "PACKET_IGNORE_OUTGOING " + name);
            }

            final byte[] address = new byte[SOCKADDR_LL_LENGTH];
            final UnsafeBuffer addressView = new UnsafeBuffer(address);
            addressView.putShort(SLL_FAMILY_OFFSET, (short)LibC.AF_PACKET);
            addressView.putShort(SLL_PROTOCOL_OFFSET, (short)ETH_P_ALL, ByteOrder.BIG_ENDIAN);
            addressView.putInt(SLL_IFINDEX_OFFSET, info.index());
            try
            {
                LibC.bind(fd, address, address.length);
            }
            catch (final LastErrorException ex)
            {
                throw new NativeException("bind " + name, ex);
            }

            if (options.hasFanout())
            {
                setInt(fd, SOL_PACKET, PACKET_FANOUT,
                    options.fanoutType().optionValue(options.fanoutGroup(), options.fanoutFlags()),
                    "PACKET_FANOUT group " + options.fanoutGroup() + " on " + name);
            }
            return new AfPacketChannel(options, fd, info, mapAddress, mapLength, rxFrames, txSlots);
        }
        catch (final RuntimeException ex)
        {
            if (mapLength > 0)
            {
                munmapQuietly(mapAddress, mapLength);
            }
            LibC.closeQuietly(fd);
            throw ex;
        }
    }

    private static int requestLength(final RingVersion version)
    {
        return version == RingVersion.V3 ? TPACKET_REQ3_LENGTH : TPACKET_REQ_LENGTH;
    }

    private static int[] slotOffsets(final long base, final int blockSize, final int blocks, final int frameSize)
    {
        final int framesPerBlock = blockSize / frameSize;
        final int[] offsets = new int[framesPerBlock * blocks];
        for (int b = 0, i = 0; b < blocks; b++)
        {
            for (int f = 0; f < framesPerBlock; f++, i++)
            {
                // Frames never straddle blocks: a block's tail smaller than a frame is left unused.
                offsets[i] = (int)(base + (long)b * blockSize + (long)f * frameSize);
            }
        }
        return offsets;
    }

    @Override
    public int receive(final FrameHandler handler, final int limit)
    {
        if (closed)
        {
            return 0;
        }
        return version == RingVersion.V3 ? receiveV3(handler, limit) : receiveV2(handler, limit);
    }

    private int receiveV3(final FrameHandler handler, final int limit)
    {
        final UnsafeBuffer ring = this.ring;
        int count = 0;
        while (count < limit)
        {
            if (rxPacketsLeft == 0)
            {
                if (rxBlockHeld)
                {
                    releaseBlock();
                }
                final int block = rxIndex * rxBlockSize;
                if ((ring.getIntAcquire(block + BLOCK_STATUS_OFFSET) & TP_STATUS_USER) == 0)
                {
                    break;
                }
                rxBlockHeld = true;
                rxPacketsLeft = ring.getInt(block + BLOCK_NUM_PKTS_OFFSET);
                rxPacketOffset = block + ring.getInt(block + BLOCK_OFFSET_TO_FIRST_PKT_OFFSET);
                continue;
            }
            final int header = rxPacketOffset;
            final int status = ring.getInt(header + V3_STATUS_OFFSET);
            final int snapLength = ring.getInt(header + V3_SNAPLEN_OFFSET);
            final int length = ring.getInt(header + V3_LEN_OFFSET);
            final int mac = ring.getShort(header + V3_MAC_OFFSET) & 0xFFFF;
            // Move on before calling the handler, so that a handler that throws does not get the frame again.
            rxPacketOffset = header + ring.getInt(header + V3_NEXT_OFFSET);
            rxPacketsLeft--;
            count++;
            handler.onFrame(ring, header + mac, snapLength, flags(status, snapLength, length));
        }
        if (rxBlockHeld && rxPacketsLeft == 0)
        {
            releaseBlock();
        }
        return count;
    }

    private void releaseBlock()
    {
        ring.putIntRelease(rxIndex * rxBlockSize + BLOCK_STATUS_OFFSET, TP_STATUS_KERNEL);
        rxBlockHeld = false;
        rxIndex = rxIndex + 1 == rxBlockCount ? 0 : rxIndex + 1;
    }

    private int receiveV2(final FrameHandler handler, final int limit)
    {
        final UnsafeBuffer ring = this.ring;
        final int[] frames = rxFrameOffsets;
        int count = 0;
        while (count < limit)
        {
            final int header = frames[rxIndex];
            final int status = ring.getIntAcquire(header + V2_STATUS_OFFSET);
            if ((status & TP_STATUS_USER) == 0)
            {
                break;
            }
            final int snapLength = ring.getInt(header + V2_SNAPLEN_OFFSET);
            final int length = ring.getInt(header + V2_LEN_OFFSET);
            final int mac = ring.getShort(header + V2_MAC_OFFSET) & 0xFFFF;
            rxIndex = rxIndex + 1 == frames.length ? 0 : rxIndex + 1;
            count++;
            try
            {
                handler.onFrame(ring, header + mac, snapLength, flags(status, snapLength, length));
            }
            finally
            {
                ring.putIntRelease(header + V2_STATUS_OFFSET, TP_STATUS_KERNEL);
            }
        }
        return count;
    }

    private static int flags(final int status, final int snapLength, final int length)
    {
        int flags = 0;
        if ((status & TP_STATUS_CSUMNOTREADY) != 0)
        {
            flags |= FrameFlags.CHECKSUM_NOT_READY;
        }
        if ((status & TP_STATUS_CSUM_VALID) != 0)
        {
            flags |= FrameFlags.CHECKSUM_VALID;
        }
        if ((status & TP_STATUS_COPY) != 0 || snapLength < length)
        {
            flags |= FrameFlags.TRUNCATED;
        }
        if ((status & TpacketLayout.TP_STATUS_VLAN_VALID) != 0)
        {
            flags |= FrameFlags.VLAN_TAGGED;
        }
        return flags;
    }

    private boolean receiveReady()
    {
        if (version == RingVersion.V2)
        {
            return (ring.getIntAcquire(rxFrameOffsets[rxIndex] + V2_STATUS_OFFSET) & TP_STATUS_USER) != 0;
        }
        if (rxPacketsLeft > 0)
        {
            return true;
        }
        final int block = rxBlockHeld ? (rxIndex + 1 == rxBlockCount ? 0 : rxIndex + 1) : rxIndex;
        return (ring.getIntAcquire(block * rxBlockSize + BLOCK_STATUS_OFFSET) & TP_STATUS_USER) != 0;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Claims the next transmit slot if the kernel has finished with it. A slot the kernel refused
     * ({@code TP_STATUS_WRONG_FORMAT}, only when {@link AfPacketOptions#discardMalformedTx()} is off) is taken
     * back and counted in {@link #wrongFormatFrames()}.
     *
     * @throws IllegalStateException when a claim is already active.
     */
    @Override
    public boolean tryClaim(final int length, final FrameClaim claim)
    {
        if (txClaimActive)
        {
            throw new IllegalStateException("a claim is already active on " + info.name());
        }
        if (closed || length > txCapacity || txSlots.length == 0)
        {
            return false;
        }
        final int slot = txSlots[txHead];
        int status = ring.getIntAcquire(slot + txStatusOffset);
        if (status == TP_STATUS_WRONG_FORMAT)
        {
            wrongFormatFrames++;
            status = TP_STATUS_AVAILABLE;
        }
        if (status != TP_STATUS_AVAILABLE)
        {
            return false;
        }
        txClaimActive = true;
        claim.set(ring, slot + txDataOffset, txCapacity, txHead);
        return true;
    }

    @Override
    public void commit(final FrameClaim claim, final int length)
    {
        checkClaim(claim);
        if (length < 0 || length > claim.capacity())
        {
            throw new IllegalArgumentException("length " + length + " exceeds claimed " + claim.capacity());
        }
        final int slot = txSlots[txHead];
        if (version == RingVersion.V3)
        {
            // A V3 transmit slot with a non-zero next offset is refused ("variable sized slot not supported").
            ring.putInt(slot + V3_NEXT_OFFSET, 0);
            ring.putInt(slot + V3_SNAPLEN_OFFSET, length);
            ring.putInt(slot + V3_LEN_OFFSET, length);
        }
        else
        {
            ring.putInt(slot + V2_SNAPLEN_OFFSET, length);
            ring.putInt(slot + V2_LEN_OFFSET, length);
        }
        // Release: the kernel must see the frame and its length before it sees the request.
        ring.putIntRelease(slot + txStatusOffset, TP_STATUS_SEND_REQUEST);
        txHead = txHead + 1 == txSlots.length ? 0 : txHead + 1;
        txCommitted++;
        txClaimActive = false;
        claim.clear();
    }

    @Override
    public void abort(final FrameClaim claim)
    {
        checkClaim(claim);
        // The slot was never handed to the kernel: the next claim takes it again.
        txClaimActive = false;
        claim.clear();
    }

    private void checkClaim(final FrameClaim claim)
    {
        if (!txClaimActive || claim.token() != txHead)
        {
            throw new IllegalStateException("no such claim on " + info.name());
        }
    }

    /**
     * {@inheritDoc}
     * <p>
     * One {@code sendto(fd, NULL, 0, MSG_DONTWAIT)} asks the kernel to send every slot marked for sending. When it
     * fails (counted in {@link #transmitErrors()}) the frames stay marked, the call returns 0, and the next flush
     * asks again.
     */
    @Override
    public int flush()
    {
        if (txCommitted == 0 || closed)
        {
            return 0;
        }
        flushCalls++;
        final long result = LibC.sendto(fd, 0, 0, LibC.MSG_DONTWAIT, 0, 0);
        if (result < 0)
        {
            transmitErrors++;
            lastTransmitErrno = LibC.errno();
            return 0;
        }
        final int sent = txCommitted;
        txCommitted = 0;
        return sent;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Checks the ring first; only when nothing waits does it {@code poll} the socket. With V3 the kernel wakes the
     * poll when it hands over a block: when a block fills or its retire timer fires.
     */
    @Override
    public boolean await(final int timeoutMs)
    {
        if (closed)
        {
            return false;
        }
        if (receiveReady())
        {
            return true;
        }
        if (timeoutMs == 0)
        {
            return false;
        }
        pollFd.putShort(4, LibC.POLLIN);
        pollFd.putShort(6, (short)0);
        final int ready = LibC.poll(pollFd.addressOffset(), 1, timeoutMs);
        if (ready > 0 && (pollFd.getShort(6) & LibC.POLLERR) != 0)
        {
            // A pending socket error (e.g. ENETDOWN) keeps poll returning at once: read it to clear it.
            clearSocketError();
        }
        return receiveReady();
    }

    private void clearSocketError()
    {
        socketErrors++;
        optionLength[0] = Integer.BYTES;
        try
        {
            LibC.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ERROR, statsBytes, optionLength);
        }
        catch (final LastErrorException ignore)
        {
            // Nothing more to learn: the error is counted and the caller polls again.
        }
    }

    @Override
    public String name()
    {
        return info.name();
    }

    /**
     * {@inheritDoc}
     * <p>
     * As read when the channel was opened.
     */
    @Override
    public int mtu()
    {
        return info.mtu();
    }

    /**
     * {@inheritDoc}
     * <p>
     * From {@code PACKET_STATISTICS}, which resets the kernel's counters on every read: the channel adds them up.
     * One system call per read.
     */
    @Override
    public long receiveDrops()
    {
        readStatistics();
        return kernelDrops;
    }

    /** @return frames the kernel offered this socket since it opened, dropped ones included (one system call). */
    public long kernelPackets()
    {
        readStatistics();
        return kernelPackets;
    }

    /** @return times a V3 ring ran full and the kernel froze it until a block came back (one system call). */
    public long freezeCount()
    {
        readStatistics();
        return freezeCount;
    }

    private void readStatistics()
    {
        if (closed)
        {
            return;
        }
        optionLength[0] = version == RingVersion.V3 ? TPACKET_STATS_V3_LENGTH : TPACKET_STATS_LENGTH;
        try
        {
            LibC.getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, statsBytes, optionLength);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException("PACKET_STATISTICS " + info.name(), ex);
        }
        kernelPackets += stats.getInt(0) & 0xFFFF_FFFFL;
        kernelDrops += stats.getInt(4) & 0xFFFF_FFFFL;
        if (version == RingVersion.V3)
        {
            freezeCount += stats.getInt(8) & 0xFFFF_FFFFL;
        }
    }

    /** @return transmit slots found refused by the kernel ({@code TP_STATUS_WRONG_FORMAT}) and taken back. */
    public long wrongFormatFrames()
    {
        return wrongFormatFrames;
    }

    /** @return flushes whose {@code sendto} failed. */
    public long transmitErrors()
    {
        return transmitErrors;
    }

    /** @return errno of the last failed flush, 0 if none failed. */
    public int lastTransmitErrno()
    {
        return lastTransmitErrno;
    }

    /** @return {@code sendto} calls made by {@link #flush()}. */
    public long flushCalls()
    {
        return flushCalls;
    }

    /** @return times {@link #await} found a socket error pending and cleared it. */
    public long socketErrors()
    {
        return socketErrors;
    }

    /** @return frames committed and not yet handed to the kernel by a successful flush. */
    public int pendingTransmits()
    {
        return txCommitted;
    }

    /** @return the longest frame a transmit slot holds (frame size minus the slot header). */
    public int transmitCapacity()
    {
        return txSlots.length == 0 ? 0 : txCapacity;
    }

    /** @return transmit slots (the requested count rounded up to whole blocks). */
    public int transmitSlots()
    {
        return txSlots.length;
    }

    /** @return the interface as the kernel described it when the channel opened. */
    public NetworkInterfaceInfo interfaceInfo()
    {
        return info;
    }

    /** @return the interface index. */
    public int interfaceIndex()
    {
        return info.index();
    }

    /** @return the interface's MAC in the low 48 bits. */
    public long macAddress()
    {
        return info.mac();
    }

    /** @return the options the channel was opened with. */
    public AfPacketOptions options()
    {
        return options;
    }

    /** @return the socket's descriptor, e.g. to poll several channels at once. */
    public int fd()
    {
        return fd;
    }

    /**
     * {@inheritDoc}
     * <p>
     * Compiles the filter to classic BPF and swaps it in with one {@code setsockopt}, which the kernel applies
     * atomically: safe from the control thread while the owner receives.
     */
    @Override
    public void restrictTo(final TrafficFilter filter)
    {
        final BpfProgram.FilterBuilder builder = BpfProgram.filter();
        if (filter.arp())
        {
            builder.arp();
        }
        if (filter.vrrp())
        {
            builder.vrrp();
        }
        filter.destinations().forEach(builder::destination);
        filter.sources().forEach(builder::source);
        filter.icmpDestinations().forEach(builder::icmpTo);
        attachFilter(builder.build());
    }

    @Override
    public int pollDescriptor()
    {
        return closed ? -1 : fd;
    }

    /**
     * Replaces the socket's filter; the kernel swaps it atomically, so no frame passes unfiltered. For the control
     * plane (VIPs added or removed), not the hot path.
     *
     * @param program the new filter.
     */
    public void attachFilter(final BpfProgram program)
    {
        checkOpen();
        attachFilter(fd, program, info.name());
    }

    /**
     * Makes the interface accept a multicast MAC while this channel is open (e.g. VRRP's 01:00:5e:00:00:12).
     *
     * @param mac the address in the low 48 bits.
     */
    public void joinMulticast(final long mac)
    {
        checkOpen();
        membership(fd, PACKET_ADD_MEMBERSHIP, info.index(), PACKET_MR_MULTICAST, mac,
            "multicast " + NetworkInterfaceInfo.formatMac(mac) + " on " + info.name());
    }

    /**
     * Undoes {@link #joinMulticast}.
     *
     * @param mac the address in the low 48 bits.
     */
    public void leaveMulticast(final long mac)
    {
        checkOpen();
        membership(fd, PACKET_DROP_MEMBERSHIP, info.index(), PACKET_MR_MULTICAST, mac,
            "leave multicast " + NetworkInterfaceInfo.formatMac(mac) + " on " + info.name());
    }

    @Override
    public void acceptDestination(final long mac)
    {
        checkOpen();
        membership(fd, PACKET_ADD_MEMBERSHIP, info.index(), membershipType(mac), mac,
            "accept " + NetworkInterfaceInfo.formatMac(mac) + " on " + info.name());
    }

    @Override
    public void releaseDestination(final long mac)
    {
        if (!closed)
        {
            membership(fd, PACKET_DROP_MEMBERSHIP, info.index(), membershipType(mac), mac,
                "release " + NetworkInterfaceInfo.formatMac(mac) + " on " + info.name());
        }
    }

    private static int membershipType(final long mac)
    {
        return MacAddresses.isMulticast(mac) ? PACKET_MR_MULTICAST : PACKET_MR_UNICAST;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException(info.name() + " channel is closed");
        }
    }

    /** @return true once {@link #close()} ran. */
    public boolean isClosed()
    {
        return closed;
    }

    /** Unmaps the rings and closes the socket (which ends its memberships and fanout); idempotent. */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            munmapQuietly(mapAddress, mapLength);
            LibC.closeQuietly(fd);
        }
    }

    @Override
    public String toString()
    {
        return "AfPacketChannel{" + info + ", " + options + '}';
    }

    private static void munmapQuietly(final long address, final long length)
    {
        try
        {
            LibC.munmap(address, length);
        }
        catch (final LastErrorException ignore)
        {
            // munmap fails only for bad arguments; the socket close that follows frees the rings anyway.
        }
    }

    private static void setInt(final int fd, final int level, final int name, final int value, final String what)
    {
        final byte[] bytes = new byte[Integer.BYTES];
        new UnsafeBuffer(bytes).putInt(0, value);
        try
        {
            LibC.setsockopt(fd, level, name, bytes, bytes.length);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException(what, ex);
        }
    }

    private static void setBytes(final int fd, final int name, final byte[] value, final int length, final String what)
    {
        try
        {
            LibC.setsockopt(fd, SOL_PACKET, name, value, length);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException(what, ex);
        }
    }

    private static void membership(
        final int fd, final int option, final int ifindex, final int type, final long mac, final String what)
    {
        final byte[] mreq = new byte[PACKET_MREQ_LENGTH];
        final UnsafeBuffer view = new UnsafeBuffer(mreq);
        view.putInt(MREQ_IFINDEX_OFFSET, ifindex);
        view.putShort(MREQ_TYPE_OFFSET, (short)type);
        if (type == PACKET_MR_MULTICAST || type == PACKET_MR_UNICAST)
        {
            view.putShort(MREQ_ALEN_OFFSET, (short)6);
            view.putInt(MREQ_ADDRESS_OFFSET, (int)(mac >>> 16), ByteOrder.BIG_ENDIAN);
            view.putShort(MREQ_ADDRESS_OFFSET + 4, (short)mac, ByteOrder.BIG_ENDIAN);
        }
        setBytes(fd, option, mreq, mreq.length, what);
    }

    private static void attachFilter(final int fd, final BpfProgram program, final String name)
    {
        final byte[] code = program.encode();
        final Memory instructions = new Memory(code.length);
        instructions.write(0, code, 0, code.length);
        final Memory fprog = new Memory(SOCK_FPROG_LENGTH);
        fprog.clear();
        fprog.setShort(0, (short)program.length());
        fprog.setPointer(FPROG_FILTER_OFFSET, instructions);
        try
        {
            LibC.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ATTACH_FILTER, fprog, SOCK_FPROG_LENGTH);
        }
        catch (final LastErrorException ex)
        {
            throw new NativeException("SO_ATTACH_FILTER on " + name + " (" + program.length() + " instructions)", ex);
        }
        finally
        {
            // The kernel copies the program during the call; both blocks must live until it returns.
            Reference.reachabilityFence(instructions);
            Reference.reachabilityFence(fprog);
        }
    }
}
