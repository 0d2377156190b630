/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static java.util.Objects.requireNonNull;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * Decodes the Ethernet frames the OpenFlow punt path receives (PACKET_IN payloads) into UDP datagrams, and encodes
 * the frames it sends (PACKET_OUT payloads): Ethernet II with up to two 802.1Q / 802.1ad tags, IPv4 or IPv6, UDP.
 * Decoding is strict, because a switch punts whatever matches its flow: anything that this host could not have
 * received from its own IP stack as a UDP datagram is rejected, with a reason, and nothing ever throws.
 */
public final class FrameCodec {
    /** How many VLAN tags a frame may carry: a customer tag, optionally inside a service tag (IEEE 802.1ad). */
    public static final int MAX_VLAN_TAGS = 2;
    /** The EtherType of IPv4 (RFC 894). */
    public static final int ETHERTYPE_IPV4 = 0x0800;
    /** The EtherType of IPv6 (RFC 2464 section 3). */
    public static final int ETHERTYPE_IPV6 = 0x86DD;
    /** The TPID of an IEEE 802.1Q customer VLAN tag. */
    public static final int TPID_8021Q = 0x8100;
    /** The TPID of an IEEE 802.1ad service VLAN tag. */
    public static final int TPID_8021AD = 0x88A8;
    /**
     * The IPv4 TTL and IPv6 hop limit of a reply: 64, the default IANA recommends for both (RFC 1122 section 3.2.1.7
     * defers to Assigned Numbers; RFC 4861 section 6.2.1 does the same for AdvCurHopLimit), and what the host stack
     * behind the UDP ingress uses. A PCP server need not be on its client's link (RFC 6887 section 1 has it in a
     * carrier-grade NAT too), so the reply must survive routing.
     */
    static final int REPLY_HOP_LIMIT = 64;
    /**
     * The IPv4 TTL of an announcement to 224.0.0.1: 1. The group is in the Local Network Control Block, never
     * forwarded off link (RFC 5771 section 4), and 1 is the TTL a host sends link-local multicast with (RFC 1112
     * section 6.1), as the host stack behind the UDP ingress does for RFC 6887 section 14.1.1 and RFC 6886 section
     * 3.2.1 announcements.
     */
    static final int MULTICAST_TTL_V4 = 1;
    /**
     * The IPv6 hop limit of an announcement to ff02::1: 255. The link-local scope of the group already keeps it on
     * the link (RFC 4291 section 2.7), so the hop limit does not bound it; 255 lets a receiver check that it was
     * sent on its link, as Neighbor Discovery does (RFC 4861 section 6.1.2).
     */
    static final int MULTICAST_HOP_LIMIT_V6 = 255;
    static final int MAC_LENGTH = 6;

    private static final int ETHERNET_HEADER = 14;
    private static final int VLAN_TAG = 4;
    /** The shortest Ethernet frame without its FCS (IEEE 802.3 clause 4.4.2: 64 octets with the 4-octet FCS). */
    private static final int MIN_FRAME = 60;
    private static final int IPV4_HEADER = 20;
    private static final int IPV6_HEADER = 40;
    private static final int UDP_HEADER = 8;
    private static final int PROTOCOL_UDP = 17;
    private static final int NEXT_HOP_BY_HOP = 0;
    private static final int NEXT_ROUTING = 43;
    private static final int NEXT_FRAGMENT = 44;
    private static final int NEXT_DESTINATION_OPTIONS = 60;
    /** RFC 791 section 3.1: the More Fragments flag and the 13-bit Fragment Offset of the flags/offset word. */
    private static final int MORE_FRAGMENTS = 0x2000;
    private static final int FRAGMENT_OFFSET = 0x1FFF;
    private static final int DONT_FRAGMENT = 0x4000;
    /** The DSCP bits of the IPv4 TOS / IPv6 traffic class octet (RFC 2474 section 3); the rest is ECN. */
    private static final int DSCP_MASK = 0xFC;
    private static final int MAX_IPV4_PAYLOAD = 0xFFFF - IPV4_HEADER - UDP_HEADER;
    private static final int MAX_IPV6_PAYLOAD = 0xFFFF - UDP_HEADER;

    private FrameCodec() {
        // utility class
    }

