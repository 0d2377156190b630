/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.pcp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Nonce;

/**
 * The hex vectors of section 15 of the PCP/NAT-PMP behaviour reference: bytes decode to the expected object, and
 * the object encodes back to the same bytes.
 */
class PcpGoldenBytesTest {
    static final Nonce NONCE = Nonce.ofHex("0102030405060708090a0b0c");
    static final String E1_REQUEST = """
        02 01 00 00 00 00 0e 10 00 00 00 00 00 00 00 00
        00 00 ff ff 0a 14 28 02 01 02 03 04 05 06 07 08
        09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
        00 00 00 00 00 00 ff ff 00 00 00 00""";

    private final PcpCodec codec = new PcpCodec();

    static byte[] hex(final String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    static InetAddress ip(final String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private void assertRequest(final String bytes, final PcpRequest expected) {
        final var result = assertInstanceOf(PcpDecodeResult.Decoded.class, codec.decodeRequest(hex(bytes)));
        assertEquals(expected, result.message());
        assertArrayEquals(hex(bytes), codec.encode(expected));
    }

    private void assertResponse(final String bytes, final PcpResponse expected) {
        final var result = assertInstanceOf(PcpDecodeResult.Decoded.class, codec.decodeResponse(hex(bytes)));
        assertEquals(expected, result.message());
        assertArrayEquals(hex(bytes), codec.encode(expected));
    }

    @Test
    void e1MapRequest() {
        assertRequest(E1_REQUEST, new PcpRequest(2, 3600, ip("10.20.40.2"),
            new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")), List.of()));
    }

    @Test
    void e1MapResponse() {
        assertResponse("""
            02 81 00 00 00 00 0e 10 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 04 d2 00 00 00 00
            00 00 00 00 00 00 ff ff cb 00 71 01""", new PcpResponse(2, ResultCode.SUCCESS, 3600, 300,
                new MapData(NONCE, 6, 1234, 1234, ip("203.0.113.1")), List.of()));
    }

    @Test
    void e2DeleteRequest() {
        assertRequest("""
            02 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00
            00 00 ff ff 0a 14 28 02 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 04 d2 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00""", new PcpRequest(2, 0, ip("10.20.40.2"),
                new MapData(NONCE, 6, 1234, 1234, ip("0.0.0.0")), List.of()));
    }

    @Test
    void e2DeleteResponse() {
        assertResponse("""
            02 81 00 00 00 00 00 00 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 04 d2 00 00 00 00
            00 00 00 00 00 00 ff ff cb 00 71 01""", new PcpResponse(2, ResultCode.SUCCESS, 0, 300,
                new MapData(NONCE, 6, 1234, 1234, ip("203.0.113.1")), List.of()));
    }

    @Test
    void e3PeerRequest() {
        // also pins the peer address offset: bytes 76..79 are 8.8.8.8, not 8.8.0.0 (reference section 8.2)
        assertRequest("""
            02 02 00 00 00 00 0e 10 00 00 00 00 00 00 00 00
            00 00 ff ff 0a 14 28 02 01 02 03 04 05 06 07 08
            09 0a 0b 0c 11 00 00 00 04 d2 00 00 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00 00 09 00 00
            00 00 00 00 00 00 00 00 00 00 ff ff 08 08 08 08""", new PcpRequest(2, 3600, ip("10.20.40.2"),
                new PeerData(NONCE, 17, 1234, 0, ip("0.0.0.0"), 9, ip("8.8.8.8")), List.of()));
    }

    @Test
    void e3PeerResponse() {
        assertResponse("""
            02 82 00 00 00 00 0e 10 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 11 00 00 00 04 d2 04 d2 00 00 00 00
            00 00 00 00 00 00 ff ff cb 00 71 01 00 09 00 00
            00 00 00 00 00 00 00 00 00 00 ff ff 08 08 08 08""", new PcpResponse(2, ResultCode.SUCCESS, 3600, 300,
                new PeerData(NONCE, 17, 1234, 1234, ip("203.0.113.1"), 9, ip("8.8.8.8")), List.of()));
    }

    @Test
    void e5aUnsuppVersionResponseAsMiniupnpdSendsIt() {
        assertResponse("""
            02 81 00 01 00 00 00 00 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 00 00 00 00 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00""", new PcpResponse(2, ResultCode.UNSUPP_VERSION, 0, 300,
                new MapData(NONCE, 6, 0, 0, ip("0.0.0.0")), List.of()));
    }

    @Test
    void e5bFlowPriorityRequest() {
        assertRequest(E1_REQUEST + " 63 00 00 04 2e 2e 00 00", new PcpRequest(2, 3600, ip("10.20.40.2"),
            new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")),
            List.of(new FlowPriorityOption(new FlowPriority(46, 46), false))));
    }

    @Test
    void e5bUnsuppOptionResponse() {
        assertResponse("""
            02 81 00 05 00 00 00 00 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00 63 00 00 04 2e 2e 00 00""",
            new PcpResponse(2, ResultCode.UNSUPP_OPTION, 0, 300, new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")),
                List.of(new FlowPriorityOption(new FlowPriority(46, 46), false))));
    }

    @Test
    void e5cAddressMismatchResponse() {
        assertResponse("""
            02 81 00 0c 00 00 00 00 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00""", new PcpResponse(2, ResultCode.ADDRESS_MISMATCH, 0, 300,
                new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")), List.of()));
    }

    @Test
    void e5cAddressMismatchAnswerIsTheRequestUnderAnErrorHeader() {
        // client-IP field ::ffff:10.20.40.3; the server finds the mismatch after decoding and answers with a copy
        final byte[] request = hex(E1_REQUEST.replace("0a 14 28 02", "0a 14 28 03"));
        assertInstanceOf(PcpDecodeResult.Decoded.class, codec.decodeRequest(request));
        final byte[] expected = hex("""
            02 81 00 0c 00 00 00 00 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00""");
        assertArrayEquals(expected, PcpCodec.errorResponse(request, 2, ResultCode.ADDRESS_MISMATCH, 0, 300));
    }

    @Test
    void e5dAnnounceRequest() {
        assertRequest("02 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 02",
            new PcpRequest(2, 0, ip("10.20.40.2"), new AnnounceData(), List.of()));
    }

    @Test
    void e5dAnnounceResponseIsAlsoTheUnsolicitedAnnounce() {
        assertResponse("02 80 00 00 00 00 00 00 00 00 01 2c 00 00 00 00 00 00 00 00 00 00 00 00",
            new PcpResponse(2, ResultCode.SUCCESS, 0, 300, new AnnounceData(), List.of()));
    }

    @Test
    void unsolicitedAnnounceIsTheAnnounceResponseWithLifetime0() {
        assertArrayEquals(hex("02 80 00 00 00 00 00 00 00 00 01 2c 00 00 00 00 00 00 00 00 00 00 00 00"),
            codec.unsolicitedAnnounce(300));
    }

    @Test
    void thirdPartyOptionVector() {
        assertRequest(E1_REQUEST + " 01 00 00 10 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 07",
            new PcpRequest(2, 3600, ip("10.20.40.2"), new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")),
                List.of(new ThirdPartyOption(ip("10.20.40.7")))));
    }

    @Test
    void preferFailureOptionVector() {
        assertRequest(E1_REQUEST + " 02 00 00 00", new PcpRequest(2, 3600, ip("10.20.40.2"),
            new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")), List.of(new PreferFailureOption())));
    }

    @Test
    void filterOptionVectorCountsIpv4PrefixFrom96() {
        assertRequest(E1_REQUEST + " 03 00 00 14 00 78 00 00 00 00 00 00 00 00 00 00 00 00 ff ff c6 33 64 00",
            new PcpRequest(2, 3600, ip("10.20.40.2"), new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")),
                List.of(FilterOption.of(new Filter(ip("198.51.100.0"), 24, 0)))));
    }

    @Test
    void descriptionOptionVector() {
        assertRequest(E1_REQUEST + " 80 00 00 0c 50 43 50 20 31 32 33 34 20 74 63 70",
            new PcpRequest(2, 3600, ip("10.20.40.2"), new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")),
                List.of(new DescriptionOption("PCP 1234 tcp"))));
    }

    @Test
    void paddedDescriptionOptionVector() {
        assertRequest(E1_REQUEST + " 80 00 00 03 61 62 63 00",
            new PcpRequest(2, 3600, ip("10.20.40.2"), new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")),
                List.of(new DescriptionOption("abc"))));
    }
}
