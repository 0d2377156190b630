/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.impl.ingress.openflow.frame.TestFrames.hex;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Decoding never throws, whatever the bytes: 20,000 frames, random or valid ones with bytes flipped, cut short or
 * extended, some with their IPv4 header checksum fixed up so that the mutation reaches the rules behind it. A fixed
 * seed keeps failures reproducible.
 */
class FrameDecodeFuzzTest {
    private static final int FRAMES = 20_000;
    private static final List<byte[]> VALID = List.of(hex(TestFrames.NATPMP_REQUEST),
        hex(TestFrames.NATPMP_OPTIONS_REQUEST), hex(TestFrames.PCP4_QINQ_REQUEST), hex(TestFrames.PCP6_MAP_REQUEST),
        hex(TestFrames.PCP6_MAP_REPLY), hex(TestFrames.ANNOUNCE_V4), hex(TestFrames.ANNOUNCE_V6));

    private static byte[] mutate(final Random random, final byte[] valid) {
        byte[] frame = valid.clone();
        final int flips = random.nextInt(4);
        for (int i = 0; i < flips; i++) {
            final int index = random.nextInt(frame.length);
            // mostly small changes, which tend to keep the frame plausible for longer
            frame[index] = (byte) (random.nextBoolean() ? frame[index] ^ 1 << random.nextInt(8) : random.nextInt());
        }
        switch (random.nextInt(4)) {
            case 0 -> frame = Arrays.copyOf(frame, random.nextInt(frame.length + 1));
            case 1 -> {
                frame = Arrays.copyOf(frame, frame.length + random.nextInt(64));
                for (int i = valid.length; i < frame.length; i++) {
                    frame[i] = (byte) random.nextInt();
                }
            }
            default -> {
                // keep the length
            }
        }
        final int ip = ipv4Offset(frame);
        if (ip >= 0 && random.nextBoolean() && frame.length >= ip + (frame[ip] & 0x0F) * 4) {
            TestFrames.fixIpv4Checksum(frame, ip);
        }
        return frame;
    }

    /** Where the IPv4 header of an IPv4 frame starts, or -1. */
    private static int ipv4Offset(final byte[] frame) {
        int offset = 12;
        while (offset + 2 <= frame.length) {
            final int etherType = TestFrames.u16(frame, offset);
            if (etherType == FrameCodec.ETHERTYPE_IPV4) {
                return frame.length > offset + 2 ? offset + 2 : -1;
            }
            if (!FrameCodec.isVlanTpid(etherType)) {
                return -1;
            }
            offset += 4;
        }
        return -1;
    }

    @Test
    void decodeNeverThrows() {
        final var random = new Random(6887);
        int decoded = 0;
        int rejected = 0;
        for (int i = 0; i < FRAMES; i++) {
            final byte[] frame;
            if (i % 4 == 0) {
                frame = new byte[random.nextInt(160)];
                random.nextBytes(frame);
            } else {
                frame = mutate(random, VALID.get(random.nextInt(VALID.size())));
            }
            final var result = assertDoesNotThrow(() -> FrameCodec.decode(frame),
                () -> "frame " + HexFormat.of().formatHex(frame));
            switch (result) {
                case FrameDecodeResult.Decoded ok -> decoded++;
                case FrameDecodeResult.Rejected no -> {
                    assertFalse(no.reason().isEmpty());
                    rejected++;
                }
            }
        }
        // both outcomes are exercised, so mutations do reach past the first checks
        assertTrue(decoded > FRAMES / 20, "decoded " + decoded);
        assertTrue(rejected > FRAMES / 2, "rejected " + rejected);
    }
}
