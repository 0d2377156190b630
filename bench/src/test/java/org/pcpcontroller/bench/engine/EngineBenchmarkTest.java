/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.infra.Blackhole;
import org.pcpcontroller.api.codec.DecodeResult;
import org.pcpcontroller.api.codec.MessageDispatcher;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * The engine benchmark's setup fills the gateway through the engine, each benchmark method gets SUCCESS answers and
 * does what its name says to the table, and the iteration teardown puts the table back.
 */
class EngineBenchmarkTest {
    private static final int EXISTING = 1000;

    private final EngineBenchmark benchmark = new EngineBenchmark();
    private final Blackhole blackhole = new Blackhole(
        "Today's password is swordfish. I understand instantiating Blackholes directly is dangerous.");

    @BeforeEach
    void setUp() throws Exception {
        benchmark.existing = EXISTING;
        benchmark.setUp();
    }

    @AfterEach
    void tearDown() {
        benchmark.tearDown();
        blackhole.evaporate("Yes, I am Stephen Hawking, and know a thing or two about black holes.");
    }

    @Test
    void everyBenchmarkGetsSuccessAndTheTableComesBack() throws Exception {
        assertEquals(EXISTING, benchmark.mappings());

        final var created = pcpSuccess(benchmark.mapNewLatency());
        assertNotEquals(0, ((MapData) created.data()).externalPort());
        assertEquals(EXISTING + 1, benchmark.mappings());
        benchmark.mapNewInFlight(blackhole);
        assertEquals(EXISTING + 1 + EngineBenchmark.WINDOW, benchmark.mappings());

        final var refreshed = pcpSuccess(benchmark.mapRefreshLatency());
        assertEquals(3600, refreshed.lifetime());
        benchmark.mapRefreshInFlight(blackhole);
        assertEquals(EXISTING + 1 + EngineBenchmark.WINDOW, benchmark.mappings());

        final var natPmp = assertInstanceOf(NatPmpDecodeResult.Decoded.class,
            assertInstanceOf(DecodeResult.NatPmp.class, new MessageDispatcher().decodeResponse(
                benchmark.natPmpMapNewLatency())).result());
        assertEquals(NatPmpResultCode.SUCCESS,
            assertInstanceOf(NatPmpMessage.MappingResponse.class, natPmp.message()).resultCode());
        benchmark.natPmpMapNewInFlight(blackhole);
        assertEquals(EXISTING + 2 + 2 * EngineBenchmark.WINDOW, benchmark.mappings());
        assertEquals(0, benchmark.refused());

        benchmark.removeNewMappings();
        assertEquals(EXISTING, benchmark.mappings());
        // the next iteration makes the same new mappings again
        pcpSuccess(benchmark.mapNewLatency());
        benchmark.removeNewMappings();
        assertEquals(EXISTING, benchmark.mappings());
    }

    private static PcpResponse pcpSuccess(final byte[] answer) {
        final var decoded = assertInstanceOf(PcpDecodeResult.Decoded.class,
            assertInstanceOf(DecodeResult.Pcp.class, new MessageDispatcher().decodeResponse(answer)).result());
        final var response = assertInstanceOf(PcpResponse.class, decoded.message());
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        return response;
    }
}
