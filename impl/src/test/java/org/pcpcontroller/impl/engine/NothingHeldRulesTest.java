/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pcpcontroller.impl.engine.EngineFixture.CLIENT;
import static org.pcpcontroller.impl.engine.EngineFixture.GATEWAY;
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingResponse;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.DescriptionOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.impl.store.BindingMappings;
import org.pcpcontroller.impl.store.ChangeStep;
import org.pcpcontroller.impl.store.StoreTestAccess;

/**
 * Nothing held that was not granted, and no request without an answer: whatever fails after the engine chose the
 * external port, the client gets the RFC's answer, the store holds nothing of it (its index equals the datastore),
 * and the client's next try is served as if the first had never been made. The phantom mapping of issue 13 was one
 * such failure: a DESCRIPTION the model could not hold left the mapping in the index, unanswered and unstored.
 */
class NothingHeldRulesTest extends AbstractEngineTest {
    /** The longest DESCRIPTION a MAP request of 1100 octets carries: header 24, MAP data 36, option header 4. */
    private static final int LONGEST_DESCRIPTION = PcpCodec.MAX_MESSAGE_SIZE - 24 - 36 - 4;

    private Set<Mapping> stored() throws Exception {
        try (var tx = fixture.broker.newReadOnlyTransaction()) {
            final var found = tx.read(LogicalDatastoreType.CONFIGURATION, BindingMappings.gatewayPath(GATEWAY))
                .get(5, TimeUnit.SECONDS);
            final var mappings = new HashSet<Mapping>();
            found.ifPresent(entry -> {
                entry.nonnullMap().values().forEach(m -> mappings.add(BindingMappings.fromBinding(GATEWAY, m)));
                entry.nonnullPeer().values().forEach(p -> mappings.add(BindingMappings.fromBinding(GATEWAY, p)));
            });
            return mappings;
        }
    }

    private void assertIndexIsTheDatastore() throws Exception {
        assertEquals(stored(), Set.copyOf(fixture.store.mappings(GATEWAY)), "index vs datastore");
    }

    @Test
    void rfc7220_theLongestDescriptionAMapCarriesIsStoredAndAnswered() throws Exception {
        final var description = new DescriptionOption("d".repeat(LONGEST_DESCRIPTION));
        final var request = map(600, 1234, 0, description);
        assertEquals(PcpCodec.MAX_MESSAGE_SIZE, fixture.codec.encode(request).length);
        final var created = fixture.pcp(request);
        assertEquals(ResultCode.SUCCESS, created.resultCode());
        assertEquals(description.description(), fixture.store.get(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234))
            .orElseThrow().description());
        assertIndexIsTheDatastore();
        // the retry the phantom mapping refused NOT_AUTHORIZED is a refresh
        assertEquals(ResultCode.SUCCESS, fixture.pcp(request).resultCode());
    }

    @ParameterizedTest
    @EnumSource(ChangeStep.class)
    void pcp_aFailureAfterThePortWasChosenIsAnsweredAndHoldsNothing(final ChangeStep step) throws Exception {
        StoreTestAccess.failAt(fixture.store, step);
        final var refused = fixture.pcp(map(600, 1234, 5003));
        // RFC 6887 section 7.4: the server is out of a resource, a short-lifetime error
        assertEquals(ResultCode.NO_RESOURCES, refused.resultCode());
        assertEquals(30, refused.lifetime());
        assertIndexIsTheDatastore();
        assertEquals(0, fixture.store.count(GATEWAY));
        StoreTestAccess.failNowhere(fixture.store);
        final var served = fixture.pcp(map(600, 1234, 5003));
        assertEquals(ResultCode.SUCCESS, served.resultCode());
        assertEquals(5003, ((MapData) served.data()).externalPort());
        assertIndexIsTheDatastore();
    }

    @ParameterizedTest
    @EnumSource(ChangeStep.class)
    void natPmp_aFailureAfterThePortWasChosenIsAnsweredAndHoldsNothing(final ChangeStep step) throws Exception {
        StoreTestAccess.failAt(fixture.store, step);
        final var refused = (MappingResponse) fixture.natPmp(CLIENT, new MappingRequest(MappingProtocol.UDP, 4000,
            5003, 3600));
        // RFC 6886 section 3.5: out of resources
        assertEquals(NatPmpResultCode.OUT_OF_RESOURCES, refused.resultCode());
        assertIndexIsTheDatastore();
        assertEquals(0, fixture.store.count(GATEWAY));
        StoreTestAccess.failNowhere(fixture.store);
        final var served = (MappingResponse) fixture.natPmp(CLIENT, new MappingRequest(MappingProtocol.UDP, 4000,
            5003, 3600));
        assertEquals(NatPmpResultCode.SUCCESS, served.resultCode());
        assertEquals(5003, served.mappedExternalPort());
        assertIndexIsTheDatastore();
    }
}
