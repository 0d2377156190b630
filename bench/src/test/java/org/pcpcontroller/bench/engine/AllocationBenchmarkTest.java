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
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pcpcontroller.api.mapping.Mapping.ExternalEndpoint;
import org.pcpcontroller.api.mapping.MappingKey.InternalEndpoint;
import org.pcpcontroller.impl.engine.PortAllocator.Allocation;

/**
 * The allocation benchmark's table holds as many mappings as its parameter says, and every benchmark method gets a
 * real port: the preferred one when it is free, another free one when it is taken.
 */
class AllocationBenchmarkTest {
    private static final InternalEndpoint NOBODY = new InternalEndpoint(BenchGateway.ID,
        AllocationBenchmark.PROTOCOL_TCP, BenchGateway.ipv4(0x0B00_0001), 1);

    @ParameterizedTest
    @ValueSource(ints = { 1000, 1_000_000 })
    void tableHoldsTheExistingMappingsAndAllocationsSucceed(final int existing) throws Exception {
        final var benchmark = new AllocationBenchmark();
        benchmark.existing = existing;
        benchmark.setUp();
        assertEquals(existing, benchmark.mappings());
        final var store = benchmark.store();
        final var target = benchmark.target();

        for (int i = 0; i < 2048; i++) {
            // preferredFree: the preferred (internal) port, which was free
            final var free = assertInstanceOf(Allocation.Assigned.class, benchmark.preferredFree());
            assertNull(store.conflictingOwner(endpoint(target, free.port()), NOBODY));

            // preferredTaken: the suggestion is held by an existing mapping, the port given is another, free one
            final int suggested = benchmark.takenPort(i % 1024);
            assertNotNull(store.conflictingOwner(endpoint(target, suggested), NOBODY));
            final var taken = assertInstanceOf(Allocation.Assigned.class, benchmark.preferredTaken());
            assertNotEquals(suggested, taken.port());
            assertNull(store.conflictingOwner(endpoint(target, taken.port()), NOBODY));

            final int port = benchmark.allocateIndexRemove();
            assertNull(store.conflictingOwner(endpoint(target, port), NOBODY));
        }
        assertEquals(existing, benchmark.mappings());
    }

    private static ExternalEndpoint endpoint(final InetAddress address, final int port) {
        return new ExternalEndpoint(BenchGateway.ID, AllocationBenchmark.PROTOCOL_TCP, address, port);
    }
}
