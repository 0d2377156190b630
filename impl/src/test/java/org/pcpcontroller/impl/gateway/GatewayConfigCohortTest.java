/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCandidate;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCommitCohort;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.PortNumber;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Lifetime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.ExternalPortRangeBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.NetconfBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.credentials.PasswordBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.host.key.policy.PinnedBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.netconf.transport.CallHomeBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.common.Empty;
import org.opendaylight.yangtools.yang.common.Uint16;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier.NodeIdentifier;
import org.opendaylight.yangtools.yang.data.api.schema.MapEntryNode;
import org.opendaylight.yangtools.yang.data.api.schema.NormalizedNode;
import org.opendaylight.yangtools.yang.data.spi.node.ImmutableNodes;
import org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidateNode;
import org.pcpcontroller.impl.TestModel;

/**
 * The cohort's decisions, driven with the normalized form of real binding objects. The in-memory test broker takes
 * no commit cohorts, so the broker here is a mock that hands the registered cohort back; the system test checks the
 * same refusal through RESTCONF against the real datastore.
 */
class GatewayConfigCohortTest extends AbstractDataBrokerTest {
    private GatewayConfigCohort cohort;
    private DOMDataTreeCommitCohort registered;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        final var broker = mock(DOMDataBroker.class);
        final var cohorts = mock(DOMDataBroker.CommitCohortExtension.class);
        doReturn(cohorts).when(broker).extension(DOMDataBroker.CommitCohortExtension.class);
        doReturn(mock(Registration.class)).when(cohorts).registerCommitCohort(any(), any());
        cohort = new GatewayConfigCohort(broker, getDataBrokerTestCustomizer().getAdapterContext().currentSerializer(),
            TestModel.PARSER);
        final var captor = ArgumentCaptor.forClass(DOMDataTreeCommitCohort.class);
        verify(cohorts, times(2)).registerCommitCohort(any(), captor.capture());
        // the same cohort checks both trees
        registered = captor.getAllValues().getFirst();
    }

    @AfterEach
    void afterEach() {
        cohort.close();
    }

    private static GatewayBuilder gateway(final String id, final int start, final int end) {
        return new GatewayBuilder().setId(new GatewayId(id))
            .setExternalPortRange(new ExternalPortRangeBuilder()
                .setStart(new PortNumber(Uint16.valueOf(start))).setEnd(new PortNumber(Uint16.valueOf(end))).build());
    }

    // The datastore hands over candidates rooted at the registered gateway list (a MapNode); a candidate rooted at
    // one entry must work too.
    private void commit(final Gateway gateway) throws Exception {
        final var serializer = getDataBrokerTestCustomizer().getAdapterContext().currentSerializer();
        final var normalized = serializer.toNormalizedDataObject(DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, gateway.key()).build(), gateway);
        final var list = ImmutableNodes.newSystemMapBuilder()
            .withNodeIdentifier(new NodeIdentifier(Gateway.QNAME))
            .withChild((MapEntryNode) normalized.node())
            .build();
        ExecutionException failure = null;
        for (var rooted : List.of(Map.entry(normalized.path().getParent(), (NormalizedNode) list),
                Map.entry(normalized.path(), normalized.node()))) {
            final var node = mock(DataTreeCandidateNode.class);
            doReturn(rooted.getValue()).when(node).dataAfter();
            final var candidate = mock(DOMDataTreeCandidate.class);
            doReturn(DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, rooted.getKey()))
                .when(candidate).getRootPath();
            doReturn(node).when(candidate).getRootNode();
            try {
                registered.canCommit("tx", null, List.of(candidate)).get(5, TimeUnit.SECONDS);
                assertNull(failure, "refused when rooted at the list, accepted when rooted at the entry");
            } catch (ExecutionException e) {
                if (failure == null && rooted.getValue() != list) {
                    throw new AssertionError("accepted when rooted at the list, refused at the entry", e);
                }
                failure = e;
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Test
    void validGatewayIsAccepted() throws Exception {
        commit(gateway("ok", 1000, 2000).build());
    }

    @Test
    void invertedPortRangeIsRefusedWithItsReason() {
        final var error = assertThrows(ExecutionException.class, () -> commit(gateway("bad", 5000, 4000).build()));
        assertInstanceOf(DataValidationFailedException.class, error.getCause());
        assertTrue(error.getCause().getMessage().contains("external-port-range start 5000 is above end 4000"),
            error.getCause().getMessage());
    }

    @Test
    void invertedLifetimesAreRefused() {
        final var error = assertThrows(ExecutionException.class, () -> commit(gateway("bad", 1000, 2000)
            .setPolicy(new PolicyBuilder().setMinLifetime(new Lifetime(Uint32.valueOf(600)))
                .setMaxLifetime(new Lifetime(Uint32.valueOf(300))).build()).build()));
        assertTrue(error.getCause().getMessage().contains("min-lifetime 600 is above max-lifetime 300"));
    }

    @Test
    void aFlowPriorityCodeOfThirdPartyIsRefusedAtCommit() {
        // under code 1 every THIRD_PARTY option of the gateway's clients would be read as FLOW_PRIORITY
        final var error = assertThrows(ExecutionException.class, () -> commit(gateway("bad", 1000, 2000)
            .setPolicy(new PolicyBuilder().setFlowPriorityOptionCode(Uint8.ONE).build()).build()));
        assertTrue(error.getCause().getMessage().contains("flow-priority-option-code 1 is taken by THIRD_PARTY"),
            error.getCause().getMessage());
    }

    @Test
    void aGatewayThatCallsHomeWithoutAKeyIsRefusedAtCommit() {
        // the listener could not tell its calls from anyone else's
        final var error = assertThrows(ExecutionException.class, () -> commit(gateway("bad", 1000, 2000)
            .setNetconf(new NetconfBuilder().setTransport(new CallHomeBuilder().setCallHome(Empty.value()).build())
                .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build()).build()).build()));
        assertTrue(error.getCause().getMessage().contains("call-home needs a pinned host-key-sha256"),
            error.getCause().getMessage());
    }

    @Test
    void aGatewayThatCallsHomeWithAPinnedKeyIsAccepted() throws Exception {
        commit(gateway("ok", 1000, 2000)
            .setNetconf(new NetconfBuilder().setTransport(new CallHomeBuilder().setCallHome(Empty.value()).build())
                .setUsername("u").setCredentials(new PasswordBuilder().setPassword("x").build())
                .setHostKeyPolicy(new PinnedBuilder().setHostKeySha256("SHA256:" + "D".repeat(43)).build()).build())
            .build());
    }
}
