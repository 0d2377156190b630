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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.ANNOUNCE_PAYLOAD;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.ANNOUNCE_V4;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.ANNOUNCE_V6;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.CLIENT_MAC;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.GATEWAY_MAC;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.NATPMP_OPTIONS_REQUEST;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.NATPMP_REPLY;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.NATPMP_REPLY_PAYLOAD;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.NATPMP_REQUEST;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.PCP4_QINQ_REQUEST;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.PCP6_MAP_PAYLOAD;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.PCP6_MAP_REPLY;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.PCP6_MAP_REPLY_PAYLOAD;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.PCP6_MAP_REQUEST;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.concat;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.decoded;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.hex;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.socket;

import java.net.Inet6Address;
import org.junit.jupiter.api.Test;

/**
 * Hand-checked frames (see {@link TestFrames}) decode to the expected datagram, and the expected answers and
 * announcements encode to the same bytes.
 */
class FrameGoldenBytesTest {
    /** Vector E1 of the PCP golden bytes: a MAP request from 10.20.40.2 for TCP port 1234. */
    private static final String PCP4_MAP_PAYLOAD = """
        02 01 00 00 00 00 0e 10 00 00 00 00 00 00 00 00
        00 00 ff ff 0a 14 28 02 01 02 03 04 05 06 07 08
        09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
        00 00 00 00 00 00 ff ff 00 00 00 00""";

    private static void assertFrame(final UdpFrame frame, final int[] vlanTags, final String source,
            final int sourcePort, final String destination, final int destinationPort, final int trafficClass,
            final String payload) {
        assertArrayEquals(hex(GATEWAY_MAC), frame.destinationMac());
        assertArrayEquals(hex(CLIENT_MAC), frame.sourceMac());
        assertArrayEquals(vlanTags, frame.vlanTags());
        assertEquals(socket(source, sourcePort), frame.source());
        assertEquals(socket(destination, destinationPort), frame.destination());
        assertEquals(trafficClass, frame.trafficClass());
        assertArrayEquals(hex(payload), frame.payload());
    }

    @Test
    void natpmpcPublicAddressRequest() {
        final var frame = decoded(hex(NATPMP_REQUEST));
        assertFrame(frame, new int[0], "10.0.0.2", 41493, "10.0.0.1", 5351, 0, "00 00");
        assertTrue(frame.isIpv4());
    }

    @Test
    void ethernetPaddingIsIgnored() {
        // a 44-byte frame padded to the 60-byte minimum, with non-zero padding as some NICs leave it
        final byte[] padded = concat(hex(NATPMP_REQUEST), hex("a5".repeat(16)));
        assertEquals(decoded(hex(NATPMP_REQUEST)), decoded(padded));
    }

    @Test
    void pcpMapOverIpv6WithHopByHopOptions() {
        final var frame = decoded(hex(PCP6_MAP_REQUEST));
        assertFrame(frame, new int[0], "2001:db8::2", 5350, "2001:db8::1", 5351, 0xb8, PCP6_MAP_PAYLOAD);
        assertFalse(frame.isIpv4());
        assertInstanceOf(Inet6Address.class, frame.source().getAddress());
    }

    @Test
    void pcpMapInQinq() {
        assertFrame(decoded(hex(PCP4_QINQ_REQUEST)), new int[] { 0x88a80064, 0x8100a00a }, "10.20.40.2", 5350,
            "10.20.40.1", 5351, 0x2b, PCP4_MAP_PAYLOAD);
    }

    @Test
    void ipv4OptionsAreSkippedInVlan() {
        assertFrame(decoded(hex(NATPMP_OPTIONS_REQUEST)), new int[] { 0x81000007 }, "10.0.0.2", 41493, "10.0.0.1",
            5351, 0, "00 00");
    }

    @Test
    void natpmpReply() {
        final var request = decoded(hex(NATPMP_REQUEST));
        assertArrayEquals(hex(NATPMP_REPLY), FrameCodec.encodeReply(request, hex(NATPMP_REPLY_PAYLOAD)));
    }

    @Test
    void pcpReplyOverIpv6() {
        final var request = decoded(hex(PCP6_MAP_REQUEST));
        assertArrayEquals(hex(PCP6_MAP_REPLY), FrameCodec.encodeReply(request, hex(PCP6_MAP_REPLY_PAYLOAD)));
    }

    @Test
    void announceToAllHostsV4() {
        assertArrayEquals(hex(ANNOUNCE_V4), FrameCodec.encodeMulticast(hex(GATEWAY_MAC), new int[0],
            socket("10.0.0.1", 5351), socket("224.0.0.1", 5350), hex(ANNOUNCE_PAYLOAD)));
    }

    @Test
    void announceToAllNodesV6InVlan() {
        assertArrayEquals(hex(ANNOUNCE_V6), FrameCodec.encodeMulticast(hex(GATEWAY_MAC), new int[] { 0x81000007 },
            socket("fe80::1", 5351), socket("ff02::1", 5350), hex(ANNOUNCE_PAYLOAD)));
    }

    @Test
    void multicastMacs() {
        assertArrayEquals(hex("01 00 5e 7f ff fa"), FrameCodec.multicastMac(TestFrames.ip("239.255.255.250")));
        // the 24th bit of the group is dropped (RFC 1112 section 6.4)
        assertArrayEquals(hex("01 00 5e 00 00 01"), FrameCodec.multicastMac(TestFrames.ip("224.128.0.1")));
        assertArrayEquals(hex("33 33 00 01 00 03"), FrameCodec.multicastMac(TestFrames.ip("ff02::1:3")));
    }
}
