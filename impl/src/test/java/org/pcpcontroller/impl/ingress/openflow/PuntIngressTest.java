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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.lang.annotation.Annotation;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opendaylight.yangtools.concepts.Registration;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.engine.Announcement;
import org.pcpcontroller.impl.engine.Announcer;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.gateway.GatewayView;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameCodec;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameDecodeResult;
import org.pcpcontroller.impl.ingress.openflow.frame.UdpFrame;
import org.pcpcontroller.impl.openflow.Cookies;
import org.pcpcontroller.impl.openflow.OpenFlowSwitches;
import org.pcpcontroller.impl.openflow.ScriptedSwitch;
import org.pcpcontroller.impl.openflow.SwitchBinding;
import org.pcpcontroller.impl.openflow.SwitchConnection;
import org.pcpcontroller.impl.openflow.SwitchListener;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowDelete;
import org.projectfloodlight.openflow.protocol.OFFlowDeleteStrict;
import org.projectfloodlight.openflow.protocol.OFFlowModFlags;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsRequest;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterMod;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPacketInReason;
import org.projectfloodlight.openflow.protocol.OFPacketOut;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.action.OFActionOutput;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U64;

/**
 * The punt ingress on scripted switches of each OpenFlow version: punt flows when a switch is bound, PACKET_IN
 * through the frame codec to the engine and the answer as PACKET_OUT, nothing from a switch no gateway claims, and
 * settings applied in place.
 */
class PuntIngressTest {
    private static final byte[] CLIENT_MAC = { 0x52, 0x54, 0, 0, 0, 2 };
    private static final byte[] GATEWAY_MAC = { 0x52, 0x54, 0, 0, 0, 1 };
    private static final InetSocketAddress CLIENT = new InetSocketAddress(InetAddresses.forString("10.0.0.2"), 41493);
    private static final InetSocketAddress SERVER = new InetSocketAddress(InetAddresses.forString("10.0.0.1"), 5351);
    private static final byte[] ANSWER = { 0, (byte) 0x80, 0, 0, 0, 0, 0, 16, (byte) 192, 0, 3, 1 };
    private static final SwitchBinding BINDING = new SwitchBinding("gw",
        new GatewayView.OpenFlow(List.of("00:00:00:00:00:00:00:0a"), 500, List.of(), List.of()));

    private final List<String> requests = new ArrayList<>();
    private final List<Announcer> announcers = new ArrayList<>();
    private final List<SwitchListener> listeners = new ArrayList<>();
    private final RequestEngine engine = new RequestEngine() {
        @Override
        public ListenableFuture<Optional<byte[]>> handle(final String gateway, final InetSocketAddress client,
                final InetSocketAddress server, final byte[] payload) {
            requests.add(gateway + " " + client + " -> " + server);
            return Futures.immediateFuture(Optional.of(ANSWER));
        }

        @Override
        public Registration registerAnnouncer(final String gateway, final Announcer announcer) {
            announcers.add(announcer);
            return () -> announcers.remove(announcer);
        }
    };
    private final OpenFlowSwitches switches = new OpenFlowSwitches() {
        @Override
        public Registration subscribe(final SwitchListener listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }

        @Override
        public List<SwitchConnection> switchesOf(final String gateway) {
            return List.of();
        }
    };
    private final PuntIngress ingress = new PuntIngress(switches, engine, configuration(60000, 7, 0));

    @AfterEach
    void close() {
        ingress.close();
    }

    private static PuntIngress.Configuration configuration(final int priority, final long meterId) {
        return configuration(priority, meterId, 0);
    }

    private static PuntIngress.Configuration configuration(final int priority, final long meterId,
            final long auditInterval) {
        return new PuntIngress.Configuration() {
            @Override
            public Class<? extends Annotation> annotationType() {
                return PuntIngress.Configuration.class;
            }

            @Override
            public int puntPriority() {
                return priority;
            }

            @Override
            public long puntMeterId() {
                return meterId;
            }

            @Override
            public double clientRate() {
                return 1e6;
            }

            @Override
            public double clientBurst() {
                return 1e6;
            }

            @Override
            public long auditInterval() {
                return auditInterval;
            }
        };
    }