    /** Where the Ethernet header said the frame comes from and goes to. */
    private record Link(byte[] destinationMac, byte[] sourceMac, int[] vlanTags) {
    }

    /** What the IP header said, as far as UDP needs it. */
    private record Network(InetAddress source, InetAddress destination, int trafficClass, boolean ipv6) {
    }

    /**
     * Decodes a whole Ethernet frame, as a PACKET_IN carries it (without FCS). Never throws.
     *
     * @param frame the frame; {@code null}, truncated or garbage bytes are rejected
     * @return the UDP datagram it carries, or why it was rejected
     */
    public static FrameDecodeResult decode(final byte[] frame) {
        if (frame == null) {
            return reject("no frame");
        }
        if (frame.length < ETHERNET_HEADER) {
            return reject("frame of %d bytes is shorter than an Ethernet header", frame.length);
        }
        // IEEE 802.3 clause 3.2.3: the I/G bit, the least significant bit of the first octet, marks a group
        // address; it is set in every multicast and in the broadcast address, and no station sends from one
        if (isGroupMac(frame, MAC_LENGTH)) {
            return reject("source MAC is a multicast or broadcast address");
        }
        final int[] tags = new int[MAX_VLAN_TAGS];
        int tagCount = 0;
        int offset = 2 * MAC_LENGTH;
        int etherType = u16(frame, offset);
        while (isVlanTpid(etherType)) {
            if (tagCount == MAX_VLAN_TAGS) {
                return reject("more than %d VLAN tags", MAX_VLAN_TAGS);
            }
            if (frame.length < offset + VLAN_TAG + 2) {
                return reject("frame truncated in VLAN tag %d", tagCount + 1);
            }
            tags[tagCount++] = u32(frame, offset);
            offset += VLAN_TAG;
            etherType = u16(frame, offset);
        }
        offset += 2;
        final var link = new Link(Arrays.copyOfRange(frame, 0, MAC_LENGTH),
            Arrays.copyOfRange(frame, MAC_LENGTH, 2 * MAC_LENGTH), Arrays.copyOf(tags, tagCount));
        return switch (etherType) {
            case ETHERTYPE_IPV4 -> decodeIpv4(frame, offset, link);
            case ETHERTYPE_IPV6 -> decodeIpv6(frame, offset, link);
            default -> reject("EtherType 0x%04x is neither IPv4 nor IPv6", etherType);
        };
    }

    private static FrameDecodeResult decodeIpv4(final byte[] frame, final int offset, final Link link) {
        final int available = frame.length - offset;
        if (available < IPV4_HEADER) {
            return reject("IPv4 header truncated: %d bytes", available);
        }
        final int version = (frame[offset] & 0xFF) >>> 4;
        if (version != 4) {
            return reject("IPv4 EtherType with IP version %d", version);
        }
        // RFC 791 section 3.1: IHL counts 32-bit words and is at least 5; the options past 20 bytes are skipped,
        // since none of them changes how a UDP datagram addressed to this host is received
        final int headerLength = (frame[offset] & 0x0F) * 4;
        if (headerLength < IPV4_HEADER) {
            return reject("IPv4 IHL %d is below 5", headerLength / 4);
        }
        if (headerLength > available) {
            return reject("IPv4 header of %d bytes truncated to %d", headerLength, available);
        }
        // RFC 791 section 3.1: Total Length covers header and data; anything past it is Ethernet padding, added to
        // reach the 60-byte minimum frame (RFC 894), and ignored
        final int totalLength = u16(frame, offset + 2);
        if (totalLength < headerLength) {
            return reject("IPv4 total length %d is shorter than its %d-byte header", totalLength, headerLength);
        }
        if (totalLength > available) {
            return reject("IPv4 total length %d exceeds the %d bytes left in the frame", totalLength, available);
        }
        if (!Checksum.verifies(Checksum.add(0, frame, offset, headerLength))) {
            return reject("IPv4 header checksum 0x%04x does not verify", u16(frame, offset + 10));
        }
        // RFC 791 section 3.1: a datagram is a fragment when More Fragments is set or its offset is not zero;
        // reassembly is the host stack's job, which a punted frame bypasses
        final int fragment = u16(frame, offset + 6);
        if ((fragment & MORE_FRAGMENTS) != 0 || (fragment & FRAGMENT_OFFSET) != 0) {
            return reject("IPv4 fragment (flags/offset 0x%04x)", fragment);
        }
        final int protocol = frame[offset + 9] & 0xFF;
        if (protocol != PROTOCOL_UDP) {
            return reject("IPv4 protocol %d is not UDP", protocol);
        }
        final var network = new Network(address(frame, offset + 12, 4), address(frame, offset + 16, 4),
            frame[offset + 1] & 0xFF, false);
        return decodeUdp(frame, offset + headerLength, offset + totalLength, network, link);
    }

