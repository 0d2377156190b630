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

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.DescriptionOption;
import org.pcpcontroller.api.pcp.FilterOption;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.OpcodeData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpMessage;
import org.pcpcontroller.api.pcp.PcpOption;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.PreferFailureOption;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.api.pcp.ThirdPartyOption;
import org.pcpcontroller.api.pcp.UnknownOption;

/**
 * Random valid MAP, PEER and NAT-PMP messages survive encode, dispatch and decode unchanged, and re-encode to the
 * same bytes. Fixed seeds keep failures reproducible.
 */
class RoundTripPropertyTest {
    private static final int ITERATIONS = 3000;

    private final PcpCodec codec = new PcpCodec();
    private final MessageDispatcher dispatcher = new MessageDispatcher(codec);

    private static InetAddress address(final Random random) {
        final byte[] bytes = new byte[random.nextBoolean() ? 4 : 16];
        random.nextBytes(bytes);
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static int port(final Random random) {
        return random.nextInt(65536);
    }

    private static long u32(final Random random) {
        return random.nextLong(1L << 32);
    }

    private static OpcodeData data(final Random random, final int version) {
        final Nonce nonce = version == 2 ? new Nonce(random.nextLong(), random.nextInt()) : null;
        return random.nextBoolean()
            ? new MapData(nonce, random.nextInt(256), port(random), port(random), address(random))
            : new PeerData(nonce, random.nextInt(256), port(random), port(random), address(random), port(random),
                address(random));
    }

    private static String text(final Random random) {
        final StringBuilder sb = new StringBuilder();
        final int length = random.nextInt(20);
        for (int i = 0; i < length; i++) {
            // mix ASCII with two- and three-byte UTF-8 sequences
            sb.append(switch (random.nextInt(3)) {
                case 0 -> (char) (' ' + random.nextInt(95));
                case 1 -> (char) (0xe0 + random.nextInt(32));
                default -> (char) (0x4e00 + random.nextInt(1000));
            });
        }
        return sb.toString();
    }

    private static List<PcpOption> options(final Random random) {
        final List<PcpOption> options = new ArrayList<>();
        if (random.nextBoolean()) {
            options.add(new ThirdPartyOption(address(random)));
        }
        if (random.nextBoolean()) {
            options.add(new PreferFailureOption());
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            final InetAddress peer = address(random);
            final int prefix = peer instanceof Inet4Address ? random.nextInt(33) : random.nextInt(129);
            options.add(random.nextInt(10) == 0 ? new FilterOption(0, port(random), peer)
                : FilterOption.of(new Filter(peer, prefix, port(random))));
        }
        if (random.nextBoolean()) {
            options.add(new DescriptionOption(text(random)));
        }
        if (random.nextBoolean()) {
            options.add(new FlowPriorityOption(new FlowPriority(random.nextInt(64), random.nextInt(64)),
                random.nextBoolean()));
        }
        for (int i = random.nextInt(2); i > 0; i--) {
            final byte[] bytes = new byte[random.nextInt(30)];
            random.nextBytes(bytes);
            // 128 is DESCRIPTION; the others are unregistered optional codes
            options.add(new UnknownOption(129 + random.nextInt(127), bytes));
        }
        // order on the wire is free (RFC 6887 section 7.3), and must be kept
        Collections.shuffle(options, random);
        return options;
    }

    @ParameterizedTest
    @ValueSource(longs = { 1, 6887, 20_260_423 })
    void randomPcpRequestsRoundTrip(final long seed) {
        final Random random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++) {
            final int version = 1 + random.nextInt(2);
            final PcpMessage request = new PcpRequest(version, u32(random), address(random), data(random, version),
                options(random));
            final byte[] bytes = codec.encode(request);
            final var result = assertInstanceOf(DecodeResult.Pcp.class, dispatcher.decodeRequest(bytes)).result();
            assertEquals(new PcpDecodeResult.Decoded(request), result, () -> "seed " + seed);
            assertArrayEquals(bytes, codec.encode(((PcpDecodeResult.Decoded) result).message()));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 2, 6886, 1100 })
    void randomPcpResponsesRoundTrip(final long seed) {
        final Random random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++) {
            final int version = 1 + random.nextInt(2);
            final PcpMessage response = new PcpResponse(version, ResultCode.valueOf(random.nextInt(256)),
                u32(random), u32(random), data(random, version), options(random));
            final byte[] bytes = codec.encode(response);
            final var result = assertInstanceOf(DecodeResult.Pcp.class, dispatcher.decodeResponse(bytes)).result();
            assertEquals(new PcpDecodeResult.Decoded(response), result, () -> "seed " + seed);
            assertArrayEquals(bytes, codec.encode(((PcpDecodeResult.Decoded) result).message()));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = { 3, 5351 })
    void randomNatPmpMessagesRoundTrip(final long seed) {
        final Random random = new Random(seed);
        for (int i = 0; i < ITERATIONS; i++) {
            final MappingProtocol protocol = random.nextBoolean() ? MappingProtocol.UDP : MappingProtocol.TCP;
            final NatPmpResultCode resultCode = NatPmpResultCode.valueOf(random.nextInt(65536));
            final byte[] ipv4 = new byte[4];
            random.nextBytes(ipv4);
            final NatPmpMessage message = switch (random.nextInt(5)) {
                case 0 -> new NatPmpMessage.PublicAddressRequest();
                case 1 -> new NatPmpMessage.MappingRequest(protocol, port(random), port(random), u32(random));
                case 2 -> new NatPmpMessage.PublicAddressResponse(resultCode, u32(random), inet4(ipv4));
                case 3 -> new NatPmpMessage.MappingResponse(protocol, resultCode, u32(random), port(random),
                    port(random), u32(random));
                default -> new NatPmpMessage.ErrorResponse(random.nextInt(128), resultCode, u32(random));
            };
            final byte[] bytes = NatPmpCodec.encode(message);
            final boolean isRequest = message instanceof NatPmpMessage.PublicAddressRequest
                || message instanceof NatPmpMessage.MappingRequest;
            final var result = assertInstanceOf(DecodeResult.NatPmp.class,
                isRequest ? dispatcher.decodeRequest(bytes) : dispatcher.decodeResponse(bytes)).result();
            assertEquals(new NatPmpDecodeResult.Decoded(message), result, () -> "seed " + seed);
            assertArrayEquals(bytes, NatPmpCodec.encode(((NatPmpDecodeResult.Decoded) result).message()));
        }
    }

    private static Inet4Address inet4(final byte[] bytes) {
        try {
            return (Inet4Address) InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
