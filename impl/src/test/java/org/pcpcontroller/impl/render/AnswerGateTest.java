/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.inet.types.rev130715.IetfInetUtil;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.GatewayId;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Gateways;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.Renderer;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.Gateway;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.GatewayBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.Render;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.gateway.rev261123.gateways.gateway.RenderBuilder;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.opendaylight.yangtools.yang.common.Uint32;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.TestModel;
import org.pcpcontroller.impl.gateway.GatewayCounters;
import org.pcpcontroller.impl.gateway.GatewayTracker;
import org.pcpcontroller.impl.store.DatastoreMappingStore;

/**
 * One answer gate over every installed renderer: SUCCESS waits for each renderer that renders the mapping, bounded
 * by the gateway's response timeout, and a created mapping that is not in effect is removed again.
 */
class AnswerGateTest extends AbstractDataBrokerTest {
    private static final Instant NOW = Instant.parse("2026-12-01T00:00:00Z");
    private static final MappingKey.Map KEY = new MappingKey.Map("gw", 6, InetAddresses.forString("10.0.0.2"), 4000);

    /** A renderer whose acknowledgements the test gives by hand. */
    private static final class HandRenderer implements MappingRenderer {
        final List<SettableFuture<RenderOutcome>> asked = new CopyOnWriteArrayList<>();
        final Renderer kind;
        volatile boolean renders = true;

        HandRenderer(final Renderer kind) {
            this.kind = kind;
        }

        @Override
        public Renderer kind() {
            return kind;
        }

        @Override
        public boolean renders(final Mapping mapping) {
            return renders;
        }

        @Override
        public ListenableFuture<RenderOutcome> whenRendered(final Mapping mapping) {
            final var future = SettableFuture.<RenderOutcome>create();
            asked.add(future);
            return future;
        }
    }

