package io.lvs4j.core.packet;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes the ARP frames a director originates (RFC 826, RFC 5227): replies for the VIPs it owns, requests to
 * resolve real servers and next hops, and gratuitous ARP announcements after a VRRP takeover.
 * <p>
 * Frames are written unpadded (42 bytes untagged); use {@link EthernetView#padToMinimum} when the transmit path
 * does not pad. All methods return the frame length and allocate nothing.
 */
public final class ArpBuilder
{
    /** Length of an untagged ARP frame before padding. */
    public static final int FRAME_LENGTH = EthernetView.HEADER_LENGTH + ArpView.LENGTH;

    private static final ByteOrder BIG = ByteOrder.BIG_ENDIAN;

    private ArpBuilder()
    {
    }

    /**
     * Writes a broadcast request: who has {@code targetAddress}? tell {@code senderAddress}.
     *
     * @param buffer        where to write.
     * @param offset        start of the frame.
     * @param vlanTci       802.1Q TCI, or {@link EthernetView#NO_VLAN}.
     * @param senderMac     our MAC.
     * @param senderAddress our IPv4 address.
     * @param targetAddress the address to resolve.
     * @return the frame length.
     */
    public static int writeRequest(
        final MutableDirectBuffer buffer,
        final int offset,
        final int vlanTci,
        final long senderMac,
        final int senderAddress,
        final int targetAddress)
    {
        final int l2 = EthernetView.writeHeader(
            buffer, offset, MacAddresses.BROADCAST, senderMac, vlanTci, EthernetView.ETHERTYPE_ARP);
        writeArp(buffer, offset + l2, ArpView.OPERATION_REQUEST, senderMac, senderAddress, MacAddresses.ZERO,
            targetAddress);
        return l2 + ArpView.LENGTH;
    }

    /**
     * Writes a unicast reply: {@code senderAddress} is at {@code senderMac}.
     *
     * @param buffer        where to write.
     * @param offset        start of the frame.
     * @param vlanTci       802.1Q TCI, or {@link EthernetView#NO_VLAN}.
     * @param senderMac     the MAC being announced (ours, or the VRRP virtual MAC).
     * @param senderAddress the address being resolved (the VIP).
     * @param targetMac     the requester's MAC.
     * @param targetAddress the requester's address.
     * @return the frame length.
     */
    public static int writeReply(
        final MutableDirectBuffer buffer,
        final int offset,
        final int vlanTci,
        final long senderMac,
        final int senderAddress,
        final long targetMac,
        final int targetAddress)
    {
        final int l2 = EthernetView.writeHeader(
            buffer, offset, targetMac, senderMac, vlanTci, EthernetView.ETHERTYPE_ARP);
        writeArp(buffer, offset + l2, ArpView.OPERATION_REPLY, senderMac, senderAddress, targetMac, targetAddress);
        return l2 + ArpView.LENGTH;
    }

    /**
     * Writes a gratuitous ARP: a broadcast request whose sender and target address are both {@code address} and
     * whose target MAC is zero (an RFC 5227 §2.3 announcement), the form keepalived sends after becoming master.
     *
     * @param buffer  where to write.
     * @param offset  start of the frame.
     * @param vlanTci 802.1Q TCI, or {@link EthernetView#NO_VLAN}.
     * @param mac     the MAC to announce.
     * @param address the address to announce.
     * @return the frame length.
     */
    public static int writeGratuitous(
        final MutableDirectBuffer buffer, final int offset, final int vlanTci, final long mac, final int address)
    {
        final int l2 = EthernetView.writeHeader(
            buffer, offset, MacAddresses.BROADCAST, mac, vlanTci, EthernetView.ETHERTYPE_ARP);
        writeArp(buffer, offset + l2, ArpView.OPERATION_REQUEST, mac, address, MacAddresses.ZERO, address);
        return l2 + ArpView.LENGTH;
    }

    /**
     * Writes the reply to a classified ARP request: the requested address is at {@code mac}, sent back to the
     * requester on the VLAN tags it asked on.
     *
     * @param buffer  where to write (must not overlap the request).
     * @param offset  start of the reply frame.
     * @param request the request's buffer.
     * @param frame   the classified request.
     * @param mac     the MAC that owns the requested address.
     * @return the frame length, or -1 when {@code frame} is not an ARP request.
     */
    public static int writeReplyTo(
        final MutableDirectBuffer buffer,
        final int offset,
        final DirectBuffer request,
        final ClassifiedFrame frame,
        final long mac)
    {
        if (frame.kind != FrameKind.ARP)
        {
            return -1;
        }
        final int arp = frame.l3Offset;
        if ((request.getShort(arp + ArpView.OPERATION_OFFSET, BIG) & 0xFFFF) != ArpView.OPERATION_REQUEST)
        {
            return -1;
        }
        final long requesterMac = MacAddresses.get(request, arp + ArpView.SENDER_HARDWARE_OFFSET);
        final int requesterAddress = request.getInt(arp + ArpView.SENDER_PROTOCOL_OFFSET, BIG);
        final int requestedAddress = request.getInt(arp + ArpView.TARGET_PROTOCOL_OFFSET, BIG);
        final int l2 = EthernetView.writeHeader(
            buffer, offset, requesterMac, mac, frame, EthernetView.ETHERTYPE_ARP);
        writeArp(buffer, offset + l2, ArpView.OPERATION_REPLY, mac, requestedAddress, requesterMac,
            requesterAddress);
        return l2 + ArpView.LENGTH;
    }

    /**
     * Writes an Ethernet/IPv4 ARP packet (no Ethernet header).
     *
     * @param buffer        where to write.
     * @param offset        start of the ARP packet.
     * @param operation     {@link ArpView#OPERATION_REQUEST} or {@link ArpView#OPERATION_REPLY}.
     * @param senderMac     sender hardware address.
     * @param senderAddress sender protocol address.
     * @param targetMac     target hardware address.
     * @param targetAddress target protocol address.
     * @return {@link ArpView#LENGTH}.
     */
    public static int writeArp(
        final MutableDirectBuffer buffer,
        final int offset,
        final int operation,
        final long senderMac,
        final int senderAddress,
        final long targetMac,
        final int targetAddress)
    {
        buffer.putShort(offset + ArpView.HARDWARE_TYPE_OFFSET, (short)ArpView.HARDWARE_TYPE_ETHERNET, BIG);
        buffer.putShort(offset + ArpView.PROTOCOL_TYPE_OFFSET, (short)ArpView.PROTOCOL_TYPE_IPV4, BIG);
        buffer.putByte(offset + ArpView.HARDWARE_LENGTH_OFFSET, (byte)MacAddresses.LENGTH);
        buffer.putByte(offset + ArpView.PROTOCOL_LENGTH_OFFSET, (byte)4);
        buffer.putShort(offset + ArpView.OPERATION_OFFSET, (short)operation, BIG);
        MacAddresses.put(buffer, offset + ArpView.SENDER_HARDWARE_OFFSET, senderMac);
        buffer.putInt(offset + ArpView.SENDER_PROTOCOL_OFFSET, senderAddress, BIG);
        MacAddresses.put(buffer, offset + ArpView.TARGET_HARDWARE_OFFSET, targetMac);
        buffer.putInt(offset + ArpView.TARGET_PROTOCOL_OFFSET, targetAddress, BIG);
        return ArpView.LENGTH;
    }
}
