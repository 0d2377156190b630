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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.E1_REQUEST;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.NONCE;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.hex;
import static org.pcpcontroller.api.pcp.PcpGoldenBytesTest.ip;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;

/**
 * One test per decoding rule of RFC 6887 sections 7 and 8.3, named after the rule.
 */
class PcpRulesTest {
    private static final String THIRD_PARTY = " 01 00 00 10 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 07";
    private static final String FILTER = " 03 00 00 14 00 78 00 00 00 00 00 00 00 00 00 00 00 00 ff ff c6 33 64 00";

    private final PcpCodec codec = new PcpCodec();

    private PcpDecodeResult.Failed failed(final PcpCodec with, final String bytes) {
        return assertInstanceOf(PcpDecodeResult.Failed.class, with.decodeRequest(hex(bytes)));
    }

    private PcpRequest decoded(final String bytes) {
        return assertInstanceOf(PcpRequest.class,
            assertInstanceOf(PcpDecodeResult.Decoded.class, codec.decodeRequest(hex(bytes))).message());
    }

    private static byte[] e1WithVersion(final int version) {
        final byte[] bytes = hex(E1_REQUEST);
        bytes[0] = (byte) version;
        return bytes;
    }

    @Test
    void duplicateThirdPartyIsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST + THIRD_PARTY + THIRD_PARTY).resultCode());
    }

    @Test
    void duplicatePreferFailureIsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST + " 02 00 00 00 02 00 00 00").resultCode());
    }

    @Test
    void duplicateDescriptionIsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION,
            failed(codec, E1_REQUEST + " 80 00 00 03 61 62 63 00 80 00 00 00").resultCode());
    }

    @Test
    void filterMayAppearSeveralTimes() {
        final var filter = FilterOption.of(new Filter(ip("198.51.100.0"), 24, 0));
        assertEquals(120, filter.prefixLength());
        assertEquals(Optional.of(new Filter(ip("198.51.100.0"), 24, 0)), filter.filter());
        assertEquals(List.of(filter, filter), decoded(E1_REQUEST + FILTER + FILTER).options());
    }

    @Test
    void unknownMandatoryOptionIsUnsuppOption() {
        assertEquals(ResultCode.UNSUPP_OPTION, failed(codec, E1_REQUEST + " 05 00 00 00").resultCode());
    }

    @Test
    void libpcpFlowPriorityIsUnsuppOptionWhenConfiguredAsMiniupnpdCode() {
        final var miniupnpd = new PcpCodec(PcpRegistry.standard(FlowPriorityOption.MINIUPNPD_CODE));
        final var failed = failed(miniupnpd, E1_REQUEST + " 63 00 00 04 2e 2e 00 00");
        assertEquals(ResultCode.UNSUPP_OPTION, failed.resultCode());
        // the reference's vector E5(b): the whole request, option included, echoed under the new header
        assertArrayEquals(hex("""
            02 81 00 05 00 00 00 00 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00 63 00 00 04 2e 2e 00 00"""), failed.errorResponse(0, 300));
    }

    @Test
    void flowPriorityCodeIsConfigurable() {
        final var miniupnpd = new PcpCodec(PcpRegistry.standard(FlowPriorityOption.MINIUPNPD_CODE));
        final var message = assertInstanceOf(PcpDecodeResult.Decoded.class,
            miniupnpd.decodeRequest(hex(E1_REQUEST + " 04 00 00 04 0a 0c 00 80"))).message();
        assertEquals(List.of(new FlowPriorityOption(new FlowPriority(10, 12), true)), message.options());
        assertArrayEquals(hex(E1_REQUEST + " 04 00 00 04 0a 0c 00 80"), miniupnpd.encode(message));
    }

    @Test
    void unknownOptionalOptionIsKeptAndReencodedUnchanged() {
        final String bytes = E1_REQUEST + " c8 00 00 05 01 02 03 04 05 00 00 00";
        final PcpRequest request = decoded(bytes);
        assertEquals(List.of(new UnknownOption(200, new byte[] {1, 2, 3, 4, 5})), request.options());
        assertArrayEquals(hex(bytes), codec.encode(request));
    }

    @Test
    void optionPaddingIsHonoured() {
        // "abc" has one byte of padding; the THIRD_PARTY after it is only found if the padding is skipped
        assertEquals(List.of(new DescriptionOption("abc"), new ThirdPartyOption(ip("10.20.40.7"))),
            decoded(E1_REQUEST + " 80 00 00 03 61 62 63 00" + THIRD_PARTY).options());
    }

    @Test
    void optionLengthExcludesHeaderAndPadding() {
        final byte[] encoded = codec.encode(new PcpRequest(2, 3600, ip("10.20.40.2"),
            new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")), List.of(new DescriptionOption("abcde"))));
        assertArrayEquals(hex("80 00 00 05 61 62 63 64 65 00 00 00"), Arrays.copyOfRange(encoded, 60, 72));
        assertEquals(72, encoded.length);
    }

    @Test
    void optionOverrunningTheMessageIsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST + " 80 00 00 09 61 62 63 00").resultCode());
    }

    @Test
    void wrongThirdPartyLengthIsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST + " 01 00 00 04 0a 14 28 07").resultCode());
    }

    @Test
    void preferFailureWithDataIsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST + " 02 00 00 04 00 00 00 00").resultCode());
    }

    @Test
    void filterPrefixShorterThanTheIpv4MappedPrefixIsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST
            + " 03 00 00 14 00 18 00 00 00 00 00 00 00 00 00 00 00 00 ff ff c6 33 64 00").resultCode());
    }

    @Test
    void filterPrefixZeroMeansNoFilterAndIsKeptAsSent() {
        final String bytes = E1_REQUEST + " 03 00 00 14 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff ff c6 33 64 00";
        final PcpRequest request = decoded(bytes);
        final var filter = assertInstanceOf(FilterOption.class, request.options().get(0));
        assertTrue(filter.isNoFilter());
        assertEquals(Optional.empty(), filter.filter());
        assertArrayEquals(hex(bytes), codec.encode(request));
    }

    @Test
    void filterPrefixAbove128IsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST
            + " 03 00 00 14 00 81 00 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00").resultCode());
    }

    @Test
    void descriptionThatIsNotUtf8IsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST + " 80 00 00 02 c3 28 00 00").resultCode());
    }

    @Test
    void dscpAbove63IsMalformedOption() {
        assertEquals(ResultCode.MALFORMED_OPTION, failed(codec, E1_REQUEST + " 63 00 00 04 40 00 00 00").resultCode());
    }

    @Test
    void firstOptionErrorWins() {
        // miniupnpd lets the last error win; RFC 6887 processes options in order and stops at the first failure
        assertEquals(ResultCode.UNSUPP_OPTION,
            failed(codec, E1_REQUEST + " 05 00 00 00" + THIRD_PARTY + THIRD_PARTY).resultCode());
    }

    @Test
    void version3IsUnsuppVersionAnsweredWithVersion2() {
        final byte[] request = e1WithVersion(3);
        final var failed = assertInstanceOf(PcpDecodeResult.Failed.class, codec.decodeRequest(request));
        assertEquals(ResultCode.UNSUPP_VERSION, failed.resultCode());
        assertEquals(2, failed.responseVersion());
        // RFC 6887 section 8.3: a full copy of the request. miniupnpd zeroes bytes 40..43 here (vector E5(a));
        // this codec keeps the request's ports, see docs/codec.md.
        assertArrayEquals(hex("""
            02 81 00 01 00 00 00 00 00 00 01 2c 00 00 00 00
            00 00 00 00 00 00 00 00 01 02 03 04 05 06 07 08
            09 0a 0b 0c 06 00 00 00 04 d2 00 00 00 00 00 00
            00 00 00 00 00 00 ff ff 00 00 00 00"""), failed.errorResponse(0, 300));
    }

    @Test
    void unsuppVersionIsCheckedBeforeTheSize() {
        final var failed = failed(codec, "03 01");
        assertEquals(ResultCode.UNSUPP_VERSION, failed.resultCode());
        assertArrayEquals(hex("02 81 00 01 00 00 00 00 00 00 01 2c 00 00 00 00 00 00 00 00 00 00 00 00"),
            failed.errorResponse(0, 300));
    }

    @Test
    void fewerThanTwoBytesIsDropped() {
        assertInstanceOf(PcpDecodeResult.Dropped.class, codec.decodeRequest(hex("02")));
        assertInstanceOf(PcpDecodeResult.Dropped.class, codec.decodeRequest(new byte[0]));
    }

    @Test
    void requestWithTheRBitIsDropped() {
        final byte[] request = hex(E1_REQUEST);
        request[1] = (byte) 0x81;
        assertInstanceOf(PcpDecodeResult.Dropped.class, codec.decodeRequest(request));
    }

    @Test
    void requestShorterThan24IsMalformedRequest() {
        final var failed = failed(codec, "02 01 00 00 00 00 0e 10 00 00 00 00");
        assertEquals(ResultCode.MALFORMED_REQUEST, failed.resultCode());
        // miniupnpd answers 00 80 00 03 here (vector E5(e)); the version and opcode are known, so they are kept
        assertArrayEquals(hex("02 81 00 03 00 00 00 00 00 00 01 2c 00 00 00 00 00 00 00 00 00 00 00 00"),
            failed.errorResponse(0, 300));
    }

    @Test
    void requestNotAMultipleOf4IsMalformedRequest() {
        final var failed = failed(codec, E1_REQUEST + " 00");
        assertEquals(ResultCode.MALFORMED_REQUEST, failed.resultCode());
        assertEquals(64, failed.errorResponse(0, 300).length);
    }

    @Test
    void requestLongerThan1100IsMalformedRequestAndTheAnswerStillFits() {
        final byte[] request = Arrays.copyOf(hex(E1_REQUEST), 1104);
        final var failed = assertInstanceOf(PcpDecodeResult.Failed.class, codec.decodeRequest(request));
        assertEquals(ResultCode.MALFORMED_REQUEST, failed.resultCode());
        assertEquals(PcpCodec.MAX_MESSAGE_SIZE, failed.errorResponse(0, 300).length);
    }

    @Test
    void requestOf1100BytesIsAccepted() {
        final byte[] request = Arrays.copyOf(hex(E1_REQUEST), 1100);
        ByteBuffer.wrap(request).putShort(60, (short) 0xc800).putShort(62, (short) (1100 - 64));
        final var options = assertInstanceOf(PcpDecodeResult.Decoded.class, codec.decodeRequest(request))
            .message().options();
        assertEquals(List.of(new UnknownOption(200, new byte[1100 - 64])), options);
    }

    @Test
    void unknownOpcodeIsUnsuppOpcode() {
        final byte[] request = hex(E1_REQUEST);
        request[1] = 5;
        final var failed = assertInstanceOf(PcpDecodeResult.Failed.class, codec.decodeRequest(request));
        assertEquals(ResultCode.UNSUPP_OPCODE, failed.resultCode());
        assertEquals((byte) 0x85, failed.errorResponse(0, 300)[1]);
    }

    @Test
    void announceInVersion1IsUnsuppOpcode() {
        assertEquals(ResultCode.UNSUPP_OPCODE,
            failed(codec, "01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 02").resultCode());
    }

    @Test
    void mapPayloadShorterThan36IsMalformedRequest() {
        assertEquals(ResultCode.MALFORMED_REQUEST,
            failed(codec, E1_REQUEST.substring(0, E1_REQUEST.length() - 12)).resultCode());
    }

    @Test
    void version1MapIs24BytesWithoutNonce() {
        final String bytes = """
            01 01 00 00 00 00 0e 10 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 02
            06 00 00 00 04 d2 04 d2 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00""";
        final PcpRequest request = decoded(bytes);
        assertNull(assertInstanceOf(MapData.class, request.data()).nonce());
        assertEquals(new PcpRequest(1, 3600, ip("10.20.40.2"), new MapData(null, 6, 1234, 1234, ip("0.0.0.0")),
            List.of()), request);
        assertArrayEquals(hex(bytes), codec.encode(request));
    }

    @Test
    void version1PeerIs44Bytes() {
        final String bytes = """
            01 02 00 00 00 00 0e 10 00 00 00 00 00 00 00 00 00 00 ff ff 0a 14 28 02
            11 00 00 00 04 d2 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 00 00 00 00
            00 09 00 00 00 00 00 00 00 00 00 00 00 00 ff ff 08 08 08 08""";
        final PcpRequest request = decoded(bytes);
        assertEquals(new PeerData(null, 17, 1234, 0, ip("0.0.0.0"), 9, ip("8.8.8.8")), request.data());
        assertArrayEquals(hex(bytes), codec.encode(request));
    }

    @Test
    void version2DataWithoutNonceCannotBeEncoded() {
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new PcpRequest(2, 0, ip("10.20.40.2"),
            new MapData(null, 6, 1234, 0, ip("0.0.0.0")), List.of())));
    }

    @Test
    void errorResponseCopiesTheRequestAndZeroesReservedHeaderFields() {
        final byte[] request = hex(E1_REQUEST + THIRD_PARTY);
        request[2] = 0x55;
        request[3] = 0x66;
        final byte[] response = PcpCodec.errorResponse(request, 2, ResultCode.ADDRESS_MISMATCH, 0, 300);
        final byte[] expected = request.clone();
        ByteBuffer.wrap(expected).put(hex("02 81 00 0c 00 00 00 00 00 00 01 2c 00 00 00 00 00 00 00 00 00 00 00 00"));
        assertArrayEquals(expected, response);
    }

    @Test
    void encodedMessageLongerThan1100IsRefused() {
        assertThrows(IllegalArgumentException.class, () -> codec.encode(new PcpRequest(2, 0, ip("10.20.40.2"),
            new MapData(NONCE, 6, 1234, 0, ip("0.0.0.0")), List.of(new DescriptionOption("x".repeat(1100))))));
    }

    @Test
    void resultCodeValueOfReturnsCanonicalConstantsAndKeepsUnknownCodes() {
        assertSame(ResultCode.ADDRESS_MISMATCH, ResultCode.valueOf(12));
        final ResultCode unknown = ResultCode.valueOf(200);
        assertEquals("UNKNOWN(200)", unknown.name());
        assertEquals(unknown, ResultCode.valueOf(200));
        final var response = new PcpResponse(2, unknown, 0, 300, new AnnounceData(), List.of());
        assertEquals(new PcpDecodeResult.Decoded(response), codec.decodeResponse(codec.encode(response)));
    }

    @Test
    void opcodeValueOfReturnsCanonicalConstants() {
        assertSame(Opcode.PEER, Opcode.valueOf(2));
        assertEquals("UNKNOWN(100)", Opcode.valueOf(100).name());
        assertThrows(IllegalArgumentException.class, () -> Opcode.valueOf(128));
    }

    @Test
    void shortLifetimeErrorsAreNetworkFailureNoResourcesAndUserExQuota() {
        assertTrue(ResultCode.NETWORK_FAILURE.isShortLifetimeError());
        assertTrue(ResultCode.NO_RESOURCES.isShortLifetimeError());
        assertTrue(ResultCode.USER_EX_QUOTA.isShortLifetimeError());
        assertFalse(ResultCode.NOT_AUTHORIZED.isShortLifetimeError());
    }

    /**
     * A made-up mandatory option, to show that a new option is one class plus one registration.
     */
    record ExampleOption(int value) implements PcpOption {
        // one byte
    }

    @Test
    void newOptionIsOneRegistration() {
        final var custom = new PcpCodec(PcpRegistry.standardBuilder(FlowPriorityOption.LIBPCP_CODE)
            .registerOption(100, ExampleOption.class, data -> new ExampleOption(Byte.toUnsignedInt(data.get())),
                (option, out) -> out.put((byte) ((ExampleOption) option).value()), false)
            .build());
        final String bytes = E1_REQUEST + " 64 00 00 01 2a 00 00 00";
        assertEquals(ResultCode.UNSUPP_OPTION, failed(codec, bytes).resultCode());
        final var message = assertInstanceOf(PcpDecodeResult.Decoded.class, custom.decodeRequest(hex(bytes)))
            .message();
        assertEquals(List.of(new ExampleOption(42)), message.options());
        assertArrayEquals(hex(bytes), custom.encode(message));
    }

    @Test
    void responseWithoutTheRBitIsNotDecodedAsResponse() {
        assertInstanceOf(PcpDecodeResult.Dropped.class, codec.decodeResponse(hex(E1_REQUEST)));
    }
}
