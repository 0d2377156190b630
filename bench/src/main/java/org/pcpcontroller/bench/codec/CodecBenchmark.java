/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.codec;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pcpcontroller.api.codec.DecodeResult;
import org.pcpcontroller.api.codec.MessageDispatcher;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.OpcodeData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpOption;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * Throughput of the api codec on the reference vectors of {@code pcp-natpmp-behaviour.md} section 15, one message
 * per operation: decoding the request as the server receives it ({@code MessageDispatcher.decodeRequest}), encoding
 * the response it sends ({@code PcpCodec.encode} / {@code NatPmpCodec.encode}), and both in a row with the response
 * built from the decoded request ({@code *Serve}), which is the codec's share of answering one datagram.
 *
 * <p>Vectors: E1 (PCP v2 MAP, 60 bytes), E3 (PCP v2 PEER, 80 bytes) plus libpcp's FLOW_PRIORITY option (code 99,
 * DSCP 46 both ways: 88 bytes), E4 (NAT-PMP TCP map request, 12 bytes).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class CodecBenchmark {
    /**
     * E1: MAP, TCP, internal port 1234, no suggestion, lifetime 3600, client 10.20.40.2, nonce 01..0c.
     */
    public static final String E1_MAP_REQUEST = "0201000000000e1000000000000000000000ffff0a142802"
        + "0102030405060708090a0b0c" + "06000000" + "04d20000" + "00000000000000000000ffff00000000";
    /**
     * E3: PEER, UDP 10.20.40.2:1234 to 8.8.8.8:9, lifetime 3600, followed by FLOW_PRIORITY (libpcp code 99).
     */
    public static final String E3_PEER_FLOWP_REQUEST = "0202000000000e1000000000000000000000ffff0a142802"
        + "0102030405060708090a0b0c" + "11000000" + "04d20000" + "00000000000000000000ffff00000000"
        + "00090000" + "00000000000000000000ffff08080808" + "630000042e2e0000";
    /**
     * E4: NAT-PMP TCP mapping request, internal 1234, suggested 1234, 3600 s.
     */
    public static final String E4_NATPMP_MAP_REQUEST = "00020000" + "04d204d2" + "00000e10";

    private static final long EPOCH = 300;

    private final MessageDispatcher dispatcher = new MessageDispatcher();
    private final PcpCodec pcpCodec = dispatcher.pcpCodec();
    private final InetAddress externalAddress = address("203.0.113.1");
    private final byte[] mapRequest = HexFormat.of().parseHex(E1_MAP_REQUEST);
    private final byte[] peerRequest = HexFormat.of().parseHex(E3_PEER_FLOWP_REQUEST);
    private final byte[] natPmpRequest = HexFormat.of().parseHex(E4_NATPMP_MAP_REQUEST);
    private final Nonce nonce = Nonce.ofHex("0102030405060708090a0b0c");
    private final PcpResponse mapResponse = new PcpResponse(PcpCodec.VERSION_2, ResultCode.SUCCESS, 3600, EPOCH,
        new MapData(nonce, 6, 1234, 1234, externalAddress), List.of());
    private final PcpResponse peerResponse = new PcpResponse(PcpCodec.VERSION_2, ResultCode.SUCCESS, 3600, EPOCH,
        new PeerData(nonce, 17, 1234, 1234, externalAddress, 9, address("8.8.8.8")),
        List.of(new FlowPriorityOption(new FlowPriority(46, 46), true)));
    private final NatPmpMessage natPmpResponse = new NatPmpMessage.MappingResponse(MappingProtocol.TCP,
        NatPmpResultCode.SUCCESS, EPOCH, 1234, 1234, 3600);

    @Benchmark
    public DecodeResult pcpMapDecodeRequest() {
        return dispatcher.decodeRequest(mapRequest);
    }

    @Benchmark
    public byte[] pcpMapEncodeResponse() {
        return pcpCodec.encode(mapResponse);
    }

    @Benchmark
    public byte[] pcpMapServe() {
        return serve(mapRequest);
    }

    @Benchmark
    public DecodeResult pcpPeerFlowPriorityDecodeRequest() {
        return dispatcher.decodeRequest(peerRequest);
    }

    @Benchmark
    public byte[] pcpPeerFlowPriorityEncodeResponse() {
        return pcpCodec.encode(peerResponse);
    }

    @Benchmark
    public byte[] pcpPeerFlowPriorityServe() {
        return serve(peerRequest);
    }

    @Benchmark
    public DecodeResult natPmpMapDecodeRequest() {
        return dispatcher.decodeRequest(natPmpRequest);
    }

    @Benchmark
    public byte[] natPmpMapEncodeResponse() {
        return NatPmpCodec.encode(natPmpResponse);
    }

    @Benchmark
    public byte[] natPmpMapServe() {
        return serve(natPmpRequest);
    }

    /**
     * Decodes a request and encodes the success answer a server would give, with the external port equal to the
     * internal one and every option echoed.
     *
     * @throws IllegalStateException if the request does not decode
     */
    byte[] serve(final byte[] request) {
        return switch (dispatcher.decodeRequest(request)) {
            case DecodeResult.Pcp(PcpDecodeResult.Decoded(PcpRequest req)) -> pcpCodec.encode(new PcpResponse(
                req.version(), ResultCode.SUCCESS, req.requestedLifetime(), EPOCH, responseData(req.data()),
                responseOptions(req.options())));
            case DecodeResult.NatPmp(NatPmpDecodeResult.Decoded(NatPmpMessage.MappingRequest req)) ->
                NatPmpCodec.encode(new NatPmpMessage.MappingResponse(req.protocol(), NatPmpResultCode.SUCCESS, EPOCH,
                    req.internalPort(), req.internalPort(), req.requestedLifetime()));
            default -> throw new IllegalStateException("Vector did not decode as a request");
        };
    }

    private OpcodeData responseData(final OpcodeData data) {
        return switch (data) {
            case MapData map -> new MapData(map.nonce(), map.protocol(), map.internalPort(), map.internalPort(),
                externalAddress);
            case PeerData peer -> new PeerData(peer.nonce(), peer.protocol(), peer.internalPort(),
                peer.internalPort(), externalAddress, peer.remotePeerPort(), peer.remotePeerAddress());
            default -> data;
        };
    }

    private static List<PcpOption> responseOptions(final List<PcpOption> options) {
        // the server sets libpcp's response bit on FLOW_PRIORITY; the rest is echoed
        return options.stream()
            .map(option -> option instanceof FlowPriorityOption flowp ? new FlowPriorityOption(flowp.priority(), true)
                : option)
            .toList();
    }

    private static InetAddress address(final String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("Not an address literal: " + literal, e);
        }
    }
}
