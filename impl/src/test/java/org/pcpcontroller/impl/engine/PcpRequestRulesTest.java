/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.impl.engine.EngineFixture.CLIENT;
import static org.pcpcontroller.impl.engine.EngineFixture.EXTERNAL;
import static org.pcpcontroller.impl.engine.EngineFixture.GATEWAY;
import static org.pcpcontroller.impl.engine.EngineFixture.NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.OTHER_NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import com.google.common.net.InetAddresses;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.PermissionAction;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.CompatibilityBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.PermissionRuleBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.PermissionRuleKey;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.policy.permission.rule.ExternalPortsBuilder;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.DescriptionOption;
import org.pcpcontroller.api.pcp.FilterOption;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.PreferFailureOption;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.api.pcp.ThirdPartyOption;

/**
 * The PCP server rules of RFC 6887, one rule per test, through the engine's byte interface.
 */
class PcpRequestRulesTest extends AbstractEngineTest {
    private void reconfigure(final Consumer<PolicyBuilder> policy) throws Exception {
        fixture.putGateway(EngineFixture.gateway(policy).build());
    }

    private static MapData mapData(final PcpResponse response) {
        return (MapData) response.data();
    }

    private void assertRefused(final ResultCode code, final long lifetime, final PcpRequest request)
            throws Exception {
        final var response = fixture.pcp(request);
        assertEquals(code, response.resultCode());
        assertEquals(lifetime, response.lifetime());
    }

    @Test
    void section8_2_clientAddressDifferentFromSourceIsAddressMismatch() throws Exception {
        final var response = fixture.pcp(InetAddresses.forString("10.0.0.3"), map(3600, 1234, 0));
        assertEquals(ResultCode.ADDRESS_MISMATCH, response.resultCode());
        assertEquals(0, response.lifetime());
        assertEquals(0, fixture.storedMappings());
    }

    @Test
    void section8_2_errorResponseIsTheRequestWithTheHeaderFilledIn() throws Exception {
        final var request = fixture.codec.encode(map(3600, 1234, 0, new DescriptionOption("x")));
        final var response = fixture.send(InetAddresses.forString("10.0.0.3"), request).orElseThrow();
        assertEquals(request.length, response.length);
        assertArrayEquals(java.util.Arrays.copyOfRange(request, 24, request.length),
            java.util.Arrays.copyOfRange(response, 24, response.length));
    }

    @Test
    void section8_2_malformedDatagramIsAnsweredFromTheCodec() throws Exception {
        // too short for a MAP: the answer is the request padded to the 24-byte header
        final var response = fixture.send(CLIENT, new byte[] { 2, 1, 0, 0, 0, 0 }).orElseThrow();
        assertEquals(24, response.length);
        assertEquals((byte) 0x81, response[1]);
        assertEquals(ResultCode.MALFORMED_REQUEST.code(), response[3]);
    }

    @Test
    void section9_unsupportedVersionIsAnsweredWithVersion2() throws Exception {
        final var request = new byte[24];
        request[0] = 3;
        request[1] = 1;
        final var response = fixture.send(CLIENT, request).orElseThrow();
        assertEquals(2, response[0]);
        assertEquals(ResultCode.UNSUPP_VERSION.code(), response[3]);
    }

    @Test
    void section8_2_responsesAreNotAnswered() throws Exception {
        final var request = fixture.codec.encode(map(3600, 1234, 0));
        request[1] |= (byte) 0x80;
        assertTrue(fixture.send(CLIENT, request).isEmpty());
    }