    private static FrameDecodeResult decodeIpv6(final byte[] frame, final int offset, final Link link) {
        final int available = frame.length - offset;
        if (available < IPV6_HEADER) {
            return reject("IPv6 header truncated: %d bytes", available);
        }
        final int version = (frame[offset] & 0xFF) >>> 4;
        if (version != 6) {
            return reject("IPv6 EtherType with IP version %d", version);
        }
        // RFC 8200 section 3: Payload Length counts what follows the 40-byte header, extension headers included;
        // anything past it is link-layer padding. Zero would announce a Jumbo Payload (RFC 2675), which Ethernet
        // cannot carry: it is rejected below as a truncated UDP header.
        final int payloadLength = u16(frame, offset + 4);
        if (payloadLength > available - IPV6_HEADER) {
            return reject("IPv6 payload length %d exceeds the %d bytes left in the frame", payloadLength,
                available - IPV6_HEADER);
        }
        final int trafficClass = u16(frame, offset) >>> 4 & 0xFF;
        final var network = new Network(address(frame, offset + 8, 16), address(frame, offset + 24, 16),
            trafficClass, true);
        final int end = offset + IPV6_HEADER + payloadLength;
        int header = offset + IPV6_HEADER;
        int nextHeader = frame[offset + 6] & 0xFF;
        // every extension header is at least 8 bytes long, so this ends before the payload does
        while (nextHeader != PROTOCOL_UDP) {
            switch (nextHeader) {
                case NEXT_HOP_BY_HOP, NEXT_ROUTING, NEXT_DESTINATION_OPTIONS -> {
                    // RFC 8200 section 4.1: Hop-by-Hop Options may only come right after the IPv6 header
                    if (nextHeader == NEXT_HOP_BY_HOP && header != offset + IPV6_HEADER) {
                        return reject("IPv6 hop-by-hop options header not right after the IPv6 header");
                    }
                    if (end - header < 8) {
                        return reject("IPv6 extension header %d truncated", nextHeader);
                    }
                    // RFC 8200 sections 4.3, 4.4, 4.6: Hdr Ext Len counts 8-octet units past the first 8 octets
                    final int length = ((frame[header + 1] & 0xFF) + 1) * 8;
                    if (length > end - header) {
                        return reject("IPv6 extension header %d of %d bytes exceeds the %d bytes of payload left",
                            nextHeader, length, end - header);
                    }
                    // RFC 8200 section 4.4: with Segments Left not zero, the destination address is an intermediate
                    // hop, not the final one the UDP pseudo-header and the reply need (section 8.1)
                    if (nextHeader == NEXT_ROUTING && frame[header + 3] != 0) {
                        return reject("IPv6 routing header with %d segments left", frame[header + 3] & 0xFF);
                    }
                    nextHeader = frame[header] & 0xFF;
                    header += length;
                }
                // RFC 8200 section 4.5: reassembly is the host stack's job, which a punted frame bypasses
                case NEXT_FRAGMENT -> {
                    return reject("IPv6 fragment");
                }
                default -> {
                    return reject("IPv6 next header %d is not UDP", nextHeader);
                }
            }
        }
        return decodeUdp(frame, header, end, network, link);
    }

