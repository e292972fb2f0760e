package io.lvs4j.core.packet;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.pcap4j.packet.ArpPacket;
import org.pcap4j.packet.Dot1qVlanTagPacket;
import org.pcap4j.packet.EthernetPacket;
import org.pcap4j.packet.IcmpV4CommonPacket;
import org.pcap4j.packet.IcmpV4DestinationUnreachablePacket;
import org.pcap4j.packet.IcmpV4EchoPacket;
import org.pcap4j.packet.IcmpV4TimeExceededPacket;
import org.pcap4j.packet.IcmpV6CommonPacket;
import org.pcap4j.packet.IcmpV6DestinationUnreachablePacket;
import org.pcap4j.packet.IcmpV6EchoRequestPacket;
import org.pcap4j.packet.IpPacket;
import org.pcap4j.packet.IpV4NoOperationOption;
import org.pcap4j.packet.IpV4Packet;
import org.pcap4j.packet.IpV4Rfc791Tos;
import org.pcap4j.packet.IpV6ExtDestinationOptionsPacket;
import org.pcap4j.packet.IpV6ExtFragmentPacket;
import org.pcap4j.packet.IpV6ExtHopByHopOptionsPacket;
import org.pcap4j.packet.IpV6ExtOptionsPacket;
import org.pcap4j.packet.IpV6ExtRoutingPacket;
import org.pcap4j.packet.IpV6Packet;
import org.pcap4j.packet.IpV6PadNOption;
import org.pcap4j.packet.IpV6RoutingSourceRouteData;
import org.pcap4j.packet.IpV6SimpleFlowLabel;
import org.pcap4j.packet.IpV6SimpleTrafficClass;
import org.pcap4j.packet.Packet;
import org.pcap4j.packet.SctpPacket;
import org.pcap4j.packet.TcpNoOperationOption;
import org.pcap4j.packet.TcpPacket;
import org.pcap4j.packet.UdpPacket;
import org.pcap4j.packet.UnknownPacket;
import org.pcap4j.packet.UnknownSctpChunk;
import org.pcap4j.packet.namednumber.ArpHardwareType;
import org.pcap4j.packet.namednumber.ArpOperation;
import org.pcap4j.packet.namednumber.EtherType;
import org.pcap4j.packet.namednumber.IcmpV4Code;
import org.pcap4j.packet.namednumber.IcmpV4Type;
import org.pcap4j.packet.namednumber.IcmpV6Code;
import org.pcap4j.packet.namednumber.IcmpV6Type;
import org.pcap4j.packet.namednumber.IpNumber;
import org.pcap4j.packet.namednumber.IpV6RoutingType;
import org.pcap4j.packet.namednumber.IpVersion;
import org.pcap4j.packet.namednumber.SctpChunkType;
import org.pcap4j.packet.namednumber.SctpPort;
import org.pcap4j.packet.namednumber.TcpPort;
import org.pcap4j.packet.namednumber.UdpPort;
import org.pcap4j.util.MacAddress;

/**
 * Random, valid Ethernet frames built with pcap4j's builders (lengths and checksums corrected at build), as an
 * independent source of truth for the views, the classifier and the checksums.
 */
final class RandomFrames
{
    /** What to put over IP. */
    enum Transport
    {
        TCP, UDP, SCTP, ICMP_ECHO, ICMP_ERROR, OTHER, ARP, IPIP
    }

    /** A generated frame and what went into it. */
    static final class Frame
    {
        final EthernetPacket packet;
        final byte[] bytes;
        final int ipVersion;
        final Transport transport;
        final int vlanTags;
        final int extensionHeaders;
        /** The packet quoted in an ICMP error, or tunnelled in IP-in-IP. */
        final IpPacket quoted;
        final int quoteLength;

        Frame(
            final EthernetPacket packet, final int ipVersion, final Transport transport, final int vlanTags,
            final int extensionHeaders, final IpPacket quoted, final int quoteLength)
        {
            this.packet = packet;
            this.bytes = packet.getRawData();
            this.ipVersion = ipVersion;
            this.transport = transport;
            this.vlanTags = vlanTags;
            this.extensionHeaders = extensionHeaders;
            this.quoted = quoted;
            this.quoteLength = quoteLength;
        }

        @Override
        public String toString()
        {
            return "IPv" + ipVersion + " " + transport + " vlans=" + vlanTags + " ext=" + extensionHeaders +
                " len=" + bytes.length;
        }
    }