    // a request frame from the client to the gateway, as the "reply" to the gateway-to-client direction
    private static byte[] requestFrame(final int serverPort, final int... vlanTags) {
        return FrameCodec.encodeReply(new UdpFrame(CLIENT_MAC, GATEWAY_MAC, vlanTags,
            new InetSocketAddress(SERVER.getAddress(), serverPort), CLIENT, 0, new byte[] { 9 }), new byte[] { 0, 0 });
    }

    private static OFPacketIn packetIn(final OFFactory factory, final int port, final byte[] frame) {
        return factory.buildPacketIn().setXid(5).setBufferId(OFBufferId.NO_BUFFER).setTotalLen(frame.length)
            .setReason(OFPacketInReason.ACTION).setTableId(TableId.of(0)).setCookie(Cookies.PUNT)
            .setMatch(factory.buildMatch().setExact(MatchField.IN_PORT, OFPort.of(port)).build())
            .setData(frame).build();
    }

    private static @Nullable OFPort inPortOf(final OFPacketOut out) {
        // OpenFlow 1.5 carries the in_port of a PACKET_OUT in a match
        return out.getVersion().compareTo(OFVersion.OF_15) >= 0 ? out.getMatch().get(MatchField.IN_PORT)
            : out.getInPort();
    }

    @ParameterizedTest
    @EnumSource(value = OFVersion.class, names = { "OF_13", "OF_14", "OF_15" })
    void aBoundSwitchGetsMeterAndPuntFlowsAndPacketInIsAnsweredAsPacketOut(final OFVersion version) {
        final var sw = new ScriptedSwitch(version, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);

        final var meter = assertInstanceOf(OFMeterMod.class, sw.bursts.getFirst().getFirst());
        assertEquals(version, meter.getVersion());
        assertEquals(OFMeterModCommand.ADD, meter.getCommand());
        assertEquals(7, meter.getMeterId());
        final var delete = sw.sentOf(OFFlowDelete.class).getFirst();
        assertEquals(Cookies.PUNT, delete.getCookie());
        assertEquals(Cookies.KIND_MASK, delete.getCookieMask());
        final var adds = sw.sentOf(OFFlowAdd.class);
        assertEquals(Set.of("0x800", "0x86dd"), Set.of(adds.get(0).getMatch().get(MatchField.ETH_TYPE).toString(),
            adds.get(1).getMatch().get(MatchField.ETH_TYPE).toString()));
        assertEquals(5351, adds.getFirst().getMatch().get(MatchField.UDP_DST).getPort());
        assertEquals(60000, adds.getFirst().getPriority());
        assertTrue(adds.stream().allMatch(add -> add.getVersion() == version), adds::toString);

        sw.sent.clear();
        final var tagged = requestFrame(5351, 0x8100_0005);
        listeners.getFirst().packetIn(sw, packetIn(sw.factory(), 3, tagged));
        assertEquals(List.of("gw " + CLIENT + " -> " + SERVER), requests);
        final var out = assertInstanceOf(OFPacketOut.class, sw.sent.getFirst());
        assertEquals(version, out.getVersion());
        assertEquals(OFPort.of(3), inPortOf(out));
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
    void aPacketInFromASwitchNoGatewayClaimsIsDropped() {
        // connected and handshaken, but never bound: it is not told to the ingress as serving any gateway
        final var stranger = new ScriptedSwitch(OFVersion.OF_13, 11, null);
        listeners.getFirst().packetIn(stranger, packetIn(stranger.factory(), 3, requestFrame(5351)));
        assertTrue(requests.isEmpty(), requests::toString);
        assertTrue(stranger.sent.isEmpty(), stranger.sent::toString);
    }

    @Test
    void aPacketInOfAnUnboundSwitchIsDroppedAfterTheGatewayLetItGo() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        listeners.getFirst().unbound(sw, BINDING);
        // the punt flows go, the connection stays
        assertEquals(Cookies.PUNT, assertInstanceOf(OFFlowDelete.class, sw.bursts.getLast().getFirst()).getCookie());
        sw.sent.clear();
        listeners.getFirst().packetIn(sw, packetIn(sw.factory(), 3, requestFrame(5351)));
        assertTrue(requests.isEmpty(), requests::toString);
        assertTrue(sw.sent.isEmpty(), sw.sent::toString);
    }

