/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opendaylight.yangtools.concepts.Registration;
import org.pcpcontroller.impl.engine.Announcement;
import org.pcpcontroller.impl.engine.Announcer;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.ingress.ClientRateLimiter;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameCodec;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameDecodeResult;
import org.pcpcontroller.impl.ingress.openflow.frame.UdpFrame;
import org.projectfloodlight.openflow.protocol.OFBarrierRequest;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesRequest;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterFeaturesStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFMeterModFailedCode;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFActionMeter;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.errormsg.OFHelloFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionApplyActions;
import org.projectfloodlight.openflow.protocol.instruction.OFInstructionMeter;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.protocol.meterband.OFMeterBandDrop;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.U32;

/**
 * A switch session against a scripted switch on an embedded channel: every message goes through the real codec.
 */
class SwitchSessionTest {
    private static final OFFactory OF13 = OFFactories.getFactory(OFVersion.OF_13);
    private static final byte[] CLIENT_MAC = { 0x52, 0x54, 0, 0, 0, 2 };
    private static final byte[] GATEWAY_MAC = { 0x52, 0x54, 0, 0, 0, 1 };
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddresses.forString("10.0.0.2"), 41493);
    private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddresses.forString("10.0.0.1"), 5351);
    private static final byte[] ANSWER = { 0, (byte) 0x80, 0, 0, 0, 0, 0, 16, (byte) 192, 0, 3, 1 };

    private final List<String> events = new ArrayList<>();
    private final List<byte[]> requests = new ArrayList<>();
    private EmbeddedChannel channel;
    private SwitchSession session;

    @BeforeEach
    void connect() {
        final var engine = new RequestEngine() {
            @Override
            public ListenableFuture<Optional<byte[]>> handle(final String gateway, final InetSocketAddress client,
                    final InetSocketAddress server, final byte[] payload) {
                requests.add(payload);
                events.add("request " + gateway + " " + client + " -> " + server);
                return Futures.immediateFuture(Optional.of(ANSWER));
            }

            @Override
            public Registration registerAnnouncer(final String gateway, final Announcer announcer) {
                return () -> { };
            }
        };
        session = new SwitchSession(new SwitchSession.Listener() {
            @Override
            public void handshaken(final SwitchSession handshaken) {
                events.add("handshaken " + handshaken.datapathId());
            }

            @Override
            public void serving(final SwitchSession serving) {
                events.add("serving");
            }

            @Override
            public void flowRemoved(final SwitchSession from, final OFFlowRemoved removed) {
                events.add("removed");
            }

            @Override
            public void closed(final SwitchSession closed) {
                events.add("closed");
            }
        }, engine, new ClientRateLimiter(1e6, 1e6), new SwitchSession.Settings(5000, 15000, 10000, 60000, 7));
        channel = new EmbeddedChannel(new OpenFlowCodec.Decoder(), new OpenFlowCodec.Encoder(), session);
    }

    private OFMessage sent() {
        final ByteBuf buf = channel.readOutbound();
        assertTrue(buf != null, "nothing sent");
        try {
            return OFFactories.getGenericReader().readFrom(buf);
        } catch (org.projectfloodlight.openflow.exceptions.OFParseError e) {
            throw new AssertionError(e);
        } finally {
            buf.release();
        }
    }

    private void receive(final OFMessage message) {
        final var buf = Unpooled.buffer();
        message.writeTo(buf);
        channel.writeInbound(buf);
        channel.runPendingTasks();
    }

    private void handshake() {
        assertInstanceOf(OFHello.class, sent());
        receive(OF13.buildHello().setXid(1).setElements(List.of(OF13.helloElemVersionbitmap(
            List.of(U32.of(1 << 1 | 1 << 4))))).build());
        assertInstanceOf(OFFeaturesRequest.class, sent());
        receive(OF13.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(10)).setNTables((short) 254)
            .build());
    }

    @Test
    void helloOffersOpenFlow13To15AndTheSharedHighestVersionIsUsed() {
        final var hello = (OFHello) sent();
        assertEquals(OFVersion.OF_15, hello.getVersion());
        final var bitmap = (OFHelloElemVersionbitmap) hello.getElements().getFirst();
        assertEquals(1 << 4 | 1 << 5 | 1 << 6, bitmap.getBitmaps().getFirst().getValue());
        // the switch speaks 1.0 and 1.3: 1.3 it is, with a 1.3 FEATURES_REQUEST
        receive(OF13.buildHello().setXid(1).setElements(List.of(OF13.helloElemVersionbitmap(
            List.of(U32.of(1 << 1 | 1 << 4))))).build());
        assertEquals(OFVersion.OF_13, sent().getVersion());
        receive(OF13.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(10)).build());
        assertEquals(List.of("handshaken 00:00:00:00:00:00:00:0a"), events);
    }

    @Test
    void helloWithoutBitmapNegotiatesTheLowerHeaderVersion() {
        sent();
        final var of14 = OFFactories.getFactory(OFVersion.OF_14);
        receive(of14.buildHello().setXid(1).setElements(List.of()).build());
        assertEquals(OFVersion.OF_14, sent().getVersion());
    }

    @Test
    void openFlow10IsRefusedWithHelloFailedInItsOwnVersion() {
        sent();
        final var of10 = OFFactories.getFactory(OFVersion.OF_10);
        receive(of10.buildHello().setXid(1).build());
        final var error = assertInstanceOf(OFHelloFailedErrorMsg.class, sent());
        assertEquals(OFVersion.OF_10, error.getVersion());
        assertEquals(OFHelloFailedCode.INCOMPATIBLE, error.getCode());
        assertFalse(channel.isActive());
        assertTrue(events.isEmpty(), events.toString());
    }

    @Test
    void echoRequestsAreAnswered() {
        handshake();
        receive(OF13.buildEchoRequest().setXid(77).setData(new byte[] { 1, 2, 3 }).build());
        final var reply = assertInstanceOf(OFEchoReply.class, sent());
        assertEquals(77, reply.getXid());
        assertArrayEquals(new byte[] { 1, 2, 3 }, reply.getData());
    }

    @Test
    void servingInstallsMeterThenPuntFlowsAndReportsAfterTheBarrier() {
        handshake();
        session.serve(new SwitchSession.Binding("gw", 500, List.of()));
        channel.runPendingTasks();
        assertInstanceOf(OFMeterFeaturesStatsRequest.class, sent());
        receive(OF13.buildMeterFeaturesStatsReply().setXid(3).setFeatures(OF13.buildMeterFeatures()
            .setMaxMeter(100).build()).build());
        final var meter = assertInstanceOf(OFMeterMod.class, sent());
        assertEquals(OFMeterModCommand.ADD, meter.getCommand());
        assertEquals(7, meter.getMeterId());
        final var delete = assertInstanceOf(OFFlowDelete.class, sent());
        assertEquals(Flows.PUNT, delete.getCookie());
        assertEquals(Flows.KIND_MASK, delete.getCookieMask());
        final var v4 = assertInstanceOf(OFFlowAdd.class, sent());
        final var v6 = assertInstanceOf(OFFlowAdd.class, sent());
        assertEquals(Set.of("0x800", "0x86dd"), Set.of(v4.getMatch().get(MatchField.ETH_TYPE).toString(),
            v6.getMatch().get(MatchField.ETH_TYPE).toString()));
        assertEquals(5351, v4.getMatch().get(MatchField.UDP_DST).getPort());
        assertEquals(60000, v4.getPriority());
        final var barrier = assertInstanceOf(OFBarrierRequest.class, sent());
        assertFalse(events.contains("serving"));
        // the meter survived an earlier connection: its rate is updated instead
        receive(OF13.errorMsgs().buildMeterModFailedErrorMsg().setXid(meter.getXid())
            .setCode(OFMeterModFailedCode.METER_EXISTS).build());
        final var modify = assertInstanceOf(OFMeterMod.class, sent());
        assertEquals(OFMeterModCommand.MODIFY, modify.getCommand());
        receive(OF13.buildBarrierReply().setXid(barrier.getXid()).build());
        assertTrue(events.contains("serving"), events.toString());
    }

    /**
     * Issue 13.1: over OpenFlow 1.4 the meter was built with openflowj's 1.3-only setter (exception, connection
     * closed), over 1.5 Open vSwitch's meter features reply did not parse and the meter instruction no longer
     * exists; either way no punt flow was ever installed. The meter features replies are Open vSwitch 3.1.0's, as
     * captured.
     */
    @ParameterizedTest
    @CsvSource({
        "OF_13, 0413002000000103000b00000000000000040000000000020000000f08000000",
        "OF_14, 0513002000000103000b00000000000000040000000000020000000f08000000",
        "OF_15, 0613002000000103000b00000000000000040000000000020000000f08000000" })
    void servingInstallsMeterAndPuntFlowsInEveryVersion(final OFVersion version, final String meterFeatures) {
        final var factory = OFFactories.getFactory(version);
        sent();
        receive(factory.buildHello().setXid(1).setElements(List.of(factory.helloElemVersionbitmap(
            List.of(U32.of(1 << version.getWireVersion()))))).build());
        assertEquals(version, assertInstanceOf(OFFeaturesRequest.class, sent()).getVersion());
        receive(factory.buildFeaturesReply().setXid(2).setDatapathId(DatapathId.of(10)).setNTables((short) 254)
            .build());
        session.serve(new SwitchSession.Binding("gw", 500, List.of()));
        channel.runPendingTasks();
        final var request = assertInstanceOf(OFMeterFeaturesStatsRequest.class, sent());
        final var reply = Unpooled.wrappedBuffer(HexFormat.of().parseHex(meterFeatures));
        reply.setInt(4, (int) request.getXid());
        channel.writeInbound(reply);
        channel.runPendingTasks();
        final var meter = assertInstanceOf(OFMeterMod.class, sent());
        assertEquals(version, meter.getVersion());
        assertEquals(7, meter.getMeterId());
        final var bands = version == OFVersion.OF_13 ? meter.getMeters() : meter.getBands();
        assertEquals(500, ((OFMeterBandDrop) bands.getFirst()).getRate());
        assertInstanceOf(OFFlowDelete.class, sent());
        for (int i = 0; i < 2; i++) {
            final var add = assertInstanceOf(OFFlowAdd.class, sent());
            if (version == OFVersion.OF_15) {
                // a meter action in 1.5, before the output
                final var apply = (OFInstructionApplyActions) add.getInstructions().getFirst();
                assertEquals(7, ((OFActionMeter) apply.getActions().getFirst()).getMeterId());
            } else {
                assertEquals(7, ((OFInstructionMeter) add.getInstructions().getFirst()).getMeterId());
            }
        }
        final var barrier = assertInstanceOf(OFBarrierRequest.class, sent());
        receive(factory.buildBarrierReply().setXid(barrier.getXid()).build());
        assertEquals(0, session.errors());
        assertTrue(events.contains("serving"), events.toString());
    }

    @Test
    void packetInIsAnsweredWithPacketOutThroughTheIngressPort() {
        handshake();
        session.serve(new SwitchSession.Binding("gw", 500, List.of()));
        channel.runPendingTasks();
        channel.outboundMessages().clear();
        // a request frame, built as the "reply" to the server-to-client direction
        final var request = FrameCodec.encodeReply(new UdpFrame(CLIENT_MAC, GATEWAY_MAC, new int[] { 0x8100_0005 },
            SERVER, CLIENT, 0, new byte[] { 9 }), new byte[] { 0, 0 });
        receive(OF13.buildPacketIn().setXid(5).setBufferId(OFBufferId.NO_BUFFER).setTotalLen(request.length)
            .setReason(OFPacketInReason.ACTION).setCookie(Flows.PUNT)
            .setMatch(OF13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(3)).build())
            .setData(request).build());
        assertEquals(List.of("request gw " + CLIENT + " -> " + SERVER), events.subList(1, events.size()));
        assertArrayEquals(new byte[] { 0, 0 }, requests.getFirst());
        final var out = assertInstanceOf(OFPacketOut.class, sent());
        assertEquals(OFPort.of(3), out.getInPort());
        assertEquals(OFPort.IN_PORT, ((OFActionOutput) out.getActions().getFirst()).getPort());
        final var reply = assertInstanceOf(FrameDecodeResult.Decoded.class, FrameCodec.decode(out.getData()))
            .frame();
        assertEquals(SERVER, reply.source());
        assertEquals(CLIENT, reply.destination());
        assertArrayEquals(CLIENT_MAC, reply.destinationMac());
        assertArrayEquals(new int[] { 0x8100_0005 }, reply.vlanTags());
        assertArrayEquals(ANSWER, reply.payload());
    }

    @Test
    void packetInNotForTheServerPortIsDropped() {
        handshake();
        session.serve(new SwitchSession.Binding("gw", 500, List.of()));
        channel.runPendingTasks();
        channel.outboundMessages().clear();
        final var other = FrameCodec.encodeReply(new UdpFrame(CLIENT_MAC, GATEWAY_MAC, new int[0],
            new InetSocketAddress(SERVER.getAddress(), 53), CLIENT, 0, new byte[] { 9 }), new byte[] { 0, 0 });
        receive(OF13.buildPacketIn().setXid(5).setBufferId(OFBufferId.NO_BUFFER).setReason(OFPacketInReason.ACTION)
            .setMatch(OF13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(3)).build()).setData(other).build());
        assertTrue(requests.isEmpty());
        assertNull(channel.readOutbound());
    }

    @Test
    void announcementsLeaveThroughThePortsRequestsCameFrom() {
        handshake();
        session.serve(new SwitchSession.Binding("gw", 500, List.of()));
        channel.runPendingTasks();
        final var request = FrameCodec.encodeReply(new UdpFrame(CLIENT_MAC, GATEWAY_MAC, new int[0], SERVER, CLIENT,
            0, new byte[] { 9 }), new byte[] { 0, 0 });
        receive(OF13.buildPacketIn().setXid(5).setBufferId(OFBufferId.NO_BUFFER).setReason(OFPacketInReason.ACTION)
            .setMatch(OF13.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(4)).build()).setData(request).build());
        channel.outboundMessages().clear();
        session.announce(new Announcement("gw", new byte[] { 2, (byte) 0x80 }, new byte[] { 0, (byte) 0x80 }));
        final var pcp = assertInstanceOf(OFPacketOut.class, sent());
        assertEquals(OFPort.CONTROLLER, pcp.getInPort());
        assertEquals(OFPort.of(4), ((OFActionOutput) pcp.getActions().getFirst()).getPort());
        final var frame = assertInstanceOf(FrameDecodeResult.Decoded.class, FrameCodec.decode(pcp.getData()))
            .frame();
        assertEquals(new InetSocketAddress(InetAddresses.forString("224.0.0.1"), 5350), frame.destination());
        assertEquals(SERVER, frame.source());
        assertInstanceOf(OFPacketOut.class, sent());
    }

    @Test
    void closingReportsTheSessionGone() {
        handshake();
        channel.close();
        assertEquals(List.of("handshaken 00:00:00:00:00:00:00:0a", "closed"), events);
    }
}
