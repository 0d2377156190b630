/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.ResultCode;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.State;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.Counters;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.Request;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.RequestKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.counters.ResponseKey;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.DatastoreMappingStore;

/**
 * The gateway state the tracker publishes in the operational datastore: status and why, epoch origin, mapping count,
 * the request and refusal counters, and the renderers' summaries.
 */
class GatewayStateTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-12-01T00:00:00Z");

    private final GatewayCounters counters = new GatewayCounters();
    private DatastoreMappingStore store;
    private GatewayTracker tracker;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        final var clock = new MutableClock(START);
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
        tracker = new GatewayTracker(getDataBroker(), store, counters, TestModel.PARSER, clock);
    }

    @AfterEach
    void afterEach() {
        tracker.close();
        store.close();
    }

    private void put(final Gateway gateway) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, gateway.key()).build(), gateway);
        tx.commit().get(5, TimeUnit.SECONDS);
    }

    private Optional<State> state() throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.OPERATIONAL, DataObjectIdentifier.builder(Gateways.class)
                .child(Gateway.class, new GatewayKey(new GatewayId("gw"))).child(State.class).build())
                .get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aServedGatewayShowsItsEpochCountsAndCounters() throws Exception {
        put(new GatewayBuilder().setId(new GatewayId("gw")).build());
        final var serving = Await.until(this::state, state -> state.isPresent()
            && state.orElseThrow().getStatus() == State.Status.Serving).orElseThrow();
        // a new gateway's epoch starts now (RFC 6887 section 8.5)
        assertEquals(BindingMappings.dateAndTime(START), serving.getEpochOrigin());
        assertEquals(0L, serving.getMappingCount().getValue().longValue());

        counters.request("gw", true, 1);
        counters.response("gw", ResultCode.NoResources.getIntValue());
        counters.overRate("gw");
        counters.refused("gw", MappingLimit.CLIENT_QUOTA);
        counters.refused("gw", MappingLimit.GATEWAY);
        counters.refused("gw", MappingLimit.GATEWAY);
        counters.refused("gw", MappingLimit.CONTROLLER);
        final Counters published = Await.until(() -> state().map(State::getCounters).orElse(null),
            counted -> counted != null && counted.getRefusedOverControllerLimit() != null
                && counted.getRefusedOverControllerLimit().getValue().longValue() == 1);
        assertEquals(1L, published.nonnullRequest().get(new RequestKey(Uint8.ONE, Request.Protocol.Pcp))
            .getCount().getValue().longValue());
        assertEquals(1L, published.nonnullResponse().get(new ResponseKey(ResultCode.NoResources)).getCount()
            .getValue().longValue());
        assertEquals(1L, published.getDroppedOverRequestRate().getValue().longValue());
        assertEquals(1L, published.getRefusedOverQuota().getValue().longValue());
        assertEquals(2L, published.getRefusedOverGatewayLimit().getValue().longValue());
    }

    /**
     * The store keeps an epoch's origin at the datastore's millisecond; the tracker asked at its clock's microsecond.
     * A new epoch started within the millisecond of the question must still be announced (RFC 6887 section 14.1.3):
     * in CI it once was not, and no announcement ever went out for the gateway.
     */
    @Test
    void aNewEpochWithinTheMillisecondOfTheQuestionIsStarted() throws Exception {
        tracker.close();
        store.close();
        final var clock = new MutableClock(START.plusNanos(400_000));
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
        tracker = new GatewayTracker(getDataBroker(), store, counters, TestModel.PARSER, clock);
        final var started = new java.util.concurrent.CopyOnWriteArrayList<Instant>();
        tracker.addEpochListener((gateway, origin) -> started.add(origin));
        put(new GatewayBuilder().setId(new GatewayId("gw")).build());
        Await.until(this::state, state -> state.isPresent());
        assertEquals(java.util.List.of(START), started);
    }

    @Test
    void aRendererSummaryIsPublishedAndWithdrawn() throws Exception {
        put(new GatewayBuilder().setId(new GatewayId("gw")).build());
        Await.until(this::state, state -> state.isPresent());
        tracker.publishRenderSummary("gw", Renderer.Netfilter, new RenderSummary(3, 2, 1, "refused by the gateway"));
        final var renderer = Await.until(() -> state().map(state -> state.nonnullRenderer().values().stream()
            .findFirst().orElse(null)).orElse(null), found -> found != null);
        assertEquals(Renderer.Netfilter, renderer.getName());
        assertEquals(3L, renderer.getInstalled().getValue().longValue());
        assertEquals(2L, renderer.getPending().getValue().longValue());
        assertEquals(1L, renderer.getFailed().getValue().longValue());
        assertEquals("refused by the gateway", renderer.getLastFailure());
        tracker.publishRenderSummary("gw", Renderer.Netfilter, null);
        Await.until(() -> state().map(state -> state.nonnullRenderer().isEmpty()).orElse(false), empty -> empty);
    }

    @Test
    void aGatewayThatCannotBeServedSaysWhy() throws Exception {
        put(new GatewayBuilder().setId(new GatewayId("gw")).setExternalPortRange(new ExternalPortRangeBuilder()
            .setStart(new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715
                .PortNumber(Uint16.valueOf(9000)))
            .setEnd(new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715
                .PortNumber(Uint16.valueOf(8000))).build()).build());
        final var state = Await.until(this::state, found -> found.isPresent()).orElseThrow();
        assertEquals(State.Status.Misconfigured, state.getStatus());
        assertTrue(state.getStatusDetail().contains("start 9000 is above end 8000"), state.getStatusDetail());
    }
}
