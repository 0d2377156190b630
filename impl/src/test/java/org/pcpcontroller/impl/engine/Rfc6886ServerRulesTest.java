/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.impl.engine.EngineFixture.CLIENT;
import static org.pcpcontroller.impl.engine.EngineFixture.EXTERNAL;
import static org.pcpcontroller.impl.engine.EngineFixture.GATEWAY;

import com.google.common.net.InetAddresses;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingResponse;
import org.pcpcontroller.api.natpmp.NatPmpMessage.PublicAddressRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.PublicAddressResponse;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;

/**
 * Server rules of RFC 6886 that docs/rfc-conformance.md found without a test, one rule per test.
 */
class Rfc6886ServerRulesTest extends AbstractEngineTest {
    @Test
    void section3_2_refusedPublicAddressCarriesNoAddress() throws Exception {
        final var response = (PublicAddressResponse) fixture.natPmp(InetAddresses.forString("10.9.0.2"),
            new PublicAddressRequest());
        assertEquals(NatPmpResultCode.NOT_AUTHORIZED, response.resultCode());
        assertEquals(InetAddresses.forString("0.0.0.0"), response.externalAddress());
    }

    @Test
    void section3_3_takenSuggestionGetsAnotherPort() throws Exception {
        final var first = (MappingResponse) fixture.natPmp(InetAddresses.forString("10.0.0.9"),
            new MappingRequest(MappingProtocol.UDP, 4000, 5005, 3600));
        assertEquals(5005, first.mappedExternalPort());
        final var second = (MappingResponse) fixture.natPmp(CLIENT, new MappingRequest(MappingProtocol.UDP, 4001,
            5005, 3600));
        assertEquals(NatPmpResultCode.SUCCESS, second.resultCode());
        assertNotEquals(5005, second.mappedExternalPort());
        assertTrue(second.mappedExternalPort() >= 5000 && second.mappedExternalPort() <= 5009);
    }

    @Test
    void section3_4_deletingAStaticMappingIsNotAuthorized() throws Exception {
        final var now = fixture.clock.instant();
        fixture.store.create(new Mapping(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234), EXTERNAL, 5005,
            Origin.OPERATOR, null, null, now, null, null, null, List.of())).get();
        final var response = (MappingResponse) fixture.natPmp(CLIENT, new MappingRequest(MappingProtocol.TCP, 1234,
            0, 0));
        assertEquals(NatPmpResultCode.NOT_AUTHORIZED, response.resultCode());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section3_6_epochRestartsWhenTheExternalAddressChanges() throws Exception {
        fixture.advance(Duration.ofSeconds(100));
        assertEquals(100, ((PublicAddressResponse) fixture.natPmp(CLIENT, new PublicAddressRequest())).epochTime());
        fixture.putGateway(EngineFixture.gateway(policy -> { }).setExternalAddress(List.of(
            IetfInetUtil.ipAddressFor("192.0.3.7"))).build());
        final var response = (PublicAddressResponse) fixture.natPmp(CLIENT, new PublicAddressRequest());
        assertEquals(InetAddresses.forString("192.0.3.7"), response.externalAddress());
        assertEquals(0, response.epochTime());
    }
}
