/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import static java.util.Objects.requireNonNull;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.impl.engine.Announcement;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.ingress.ClientRateLimiter;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameCodec;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameDecodeResult;
import org.pcpcontroller.impl.ingress.openflow.frame.UdpFrame;
import org.pcpcontroller.impl.openflow.AuditGate;
import org.pcpcontroller.impl.openflow.Cookies;
import org.pcpcontroller.impl.openflow.FlowAudit;
import org.pcpcontroller.impl.openflow.Refusal;
import org.pcpcontroller.impl.openflow.SwitchBinding;
import org.pcpcontroller.impl.openflow.SwitchConnection;
import org.pcpcontroller.impl.openflow.SwitchReply;
import org.projectfloodlight.openflow.protocol.OFFlowAdd;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowRemovedReason;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFMeterModFailedCode;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFMeterModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The punt path on one switch bound to a gateway: its meter and punt flows, each PACKET_IN through the frame codec
 * to the engine and the answer back as PACKET_OUT, and the gateway's announcements out of its LAN ports. What it
 * remembers of the LAN (one entry per port a request came in on) is bounded.
 */
final class PuntSwitch {
    /**
     * How the punt flows are set up on every switch.
     *
     * @param priority OpenFlow priority of the punt flows
     * @param meterId the meter they pass through; 0 for none
     */
    record Settings(int priority, long meterId) {
    }

    /** What the LAN side of a port looked like in the last request that came in on it. */
    private record LanSide(byte[] gatewayMac, int[] vlanTags, @Nullable InetAddress ipv4,
            @Nullable InetAddress ipv6) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(PuntSwitch.class);
    /** PCP clients listen for announcements on this port (RFC 6887 section 8.1, RFC 6886 section 3.2.1). */
    private static final int PCP_CLIENT_PORT = 5350;
    private static final InetAddress ALL_HOSTS_V4 = InetAddresses.forString("224.0.0.1");
    private static final InetAddress ALL_NODES_V6 = InetAddresses.forString("ff02::1");
    /** Ports remembered for announcements: a switch has far fewer, a hostile one may claim any 32-bit number. */
    static final int MAX_LAN_PORTS = 1024;

    private final SwitchConnection connection;
    private final SwitchBinding binding;
    private final RequestEngine engine;
    private final ConcurrentHashMap<OFPort, LanSide> lanSides = new ConcurrentHashMap<>();
    private volatile @Nullable LanSide lastLanSide;
    /** The punt flows as last put on the switch (priority, and the meter the switch could give); null before. */
    private volatile @Nullable Settings installed;
    private final AuditGate audits = new AuditGate();

    PuntSwitch(final SwitchConnection connection, final SwitchBinding binding, final RequestEngine engine) {
        this.connection = requireNonNull(connection);
        this.binding = requireNonNull(binding);
        this.engine = requireNonNull(engine);
    }

    SwitchBinding binding() {
        return binding;
    }

    int lanSides() {
        return lanSides.size();
    }

    /**
     * Sets up the meter (where the switch has meters) and the punt flows. Called again when the settings change.
     */
    void serve(final Settings settings) {
        if (settings.meterId() == 0) {
            installPunt(settings, 0);
            return;
        }
        // Meters are optional (a switch may report max_meter 0): ask before using one.
        Futures.addCallback(connection.request(connection.factory().buildMeterFeaturesStatsRequest().build()),
            new FutureCallback<>() {
                @Override
                public void onSuccess(final SwitchReply<List<org.projectfloodlight.openflow.protocol
                        .OFMeterFeaturesStatsReply>> reply) {
                    final long max = switch (reply) {
                        case SwitchReply.Answered<List<org.projectfloodlight.openflow.protocol
                            .OFMeterFeaturesStatsReply>> answered when !answered.value().isEmpty() ->
                            answered.value().getFirst().getFeatures().getMaxMeter();
                        default -> 0;
                    };
                    if (max <= 0) {
                        LOG.info("Switch {} has no meters: the punt flows are not rate limited by the switch",
                            connection.describe());
                    }
                    installPunt(settings, Math.min(settings.meterId(), Math.max(0, max)));
                }

                @Override
                public void onFailure(final Throwable cause) {
                    // the connection's futures do not fail
                    LOG.error("Switch {}: meter features request failed", connection.describe(), cause);
                }
            }, MoreExecutors.directExecutor());
    }

