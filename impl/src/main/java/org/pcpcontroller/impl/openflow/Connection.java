/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.eclipse.jdt.annotation.Nullable;
import org.projectfloodlight.openflow.protocol.OFBarrierReply;
import org.projectfloodlight.openflow.protocol.OFEchoReply;
import org.projectfloodlight.openflow.protocol.OFEchoRequest;
import org.projectfloodlight.openflow.protocol.OFErrorMsg;
import org.projectfloodlight.openflow.protocol.OFFactories;
import org.projectfloodlight.openflow.protocol.OFFactory;
import org.projectfloodlight.openflow.protocol.OFFeaturesReply;
import org.projectfloodlight.openflow.protocol.OFFlowRemoved;
import org.projectfloodlight.openflow.protocol.OFHello;
import org.projectfloodlight.openflow.protocol.OFHelloFailedCode;
import org.projectfloodlight.openflow.protocol.OFMessage;
import org.projectfloodlight.openflow.protocol.OFPacketIn;
import org.projectfloodlight.openflow.protocol.OFStatsReply;
import org.projectfloodlight.openflow.protocol.OFStatsRequest;
import org.projectfloodlight.openflow.protocol.OFType;
import org.projectfloodlight.openflow.types.DatapathId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One switch connection: version negotiation, FEATURES, echo keepalive, request correlation, and dispatch of what
 * the switch sends to the stages' listeners. Everything a switch sends is handled on the channel's event loop and
 * nothing it sends makes an exception leave this handler; what one connection holds is bounded
 * ({@link PendingRequests}, the listeners told). The public methods may be called from any thread.
 */
final class Connection extends ChannelInboundHandlerAdapter implements SwitchConnection {
    /**
     * The switches a connection is one of.
     */
    interface Hub {
        /** The timing settings now: a change applies to live connections at their next tick. */
        Settings settings();

        /** FEATURES_REPLY arrived: admit or refuse the connection ({@link #admit}, {@link #refuse}). */
        void handshaken(Connection connection);

        /** The connection is gone. */
        void closed(Connection connection);

        /** The listeners now. */
        List<SwitchListener> listeners();
    }

    /**
     * Timing settings, in nanoseconds.
     *
     * @param echoInterval silence after which an ECHO_REQUEST is sent
     * @param deadPeer silence after which the connection is closed
     * @param handshake how long the HELLO/FEATURES handshake may take
     * @param requestTimeout how long a BARRIER or multipart request waits for its answer
     */
    record Settings(long echoInterval, long deadPeer, long handshake, long requestTimeout) {
    }

    private static final Logger LOG = LoggerFactory.getLogger(Connection.class);
    /** How often a connection looks at its clocks (echo, dead peer, handshake, request deadlines). */
    static final long TICK_MILLIS = 500;

    private final Hub hub;
    private final LongSupplier nanoTime;
    private final AtomicLong xids = new AtomicLong(0x100);
    private final PendingRequests pending = new PendingRequests();
    /** The binding each listener was last told of; on the event loop. */
    private final Map<SwitchListener, SwitchBinding> told = new HashMap<>();
    private final LongAdder packetIn = new LongAdder();
    private final LongAdder packetOut = new LongAdder();
    private final LongAdder packetOutDropped = new LongAdder();
    private final LongAdder flowMods = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder unparsable = new LongAdder();
    private final LongAdder refusedClaims = new LongAdder();
    private final Instant connectedSince = Instant.now();

    private volatile @Nullable Channel channel;
    private volatile @Nullable OFFactory factory;
    private volatile @Nullable DatapathId datapathId;
    private volatile @Nullable SwitchBinding binding;
    private volatile boolean admitted;
    // on the event loop
    private long activeSince;
    private long lastRead;
    private long lastEcho;
    private long probeSent = -1;
    private @Nullable ScheduledFuture<?> ticker;

