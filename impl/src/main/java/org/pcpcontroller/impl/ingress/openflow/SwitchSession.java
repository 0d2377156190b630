/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.impl.engine.Announcement;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.ingress.ClientRateLimiter;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameCodec;
import org.pcpcontroller.impl.ingress.openflow.frame.FrameDecodeResult;
import org.pcpcontroller.impl.ingress.openflow.frame.UdpFrame;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFFlowStatsEntry;
import org.projectfloodlight.openflow.protocol.OFFlowStatsReply;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloElemVersionbitmap;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFMeterFeaturesStatsReply;
import org.projectfloodlight.openflow.protocol.OFMeterModCommand;
import org.projectfloodlight.openflow.protocol.OFMeterModFailedCode;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFPortStatus;
import org.projectfloodlight.openflow.protocol.OFStatsReplyFlags;
import org.projectfloodlight.openflow.protocol.OFVersion;
import org.projectfloodlight.openflow.protocol.errormsg.OFMeterModFailedErrorMsg;
import org.projectfloodlight.openflow.protocol.match.MatchField;
import org.projectfloodlight.openflow.types.DatapathId;
import org.projectfloodlight.openflow.types.OFBufferId;
import org.projectfloodlight.openflow.types.OFPort;
import org.projectfloodlight.openflow.types.TableId;
import org.projectfloodlight.openflow.types.U32;
import org.projectfloodlight.openflow.types.U64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One switch connection: version negotiation, FEATURES, ECHO keepalive, the punt flows and meter, PACKET_IN to the
 * engine and the answer back as PACKET_OUT, and request/response correlation (BARRIER, multipart) for the DSCP
 * renderer. Handler methods run on the channel's event loop; the public methods may be called from any thread.
 */
final class SwitchSession extends ChannelInboundHandlerAdapter implements MarkingSwitch {
    /**
     * What the endpoint learns from a session.
     */
    interface Listener {
        /** FEATURES_REPLY arrived: the datapath id is known. The endpoint binds the session to its gateway. */
        void handshaken(SwitchSession session);

        /** The punt flows are installed and acknowledged: the session serves its gateway. */
        void serving(SwitchSession session);

        /** The switch removed one of our flows by itself (a hard timeout). */
        void flowRemoved(SwitchSession session, OFFlowRemoved removed);

        /** The connection is gone. */
        void closed(SwitchSession session);
    }

    /**
     * What a session needs to serve a gateway.
     *
     * @param gateway the gateway id
     * @param meterRate packets per second allowed through the punt meter
     * @param lanPorts where announcements go; empty for every port a request came in on
     */
    record Binding(String gateway, long meterRate, List<Long> lanPorts) {
        Binding {
            requireNonNull(gateway);
            lanPorts = List.copyOf(lanPorts);
        }
    }

    /**
     * Timing and flow settings shared by every session.
     */
    record Settings(long echoIntervalMillis, long deadPeerMillis, long handshakeMillis, int puntPriority,
            long puntMeterId) {
    }

    /** What the LAN side of a port looked like in the last request that came in on it. */
    private record LanSide(byte[] gatewayMac, int[] vlanTags, @Nullable InetAddress ipv4, @Nullable InetAddress ipv6) {
    }

    private record PendingBarrier(long firstXid, CompletableFuture<List<OFErrorMsg>> future, List<OFErrorMsg> errors) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(SwitchSession.class);
    /** OpenFlow 1.3, 1.4 and 1.5: the versions this controller speaks (wire versions 4, 5, 6). */
    private static final int OUR_VERSIONS = 1 << 4 | 1 << 5 | 1 << 6;
    private static final OFVersion[] BY_WIRE = new OFVersion[7];
    private static final int PCP_CLIENT_PORT = 5350;

    static {
        for (var version : OFVersion.values()) {
            if (version.getWireVersion() < BY_WIRE.length) {
                BY_WIRE[version.getWireVersion()] = version;
            }
        }
    }

