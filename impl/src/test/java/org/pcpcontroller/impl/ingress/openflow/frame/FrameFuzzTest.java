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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * Jazzer fuzz target of the frame codec: any PACKET_IN payload. Decoding never throws; a frame it accepts comes
 * from a unicast IP source (docs/openflow.md: multicast sources are refused), a unicast datagram comes in a unicast
 * frame (RFC 1122 section 3.3.6), and it can be answered: the reply the
 * answer builder makes decodes to the mirrored request, with checksums that verify (as {@link FrameRoundTripTest}
 * checks them). Random bytes seldom carry valid checksums, so the last input byte may ask the target to fix them
 * first ({@link ChecksumFixer}), which lets the fuzzer reach the rules behind them. Seeds and findings live in
 * {@code FrameFuzzTestInputs/frame}; docs/fuzzing.md says how to run it long.
 */
class FrameFuzzTest {
    @FuzzTest
    void frame(final FuzzedDataProvider data) {
        final int fix = data.consumeInt(0, 2);
        final byte[] frame = data.consumeRemainingAsBytes();
        if (fix > 0) {
            ChecksumFixer.fix(frame, fix == 2);
        }
        if (!(FrameCodec.decode(frame) instanceof FrameDecodeResult.Decoded decoded)) {
            return;
        }
        final var request = decoded.frame();
        assertTrue(isValidSource(request.source().getAddress()), "accepted from a source no host sends from");
        if (request.destination().getAddress().isMulticastAddress() || isLimitedBroadcast(request.destination()
                .getAddress())) {
            // the punt path drops requests to a group before the engine (PuntSwitch), and encodeReply refuses
            // them; a request to the limited broadcast would be answered from it (PuntSwitch does not check it
            // yet), which decoding then refuses as a source
            return;
        }
        assertEquals(0, request.destinationMac()[0] & 1, "a unicast datagram accepted from a group frame");
        final byte[] reply = FrameCodec.encodeReply(request, request.payload());
        final var answer = assertInstanceOf(FrameDecodeResult.Decoded.class, FrameCodec.decode(reply),
            "the reply decodes").frame();
        assertArrayEquals(request.sourceMac(), answer.destinationMac());
        assertArrayEquals(request.destinationMac(), answer.sourceMac());
        assertArrayEquals(request.vlanTags(), answer.vlanTags());
        assertEquals(request.destination(), answer.source());
        assertEquals(request.source(), answer.destination());
        assertEquals(request.trafficClass() & 0xFC, answer.trafficClass(), "DSCP kept, ECN clear");
        assertArrayEquals(request.payload(), answer.payload());
        final int ip = 14 + 4 * request.vlanTags().length;
        assertNotEquals(0, TestFrames.assertChecksumsVerify(reply, ip), "UDP checksum always computed");
        assertEquals(64, reply[ip + (request.isIpv4() ? 8 : 7)] & 0xFF, "TTL / hop limit");
        assertEquals(Math.max(60, ip + (request.isIpv4() ? 20 : 40) + 8 + request.payload().length), reply.length);
        assertTrue(request.isIpv4() == request.source().getAddress() instanceof Inet4Address);
    }

    /**
     * Whether a host may accept a datagram from this source: not the unspecified address, not a multicast address,
     * not the IPv4 limited broadcast (RFC 1122 section 3.2.1.3, RFC 4291 section 2.7).
     */
    static boolean isValidSource(final InetAddress source) {
        return !source.isAnyLocalAddress() && !source.isMulticastAddress() && !isLimitedBroadcast(source);
    }

    private static boolean isLimitedBroadcast(final InetAddress address) {
        final byte[] bytes = address.getAddress();
        return address instanceof Inet4Address && (bytes[0] & bytes[1] & bytes[2] & bytes[3]) == (byte) 0xFF;
    }
}
