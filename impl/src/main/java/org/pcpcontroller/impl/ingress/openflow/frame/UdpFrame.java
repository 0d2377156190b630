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
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A UDP datagram as it was carried in an Ethernet frame. The arrays are copied in and out, so an instance is
 * immutable.
 *
 * @param destinationMac the destination MAC address, 6 bytes
 * @param sourceMac the source MAC address, 6 bytes
 * @param vlanTags the 802.1Q / 802.1ad tags, each the raw 32 bits {@code TPID << 16 | TCI}, outermost first; empty
 *        when the frame is untagged; at most {@value FrameCodec#MAX_VLAN_TAGS}
 * @param source the IP source address and UDP source port
 * @param destination the IP destination address and UDP destination port, of the same address family as
 *        {@code source}
 * @param trafficClass the IPv4 type of service or IPv6 traffic class octet: DSCP and ECN, 0 to 255
 * @param payload the UDP data
 */
public record UdpFrame(byte[] destinationMac, byte[] sourceMac, int[] vlanTags, InetSocketAddress source,
        InetSocketAddress destination, int trafficClass, byte[] payload) {
    /**
     * Validates and copies the components.
     *
     * @throws IllegalArgumentException if a MAC address is not 6 bytes, a VLAN tag has an unknown TPID or there are
     *         too many, an address is unresolved or the two are of different families, or the traffic class is not
     *         an octet
     */
    public UdpFrame {
        destinationMac = mac(destinationMac, "destination MAC");
        sourceMac = mac(sourceMac, "source MAC");
        vlanTags = vlanTags.clone();
        if (vlanTags.length > FrameCodec.MAX_VLAN_TAGS) {
            throw new IllegalArgumentException(vlanTags.length + " VLAN tags, at most " + FrameCodec.MAX_VLAN_TAGS);
        }
        for (int tag : vlanTags) {
            if (!FrameCodec.isVlanTpid(tag >>> 16)) {
                throw new IllegalArgumentException("VLAN tag " + hexTag(tag) + " has neither TPID 0x8100 nor 0x88a8");
            }
        }
        requireNonNull(source);
        requireNonNull(destination);
        if (source.isUnresolved() || destination.isUnresolved()) {
            throw new IllegalArgumentException("unresolved address: " + source + " -> " + destination);
        }
        if (source.getAddress() instanceof Inet4Address != destination.getAddress() instanceof Inet4Address) {
            throw new IllegalArgumentException("addresses of different families: " + source + " -> " + destination);
        }
        if (trafficClass < 0 || trafficClass > 0xFF) {
            throw new IllegalArgumentException("traffic class " + trafficClass + " is not an octet");
        }
        payload = payload.clone();
    }

    private static byte[] mac(final byte[] mac, final String what) {
        if (mac.length != FrameCodec.MAC_LENGTH) {
            throw new IllegalArgumentException(what + " of " + mac.length + " bytes");
        }
        return mac.clone();
    }

    private static String hexTag(final int tag) {
        return "0x" + HexFormat.of().toHexDigits(tag);
    }

    /**
     * Whether the frame was sent over IPv4 (otherwise IPv6).
     */
    public boolean isIpv4() {
        return source.getAddress() instanceof Inet4Address;
    }

    @Override
    public byte[] destinationMac() {
        return destinationMac.clone();
    }

    @Override
    public byte[] sourceMac() {
        return sourceMac.clone();
    }

    @Override
    public int[] vlanTags() {
        return vlanTags.clone();
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(final Object obj) {
        return this == obj || obj instanceof UdpFrame other && Arrays.equals(destinationMac, other.destinationMac)
            && Arrays.equals(sourceMac, other.sourceMac) && Arrays.equals(vlanTags, other.vlanTags)
            && source.equals(other.source) && destination.equals(other.destination)
            && trafficClass == other.trafficClass && Arrays.equals(payload, other.payload);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(destinationMac), Arrays.hashCode(sourceMac), Arrays.hashCode(vlanTags),
            source, destination, trafficClass, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        final var mac = HexFormat.ofDelimiter(":");
        final var tags = new StringBuilder();
        for (int tag : vlanTags) {
            tags.append(' ').append(hexTag(tag));
        }
        return "UdpFrame[" + mac.formatHex(sourceMac) + " -> " + mac.formatHex(destinationMac)
            + (tags.isEmpty() ? "" : ", VLAN" + tags) + ", " + source + " -> " + destination + ", traffic class "
            + trafficClass + ", " + payload.length + " payload bytes]";
    }
}