    private static FrameDecodeResult decodeUdp(final byte[] frame, final int offset, final int end,
            final Network network, final Link link) {
        // RFC 1122 section 3.2.1.3 and RFC 4291 section 2.7: no host sends from the unspecified address, the limited
        // broadcast or a multicast group; a datagram from one is discarded, and an answer could not go back to it
        final var source = network.source();
        if (source.isAnyLocalAddress() || source.isMulticastAddress() || isLimitedBroadcast(source)) {
            return reject("IP source %s is not a unicast address", source.getHostAddress());
        }
        // RFC 1122 section 3.3.6: a datagram that came as a link-layer broadcast or multicast but is addressed to
        // a unicast IP address is discarded
        final var destination = network.destination();
        if (isGroupMac(link.destinationMac(), 0) && !destination.isMulticastAddress()
                && !isLimitedBroadcast(destination)) {
            return reject("unicast IP destination %s in a frame to a group MAC address", destination.getHostAddress());
        }
        final int available = end - offset;
        if (available < UDP_HEADER) {
            return reject("UDP header truncated: %d bytes", available);
        }
        // RFC 768: Length covers header and data; what the IP payload holds past it is ignored
        final int length = u16(frame, offset + 4);
        if (length < UDP_HEADER) {
            return reject("UDP length %d is shorter than its header", length);
        }
        if (length > available) {
            return reject("UDP length %d exceeds the %d bytes of IP payload", length, available);
        }
        final int checksum = u16(frame, offset + 6);
        if (checksum == 0) {
            // RFC 768: over IPv4, zero means the sender computed no checksum; RFC 8200 section 8.1: over IPv6 a
            // zero UDP checksum must be discarded (the RFC 6935 exception is for tunnels, not for PCP)
            if (network.ipv6()) {
                return reject("UDP checksum zero over IPv6");
            }
        } else if (!Checksum.verifies(Checksum.add(pseudoHeader(network.source(), network.destination(), length),
                frame, offset, length))) {
            return reject("UDP checksum 0x%04x does not verify", checksum);
        }
        final var frameOut = new UdpFrame(link.destinationMac(), link.sourceMac(), link.vlanTags(),
            new InetSocketAddress(network.source(), u16(frame, offset)),
            new InetSocketAddress(network.destination(), u16(frame, offset + 2)), network.trafficClass(),
            Arrays.copyOfRange(frame, offset + UDP_HEADER, offset + length));
        return new FrameDecodeResult.Decoded(frameOut);
    }

    /**
     * The answer to a request: the MAC addresses swapped, the VLAN tags kept, from the address and port the request
     * was sent to, to the address and port it came from. The IPv4 TTL and IPv6 hop limit are 64
     * ({@link #REPLY_HOP_LIMIT}); the request's DSCP is kept and ECN left clear. The IPv4 header checksum and the
     * UDP checksum are computed.
     *
     * @param request the request, as decoded
     * @param payload the UDP data of the answer
     * @return the Ethernet frame, without FCS, padded to the 60-byte minimum
     * @throws IllegalArgumentException if the request was sent to a multicast or broadcast MAC address or to a
     *         multicast IP address, which an answer cannot come from, or if the payload does not fit a datagram
     */
    public static byte[] encodeReply(final UdpFrame request, final byte[] payload) {
        requireNonNull(request);
        requireNonNull(payload);
        if (isGroupMac(request.destinationMac(), 0)) {
            throw new IllegalArgumentException("request sent to a group MAC address: " + request);
        }
        if (request.destination().getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException("request sent to a multicast address: " + request);
        }
        // RFC 3168 section 5: ECT may only be set by a transport that does ECN, which this one does not; the DSCP
        // is kept so that the answer gets the class of service the client asked for (RFC 2474 section 3)
        final var reply = new UdpFrame(request.sourceMac(), request.destinationMac(), request.vlanTags(),
            request.destination(), request.source(), request.trafficClass() & DSCP_MASK, payload);
        return encode(reply, REPLY_HOP_LIMIT);
    }

