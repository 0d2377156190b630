/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.FlowPriority;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.UdpIngressBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.store.DatastoreMappingStore;

/**
 * The registry parses each gateway once and hands every subscriber the same ordered view changes: a late subscriber
 * starts from the views as delivered, a change of either configuration tree re-parses the gateway, and a gateway
 * that becomes unservable leaves the views.
 */
class GatewayViewsTest extends AbstractDataBrokerTest {
    private final List<GatewayRegistry.ViewChange> first = new CopyOnWriteArrayList<>();
    private final List<GatewayRegistry.ViewChange> late = new CopyOnWriteArrayList<>();
    private DatastoreMappingStore store;
    private GatewayTracker tracker;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        final var clock = new MutableClock(java.time.Instant.parse("2026-12-01T00:00:00Z"));
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
        tracker = new GatewayTracker(getDataBroker(), store, new GatewayCounters(), TestModel.PARSER, clock);
        tracker.subscribe(first::addAll);
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

    private static GatewayBuilder gateway(final String id, final String listen) {
        return new GatewayBuilder().setId(new GatewayId(id))
            .setUdpIngress(new UdpIngressBuilder().setListenAddress(java.util.Set.of(IetfInetUtil.ipAddressFor(
                listen))).build());
    }

    @Test
    void aLateSubscriberStartsFromTheViewsAsDeliveredAndThenFollows() throws Exception {
        put(gateway("a", "127.0.0.1").build());
        put(gateway("b", "127.0.0.2").build());
        Await.until(() -> first, changes -> changes.size() == 2);
        tracker.subscribe(late::addAll);
        Await.until(() -> late, changes -> changes.size() == 2);
        assertTrue(late.stream().allMatch(change -> change.before() == null && change.after() != null));
        put(gateway("a", "127.0.0.3").build());
        Await.until(() -> late, changes -> changes.size() == 3);
        Await.until(() -> first, changes -> changes.size() == 3);
        // both were told the same change, with the view it replaced
        assertEquals(first.get(2), late.get(2));
        assertTrue(late.get(2).changed(GatewayView::udpListen));
        assertEquals(5351, late.get(2).after().udpListen().getFirst().getPort());
    }

    @Test
    void aFlowPriorityEntryChangesTheGatewaysMarking() throws Exception {
        put(gateway("a", "127.0.0.1").build());
        Await.until(() -> first, changes -> changes.size() == 1);
        final var tx = getDataBroker().newWriteOnlyTransaction();
        final var marking = new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123
            .flow.priority.GatewayBuilder().setGatewayId(new GatewayId("a")).setTableId(Uint8.valueOf(1))
            .setFlowPriority(Uint16.valueOf(7)).build();
        tx.mergeParentStructurePut(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(
            FlowPriority.class).child(org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority
                .rev261123.flow.priority.Gateway.class, marking.key()).build(), marking);
        tx.commit().get(5, TimeUnit.SECONDS);
        final var changes = Await.until(() -> new ArrayList<>(first), list -> list.size() == 2);
        final var change = changes.get(1);
        assertTrue(change.changed(GatewayView::marking));
        assertTrue(!change.changed(GatewayView::udpListen));
        assertEquals(7, change.after().marking().priority());
    }

    @Test
    void aGatewayThatCannotBeServedLeavesTheViewsWithItsReasons() throws Exception {
        put(gateway("a", "127.0.0.1").build());
        Await.until(() -> first, changes -> changes.size() == 1);
        put(gateway("a", "127.0.0.1").setExternalPortRange(new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang
            .pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder()
            .setStart(new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715
                .PortNumber(Uint16.valueOf(9000)))
            .setEnd(new org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715
                .PortNumber(Uint16.valueOf(8000))).build()).build());
        final var changes = Await.until(() -> new ArrayList<>(first), list -> list.size() == 2);
        assertNull(changes.get(1).after());
        assertTrue(tracker.lookup("a").isEmpty());
        assertTrue(tracker.problems("a").getFirst().contains("start 9000 is above end 8000"));
    }
}
