/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.pcpcontroller.api.codec.DecodeResult;
import org.pcpcontroller.api.codec.MessageDispatcher;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpOption;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.gateway.GatewayCounters;
import org.pcpcontroller.impl.gateway.GatewayTracker;
import org.pcpcontroller.impl.render.AnswerGate;
import org.pcpcontroller.impl.store.DatastoreMappingStore;

/**
 * A real engine on a real store and gateway tracker over the in-memory datastore, and a client that speaks bytes.
 */
final class EngineFixture implements AutoCloseable {
    static final String GATEWAY = "gw1";
    static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
    static final InetAddress CLIENT = InetAddresses.forString("10.0.0.2");
    static final InetAddress EXTERNAL = InetAddresses.forString("192.0.3.1");
    static final InetSocketAddress SERVER = new InetSocketAddress(InetAddresses.forString("10.0.0.1"), 5351);
    static final Nonce NONCE = new Nonce(0x0102030405060708L, 0x090a0b0c);
    static final Nonce OTHER_NONCE = new Nonce(1, 2);

    final DataBroker broker;
    final MutableClock clock = new MutableClock(START);
    final DatastoreMappingStore store;
    final GatewayTracker tracker;
    final AnswerGate gate;
    final PcpEngine engine;
    final PcpCodec codec = new PcpCodec();
    final GatewayCounters counters = new GatewayCounters();

    EngineFixture(final DataBroker broker, final DOMDataBroker domBroker, final Consumer<PolicyBuilder> policy)
            throws Exception {
        this(broker, domBroker, policy, 10_000);
    }

    /**
     * With the store's bound on waiting for a commit's confirmation, for tests of commits that never confirm.
     */
    EngineFixture(final DataBroker broker, final DOMDataBroker domBroker, final Consumer<PolicyBuilder> policy,
            final long commitTimeoutMillis) throws Exception {
        this.broker = broker;
        store = new DatastoreMappingStore(broker, domBroker, clock, 3_600_000, 10, commitTimeoutMillis);
        tracker = new GatewayTracker(broker, store, counters, TestModel.PARSER, clock);
        gate = new AnswerGate(tracker, store);
        engine = new PcpEngine(tracker, store, counters, gate, clock);
        putGateway(gateway(policy).build());
    }

    /**
     * The test gateway: external 192.0.3.1 and 2001:db8::1, internal 10.0.0.0/24 and 2001:db8:1::/64, external
     * ports 5000..5009.
     */
    static GatewayBuilder gateway(final Consumer<PolicyBuilder> policy) {
        final var builder = new PolicyBuilder();
        policy.accept(builder);
        return new GatewayBuilder()
            .setId(new GatewayId(GATEWAY))
            .setExternalAddress(List.of(IetfInetUtil.ipAddressFor("192.0.3.1"),
                IetfInetUtil.ipAddressFor("2001:db8::1")))
            .setInternalPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.0/24"),
                IetfInetUtil.ipPrefixFor("2001:db8:1::/64")))
            .setExternalPortRange(new ExternalPortRangeBuilder().setStart(port(5000)).setEnd(port(5009)).build())
            .setPolicy(builder.build());
    }

    static PortNumber port(final int port) {
        return new PortNumber(Uint16.valueOf(port));
    }

    void putGateway(final Gateway gateway) throws Exception {
        final var before = tracker.lookup(GATEWAY);
        final var tx = broker.newWriteOnlyTransaction();
        tx.put(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, gateway.key()).build(), gateway);
        tx.commit().get(5, TimeUnit.SECONDS);
        Await.until(() -> !tracker.lookup(GATEWAY).equals(before) && tracker.epochOrigin(GATEWAY).isPresent(),
            served -> served);
    }

    /**
     * Writes the test gateway's pcp-flow-priority entry and waits until its view has it.
     */
    void putMarking(final org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow
            .priority.Gateway marking) throws Exception {
        final var before = tracker.lookup(GATEWAY).orElseThrow().marking();
        final var tx = broker.newWriteOnlyTransaction();
        tx.mergeParentStructurePut(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(
            FlowPriority.class).child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority
                .rev261123.flow.priority.Gateway.class, marking.key()).build(), marking);
        tx.commit().get(5, TimeUnit.SECONDS);
        Await.until(() -> tracker.lookup(GATEWAY).orElseThrow().marking(), after -> !after.equals(before));
    }

    Optional<byte[]> send(final InetAddress source, final byte[] datagram) throws Exception {
        return engine.handle(GATEWAY, new InetSocketAddress(source, 40000), SERVER, datagram).get(5,
            TimeUnit.SECONDS);
    }

    PcpResponse pcp(final InetAddress source, final PcpRequest request) throws Exception {
        return pcpResponse(send(source, codec.encode(request)).orElseThrow());
    }

    PcpResponse pcp(final PcpRequest request) throws Exception {
        return pcp(request.clientAddress(), request);
    }

    static PcpResponse pcpResponse(final byte[] bytes) {
        final var decoded = assertInstanceOf(PcpDecodeResult.Decoded.class,
            assertInstanceOf(DecodeResult.Pcp.class, new MessageDispatcher().decodeResponse(bytes)).result());
        return assertInstanceOf(PcpResponse.class, decoded.message());
    }

    NatPmpMessage natPmp(final InetAddress source, final NatPmpMessage request) throws Exception {
        final var bytes = send(source, NatPmpCodec.encode(request)).orElseThrow();
        final var decoded = NatPmpCodec.decodeResponse(bytes);
        assertTrue(decoded instanceof NatPmpDecodeResult.Decoded, decoded.toString());
        return ((NatPmpDecodeResult.Decoded) decoded).message();
    }

    static PcpRequest map(final InetAddress client, final long lifetime, final Nonce nonce, final int protocol,
            final int internalPort, final int suggestedPort, final PcpOption... options) {
        return new PcpRequest(2, lifetime, client, new MapData(nonce, protocol, internalPort, suggestedPort,
            InetAddresses.forString("::ffff:0.0.0.0")), List.of(options));
    }

    static PcpRequest map(final long lifetime, final int internalPort, final int suggestedPort,
            final PcpOption... options) {
        return map(CLIENT, lifetime, NONCE, 6, internalPort, suggestedPort, options);
    }

    /**
     * The mappings the datastore holds for the test gateway: MAP and PEER entries.
     */
    int storedMappings() throws Exception {
        try (var tx = broker.newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Mappings.class).build())
                .get(5, TimeUnit.SECONDS).map(m -> m.nonnullGateway().values().stream()
                    .mapToInt(g -> g.nonnullMap().size() + g.nonnullPeer().size()).sum()).orElse(0);
        }
    }

    void advance(final Duration duration) {
        clock.advance(duration);
    }

    @Override
    public void close() {
        engine.close();
        gate.close();
        tracker.close();
        store.close();
    }
}