    private final Listener listener;
    private final RequestEngine engine;
    private final ClientRateLimiter limiter;
    private final Settings settings;
    private final AtomicLong xids = new AtomicLong(0x100);
    private final ConcurrentSkipListMap<Long, PendingBarrier> barriers = new ConcurrentSkipListMap<>();
    private final ConcurrentHashMap<Long, StatsCollector> stats = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<OFPort, LanSide> lanSides = new ConcurrentHashMap<>();
    private final LongAdder packetInCount = new LongAdder();
    private final LongAdder packetOutCount = new LongAdder();
    private final LongAdder flowMods = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder rejectedFrames = new LongAdder();
    private final Instant connectedSince = Instant.now();

    private volatile @Nullable Channel channel;
    private volatile @Nullable OFFactory factory;
    private volatile @Nullable DatapathId datapathId;
    private volatile @Nullable Binding binding;
    private volatile @Nullable LanSide lastLanSide;
    private volatile long lastRead = System.nanoTime();
    private long meterXid = -1;
    private long meterId;

    SwitchSession(final Listener listener, final RequestEngine engine, final ClientRateLimiter limiter,
            final Settings settings) {
        this.listener = requireNonNull(listener);
        this.engine = requireNonNull(engine);
        this.limiter = requireNonNull(limiter);
        this.settings = requireNonNull(settings);
    }

    @Nullable DatapathId datapathId() {
        return datapathId;
    }

    @Override
    public @Nullable OFFactory factory() {
        return factory;
    }

    @Override
    public @Nullable Binding binding() {
        return binding;
    }

    Instant connectedSince() {
        return connectedSince;
    }

    @Nullable InetSocketAddress remoteAddress() {
        final var ch = channel;
        return ch != null && ch.remoteAddress() instanceof InetSocketAddress address ? address : null;
    }

    long packetIn() {
        return packetInCount.sum();
    }

    long packetOut() {
        return packetOutCount.sum();
    }

    long flowMods() {
        return flowMods.sum();
    }

    long errors() {
        return errors.sum();
    }

