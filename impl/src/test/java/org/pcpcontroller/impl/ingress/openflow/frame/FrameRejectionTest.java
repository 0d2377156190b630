/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.concat;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.decoded;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.fixIpv4Checksum;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.hex;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.putU16;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.rejected;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.slice;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.u16;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * One test per decode rule: a valid frame, changed just enough to break that rule (header checksums fixed up where
 * the rule comes after them), is rejected with a reason naming it. Some rules have a twin showing what is still
 * accepted.
 */
class FrameRejectionTest {
    /** IPv4: Ethernet header 0-13, IP header 14-33, UDP header 34-41, payload 42-43. */
    private static final int IP4 = 14;
    private static final int UDP4 = 34;
    /** IPv6 without extension headers: IP header 14-53, UDP header 54-61. */
    private static final int IP6 = 14;
    private static final int UDP6 = 54;

    private static byte[] natpmp() {
        return hex(TestFrames.NATPMP_REQUEST);
    }

    private static byte[] ipv6() {
        return hex(TestFrames.PCP6_MAP_REPLY);
    }

    /**
     * {@link TestFrames#PCP6_MAP_REPLY} with extension headers between the IPv6 and the UDP header. The UDP checksum
     * stays valid: the pseudo-header holds the UDP length, not the IPv6 payload length (RFC 8200 section 8.1).
     */
    private static byte[] ipv6With(final int firstNextHeader, final String extensions) {
        final byte[] plain = ipv6();
        final byte[] headers = hex(extensions);
        final byte[] frame = concat(slice(plain, 0, UDP6), headers, slice(plain, UDP6, plain.length - UDP6));
        frame[IP6 + 6] = (byte) firstNextHeader;
        putU16(frame, IP6 + 4, u16(plain, IP6 + 4) + headers.length);
        return frame;
    }

    private static void assertRejected(final byte[] frame, final String expected) {
        final String reason = rejected(frame);
        assertTrue(reason.contains(expected), () -> "reason \"" + reason + "\" should contain \"" + expected + "\"");
    }

    private static byte[] withIpv4(final int offset, final int value) {
        final byte[] frame = natpmp();
        putU16(frame, IP4 + offset, value);
        return fixIpv4Checksum(frame, IP4);
    }

    @Test
    void noFrame() {
        assertRejected(null, "no frame");
    }

    @Test
    void shorterThanEthernetHeader() {
        assertRejected(new byte[13], "shorter than an Ethernet header");
    }

    @Test
    void multicastSourceMac() {
        final byte[] frame = natpmp();
        frame[6] |= 0x01;
        assertRejected(frame, "source MAC is a multicast or broadcast address");
    }

    @Test
    void broadcastSourceMac() {
        final byte[] frame = natpmp();
        Arrays.fill(frame, 6, 12, (byte) 0xFF);
        assertRejected(frame, "source MAC is a multicast or broadcast address");
    }

    @Test
    void threeVlanTags() {
        final byte[] frame = natpmp();
        assertRejected(concat(slice(frame, 0, 12), hex("88a8 0001 8100 0002 8100 0003"), slice(frame, 12, 32)),
            "more than 2 VLAN tags");
    }

    @Test
    void truncatedVlanTag() {
        assertRejected(slice(hex(TestFrames.NATPMP_OPTIONS_REQUEST), 0, 17), "truncated in VLAN tag 1");
    }

    @Test
    void neitherIpv4NorIpv6() {
        final byte[] frame = natpmp();
        putU16(frame, 12, 0x0806);
        assertRejected(frame, "EtherType 0x0806 is neither IPv4 nor IPv6");
    }

    @Test
    void ipv4HeaderTruncated() {
        assertRejected(slice(natpmp(), 0, IP4 + 19), "IPv4 header truncated: 19 bytes");
    }

    @Test
    void ipv4VersionMismatch() {
        final byte[] frame = natpmp();
        frame[IP4] = 0x65;
        assertRejected(fixIpv4Checksum(frame, IP4), "IPv4 EtherType with IP version 6");
    }

    @Test
    void ihlBelowFive() {
        final byte[] frame = natpmp();
        frame[IP4] = 0x44;
        assertRejected(frame, "IPv4 IHL 4 is below 5");
    }

    @Test
    void ipv4OptionsTruncated() {
        final byte[] frame = natpmp();
        frame[IP4] = 0x4F;
        assertRejected(frame, "IPv4 header of 60 bytes truncated to 30");
    }

    @Test
    void totalLengthShorterThanHeader() {
        assertRejected(withIpv4(2, 19), "IPv4 total length 19 is shorter than its 20-byte header");
    }

    @Test
    void totalLengthBeyondFrame() {
        assertRejected(withIpv4(2, 31), "IPv4 total length 31 exceeds the 30 bytes left in the frame");
    }

    @Test
    void ipv4HeaderChecksumWrong() {
        final byte[] frame = natpmp();
        frame[IP4 + 8]--;
        assertRejected(frame, "IPv4 header checksum 0x0a87 does not verify");
    }

    @Test
    void moreFragments() {
        assertRejected(withIpv4(6, 0x2000), "IPv4 fragment (flags/offset 0x2000)");
    }

    @Test
    void lastFragment() {
        assertRejected(withIpv4(6, 0x0001), "IPv4 fragment (flags/offset 0x0001)");
    }

