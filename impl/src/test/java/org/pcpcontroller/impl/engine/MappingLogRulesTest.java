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
import static org.pcpcontroller.impl.engine.EngineFixture.NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.OTHER_NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingResponse;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.impl.mappinglog.RecordingMappingLog;
import org.pcpcontroller.impl.store.StoreTestAccess;

/**
 * Issue 17 through real requests: what clients do to their mappings shows in the mapping log, a delete (lifetime 0)
 * as removed; a refused request changes nothing, so it is not a mapping event. The line of a change is logged before
 * the client's answer leaves.
 */
class MappingLogRulesTest extends AbstractEngineTest {
    private final RecordingMappingLog log = new RecordingMappingLog();

    @BeforeEach
    void recordEvents() {
        StoreTestAccess.eventLog(fixture.store, log);
    }

    private NatPmpResultCode natPmp(final InetAddress source, final int internalPort, final long lifetime)
            throws Exception {
        return ((MappingResponse) fixture.natPmp(source, new MappingRequest(MappingProtocol.UDP, internalPort, 5003,
            lifetime))).resultCode();
    }

    @Test
    void pcpMapIsAddedRefreshedAndRemovedByItsLifetimeZero() throws Exception {
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(3600, 1234, 5005)).resultCode());
        fixture.advance(Duration.ofSeconds(600));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(7200, 1234, 0)).resultCode());
        fixture.advance(Duration.ofSeconds(200));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(0, 1234, 0)).resultCode());
        assertEquals(List.of(
            "gateway=gw1 added TCP 10.0.0.2:1234 -> 192.0.3.1:5005 lifetime 3600 s "
                + "(pcp, nonce 0102030405060708090a0b0c)",
            "gateway=gw1 refreshed TCP 10.0.0.2:1234 -> 192.0.3.1:5005 lifetime 7200 s "
                + "(pcp, nonce 0102030405060708090a0b0c)",
            "gateway=gw1 removed TCP 10.0.0.2:1234 -> 192.0.3.1:5005 lifetime 7000 s "
                + "(pcp, nonce 0102030405060708090a0b0c)"), log.lines());
    }

    @Test
    void natPmpMappingIsAddedAndRemovedByItsLifetimeZero() throws Exception {
        assertEquals(NatPmpResultCode.SUCCESS, natPmp(CLIENT, 4000, 3600));
        assertEquals(NatPmpResultCode.SUCCESS, natPmp(CLIENT, 4000, 0));
        assertEquals(List.of(
            "gateway=gw1 added UDP 10.0.0.2:4000 -> 192.0.3.1:5003 lifetime 3600 s (nat-pmp)",
            "gateway=gw1 removed UDP 10.0.0.2:4000 -> 192.0.3.1:5003 lifetime 3600 s (nat-pmp)"), log.lines());
    }

    @Test
    void aLeaseThatEndsExpires() throws Exception {
        assertEquals(NatPmpResultCode.SUCCESS, natPmp(CLIENT, 4000, 3600));
        fixture.advance(Duration.ofSeconds(3601));
        StoreTestAccess.expireNow(fixture.store);
        StoreTestAccess.awaitCommitted(fixture.store).get(5, TimeUnit.SECONDS);
        assertEquals("gateway=gw1 expired UDP 10.0.0.2:4000 -> 192.0.3.1:5003 lifetime 0 s (nat-pmp)",
            log.lines().getLast());
    }

    @Test
    void refusedRequestsAreNoEvents() throws Exception {
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(3600, 1234, 5005)).resultCode());
        log.clear();
        // another nonce may neither refresh nor delete it (RFC 6887 section 11.3), NAT-PMP may not touch it
        // (appendix A), a host outside the internal prefixes is refused, and so is a delete of what is not there
        assertEquals(ResultCode.NOT_AUTHORIZED, fixture.pcp(map(CLIENT, 3600, OTHER_NONCE, 6, 1234, 0))
            .resultCode());
        assertEquals(ResultCode.NOT_AUTHORIZED, fixture.pcp(map(CLIENT, 0, OTHER_NONCE, 6, 1234, 0)).resultCode());
        assertEquals(NatPmpResultCode.NOT_AUTHORIZED, ((MappingResponse) fixture.natPmp(CLIENT,
            new MappingRequest(MappingProtocol.TCP, 1234, 0, 0))).resultCode());
        assertEquals(NatPmpResultCode.NOT_AUTHORIZED, natPmp(InetAddresses.forString("192.168.7.7"), 4000, 3600));
        assertEquals(NatPmpResultCode.SUCCESS, natPmp(CLIENT, 4999, 0));
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(CLIENT, 0, NONCE, 6, 4999, 0)).resultCode());
        StoreTestAccess.awaitCommitted(fixture.store).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), log.lines());
    }
}