    private final MutableClock clock = new MutableClock(NOW);
    private DatastoreMappingStore store;
    private GatewayTracker tracker;
    private AnswerGate gate;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
        tracker = new GatewayTracker(getDataBroker(), store, new GatewayCounters(), TestModel.PARSER, clock);
        gate = new AnswerGate(tracker, store);
        putGateway(true, 300);
    }

    @AfterEach
    void afterEach() {
        gate.close();
        tracker.close();
        store.close();
    }

    private void putGateway(final boolean waitForAck, final long timeoutMillis) throws Exception {
        final var gateway = new GatewayBuilder().setId(new GatewayId("gw"))
            .setExternalAddress(List.of(IetfInetUtil.ipAddressFor("192.0.3.1")))
            .setRender(new RenderBuilder()
                .setAnswerAfter(waitForAck ? Render.AnswerAfter.GatewayAck : Render.AnswerAfter.DatastoreCommit)
                .setResponseTimeout(Uint32.valueOf(timeoutMillis)).build())
            .build();
        final var tx = getDataBroker().newWriteOnlyTransaction();
        tx.put(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Gateways.class)
            .child(Gateway.class, gateway.key()).build(), gateway);
        tx.commit().get(5, TimeUnit.SECONDS);
        Await.until(() -> tracker.lookup("gw"), view -> view.isPresent()
            && view.orElseThrow().render().waitForAck() == waitForAck);
    }

    private static Mapping mapping(final long lifetime) {
        return new Mapping(KEY, InetAddresses.forString("192.0.3.1"), 4000, Origin.PCP, null, null, NOW,
            NOW.plusSeconds(lifetime), null, null, List.of());
    }

    private ListenableFuture<Mapping> created(final Mapping mapping) {
        return gate.afterRendered(store.create(mapping), true);
    }

    private static Throwable failure(final ListenableFuture<?> future) throws Exception {
        try {
            future.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("succeeded: " + future.get());
    }

    @Test
    void withNoRendererInstalledTheAnswerLeavesAfterTheCommit() throws Exception {
        final var mapping = mapping(600);
        assertEquals(mapping, created(mapping).get(5, TimeUnit.SECONDS));
    }

    @Test
    void withOneRendererTheAnswerWaitsForItsAcknowledgement() throws Exception {
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        gate.addRenderer(netfilter);
        final var answer = created(mapping(600));
        Await.until(() -> netfilter.asked, asked -> asked.size() == 1);
        assertFalse(answer.isDone());
        netfilter.asked.getFirst().set(RenderOutcome.INSTALLED);
        assertEquals(mapping(600), answer.get(5, TimeUnit.SECONDS));
    }

    @Test
    void withBothRenderersTheAnswerWaitsForEach() throws Exception {
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        final var dscp = new HandRenderer(Renderer.OpenflowDscp);
        gate.addRenderer(netfilter);
        gate.addRenderer(dscp);
        final var answer = created(mapping(600));
        Await.until(() -> dscp.asked, asked -> asked.size() == 1);
        netfilter.asked.getFirst().set(RenderOutcome.INSTALLED);
        assertFalse(answer.isDone());
        dscp.asked.getFirst().set(RenderOutcome.INSTALLED);
        answer.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aRendererThatDoesNotRenderTheMappingGatesNothing() throws Exception {
        final var dscp = new HandRenderer(Renderer.OpenflowDscp);
        dscp.renders = false;
        gate.addRenderer(dscp);
        created(mapping(600)).get(5, TimeUnit.SECONDS);
        assertTrue(dscp.asked.isEmpty());
    }

    @Test
    void aRemovedRendererGatesNothing() throws Exception {
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        gate.addRenderer(netfilter);
        gate.removeRenderer(netfilter);
        // gated, the answer would fail after the 300 ms response timeout
        assertEquals(mapping(600), created(mapping(600)).get(5, TimeUnit.SECONDS));
        assertTrue(netfilter.asked.isEmpty(), "a removed renderer was asked");
    }

    @Test
    void datastoreCommitGatewaysDoNotWait() throws Exception {
        putGateway(false, 300);
        gate.addRenderer(new HandRenderer(Renderer.Netfilter));
        // nobody acknowledges: a gated answer would fail after the 300 ms response timeout, and remove the mapping
        assertEquals(mapping(600), created(mapping(600)).get(5, TimeUnit.SECONDS));
        assertEquals(mapping(600), store.get(KEY).orElseThrow());
    }

    @Test
    void aFailedRenderRemovesTheCreatedMappingAndSaysWhy() throws Exception {
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        gate.addRenderer(netfilter);
        final var answer = created(mapping(600));
        Await.until(() -> netfilter.asked, asked -> asked.size() == 1);
        netfilter.asked.getFirst().set(new RenderOutcome.Failed("gateway refused"));
        final var cause = assertInstanceOf(AnswerGate.NotRenderedException.class, failure(answer));
        assertTrue(cause.getMessage().contains("gateway refused"), cause.getMessage());
        assertFalse(cause.unsupported());
        assertEquals(Optional.empty(), store.get(KEY));
    }

    @Test
    void aProtocolOneRendererCanNeverExpressDecidesOverAPassingFailure() throws Exception {
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        final var dscp = new HandRenderer(Renderer.OpenflowDscp);
        gate.addRenderer(netfilter);
        gate.addRenderer(dscp);
        final var answer = created(mapping(600));
        Await.until(() -> dscp.asked, asked -> asked.size() == 1);
        dscp.asked.getFirst().set(new RenderOutcome.Failed("no switch"));
        netfilter.asked.getFirst().set(new RenderOutcome.Unsupported("protocol 1 is not one pcp-netfilter can match"));
        final var cause = assertInstanceOf(AnswerGate.NotRenderedException.class, failure(answer));
        // the engine answers UNSUPP_PROTOCOL for this (RFC 6887 section 7.4), and nothing is kept
        assertTrue(cause.unsupported(), cause.getMessage());
        assertEquals(Optional.empty(), store.get(KEY));
    }

    @Test
    void noAcknowledgementWithinTheResponseTimeoutRemovesTheMappingAndCancelsTheWait() throws Exception {
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        gate.addRenderer(netfilter);
        final var cause = failure(created(mapping(600)));
        assertTrue(cause.getMessage().contains("within 300 ms"), cause.getMessage());
        assertEquals(Optional.empty(), store.get(KEY));
        // the renderer may forget the waiter
        assertTrue(netfilter.asked.getFirst().isCancelled());
    }

    @Test
    void aRefreshThatIsNotInEffectKeepsTheMapping() throws Exception {
        store.create(mapping(600)).get(5, TimeUnit.SECONDS);
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        gate.addRenderer(netfilter);
        final var refreshed = gate.afterRendered(store.put(mapping(1200)), false);
        Await.until(() -> netfilter.asked, asked -> asked.size() == 1);
        netfilter.asked.getFirst().set(new RenderOutcome.Failed("gateway refused"));
        assertInstanceOf(AnswerGate.NotRenderedException.class, failure(refreshed));
        assertEquals(Optional.of(mapping(1200)), store.get(KEY));
    }

    @Test
    void aCreatedMappingThatWasRefreshedMeanwhileIsNotRemoved() throws Exception {
        final var netfilter = new HandRenderer(Renderer.Netfilter);
        gate.addRenderer(netfilter);
        final var first = created(mapping(600));
        Await.until(() -> netfilter.asked, asked -> asked.size() == 1);
        // the client's retransmission refreshed it and was answered SUCCESS
        store.put(mapping(900)).get(5, TimeUnit.SECONDS);
        netfilter.asked.getFirst().set(new RenderOutcome.Failed("gateway refused"));
        assertInstanceOf(AnswerGate.NotRenderedException.class, failure(first));
        assertEquals(NOW.plusSeconds(900), store.get(KEY).orElseThrow().expires());
    }
}