    @Test
    void dontFragmentIsNotAFragment() {
        assertEquals(decoded(natpmp()), decoded(withIpv4(6, 0x0000)));
    }

    @Test
    void ipv4NotUdp() {
        final byte[] frame = natpmp();
        frame[IP4 + 9] = 6;
        assertRejected(fixIpv4Checksum(frame, IP4), "IPv4 protocol 6 is not UDP");
    }

    @Test
    void udpHeaderTruncated() {
        assertRejected(withIpv4(2, 20 + 7), "UDP header truncated: 7 bytes");
    }

    @Test
    void udpLengthBelowHeader() {
        final byte[] frame = natpmp();
        putU16(frame, UDP4 + 4, 7);
        assertRejected(frame, "UDP length 7 is shorter than its header");
    }

    @Test
    void udpLengthBeyondIpPayload() {
        final byte[] frame = natpmp();
        putU16(frame, UDP4 + 4, 11);
        assertRejected(frame, "UDP length 11 exceeds the 10 bytes of IP payload");
    }

    @Test
    void udpLengthBoundsThePayload() {
        // a UDP length shorter than the IP payload: the rest is not UDP data (RFC 768)
        final byte[] frame = natpmp();
        putU16(frame, UDP4 + 4, 9);
        putU16(frame, UDP4 + 6, 0);
        assertArrayEquals(new byte[1], decoded(frame).payload());
    }

    @Test
    void udpChecksumWrongOverIpv4() {
        final byte[] frame = natpmp();
        frame[UDP4 + 8] = 1;
        assertRejected(frame, "UDP checksum 0x34db does not verify");
    }

    @Test
    void udpChecksumZeroAcceptedOverIpv4() {
        final byte[] frame = natpmp();
        frame[UDP4 + 8] = 1;
        putU16(frame, UDP4 + 6, 0);
        assertArrayEquals(new byte[] { 1, 0 }, decoded(frame).payload());
    }

    @Test
    void ipv6HeaderTruncated() {
        assertRejected(slice(ipv6(), 0, IP6 + 39), "IPv6 header truncated: 39 bytes");
    }

    @Test
    void ipv6VersionMismatch() {
        final byte[] frame = ipv6();
        frame[IP6] = 0x4b;
        assertRejected(frame, "IPv6 EtherType with IP version 4");
    }

    @Test
    void ipv6PayloadLengthBeyondFrame() {
        final byte[] frame = ipv6();
        putU16(frame, IP6 + 4, 0x45);
        assertRejected(frame, "IPv6 payload length 69 exceeds the 68 bytes left in the frame");
    }

    @Test
    void udpChecksumZeroOverIpv6() {
        final byte[] frame = ipv6();
        putU16(frame, UDP6 + 6, 0);
        assertRejected(frame, "UDP checksum zero over IPv6");
    }

    @Test
    void udpChecksumWrongOverIpv6() {
        final byte[] frame = ipv6();
        frame[frame.length - 1] ^= 0x01;
        assertRejected(frame, "UDP checksum 0x07fb does not verify");
    }

    @Test
    void ipv6Fragment() {
        // even an atomic fragment (offset 0, M clear), whose reassembly the host stack owns (RFC 8200 section 4.5)
        assertRejected(ipv6With(44, "11 00 00 00 00 00 00 01"), "IPv6 fragment");
    }

    @Test
    void ipv6NotUdp() {
        final byte[] frame = ipv6();
        frame[IP6 + 6] = 6;
        assertRejected(frame, "IPv6 next header 6 is not UDP");
    }

    @Test
    void ipv6NoNextHeader() {
        assertRejected(ipv6With(60, "3b 00 01 04 00 00 00 00"), "IPv6 next header 59 is not UDP");
    }

    @Test
    void hopByHopNotFirst() {
        assertRejected(ipv6With(60, "00 00 01 04 00 00 00 00 11 00 01 04 00 00 00 00"),
            "IPv6 hop-by-hop options header not right after the IPv6 header");
    }

    @Test
    void extensionHeaderTruncated() {
        final byte[] frame = hex(TestFrames.PCP6_MAP_REQUEST);
        putU16(frame, IP6 + 4, 7);
        assertRejected(frame, "IPv6 extension header 0 truncated");
    }

    @Test
    void extensionHeaderBeyondPayload() {
        final byte[] frame = hex(TestFrames.PCP6_MAP_REQUEST);
        frame[IP6 + 40 + 1] = 9;
        assertRejected(frame, "IPv6 extension header 0 of 80 bytes exceeds the 76 bytes of payload left");
    }

    @Test
    void routingHeaderWithSegmentsLeft() {
        assertRejected(ipv6With(43, "11 00 04 01 00 00 00 00"), "IPv6 routing header with 1 segments left");
    }

    @Test
    void extensionHeadersAreSkipped() {
        // destination options (16 bytes), a routing header with no segment left, destination options again
        final byte[] frame = ipv6With(60, """
            2b 01 01 0c 00 00 00 00 00 00 00 00 00 00 00 00
            3c 00 04 00 00 00 00 00
            11 00 01 04 00 00 00 00""");
        assertEquals(decoded(ipv6()), decoded(frame));
    }
}
