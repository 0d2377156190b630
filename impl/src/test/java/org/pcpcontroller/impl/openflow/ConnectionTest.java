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
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowModFailedCode;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.U32;

/**
 * A switch connection over an embedded channel: version negotiation, FEATURES, echo, BARRIER correlation, and a
 * second claim of a live datapath (issue 13 #3).
 */
class ConnectionTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final Connection.Settings SETTINGS = new Connection.Settings(TimeUnit.SECONDS.toNanos(5),
        TimeUnit.SECONDS.toNanos(15), TimeUnit.SECONDS.toNanos(10), TimeUnit.SECONDS.toNanos(60));

    private final SwitchHub hub = new SwitchHub(SETTINGS, System::nanoTime);

    private EmbeddedChannel connect() {
        return new EmbeddedChannel(new OpenFlowCodec.Decoder(), new OpenFlowCodec.Encoder(), hub.newConnection());
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
}
