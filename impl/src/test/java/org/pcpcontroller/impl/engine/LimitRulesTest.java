/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pcpcontroller.impl.engine.EngineFixture.CLIENT;
import static org.pcpcontroller.impl.engine.EngineFixture.GATEWAY;
import static org.pcpcontroller.impl.engine.EngineFixture.NONCE;
import static org.pcpcontroller.impl.engine.EngineFixture.SERVER;
import static org.pcpcontroller.impl.engine.EngineFixture.map;

import com.google.common.net.InetAddresses;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.PolicyBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.state.Counters;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.opendaylight.yangtools.yang.common.Uint8;
import org.pcpcontroller.api.natpmp.MappingProtocol;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingRequest;
import org.pcpcontroller.api.natpmp.NatPmpMessage.MappingResponse;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.ResultCode;
import org.pcpcontroller.impl.Await;

/**
 * The limits that keep one client, one home or the whole fleet from taking what the others need (RFC 6887 sections
 * 17.2 and 18.3.1): every limit is per gateway and client, never per bare address, and each refusal is counted in the
 * gateway's state.
 */
class LimitRulesTest extends AbstractEngineTest {
    private static final InetAddress V6_A = InetAddresses.forString("2001:db8:1::2");
    private static final InetAddress V6_B = InetAddresses.forString("2001:db8:1::3");
    private static final InetAddress V6_C = InetAddresses.forString("2001:db8:1::4");
    private static final InetAddress V6_OTHER_64 = InetAddresses.forString("2001:db8:2::4");

    private void reconfigure(final Consumer<PolicyBuilder> policy) throws Exception {
        // internal 2001:db8::/32, so that clients of different /64 prefixes are served
        fixture.putGateway(EngineFixture.gateway(policy).setInternalPrefix(Set.of(
            IetfInetUtil.ipPrefixFor("10.0.0.0/24"), IetfInetUtil.ipPrefixFor("2001:db8::/32"))).build());
    }

    private Counters counters() {
        return fixture.counters.snapshot(GATEWAY);
    }

    private ResultCode mapFrom(final InetAddress client, final int port) throws Exception {
        return fixture.pcp(map(client, 600, NONCE, 6, port, 0)).resultCode();
    }

