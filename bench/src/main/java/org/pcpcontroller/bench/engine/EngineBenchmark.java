/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.engine;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractConcurrentDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.impl.engine.PcpEngine;
import org.pcpcontroller.impl.gateway.GatewayCounters;
import org.pcpcontroller.impl.gateway.GatewayTracker;
import org.pcpcontroller.impl.render.AnswerGate;
import org.pcpcontroller.impl.store.DatastoreMappingStore;

/**
 * Request handling through the real engine: request bytes in, response bytes out, through {@link PcpEngine} with
 * its gateway tracker and the {@link DatastoreMappingStore} over ODL's in-memory datastore (the binding adapter of
 * {@code AbstractConcurrentDataBrokerTest}: commits run on the broker's own threads). No renderer (an
 * {@link AnswerGate} with no renderer installed): an answer leaves once the mapping is committed to the datastore, as
 * with {@code answer-after datastore-commit}.
 *
 * <p>The gateway ({@link BenchGateway}) already holds {@code existing} PCP MAP (TCP) mappings, made through the
 * engine in the setup. Each request is checked: an answer other than SUCCESS fails the iteration, so a broken setup
 * cannot report a speed. New mappings made in an iteration are removed after it, so every iteration starts from
 * the same table.
 * <ul>
 *   <li>{@code mapNew*}: PCP MAP for a new internal endpoint (TCP), no suggested port;</li>
 *   <li>{@code mapRefresh*}: PCP MAP renewing one of the existing mappings (same nonce);</li>
 *   <li>{@code natPmpMapNew*}: NAT-PMP UDP map for a new internal endpoint, suggesting its internal port.</li>
 * </ul>
 * {@code *Latency} sends one request and waits for its answer (one thread, sample time: per-request latency with
 * percentiles); {@code *InFlight} sends {@value #WINDOW} requests, then waits for all of them (throughput with
 * many requests in flight, which the store's group commit shares among).
 */
@State(Scope.Benchmark)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
// The in-memory broker's executors are non-daemon threads that outlive the trial: without this the forked VM
// waits 30 s for them at every exit.
@Fork(value = 1, jvmArgsAppend = { "-Djmh.shutdownTimeout=1", "-Djmh.shutdownTimeout.step=1" })
public class EngineBenchmark {
    static final int WINDOW = 256;
    static final int PROTOCOL_TCP = 6;
    static final int PROTOCOL_UDP = 17;
    private static final long LIFETIME = 3600;
    private static final long TIMEOUT_SECONDS = 60;
    private static final InetSocketAddress SERVER = new InetSocketAddress(BenchGateway.ipv4(0x0A00_0001), 5351);
    private static final InetAddress ANY = BenchGateway.ipv4(0);

    @Param({ "1000", "100000" })
    public int existing;

    private DatastoreMappingStore store;
    private GatewayTracker tracker;
    private AnswerGate gate;
    private PcpEngine engine;
    private final PcpCodec codec = new PcpCodec();
    /** Next keys of new PCP (TCP) and NAT-PMP (UDP) mappings, and of the existing mapping to refresh next. */
    private int nextPcp;
    private int nextNatPmp;
    private int nextRefresh;
    private long refused;
    private @Nullable String firstRefusal;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        final var brokerTest = new AbstractConcurrentDataBrokerTest(true) {
            // the in-memory datastore with its commit executor, as the mdsal tests build it
        };
        brokerTest.setup();
        final DataBroker broker = brokerTest.getDataBroker();
        final var clock = Clock.systemUTC();
        final var counters = new GatewayCounters();
        store = new DatastoreMappingStore(broker, brokerTest.getDomBroker(), clock, 250, TIMEOUT_SECONDS);
        tracker = new GatewayTracker(broker, store, counters, BenchGateway.PARSER, clock);
        gate = new AnswerGate(tracker, store);
        engine = new PcpEngine(tracker, store, counters, gate, clock);