    private void installPunt(final Settings settings, final long meterId) {
        final var factory = connection.factory();
        final var messages = new ArrayList<OFMessage>(4);
        if (meterId != 0) {
            messages.add(PuntFlows.meter(factory, OFMeterModCommand.ADD, meterId, binding.openflow().puntMeterRate()));
        }
        messages.addAll(PuntFlows.punt(factory, settings.priority(), meterId));
        installed = new Settings(settings.priority(), meterId);
        Futures.addCallback(connection.sendWithBarrier(messages), new FutureCallback<>() {
            @Override
            public void onSuccess(final SwitchReply<List<Refusal>> reply) {
                switch (reply) {
                    case SwitchReply.Unanswered<List<Refusal>> unanswered ->
                        LOG.warn("Switch {}: punt flows not acknowledged: {}", connection.describe(),
                            unanswered.reason());
                    case SwitchReply.Answered<List<Refusal>> answered -> punted(meterId, answered.value());
                }
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.error("Switch {}: punt flows failed", connection.describe(), cause);
            }
        }, MoreExecutors.directExecutor());
    }

    private void punted(final long meterId, final List<Refusal> refusals) {
        final var others = new ArrayList<Refusal>(refusals.size());
        for (var refusal : refusals) {
            if (meterId != 0 && refusal.index() == 0 && refusal.error() instanceof OFMeterModFailedErrorMsg meter
                    && meter.getCode() == OFMeterModFailedCode.METER_EXISTS) {
                // The meter survived our previous connection: update its rate instead.
                connection.sendWithBarrier(List.of(PuntFlows.meter(connection.factory(), OFMeterModCommand.MODIFY,
                    meterId, binding.openflow().puntMeterRate())));
            } else {
                others.add(refusal);
            }
        }
        if (others.isEmpty()) {
            final String meter = meterId != 0 ? "meter " + meterId : "no meter";
            LOG.info("Switch {} punts PCP and NAT-PMP for gateway {} ({})", connection.describe(), binding.gateway(),
                meter);
        } else {
            LOG.warn("Switch {} refused the punt flows: {}", connection.describe(), others);
        }
    }

    /**
     * The switch says it deleted a flow. If it was one of the punt flows as they are wanted now (not one this switch
     * deleted on our own request, when the settings changed), someone else deleted it: audit.
     */
    void flowRemoved(final OFFlowRemoved removed) {
        final var settings = installed;
        if (settings != null && removed.getReason() == OFFlowRemovedReason.DELETE
                && wanted(settings).contains(FlowAudit.FlowId.of(removed.getTableId(), removed.getPriority(),
                    removed.getCookie(), removed.getMatch()))) {
            LOG.info("Switch {}: a punt flow was deleted behind our back; auditing the punt flows",
                connection.describe());
            audit();
        }
    }

    private List<FlowAudit.FlowId> wanted(final Settings settings) {
        return PuntFlows.flows(connection.factory(), settings.priority(), settings.meterId()).stream()
            .map(PuntSwitch::idOf).toList();
    }

    private static FlowAudit.FlowId idOf(final OFFlowAdd add) {
        return FlowAudit.FlowId.of(add.getTableId(), add.getPriority(), add.getCookie(), add.getMatch());
    }

    /**
     * Reads the switch's punt flows and puts back what is missing, deletes punt flows nothing wants (another
     * priority left behind); flows of other cookies are never touched. One audit at a time: one asked meanwhile runs
     * after this one's repair was acknowledged.
     */
    void audit() {
        if (audits.begin()) {
            runAudit();
        }
    }

