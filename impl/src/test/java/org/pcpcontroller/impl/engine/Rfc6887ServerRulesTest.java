/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.impl.engine.EngineFixture.CLIENT;
import static org.pcpcontroller.impl.engine.EngineFixture.EXTERNAL;
import static org.pcpcontroller.impl.engine.EngineFixture.GATEWAY;
import static org.pcpcontroller.impl.engine.EngineFixture.NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.OTHER_NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.FilterOption;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.PreferFailureOption;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.api.pcp.ThirdPartyOption;
import org.pcpcontroller.api.pcp.UnknownOption;

/**
 * Server rules of RFC 6887 that docs/rfc-conformance.md found without a test, one rule per test, through the
 * engine's byte interface.
 */
class Rfc6887ServerRulesTest extends AbstractEngineTest {
    private static final InetAddress OTHER_HOST = InetAddresses.forString("10.0.0.9");
    private static final InetAddress REMOTE_PEER = InetAddresses.forString("198.51.100.7");
    private static final InetAddress ANY_V4 = InetAddresses.forString("::ffff:0.0.0.0");
    private static final int SCTP = 132;

    private void reconfigure(final Consumer<PolicyBuilder> policy) throws Exception {
        fixture.putGateway(EngineFixture.gateway(policy).build());
    }

    private static PcpRequest peer(final long lifetime, final org.pcpcontroller.api.mapping.Nonce nonce,
            final InetAddress remote) {
        return new PcpRequest(2, lifetime, CLIENT, new PeerData(nonce, 17, 4000, 0, ANY_V4, 443, remote), List.of());
    }

    private static PcpRequest announce(final long lifetime, final org.pcpcontroller.api.pcp.PcpOption... options) {
        return new PcpRequest(2, lifetime, CLIENT, new AnnounceData(), List.of(options));
    }

    private void assertRefused(final ResultCode code, final PcpRequest request) throws Exception {
        assertEquals(code, fixture.pcp(request).resultCode());
    }

