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

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * A patched template is byte for byte what the codec encodes for the same request, and the generator's response
 * parsing reads what the codec wrote.
 */
class RequestTemplateTest {
    private static final InetAddress CLIENT = LoadOptions.address("127.0.0.7");
    private static final InetAddress ANY = LoadOptions.address("0.0.0.0");
    private static final Nonce NONCE = Nonce.ofHex("0102030405060708090a0b0c");

    private final PcpCodec codec = new PcpCodec();

    private static byte[] written(final Mode mode, final int port, final long lifetime) {
        final ByteBuffer buffer = ByteBuffer.allocate(1100);
        RequestTemplate.of(mode, CLIENT, NONCE, 6).write(buffer, port, lifetime);
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    @Test
    void pcpMapTemplateIsTheCodecsRequest() {
        assertArrayEquals(codec.encode(new PcpRequest(2, 3600, CLIENT, new MapData(NONCE, 6, 40000, 0, ANY),
            List.of())), written(Mode.PCP_MAP, 40000, 3600));
        assertArrayEquals(codec.encode(new PcpRequest(2, 0, CLIENT, new MapData(NONCE, 6, 1024, 0, ANY),
            List.of())), written(Mode.PCP_MAP, 1024, 0));
    }

    @Test
    void pcpAnnounceTemplateIsTheCodecsRequest() {
        assertArrayEquals(codec.encode(new PcpRequest(2, 0, CLIENT, new AnnounceData(), List.of())),
            written(Mode.PCP_ANNOUNCE, 0, 3600));
    }

    @Test
    void natPmpTemplatesAreTheCodecsRequests() {
        assertArrayEquals(NatPmpCodec.encode(new NatPmpMessage.PublicAddressRequest()),
            written(Mode.NATPMP_ADDRESS, 0, 0));
        assertArrayEquals(NatPmpCodec.encode(new NatPmpMessage.MappingRequest(MappingProtocol.UDP, 5000, 5000, 7200)),
            written(Mode.NATPMP_MAP_UDP, 5000, 7200));
        // a delete suggests no external port, as in vector E4
        assertArrayEquals(NatPmpCodec.encode(new NatPmpMessage.MappingRequest(MappingProtocol.TCP, 1234, 0, 0)),
            written(Mode.NATPMP_MAP_TCP, 1234, 0));
    }

    @Test
    void parsesPortAndResultOfCodecResponses() {
        final long pcp = Mode.PCP_MAP.parse(ByteBuffer.wrap(codec.encode(new PcpResponse(2,
            ResultCode.NO_RESOURCES, 30, 1, new MapData(NONCE, 6, 4321, 0, ANY), List.of()))));
        assertEquals(4321, Mode.key(pcp));
        assertEquals(8, Mode.resultCode(pcp));

        final long natPmp = Mode.NATPMP_MAP_TCP.parse(ByteBuffer.wrap(NatPmpCodec.encode(
            new NatPmpMessage.MappingResponse(MappingProtocol.TCP, NatPmpResultCode.OUT_OF_RESOURCES, 1, 65535, 0,
                0))));
        assertEquals(65535, Mode.key(natPmp));
        assertEquals(4, Mode.resultCode(natPmp));

        // the 8-byte error answer names no port
        final long error = Mode.NATPMP_MAP_UDP.parse(ByteBuffer.wrap(NatPmpCodec.encode(
            new NatPmpMessage.ErrorResponse(1, NatPmpResultCode.UNSUPPORTED_OPCODE, 1))));
        assertEquals(-1, Mode.key(error));
        assertEquals(5, Mode.resultCode(error));

        // a UDP mapping answer is not a TCP one
        assertEquals(Mode.INVALID, Mode.NATPMP_MAP_TCP.parse(ByteBuffer.wrap(NatPmpCodec.encode(
            new NatPmpMessage.MappingResponse(MappingProtocol.UDP, NatPmpResultCode.SUCCESS, 1, 1, 1, 1)))));
    }
}
