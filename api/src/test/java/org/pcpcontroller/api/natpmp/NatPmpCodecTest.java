/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.natpmp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Vector E4 of the behaviour reference, and the NAT-PMP decoding rules of RFC 6886.
 */
class NatPmpCodecTest {
    private static final Inet4Address EXTERNAL = inet4("203.0.113.1");

    private static byte[] hex(final String text) {
        return HexFormat.of().parseHex(text.replaceAll("\\s+", ""));
    }

    private static Inet4Address inet4(final String literal) {
        try {
            return (Inet4Address) InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static void assertRequest(final String bytes, final NatPmpMessage expected) {
        assertEquals(new NatPmpDecodeResult.Decoded(expected), NatPmpCodec.decodeRequest(hex(bytes)));
        assertArrayEquals(hex(bytes), NatPmpCodec.encode(expected));
    }

    private static void assertResponse(final String bytes, final NatPmpMessage expected) {
        assertEquals(new NatPmpDecodeResult.Decoded(expected), NatPmpCodec.decodeResponse(hex(bytes)));
        assertArrayEquals(hex(bytes), NatPmpCodec.encode(expected));
    }

    @Test
    void e4PublicAddressRequest() {
        assertRequest("00 00", new NatPmpMessage.PublicAddressRequest());
    }

    @Test
    void e4PublicAddressResponse() {
        assertResponse("00 80 00 00 00 00 01 2c cb 00 71 01",
            new NatPmpMessage.PublicAddressResponse(NatPmpResultCode.SUCCESS, 300, EXTERNAL));
    }

    @Test
    void e4MapTcpRequest() {
        assertRequest("00 02 00 00 04 d2 04 d2 00 00 0e 10",
            new NatPmpMessage.MappingRequest(MappingProtocol.TCP, 1234, 1234, 3600));
    }

    @Test
    void e4MapTcpResponse() {
        assertResponse("00 82 00 00 00 00 01 2c 04 d2 04 d2 00 00 0e 10",
            new NatPmpMessage.MappingResponse(MappingProtocol.TCP, NatPmpResultCode.SUCCESS, 300, 1234, 1234, 3600));
    }

    @Test
    void e4DeleteRequest() {
        assertRequest("00 02 00 00 04 d2 00 00 00 00 00 00",
            new NatPmpMessage.MappingRequest(MappingProtocol.TCP, 1234, 0, 0));
    }

    @Test
    void e4DeleteResponse() {
        assertResponse("00 82 00 00 00 00 01 2c 04 d2 00 00 00 00 00 00",
            new NatPmpMessage.MappingResponse(MappingProtocol.TCP, NatPmpResultCode.SUCCESS, 300, 1234, 0, 0));
    }

    @Test
    void e4MapUdpUsesOpcode1() {
        assertRequest("00 01 00 00 00 35 00 00 00 00 00 78",
            new NatPmpMessage.MappingRequest(MappingProtocol.UDP, 53, 0, 120));
    }

    @Test
    void e4UnsupportedOpcodeIsAnsweredWithResult5() {
        final var failed = assertInstanceOf(NatPmpDecodeResult.Failed.class, NatPmpCodec.decodeRequest(hex("00 05")));
        assertEquals(NatPmpResultCode.UNSUPPORTED_OPCODE, failed.resultCode());
        assertArrayEquals(hex("00 85 00 05 00 00 01 2c"), NatPmpCodec.encode(failed.errorResponse(300)));
        assertResponse("00 85 00 05 00 00 01 2c",
            new NatPmpMessage.ErrorResponse(5, NatPmpResultCode.UNSUPPORTED_OPCODE, 300));
    }

    @Test
    void e4UnsupportedVersionIsAnsweredWithResult1() {
        final var failed = assertInstanceOf(NatPmpDecodeResult.Failed.class,
            NatPmpCodec.decodeRequest(hex("02 01 00 00 00 00 0e 10")));
        assertEquals(NatPmpResultCode.UNSUPPORTED_VERSION, failed.resultCode());
        assertArrayEquals(hex("00 81 00 01 00 00 01 2c"), NatPmpCodec.encode(failed.errorResponse(300)));
        assertResponse("00 81 00 01 00 00 01 2c",
            new NatPmpMessage.ErrorResponse(1, NatPmpResultCode.UNSUPPORTED_VERSION, 300));
    }

    @Test
    void e4AddressChangeAnnouncementIsAnUnsolicitedOpcode128Response() {
        assertArrayEquals(hex("00 80 00 00 00 00 01 2c cb 00 71 01"),
            NatPmpCodec.addressChangeAnnouncement(300, EXTERNAL));
    }

    @Test
    void fewerThanTwoBytesIsDropped() {
        assertInstanceOf(NatPmpDecodeResult.Dropped.class, NatPmpCodec.decodeRequest(hex("00")));
    }

    @Test
    void mappingRequestShorterThan12IsDropped() {
        assertInstanceOf(NatPmpDecodeResult.Dropped.class,
            NatPmpCodec.decodeRequest(hex("00 02 00 00 04 d2 04 d2 00 00")));
    }

    @Test
    void responseOpcodeInARequestIsDropped() {
        assertInstanceOf(NatPmpDecodeResult.Dropped.class, NatPmpCodec.decodeRequest(hex("00 80")));
    }

    @Test
    void unknownResultCodeSurvivesARoundTrip() {
        assertResponse("00 81 01 00 00 00 01 2c 00 35 00 35 00 00 00 78",
            new NatPmpMessage.MappingResponse(MappingProtocol.UDP, NatPmpResultCode.valueOf(256), 300, 53, 53, 120));
    }
}
