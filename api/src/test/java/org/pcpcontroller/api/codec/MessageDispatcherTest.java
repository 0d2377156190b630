/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * Dispatch on the version byte (RFC 6887 section 9).
 */
class MessageDispatcherTest {
    private static final String MAP_BODY = """
        00 00 00 00 0e 10 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 02 01 02 03 04 05 06 07 08
        09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00""";

    private final MessageDispatcher dispatcher = new MessageDispatcher();

    private static byte[] hex(final String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    private PcpDecodeResult pcp(final String bytes) {
        return assertInstanceOf(DecodeResult.Pcp.class, dispatcher.decodeRequest(hex(bytes))).result();
    }

    @Test
    void version0IsNatPmp() {
        final var result = assertInstanceOf(DecodeResult.NatPmp.class, dispatcher.decodeRequest(hex("00 00")));
        assertEquals(new NatPmpDecodeResult.Decoded(new NatPmpMessage.PublicAddressRequest()), result.result());
    }

    @Test
    void version1IsPcpDraft() {
        final var decoded = assertInstanceOf(PcpDecodeResult.Decoded.class, pcp("""
            01 01 00 00 00 00 0e 10 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 02
            06 00 00 00 04 d2 04 d2 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00"""));
        assertEquals(1, assertInstanceOf(PcpRequest.class, decoded.message()).version());
    }

    @Test
    void version2IsPcp() {
        final var decoded = assertInstanceOf(PcpDecodeResult.Decoded.class, pcp("02 01" + MAP_BODY));
        assertEquals(2, assertInstanceOf(PcpRequest.class, decoded.message()).version());
    }

    @Test
    void version3IsUnsuppVersion() {
        final var failed = assertInstanceOf(PcpDecodeResult.Failed.class, pcp("03 01" + MAP_BODY));
        assertEquals(ResultCode.UNSUPP_VERSION, failed.resultCode());
        assertEquals(2, failed.errorResponse(0, 300)[0]);
    }

    @Test
    void version255IsUnsuppVersion() {
        assertEquals(ResultCode.UNSUPP_VERSION,
            assertInstanceOf(PcpDecodeResult.Failed.class, pcp("ff 01" + MAP_BODY)).resultCode());
    }

    @Test
    void emptyDatagramIsEmpty() {
        assertInstanceOf(DecodeResult.Empty.class, dispatcher.decodeRequest(new byte[0]));
    }

    @Test
    void responsesAreDispatchedTheSameWay() {
        final byte[] pcpResponse = hex("02 80 00 00 00 00 00 00 00 00 01 2c 00 00 00 00 00 00 00 00 00 00 00 00");
        final var pcp = assertInstanceOf(DecodeResult.Pcp.class, dispatcher.decodeResponse(pcpResponse));
        assertInstanceOf(PcpResponse.class,
            assertInstanceOf(PcpDecodeResult.Decoded.class, pcp.result()).message());
        final var natPmp = assertInstanceOf(DecodeResult.NatPmp.class,
            dispatcher.decodeResponse(hex("00 80 00 00 00 00 01 2c cb 00 71 01")));
        assertInstanceOf(NatPmpDecodeResult.Decoded.class, natPmp.result());
    }
}
