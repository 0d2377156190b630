/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.dscp;

import static java.util.Objects.requireNonNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.lang.annotation.Annotation;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.DatapathId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.OpenflowBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mapping.common.RenderStatus;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Peer;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.gateway.InvalidGatewayException;
import org.pcpcontroller.impl.gateway.RenderSummary;
import org.pcpcontroller.impl.openflow.Cookies;
import org.pcpcontroller.impl.openflow.OpenFlowSwitches;
import org.pcpcontroller.impl.openflow.ScriptedSwitch;
import org.pcpcontroller.impl.openflow.SwitchBinding;
import org.pcpcontroller.impl.openflow.SwitchConnection;
import org.pcpcontroller.impl.openflow.SwitchListener;
import org.pcpcontroller.impl.render.RenderOutcome;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.DomMappingFeed;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFActionSetField;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.protocol.oxm.OFOxmIpDscp;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The DSCP renderer over the in-memory datastore and the real mapping feed, against a scripted switch that records
 * what it is sent: flows for a mapping, their removal, render-status and the answer gate's outcome, and the policy's
 * allowed values as a defence in depth.
 */
class DscpRendererTest extends AbstractDataBrokerTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String DATAPATH = "00:00:00:00:00:00:00:0a";
    private static final MappingKey.Peer PEER = new MappingKey.Peer("gw", 17, InetAddresses.forString("10.0.0.2"),
        7000, InetAddresses.forString("198.51.100.7"), 9000);

    /** Views handed over as the tracker does (the tracker itself is tested in the gateway package). */
    private final class Views implements GatewayRegistry {
        private final List<ViewListener> listeners = new CopyOnWriteArrayList<>();
        private volatile @Nullable GatewayView view;

        void change(final GatewayView next) {
            final var change = new ViewChange("gw", view, next);
            view = next;
            listeners.forEach(listener -> listener.viewsChanged(List.of(change)));
        }

        @Override
        public Registration subscribe(final ViewListener listener) {
            listeners.add(listener);
            final var now = view;
            if (now != null) {
                listener.viewsChanged(List.of(new ViewChange("gw", null, now)));
            }
            return () -> listeners.remove(listener);
        }

        @Override
        public void publishRenderSummary(final String gatewayId, final Renderer kind,
                final @Nullable RenderSummary summary) {
            if (summary != null) {
                summaries.put(gatewayId, summary);
            }
        }

        @Override
        public Optional<GatewayView> lookup(final String gatewayId) {
            return Optional.ofNullable(view);
        }

        @Override
        public List<String> problems(final String gatewayId) {
            return List.of();
        }

        @Override
        public Optional<Instant> epochOrigin(final String gatewayId) {
            return Optional.empty();
        }

        @Override
        public Registration addEpochListener(final EpochListener listener) {
            return () -> { };
        }

        @Override
        public void publishNetconfState(final String gatewayId, final org.opendaylight.yang.gen.v1.urn.pcpcontroller
                .yang.pcp.gateway.rev261123.gateways.gateway.state.@Nullable Netconf state) {
            // not this renderer's
        }
    }

    private final Map<String, RenderSummary> summaries = new ConcurrentHashMap<>();
    private final Views views = new Views();
    private final List<SwitchListener> listeners = new CopyOnWriteArrayList<>();
    private final OpenFlowSwitches switches = new OpenFlowSwitches() {
        @Override
        public Registration subscribe(final SwitchListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public List<SwitchConnection> switchesOf(final String gateway) {
            return List.of();
        }
    };
    private ScriptedSwitch sw;
    private DscpRenderer renderer;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        views.change(view(null));
        renderer = new DscpRenderer(getDataBroker(), new DomMappingFeed(getDomBroker()), views, switches,
            configuration(0));
        final var view = views.lookup("gw").orElseThrow();
        final var binding = new SwitchBinding("gw", view.openflow());
        sw = new ScriptedSwitch(OFVersion.OF_13, 10, binding);
        listeners.getFirst().bound(sw, binding);
        settled();
    }

    private static DscpRenderer.Configuration configuration(final long auditInterval) {
        return new DscpRenderer.Configuration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return DscpRenderer.Configuration.class;
            }

            @Override
            public int batchSize() {
                return 1000;
            }

            @Override
            public long auditInterval() {
                return auditInterval;
            }
        };
    }

    /**
     * Waits until the renderer's thread ran what is queued now and what that queues in turn (the reconcile of a
     * bound switch answers on that thread): two round trips, so that no test sees a reconcile racing its change.
     */
    private void settled() throws Exception {
        for (int i = 0; i < 2; i++) {
            renderer.whenRendered(peer(null)).get(5, TimeUnit.SECONDS);
        }
    }

    @AfterEach
    void afterEach() {
        renderer.close();
    }

    // gateway gw with one datapath, with a pcp-flow-priority entry or without one
    private static GatewayView view(final @Nullable Gateway marking) throws InvalidGatewayException {
        return TestModel.PARSER.parse(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123
            .gateways.GatewayBuilder().setId(new GatewayId("gw"))
            .setOpenflow(new OpenflowBuilder().setDatapathId(Set.of(new DatapathId(DATAPATH))).build()).build(),
            marking);
    }

    private static Mapping peer(final @Nullable FlowPriority priority) {
        return new Mapping(PEER, InetAddresses.forString("192.0.3.1"), 7000, Origin.PCP,
            InetAddresses.forString("10.0.0.2"), new Nonce(1, 2), Instant.now(), Instant.now().plusSeconds(600),
            null, priority, List.of());
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

    @SuppressWarnings("unchecked")
    private Optional<RenderStatus> status() {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.OPERATIONAL, (DataObjectIdentifier<Peer>) BindingMappings.path(PEER))
                .get(5, TimeUnit.SECONDS)
                .flatMap(peer -> Optional.ofNullable(peer.getRenderStatus()))
                .flatMap(statuses -> statuses.values().stream().findFirst());
        } catch (ExecutionException | TimeoutException | InterruptedException e) {
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
        final var mapping = peer(new FlowPriority(46, 10));
        assertTrue(renderer.renders(mapping));
        store(mapping);
        final var adds = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class),
            list -> list.size() == 2);
        // the flows were made at some moment between the mapping's creation and now
        final long leftNow = Math.ceilDiv(Duration.between(Instant.now(), mapping.expires()).toMillis(), 1000);
        final var up = adds.stream().filter(add -> add.getMatch().get(MatchField.UDP_SRC) != null
            && add.getMatch().get(MatchField.UDP_SRC).getPort() == 7000).findFirst().orElseThrow();
        final var down = adds.stream().filter(add -> add.getMatch().get(MatchField.UDP_DST) != null
            && add.getMatch().get(MatchField.UDP_DST).getPort() == 7000).findFirst().orElseThrow();
        assertEquals(46, dscp(up));
        assertEquals(10, dscp(down));
        assertEquals("10.0.0.2", up.getMatch().get(MatchField.IPV4_SRC).toString());
        assertEquals("198.51.100.7", up.getMatch().get(MatchField.IPV4_DST).toString());
        assertEquals(9000, up.getMatch().get(MatchField.UDP_DST).getPort());
        assertEquals("198.51.100.7", down.getMatch().get(MatchField.IPV4_SRC).toString());
        assertEquals(40000, up.getPriority());
        assertEquals(Cookies.DSCP, up.getCookie().applyMask(Cookies.KIND_MASK));
        // the hard timeout is the lifetime left when the flow was made, rounded up: never shorter than the lease
        assertTrue(up.getHardTimeout() >= leftNow && up.getHardTimeout() <= 600,
            "hard timeout " + up.getHardTimeout() + ", lifetime left now " + leftNow);
        final var status = Await.until(WAIT, this::status,
            found -> found.isPresent() && found.orElseThrow().getState() == RenderStatus.State.Installed);
        assertEquals("on " + DATAPATH, status.orElseThrow().getDetail());
        assertEquals(RenderOutcome.INSTALLED, renderer.whenRendered(mapping).get(5, TimeUnit.SECONDS));
        Await.until(WAIT, () -> summaries.get("gw"),
            summary -> summary != null && summary.installed() == 1);
    }

    @Test
    void mappingWithoutFlowPriorityIsNotRendered() throws Exception {
        final var mapping = peer(null);
        assertFalse(renderer.renders(mapping));
        store(mapping);
        // a marked mapping stored after it is rendered: the unmarked one, before it, sent nothing
        final var marked = new MappingKey.Peer("gw", 17, InetAddresses.forString("10.0.0.3"), 7000,
            InetAddresses.forString("198.51.100.7"), 9000);
        store(new Mapping(marked, InetAddresses.forString("192.0.3.1"), 7001, Origin.PCP,
            InetAddresses.forString("10.0.0.3"), new Nonce(3, 4), Instant.now(), Instant.now().plusSeconds(600),
            null, new FlowPriority(46, 10), List.of()));
        final var adds = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class),
            list -> list.size() == 2);
        assertTrue(adds.stream().allMatch(add -> "10.0.0.3".equals(String.valueOf(add.getMatch()
            .get(MatchField.IPV4_SRC))) || "10.0.0.3".equals(String.valueOf(add.getMatch().get(MatchField.IPV4_DST)))),
            adds::toString);
    }

    @Test
    void removingTheMappingDeletesExactlyItsFlows() throws Exception {
        store(peer(new FlowPriority(46, 10)));
        final var adds = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class),
            list -> list.size() == 2);
        Await.until(WAIT, this::status, Optional::isPresent);
        remove(PEER);
        final var deletes = Await.until(WAIT, () -> sw.sentOf(OFFlowDeleteStrict.class),
            list -> list.size() == 2);
        assertEquals(adds.stream().map(OFFlowAdd::getMatch).sorted(Comparator.comparing(Object::toString)).toList(),
            deletes.stream().map(OFFlowDeleteStrict::getMatch).sorted(Comparator.comparing(Object::toString))
                .toList());
        assertEquals(U64.NO_MASK, deletes.getFirst().getCookieMask());
        Await.until(WAIT, this::status, Optional::isEmpty);
    }

    @Test
    void aSwitchErrorIsReportedAsFailed() throws Exception {
        sw.fail = sw.factory().errorMsgs().buildFlowModFailedErrorMsg().setXid(9)
            .setCode(OFFlowModFailedCode.TABLE_FULL).build();
        final var mapping = peer(new FlowPriority(46, 10));
        store(mapping);
        final var status = Await.until(WAIT, this::status, Optional::isPresent);
        assertEquals(RenderStatus.State.Failed, status.orElseThrow().getState());
        assertInstanceOf(RenderOutcome.Failed.class, renderer.whenRendered(mapping).get(5, TimeUnit.SECONDS));
    }

    @Test
    void aValueThePolicyDoesNotAllowIsNeverInstalled() throws Exception {
        // the engine refuses such a request; an operator's mapping or a policy changed since must not reach a switch
        views.change(view(new GatewayBuilder().setGatewayId(new GatewayId("gw"))
            .setAllowedDscpUp(Set.of(new Dscp(Uint8.valueOf(46)))).build()));
        final var mapping = peer(new FlowPriority(34, 10));
        store(mapping);
        final var status = Await.until(WAIT, this::status, Optional::isPresent);
        assertEquals(RenderStatus.State.Failed, status.orElseThrow().getState());
        assertTrue(status.orElseThrow().getDetail().contains("not allowed"), status::toString);
        assertInstanceOf(RenderOutcome.Failed.class, renderer.whenRendered(mapping).get(5, TimeUnit.SECONDS));
        assertTrue(sw.sentOf(OFFlowAdd.class).isEmpty(), sw.sent::toString);
        // an allowed value is installed as usual
        store(peer(new FlowPriority(46, 10)));
        final var adds = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class),
            list -> list.size() == 2);
        assertTrue(adds.stream().anyMatch(add -> dscp(add) == 46), adds::toString);
    }

    @Test
    void reconnectDeletesStrayFlowsAndInstallsTheStoresView() throws Exception {
        store(peer(new FlowPriority(46, 10)));
        Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        final var binding = requireNonNull(sw.binding());
        listeners.getFirst().unbound(sw, binding);
        sw.sent.clear();
        // the switch holds one flow of ours that no mapping accounts for
        final var stray = U64.of(Cookies.DSCP.getValue() | 0x42);
        sw.table.add(sw.factory().buildFlowStatsEntry().setCookie(stray).setPriority(40000)
            .setTableId(TableId.of(0)).setMatch(sw.factory().buildMatch().build()).build());
        listeners.getFirst().bound(sw, binding);
        final var deletes = Await.until(WAIT, () -> sw.sentOf(OFFlowDeleteStrict.class),
            list -> list.size() == 1);
        assertEquals(stray, deletes.getFirst().getCookie());
        Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
    }

    // what the switch reports holding for a flow it was sent
    private static OFFlowStatsEntry held(final OFFlowAdd add) {
        return OFFactories.getFactory(add.getVersion()).buildFlowStatsEntry().setTableId(add.getTableId())
            .setPriority(add.getPriority()).setCookie(add.getCookie()).setFlags(add.getFlags())
            .setMatch(add.getMatch()).setInstructions(add.getInstructions()).build();
    }

    private static OFFlowRemoved deleted(final OFFlowAdd add) {
        return OFFactories.getFactory(add.getVersion()).buildFlowRemoved().setTableId(add.getTableId())
            .setPriority(add.getPriority()).setCookie(add.getCookie()).setMatch(add.getMatch())
            .setReason(OFFlowRemovedReason.DELETE).build();
    }

    @Test
    void aMarkingFlowDeletedBehindOurBackIsPutBackAndNothingElseTouched() throws Exception {
        store(peer(new FlowPriority(46, 10)));
        final var adds = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        Await.until(WAIT, this::status, found -> found.isPresent()
            && found.orElseThrow().getState() == RenderStatus.State.Installed);
        // the switch still holds one direction and another owner's flow; the other direction was deleted
        final var operator = sw.factory().buildFlowStatsEntry().setTableId(TableId.of(0)).setPriority(40000)
            .setCookie(U64.of(0x1234)).setMatch(adds.get(1).getMatch()).build();
        sw.table.addAll(List.of(held(adds.getFirst()), operator));
        sw.sent.clear();
        listeners.getFirst().flowRemoved(sw, deleted(adds.get(1)));
        final var again = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 1);
        assertEquals(adds.get(1).getMatch(), again.getFirst().getMatch());
        assertEquals(adds.get(1).getCookie(), again.getFirst().getCookie());
        settled();
        assertEquals(1, sw.sentOf(OFFlowStatsRequest.class).size(), sw.sent::toString);
        assertTrue(sw.sentOf(OFFlowDeleteStrict.class).isEmpty(), "another owner's flow stays: " + sw.sent);
        assertEquals(1, sw.sentOf(OFFlowAdd.class).size(), "no duplicate: " + sw.sent);
        assertEquals(RenderStatus.State.Installed, status().orElseThrow().getState());
    }

    @Test
    void aMarkingFlowWeDeletedOurselvesStartsNoAudit() throws Exception {
        store(peer(new FlowPriority(46, 10)));
        final var adds = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        Await.until(WAIT, this::status, Optional::isPresent);
        remove(PEER);
        Await.until(WAIT, () -> sw.sentOf(OFFlowDeleteStrict.class), list -> list.size() == 2);
        sw.sent.clear();
        // the switch reports the deletions the renderer asked for
        adds.forEach(add -> listeners.getFirst().flowRemoved(sw, deleted(add)));
        settled();
        assertTrue(sw.sentOf(OFFlowStatsRequest.class).isEmpty(), "no audit after our own deletions: " + sw.sent);
    }

    @Test
    void auditIntervalRunsThePeriodicAuditAndAppliesInPlace() throws Exception {
        store(peer(new FlowPriority(46, 10)));
        final var adds = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class), list -> list.size() == 2);
        assertEquals(0, renderer.auditInterval());
        // the switch lost both flows without reporting it (no FLOW_REMOVED): the periodic audit finds out
        sw.sent.clear();
        renderer.modified(configuration(1));
        assertEquals(1, renderer.auditInterval());
        final var again = Await.until(WAIT, () -> sw.sentOf(OFFlowAdd.class), list -> list.size() >= 2);
        assertEquals(adds.stream().map(OFFlowAdd::getMatch).collect(Collectors.toSet()),
            again.stream().map(OFFlowAdd::getMatch).collect(Collectors.toSet()));
        renderer.modified(configuration(0));
        assertEquals(0, renderer.auditInterval());
    }

    @Test
    void theDefaultAuditIntervalIsAMinute() throws Exception {
        assertEquals(60L, DscpRenderer.Configuration.class.getMethod("auditInterval").getDefaultValue());
    }
}