    private RandomFrames()
    {
    }

    /**
     * A random frame of any transport.
     *
     * @param r the random source.
     * @return the frame.
     */
    static Frame any(final SplittableRandom r)
    {
        final Transport[] all = Transport.values();
        final Transport transport = all[r.nextInt(all.length)];
        return transport == Transport.ARP ? arp(r) : frame(r, r.nextBoolean() ? 4 : 6, transport);
    }

    /**
     * A random Ethernet/IPv4 ARP request or reply, tagged or not.
     *
     * @param r the random source.
     * @return the frame.
     */
    static Frame arp(final SplittableRandom r)
    {
        final int vlanTags = r.nextInt(3);
        Packet.Builder l3 = new ArpPacket.Builder()
            .hardwareType(ArpHardwareType.ETHERNET)
            .protocolType(EtherType.IPV4)
            .hardwareAddrLength((byte)6)
            .protocolAddrLength((byte)4)
            .operation(r.nextBoolean() ? ArpOperation.REQUEST : ArpOperation.REPLY)
            .srcHardwareAddr(mac(r))
            .srcProtocolAddr(v4(r))
            .dstHardwareAddr(mac(r))
            .dstProtocolAddr(v4(r));
        EtherType type = EtherType.ARP;
        for (int i = 0; i < vlanTags; i++)
        {
            l3 = new Dot1qVlanTagPacket.Builder().priority((byte)r.nextInt(8)).cfi(r.nextBoolean())
                .vid((short)r.nextInt(4096)).type(type).payloadBuilder(l3);
            type = EtherType.DOT1Q_VLAN_TAGGED_FRAMES;
        }
        final EthernetPacket packet = new EthernetPacket.Builder().dstAddr(mac(r)).srcAddr(mac(r)).type(type)
            .payloadBuilder(l3).paddingAtBuild(true).build();
        return new Frame(packet, 0, Transport.ARP, vlanTags, 0, null, 0);
    }

    /**
     * A random frame.
     *
     * @param r         the random source.
     * @param ipVersion 4 or 6.
     * @param transport what to carry.
     * @return the frame.
     */
    static Frame frame(final SplittableRandom r, final int ipVersion, final Transport transport)
    {
        final InetAddress src = ipVersion == 4 ? v4(r) : v6(r);
        final InetAddress dst = ipVersion == 4 ? v4(r) : v6(r);
        IpPacket quoted = null;
        int quoteLength = 0;
        final Packet.Builder l4;
        final IpNumber protocol;
        switch (transport)
        {
            case TCP:
                l4 = tcp(r, src, dst, payload(r, 300));
                protocol = IpNumber.TCP;
                break;
            case UDP:
                l4 = udp(r, src, dst, payload(r, 300));
                protocol = IpNumber.UDP;
                break;
            case SCTP:
                l4 = sctp(r);
                protocol = IpNumber.SCTP;
                break;
            case ICMP_ECHO:
                l4 = ipVersion == 4 ? icmpv4Echo(r) : icmpv6Echo(r, src, dst);
                protocol = ipVersion == 4 ? IpNumber.ICMPV4 : IpNumber.ICMPV6;
                break;
            case ICMP_ERROR:
            {
                // the quoted packet travelled the other way: from us (dst) to the peer (src)
                final boolean quotedTcp = r.nextBoolean();
                quoted = (IpPacket)ipPacket(r, ipVersion, dst, src,
                    quotedTcp ? tcp(r, dst, src, payload(r, 40)) : udp(r, dst, src, payload(r, 40)),
                    quotedTcp ? IpNumber.TCP : IpNumber.UDP, null).build();
                final byte[] whole = quoted.getRawData();
                quoteLength = r.nextBoolean() ? whole.length : Math.min(whole.length, quoted.getHeader().length() + 8);
                final Packet quote = quoteLength == whole.length ? quoted :
                    UnknownPacket.newPacket(whole, 0, quoteLength);
                l4 = ipVersion == 4 ? icmpv4Error(r, quote) : icmpv6Error(src, dst, quote);
                protocol = ipVersion == 4 ? IpNumber.ICMPV4 : IpNumber.ICMPV6;
                break;
            }
            case IPIP:
            {
                // an IPv4 packet between two other hosts, tunnelled (over IPv6 it is just another protocol)
                final Inet4Address innerSrc = v4(r);
                final Inet4Address innerDst = v4(r);
                final boolean innerTcp = r.nextBoolean();
                quoted = (IpPacket)ipPacket(r, 4, innerSrc, innerDst,
                    innerTcp ? tcp(r, innerSrc, innerDst, payload(r, 100)) :
                        udp(r, innerSrc, innerDst, payload(r, 100)),
                    innerTcp ? IpNumber.TCP : IpNumber.UDP, null).build();
                quoteLength = quoted.length();
                l4 = quoted.getBuilder();
                protocol = IpNumber.IPV4;
                break;
            }
            default:
                l4 = new UnknownPacket.Builder().rawData(payload(r, 60));
                protocol = IpNumber.GRE;
                break;
        }
        final int[] extensionHeaders = new int[1];
        final Packet.Builder ip = ipPacket(r, ipVersion, src, dst, l4, protocol, extensionHeaders);
        final int vlanTags = r.nextInt(3);
        Packet.Builder l3 = ip;
        EtherType type = ipVersion == 4 ? EtherType.IPV4 : EtherType.IPV6;
        for (int i = 0; i < vlanTags; i++)
        {
            l3 = new Dot1qVlanTagPacket.Builder()
                .priority((byte)r.nextInt(8))
                .cfi(r.nextBoolean())
                .vid((short)r.nextInt(4096))
                .type(type)
                .payloadBuilder(l3);
            type = EtherType.DOT1Q_VLAN_TAGGED_FRAMES;
        }
        final EthernetPacket packet = new EthernetPacket.Builder()
            .dstAddr(mac(r))
            .srcAddr(mac(r))
            .type(type)
            .payloadBuilder(l3)
            .paddingAtBuild(true)
            .build();
        return new Frame(packet, ipVersion, transport, vlanTags, extensionHeaders[0], quoted, quoteLength);
    }