    @Test
    void section7_3_refusedRefreshChangesNothing() throws Exception {
        reconfigure(policy -> policy.setMaxFilters(Uint8.ONE));
        final var filter = new FilterOption(128, 0, InetAddresses.forString("198.51.100.1"));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(600, 1234, 0, filter)).resultCode());
        final var key = new MappingKey.Map(GATEWAY, 6, CLIENT, 1234);
        final var before = fixture.store.get(key).orElseThrow();
        fixture.advance(Duration.ofSeconds(100));
        // a refresh whose FILTERs are refused must neither extend the lifetime nor replace the filters
        assertRefused(ResultCode.EXCESSIVE_REMOTE_PEERS, map(3600, 1234, 0,
            new FilterOption(128, 0, InetAddresses.forString("198.51.100.2")),
            new FilterOption(128, 0, InetAddresses.forString("198.51.100.3"))));
        final var after = fixture.store.get(key).orElseThrow();
        assertEquals(before.expires(), after.expires());
        assertEquals(List.of(new Filter(InetAddresses.forString("198.51.100.1"), 32, 0)), after.filters());
    }

    @Test
    void section7_3_unknownOptionalOptionIsIgnoredAndNotEchoed() throws Exception {
        final var response = fixture.pcp(map(600, 1234, 0, new UnknownOption(200, new byte[] { 1, 2, 3, 4 })));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        // not processed, so not in the answer (RFC 6887 section 7.3)
        assertEquals(List.of(), response.options());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section7_4_sctpMapImpliesPreferFailure() throws Exception {
        assertEquals(5004, ((MapData) fixture.pcp(map(OTHER_HOST, 600, NONCE, SCTP, 1, 5004)).data())
            .externalPort());
        final var response = fixture.pcp(map(CLIENT, 600, NONCE, SCTP, 1234, 5004));
        assertEquals(ResultCode.CANNOT_PROVIDE_EXTERNAL, response.resultCode());
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section8_5_errorResponsesCarryTheEpochTime() throws Exception {
        fixture.advance(Duration.ofSeconds(17));
        final var response = fixture.pcp(InetAddresses.forString("10.0.0.3"), map(600, 1234, 0));
        assertEquals(ResultCode.ADDRESS_MISMATCH, response.resultCode());
        assertEquals(17, response.epochTime());
    }

    @Test
    void section11_1_internalPortIsIgnoredWhenProtocolIsZero() throws Exception {
        reconfigure(policy -> policy.setAllowProtocolAll(true));
        final var response = fixture.pcp(map(CLIENT, 600, NONCE, 0, 1234, 0));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        // the mapping is the all-protocols mapping of the host, internal port 0
        assertTrue(fixture.store.get(new MappingKey.Map(GATEWAY, 0, CLIENT, 0)).isPresent());
    }

    @Test
    void section11_3_foreignSuggestedExternalAddressIsReplacedWithoutPreferFailure() throws Exception {
        final var response = fixture.pcp(new PcpRequest(2, 600, CLIENT, new MapData(NONCE, 6, 1234, 5004,
            REMOTE_PEER), List.of()));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(EXTERNAL, ((MapData) response.data()).externalAddress());
        assertEquals(5004, ((MapData) response.data()).externalPort());
    }

    @Test
    void section11_3_noExternalIpv4AddressIsNetworkFailure() throws Exception {
        fixture.putGateway(EngineFixture.gateway(policy -> { }).setExternalAddress(List.of(
            IetfInetUtil.ipAddressFor("2001:db8::1"))).build());
        final var response = fixture.pcp(map(600, 1234, 0));
        assertEquals(ResultCode.NETWORK_FAILURE, response.resultCode());
        assertEquals(30, response.lifetime());
        assertEquals(0, fixture.storedMappings());
    }

    @Test
    void section12_1_remotePeerOfAnotherFamilyIsMalformedRequest() throws Exception {
        assertRefused(ResultCode.MALFORMED_REQUEST, peer(600, NONCE, InetAddresses.forString("2001:db8::9")));
        assertEquals(0, fixture.storedMappings());
    }

    @Test
    void section12_3_peerRefreshWithAnotherNonceIsNotAuthorized() throws Exception {
        assertEquals(ResultCode.SUCCESS, fixture.pcp(peer(600, NONCE, REMOTE_PEER)).resultCode());
        assertRefused(ResultCode.NOT_AUTHORIZED, peer(600, OTHER_NONCE, REMOTE_PEER));
        assertRefused(ResultCode.NOT_AUTHORIZED, peer(0, OTHER_NONCE, REMOTE_PEER));
        assertEquals(1, fixture.storedMappings());
    }

    @Test
    void section12_3_peerLifetimeZeroDeletesThePeerMapping() throws Exception {
        final PcpResponse created = fixture.pcp(peer(600, NONCE, REMOTE_PEER));
        assertEquals(ResultCode.SUCCESS, created.resultCode());
        assertEquals(1, fixture.storedMappings());
        final var deleted = fixture.pcp(peer(0, NONCE, REMOTE_PEER));
        assertEquals(ResultCode.SUCCESS, deleted.resultCode());
        assertEquals(0, deleted.lifetime());
        assertEquals(0, fixture.storedMappings());
    }

    @Test
    void section13_1_thirdPartyIsIncludedInTheResponse() throws Exception {
        reconfigure(policy -> policy.setThirdPartyPrefix(Set.of(IetfInetUtil.ipPrefixFor("10.0.0.2/32"))));
        final var thirdParty = new ThirdPartyOption(InetAddresses.forString("10.0.0.50"));
        final var response = fixture.pcp(map(600, 1234, 0, thirdParty));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(List.of(thirdParty), response.options());
    }

    @Test
    void section13_2_peerWithPreferFailureIsMalformedOption() throws Exception {
        assertRefused(ResultCode.MALFORMED_OPTION, new PcpRequest(2, 600, CLIENT, new PeerData(NONCE, 17, 4000, 5004,
            ANY_V4, 443, REMOTE_PEER), List.of(new PreferFailureOption())));
    }

    @Test
    void section13_2_preferFailureRefreshWithAnotherSuggestionIsCannotProvideExternal() throws Exception {
        assertEquals(5004, ((MapData) fixture.pcp(map(600, 1234, 5004, new PreferFailureOption())).data())
            .externalPort());
        final var response = fixture.pcp(map(600, 1234, 5006, new PreferFailureOption()));
        assertEquals(ResultCode.CANNOT_PROVIDE_EXTERNAL, response.resultCode());
        assertEquals(5004, fixture.store.get(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234)).orElseThrow()
            .externalPort());
    }

    @Test
    void section13_3_refreshWithoutFilterKeepsTheFilters() throws Exception {
        fixture.pcp(map(600, 1234, 0, new FilterOption(120, 80, InetAddresses.forString("198.51.100.0"))));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(600, 1234, 0)).resultCode());
        assertEquals(List.of(new Filter(InetAddresses.forString("198.51.100.0"), 24, 80)),
            fixture.store.get(new MappingKey.Map(GATEWAY, 6, CLIENT, 1234)).orElseThrow().filters());
    }

    @Test
    void section14_1_1_announceIgnoresTheRequestedLifetime() throws Exception {
        final var response = fixture.pcp(announce(3600));
        assertEquals(ResultCode.SUCCESS, response.resultCode());
        assertEquals(0, response.lifetime());
    }

    @Test
    void section14_1_announceFromAnotherAddressIsAddressMismatch() throws Exception {
        assertEquals(ResultCode.ADDRESS_MISMATCH, fixture.pcp(InetAddresses.forString("10.0.0.3"), announce(0))
            .resultCode());
    }

    @Test
    void section14_1_announceWithUnknownMandatoryOptionIsUnsuppOption() throws Exception {
        // the answer echoes the unknown option, so it is read as bytes: result code in byte 3, full length
        final byte[] request = fixture.codec.encode(announce(0, new UnknownOption(100, new byte[4])));
        final byte[] response = fixture.send(CLIENT, request).orElseThrow();
        assertEquals(ResultCode.UNSUPP_OPTION.code(), response[3]);
        assertEquals(request.length, response.length);
    }

    @Test
    void section14_1_3_announcementsRepeatWithDoublingIntervals() throws Exception {
        final var received = new LinkedBlockingQueue<Long>();
        // the epoch of the new address starts at 0; announcements of the old epoch (100 s) are not counted
        fixture.advance(Duration.ofSeconds(100));
        fixture.engine.registerAnnouncer(GATEWAY, announcement -> {
            if (EngineFixture.pcpResponse(announcement.pcp()).epochTime() == 0) {
                received.add(System.nanoTime());
            }
        });
        fixture.putGateway(EngineFixture.gateway(policy -> { }).setExternalAddress(List.of(
            IetfInetUtil.ipAddressFor("192.0.3.7"))).build());
        final var times = new ArrayList<Long>();
        for (int i = 0; i < 3; i++) {
            final Long time = received.poll(5, TimeUnit.SECONDS);
            assertNotNull(time, "announcement " + (i + 1) + " of 3 did not come");
            times.add(time);
        }
        final long first = TimeUnit.NANOSECONDS.toMillis(times.get(1) - times.get(0));
        final long second = TimeUnit.NANOSECONDS.toMillis(times.get(2) - times.get(1));
        // 250 ms, then 500 ms (RFC 6886 section 3.2.1); timers fire late, never early
        assertTrue(first >= 240 && first < 500, "first interval " + first + " ms");
        assertTrue(second >= 490 && second < 1000, "second interval " + second + " ms");
    }
}
