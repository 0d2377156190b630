/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.api.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpRegistry;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * Jazzer fuzz target of the PCP / NAT-PMP codec: any datagram, decoded as a server decodes a request and as a
 * client decodes a response, with both FLOW_PRIORITY codes (libpcp's 99, miniupnpd's 4). Whatever decodes
 * re-encodes and decodes to an equal message; whatever is refused gets an error answer that is a well-formed
 * message (RFC 6887 section 8.3, RFC 6886 section 3.5); nothing throws. Seeds and findings live in
 * {@code CodecFuzzTestInputs/datagram}; how to run it long is in docs/fuzzing.md.
 */
class CodecFuzzTest {
    private static final List<MessageDispatcher> DISPATCHERS = List.of(new MessageDispatcher(),
        new MessageDispatcher(new PcpCodec(PcpRegistry.standard(FlowPriorityOption.MINIUPNPD_CODE))));
    /** A short error lifetime and an epoch time with every byte distinct, so a misplaced field shows. */
    private static final long ERROR_LIFETIME = 30;
    private static final long EPOCH_TIME = 0x0a0b0c0dL;

    @FuzzTest
    void datagram(final byte[] datagram) {
        for (var dispatcher : DISPATCHERS) {
            checkRequest(dispatcher, datagram);
            checkResponse(dispatcher, datagram);
        }
    }

    private static void checkRequest(final MessageDispatcher dispatcher, final byte[] datagram) {
        switch (dispatcher.decodeRequest(datagram)) {
            case DecodeResult.Empty empty -> assertEquals(0, datagram.length);
            case DecodeResult.Pcp(PcpDecodeResult.Decoded(var message)) -> {
                assertInstanceOf(PcpRequest.class, message, "a request decodes to a request");
                pcpRoundTrip(dispatcher, message, true);
            }
            case DecodeResult.Pcp(PcpDecodeResult.Failed failed) -> {
                // RFC 6887 section 8.3: too short or a response is dropped, never answered
                assertTrue(datagram.length >= 2 && (datagram[1] & 0x80) == 0, "answered a dropped datagram");
                checkPcpError(datagram, failed, ERROR_LIFETIME);
                checkPcpError(datagram, failed, 0);
            }
            case DecodeResult.Pcp(PcpDecodeResult.Dropped dropped) ->
                assertTrue(datagram.length < 2 || (datagram[1] & 0x80) != 0, () -> "dropped: " + dropped);
            case DecodeResult.NatPmp(NatPmpDecodeResult.Decoded(var message)) -> {
                assertTrue(message instanceof NatPmpMessage.PublicAddressRequest
                    || message instanceof NatPmpMessage.MappingRequest, () -> "a request decodes to " + message);
                final byte[] encoded = NatPmpCodec.encode(message);
                assertEquals(new DecodeResult.NatPmp(new NatPmpDecodeResult.Decoded(message)),
                    dispatcher.decodeRequest(encoded));
                // the modelled fields are the first 2 (address request) or 12 bytes less the reserved 16 bits
                assertArrayEquals(withoutReservedNatPmp(datagram, encoded.length), withoutReservedNatPmp(encoded,
                    encoded.length));
            }
            case DecodeResult.NatPmp(NatPmpDecodeResult.Failed failed) -> {
                final byte[] answer = NatPmpCodec.encode(failed.errorResponse(EPOCH_TIME));
                // RFC 6886 section 3.5: version 0, the request's opcode + 128, the result code, the epoch
                assertEquals(8, answer.length);
                assertEquals(0, answer[0]);
                assertEquals(0x80 | datagram[1] & 0xff, answer[1] & 0xff);
                assertNotEquals(0, ByteBuffer.wrap(answer).getShort(2), "an error answer is not SUCCESS");
                assertEquals(EPOCH_TIME, Integer.toUnsignedLong(ByteBuffer.wrap(answer).getInt(4)));
                assertEquals(new DecodeResult.NatPmp(new NatPmpDecodeResult.Decoded(failed.errorResponse(
                    EPOCH_TIME))), dispatcher.decodeResponse(answer));
            }
            case DecodeResult.NatPmp(NatPmpDecodeResult.Dropped dropped) -> {
                // dropped: too short, a response, or a mapping request under 12 bytes
            }
        }
    }