    private static Packet.Builder ipPacket(
        final SplittableRandom r, final int ipVersion, final InetAddress src, final InetAddress dst,
        final Packet.Builder l4, final IpNumber protocol, final int[] extensionCount)
    {
        if (ipVersion == 4)
        {
            final List<IpV4Packet.IpV4Option> options = new ArrayList<>();
            for (int i = 0, n = r.nextInt(4) == 0 ? r.nextInt(1, 41) : 0; i < n; i++)
            {
                options.add(IpV4NoOperationOption.getInstance());
            }
            return new IpV4Packet.Builder()
                .version(IpVersion.IPV4)
                .tos(IpV4Rfc791Tos.newInstance((byte)r.nextInt(256)))
                .identification((short)r.nextInt(65536))
                .dontFragmentFlag(r.nextBoolean())
                .ttl((byte)r.nextInt(1, 256))
                .protocol(protocol)
                .srcAddr((Inet4Address)src)
                .dstAddr((Inet4Address)dst)
                .options(options)
                .paddingAtBuild(true)
                .correctChecksumAtBuild(true)
                .correctLengthAtBuild(true)
                .payloadBuilder(l4);
        }
        Packet.Builder chain = l4;
        IpNumber next = protocol;
        int count = 0;
        if (extensionCount != null && r.nextInt(3) == 0)
        {
            // in RFC 8200 order, innermost first: destination options, fragment (atomic), routing, hop-by-hop
            if (r.nextBoolean())
            {
                chain = new IpV6ExtDestinationOptionsPacket.Builder().nextHeader(next).options(padOptions(r))
                    .correctLengthAtBuild(true).payloadBuilder(chain);
                next = IpNumber.IPV6_DST_OPTS;
                count++;
            }
            if (r.nextBoolean())
            {
                chain = new IpV6ExtFragmentPacket.Builder().nextHeader(next).fragmentOffset((short)0).m(false)
                    .identification(r.nextInt()).payloadBuilder(chain);
                next = IpNumber.IPV6_FRAG;
                count++;
            }
            if (r.nextBoolean())
            {
                // segments left 0: the destination is final, so checksums use the header's address
                chain = new IpV6ExtRoutingPacket.Builder().nextHeader(next)
                    .routingType(IpV6RoutingType.SOURCE_ROUTE).segmentsLeft((byte)0)
                    .data(new IpV6RoutingSourceRouteData(0, List.of(v6(r))))
                    .correctLengthAtBuild(true).payloadBuilder(chain);
                next = IpNumber.IPV6_ROUTE;
                count++;
            }
            if (r.nextBoolean())
            {
                chain = new IpV6ExtHopByHopOptionsPacket.Builder().nextHeader(next).options(padOptions(r))
                    .correctLengthAtBuild(true).payloadBuilder(chain);
                next = IpNumber.IPV6_HOPOPT;
                count++;
            }
        }
        if (extensionCount != null)
        {
            extensionCount[0] = count;
        }
        return new IpV6Packet.Builder()
            .version(IpVersion.IPV6)
            .trafficClass(IpV6SimpleTrafficClass.newInstance((byte)r.nextInt(256)))
            .flowLabel(IpV6SimpleFlowLabel.newInstance(r.nextInt(1 << 20)))
            .nextHeader(next)
            .hopLimit((byte)r.nextInt(1, 256))
            .srcAddr((Inet6Address)src)
            .dstAddr((Inet6Address)dst)
            .correctLengthAtBuild(true)
            .payloadBuilder(chain);
    }

