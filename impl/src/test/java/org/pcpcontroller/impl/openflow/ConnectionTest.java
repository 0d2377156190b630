/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.Futures;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.pcpcontroller.impl.gateway.GatewayRegistry;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.U32;

/**
 * A switch connection over an embedded channel: version negotiation, FEATURES, echo, BARRIER correlation, and what a
 * hostile switch cannot do (issue 13 #3): take a live datapath, take a datapath pinned to a certificate, make a
 * request wait forever, or grow what its connection holds.
 */
class ConnectionTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final long ECHO_INTERVAL = TimeUnit.SECONDS.toNanos(5);
    /** Shorter than the echo interval: a request that times out is told apart from a dead peer's. */
    private static final long REQUEST_TIMEOUT = TimeUnit.SECONDS.toNanos(2);
    private static final Connection.Settings SETTINGS = new Connection.Settings(ECHO_INTERVAL,
        TimeUnit.SECONDS.toNanos(15), TimeUnit.SECONDS.toNanos(10), REQUEST_TIMEOUT);
    private static final String DATAPATH = DatapathId.of(10).toString();
    private static final String PINNED = "AB:" + "00:".repeat(30) + "01";
    /** Between a handshake and a claim of the datapath: only what a switch sends after a probe answers it. */
    private static final long SOME_TIME = TimeUnit.SECONDS.toNanos(1);
    private static final long ROUND_TRIP = TimeUnit.MILLISECONDS.toNanos(1);

    /** The connections' clock, which the tests move. */
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final SwitchHub hub = new SwitchHub(SETTINGS, clock::get);

    private EmbeddedChannel connect() {
        final var channel = new EmbeddedChannel(new OpenFlowCodec.Decoder(), new OpenFlowCodec.Encoder(),
            hub.newConnection());
        // the event loop's clock only moves when elapse() moves it
        channel.freezeTime();
        return channel;
    }

    /**
     * Time passes: the connection's clock moves, and its event loop runs the tick that looks at it.
     */
    private void elapse(final EmbeddedChannel channel, final long nanos) {
        clock.addAndGet(nanos);
        channel.advanceTimeBy(Connection.TICK_MILLIS, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Everything sent so far. */
    private static List<OFMessage> drain(final EmbeddedChannel channel) {
        final var messages = new ArrayList<OFMessage>();
        while (!channel.outboundMessages().isEmpty()) {
            messages.add(sent(channel));
        }
        return messages;
    }

    private static OFMessage sent(final EmbeddedChannel channel) {
        final ByteBuf buf = channel.readOutbound();
        assertNotNull(buf, "nothing sent");
        try {
            return OFFactories.getGenericReader().readFrom(buf);
        } catch (org.projectfloodlight.openflow.exceptions.OFParseError e) {
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }

    private static void receive(final EmbeddedChannel channel, final OFMessage message) {
        final var buf = Unpooled.buffer();
        message.writeTo(buf);
        channel.writeInbound(buf);
        channel.runPendingTasks();
    }

    // HELLO (1.0 and 1.3 offered) and FEATURES_REPLY of datapath 10
    private static void handshake(final EmbeddedChannel channel) {
        assertInstanceOf(OFHello.class, sent(channel));
        receive(channel, OF13.buildHello().setXid(1).setElements(List.of(OF13.helloElemVersionbitmap(
            List.of(U32.of(1 << 1 | 1 << 4))))).build());
        assertInstanceOf(OFFeaturesRequest.class, sent(channel));
        receive(channel, OF13.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(10)).setNTables((short) 254)
            .build());
    }

    @Test
    void helloOffersOpenFlow13To15AndTheSharedHighestVersionIsUsed() {
        final var channel = connect();
        final var hello = (OFHello) sent(channel);
        assertEquals(OFVersion.OF_15, hello.getVersion());
        final var bitmap = (OFHelloElemVersionbitmap) hello.getElements().getFirst();
        assertEquals(1 << 4 | 1 << 5 | 1 << 6, bitmap.getBitmaps().getFirst().getValue());
        // the switch speaks 1.0 and 1.3: 1.3 it is, with a 1.3 FEATURES_REQUEST
        receive(channel, OF13.buildHello().setXid(1).setElements(List.of(OF13.helloElemVersionbitmap(
            List.of(U32.of(1 << 1 | 1 << 4))))).build());
        assertEquals(OFVersion.OF_13, sent(channel).getVersion());
        receive(channel, OF13.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(10)).build());
        assertEquals(1, hub.connections().size());
        assertEquals(DatapathId.of(10), hub.connections().getFirst().datapathId());
    }

    @Test
    void helloWithoutBitmapNegotiatesTheLowerHeaderVersion() {
        final var channel = connect();
        sent(channel);
        final var of14 = OFFactories.getFactory(OFVersion.OF_14);
        receive(channel, of14.buildHello().setXid(1).setElements(List.of()).build());
        assertEquals(OFVersion.OF_14, sent(channel).getVersion());
    }

    @Test
    void openFlow10IsRefusedWithHelloFailedInItsOwnVersion() {
        final var channel = connect();
        sent(channel);
        receive(channel, OFFactories.getFactory(OFVersion.OF_10).buildHello().setXid(1).build());
        final var error = assertInstanceOf(OFHelloFailedErrorMsg.class, sent(channel));
        assertEquals(OFVersion.OF_10, error.getVersion());
        assertEquals(OFHelloFailedCode.INCOMPATIBLE, error.getCode());
        assertFalse(channel.isActive());
        assertTrue(hub.connections().isEmpty());
    }

    @Test
    void echoRequestsAreAnswered() {
        final var channel = connect();
        handshake(channel);
        receive(channel, OF13.buildEchoRequest().setXid(77).setData(new byte[] { 1, 2, 3 }).build());
        final var reply = assertInstanceOf(OFEchoReply.class, sent(channel));
        assertEquals(77, reply.getXid());
        assertArrayEquals(new byte[] { 1, 2, 3 }, reply.getData());
    }

    @Test
    void aBarrierIsAnsweredWithTheMessagesTheSwitchRefused() throws Exception {
        final var channel = connect();
        handshake(channel);
        final var connection = hub.connections().getFirst();
        final var answer = connection.sendWithBarrier(List.of(OF13.buildFlowAdd().build(),
            OF13.buildFlowAdd().build()));
        channel.runPendingTasks();
        sent(channel);
        final var second = sent(channel);
        final var barrier = assertInstanceOf(OFBarrierRequest.class, sent(channel));
        assertFalse(answer.isDone());
        receive(channel, OF13.errorMsgs().buildFlowModFailedErrorMsg().setXid(second.getXid())
            .setCode(OFFlowModFailedCode.TABLE_FULL).build());
        receive(channel, OF13.buildBarrierReply().setXid(barrier.getXid()).build());
        final var refusals = assertInstanceOf(SwitchReply.Answered.class, answer.get(0, TimeUnit.SECONDS)).value();
        // the second FLOW_MOD (index 1) was refused, the first went in
        assertEquals(List.of(1), ((List<?>) refusals).stream().map(refusal -> ((Refusal) refusal).index()).toList());
    }

    @Test
    void aSecondClaimOfALiveDatapathIsRefusedAndTheLiveConnectionStays() {
        final var live = connect();
        handshake(live);
        final var claimant = connect();
        handshake(claimant);
        // the newcomer goes, the live one stays and is asked to prove it is alive
        assertFalse(claimant.isActive());
        assertTrue(live.isActive());
        assertEquals(1, hub.connections().size());
        assertTrue(hub.connections().getFirst().isConnected());
        live.runPendingTasks();
        assertInstanceOf(OFEchoRequest.class, sent(live));
        assertEquals(1, hub.connections().getFirst().counters().refusedClaims());
    }

    @Test
    void closingForgetsTheConnection() {
        final var channel = connect();
        handshake(channel);
        assertEquals(1, hub.connections().size());
        channel.close();
        assertTrue(hub.connections().isEmpty());
    }

    // --- a live datapath is never taken by a claim (issue 13 #3) --------------------------------------------------

    @Test
    void aLiveConnectionThatAnswersTheProbeKeepsItsDatapathAgainstEveryLaterClaim() {
        final var live = connect();
        handshake(live);
        final var holder = hub.connections().getFirst();
        elapse(live, SOME_TIME);
        final var claimant = connect();
        handshake(claimant);
        assertFalse(claimant.isActive());
        live.runPendingTasks();
        final var probe = assertInstanceOf(OFEchoRequest.class, sent(live));
        clock.addAndGet(ROUND_TRIP);
        receive(live, OF13.buildEchoReply().setXid(probe.getXid()).build());
        // past the probe's deadline: it was answered, so the connection is proven and stays
        elapse(live, ECHO_INTERVAL);
        assertTrue(live.isActive());
        drain(live);

        final var again = connect();
        handshake(again);
        assertFalse(again.isActive());
        assertTrue(live.isActive());
        assertSame(holder, hub.connections().getFirst());
        assertEquals(1, hub.connections().size());
        assertEquals(2, holder.counters().refusedClaims());
        // and the proven connection is asked to prove itself again, not evicted
        live.runPendingTasks();
        assertInstanceOf(OFEchoRequest.class, sent(live));
    }

    @Test
    void aLiveConnectionThatDoesNotAnswerTheProbeGoesAndTheNextClaimGetsTheDatapath() {
        final var live = connect();
        handshake(live);
        elapse(live, SOME_TIME);
        handshake(connect());
        live.runPendingTasks();
        assertInstanceOf(OFEchoRequest.class, sent(live));
        elapse(live, ECHO_INTERVAL - 1);
        assertTrue(live.isActive());
        elapse(live, 1);
        assertFalse(live.isActive());
        assertTrue(hub.connections().isEmpty());

        final var restarted = connect();
        handshake(restarted);
        assertTrue(restarted.isActive());
        assertTrue(hub.connections().getFirst().isAdmitted());
    }

    @Test
    void aSwitchThatReconnectsAfterItsConnectionClosedGetsItsDatapathBack() {
        final var first = connect();
        handshake(first);
        first.close();
        final var second = connect();
        handshake(second);
        assertTrue(second.isActive());
        assertEquals(1, hub.connections().size());
        final var connection = hub.connections().getFirst();
        assertTrue(connection.isAdmitted() && connection.isConnected());
        assertEquals(0, connection.counters().refusedClaims());
    }

    // --- a datapath pinned to certificates (issue 13 #3; the TLS side is in OpenFlowEndpointTest) -----------------

    @Test
    void aConnectionWithoutTlsCannotClaimADatapathPinnedToACertificate() throws Exception {
        hub.viewsChanged(OpenFlowGateways.added(OpenFlowGateways.claiming("gw", DATAPATH, PINNED)));
        final var channel = connect();
        handshake(channel);
        assertFalse(channel.isActive());
        assertTrue(hub.connections().isEmpty());
        assertTrue(hub.switchesOf("gw").isEmpty());
    }

    @Test
    void aConnectionWithoutTlsLosesItsDatapathWhenTheGatewayPinsIt() throws Exception {
        hub.viewsChanged(OpenFlowGateways.added(OpenFlowGateways.claiming("gw", DATAPATH)));
        final var channel = connect();
        handshake(channel);
        assertEquals(1, hub.switchesOf("gw").size());

        final var before = OpenFlowGateways.claiming("gw", DATAPATH);
        final var after = OpenFlowGateways.claiming("gw", DATAPATH, PINNED);
        hub.viewsChanged(List.of(new GatewayRegistry.ViewChange("gw", before, after)));
        channel.runPendingTasks();
        assertFalse(channel.isActive());
        assertTrue(hub.switchesOf("gw").isEmpty());
    }

    // --- requests do not wait forever, and what a connection holds is bounded (issue 13 #3) -----------------------

    @Test
    void aBarrierTheSwitchNeverAnswersIsUnansweredAfterTheRequestTimeout() throws Exception {
        final var channel = connect();
        handshake(channel);
        final var answer = hub.connections().getFirst().sendWithBarrier(List.of(OF13.buildFlowAdd().build()));
        channel.runPendingTasks();
        elapse(channel, REQUEST_TIMEOUT - 1);
        assertFalse(answer.isDone());
        elapse(channel, 1);
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(answer));
        // the deadline, not a dead peer
        assertTrue(channel.isActive());
        assertEquals(0, hub.connections().getFirst().footprint().get("barriers"));
    }

    @Test
    void aStatsRequestTheSwitchNeverAnswersIsUnansweredAfterTheRequestTimeout() throws Exception {
        final var channel = connect();
        handshake(channel);
        final var answer = hub.connections().getFirst().request(OF13.buildFlowStatsRequest().build());
        channel.runPendingTasks();
        assertInstanceOf(OFFlowStatsRequest.class, sent(channel));
        elapse(channel, REQUEST_TIMEOUT - 1);
        assertFalse(answer.isDone());
        elapse(channel, 1);
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(answer));
        assertTrue(channel.isActive());
        assertEquals(0, hub.connections().getFirst().footprint().get("multiparts"));
    }

    @Test
    void aSwitchThatNeverSetsTheLastPartFlagCannotGrowTheReply() throws Exception {
        final var channel = connect();
        handshake(channel);
        final var connection = hub.connections().getFirst();
        final var answer = connection.request(OF13.buildFlowStatsRequest().build());
        channel.runPendingTasks();
        final long xid = sent(channel).getXid();
        final var more = OF13.buildFlowStatsReply().setXid(xid).setFlags(Set.of(OFStatsReplyFlags.REPLY_MORE))
            .setEntries(List.of()).build();
        for (int i = 0; i < PendingRequests.MAX_PARTS; i++) {
            receive(channel, more);
        }
        assertFalse(answer.isDone());
        for (int i = 0; i < 100; i++) {
            receive(channel, more);
        }
        assertInstanceOf(SwitchReply.Unanswered.class, Futures.getDone(answer));
        assertEquals(0, connection.footprint().get("parts"));
        assertEquals(0, connection.footprint().get("multiparts"));
        assertTrue(channel.isActive());
    }

    @Test
    void aFloodOfErrorsKeepsOneRefusalPerMessageOfTheBurst() throws Exception {
        final var channel = connect();
        handshake(channel);
        final var connection = hub.connections().getFirst();
        final var answer = connection.sendWithBarrier(List.of(OF13.buildFlowAdd().build(),
            OF13.buildFlowAdd().build()));
        channel.runPendingTasks();
        sent(channel);
        final var second = sent(channel);
        final var barrier = assertInstanceOf(OFBarrierRequest.class, sent(channel));
        final var refused = OF13.errorMsgs().buildFlowModFailedErrorMsg().setXid(second.getXid())
            .setCode(OFFlowModFailedCode.TABLE_FULL).build();
        for (int i = 0; i < 10_000; i++) {
            receive(channel, refused);
        }
        // errors for messages no barrier covers are counted and logged, not kept
        for (int i = 0; i < 100; i++) {
            receive(channel, refused.createBuilder().setXid(0x10_0000 + i).build());
        }
        assertEquals(1, connection.footprint().get("refusals"));
        assertEquals(10_100, connection.counters().errors());
        receive(channel, OF13.buildBarrierReply().setXid(barrier.getXid()).build());
        final var refusals = assertInstanceOf(SwitchReply.Answered.class, answer.get(0, TimeUnit.SECONDS)).value();
        assertEquals(1, ((List<?>) refusals).size());
    }
}