    private static void checkResponse(final MessageDispatcher dispatcher, final byte[] datagram) {
        switch (dispatcher.decodeResponse(datagram)) {
            case DecodeResult.Empty empty -> assertEquals(0, datagram.length);
            case DecodeResult.Pcp(PcpDecodeResult.Decoded(var message)) -> {
                assertInstanceOf(PcpResponse.class, message, "a response decodes to a response");
                pcpRoundTrip(dispatcher, message, false);
            }
            case DecodeResult.Pcp(PcpDecodeResult.Failed failed) ->
                assertNotEquals(ResultCode.SUCCESS, failed.resultCode(), "a failure names an error");
            case DecodeResult.Pcp(PcpDecodeResult.Dropped dropped) -> {
                // not a response
            }
            case DecodeResult.NatPmp(NatPmpDecodeResult.Decoded(var message)) -> {
                // every bit of a NAT-PMP response is modelled: the bytes come back exactly
                final byte[] encoded = NatPmpCodec.encode(message);
                assertArrayEquals(datagram, encoded, () -> "re-encoded " + message);
                assertEquals(new DecodeResult.NatPmp(new NatPmpDecodeResult.Decoded(message)),
                    dispatcher.decodeResponse(encoded));
            }
            case DecodeResult.NatPmp(NatPmpDecodeResult.Failed failed) ->
                throw new AssertionError("a response is never answered: " + failed);
            case DecodeResult.NatPmp(NatPmpDecodeResult.Dropped dropped) -> {
                // not a response this codec knows
            }
        }
    }

    /**
     * Encode, decode, compare, encode again, compare the bytes: what the codec accepted it can say again, and says
     * it the same way. The reserved fields and the option padding are not modelled, so the first encoding may
     * differ from the datagram there and nowhere that is modelled.
     */
    private static void pcpRoundTrip(final MessageDispatcher dispatcher,
            final org.pcpcontroller.api.pcp.PcpMessage message, final boolean request) {
        final PcpCodec codec = dispatcher.pcpCodec();
        final byte[] encoded = codec.encode(message);
        assertTrue(encoded.length >= PcpCodec.HEADER_SIZE && encoded.length <= PcpCodec.MAX_MESSAGE_SIZE
            && encoded.length % 4 == 0, () -> "encoded length " + encoded.length);
        final var again = request ? dispatcher.decodeRequest(encoded) : dispatcher.decodeResponse(encoded);
        assertEquals(new DecodeResult.Pcp(new PcpDecodeResult.Decoded(message)), again,
            () -> "re-encoded as " + HexFormat.of().formatHex(encoded));
        assertArrayEquals(encoded, codec.encode(((PcpDecodeResult.Decoded) ((DecodeResult.Pcp) again).result())
            .message()));
    }

    /**
     * The error answer of RFC 6887 section 8.3: the request copied (cut to 1100 bytes, zero-padded to a multiple of
     * 4 and to 24 bytes), with the response header written over it.
     */
    private static void checkPcpError(final byte[] datagram, final PcpDecodeResult.Failed failed,
            final long lifetime) {
        assertNotEquals(ResultCode.SUCCESS, failed.resultCode(), "a failure names an error");
        final int version = datagram[0] & 0xff;
        if (version == PcpCodec.VERSION_1 || version == PcpCodec.VERSION_2) {
            assertEquals(version, failed.responseVersion(), "the answer keeps a supported version");
        } else {
            assertEquals(ResultCode.UNSUPP_VERSION, failed.resultCode());
            assertEquals(PcpCodec.HIGHEST_VERSION, failed.responseVersion(), "section 9: the highest version");
        }
        final byte[] answer = failed.errorResponse(lifetime, EPOCH_TIME);
        final int copied = Math.min(datagram.length, PcpCodec.MAX_MESSAGE_SIZE);
        assertTrue(answer.length >= PcpCodec.HEADER_SIZE && answer.length <= PcpCodec.MAX_MESSAGE_SIZE
            && answer.length % 4 == 0, () -> "answer length " + answer.length);
        assertEquals(Math.max(PcpCodec.HEADER_SIZE, copied + 3 & ~3), answer.length);
        final var header = ByteBuffer.wrap(answer);
        assertEquals(failed.responseVersion(), header.get(0) & 0xff, "version");
        assertEquals(0x80 | datagram[1] & 0x7f, header.get(1) & 0xff, "R bit and the request's opcode");
        assertEquals(0, header.get(2), "reserved");
        assertEquals(failed.resultCode().code(), header.get(3) & 0xff, "result code");
        assertEquals(lifetime, Integer.toUnsignedLong(header.getInt(4)), "lifetime");
        assertEquals(EPOCH_TIME, Integer.toUnsignedLong(header.getInt(8)), "epoch time");
        assertArrayEquals(new byte[12], Arrays.copyOfRange(answer, 12, 24), "reserved");
        if (copied > PcpCodec.HEADER_SIZE) {
            assertArrayEquals(Arrays.copyOfRange(datagram, PcpCodec.HEADER_SIZE, copied),
                Arrays.copyOfRange(answer, PcpCodec.HEADER_SIZE, copied), "the request's body, copied");
        }
        assertArrayEquals(new byte[answer.length - Math.max(copied, PcpCodec.HEADER_SIZE)],
            Arrays.copyOfRange(answer, Math.max(copied, PcpCodec.HEADER_SIZE), answer.length), "zero padding");
    }

    private static byte[] withoutReservedNatPmp(final byte[] bytes, final int length) {
        final byte[] copy = Arrays.copyOf(bytes, length);
        if (length > 2) {
            copy[2] = 0;
            copy[3] = 0;
        }
        return copy;
    }
}