    @Override
    public void channelActive(final ChannelHandlerContext ctx) {
        channel = ctx.channel();
        // Our HELLO carries the highest version we speak and a version bitmap (OpenFlow 1.3.1 section 6.3.1):
        // the switch picks the highest version both bitmaps share.
        final var of15 = OFFactories.getFactory(OFVersion.OF_15);
        ctx.writeAndFlush(of15.buildHello()
            .setXid(nextXid())
            .setElements(List.of(of15.helloElemVersionbitmap(List.of(U32.of(OUR_VERSIONS)))))
            .build());
        ctx.executor().schedule(() -> {
            if (datapathId == null && ctx.channel().isActive()) {
                LOG.warn("OpenFlow switch {} did not complete the handshake in {} ms; closing", ctx.channel()
                    .remoteAddress(), settings.handshakeMillis());
                ctx.close();
            }
        }, settings.handshakeMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        lastRead = System.nanoTime();
        switch (msg) {
            case OFHello hello -> negotiate(ctx, hello.getVersion().getWireVersion(), bitmap(hello));
            case OpenFlowCodec.Unparsed unparsed -> {
                if (unparsed.type() == OpenFlowCodec.Unparsed.HELLO && factory == null) {
                    // A HELLO of a version openflowj does not know: negotiate on its header version alone.
                    negotiate(ctx, unparsed.version(), 0);
                } else {
                    errors.increment();
                    LOG.debug("Switch {}: unparsable message type {} xid {}: {}", describe(), unparsed.type(),
                        unparsed.xid(), unparsed.reason());
                }
            }
            case OFEchoRequest echo -> ctx.writeAndFlush(requireFactory().buildEchoReply()
                .setXid(echo.getXid()).setData(echo.getData()).build());
            case OFEchoReply echo -> {
                // lastRead is all an echo reply is for
            }
            case OFFeaturesReply features -> onFeatures(features);
            case OFPacketIn punted -> onPacketIn(punted);
            case OFErrorMsg error -> onError(error);
            case OFBarrierReply barrier -> {
                final var pending = barriers.remove(barrier.getXid());
                if (pending != null) {
                    pending.future.complete(pending.errors);
                }
            }
            case OFFlowStatsReply reply -> {
                final var collector = stats.get(reply.getXid());
                if (collector != null) {
                    collector.entries.addAll(reply.getEntries());
                    if (!reply.getFlags().contains(OFStatsReplyFlags.REPLY_MORE)) {
                        stats.remove(reply.getXid());
                        collector.future.complete(collector.entries);
                    }
                }
            }
            case OFMeterFeaturesStatsReply reply -> onMeterFeatures(reply);
            case OFFlowRemoved removed -> listener.flowRemoved(this, removed);
            case OFPortStatus status -> LOG.debug("Switch {}: {}", describe(), status);
            default -> LOG.debug("Switch {}: ignored {}", describe(), msg);
        }
    }

    private static int bitmap(final OFHello hello) {
        int bits = 0;
        try {
            for (var element : hello.getElements()) {
                if (element instanceof OFHelloElemVersionbitmap versions && !versions.getBitmaps().isEmpty()) {
                    // the first 32-bit word covers versions 0-31: all there are
                    bits |= (int) versions.getBitmaps().getFirst().getValue();
                }
            }
        } catch (UnsupportedOperationException e) {
            // OpenFlow 1.0-1.2 HELLOs have no elements
            return 0;
        }
        return bits;
    }

    private void negotiate(final ChannelHandlerContext ctx, final int theirVersion, final int theirBitmap) {
        if (factory != null) {
            return;
        }
        final int common = theirBitmap != 0 ? theirBitmap & OUR_VERSIONS
            // without a bitmap the lower of the two header versions is the version (section 6.3.1)
            : 1 << Math.min(theirVersion, 6) & OUR_VERSIONS;
        if (common == 0) {
            LOG.warn("OpenFlow switch {} offers version 0x{} (bitmap 0x{}) only; PCP Controller needs OpenFlow 1.3 "
                + "or later. Refusing it.", ctx.channel().remoteAddress(), Integer.toHexString(theirVersion),
                Integer.toHexString(theirBitmap));
            // The error goes out in the switch's own version, so that it can parse it.
            final var theirs = theirVersion < BY_WIRE.length ? BY_WIRE[theirVersion] : null;
            if (theirs != null) {
                final var their = OFFactories.getFactory(theirs);
                ctx.writeAndFlush(their.errorMsgs().buildHelloFailedErrorMsg()
                    .setXid(nextXid())
                    .setCode(OFHelloFailedCode.INCOMPATIBLE)
                    .build()).addListener(ChannelFutureListener.CLOSE);
            } else {
                ctx.close();
            }
            return;
        }
        final var version = BY_WIRE[31 - Integer.numberOfLeadingZeros(common)];
        final var negotiated = OFFactories.getFactory(version);
        factory = negotiated;
        LOG.debug("OpenFlow switch {} speaks {}", ctx.channel().remoteAddress(), version);
        ctx.writeAndFlush(negotiated.buildFeaturesRequest().setXid(nextXid()).build());
    }

    private void onFeatures(final OFFeaturesReply features) {
        if (datapathId != null) {
            return;
        }
        datapathId = features.getDatapathId();
        LOG.info("OpenFlow switch {} connected from {} ({})", datapathId, remoteAddress(), factory.getVersion());
        listener.handshaken(this);
    }

    /**
     * Serves a gateway: sets up the meter and the punt flows, and reports {@link Listener#serving} once the switch
     * acknowledged them. Called again when the gateway's settings change.
     */
    void serve(final Binding newBinding) {
        final var ch = channel;
        if (ch == null) {
            return;
        }
        ch.eventLoop().execute(() -> {
            binding = newBinding;
            if (settings.puntMeterId() == 0) {
                installPunt(0);
                return;
            }
            // Meters are optional in OpenFlow 1.3 (a switch may report max_meter 0): ask before using one.
            final var f = requireFactory();
            final long xid = nextXid();
            ch.writeAndFlush(f.buildMeterFeaturesStatsRequest().setXid(xid).build());
        });
    }

    /**
     * Stops serving (the gateway no longer claims this switch): the punt flows go, the connection stays.
     */
    void unserve() {
        final var ch = channel;
        if (ch == null) {
            return;
        }
        ch.eventLoop().execute(() -> {
            binding = null;
            final var f = factory;
            if (f != null) {
                send(List.of(Flows.punt(f, settings.puntPriority(), 0).getFirst()));
            }
        });
    }

    private void onMeterFeatures(final OFMeterFeaturesStatsReply reply) {
        final long max = reply.getFeatures().getMaxMeter();
        if (max <= 0) {
            LOG.info("Switch {} has no meters: the punt flows are not rate limited by the switch", describe());
            installPunt(0);
            return;
        }
        meterId = Math.min(settings.puntMeterId(), max);
        final var current = binding;
        if (current == null) {
            return;
        }
        meterXid = nextXid();
        final var add = Flows.meter(requireFactory(), OFMeterModCommand.ADD, meterId, current.meterRate());
        requireNonNull(channel).write(add.createBuilder().setXid(meterXid).build());
        installPunt(meterId);
    }

    private void installPunt(final long meter) {
        final var f = requireFactory();
        sendWithBarrier(Flows.punt(f, settings.puntPriority(), meter)).whenComplete((failures, cause) -> {
            if (cause != null) {
                return;
            }
            if (failures.isEmpty()) {
                LOG.info("Switch {} punts PCP and NAT-PMP for gateway {}{}", describe(), gatewayName(),
                    meter != 0 ? " (meter " + meter + ")" : "");
                listener.serving(this);
            } else {
                LOG.warn("Switch {} refused the punt flows: {}", describe(), failures);
            }
        });
    }

    private void onError(final OFErrorMsg error) {
        errors.increment();
        if (error.getXid() == meterXid && error instanceof OFMeterModFailedErrorMsg meterError
                && meterError.getCode() == OFMeterModFailedCode.METER_EXISTS) {
            // The meter survived our previous connection: update its rate instead.
            final var current = binding;
            if (current != null) {
                send(List.of(Flows.meter(requireFactory(), OFMeterModCommand.MODIFY, meterId, current.meterRate())));
            }
            return;
        }
        final var pending = barriers.ceilingEntry(error.getXid());
        if (pending != null && pending.getValue().firstXid <= error.getXid()) {
            pending.getValue().errors.add(error);
        }
        LOG.warn("Switch {} reported an error for xid {}: {}", describe(), error.getXid(), error);
    }

    private void onPacketIn(final OFPacketIn punted) {
        packetInCount.increment();
        final var current = binding;
        if (current == null) {
            return;
        }
        final OFPort inPort;
        try {
            inPort = punted.getMatch().get(MatchField.IN_PORT);
        } catch (UnsupportedOperationException e) {
            return;
        }
        if (inPort == null) {
            return;
        }
        if (!(FrameCodec.decode(punted.getData()) instanceof FrameDecodeResult.Decoded decoded)) {
            rejectedFrames.increment();
            return;
        }
        final var frame = decoded.frame();
        // Requests go to the server's unicast address (RFC 6887 section 8.1); a reply cannot come from a group.
        if (frame.destination().getPort() != Flows.SERVER_PORT
                || frame.destination().getAddress().isMulticastAddress()) {
            rejectedFrames.increment();
            return;
        }
        if (!limiter.tryAcquire(current.gateway(), frame.source().getAddress())) {
            return;
        }
        remember(inPort, frame);
        Futures.addCallback(engine.handle(current.gateway(), frame.source(), frame.destination(), frame.payload()),
            new FutureCallback<Optional<byte[]>>() {
                @Override
                public void onSuccess(final Optional<byte[]> answer) {
                    answer.ifPresent(payload -> sendPacketOut(inPort, FrameCodec.encodeReply(frame, payload), true));
                }

                @Override
                public void onFailure(final Throwable cause) {
                    // the engine's futures do not fail; this is a defect, not a protocol condition
                    LOG.error("Switch {}: request from {} failed", describe(), frame.source(), cause);
                }
            }, MoreExecutors.directExecutor());
    }

    private void remember(final OFPort inPort, final UdpFrame frame) {
        final var previous = lanSides.get(inPort);
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
        final var current = binding;
        final var fallback = lastLanSide;
        if (current == null || fallback == null) {
            LOG.debug("Switch {}: no request seen yet, so the gateway's LAN address is unknown; not announcing",
                describe());
            return;
        }
        final var ports = current.lanPorts().isEmpty() ? List.copyOf(lanSides.keySet())
            : current.lanPorts().stream().map(port -> OFPort.of(port.intValue())).toList();
        for (var port : ports) {
            final var side = lanSides.getOrDefault(port, new LanSide(fallback.gatewayMac, new int[0], fallback.ipv4,
                fallback.ipv6));
            if (side.ipv4 != null) {
                final var source = new InetSocketAddress(side.ipv4, Flows.SERVER_PORT);
                final var group = new InetSocketAddress(Groups.ALL_HOSTS_V4, PCP_CLIENT_PORT);
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
                    new InetSocketAddress(side.ipv6, Flows.SERVER_PORT),
                    new InetSocketAddress(Groups.ALL_NODES_V6, PCP_CLIENT_PORT), announcement.pcp()), false);
            }
        }
        final var ch = channel;
        if (ch != null) {
            ch.flush();
        }
    }

    private void sendPacketOut(final OFPort port, final byte[] frame, final boolean flush) {
        final var ch = channel;
        final var f = factory;
        if (ch == null || f == null) {
            return;
        }
        final var builder = f.buildPacketOut()
            .setXid(nextXid())
            .setBufferId(OFBufferId.NO_BUFFER)
            .setData(frame);
        // An answer leaves through the port its request came in on. OpenFlow forbids output to the in_port unless
        // it is named IN_PORT; an announcement comes "from the controller" and may go anywhere.
        final var ingress = flush ? port : OFPort.CONTROLLER;
        final var output = flush ? OFPort.IN_PORT : port;
        if (f.getVersion().compareTo(OFVersion.OF_15) >= 0) {
            builder.setMatch(f.buildMatch().setExact(MatchField.IN_PORT, ingress).build());
        } else {
            builder.setInPort(ingress);
        }
        builder.setActions(List.of(f.actions().output(output, 0)));
        packetOutCount.increment();
        if (flush) {
            ch.writeAndFlush(builder.build(), ch.voidPromise());
        } else {
            ch.write(builder.build(), ch.voidPromise());
        }
    }

    /**
     * Sends messages without waiting for anything.
     */
    @Override
    public void send(final List<OFMessage> messages) {
        final var ch = channel;
        if (ch == null) {
            return;
        }
        for (var message : messages) {
            if (message.getType() == org.projectfloodlight.openflow.protocol.OFType.FLOW_MOD) {
                flowMods.increment();
            }
            ch.write(message.createBuilder().setXid(nextXid()).build(), ch.voidPromise());
        }
        ch.flush();
    }

    /**
     * Sends messages followed by a BARRIER_REQUEST. The future completes when the switch answered the barrier,
     * with the errors it reported for these messages (empty when all were applied), or fails when the connection
     * goes first.
     */
    @Override
    public CompletableFuture<List<OFErrorMsg>> sendWithBarrier(final List<OFMessage> messages) {
        final var future = new CompletableFuture<List<OFErrorMsg>>();
        final var ch = channel;
        final var f = factory;
        if (ch == null || f == null || !ch.isActive()) {
            future.completeExceptionally(new IllegalStateException("switch " + describe() + " is not connected"));
            return future;
        }
        ch.eventLoop().execute(() -> {
            final long first = xids.get() + 1;
            send(messages);
            final long barrierXid = nextXid();
            barriers.put(barrierXid, new PendingBarrier(first, future, new ArrayList<>()));
            ch.writeAndFlush(f.buildBarrierRequest().setXid(barrierXid).build());
            if (!ch.isActive()) {
                failPending();
            }
        });
        return future;
    }

    /**
     * Reads the flows whose cookie matches {@code cookie} under {@code mask}, from every table.
     */
    @Override
    public CompletableFuture<List<OFFlowStatsEntry>> flows(final U64 cookie, final U64 mask) {
        final var collector = new StatsCollector();
        final var ch = channel;
        final var f = factory;
        if (ch == null || f == null) {
            collector.future.completeExceptionally(new IllegalStateException("switch not connected"));
            return collector.future;
        }
        final long xid = nextXid();
        stats.put(xid, collector);
        ch.writeAndFlush(f.buildFlowStatsRequest()
            .setXid(xid)
            .setTableId(TableId.ALL)
            .setOutPort(OFPort.ANY)
            .setOutGroup(org.projectfloodlight.openflow.types.OFGroup.ANY)
            .setCookie(cookie)
            .setCookieMask(mask)
            .setMatch(f.buildMatch().build())
            .build());
        return collector.future;
    }

    private static final class StatsCollector {
        final CompletableFuture<List<OFFlowStatsEntry>> future = new CompletableFuture<>();
        final List<OFFlowStatsEntry> entries = new ArrayList<>();
    }

    @Override
    public void userEventTriggered(final ChannelHandlerContext ctx, final Object evt) {
        if (evt instanceof IdleStateEvent) {
            final long silentMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastRead);
            if (silentMillis >= settings.deadPeerMillis()) {
                LOG.warn("Switch {} silent for {} ms; closing the connection", describe(), silentMillis);
                ctx.close();
            } else if (factory != null) {
                ctx.writeAndFlush(requireFactory().buildEchoRequest().setXid(nextXid()).setData(new byte[0]).build());
            }
        } else {
            ctx.fireUserEventTriggered(evt);
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        LOG.warn("Switch {}: closing the connection", describe(), cause);
        ctx.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) {
        failPending();
        if (datapathId != null) {
            LOG.info("OpenFlow switch {} disconnected", datapathId);
            listener.closed(this);
        }
        ctx.fireChannelInactive();
    }

    private void failPending() {
        final var gone = new IllegalStateException("switch " + describe() + " disconnected");
        barriers.values().forEach(pending -> pending.future.completeExceptionally(gone));
        barriers.clear();
        stats.values().forEach(collector -> collector.future.completeExceptionally(gone));
        stats.clear();
    }

    void close() {
        final var ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    private OFFactory requireFactory() {
        return requireNonNull(factory, "version not negotiated");
    }

    private long nextXid() {
        return xids.incrementAndGet() & 0xFFFF_FFFFL;
    }

    private String gatewayName() {
        final var current = binding;
        return current == null ? "-" : current.gateway();
    }

    @Override
    public String describe() {
        final var id = datapathId;
        return id != null ? id.toString() : String.valueOf(remoteAddress());
    }

    /** Well-known multicast groups. */
    private static final class Groups {
        static final InetAddress ALL_HOSTS_V4 = com.google.common.net.InetAddresses.forString("224.0.0.1");
        static final InetAddress ALL_NODES_V6 = com.google.common.net.InetAddresses.forString("ff02::1");
    }
}