    private static List<IpV6ExtOptionsPacket.IpV6Option> padOptions(final SplittableRandom r)
    {
        // 2 bytes of header + PadN(4 + 8k data bytes... ) = a multiple of 8
        final int dataLength = 4 + 8 * r.nextInt(3);
        return List.of(new IpV6PadNOption.Builder().data(new byte[dataLength]).correctLengthAtBuild(true).build());
    }

    static TcpPacket.Builder tcp(
        final SplittableRandom r, final InetAddress src, final InetAddress dst, final byte[] payload)
    {
        final List<TcpPacket.TcpOption> options = new ArrayList<>();
        for (int i = 0, n = r.nextInt(3) == 0 ? r.nextInt(1, 41) : 0; i < n; i++)
        {
            options.add(TcpNoOperationOption.getInstance());
        }
        final TcpPacket.Builder b = new TcpPacket.Builder()
            .srcPort(TcpPort.getInstance((short)r.nextInt(65536)))
            .dstPort(TcpPort.getInstance((short)r.nextInt(65536)))
            .sequenceNumber(r.nextInt())
            .acknowledgmentNumber(r.nextInt())
            .urg(r.nextBoolean()).ack(r.nextBoolean()).psh(r.nextBoolean())
            .rst(r.nextBoolean()).syn(r.nextBoolean()).fin(r.nextBoolean())
            .window((short)r.nextInt(65536))
            .urgentPointer((short)r.nextInt(65536))
            .options(options)
            .paddingAtBuild(true)
            .srcAddr(src).dstAddr(dst)
            .correctLengthAtBuild(true)
            .correctChecksumAtBuild(true);
        if (payload.length > 0)
        {
            b.payloadBuilder(new UnknownPacket.Builder().rawData(payload));
        }
        return b;
    }

    static UdpPacket.Builder udp(
        final SplittableRandom r, final InetAddress src, final InetAddress dst, final byte[] payload)
    {
        final UdpPacket.Builder b = new UdpPacket.Builder()
            .srcPort(UdpPort.getInstance((short)r.nextInt(65536)))
            .dstPort(UdpPort.getInstance((short)r.nextInt(65536)))
            .srcAddr(src).dstAddr(dst)
            .correctLengthAtBuild(true)
            .correctChecksumAtBuild(true);
        if (payload.length > 0)
        {
            b.payloadBuilder(new UnknownPacket.Builder().rawData(payload));
        }
        return b;
    }

    private static SctpPacket.Builder sctp(final SplittableRandom r)
    {
        final List<SctpPacket.SctpChunk> chunks = new ArrayList<>();
        for (int i = 0, n = r.nextInt(3); i < n; i++)
        {
            // an unassigned chunk type, so that pcap4j keeps it as an unknown chunk
            chunks.add(new UnknownSctpChunk.Builder().type(SctpChunkType.getInstance((byte)0x3E))
                .flags((byte)r.nextInt(256)).value(payload(r, 40)).paddingAtBuild(true)
                .correctLengthAtBuild(true).build());
        }
        return new SctpPacket.Builder()
            .srcPort(SctpPort.getInstance((short)r.nextInt(65536)))
            .dstPort(SctpPort.getInstance((short)r.nextInt(65536)))
            .verificationTag(r.nextInt())
            .chunks(chunks)
            .correctChecksumAtBuild(true);
    }

