/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.pcp.FilterOption;
import org.pcpcontroller.api.pcp.PcpCodec;

/**
 * Whatever arrives, the engine completes with an answer of at most 1100 bytes or a drop, and never throws.
 */
class MalformedInputTest extends AbstractEngineTest {
    @Test
    void randomDatagramsOfAnySizeAreAnsweredOrDropped() throws Exception {
        final var random = new Random(6887);
        for (int i = 0; i < 3000; i++) {
            final var datagram = new byte[random.nextInt(i % 10 == 0 ? 4000 : 140)];
            random.nextBytes(datagram);
            if (datagram.length > 0) {
                // mostly valid versions, so that the handlers see the garbage, not just the version check
                datagram[0] = (byte) random.nextInt(4);
            }
            if (datagram.length > 1) {
                datagram[1] = (byte) (datagram[1] & 0x7f);
            }
            final var answer = fixture.send(EngineFixture.CLIENT, datagram);
            assertTrue(answer.isEmpty() || answer.orElseThrow().length <= PcpCodec.MAX_MESSAGE_SIZE,
                "answer too long");
        }
        assertEquals(0, fixture.engine.internalErrors(), "requests that escaped as exceptions");
    }

    @Test
    void mutatedValidRequestsAreAnsweredOrDropped() throws Exception {
        final var random = new Random(6886);
        final var valid = fixture.codec.encode(EngineFixture.map(3600, 1234, 0,
            new FilterOption(120, 80, com.google.common.net.InetAddresses.forString("198.51.100.0"))));
        for (int i = 0; i < 3000; i++) {
            final var datagram = valid.clone();
            for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                datagram[random.nextInt(datagram.length)] = (byte) random.nextInt(256);
            }
            final var answer = fixture.send(EngineFixture.CLIENT, datagram);
            assertTrue(answer.isEmpty() || answer.orElseThrow().length <= PcpCodec.MAX_MESSAGE_SIZE,
                "answer too long");
        }
        assertEquals(0, fixture.engine.internalErrors(), "requests that escaped as exceptions");
    }
}