    @Test
    void section11_3_mapIsStoredBeforeSuccess() throws Exception {
        final var response = fixture.pcp(map(3600, 5003, 0));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(3600, response.lifetime());
        assertEquals(5003, mapData(response).externalPort());
        assertEquals(EXTERNAL, mapData(response).externalAddress());
        assertEquals(NONCE, mapData(response).nonce());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section11_3_suggestedExternalPortIsHonouredWhenFree() throws Exception {
        assertEquals(5007, mapData(fixture.pcp(map(3600, 1234, 5007))).externalPort());
    }

    @Test
    void section11_3_takenSuggestionGetsAnotherPortOfTheRange() throws Exception {
        assertEquals(5007, mapData(fixture.pcp(map(3600, 1234, 5007))).externalPort());
        final var other = InetAddresses.forString("10.0.0.9");
        final var response = fixture.pcp(map(other, 3600, NONCE, 6, 1234, 5007));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(5008, mapData(response).externalPort());
    }

    @Test
    void section11_3_sameInternalEndpointGetsTheExistingMapping() throws Exception {
        final int first = mapData(fixture.pcp(map(3600, 1234, 5002))).externalPort();
        final var again = fixture.pcp(map(3600, 1234, 5006));
        assertEquals(first, mapData(again).externalPort());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section11_3_exhaustedRangeIsNoResourcesWithShortLifetime() throws Exception {
        for (int port = 1; port <= 10; port++) {
            assertEquals(ResultCode.SUCCESS, fixture.pcp(map(InetAddresses.forString("10.0.0." + (10 + port)),
                3600, NONCE, 17, 7000, 0)).resultCode());
        }
        assertRefused(ResultCode.NO_RESOURCES, 30, map(CLIENT, 3600, NONCE, 17, 7000, 0));
    }

    @Test
    void section7_4_shortLifetimeErrorsCarryTheGatewaysShortErrorLifetime() throws Exception {
        reconfigure(policy -> policy.setShortErrorLifetime(Uint32.valueOf(7)).setPerClientQuota(Uint32.ONE));
        fixture.pcp(map(600, 1001, 0));
        assertRefused(ResultCode.USER_EX_QUOTA, 7, map(600, 1002, 0));
    }

    @Test
    void section11_1_protocolZeroWithAPortIsTheAllProtocolsMappingWhichPolicyDecides() throws Exception {
        // the port is ignored, so this asks for all protocols: refused by the default policy, not as malformed
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(CLIENT, 3600, NONCE, 0, 1234, 0));
    }

    @Test
    void section11_3_unknownProtocolIsUnsuppProtocol() throws Exception {
        assertRefused(ResultCode.UNSUPP_PROTOCOL, 0, map(CLIENT, 3600, NONCE, 47, 1234, 0));
    }

    @Test
    void section11_1_allPortsIsNotAuthorizedUnlessPolicyAllows() throws Exception {
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(CLIENT, 3600, NONCE, 6, 0, 0));
        reconfigure(policy -> policy.setAllowAllPorts(true));
        final var response = fixture.pcp(map(CLIENT, 3600, NONCE, 6, 0, 0));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(0, mapData(response).externalPort());
    }