    @Test
    void aPacketInNotForTheServerPortIsDropped() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        sw.sent.clear();
        listeners.getFirst().packetIn(sw, packetIn(sw.factory(), 3, requestFrame(53)));
        assertTrue(requests.isEmpty(), requests::toString);
        assertTrue(sw.sent.isEmpty(), sw.sent::toString);
    }

    @Test
    void announcementsLeaveThroughThePortsRequestsCameFrom() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        listeners.getFirst().packetIn(sw, packetIn(sw.factory(), 4, requestFrame(5351)));
        sw.sent.clear();
        announcers.getFirst().announce(new Announcement("gw", new byte[] { 2, (byte) 0x80 },
            new byte[] { 0, (byte) 0x80 }));
        final var pcp = assertInstanceOf(OFPacketOut.class, sw.sent.getFirst());
        assertEquals(OFPort.CONTROLLER, pcp.getInPort());
        assertEquals(OFPort.of(4), ((OFActionOutput) pcp.getActions().getFirst()).getPort());
        final var frame = assertInstanceOf(FrameDecodeResult.Decoded.class, FrameCodec.decode(pcp.getData()))
            .frame();
        assertEquals(new InetSocketAddress(InetAddresses.forString("224.0.0.1"), 5350), frame.destination());
        assertEquals(SERVER, frame.source());
        // and the NAT-PMP announcement
        assertEquals(2, sw.sentOf(OFPacketOut.class).size());
    }

    @Test
    void aSettingsChangePutsThePuntFlowsAnewOnTheLiveConnection() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        sw.sent.clear();
        ingress.modified(configuration(50000, 0));
        // the old punt flows are deleted by cookie, the new ones come without a meter, at the new priority
        assertInstanceOf(OFFlowDelete.class, sw.sent.getFirst());
        final var adds = sw.sentOf(OFFlowAdd.class);
        assertEquals(2, adds.size());
        assertEquals(50000, adds.getFirst().getPriority());
        assertTrue(sw.sentOf(OFMeterMod.class).isEmpty());
        assertTrue(sw.isConnected());
        // unchanged settings send nothing
        sw.sent.clear();
        ingress.modified(configuration(50000, 0));
        assertTrue(sw.sent.isEmpty(), sw.sent::toString);
    }

    // what the switch reports holding for a flow it was sent
    private static OFFlowStatsEntry held(final OFFlowAdd add) {
        return OFFactories.getFactory(add.getVersion()).buildFlowStatsEntry().setTableId(add.getTableId())
            .setPriority(add.getPriority()).setCookie(add.getCookie()).setFlags(add.getFlags()).setMatch(add.getMatch())
            .setInstructions(add.getInstructions()).build();
    }

    private static OFMessage withoutXid(final OFMessage message) {
        return message.createBuilder().setXid(0).build();
    }

    private static OFFlowRemoved deleted(final OFFlowAdd add) {
        return OFFactories.getFactory(add.getVersion()).buildFlowRemoved().setTableId(add.getTableId())
            .setPriority(add.getPriority()).setCookie(add.getCookie()).setMatch(add.getMatch())
            .setReason(OFFlowRemovedReason.DELETE).build();
    }

    @Test
    void thePuntFlowsAskTheSwitchToReportTheirDeletion() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        assertTrue(sw.sentOf(OFFlowAdd.class).stream().allMatch(add -> add.getFlags()
            .contains(OFFlowModFlags.SEND_FLOW_REM)), sw.sent::toString);
    }

    @Test
    void aPuntFlowDeletedBehindOurBackIsPutBackAndNothingElseTouched() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        final var adds = sw.sentOf(OFFlowAdd.class);
        // the switch holds the IPv4 punt flow, a punt flow of ours at a priority nobody wants, and an operator's
        // flow; the IPv6 punt flow was deleted
        final var stray = sw.factory().buildFlowStatsEntry().setTableId(TableId.of(0)).setPriority(123)
            .setCookie(Cookies.PUNT).setMatch(adds.getFirst().getMatch()).build();
        final var operator = sw.factory().buildFlowStatsEntry().setTableId(TableId.of(0)).setPriority(0)
            .setCookie(U64.ZERO).setMatch(sw.factory().buildMatch().build()).build();
        sw.table.addAll(List.of(held(adds.getFirst()), stray, operator));
        sw.sent.clear();
        sw.bursts.clear();
        listeners.getFirst().flowRemoved(sw, deleted(adds.get(1)));

        final var request = sw.sentOf(OFFlowStatsRequest.class).getFirst();
        assertEquals(Cookies.PUNT, request.getCookie());
        assertEquals(Cookies.KIND_MASK, request.getCookieMask());
        final var repair = sw.bursts.getFirst();
        assertEquals(2, repair.size(), repair::toString);
        final var delete = assertInstanceOf(OFFlowDeleteStrict.class, repair.get(0));
        assertEquals(123, delete.getPriority());
        assertEquals(U64.NO_MASK, delete.getCookieMask());
        assertEquals(withoutXid(adds.get(1)), withoutXid(repair.get(1)));
        assertEquals(1, sw.bursts.size(), "one audit, one repair: " + sw.bursts);
    }

    @Test
    void aPuntFlowWeDeletedOurselvesStartsNoAudit() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        final var old = sw.sentOf(OFFlowAdd.class).getFirst();
        ingress.modified(configuration(50000, 7));
        sw.sent.clear();
        // the switch reports the flows of the old priority, deleted by our own delete before the new ones went in
        listeners.getFirst().flowRemoved(sw, deleted(old));
        assertTrue(sw.sentOf(OFFlowStatsRequest.class).isEmpty(), sw.sent::toString);
    }

    @Test
    void aCompleteTableNeedsNoRepair() {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        sw.sentOf(OFFlowAdd.class).forEach(add -> sw.table.add(held(add)));
        sw.sent.clear();
        ingress.auditAll();
        assertEquals(1, sw.sentOf(OFFlowStatsRequest.class).size(), sw.sent::toString);
        assertEquals(1, sw.sent.size(), "only the read: " + sw.sent);
    }

    @Test
    void auditIntervalRunsThePeriodicAuditAndAppliesInPlace() throws Exception {
        final var sw = new ScriptedSwitch(OFVersion.OF_13, 10, BINDING);
        listeners.getFirst().bound(sw, BINDING);
        assertEquals(0, ingress.auditInterval());
        // the switch lost every punt flow without reporting it (no FLOW_REMOVED)
        final var adds = sw.sentOf(OFFlowAdd.class);
        sw.sent.clear();
        ingress.modified(configuration(60000, 7, 1));
        assertEquals(1, ingress.auditInterval());
        Await.until(() -> sw.sentOf(OFFlowAdd.class), list -> list.size() >= 2);
        assertEquals(Set.copyOf(adds.stream().map(PuntIngressTest::withoutXid).toList()),
            Set.copyOf(sw.sentOf(OFFlowAdd.class).stream().map(PuntIngressTest::withoutXid).toList()));
        ingress.modified(configuration(60000, 7, 0));
        assertEquals(0, ingress.auditInterval());
    }

    @Test
    void theDefaultAuditIntervalIsAMinute() throws Exception {
        assertEquals(60L, PuntIngress.Configuration.class.getMethod("auditInterval").getDefaultValue());
    }
}