    @Test
    void section17_2_anIpv6ClientIsCountedByItsPrefixNotByItsAddress() throws Exception {
        reconfigure(policy -> policy.setPerClientQuota(Uint32.TWO));
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_A, 4000));
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_B, 4000));
        // a third address of the same /64 is the same client, whose quota is used up
        final var refused = fixture.pcp(map(V6_C, 600, NONCE, 6, 4000, 0));
        assertEquals(ResultCode.USER_EX_QUOTA, refused.resultCode());
        assertEquals(30, refused.lifetime());
        assertEquals(1L, counters().getRefusedOverQuota().getValue().longValue());
        // another /64 is another client
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_OTHER_64, 4000));
    }

    @Test
    void section17_2_theIpv6ClientPrefixLengthIsConfigurable() throws Exception {
        reconfigure(policy -> policy.setPerClientQuota(Uint32.TWO).setIpv6ClientPrefixLength(Uint8.valueOf(128)));
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_A, 4000));
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_B, 4000));
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_C, 4000));
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_C, 4001));
        assertEquals(ResultCode.USER_EX_QUOTA, mapFrom(V6_C, 4002));
    }

    @Test
    void maxMappings_aFullGatewayAnswersNoResourcesAndServesRefreshes() throws Exception {
        reconfigure(policy -> policy.setMaxMappings(Uint32.TWO));
        assertEquals(ResultCode.SUCCESS, mapFrom(CLIENT, 4000));
        assertEquals(ResultCode.SUCCESS, mapFrom(V6_A, 4000));
        final var refused = fixture.pcp(map(InetAddresses.forString("10.0.0.3"), 600, NONCE, 6, 4000, 0));
        assertEquals(ResultCode.NO_RESOURCES, refused.resultCode());
        assertEquals(30, refused.lifetime());
        final var natPmp = (MappingResponse) fixture.natPmp(InetAddresses.forString("10.0.0.4"), new MappingRequest(
            MappingProtocol.UDP, 4000, 0, 3600));
        assertEquals(NatPmpResultCode.OUT_OF_RESOURCES, natPmp.resultCode());
        assertEquals(2L, counters().getRefusedOverGatewayLimit().getValue().longValue());
        // a refresh is no new mapping
        assertEquals(ResultCode.SUCCESS, mapFrom(CLIENT, 4000));
        assertEquals(2, fixture.store.count(GATEWAY));
    }

    @Test
    void maxMappings_zeroMeansNoLimit() throws Exception {
        reconfigure(policy -> policy.setMaxMappings(Uint32.ZERO).setPerClientQuota(Uint32.ZERO));
        for (int port = 4000; port < 4005; port++) {
            assertEquals(ResultCode.SUCCESS, mapFrom(V6_A, port));
        }
    }

    @Test
    void controllerLimit_holdsOverEveryGateway() throws Exception {
        try (var engine = new PcpEngine(fixture.tracker, fixture.store, fixture.counters, fixture.gate,
                fixture.clock, 1, System::nanoTime)) {
            final var codec = fixture.codec;
            final var first = engine.handle(GATEWAY, new InetSocketAddress(CLIENT, 40000), SERVER,
                codec.encode(map(600, 4000, 0))).get(5, TimeUnit.SECONDS).orElseThrow();
            assertEquals(ResultCode.SUCCESS.code(), first[3]);
            final var other = InetAddresses.forString("10.0.0.3");
            final var second = engine.handle(GATEWAY, new InetSocketAddress(other, 40000), SERVER,
                codec.encode(map(other, 600, NONCE, 6, 4000, 0))).get(5, TimeUnit.SECONDS).orElseThrow();
            assertEquals(ResultCode.NO_RESOURCES.code(), second[3]);
            assertEquals(1L, counters().getRefusedOverControllerLimit().getValue().longValue());
        }
    }

    @Test
    void section18_3_1_aGatewaysClientsShareItsRequestRateAndAnotherGatewayIsUntouched() throws Exception {
        // gw1 allows 2 requests a second; gw2, another home with the same private addresses, the default
        reconfigure(policy -> policy.setRequestRate(Uint32.TWO));
        final Gateway other = EngineFixture.gateway(policy -> { }).setId(new GatewayId("gw2")).build();
        final var tx = fixture.broker.newWriteOnlyTransaction();
        tx.put(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, other.key()).build(), other);
        tx.commit().get(5, TimeUnit.SECONDS);
        Await.until(() -> fixture.tracker.lookup("gw2"), Optional::isPresent);

        final var nanos = new AtomicLong();
        try (var engine = new PcpEngine(fixture.tracker, fixture.store, fixture.counters, fixture.gate,
                fixture.clock, 0, nanos::get)) {
            final var announce = fixture.codec.encode(new PcpRequest(2, 0, CLIENT, new AnnounceData(), List.of()));
            final var client = new InetSocketAddress(CLIENT, 40000);
            final var hostOfGw1 = new InetSocketAddress(InetAddresses.forString("10.0.0.3"), 40000);
            assertTrue(engine.handle(GATEWAY, client, SERVER, announce).get(5, TimeUnit.SECONDS).isPresent());
            assertTrue(engine.handle(GATEWAY, hostOfGw1, SERVER, announce(hostOfGw1)).get(5, TimeUnit.SECONDS)
                .isPresent());
            // gw1's budget is used up, by two of its clients together: dropped before decoding, counted
            assertEquals(Optional.empty(), engine.handle(GATEWAY, client, SERVER, announce).get(5,
                TimeUnit.SECONDS));
            assertEquals(1L, counters().getDroppedOverRequestRate().getValue().longValue());
            // the same client address in the other home is served
            for (int i = 0; i < 5; i++) {
                assertTrue(engine.handle("gw2", client, SERVER, announce).get(5, TimeUnit.SECONDS).isPresent());
            }
            // a second later gw1 has its budget back
            nanos.addAndGet(TimeUnit.SECONDS.toNanos(1));
            assertTrue(engine.handle(GATEWAY, client, SERVER, announce).get(5, TimeUnit.SECONDS).isPresent());
        }
    }

    private byte[] announce(final InetSocketAddress client) {
        return fixture.codec.encode(new PcpRequest(2, 0, client.getAddress(), new AnnounceData(), List.of()));
    }
}