    Connection(final Hub hub, final LongSupplier nanoTime) {
        this.hub = requireNonNull(hub);
        this.nanoTime = requireNonNull(nanoTime);
    }

    @Override
    public DatapathId datapathId() {
        return requireNonNull(datapathId, "not handshaken");
    }

    @Override
    public OFFactory factory() {
        return requireNonNull(factory, "version not negotiated");
    }

    @Override
    public @Nullable SwitchBinding binding() {
        return binding;
    }

    @Override
    public boolean isConnected() {
        final var ch = channel;
        return ch != null && ch.isActive();
    }

    boolean isAdmitted() {
        return admitted;
    }

    @Override
    public long nextXid() {
        // xid 0 is left alone: some switches use it for their own asynchronous messages
        final long xid = xids.incrementAndGet() & 0xFFFF_FFFFL;
        return xid != 0 ? xid : nextXid();
    }

    Instant connectedSince() {
        return connectedSince;
    }

    @Nullable InetSocketAddress remoteAddress() {
        final var ch = channel;
        return ch != null && ch.remoteAddress() instanceof InetSocketAddress address ? address : null;
    }

    /** Counters for {@code pcp-gateway:switches}. */
    record Counters(long packetIn, long packetOut, long packetOutDropped, long flowMods, long errors, long unparsable,
            long refusedClaims) {
    }

    Counters counters() {
        return new Counters(packetIn.sum(), packetOut.sum(), packetOutDropped.sum(), flowMods.sum(), errors.sum(),
            unparsable.sum(), refusedClaims.sum());
    }

    /** What this connection holds for the switch now. */
    Map<String, Integer> footprint() {
        final var footprint = new HashMap<>(pending.footprint());
        footprint.put("listeners", told.size());
        return footprint;
    }