    @Test
    void section11_1_allProtocolsIsNotAuthorizedUnlessPolicyAllows() throws Exception {
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(CLIENT, 3600, NONCE, 0, 0, 0));
    }

    @Test
    void section15_lifetimeIsClampedToTheGatewayBounds() throws Exception {
        assertEquals(120, fixture.pcp(map(CLIENT, 10, NONCE, 6, 1001, 0)).lifetime());
        assertEquals(86400, fixture.pcp(map(CLIENT, 1_000_000, NONCE, 6, 1002, 0)).lifetime());
    }

    @Test
    void section15_refreshExtendsTheLifetime() throws Exception {
        fixture.pcp(map(600, 1234, 0));
        fixture.advance(Duration.ofSeconds(500));
        assertEquals(600, fixture.pcp(map(600, 1234, 0)).lifetime());
        final var stored = fixture.store.get(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234)).orElseThrow();
        assertEquals(EngineFixture.START.plusSeconds(1100), stored.expires());
    }

    @Test
    void section11_3_refreshWithAnotherNonceIsNotAuthorized() throws Exception {
        fixture.pcp(map(600, 1234, 0));
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(CLIENT, 600, OTHER_NONCE, 6, 1234, 0));
    }

    @Test
    void compatibility_nonceTakeoverOnRefreshLetsAnotherNonceRefresh() throws Exception {
        reconfigure(policy -> policy.setCompatibility(new CompatibilityBuilder().setNonceTakeoverOnRefresh(true)
            .build()));
        fixture.pcp(map(600, 1234, 0));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(CLIENT, 600, OTHER_NONCE, 6, 1234, 0)).resultCode());
        assertEquals(OTHER_NONCE, fixture.store.get(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234)).orElseThrow()
            .nonce());
    }

    @Test
    void section15_lifetimeZeroDeletesTheMapping() throws Exception {
        final int port = mapData(fixture.pcp(map(600, 1234, 0))).externalPort();
        final var response = fixture.pcp(map(0, 1234, 0));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(0, response.lifetime());
        assertEquals(port, mapData(response).externalPort());
        assertEquals(0, fixture.storedMappings());
    }

    @Test
    void section15_deleteWithAnotherNonceIsNotAuthorized() throws Exception {
        fixture.pcp(map(600, 1234, 0));
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(CLIENT, 0, OTHER_NONCE, 6, 1234, 0));
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section15_deletingAnUnknownMappingSucceeds() throws Exception {
        final var response = fixture.pcp(map(0, 1234, 0));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(0, response.lifetime());
    }

    @Test
    void compatibility_deleteUnknownNoResourcesAnswersAsMiniupnpd() throws Exception {
        reconfigure(policy -> policy.setCompatibility(new CompatibilityBuilder().setDeleteUnknownNoResources(true)
            .build()));
        assertRefused(ResultCode.NO_RESOURCES, 30, map(0, 1234, 0));
    }

    @Test
    void section15_internalPortZeroDeletesAllOwnMappingsOfTheProtocol() throws Exception {
        fixture.pcp(map(600, 1234, 0));
        fixture.pcp(map(600, 1235, 0));
        fixture.pcp(map(CLIENT, 600, NONCE, 17, 1234, 0));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(0, 0, 0)).resultCode());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void operatorMappingsAreNotTheClientsToDelete() throws Exception {
        final var now = fixture.clock.instant();
        fixture.store.create(new org.pcpcontroller.api.mapping.Mapping(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234),
            EXTERNAL, 5005, Origin.OPERATOR, null, null, now, null, null, null, List.of())).get();
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(0, 1234, 0));
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(600, 1234, 0));
    }

    @Test
    void section13_2_preferFailureWithATakenSuggestionIsCannotProvideExternal() throws Exception {
        fixture.pcp(map(InetAddresses.forString("10.0.0.9"), 600, NONCE, 6, 1, 5004));
        assertRefused(ResultCode.CANNOT_PROVIDE_EXTERNAL, 0, map(600, 1234, 5004, new PreferFailureOption()));
    }

    @Test
    void section13_2_preferFailureWithAFreeSuggestionGetsIt() throws Exception {
        final var response = fixture.pcp(map(600, 1234, 5004, new PreferFailureOption()));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(5004, mapData(response).externalPort());
        assertTrue(response.options().contains(new PreferFailureOption()));
    }

    @Test
    void section13_2_preferFailureWithoutSuggestionIsMalformedOption() throws Exception {
        assertRefused(ResultCode.MALFORMED_OPTION, 0, map(600, 1234, 0, new PreferFailureOption()));
    }

    @Test
    void section13_2_preferFailureWithAForeignExternalAddressIsCannotProvideExternal() throws Exception {
        final var request = new PcpRequest(2, 600, CLIENT, new MapData(NONCE, 6, 1234, 5004,
            InetAddresses.forString("198.51.100.7")), List.of(new PreferFailureOption()));
        assertRefused(ResultCode.CANNOT_PROVIDE_EXTERNAL, 0, request);
    }

    @Test
    void section13_1_thirdPartyFromAClientNotAllowedIsNotAuthorized() throws Exception {
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(600, 1234, 0,
            new ThirdPartyOption(InetAddresses.forString("10.0.0.50"))));
    }

    @Test
    void section13_1_thirdPartyFromAnAllowedClientMapsTheOtherHost() throws Exception {
        reconfigure(policy -> policy.setThirdPartyPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.2/32"))));
        final var host = InetAddresses.forString("10.0.0.50");
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(600, 1234, 0, new ThirdPartyOption(host))).resultCode());
        final var stored = fixture.store.get(new MappingKey.Map(GATEWAY, 6, host, 1234)).orElseThrow();
        assertEquals(CLIENT, stored.clientAddress());
    }

    @Test
    void section13_1_thirdPartyNamingTheClientItselfIsMalformedOption() throws Exception {
        reconfigure(policy -> policy.setThirdPartyPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.2/32"))));
        assertRefused(ResultCode.MALFORMED_OPTION, 0, map(600, 1234, 0, new ThirdPartyOption(CLIENT)));
    }

    @Test
    void sourceOutsideTheInternalPrefixesIsNotAuthorized() throws Exception {
        final var outside = InetAddresses.forString("10.9.0.2");
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(outside, 600, NONCE, 6, 1234, 0));
    }

    @Test
    void permissionRules_firstMatchWinsAndDenyEverywhereIsNotAuthorized() throws Exception {
        reconfigure(policy -> policy.setPermissionRule(Map.of(
            new PermissionRuleKey(Uint32.ONE), new PermissionRuleBuilder().setSequence(Uint32.ONE)
                .setAction(PermissionAction.Deny).setInternalPrefix(IetfInetUtil.ipPrefixFor("10.0.0.2/32"))
                .build())));
        assertRefused(ResultCode.NOT_AUTHORIZED, 0, map(600, 1234, 0));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(InetAddresses.forString("10.0.0.3"), 600, NONCE, 6, 1234,
            0)).resultCode());
    }

    @Test
    void permissionRules_deniedSuggestionGetsAPermittedPort() throws Exception {
        reconfigure(policy -> policy.setPermissionRule(Map.of(
            new PermissionRuleKey(Uint32.ONE), new PermissionRuleBuilder().setSequence(Uint32.ONE)
                .setAction(PermissionAction.Deny).setExternalPorts(new ExternalPortsBuilder()
                    .setStart(EngineFixture.port(5000)).setEnd(EngineFixture.port(5005)).build()).build())));
        final var response = fixture.pcp(map(600, 1234, 5002));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(5006, mapData(response).externalPort());
    }

    @Test
    void quota_perClientQuotaExceededIsUserExQuotaWithShortLifetime() throws Exception {
        reconfigure(policy -> policy.setPerClientQuota(Uint32.TWO));
        fixture.pcp(map(600, 1001, 0));
        fixture.pcp(map(600, 1002, 0));
        assertRefused(ResultCode.USER_EX_QUOTA, 30, map(600, 1003, 0));
        // a refresh is not a new mapping
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(600, 1001, 0)).resultCode());
    }

    @Test
    void quota_zeroMeansNoLimit() throws Exception {
        // the quota was compared as "held >= 0", which refused even the first mapping
        reconfigure(policy -> policy.setPerClientQuota(Uint32.ZERO));
        int created = 0;
        ResultCode result;
        while ((result = fixture.pcp(map(600, 1001 + created, 0)).resultCode()) == ResultCode.SUCCESS) {
            created++;
        }
        // only the gateway's external port range stops one client
        assertEquals(ResultCode.NO_RESOURCES, result);
        assertEquals(created, fixture.store.count(GATEWAY));
        assertTrue(created > 0);
    }

    @Test
    void section13_3_moreFiltersThanAllowedIsExcessiveRemotePeers() throws Exception {
        reconfigure(policy -> policy.setMaxFilters(Uint8.ONE));
        assertRefused(ResultCode.EXCESSIVE_REMOTE_PEERS, 0, map(600, 1234, 0,
            new FilterOption(128, 0, InetAddresses.forString("198.51.100.1")),
            new FilterOption(128, 0, InetAddresses.forString("198.51.100.2"))));
    }

    @Test
    void section13_3_filtersDescriptionAndFlowPriorityAreStoredAndEchoed() throws Exception {
        final var filter = new FilterOption(120, 80, InetAddresses.forString("198.51.100.0"));
        final var response = fixture.pcp(map(600, 1234, 0, filter, new DescriptionOption("game server"),
            new FlowPriorityOption(new FlowPriority(46, 10), false)));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertTrue(response.options().contains(filter));
        // the private FLOW_PRIORITY option is stored, not echoed; DESCRIPTION comes last
        assertEquals(List.of(filter, new DescriptionOption("game server")), response.options());
        final var stored = fixture.store.get(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234)).orElseThrow();
        assertEquals(List.of(new Filter(InetAddresses.forString("198.51.100.0"), 24, 80)), stored.filters());
        assertEquals("game server", stored.description());
        assertEquals(new FlowPriority(46, 10), stored.flowPriority());
    }

    @Test
    void section13_3_filterPrefixZeroRemovesTheFilters() throws Exception {
        fixture.pcp(map(600, 1234, 0, new FilterOption(128, 0, InetAddresses.forString("198.51.100.1"))));
        fixture.pcp(map(600, 1234, 0, new FilterOption(0, 0, InetAddresses.forString("::"))));
        assertEquals(List.of(), fixture.store.get(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234)).orElseThrow()
            .filters());
    }

    @Test
    void section13_3_filterOfAnotherFamilyIsMalformedOption() throws Exception {
        assertRefused(ResultCode.MALFORMED_OPTION, 0, map(600, 1234, 0,
            new FilterOption(128, 0, InetAddresses.forString("2001:db8::9"))));
    }

    @Test
    void section11_ipv6MapIsAPinholeWithExternalEqualToInternal() throws Exception {
        final var host = InetAddresses.forString("2001:db8:1::2");
        final var response = fixture.pcp(map(host, 600, NONCE, 17, 4000, 5001));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(host, mapData(response).externalAddress());
        assertEquals(4000, mapData(response).externalPort());
    }

    @Test
    void section12_peerSharesTheExternalPortOfTheMap() throws Exception {
        final int port = mapData(fixture.pcp(map(600, 1234, 5003))).externalPort();
        final var peer = fixture.pcp(new PcpRequest(2, 600, CLIENT, new PeerData(NONCE, 6, 1234, 0,
            InetAddresses.forString("::ffff:0.0.0.0"), 443, InetAddresses.forString("198.51.100.7")),
            List.of(new FlowPriorityOption(new FlowPriority(46, 10), false))));
        assertEquals(ResultCode.SUCCESS, peer.resultCode());
        assertEquals(port, ((PeerData) peer.data()).externalPort());
        assertEquals(2, fixture.storedMappings());
    }

    @Test
    void section12_peerWithFilterIsMalformedOption() throws Exception {
        assertRefused(ResultCode.MALFORMED_OPTION, 0, new PcpRequest(2, 600, CLIENT, new PeerData(NONCE, 6, 1234, 0,
            InetAddresses.forString("::ffff:0.0.0.0"), 443, InetAddresses.forString("198.51.100.7")),
            List.of(new FilterOption(128, 0, InetAddresses.forString("198.51.100.1")))));
    }

    @Test
    void section12_peerWithoutRemotePortIsMalformedRequest() throws Exception {
        assertRefused(ResultCode.MALFORMED_REQUEST, 0, new PcpRequest(2, 600, CLIENT, new PeerData(NONCE, 6, 1234, 0,
            InetAddresses.forString("::ffff:0.0.0.0"), 0, InetAddresses.forString("198.51.100.7")), List.of()));
    }

    @Test
    void section14_1_announceIsAnsweredSuccessWithLifetimeZeroAndTheEpoch() throws Exception {
        fixture.advance(Duration.ofSeconds(42));
        final var response = fixture.pcp(new PcpRequest(2, 0, CLIENT, new AnnounceData(), List.of()));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(0, response.lifetime());
        assertEquals(42, response.epochTime());
    }

    @Test
    void section8_5_epochRestartsWhenTheExternalAddressChangesAndIsAnnounced() throws Exception {
        final var announcements = new java.util.concurrent.LinkedBlockingQueue<Announcement>();
        fixture.engine.registerAnnouncer(GATEWAY, announcements::add);
        fixture.advance(Duration.ofSeconds(100));
        assertEquals(100, fixture.pcp(new PcpRequest(2, 0, CLIENT, new AnnounceData(), List.of())).epochTime());
        fixture.putGateway(EngineFixture.gateway(policy -> { }).setExternalAddress(List.of(
            IetfInetUtil.ipAddressFor("192.0.3.7"))).build());
        final var announcement = announcements.poll(5, java.util.concurrent.TimeUnit.SECONDS);
        assertNotEquals(null, announcement);
        final var announce = EngineFixture.pcpResponse(announcement.pcp());
        assertEquals(ResultCode.SUCCESS, announce.resultCode());
        assertEquals(0, announce.epochTime());
        assertEquals(12, announcement.natPmp().length);
        assertEquals(0, fixture.pcp(new PcpRequest(2, 0, CLIENT, new AnnounceData(), List.of())).epochTime());
    }

    @Test
    void disabledGatewayIsNetworkFailureWithShortLifetime() throws Exception {
        fixture.putGateway(EngineFixture.gateway(policy -> { }).setEnabled(false).build());
        assertRefused(ResultCode.NETWORK_FAILURE, 30, map(600, 1234, 0));
    }

    @Test
    void version1RequestsAreServedWithoutNonce() throws Exception {
        final var request = new PcpRequest(1, 600, CLIENT, new MapData(null, 6, 1234, 0,
            InetAddresses.forString("::ffff:0.0.0.0")), List.of());
        final var response = fixture.pcp(request);
        assertEquals(1, response.version());
        assertEquals(ResultCode.SUCCESS, response.resultCode());
    }

    @Test
    void flowPriorityOptionCodeFollowsTheGateway() throws Exception {
        reconfigure(policy -> policy.setFlowPriorityOptionCode(Uint8.valueOf(4)));
        // libpcp's code 99 is now an unknown mandatory option
        final var request = new PcpCodec().encode(map(600, 1234, 0,
            new FlowPriorityOption(new FlowPriority(46, 10), false)));
        assertEquals(ResultCode.UNSUPP_OPTION, EngineFixture.pcpResponse(fixture.send(CLIENT, request)
            .orElseThrow()).resultCode());
    }

    @Test
    void requestsAndResultCodesAreCountedPerGateway() throws Exception {
        fixture.pcp(map(600, 1234, 0));
        fixture.pcp(InetAddresses.forString("10.0.0.3"), map(600, 1234, 0));
        final var counters = fixture.counters.snapshot(GATEWAY);
        assertEquals(2L, counters.nonnullRequest().values().iterator().next().getCount().getValue().longValue());
        assertEquals(2, counters.nonnullResponse().size());
    }

    @Test
    void aFullExternalAddressSpillsOverToTheNextOne() throws Exception {
        fixture.putGateway(EngineFixture.gateway(policy -> { }).setExternalAddress(List.of(
            IetfInetUtil.ipAddressFor("192.0.3.1"), IetfInetUtil.ipAddressFor("192.0.3.2"))).build());
        for (int port = 1; port <= 10; port++) {
            assertEquals(EXTERNAL, mapData(fixture.pcp(map(InetAddresses.forString("10.0.0." + (10 + port)), 3600,
                NONCE, 17, 7000, 0))).externalAddress());
        }
        final var spilled = fixture.pcp(map(CLIENT, 3600, NONCE, 17, 7000, 0));
        assertEquals(ResultCode.SUCCESS, spilled.resultCode());
        assertEquals(InetAddresses.forString("192.0.3.2"), mapData(spilled).externalAddress());
    }
}