    private static IcmpV4CommonPacket.Builder icmpv4Echo(final SplittableRandom r)
    {
        final IcmpV4EchoPacket.Builder echo = new IcmpV4EchoPacket.Builder()
            .identifier((short)r.nextInt(65536))
            .sequenceNumber((short)r.nextInt(65536));
        final byte[] payload = payload(r, 64);
        if (payload.length > 0)
        {
            echo.payloadBuilder(new UnknownPacket.Builder().rawData(payload));
        }
        return new IcmpV4CommonPacket.Builder()
            .type(IcmpV4Type.ECHO)
            .code(IcmpV4Code.NO_CODE)
            .payloadBuilder(echo)
            .correctChecksumAtBuild(true);
    }

    private static IcmpV4CommonPacket.Builder icmpv4Error(final SplittableRandom r, final Packet quote)
    {
        final boolean unreachable = r.nextBoolean();
        final Packet.Builder body = unreachable ?
            new IcmpV4DestinationUnreachablePacket.Builder().payload(quote) :
            new IcmpV4TimeExceededPacket.Builder().payload(quote);
        return new IcmpV4CommonPacket.Builder()
            .type(unreachable ? IcmpV4Type.DESTINATION_UNREACHABLE : IcmpV4Type.TIME_EXCEEDED)
            .code(unreachable ? IcmpV4Code.PORT_UNREACHABLE : IcmpV4Code.TIME_TO_LIVE_EXCEEDED)
            .payloadBuilder(body)
            .correctChecksumAtBuild(true);
    }

    private static IcmpV6CommonPacket.Builder icmpv6Echo(
        final SplittableRandom r, final InetAddress src, final InetAddress dst)
    {
        final IcmpV6EchoRequestPacket.Builder echo = new IcmpV6EchoRequestPacket.Builder()
            .identifier((short)r.nextInt(65536))
            .sequenceNumber((short)r.nextInt(65536));
        final byte[] payload = payload(r, 64);
        if (payload.length > 0)
        {
            echo.payloadBuilder(new UnknownPacket.Builder().rawData(payload));
        }
        return new IcmpV6CommonPacket.Builder()
            .type(IcmpV6Type.ECHO_REQUEST)
            .code(IcmpV6Code.NO_CODE)
            .srcAddr((Inet6Address)src).dstAddr((Inet6Address)dst)
            .payloadBuilder(echo)
            .correctChecksumAtBuild(true);
    }

    private static IcmpV6CommonPacket.Builder icmpv6Error(
        final InetAddress src, final InetAddress dst, final Packet quote)
    {
        return new IcmpV6CommonPacket.Builder()
            .type(IcmpV6Type.DESTINATION_UNREACHABLE)
            .code(IcmpV6Code.PORT_UNREACHABLE)
            .srcAddr((Inet6Address)src).dstAddr((Inet6Address)dst)
            .payloadBuilder(new IcmpV6DestinationUnreachablePacket.Builder().payload(quote))
            .correctChecksumAtBuild(true);
    }

    static byte[] payload(final SplittableRandom r, final int max)
    {
        final byte[] bytes = new byte[r.nextInt(max + 1)];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)r.nextInt(256);
        }
        return bytes;
    }

    static MacAddress mac(final SplittableRandom r)
    {
        final byte[] bytes = new byte[6];
        for (int i = 0; i < 6; i++)
        {
            bytes[i] = (byte)r.nextInt(256);
        }
        bytes[0] &= (byte)0xFE;
        return MacAddress.getByAddress(bytes);
    }

    static Inet4Address v4(final SplittableRandom r)
    {
        final byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++)
        {
            bytes[i] = (byte)r.nextInt(256);
        }
        return (Inet4Address)address(bytes);
    }

    static Inet6Address v6(final SplittableRandom r)
    {
        final byte[] bytes = new byte[16];
        for (int i = 0; i < 16; i++)
        {
            bytes[i] = (byte)r.nextInt(256);
        }
        // avoid v4-mapped addresses, which InetAddress turns into Inet4Address
        bytes[0] = (byte)0x20;
        return (Inet6Address)address(bytes);
    }

    static InetAddress address(final byte[] bytes)
    {
        try
        {
            return InetAddress.getByAddress(bytes);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
