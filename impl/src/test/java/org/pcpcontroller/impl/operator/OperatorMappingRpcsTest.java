/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;

import com.google.common.net.InetAddresses;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.api.RpcProviderService;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.IpProtocol;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Lifetime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Opcode;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.State;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.AddMappingInputBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.ClearGatewayInputBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RefreshMappingInputBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.RemoveMappingInputBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.add.mapping.input.FlowPriorityBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.ErrorTag;
import org.opendaylight.yangtools.yang.common.RpcResult;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.gateway.GatewayCounters;
import org.pcpcontroller.impl.gateway.GatewayTracker;
import org.pcpcontroller.impl.mappinglog.RecordingMappingLog;
import org.pcpcontroller.impl.store.DatastoreMappingStore;
import org.pcpcontroller.impl.store.StoreTestAccess;

class OperatorMappingRpcsTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");

    private final RecordingMappingLog log = new RecordingMappingLog();
    private DatastoreMappingStore store;
    private GatewayTracker tracker;
    private OperatorMappingRpcs rpcs;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        final var clock = new MutableClock(START);
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
        StoreTestAccess.eventLog(store, log);
        tracker = new GatewayTracker(getDataBroker(), store, new GatewayCounters(), TestModel.PARSER, clock);
        final var rpcProvider = mock(RpcProviderService.class);
        doReturn(mock(Registration.class)).when(rpcProvider).registerRpcImplementations(any(), any(), any(), any());
        rpcs = new OperatorMappingRpcs(rpcProvider, tracker, store, clock);
        putGateway(gateway("gw1"));
    }

    private static Gateway gateway(final String id) {
        return new GatewayBuilder()
            .setId(new GatewayId(id))
            .setExternalAddress(List.of(IetfInetUtil.ipAddressFor("192.0.3.1"),
                IetfInetUtil.ipAddressFor("2001:db8::1")))
            .setInternalPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.0/24"),
                IetfInetUtil.ipPrefixFor("2001:db8:1::/64")))
            .setExternalPortRange(new ExternalPortRangeBuilder().setStart(port(2000)).setEnd(port(2002)).build())
            .build();
    }

    @AfterEach
    void afterEach() {
        rpcs.close();
        tracker.close();
        store.close();
    }

    private void putGateway(final Gateway gateway) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, gateway.key()).build(), gateway);
        tx.commit().get(5, TimeUnit.SECONDS);
        final var id = gateway.requireId().getValue();
        // served or refused: either way the tracker has seen it
        Await.until(() -> tracker.lookup(id).isPresent() || !tracker.problems(id).isEmpty(), seen -> seen);
    }

    private static PortNumber port(final int port) {
        return new PortNumber(Uint16.valueOf(port));
    }

    private static AddMappingInputBuilder add(final String internal, final int internalPort) {
        return new AddMappingInputBuilder()
            .setGatewayId(new GatewayId("gw1"))
            .setProtocol(IpProtocol.Udp)
            .setInternalAddress(IetfInetUtil.ipAddressFor(internal))
            .setInternalPort(port(internalPort));
    }

    private static void assertError(final RpcResult<?> result, final ErrorTag tag, final String text) {
        assertFalse(result.isSuccessful(), "expected an error");
        final var error = result.getErrors().iterator().next();
        assertEquals(tag, error.getTag());
        assertTrue(error.getMessage().contains(text), error.getMessage());
    }

    private boolean anyMappingStored() throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Mappings.class).build())
                .get(5, TimeUnit.SECONDS).map(m -> m.nonnullGateway().values().stream()
                    .anyMatch(g -> !g.nonnullMap().isEmpty() || !g.nonnullPeer().isEmpty())).orElse(false);
        }
    }

    @Test
    void addUsesTheInternalPortWhenInRangeAndFree() throws Exception {
        final var result = rpcs.addMapping(add("10.0.0.2", 2001).setLifetime(new Lifetime(Uint32.valueOf(600)))
            .build()).get(5, TimeUnit.SECONDS);
        assertTrue(result.isSuccessful(), result.getErrors().toString());
        assertEquals("192.0.3.1", result.getResult().getExternalAddress().stringValue());
        assertEquals(2001, result.getResult().getExternalPort().getValue().toJava());
        assertEquals("2026-11-23T12:10:00Z", result.getResult().getExpires().getValue());
        assertTrue(anyMappingStored());
    }

    @Test
    void addStoresTheDescriptionAndFlowPriorityGiven() throws Exception {
        final var result = rpcs.addMapping(add("10.0.0.2", 2001).setDescription("printer")
            .setFlowPriority(new FlowPriorityBuilder().setDscpUp(new Dscp(Uint8.valueOf(46)))
                .setDscpDown(new Dscp(Uint8.valueOf(10))).build()).build()).get(5, TimeUnit.SECONDS);
        assertTrue(result.isSuccessful(), result.getErrors().toString());
        final var stored = store.get(new MappingKey.Map("gw1", 17, InetAddresses.forString("10.0.0.2"), 2001))
            .orElseThrow();
        assertEquals("printer", stored.description());
        assertEquals(new FlowPriority(46, 10), stored.flowPriority());
    }

    @Test
    void addPicksAnotherPortWhenTheInternalOneIsOutsideTheRange() throws Exception {
        final var result = rpcs.addMapping(add("10.0.0.2", 80).build()).get(5, TimeUnit.SECONDS);
        assertEquals(2000, result.getResult().getExternalPort().getValue().toJava());
        assertNull(result.getResult().getExpires());
    }

    @Test
    void addRefusesAnInternalAddressOutsideThePrefixes() throws Exception {
        assertError(rpcs.addMapping(add("10.9.0.2", 2000).build()).get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE,
            "not inside the internal prefixes");
        assertFalse(anyMappingStored());
    }

    @Test
    void addRefusesAnExternalPortOutsideTheRange() throws Exception {
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).setExternalPort(port(3000)).build())
            .get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE, "outside the range 2000..2002");
        assertFalse(anyMappingStored());
    }

    @Test
    void addRefusesAnExternalPortTakenByAnotherHost() throws Exception {
        assertTrue(rpcs.addMapping(add("10.0.0.2", 2000).build()).get(5, TimeUnit.SECONDS).isSuccessful());
        assertError(rpcs.addMapping(add("10.0.0.3", 2000).setExternalPort(port(2000)).build())
            .get(5, TimeUnit.SECONDS), ErrorTag.DATA_EXISTS, "already mapped to 10.0.0.2");
    }

    @Test
    void addRefusesTheSameMappingTwice() throws Exception {
        assertTrue(rpcs.addMapping(add("10.0.0.2", 2000).build()).get(5, TimeUnit.SECONDS).isSuccessful());
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).build()).get(5, TimeUnit.SECONDS), ErrorTag.DATA_EXISTS,
            "already exists");
    }

    @Test
    void addReportsAFullRange() throws Exception {
        for (int i = 2; i < 5; i++) {
            assertTrue(rpcs.addMapping(add("10.0.0." + i, 2000).build()).get(5, TimeUnit.SECONDS).isSuccessful());
        }
        assertError(rpcs.addMapping(add("10.0.0.9", 2000).build()).get(5, TimeUnit.SECONDS),
            ErrorTag.RESOURCE_DENIED, "no free external port");
    }

    @Test
    void addRefusesMixedAddressFamilies() throws Exception {
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).setExternalAddress(IetfInetUtil.ipAddressFor(
            "2001:db8::1")).build()).get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE, "not of the family");
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).setOpcode(Opcode.Peer)
            .setRemotePeerAddress(IetfInetUtil.ipAddressFor("2001:db8::9")).setRemotePeerPort(port(53)).build())
            .get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE, "not of the family");
        assertFalse(anyMappingStored());
    }

    @Test
    void addRefusesAnExternalAddressTheGatewayDoesNotOwn() throws Exception {
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).setExternalAddress(IetfInetUtil.ipAddressFor(
            "198.51.100.1")).build()).get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE, "not an external address");
    }

    @Test
    void ipv6MappingIsAPinhole() throws Exception {
        final var result = rpcs.addMapping(add("2001:db8:1::5", 8080).build()).get(5, TimeUnit.SECONDS);
        assertEquals("2001:db8:1::5", result.getResult().getExternalAddress().stringValue());
        assertEquals(8080, result.getResult().getExternalPort().getValue().toJava());
        assertError(rpcs.addMapping(add("2001:db8:1::6", 8080).setExternalPort(port(9090)).build())
            .get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE, "pinhole");
    }

    @Test
    void protocolAllNeedsInternalPortZero() throws Exception {
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).setProtocol(IpProtocol.All).build())
            .get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE, "internal-port 0");
    }

    @Test
    void unknownGatewayIsReported() throws Exception {
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).setGatewayId(new GatewayId("nope")).build())
            .get(5, TimeUnit.SECONDS), ErrorTag.DATA_MISSING, "gateway nope is not configured");
    }

    @Test
    void misconfiguredGatewayIsReportedAndNotServed() throws Exception {
        putGateway(new GatewayBuilder()
            .setId(new GatewayId("bad"))
            .setExternalPortRange(new ExternalPortRangeBuilder().setStart(port(5000)).setEnd(port(4000)).build())
            .build());
        assertError(rpcs.addMapping(add("10.0.0.2", 2000).setGatewayId(new GatewayId("bad")).build())
            .get(5, TimeUnit.SECONDS), ErrorTag.INVALID_VALUE, "start 5000 is above end 4000");
        final var state = Await.until(() -> readState("bad"), found -> found != null && found.getStatus() != null);
        assertEquals(State.Status.Misconfigured, state.getStatus());
    }

    private State readState(final String id) throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.OPERATIONAL, DataObjectIdentifier.builder(Gateways.class)
                .child(Gateway.class, new GatewayKey(new GatewayId(id))).child(State.class).build())
                .get(5, TimeUnit.SECONDS).orElse(null);
        }
    }

    @Test
    void deletingAGatewayRemovesItsMappingsAndState() throws Exception {
        assertTrue(rpcs.addMapping(add("10.0.0.2", 2000).build()).get(5, TimeUnit.SECONDS).isSuccessful());
        final var state = Await.until(() -> readState("gw1"), found -> mappingCount(found) == 1);
        assertEquals(State.Status.Serving, state.getStatus());

        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.delete(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, new GatewayKey(new GatewayId("gw1"))).build());
        tx.commit().get(5, TimeUnit.SECONDS);
        Await.until(() -> store.count("gw1") == 0 && readState("gw1") == null, gone -> gone);
        assertFalse(anyMappingStored());
        Await.until(log::lines, lines -> lines.equals(List.of(
            "gateway=gw1 added UDP 10.0.0.2:2000 -> 192.0.3.1:2000 static (operator)",
            "gateway=gw1 removed UDP 10.0.0.2:2000 -> 192.0.3.1:2000 static (operator)")));

        // and no mapping-count publication brings a ghost state back: counts go out in periodic runs on the state
        // writer, so a count of another gateway that changed after the deletion proves a run that came after it
        putGateway(gateway("gw2"));
        Await.until(() -> readState("gw2"), found -> mappingCount(found) == 0);
        assertTrue(rpcs.addMapping(add("10.0.0.2", 2000).setGatewayId(new GatewayId("gw2")).build())
            .get(5, TimeUnit.SECONDS).isSuccessful());
        Await.until(() -> readState("gw2"), found -> mappingCount(found) == 1);
        assertNull(readState("gw1"));
    }

    private static long mappingCount(final State state) {
        return state == null || state.getMappingCount() == null ? -1 : state.getMappingCount().getValue().longValue();
    }

    @Test
    void refreshAndRemove() throws Exception {
        rpcs.addMapping(add("10.0.0.2", 2000).build()).get(5, TimeUnit.SECONDS);
        final var refreshed = rpcs.refreshMapping(new RefreshMappingInputBuilder()
            .setGatewayId(new GatewayId("gw1")).setProtocol(IpProtocol.Udp)
            .setInternalAddress(IetfInetUtil.ipAddressFor("10.0.0.2")).setInternalPort(port(2000))
            .setLifetime(new Lifetime(Uint32.valueOf(60))).build()).get(5, TimeUnit.SECONDS);
        assertEquals("2026-11-23T12:01:00Z", refreshed.getResult().getExpires().getValue());

        final var remove = new RemoveMappingInputBuilder().setGatewayId(new GatewayId("gw1"))
            .setProtocol(IpProtocol.Udp).setInternalAddress(IetfInetUtil.ipAddressFor("10.0.0.2"))
            .setInternalPort(port(2000)).build();
        assertTrue(rpcs.removeMapping(remove).get(5, TimeUnit.SECONDS).isSuccessful());
        assertFalse(anyMappingStored());
        assertError(rpcs.removeMapping(remove).get(5, TimeUnit.SECONDS), ErrorTag.DATA_MISSING, "no mapping");
        // issue 17: what the operator did, in the mapping log; the failed second removal is not a mapping event
        assertEquals(List.of(
            "gateway=gw1 added UDP 10.0.0.2:2000 -> 192.0.3.1:2000 static (operator)",
            "gateway=gw1 refreshed UDP 10.0.0.2:2000 -> 192.0.3.1:2000 lifetime 60 s (operator)",
            "gateway=gw1 removed UDP 10.0.0.2:2000 -> 192.0.3.1:2000 lifetime 60 s (operator)"), log.lines());
    }

    @Test
    void clearGatewayCountsRemovedMappings() throws Exception {
        rpcs.addMapping(add("10.0.0.2", 2000).build()).get(5, TimeUnit.SECONDS);
        rpcs.addMapping(add("10.0.0.3", 2001).build()).get(5, TimeUnit.SECONDS);
        final var cleared = rpcs.clearGateway(new ClearGatewayInputBuilder().setGatewayId(new GatewayId("gw1"))
            .build()).get(5, TimeUnit.SECONDS);
        assertEquals(2, cleared.getResult().getRemoved().intValue());
        assertFalse(anyMappingStored());
    }
}