        final var gateway = BenchGateway.gateway();
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, gateway.key()).build(), gateway);
        tx.commit().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        for (int i = 0; tracker.lookup(BenchGateway.ID).isEmpty() || tracker.epochOrigin(BenchGateway.ID).isEmpty();
                i++) {
            if (i == 3000) {
                throw new IllegalStateException("the gateway was not taken up: " + tracker.problems(BenchGateway.ID));
            }
            Thread.sleep(10);
        }

        for (int from = 0; from < existing; from += WINDOW) {
            final var answers = new ArrayList<ListenableFuture<Optional<byte[]>>>(WINDOW);
            for (int key = from; key < Math.min(existing, from + WINDOW); key++) {
                answers.add(pcpMap(key));
            }
            for (var answer : answers) {
                check(answer, true);
            }
        }
        if (refused > 0 || store.count(BenchGateway.ID) != existing) {
            throw new IllegalStateException("filling the gateway with " + existing + " mappings left "
                + store.count(BenchGateway.ID) + "; " + refused + " refused, the first: " + firstRefusal);
        }
        nextPcp = existing;
    }

    @TearDown(Level.Iteration)
    public void removeNewMappings() throws InterruptedException, ExecutionException, TimeoutException {
        final var removals = new ArrayList<ListenableFuture<?>>();
        for (int key = existing; key < nextPcp; key++) {
            removals.add(store.remove(key(PROTOCOL_TCP, key)));
        }
        for (int key = 0; key < nextNatPmp; key++) {
            removals.add(store.remove(key(PROTOCOL_UDP, key)));
        }
        Futures.allAsList(removals).get(TIMEOUT_SECONDS * 5, TimeUnit.SECONDS);
        nextPcp = existing;
        nextNatPmp = 0;
        if (refused > 0) {
            throw new IllegalStateException(refused + " answers were not SUCCESS, the first: " + firstRefusal);
        }
        if (store.count(BenchGateway.ID) != existing) {
            throw new IllegalStateException("the gateway holds " + store.count(BenchGateway.ID) + " mappings, not "
                + existing);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        engine.close();
        gate.close();
        tracker.close();
        store.close();
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] mapNewLatency() throws InterruptedException, ExecutionException, TimeoutException {
        return check(pcpMap(nextPcp++), true);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WINDOW)
    public void mapNewInFlight(final Blackhole blackhole)
            throws InterruptedException, ExecutionException, TimeoutException {
        final var answers = new ArrayList<ListenableFuture<Optional<byte[]>>>(WINDOW);
        for (int i = 0; i < WINDOW; i++) {
            answers.add(pcpMap(nextPcp++));
        }
        checkAll(answers, true, blackhole);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] mapRefreshLatency() throws InterruptedException, ExecutionException, TimeoutException {
        return check(pcpMap(nextRefresh()), true);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WINDOW)
    public void mapRefreshInFlight(final Blackhole blackhole)
            throws InterruptedException, ExecutionException, TimeoutException {
        final var answers = new ArrayList<ListenableFuture<Optional<byte[]>>>(WINDOW);
        for (int i = 0; i < WINDOW; i++) {
            answers.add(pcpMap(nextRefresh()));
        }
        checkAll(answers, true, blackhole);
    }

    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public byte[] natPmpMapNewLatency() throws InterruptedException, ExecutionException, TimeoutException {
        return check(natPmpMap(nextNatPmp++), false);
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @OperationsPerInvocation(WINDOW)
    public void natPmpMapNewInFlight(final Blackhole blackhole)
            throws InterruptedException, ExecutionException, TimeoutException {
        final var answers = new ArrayList<ListenableFuture<Optional<byte[]>>>(WINDOW);
        for (int i = 0; i < WINDOW; i++) {
            answers.add(natPmpMap(nextNatPmp++));
        }
        checkAll(answers, false, blackhole);
    }

    private int nextRefresh() {
        final int key = nextRefresh;
        nextRefresh = key + 1 < existing ? key + 1 : 0;
        return key;
    }

    private ListenableFuture<Optional<byte[]>> pcpMap(final int key) {
        final var client = BenchGateway.client(key);
        final var request = new PcpRequest(PcpCodec.VERSION_2, LIFETIME, client, new MapData(BenchGateway.nonce(key),
            PROTOCOL_TCP, BenchGateway.internalPort(key), 0, ANY), List.of());
        return engine.handle(BenchGateway.ID, new InetSocketAddress(client, 40000), SERVER, codec.encode(request));
    }

    // natpmpc's request: the internal port suggested as the external one
    private ListenableFuture<Optional<byte[]>> natPmpMap(final int key) {
        final int port = BenchGateway.internalPort(key);
        return engine.handle(BenchGateway.ID, new InetSocketAddress(BenchGateway.client(key), 40000), SERVER,
            NatPmpCodec.encode(new NatPmpMessage.MappingRequest(MappingProtocol.UDP, port, port, LIFETIME)));
    }

    private static MappingKey key(final int protocol, final int key) {
        return new MappingKey.Map(BenchGateway.ID, protocol, BenchGateway.client(key), BenchGateway.internalPort(key));
    }

    private void checkAll(final List<ListenableFuture<Optional<byte[]>>> answers, final boolean pcp,
            final Blackhole blackhole) throws InterruptedException, ExecutionException, TimeoutException {
        for (var answer : answers) {
            blackhole.consume(check(answer, pcp));
        }
    }

    // The answer's bytes; counts it as refused unless it is SUCCESS (PCP: byte 3; NAT-PMP: bytes 2-3).
    private byte[] check(final ListenableFuture<Optional<byte[]>> answer, final boolean pcp)
            throws InterruptedException, ExecutionException, TimeoutException {
        final var bytes = answer.get(TIMEOUT_SECONDS, TimeUnit.SECONDS).orElse(new byte[0]);
        final int result = bytes.length < 4 ? -1 : pcp ? bytes[3] & 0xff : (bytes[2] & 0xff) << 8 | bytes[3] & 0xff;
        if (result != 0) {
            if (refused++ == 0) {
                firstRefusal = (pcp ? "PCP" : "NAT-PMP") + " result " + result + " (" + bytes.length + " bytes)";
            }
        }
        return bytes;
    }

    int mappings() {
        return store.count(BenchGateway.ID);
    }

    long refused() {
        return refused;
    }
}