    /**
     * An unsolicited datagram, a PCP ANNOUNCE (RFC 6887 section 14.1.1) or a NAT-PMP address change (RFC 6886
     * section 3.2.1), sent to a multicast group: the destination MAC is the group's (RFC 1112 section 6.4, RFC 2464
     * section 7), the IPv4 TTL 1 ({@link #MULTICAST_TTL_V4}) and the IPv6 hop limit 255
     * ({@link #MULTICAST_HOP_LIMIT_V6}), the traffic class 0.
     *
     * @param sourceMac the MAC address of the gateway's interface, 6 bytes
     * @param vlanTags the VLAN tags to send with, raw {@code TPID << 16 | TCI}, outermost first; may be empty
     * @param source the gateway's address and port
     * @param group the multicast group and port, of the same family as {@code source}, such as 224.0.0.1:5350 or
     *        [ff02::1]:5350
     * @param payload the UDP data
     * @return the Ethernet frame, without FCS, padded to the 60-byte minimum
     * @throws IllegalArgumentException if the source MAC is not a unicast one, the group is not a multicast address
     *         of the source's family, a VLAN tag is invalid or the payload does not fit a datagram
     */
    public static byte[] encodeMulticast(final byte[] sourceMac, final int[] vlanTags, final InetSocketAddress source,
            final InetSocketAddress group, final byte[] payload) {
        requireNonNull(sourceMac);
        requireNonNull(group);
        if (sourceMac.length == MAC_LENGTH && isGroupMac(sourceMac, 0)) {
            throw new IllegalArgumentException("source MAC is a multicast or broadcast address");
        }
        if (group.isUnresolved() || !group.getAddress().isMulticastAddress()) {
            throw new IllegalArgumentException(group + " is not a multicast group");
        }
        final var announcement = new UdpFrame(multicastMac(group.getAddress()), sourceMac, vlanTags, source, group,
            0, payload);
        return encode(announcement, announcement.isIpv4() ? MULTICAST_TTL_V4 : MULTICAST_HOP_LIMIT_V6);
    }

    /**
     * The MAC address a multicast group maps to: 01:00:5e and the low 23 bits of an IPv4 group (RFC 1112 section
     * 6.4), 33:33 and the low 32 bits of an IPv6 group (RFC 2464 section 7).
     */
    static byte[] multicastMac(final InetAddress group) {
        final byte[] address = group.getAddress();
        final byte[] mac = new byte[MAC_LENGTH];
        if (group instanceof Inet4Address) {
            mac[0] = 0x01;
            mac[1] = 0x00;
            mac[2] = 0x5E;
            mac[3] = (byte) (address[1] & 0x7F);
            mac[4] = address[2];
            mac[5] = address[3];
        } else {
            mac[0] = 0x33;
            mac[1] = 0x33;
            System.arraycopy(address, address.length - 4, mac, 2, 4);
        }
        return mac;
    }

    private static byte[] encode(final UdpFrame datagram, final int hopLimit) {
        final boolean ipv4 = datagram.isIpv4();
        final byte[] payload = datagram.payload();
        final int maxPayload = ipv4 ? MAX_IPV4_PAYLOAD : MAX_IPV6_PAYLOAD;
        if (payload.length > maxPayload) {
            throw new IllegalArgumentException(payload.length + " bytes of UDP data, at most " + maxPayload);
        }
        final int[] tags = datagram.vlanTags();
        final int udpLength = UDP_HEADER + payload.length;
        final int ipOffset = ETHERNET_HEADER + VLAN_TAG * tags.length;
        final int udpOffset = ipOffset + (ipv4 ? IPV4_HEADER : IPV6_HEADER);
        final byte[] frame = new byte[Math.max(MIN_FRAME, udpOffset + udpLength)];

        System.arraycopy(datagram.destinationMac(), 0, frame, 0, MAC_LENGTH);
        System.arraycopy(datagram.sourceMac(), 0, frame, MAC_LENGTH, MAC_LENGTH);
        int offset = 2 * MAC_LENGTH;
        for (int tag : tags) {
            putU32(frame, offset, tag);
            offset += VLAN_TAG;
        }
        putU16(frame, offset, ipv4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);

        final InetAddress source = datagram.source().getAddress();
        final InetAddress destination = datagram.destination().getAddress();
        if (ipv4) {
            // RFC 791 section 3.1: version 4, IHL 5 (no options)
            frame[ipOffset] = 0x45;
            frame[ipOffset + 1] = (byte) datagram.trafficClass();
            putU16(frame, ipOffset + 2, IPV4_HEADER + udpLength);
            // RFC 6864 section 4.1: an atomic datagram (DF set, not a fragment) may carry any Identification, so
            // it is left zero; DF because a PCP message (at most 1100 bytes, RFC 6887 section 7) fits any link
            putU16(frame, ipOffset + 6, DONT_FRAGMENT);
            frame[ipOffset + 8] = (byte) hopLimit;
            frame[ipOffset + 9] = PROTOCOL_UDP;
            System.arraycopy(source.getAddress(), 0, frame, ipOffset + 12, 4);
            System.arraycopy(destination.getAddress(), 0, frame, ipOffset + 16, 4);
            putU16(frame, ipOffset + 10, Checksum.complement(Checksum.add(0, frame, ipOffset, IPV4_HEADER)));
        } else {
            // RFC 8200 section 3: version 6, the traffic class, flow label 0 (RFC 6437 section 3 allows a source
            // not to label its flows), no extension headers
            putU32(frame, ipOffset, 6 << 28 | datagram.trafficClass() << 20);
            putU16(frame, ipOffset + 4, udpLength);
            frame[ipOffset + 6] = PROTOCOL_UDP;
            frame[ipOffset + 7] = (byte) hopLimit;
            System.arraycopy(source.getAddress(), 0, frame, ipOffset + 8, 16);
            System.arraycopy(destination.getAddress(), 0, frame, ipOffset + 24, 16);
        }

        putU16(frame, udpOffset, datagram.source().getPort());
        putU16(frame, udpOffset + 2, datagram.destination().getPort());
        putU16(frame, udpOffset + 4, udpLength);
        System.arraycopy(payload, 0, frame, udpOffset + UDP_HEADER, payload.length);
        final int checksum = Checksum.complement(Checksum.add(pseudoHeader(source, destination, udpLength), frame,
            udpOffset, udpLength));
        // RFC 768: a computed checksum of zero is sent as all ones, zero meaning "no checksum"
        putU16(frame, udpOffset + 6, checksum == 0 ? 0xFFFF : checksum);
        return frame;
    }

