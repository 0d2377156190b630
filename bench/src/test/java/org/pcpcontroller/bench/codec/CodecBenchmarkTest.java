/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.codec.DecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpRequest;

/**
 * The benchmarks measure what they say: their vectors decode as valid requests and their responses encode to the
 * reference bytes, so a codec change that turned a vector into an error would not silently speed a benchmark up.
 */
class CodecBenchmarkTest {
    // pcp-natpmp-behaviour.md section 15, E1 and E3 responses; E4 NAT-PMP map response
    private static final String E1_RESPONSE = "0281000000000e100000012c000000000000000000000000"
        + "0102030405060708090a0b0c" + "06000000" + "04d204d2" + "00000000000000000000ffffcb007101";
    private static final String E3_RESPONSE = "0282000000000e100000012c000000000000000000000000"
        + "0102030405060708090a0b0c" + "11000000" + "04d204d2" + "00000000000000000000ffffcb007101"
        + "00090000" + "00000000000000000000ffff08080808";
    private static final String FLOWP_RESPONSE_OPTION = "630000042e2e0080";
    private static final String E4_RESPONSE = "00820000" + "0000012c" + "04d204d2" + "00000e10";

    private final CodecBenchmark benchmark = new CodecBenchmark();

    @Test
    void pcpMapVectorDecodesAsRequest() {
        final var pcp = assertInstanceOf(DecodeResult.Pcp.class, benchmark.pcpMapDecodeRequest());
        assertInstanceOf(PcpRequest.class, assertInstanceOf(PcpDecodeResult.Decoded.class, pcp.result()).message());
    }

    @Test
    void pcpPeerVectorDecodesWithFlowPriority() {
        final var pcp = assertInstanceOf(DecodeResult.Pcp.class, benchmark.pcpPeerFlowPriorityDecodeRequest());
        final var request = assertInstanceOf(PcpRequest.class,
            assertInstanceOf(PcpDecodeResult.Decoded.class, pcp.result()).message());
        assertInstanceOf(FlowPriorityOption.class, request.options().getFirst());
    }

    @Test
    void natPmpVectorDecodesAsRequest() {
        final var natPmp = assertInstanceOf(DecodeResult.NatPmp.class, benchmark.natPmpMapDecodeRequest());
        assertInstanceOf(NatPmpDecodeResult.Decoded.class, natPmp.result());
    }

    @Test
    void encodedResponsesAreTheReferenceBytes() {
        assertArrayEquals(hex(E1_RESPONSE), benchmark.pcpMapEncodeResponse());
        assertArrayEquals(hex(E3_RESPONSE + FLOWP_RESPONSE_OPTION), benchmark.pcpPeerFlowPriorityEncodeResponse());
        assertArrayEquals(hex(E4_RESPONSE), benchmark.natPmpMapEncodeResponse());
    }

    @Test
    void servingEachVectorGivesTheEncodedResponse() {
        assertArrayEquals(benchmark.pcpMapEncodeResponse(), benchmark.pcpMapServe());
        assertArrayEquals(benchmark.pcpPeerFlowPriorityEncodeResponse(), benchmark.pcpPeerFlowPriorityServe());
        assertArrayEquals(benchmark.natPmpMapEncodeResponse(), benchmark.natPmpMapServe());
        assertEquals(88, benchmark.pcpPeerFlowPriorityServe().length);
    }

    private static byte[] hex(final String text) {
        return HexFormat.of().parseHex(text);
    }
}
