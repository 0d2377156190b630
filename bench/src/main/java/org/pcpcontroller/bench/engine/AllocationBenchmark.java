/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.engine;

import com.google.common.util.concurrent.Futures;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.engine.PortAllocator;
import org.pcpcontroller.impl.engine.PortAllocator.Allocation;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.InvalidGatewayException;
import org.pcpcontroller.impl.store.IndexedMappingStore;

/**
 * The cost of choosing the external port of one new mapping ({@link PortAllocator#allocate}) on one gateway that
 * already holds {@code existing} mappings, in nanoseconds per allocation: the goal is that it does not grow with the
 * table.
 *
 * <p>The table is the store's own index ({@code MappingTable}, behind the store's lock, see
 * {@link IndexedMappingStore}). The existing mappings are spread evenly over the gateway's 16 external addresses and
 * TCP/UDP, at ports in a scattered order (a stride coprime to the range), so every (address, protocol) holds
 * existing / 32 of its 64,512 ports: about 48 % at 10^6. Allocations are made on the first external address, TCP,
 * for 1,024 new clients in turn:
 * <ul>
 *   <li>{@code preferredFree}: the preferred port (the internal one, no suggestion) is free;</li>
 *   <li>{@code preferredTaken}: the client suggests a port another mapping holds, so the allocator searches the
 *       used-port bitmap upwards for a free one;</li>
 *   <li>{@code allocateIndexRemove}: as {@code preferredTaken}, then the new mapping goes into the index and out
 *       again, so the table keeps its size: the index maintenance a new mapping costs on top.</li>
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
// five 1 s iterations left error bars larger than the scores on a shared 2-vCPU machine
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 10, time = 1)
@Fork(1)
public class AllocationBenchmark {
    static final int PROTOCOL_TCP = 6;
    private static final int PROTOCOL_UDP = 17;
    /** Coprime to the 64,512 ports of the range (2^10 * 3^2 * 7): visits each port once. */
    private static final int STRIDE = 40_009;
    private static final int RANGE = BenchGateway.LAST_PORT - BenchGateway.FIRST_PORT + 1;
    private static final int PAIRS = BenchGateway.EXTERNAL_ADDRESSES * 2;
    private static final int PROBES = 1024;
    /** New clients' keys start here, far above any existing one. */
    private static final int NEW_CLIENTS = 4_000_000;

    @Param({ "1000", "100000", "1000000" })
    public int existing;

    private final IndexedMappingStore store = new IndexedMappingStore();
    private GatewayView gateway;
    private InetAddress target;
    private final MappingKey[] freeKeys = new MappingKey[PROBES];
    private final MappingKey[] takenKeys = new MappingKey[PROBES];
    private final int[] takenPorts = new int[PROBES];
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws InvalidGatewayException {
        gateway = BenchGateway.PARSER.parse(BenchGateway.gateway(), null);
        final var externals = BenchGateway.externalAddresses();
        target = externals.getFirst();
        final var created = Instant.now();
        for (int key = 0; key < existing; key++) {
            final int pair = key % PAIRS;
            final var mapping = new Mapping(new MappingKey.Map(BenchGateway.ID,
                pair % 2 == 0 ? PROTOCOL_TCP : PROTOCOL_UDP, BenchGateway.client(key), BenchGateway.internalPort(key)),
                externals.get(pair / 2), port(key / PAIRS), Origin.PCP, BenchGateway.client(key),
                BenchGateway.nonce(key), created, created.plusSeconds(3600), null, null, List.of());
            try {
                Futures.getDone(store.create(mapping));
            } catch (ExecutionException e) {
                throw new IllegalStateException("mapping " + key + " was refused: the fill is wrong", e);
            }
        }
        // on the target (address 0, TCP) the used ports are port(i) for i < ceil(existing / PAIRS)
        final int used = (existing + PAIRS - 1) / PAIRS;
        for (int i = 0; i < PROBES; i++) {
            final int clientKey = NEW_CLIENTS + i * BenchGateway.PORTS_PER_CLIENT;
            takenPorts[i] = port(i % used);
            takenKeys[i] = new MappingKey.Map(BenchGateway.ID, PROTOCOL_TCP, BenchGateway.client(clientKey),
                BenchGateway.FIRST_PORT + i);
            // a free port as the internal one: one no existing mapping of the target uses
            freeKeys[i] = new MappingKey.Map(BenchGateway.ID, PROTOCOL_TCP, BenchGateway.client(clientKey),
                port(used + i));
        }
    }

    // The index-th port of the scattered order.
    static int port(final int index) {
        return BenchGateway.FIRST_PORT + (int) ((long) index * STRIDE % RANGE);
    }

    @Benchmark
    public Allocation preferredFree() {
        final var key = freeKeys[next++ & (PROBES - 1)];
        return PortAllocator.allocate(gateway, store, key, target, 0, false, true);
    }

    @Benchmark
    public Allocation preferredTaken() {
        final int i = next++ & (PROBES - 1);
        return PortAllocator.allocate(gateway, store, takenKeys[i], target, takenPorts[i], false, true);
    }

    @Benchmark
    public int allocateIndexRemove() throws ExecutionException {
        final int i = next++ & (PROBES - 1);
        final var key = takenKeys[i];
        if (!(PortAllocator.allocate(gateway, store, key, target, takenPorts[i], false, true)
                instanceof Allocation.Assigned assigned)) {
            throw new IllegalStateException("no port for " + key);
        }
        final var now = Instant.now();
        Futures.getDone(store.create(new Mapping(key, target, assigned.port(), Origin.PCP, key.internalAddress(), null,
            now, now.plusSeconds(3600), null, null, List.of())));
        return Futures.getDone(store.remove(key)).orElseThrow().externalPort();
    }

    int mappings() {
        return store.count(BenchGateway.ID);
    }

    IndexedMappingStore store() {
        return store;
    }

    InetAddress target() {
        return target;
    }

    int takenPort(final int probe) {
        return takenPorts[probe];
    }
}
