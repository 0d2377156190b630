/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pcpcontroller.impl.engine.EngineFixture.CLIENT;
import static org.pcpcontroller.impl.engine.EngineFixture.GATEWAY;
import static org.pcpcontroller.impl.engine.EngineFixture.NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import com.google.common.net.InetAddresses;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.Dscp;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.flow.priority.rev261123.flow.priority.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.pcp.FlowPriorityOption;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * The gateway's DSCP policy (pcp-flow-priority: allowed-dscp-up, allowed-dscp-down, disallowed-action) applied to
 * FLOW_PRIORITY at request time.
 */
class FlowPriorityPolicyTest extends AbstractEngineTest {
    private static final MappingKey.Map KEY = new MappingKey.Map(GATEWAY, 6, CLIENT, 1234);

    private static GatewayBuilder marking(final Gateway.DisallowedAction action) {
        // EF upstream only, any value downstream
        return new GatewayBuilder().setGatewayId(new GatewayId(GATEWAY))
            .setAllowedDscpUp(Set.of(new Dscp(Uint8.valueOf(46)))).setDisallowedAction(action);
    }

    private static FlowPriorityOption flow(final int up, final int down) {
        return new FlowPriorityOption(new FlowPriority(up, down), false);
    }

    @Test
    void reject_aDscpTheGatewayDoesNotAllowIsNotAuthorized() throws Exception {
        fixture.putMarking(marking(Gateway.DisallowedAction.Reject).build());
        final var refused = fixture.pcp(map(600, 1234, 0, flow(10, 0)));
        assertEquals(ResultCode.NOT_AUTHORIZED, refused.resultCode());
        assertEquals(0, refused.lifetime());
        assertEquals(0, fixture.storedMappings());
        // a PEER is held to the same policy
        final var peer = new PcpRequest(2, 600, CLIENT, new PeerData(NONCE, 17, 4000, 0,
            InetAddresses.forString("::ffff:0.0.0.0"), 443, InetAddresses.forString("198.51.100.7")),
            List.of(flow(10, 63)));
        assertEquals(ResultCode.NOT_AUTHORIZED, fixture.pcp(peer).resultCode());
        assertEquals(0, fixture.storedMappings());
    }

    @Test
    void reject_anAllowedDscpIsStored() throws Exception {
        fixture.putMarking(marking(Gateway.DisallowedAction.Reject).build());
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(600, 1234, 0, flow(46, 12))).resultCode());
        assertEquals(new FlowPriority(46, 12), fixture.store.get(KEY).orElseThrow().flowPriority());
    }

    @Test
    void ignore_aDscpTheGatewayDoesNotAllowIsMappedWithoutMarking() throws Exception {
        fixture.putMarking(marking(Gateway.DisallowedAction.Ignore).build());
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(600, 1234, 0, flow(10, 0))).resultCode());
        assertNull(fixture.store.get(KEY).orElseThrow().flowPriority());
    }

    @Test
    void withoutAnEntryEveryDscpIsAllowed() throws Exception {
        assertEquals(ResultCode.SUCCESS, fixture.pcp(map(600, 1234, 0, flow(10, 63))).resultCode());
        assertEquals(new FlowPriority(10, 63), fixture.store.get(KEY).orElseThrow().flowPriority());
    }
}
