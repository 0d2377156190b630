/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.hex;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames the decoder accepted although no host stack would, found by {@link FrameFuzzTest} (FRAME-1, FRAME-2 in
 * docs/fuzzing.md), now refused. Each input is also in its regression corpus ({@code FrameFuzzTestInputs/frame}).
 */
class FrameHostRulesTest {
    /**
     * FRAME-1. RFC 1122 section 3.2.1.3: a host silently discards a datagram whose source is 0.0.0.0, the limited
     * broadcast or a multicast address; RFC 4291 section 2.7: no IPv6 packet comes from a multicast address;
     * docs/openflow.md promises "refuses ... multicast sources". The codec checked only the source MAC, so these
     * frames (natpmpc's request with the IP source replaced, checksums fixed) reached the engine and the answer went
     * to a group or to nowhere.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        // source 224.0.0.5
        "52540000000152540000000208004500001e1c46400040113483e00000050a000001a21514e7000a5ed70000",
        // source 255.255.255.255
        "52540000000152540000000208004500001e1c46400040111489ffffffff0a000001a21514e7000a3edd0000",
        // source 0.0.0.0
        "52540000000152540000000208004500001e1c46400040111489000000000a000001a21514e7000a3edd0000",
    })
    void rfc1122_3_2_1_3_datagramsFromNoHostAddressAreDiscarded(final String frame) {
        assertInstanceOf(FrameDecodeResult.Rejected.class, FrameCodec.decode(hex(frame)));
    }

    /**
     * FRAME-2. RFC 1122 section 3.3.6: a host silently discards a datagram received as a link-layer broadcast (or
     * multicast) that is not addressed to an IP broadcast or multicast address. The codec accepted such a frame; the
     * punt path served it (PuntSwitch checks only the IP destination) and then {@link FrameCodec#encodeReply}
     * threw IllegalArgumentException ("request sent to a group MAC address") in the engine's callback: the mapping
     * was made and the client never heard of it.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        // natpmpc's public address request to ff:ff:ff:ff:ff:ff, IP 10.0.0.2 -> 10.0.0.1
        "ffffffffffff52540000000208004500001e1c46400040110a870a0000020a000001a21514e7000a34db0000",
    })
    void rfc1122_3_3_6_unicastDatagramInAGroupFrameIsDiscarded(final String frame) {
        assertInstanceOf(FrameDecodeResult.Rejected.class, FrameCodec.decode(hex(frame)));
    }

    /**
     * FRAME-3. RFC 1122 section 3.2.1.3 and RFC 4291 section 2.5.2: the unspecified address (0.0.0.0, ::) is never a
     * destination. The codec accepted a request to it (found by {@link FrameFuzzTest}: natpmpc's request from 1.0.0.0
     * to 0.0.0.0, with two bytes of Ethernet padding), and the answer, which must come from the address asked, was a
     * frame from 0.0.0.0 that the codec itself refuses. Checksums are written by {@link ChecksumFixer} as the fuzz
     * target did.
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "52540000000152540000000208004500001e1c46400040110a870100000000000000a21514e7000a32db000000",
        // the same to :: over IPv6
        "52540000000152540000000286dd60000000000a1140fd000000000000000000000000000002000000000000000000000000"
            + "00000000a21514e7000a00000000",
    })
    void rfc1122_3_2_1_3_datagramsToTheUnspecifiedAddressAreDiscarded(final String frame) {
        final byte[] bytes = hex(frame);
        ChecksumFixer.fix(bytes, true);
        final String unspecified = frame.contains("86dd") ? "0:0:0:0:0:0:0:0" : "0.0.0.0";
        final var rejected = assertInstanceOf(FrameDecodeResult.Rejected.class, FrameCodec.decode(bytes));
        assertEquals("IP destination " + unspecified + " is the unspecified address", rejected.reason());
    }
}
