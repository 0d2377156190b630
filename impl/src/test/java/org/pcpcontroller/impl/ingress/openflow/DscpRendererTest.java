/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatus;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Peer;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.InvalidGatewayException;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.DomMappingFeed;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionGotoTable;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmIpDscp;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The DSCP renderer over the in-memory datastore, against scripted switches that record what they are sent.
 */
class DscpRendererTest extends AbstractDataBrokerTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final MappingKey.Peer PEER = new MappingKey.Peer("gw", 17, InetAddresses.forString("10.0.0.2"),
        7000, InetAddresses.forString("198.51.100.7"), 9000);

    /** A switch that records messages and answers barriers at once (or with an error). */
    private static final class ScriptedSwitch implements MarkingSwitch {
        final List<OFMessage> sent = new CopyOnWriteArrayList<>();
        final List<OFFlowStatsEntry> table = new ArrayList<>();
        volatile @Nullable OFErrorMsg fail;

        @Override
        public OFFactory factory() {
            return OF13;
        }

        @Override
        public SwitchSession.Binding binding() {
            return new SwitchSession.Binding("gw", 1000, List.of());
        }

        @Override
        public String describe() {
            return "00:00:00:00:00:00:00:0a";
        }

        @Override
        public void send(final List<OFMessage> messages) {
            sent.addAll(messages);
        }

        @Override
        public CompletableFuture<List<OFErrorMsg>> sendWithBarrier(final List<OFMessage> messages) {
            sent.addAll(messages);
            final var error = fail;
            return CompletableFuture.completedFuture(error == null ? List.of() : List.of(error));
        }

        @Override
        public CompletableFuture<List<OFFlowStatsEntry>> flows(final U64 cookie, final U64 mask) {
            return CompletableFuture.completedFuture(List.copyOf(table));
        }

        <T extends OFMessage> List<T> sentOf(final Class<T> type) {
            return sent.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private final ScriptedSwitch sw = new ScriptedSwitch();
    private final List<MarkingSwitch> connected = new CopyOnWriteArrayList<>();
    private DscpRenderer renderer;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        connected.add(sw);
        renderer = new DscpRenderer(getDataBroker(), new DomMappingFeed(getDomBroker()),
            gateway -> "gw".equals(gateway) ? connected : List.of());
        renderer.gatewayChanged("gw", view(null));
    }

    // The view of gateway gw as the registry hands it over, with a pcp-flow-priority entry or without one.
    private static GatewayView view(final @Nullable Gateway marking) throws InvalidGatewayException {
        return TestModel.PARSER.parse(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
            .gateways.GatewayBuilder().setId(new GatewayId("gw")).build(), marking);
    }

    @AfterEach
    void afterEach() {
        renderer.close();
    }

    private static Mapping peer(final org.pcpcontroller.api.mapping.@Nullable FlowPriority priority,
            final Instant expires) {
        return new Mapping(PEER, InetAddresses.forString("192.0.3.1"), 7000, Origin.PCP,
            InetAddresses.forString("10.0.0.2"), new Nonce(1, 2), Instant.now(), expires, null, priority, List.of());
    }

    private void store(final Mapping mapping) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        BindingMappings.put(tx, mapping);
        tx.commit().get(5, TimeUnit.SECONDS);
    }

    private void remove(final MappingKey key) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.delete(LogicalDatastoreType.CONFIGURATION, BindingMappings.path(key));
        tx.commit().get(5, TimeUnit.SECONDS);
    }

    private static <T> T await(final Supplier<T> probe, final java.util.function.Predicate<T> done)
            throws InterruptedException {
        T value = probe.get();
        for (int i = 0; i < 200 && !done.test(value); i++) {
            Thread.sleep(25);
            value = probe.get();
        }
        assertTrue(done.test(value), "not reached: " + value);
        return value;
    }

    private Optional<RenderStatus> status() {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.OPERATIONAL,
                    (DataObjectIdentifier<Peer>) BindingMappings.path(PEER))
                .get(5, TimeUnit.SECONDS)
                .flatMap(peer -> Optional.ofNullable(peer.getRenderStatus()))
                .flatMap(statuses -> statuses.values().stream().findFirst());
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                | InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    private static int dscp(final OFFlowAdd add) {
        final var apply = (OFInstructionApplyActions) add.getInstructions().getFirst();
        final var setField = (OFActionSetField) apply.getActions().getFirst();
        return ((OFOxmIpDscp) setField.getField()).getValue().getDscpValue();
    }

    @Test
    void peerWithFlowPriorityGetsOneFlowPerDirectionAndIsReportedInstalled() throws Exception {
        final var expires = Instant.now().plusSeconds(600);
        store(peer(new org.pcpcontroller.api.mapping.FlowPriority(46, 10), expires));
        final var adds = await(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        final var up = adds.stream().filter(add -> add.getMatch().get(MatchField.UDP_SRC).getPort() == 7000)
            .findFirst().orElseThrow();
        final var down = adds.stream().filter(add -> add.getMatch().get(MatchField.UDP_DST).getPort() == 7000)
            .findFirst().orElseThrow();
        assertEquals(46, dscp(up));
        assertEquals(10, dscp(down));
        assertEquals("10.0.0.2", up.getMatch().get(MatchField.IPV4_SRC).toString());
        assertEquals("198.51.100.7", up.getMatch().get(MatchField.IPV4_DST).toString());
        assertEquals(9000, up.getMatch().get(MatchField.UDP_DST).getPort());
        assertEquals("198.51.100.7", down.getMatch().get(MatchField.IPV4_SRC).toString());
        assertEquals(40000, up.getPriority());
        assertEquals(Flows.DSCP, up.getCookie().applyMask(Flows.KIND_MASK));
        // the hard timeout is the remaining lifetime, rounded up: never shorter than the lease
        assertTrue(up.getHardTimeout() >= 599 && up.getHardTimeout() <= 601, "hard timeout " + up.getHardTimeout());
        final var status = await(this::status, found -> found.isPresent()
            && found.orElseThrow().getState() == RenderStatus.State.Installed);
        assertEquals("on 00:00:00:00:00:00:00:0a", status.orElseThrow().getDetail());
    }

    @Test
    void mappingWithoutFlowPriorityIsNotMarked() throws Exception {
        store(peer(null, Instant.now().plusSeconds(600)));
        // a marked mapping stored after it: once its flows are out, the renderer has seen the unmarked one too
        final var marked = new Mapping(new MappingKey.Peer("gw", 17, InetAddresses.forString("10.0.0.2"), 7001,
            InetAddresses.forString("198.51.100.7"), 9000), InetAddresses.forString("192.0.3.1"), 7001, Origin.PCP,
            InetAddresses.forString("10.0.0.2"), new Nonce(3, 4), Instant.now(), Instant.now().plusSeconds(600), null,
            new org.pcpcontroller.api.mapping.FlowPriority(46, 10), List.of());
        store(marked);
        final var adds = await(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        assertEquals(adds, sw.sent, "only the marked mapping's flows");
        assertTrue(adds.stream().allMatch(add -> add.getMatch().get(MatchField.UDP_SRC) != null
            && add.getMatch().get(MatchField.UDP_SRC).getPort() == 7001 || add.getMatch().get(MatchField.UDP_DST)
            != null && add.getMatch().get(MatchField.UDP_DST).getPort() == 7001), adds::toString);
    }

    @Test
    void removingTheMappingDeletesExactlyItsFlows() throws Exception {
        store(peer(new org.pcpcontroller.api.mapping.FlowPriority(46, 10), Instant.now().plusSeconds(600)));
        final var adds = await(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        await(this::status, Optional::isPresent);
        remove(PEER);
        final var deletes = await(() -> sw.sentOf(OFFlowDeleteStrict.class), list -> list.size() == 2);
        assertEquals(adds.stream().map(OFFlowAdd::getMatch).sorted(java.util.Comparator.comparing(Object::toString))
            .toList(), deletes.stream().map(OFFlowDeleteStrict::getMatch)
            .sorted(java.util.Comparator.comparing(Object::toString)).toList());
        assertEquals(U64.NO_MASK, deletes.getFirst().getCookieMask());
        await(this::status, Optional::isEmpty);
    }

    @Test
    void aSwitchErrorIsReportedAsFailed() throws Exception {
        sw.fail = OF13.errorMsgs().buildFlowModFailedErrorMsg().setXid(9)
            .setCode(org.projectfloodlight.openflow.protocol.OFFlowModFailedCode.TABLE_FULL).build();
        store(peer(new org.pcpcontroller.api.mapping.FlowPriority(46, 10), Instant.now().plusSeconds(600)));
        final var status = await(this::status, found -> found.isPresent());
        assertEquals(RenderStatus.State.Failed, status.orElseThrow().getState());
    }

    @Test
    void withoutASwitchTheStatusIsPending() throws Exception {
        connected.clear();
        store(peer(new org.pcpcontroller.api.mapping.FlowPriority(46, 10), Instant.now().plusSeconds(600)));
        final var status = await(this::status, Optional::isPresent);
        assertEquals(RenderStatus.State.Pending, status.orElseThrow().getState());
    }

    @Test
    void aPolicyChangeMovesTheFlows() throws Exception {
        store(peer(new org.pcpcontroller.api.mapping.FlowPriority(46, 10), Instant.now().plusSeconds(600)));
        await(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        renderer.gatewayChanged("gw", view(new GatewayBuilder()
            .setGatewayId(new GatewayId("gw")).setTableId(Uint8.valueOf(3)).setFlowPriority(Uint16.valueOf(100))
            .setContinuation(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123
                .flow.priority.gateway.continuation.GotoTableBuilder().setGotoTable(Uint8.valueOf(4)).build())
            .build()));
        // the old flows go from where they were, the new ones come where the policy says
        final var deletes = await(() -> sw.sentOf(OFFlowDeleteStrict.class), list -> list.size() == 2);
        assertEquals(TableId.of(0), deletes.getFirst().getTableId());
        assertEquals(40000, deletes.getFirst().getPriority());
        final var adds = await(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 4);
        final var moved = adds.get(3);
        assertEquals(TableId.of(3), moved.getTableId());
        assertEquals(100, moved.getPriority());
        assertEquals(TableId.of(4), assertInstanceOf(OFInstructionGotoTable.class, moved.getInstructions().get(1))
            .getTableId());
    }

    @Test
    void reconnectDeletesStrayFlowsAndInstallsTheStoresView() throws Exception {
        store(peer(new org.pcpcontroller.api.mapping.FlowPriority(46, 10), Instant.now().plusSeconds(600)));
        await(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        sw.sent.clear();
        // the switch holds one flow of ours that no mapping accounts for
        final var stray = U64.of(Flows.DSCP.getValue() | 0x42);
        sw.table.add(OF13.buildFlowStatsEntry().setCookie(stray).setPriority(40000).setTableId(TableId.of(0))
            .setMatch(OF13.buildMatch().build()).build());
        renderer.switchReady(sw);
        final var deletes = await(() -> sw.sentOf(OFFlowDeleteStrict.class), list -> list.size() == 1);
        assertEquals(stray, deletes.getFirst().getCookie());
        await(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
    }
}
