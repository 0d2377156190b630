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
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import com.google.common.net.InetAddresses;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingResponse;
import org.pcpcontroller.api.natpmp.NatPmpMessage.PublicAddressResponse;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * The NAT-PMP server rules of RFC 6886, one rule per test, and how NAT-PMP shares the mapping table with PCP.
 */
class NatPmpRequestRulesTest extends AbstractEngineTest {
    private MappingResponse mapping(final MappingProtocol protocol, final int internalPort, final int suggested,
            final long lifetime) throws Exception {
        return (MappingResponse) fixture.natPmp(CLIENT, new MappingRequest(protocol, internalPort, suggested,
            lifetime));
    }

    @Test
    void section3_2_publicAddressIsTheExternalIpv4Address() throws Exception {
        fixture.advance(Duration.ofSeconds(7));
        final var response = (PublicAddressResponse) fixture.natPmp(CLIENT, new NatPmpMessage.PublicAddressRequest());
        assertEquals(NatPmpResultCode.SUCCESS, response.resultCode());
        assertEquals(EXTERNAL, response.externalAddress());
        assertEquals(7, response.epochTime());
    }

    @Test
    void section3_3_mapUdpGetsTheSuggestedPortAndIsStored() throws Exception {
        final var response = mapping(MappingProtocol.UDP, 4000, 5005, 3600);
        assertEquals(NatPmpResultCode.SUCCESS, response.resultCode());
        assertEquals(4000, response.internalPort());
        assertEquals(5005, response.mappedExternalPort());
        assertEquals(3600, response.lifetime());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section3_3_refreshKeepsTheExternalPort() throws Exception {
        final int port = mapping(MappingProtocol.TCP, 4000, 5005, 3600).mappedExternalPort();
        assertEquals(port, mapping(MappingProtocol.TCP, 4000, 5009, 7200).mappedExternalPort());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section3_3_lifetimeIsClampedToTheGatewayBounds() throws Exception {
        assertEquals(120, mapping(MappingProtocol.UDP, 4000, 0, 5).lifetime());
    }

    @Test
    void section3_4_lifetimeZeroDeletes() throws Exception {
        mapping(MappingProtocol.UDP, 4000, 5005, 3600);
        final var response = mapping(MappingProtocol.UDP, 4000, 0, 0);
        assertEquals(NatPmpResultCode.SUCCESS, response.resultCode());
        assertEquals(0, response.mappedExternalPort());
        assertEquals(0, response.lifetime());
        assertEquals(0, fixture.storedMappings());
    }

    @Test
    void section3_4_deletingAnUnknownMappingSucceeds() throws Exception {
        assertEquals(NatPmpResultCode.SUCCESS, mapping(MappingProtocol.UDP, 4000, 0, 0).resultCode());
    }

    @Test
    void section3_4_internalPortZeroDeletesAllMappingsOfTheProtocolOnly() throws Exception {
        mapping(MappingProtocol.UDP, 4000, 0, 3600);
        mapping(MappingProtocol.UDP, 4001, 0, 3600);
        mapping(MappingProtocol.TCP, 4000, 0, 3600);
        assertEquals(NatPmpResultCode.SUCCESS, mapping(MappingProtocol.UDP, 0, 0, 0).resultCode());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void internalPortZeroWithALifetimeIsNotAuthorized() throws Exception {
        assertEquals(NatPmpResultCode.NOT_AUTHORIZED, mapping(MappingProtocol.UDP, 0, 0, 3600).resultCode());
    }

    @Test
    void hostOutsideTheInternalPrefixesIsNotAuthorized() throws Exception {
        final var response = (MappingResponse) fixture.natPmp(InetAddresses.forString("10.9.0.1"),
            new MappingRequest(MappingProtocol.UDP, 4000, 0, 3600));
        assertEquals(NatPmpResultCode.NOT_AUTHORIZED, response.resultCode());
    }

    @Test
    void section3_5_unsupportedOpcodeIsAnsweredWithResult5() throws Exception {
        final var response = fixture.send(CLIENT, new byte[] { 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).orElseThrow();
        assertEquals(8, response.length);
        assertEquals((byte) 131, response[1]);
        assertEquals(5, response[3]);
    }

    @Test
    void exhaustedRangeIsOutOfResources() throws Exception {
        for (int i = 0; i < 10; i++) {
            assertEquals(NatPmpResultCode.SUCCESS, mapping(MappingProtocol.UDP, 4000 + i, 0, 3600).resultCode());
        }
        assertEquals(NatPmpResultCode.OUT_OF_RESOURCES, mapping(MappingProtocol.UDP, 4100, 0, 3600).resultCode());
    }

    @Test
    void appendixA_natPmpAndPcpShareOneTable() throws Exception {
        final int natPmpPort = mapping(MappingProtocol.TCP, 4000, 5005, 3600).mappedExternalPort();
        final var other = InetAddresses.forString("10.0.0.9");
        final var pcp = fixture.pcp(map(other, 3600, EngineFixture.NONCE, 6, 4000, 5005));
        assertEquals(ResultCode.SUCCESS, pcp.resultCode());
        assertNotEquals(natPmpPort, ((MapData) pcp.data()).externalPort());
    }

    @Test
    void appendixA_pcpMappingWithANonceIsNotNatPmpsToDelete() throws Exception {
        fixture.pcp(map(CLIENT, 3600, EngineFixture.NONCE, 17, 4000, 0));
        assertEquals(NatPmpResultCode.NOT_AUTHORIZED, mapping(MappingProtocol.UDP, 4000, 0, 0).resultCode());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void appendixA_pcpClientMayTakeOverANatPmpMappingOfItsHost() throws Exception {
        final int port = mapping(MappingProtocol.UDP, 4000, 5005, 3600).mappedExternalPort();
        final var pcp = fixture.pcp(map(CLIENT, 3600, EngineFixture.NONCE, 17, 4000, 0));
        assertEquals(ResultCode.SUCCESS, pcp.resultCode());
        assertEquals(port, ((MapData) pcp.data()).externalPort());
        assertTrue(fixture.store.mappings(EngineFixture.GATEWAY).get(0).nonce() != null);
    }

    @Test
    void truncatedMapRequestIsDropped() throws Exception {
        assertTrue(fixture.send(CLIENT, new byte[] { 0, 1, 0, 0 }).isEmpty());
    }

    @Test
    void encodedResponsesDecode() throws Exception {
        final var bytes = fixture.send(CLIENT, NatPmpCodec.encode(new MappingRequest(MappingProtocol.UDP, 4000, 0,
            3600))).orElseThrow();
        assertEquals(16, bytes.length);
    }
}