    private void runAudit() {
        final var settings = installed;
        if (settings == null || !connection.isConnected()) {
            // not set up yet (serve() installs them), or gone: nothing to audit
            auditEnded();
            return;
        }
        final var factory = connection.factory();
        Futures.addCallback(connection.request(FlowAudit.request(factory, Cookies.PUNT)), new FutureCallback<>() {
            @Override
            public void onSuccess(final SwitchReply<List<OFFlowStatsReply>> reply) {
                switch (reply) {
                    case SwitchReply.Unanswered<List<OFFlowStatsReply>> unanswered -> {
                        LOG.warn("Switch {}: cannot read its punt flows ({}); audit skipped", connection.describe(),
                            unanswered.reason());
                        auditEnded();
                    }
                    case SwitchReply.Answered<List<OFFlowStatsReply>> answered -> repair(settings, answered.value()
                        .stream().flatMap(part -> part.getEntries().stream()).toList());
                }
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.error("Switch {}: reading its punt flows failed", connection.describe(), cause);
                auditEnded();
            }
        }, MoreExecutors.directExecutor());
    }

    private void repair(final Settings settings, final List<OFFlowStatsEntry> present) {
        // the settings may have changed while the switch answered: serve() put the new ones, the next audit checks
        if (!settings.equals(installed)) {
            auditEnded();
            return;
        }
        final var factory = connection.factory();
        final var diff = FlowAudit.diff(PuntFlows.flows(factory, settings.priority(), settings.meterId()),
            PuntSwitch::idOf, present, Cookies.PUNT);
        if (diff.isEmpty()) {
            LOG.debug("Switch {}: punt flows audited, nothing to repair", connection.describe());
            auditEnded();
            return;
        }
        LOG.info("Switch {}: punt flow audit repairs {} missing and {} stray punt flows", connection.describe(),
            diff.missing().size(), diff.strays().size());
        final var messages = new ArrayList<OFMessage>(diff.strays().size() + diff.missing().size());
        diff.strays().forEach(stray -> messages.add(FlowAudit.delete(factory, stray)));
        messages.addAll(diff.missing());
        Futures.addCallback(connection.sendWithBarrier(messages), new FutureCallback<>() {
            @Override
            public void onSuccess(final SwitchReply<List<Refusal>> reply) {
                switch (reply) {
                    case SwitchReply.Unanswered<List<Refusal>> unanswered ->
                        LOG.warn("Switch {}: punt flow repair not acknowledged: {}", connection.describe(),
                            unanswered.reason());
                    case SwitchReply.Answered<List<Refusal>> answered when !answered.value().isEmpty() ->
                        LOG.warn("Switch {} refused the punt flow repair: {}", connection.describe(),
                            answered.value());
                    case SwitchReply.Answered<List<Refusal>> answered -> {
                        // repaired
                    }
                }
                auditEnded();
            }

            @Override
            public void onFailure(final Throwable cause) {
                LOG.error("Switch {}: punt flow repair failed", connection.describe(), cause);
                auditEnded();
            }
        }, MoreExecutors.directExecutor());
    }

    private void auditEnded() {
        if (audits.end()) {
            runAudit();
        }
    }

    /**
     * Stops serving (the gateway no longer claims this switch): the punt flows go, the connection stays.
     */
    void unserve() {
        if (connection.isConnected()) {
            connection.sendWithBarrier(List.of(PuntFlows.delete(connection.factory())));
        }
    }

    /**
     * A punted request: through the frame codec to the engine, and the answer back out of the port it came in on.
     * On the connection's thread.
     */
    void packetIn(final OFPacketIn punted, final ClientRateLimiter limiter) {
        final OFPort inPort = punted.getMatch().get(MatchField.IN_PORT);
        if (inPort == null) {
            return;
        }
        if (!(FrameCodec.decode(punted.getData()) instanceof FrameDecodeResult.Decoded decoded)) {
            return;
        }
        final var frame = decoded.frame();
        // Requests go to the server's unicast address (RFC 6887 section 8.1); a reply cannot come from a group.
        if (frame.destination().getPort() != PuntFlows.SERVER_PORT
                || frame.destination().getAddress().isMulticastAddress()) {
            return;
        }
        if (!limiter.tryAcquire(binding.gateway(), frame.source().getAddress())) {
            return;
        }
        remember(inPort, frame);
        Futures.addCallback(engine.handle(binding.gateway(), frame.source(), frame.destination(), frame.payload()),
            new FutureCallback<Optional<byte[]>>() {
                @Override
                public void onSuccess(final Optional<byte[]> answer) {
                    answer.ifPresent(payload -> sendPacketOut(inPort, FrameCodec.encodeReply(frame, payload), true));
                }

                @Override
                public void onFailure(final Throwable cause) {
                    // the engine's futures do not fail; this is a defect, not a protocol condition
                    LOG.error("Switch {}: request from {} failed", connection.describe(), frame.source(), cause);
                }
            }, MoreExecutors.directExecutor());
    }

