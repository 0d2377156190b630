/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.udp;

import static java.util.Objects.requireNonNull;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;
import org.eclipse.jdt.annotation.Nullable;
import org.opendaylight.yangtools.concepts.Registration;
import org.pcpcontroller.impl.engine.Announcement;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.ingress.ClientRateLimiter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sockets of one local address and port, serving one gateway. With epoll, one socket per event loop shares the
 * port (SO_REUSEPORT), so that the kernel spreads clients over the cores; with NIO there is one socket. An answer
 * leaves from the socket its request came in on, so from the address and port the client asked.
 */
final class UdpListener implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpListener.class);
    /**
     * Bigger than the largest PCP message (1100 bytes), so that an oversized request still reaches the engine and
     * is answered MALFORMED_REQUEST; anything beyond is cut by the socket.
     */
    static final int RECEIVE_SIZE = 2048;
    /** Where unsolicited announcements go (RFC 6887 section 14.1.1, RFC 6886 section 3.2.1). */
    static final int ANNOUNCE_PORT = 5350;
    private static final InetSocketAddress ALL_NODES_V4 = new InetSocketAddress(address("224.0.0.1"),
        ANNOUNCE_PORT);

    /**
     * Counters of all listeners.
     */
    record Counters(LongAdder received, LongAdder answered, LongAdder limited, LongAdder failed) {
        Counters() {
            this(new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder());
        }
    }

    private final String gateway;
    private final InetSocketAddress local;
    private final List<Channel> channels;
    private final @Nullable Registration announcer;

    private UdpListener(final String gateway, final InetSocketAddress local, final List<Channel> channels,
            final @Nullable Registration announcer) {
        this.gateway = gateway;
        this.local = local;
        this.channels = channels;
        this.announcer = announcer;
    }

    /**
     * Binds the sockets and registers the gateway's announcer.
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    // Netty reports some bind failures as unchecked exceptions; the rest (address in use, not local) it leaves in the
    // future, whose sync() would rethrow them as the checked exceptions they are, undeclared, past a catch of
    // RuntimeException: the caller would not catch them and the component would fail.
    @SuppressWarnings("checkstyle:IllegalCatch")
    static UdpListener bind(final String gateway, final InetSocketAddress local, final EventLoopGroup group,
            final boolean epoll, final int sockets, final int receiveBuffer, final RequestEngine engine,
            final ClientRateLimiter limiter, final Counters counters) {
        final var handler = new Handler(gateway, engine, limiter, counters);
        final var bootstrap = new Bootstrap().group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_REUSEADDR, true)
            .option(ChannelOption.SO_RCVBUF, receiveBuffer)
            .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(RECEIVE_SIZE))
            .handler(handler);
        if (epoll) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        final var channels = new ArrayList<Channel>();
        InetSocketAddress bound = local;
        try {
            for (int i = 0; i < (epoll ? sockets : 1); i++) {
                // port 0 (tests) binds an ephemeral port once; the other sockets share it
                final ChannelFuture future = bootstrap.bind(bound).awaitUninterruptibly();
                if (!future.isSuccess()) {
                    future.channel().close();
                    throw new IllegalStateException("Cannot listen on " + bound + " for gateway " + gateway,
                        future.cause());
                }
                channels.add(future.channel());
                bound = (InetSocketAddress) future.channel().localAddress();
            }
        } catch (RuntimeException e) {
            channels.forEach(Channel::close);
            throw new IllegalStateException("Cannot listen on " + local + " for gateway " + gateway, e);
        }
        final var first = channels.get(0);
        final var scope = bound;
        final var registration = engine.registerAnnouncer(gateway, announcement -> announce(first, scope,
            announcement));
        LOG.info("Serving PCP and NAT-PMP for gateway {} on UDP {}", gateway,
            bound + " (" + channels.size() + (epoll ? " epoll sockets)" : " nio socket)"));
        return new UdpListener(gateway, bound, channels, registration);
    }

    InetSocketAddress localAddress() {
        return local;
    }

    String gateway() {
        return gateway;
    }

    // Announcements go to the all-nodes groups from the serving socket; a loopback-only listener may have no route
    // for them, which is logged, not an error.
    private static void announce(final Channel channel, final InetSocketAddress local,
            final Announcement announcement) {
        final var address = local.getAddress();
        if (address instanceof Inet4Address) {
            send(channel, announcement.pcp(), ALL_NODES_V4);
            final var natPmp = announcement.natPmp();
            if (natPmp != null) {
                send(channel, natPmp, ALL_NODES_V4);
            }
        } else if (address instanceof Inet6Address v6) {
            allNodesV6(v6).ifPresent(target -> send(channel, announcement.pcp(), target));
        }
    }

    private static Optional<InetSocketAddress> allNodesV6(final Inet6Address local) {
        try {
            final var nif = local.getScopedInterface() != null ? local.getScopedInterface()
                : NetworkInterface.getByInetAddress(local);
            if (nif == null) {
                return Optional.empty();
            }
            return Optional.of(new InetSocketAddress(Inet6Address.getByAddress(null, new byte[] {
                (byte) 0xff, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1 }, nif), ANNOUNCE_PORT));
        } catch (SocketException | java.net.UnknownHostException e) {
            LOG.debug("No all-nodes address for {}", local, e);
            return Optional.empty();
        }
    }

    private static void send(final Channel channel, final byte[] payload, final InetSocketAddress target) {
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(payload), target)).addListener(future -> {
            if (!future.isSuccess()) {
                LOG.info("Announcement to {} from {} not sent: {}", target, channel.localAddress(),
                    future.cause().toString());
            }
        });
    }

    private static InetAddress address(final String literal) {
        return com.google.common.net.InetAddresses.forString(literal);
    }

    @Override
    public void close() {
        if (announcer != null) {
            announcer.close();
        }
        channels.forEach(channel -> channel.close().syncUninterruptibly());
        LOG.info("Stopped serving gateway {} on UDP {}", gateway, local);
    }

    /**
     * Moves datagrams between the socket and the engine. Shared by the sockets of one listener.
     */
    @ChannelHandler.Sharable
    private static final class Handler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final String gateway;
        private final RequestEngine engine;
        private final ClientRateLimiter limiter;
        private final Counters counters;

        Handler(final String gateway, final RequestEngine engine, final ClientRateLimiter limiter,
                final Counters counters) {
            this.gateway = requireNonNull(gateway);
            this.engine = requireNonNull(engine);
            this.limiter = requireNonNull(limiter);
            this.counters = requireNonNull(counters);
        }

        // The event loop must survive whatever a datagram or the engine does.
        @Override
        @SuppressWarnings("checkstyle:IllegalCatch")
        protected void channelRead0(final ChannelHandlerContext ctx, final DatagramPacket packet) {
            counters.received().increment();
            final var client = packet.sender();
            if (!limiter.tryAcquire(gateway, client.getAddress())) {
                counters.limited().increment();
                return;
            }
            final ListenableFuture<Optional<byte[]>> answer;
            try {
                final var server = packet.recipient() != null ? packet.recipient()
                    : (InetSocketAddress) ctx.channel().localAddress();
                answer = engine.handle(gateway, client, server, ByteBufUtil.getBytes(packet.content()));
            } catch (RuntimeException e) {
                counters.failed().increment();
                LOG.debug("Datagram from {} failed in the engine", client, e);
                return;
            }
            if (answer.isDone()) {
                // answered without waiting (an error, a drop): no hop through a callback
                try {
                    send(ctx, client, Futures.getDone(answer));
                } catch (ExecutionException | RuntimeException e) {
                    counters.failed().increment();
                    LOG.debug("Request from {} failed in the engine", client, e);
                }
                return;
            }
            Futures.addCallback(answer, new FutureCallback<>() {
                @Override
                public void onSuccess(final Optional<byte[]> response) {
                    send(ctx, client, response);
                }

                @Override
                public void onFailure(final Throwable cause) {
                    counters.failed().increment();
                    LOG.debug("Request from {} failed in the engine", client, cause);
                }
            }, ctx.executor());
        }

        private void send(final ChannelHandlerContext ctx, final InetSocketAddress client,
                final Optional<byte[]> response) {
            if (response.isPresent()) {
                counters.answered().increment();
                ctx.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(response.orElseThrow()), client),
                    ctx.voidPromise());
            }
        }

        @Override
        public void exceptionCaught(final ChannelHandlerContext ctx, final Throwable cause) {
            // e.g. ICMP port unreachable reported on a later read: not the listener's problem
            counters.failed().increment();
            LOG.debug("UDP socket {} reported", ctx.channel().localAddress(), cause);
        }
    }
}