    /**
     * The sum of the UDP pseudo-header: source and destination addresses, protocol 17 and the UDP length (RFC 768
     * for IPv4; RFC 8200 section 8.1 for IPv6, where the length is 32 bits wide but never above 16 bits here).
     */
    private static long pseudoHeader(final InetAddress source, final InetAddress destination, final int udpLength) {
        final byte[] sourceBytes = source.getAddress();
        final byte[] destinationBytes = destination.getAddress();
        long sum = Checksum.add(0, sourceBytes, 0, sourceBytes.length);
        sum = Checksum.add(sum, destinationBytes, 0, destinationBytes.length);
        return sum + PROTOCOL_UDP + udpLength;
    }

    static boolean isVlanTpid(final int etherType) {
        return etherType == TPID_8021Q || etherType == TPID_8021AD;
    }

    private static boolean isGroupMac(final byte[] bytes, final int offset) {
        return (bytes[offset] & 0x01) != 0;
    }

    // 255.255.255.255 (RFC 919)
    private static boolean isLimitedBroadcast(final InetAddress address) {
        final byte[] bytes = address.getAddress();
        return bytes.length == 4 && (bytes[0] & bytes[1] & bytes[2] & bytes[3]) == (byte) 0xFF;
    }

    /**
     * The address in {@code length} bytes at {@code offset}. An IPv6 address stays an {@link Inet6Address} even
     * when it is IPv4-mapped, so that the answer goes out over the family the request came in on.
     */
    private static InetAddress address(final byte[] frame, final int offset, final int length) {
        final byte[] bytes = Arrays.copyOfRange(frame, offset, offset + length);
        try {
            return length == 4 ? InetAddress.getByAddress(bytes) : Inet6Address.getByAddress(null, bytes, -1);
        } catch (UnknownHostException e) {
            // only thrown for a length other than 4 or 16
            throw new IllegalStateException(e);
        }
    }

    private static int u16(final byte[] bytes, final int offset) {
        return (bytes[offset] & 0xFF) << 8 | bytes[offset + 1] & 0xFF;
    }

    private static int u32(final byte[] bytes, final int offset) {
        return u16(bytes, offset) << 16 | u16(bytes, offset + 2);
    }

    private static void putU16(final byte[] bytes, final int offset, final int value) {
        bytes[offset] = (byte) (value >>> 8);
        bytes[offset + 1] = (byte) value;
    }

    private static void putU32(final byte[] bytes, final int offset, final int value) {
        putU16(bytes, offset, value >>> 16);
        putU16(bytes, offset + 2, value);
    }

    private static FrameDecodeResult reject(final String format, final Object... args) {
        return new FrameDecodeResult.Rejected(args.length == 0 ? format : String.format(format, args));
    }
}