    private void remember(final OFPort inPort, final UdpFrame frame) {
        final var previous = lanSides.get(inPort);
        if (previous == null && lanSides.size() >= MAX_LAN_PORTS) {
            // announcements go to the ports already known; a switch with more ports lists its lan-port instead
            return;
        }
        final var server = frame.destination().getAddress();
        final boolean v4 = server instanceof Inet4Address;
        final var side = new LanSide(frame.destinationMac(), frame.vlanTags(),
            v4 ? server : previous != null ? previous.ipv4 : null,
            v4 ? previous != null ? previous.ipv6 : null : server);
        lanSides.put(inPort, side);
        lastLanSide = side;
    }

    /**
     * Sends a PCP/NAT-PMP announcement out of the gateway's LAN ports, from the gateway's address as the clients
     * on each port last used it. A port no client has used yet gets the addresses seen on another port, untagged.
     */
    void announce(final Announcement announcement) {
        final var fallback = lastLanSide;
        if (fallback == null) {
            LOG.debug("Switch {}: no request seen yet, so the gateway's LAN address is unknown; not announcing",
                connection.describe());
            return;
        }
        final var lanPorts = binding.openflow().lanPorts();
        final var ports = lanPorts.isEmpty() ? List.copyOf(lanSides.keySet())
            : lanPorts.stream().map(port -> OFPort.of(port.intValue())).toList();
        for (var port : ports) {
            final var side = lanSides.getOrDefault(port, new LanSide(fallback.gatewayMac, new int[0], fallback.ipv4,
                fallback.ipv6));
            if (side.ipv4 != null) {
                final var source = new InetSocketAddress(side.ipv4, PuntFlows.SERVER_PORT);
                final var group = new InetSocketAddress(ALL_HOSTS_V4, PCP_CLIENT_PORT);
                sendPacketOut(port, FrameCodec.encodeMulticast(side.gatewayMac, side.vlanTags, source, group,
                    announcement.pcp()), false);
                final var natPmp = announcement.natPmp();
                if (natPmp != null) {
                    sendPacketOut(port, FrameCodec.encodeMulticast(side.gatewayMac, side.vlanTags, source, group,
                        natPmp), false);
                }
            }
            if (side.ipv6 != null) {
                sendPacketOut(port, FrameCodec.encodeMulticast(side.gatewayMac, side.vlanTags,
                    new InetSocketAddress(side.ipv6, PuntFlows.SERVER_PORT),
                    new InetSocketAddress(ALL_NODES_V6, PCP_CLIENT_PORT), announcement.pcp()), false);
            }
        }
    }

    /**
     * A PACKET_OUT: an answer leaves through the port its request came in on (OpenFlow forbids output to the in_port
     * unless it is named IN_PORT); an announcement comes "from the controller" and may go anywhere.
     */
    private void sendPacketOut(final OFPort port, final byte[] frame, final boolean answer) {
        if (!connection.isConnected()) {
            return;
        }
        final var factory = connection.factory();
        final var builder = factory.buildPacketOut()
            .setXid(connection.nextXid())
            .setBufferId(OFBufferId.NO_BUFFER)
            .setData(frame);
        final var ingress = answer ? port : OFPort.CONTROLLER;
        final var output = answer ? OFPort.IN_PORT : port;
        if (factory.getVersion().compareTo(OFVersion.OF_15) >= 0) {
            // OpenFlow 1.5 carries the in_port in a match
            builder.setMatch(factory.buildMatch().setExact(MatchField.IN_PORT, ingress).build());
        } else {
            builder.setInPort(ingress);
        }
        builder.setActions(List.of(factory.actions().output(output, 0)));
        connection.send(builder.build());
    }
}