    /**
     * The SHA-256 fingerprint of the certificate the switch presented over TLS, as openssl prints it
     * ({@code AB:CD:...}), or null without TLS or without a client certificate.
     */
    @Nullable String peerCertificateSha256() {
        final var ch = channel;
        final var ssl = ch == null ? null : ch.pipeline().get(SslHandler.class);
        if (ssl == null) {
            return null;
        }
        try {
            final var certificates = ssl.engine().getSession().getPeerCertificates();
            if (certificates.length == 0) {
                return null;
            }
            return HexFormat.ofDelimiter(":").withUpperCase().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(certificates[0].getEncoded()));
        } catch (SSLPeerUnverifiedException | CertificateEncodingException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    boolean isTls() {
        final var ch = channel;
        return ch != null && ch.pipeline().get(SslHandler.class) != null;
    }

    /** Runs on the connection's event loop. */
    void execute(final Runnable task) {
        final var ch = channel;
        if (ch != null) {
            ch.eventLoop().execute(task);
        }
    }

    // --- the switch's side ------------------------------------------------------------------------------------

    @Override
    public void channelActive(final ChannelHandlerContext ctx) {
        channel = ctx.channel();
        activeSince = nanoTime.getAsLong();
        lastRead = activeSince;
        lastEcho = activeSince;
        ctx.writeAndFlush(Negotiation.hello(nextXid()));
        ticker = ctx.executor().scheduleAtFixedRate(() -> tick(ctx), TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    // a switch's message must not take the connection down, whatever openflowj or a listener throws
    @SuppressWarnings("checkstyle:IllegalCatch")
    public void channelRead(final ChannelHandlerContext ctx, final Object msg) {
        lastRead = nanoTime.getAsLong();
        try {
            switch (msg) {
                case OFMessage message -> read(ctx, message);
                case OpenFlowCodec.Unparsed unparsed -> readUnparsed(ctx, unparsed);
                default -> LOG.debug("Switch {}: ignored {}", describe(), msg);
            }
        } catch (RuntimeException e) {
            // The last line of defence: openflowj's getters throw for fields a version lacks, a listener may fail.
            // One bad message is counted and logged; the connection and the switch's other messages go on.
            unparsable.increment();
            LOG.warn("Switch {}: cannot handle {}", describe(), msg, e);
        }
    }

    private void readUnparsed(final ChannelHandlerContext ctx, final OpenFlowCodec.Unparsed unparsed) {
        if (unparsed.type() == OpenFlowCodec.Unparsed.HELLO && factory == null) {
            // A HELLO of a version openflowj does not know: negotiate on its header version alone.
            negotiate(ctx, unparsed.version(), 0);
            return;
        }
        unparsable.increment();
        LOG.debug("Switch {}: unparsable message type {} xid {}: {}", describe(), unparsed.type(), unparsed.xid(),
            unparsed.reason());
    }

    private void read(final ChannelHandlerContext ctx, final OFMessage message) {
        final var negotiated = factory;
        if (negotiated == null) {
            if (message instanceof OFHello hello) {
                negotiate(ctx, hello.getVersion().getWireVersion(), Negotiation.bitmap(hello));
            }
            // nothing else means anything before the versions are agreed
            return;
        }
        if (message.getVersion() != negotiated.getVersion()) {
            // after negotiation every message must be of the agreed version (OpenFlow 1.3 section 6.3.1)
            unparsable.increment();
            return;
        }
        switch (message) {
            case OFEchoRequest echo -> ctx.writeAndFlush(negotiated.buildEchoReply()
                .setXid(echo.getXid()).setData(echo.getData()).build(), ctx.voidPromise());
            case OFEchoReply echo -> {
                // lastRead is all an echo reply is for
            }
            case OFFeaturesReply features -> onFeatures(features);
            case OFErrorMsg error -> onError(error);
            default -> {
                if (admitted) {
                    readAdmitted(message);
                }
            }
        }
    }

    private void readAdmitted(final OFMessage message) {
        switch (message) {
            case OFBarrierReply barrier -> pending.barrierReply(barrier.getXid());
            case OFStatsReply reply -> pending.statsReply(reply);
            case OFPacketIn punted -> {
                packetIn.increment();
                final var current = binding;
                if (current != null) {
                    for (var listener : told.keySet()) {
                        listener.packetIn(this, punted);
                    }
                }
            }
            case OFFlowRemoved removed -> {
                for (var listener : told.keySet()) {
                    listener.flowRemoved(this, removed);
                }
            }
            default -> LOG.trace("Switch {}: ignored {}", describe(), message);
        }
    }

    private void negotiate(final ChannelHandlerContext ctx, final int theirVersion, final int theirBitmap) {
        switch (Negotiation.negotiate(theirVersion, theirBitmap)) {
            case Negotiation.Outcome.Agreed agreed -> {
                final var negotiated = OFFactories.getFactory(agreed.version());
                factory = negotiated;
                LOG.debug("OpenFlow switch {} speaks {}", ctx.channel().remoteAddress(), agreed.version());
                ctx.writeAndFlush(negotiated.buildFeaturesRequest().setXid(nextXid()).build());
            }
            case Negotiation.Outcome.Incompatible incompatible -> {
                LOG.warn("OpenFlow switch {} offers {} only; PCP Controller needs OpenFlow 1.3 or later. Refusing it.",
                    ctx.channel().remoteAddress(), incompatible.offered());
                final var theirs = incompatible.theirs();
                if (theirs != null) {
                    // in the switch's own version, so that it can read it
                    ctx.writeAndFlush(OFFactories.getFactory(theirs).errorMsgs().buildHelloFailedErrorMsg()
                        .setXid(nextXid())
                        .setCode(OFHelloFailedCode.INCOMPATIBLE)
                        .build()).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.close();
                }
            }
        }
    }

    private void onFeatures(final OFFeaturesReply features) {
        if (datapathId != null) {
            return;
        }
        datapathId = features.getDatapathId();
        LOG.info("OpenFlow switch {} connected from {} ({})", datapathId, remoteAddress(), factory().getVersion());
        // Roles later: in a cluster, ROLE_REQUEST (MASTER for the gateway's owner, SLAVE otherwise) goes out here,
        // before the hub admits the connection and tells the stages of it.
        hub.handshaken(this);
    }

    private void onError(final OFErrorMsg error) {
        errors.increment();
        if (!pending.error(error)) {
            LOG.warn("Switch {} reported an error for xid {}: {}", describe(), error.getXid(), error);
        }
    }

    /**
     * The hub admits the connection: it serves this gateway (or none, when no gateway claims the datapath).
     */
    void admit(final @Nullable SwitchBinding initial) {
        admitted = true;
        rebind(initial);
    }

    /**
     * The gateway this switch serves changed (or the gateway's {@code openflow} section did). On the event loop.
     */
    void rebind(final @Nullable SwitchBinding newBinding) {
        binding = newBinding;
        hub.listeners().forEach(this::tell);
    }

    /**
     * Tells a listener of the binding now, unless it knows it already. On the event loop.
     */
    // one failing listener must not keep the others from being told
    @SuppressWarnings("checkstyle:IllegalCatch")
    void tell(final SwitchListener listener) {
        if (!admitted) {
            return;
        }
        final var current = isConnected() ? binding : null;
        final var previous = told.get(listener);
        if (java.util.Objects.equals(previous, current)) {
            return;
        }
        if (current == null) {
            told.remove(listener);
        } else {
            told.put(listener, current);
        }
        try {
            if (previous != null) {
                listener.unbound(this, previous);
            }
            if (current != null) {
                listener.bound(this, current);
            }
        } catch (RuntimeException e) {
            LOG.error("Switch {}: a listener failed", describe(), e);
        }
    }

    /**
     * A listener went. On the event loop.
     */
    void forget(final SwitchListener listener) {
        told.remove(listener);
    }

    /**
     * Refuses the connection after the handshake: logged, and closed.
     */
    void refuse(final String reason) {
        LOG.warn("OpenFlow switch {} from {} refused: {}", datapathId, remoteAddress(), reason);
        final var ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    /**
     * Another connection claimed this datapath: counted, and this one must prove it is alive by answering an echo
     * within the echo interval, or it goes (and the claimant's next attempt gets the datapath).
     */
    void claimedByAnother() {
        refusedClaims.increment();
        execute(() -> {
            final var ch = channel;
            if (ch != null && probeSent < 0) {
                probeSent = nanoTime.getAsLong();
                ch.writeAndFlush(factory().buildEchoRequest().setXid(nextXid()).setData(new byte[0]).build(),
                    ch.voidPromise());
            }
        });
    }

    private void tick(final ChannelHandlerContext ctx) {
        final long now = nanoTime.getAsLong();
        final var settings = hub.settings();
        pending.expire(now);
        if (datapathId == null && now - activeSince >= settings.handshake()) {
            LOG.warn("OpenFlow switch {} did not complete the handshake in time; closing", ctx.channel()
                .remoteAddress());
            ctx.close();
            return;
        }
        final long silent = now - lastRead;
        if (silent >= settings.deadPeer()) {
            LOG.warn("Switch {} silent for {} ms; closing the connection", describe(),
                TimeUnit.NANOSECONDS.toMillis(silent));
            ctx.close();
            return;
        }
        if (probeSent >= 0) {
            if (lastRead - probeSent >= 0) {
                probeSent = -1;
            } else if (now - probeSent >= settings.echoInterval()) {
                LOG.warn("Switch {} did not answer the echo sent when another connection claimed its datapath; "
                    + "closing", describe());
                ctx.close();
                return;
            }
        }
        if (silent >= settings.echoInterval() && now - lastEcho >= settings.echoInterval() && factory != null) {
            lastEcho = now;
            ctx.writeAndFlush(factory().buildEchoRequest().setXid(nextXid()).setData(new byte[0]).build(),
                ctx.voidPromise());
        }
    }

    @Override
    public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
        // transport failures (a reset, TLS): nothing a switch sends gets here
        LOG.warn("Switch {}: closing the connection", describe(), cause);
        ctx.close();
    }

    @Override
    public void channelInactive(final ChannelHandlerContext ctx) {
        final var tick = ticker;
        if (tick != null) {
            tick.cancel(false);
        }
        pending.failAll("switch " + describe() + " disconnected");
        if (admitted) {
            LOG.info("OpenFlow switch {} disconnected", datapathId);
            List.copyOf(told.keySet()).forEach(this::tell);
            hub.closed(this);
        }
        ctx.fireChannelInactive();
    }

    // --- the stages' side -------------------------------------------------------------------------------------

    @Override
    public void send(final OFMessage message) {
        final var ch = channel;
        if (ch == null || !ch.isActive()) {
            return;
        }
        if (message.getType() == OFType.PACKET_OUT) {
            if (!ch.isWritable()) {
                packetOutDropped.increment();
                return;
            }
            packetOut.increment();
        } else if (message.getType() == OFType.FLOW_MOD) {
            flowMods.increment();
        }
        ch.writeAndFlush(message, ch.voidPromise());
    }

    @Override
    public ListenableFuture<SwitchReply<List<Refusal>>> sendWithBarrier(final List<? extends OFMessage> messages) {
        return onEventLoop((ch, future) -> {
            final var f = factory();
            final long[] sent = new long[messages.size()];
            final var withXids = new OFMessage[messages.size()];
            for (int i = 0; i < sent.length; i++) {
                sent[i] = nextXid();
                withXids[i] = messages.get(i).createBuilder().setXid(sent[i]).build();
            }
            final long barrierXid = nextXid();
            final long deadline = nanoTime.getAsLong() + hub.settings().requestTimeout();
            if (!pending.addBarrier(barrierXid, sent, deadline, future)) {
                return;
            }
            for (var message : withXids) {
                if (message.getType() == OFType.FLOW_MOD) {
                    flowMods.increment();
                }
                ch.write(message, ch.voidPromise());
            }
            ch.writeAndFlush(f.buildBarrierRequest().setXid(barrierXid).build(), ch.voidPromise());
        });
    }

    @Override
    public <T extends OFStatsReply> ListenableFuture<SwitchReply<List<T>>> request(final OFStatsRequest<T> request) {
        return onEventLoop((ch, future) -> {
            final long xid = nextXid();
            final long deadline = nanoTime.getAsLong() + hub.settings().requestTimeout();
            if (pending.addMultipart(xid, request.getStatsType(), deadline, future)) {
                ch.writeAndFlush(request.createBuilder().setXid(xid).build(), ch.voidPromise());
            }
        });
    }

    /**
     * Runs a request on the channel's event loop, which owns the pending requests, if the switch is connected; the
     * request's future is answered {@code Unanswered} at once if it is not, or if it disconnected before its turn.
     */
    private <T> ListenableFuture<SwitchReply<T>> onEventLoop(
            final BiConsumer<Channel, SettableFuture<SwitchReply<T>>> request) {
        final var future = SettableFuture.<SwitchReply<T>>create();
        final var ch = channel;
        if (ch == null || !ch.isActive()) {
            future.set(new SwitchReply.Unanswered<>("switch " + describe() + " is not connected"));
            return future;
        }
        ch.eventLoop().execute(() -> {
            if (ch.isActive()) {
                request.accept(ch, future);
            } else {
                future.set(new SwitchReply.Unanswered<>("switch " + describe() + " disconnected"));
            }
        });
        return future;
    }

    void close() {
        final var ch = channel;
        if (ch != null) {
            ch.close();
        }
    }

    @Override
    public String describe() {
        final var id = datapathId;
        return id != null ? id.toString() : String.valueOf(remoteAddress());
    }

    @Override
    public String toString() {
        return "switch " + describe();
    }
}
