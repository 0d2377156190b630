/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The test responder answers like a server: the reference vectors E1 and E4, ADDRESS_MISMATCH when the client IP
 * field is not the source, and the same answers in raw mode as through the codec (epoch aside).
 */
class EchoResponderTest {
    private static final String E1_REQUEST = "0201000000000e1000000000000000000000ffff0a142802"
        + "0102030405060708090a0b0c" + "06000000" + "04d20000" + "00000000000000000000ffff00000000";
    private static final String E4_MAP_REQUEST = "0002000004d204d200000e10";

    private EchoResponder responder;

    @BeforeEach
    void start() throws IOException {
        responder = EchoResponder.start(new InetSocketAddress(LoadOptions.address("127.0.0.1"), 0), 1,
            (Inet4Address) LoadOptions.address("203.0.113.1"), false, 0);
    }

    @AfterEach
    void stop() throws IOException {
        responder.close();
    }

    private static byte[] hex(final String text) {
        return HexFormat.of().parseHex(text);
    }

    // the epoch depends on when the responder started; tests compare with it zeroed
    private static byte[] withoutEpoch(final byte[] response, final int offset) {
        final byte[] copy = response.clone();
        for (int i = offset; i < offset + 4; i++) {
            copy[i] = 0;
        }
        return copy;
    }

    @Test
    void mapFromTheClientAddressIsGrantedWithTheInternalPort() {
        final byte[] response = responder.answer(hex(E1_REQUEST), LoadOptions.address("10.20.40.2"));
        assertNotNull(response);
        assertArrayEquals(hex("0281000000000e1000000000000000000000000000000000"
            + "0102030405060708090a0b0c" + "06000000" + "04d204d2" + "00000000000000000000ffffcb007101"),
            withoutEpoch(response, 8));
    }

    @Test
    void mapFromAnotherSourceIsAddressMismatch() {
        final byte[] response = responder.answer(hex(E1_REQUEST), LoadOptions.address("10.20.40.3"));
        assertNotNull(response);
        assertEquals(60, response.length);
        assertEquals(12, response[3]);
    }

    @Test
    void rawAnswersEqualCodecAnswers() {
        final var source = LoadOptions.address("10.20.40.2");
        for (String request : new String[] { E1_REQUEST, E4_MAP_REQUEST, "0000" }) {
            final int epochOffset = request.startsWith("02") ? 8 : 4;
            assertArrayEquals(withoutEpoch(responder.answer(hex(request), source), epochOffset),
                withoutEpoch(responder.answerInPlace(hex(request)), epochOffset), request);
        }
    }
}
