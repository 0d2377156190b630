/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.opendaylight.yangtools.concepts.Registration;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.engine.Announcer;
import org.pcpcontroller.impl.engine.RequestEngine;
import org.pcpcontroller.impl.ingress.ClientRateLimiter;

/**
 * The listener on a real loopback socket, with an engine that echoes, throws, fails or answers late.
 */
class UdpListenerTest {
    private final CopyOnWriteArrayList<Announcer> announcers = new CopyOnWriteArrayList<>();
    private final UdpListener.Counters counters = new UdpListener.Counters();
    private MultiThreadIoEventLoopGroup group;
    private final AtomicReference<@Nullable Held> held = new AtomicReference<>();
    private UdpListener listener;

    /**
     * An engine answer the test completes when it chooses.
     */
    private record Held(SettableFuture<Optional<byte[]>> answer, byte[] reversed) {
        void complete() {
            answer.set(Optional.of(reversed));
        }
    }

    /**
     * Echoes the payload reversed; payloads starting with 0x7f throw, 0x7e fail, 0x7d are held until the test
     * completes them ({@link #held}), 0x7c are dropped.
     */
    private final RequestEngine engine = new RequestEngine() {
        @Override
        public ListenableFuture<Optional<byte[]>> handle(final String gateway, final InetSocketAddress client,
                final InetSocketAddress server, final byte[] payload) {
            final var reversed = payload.clone();
            for (int i = 0; i < reversed.length / 2; i++) {
                final byte tmp = reversed[i];
                reversed[i] = reversed[reversed.length - 1 - i];
                reversed[reversed.length - 1 - i] = tmp;
            }
            if (payload.length > 0) {
                switch (payload[0]) {
                    case 0x7f -> throw new IllegalStateException("engine bug");
                    case 0x7e -> {
                        return Futures.immediateFailedFuture(new IllegalStateException("engine failure"));
                    }
                    case 0x7d -> {
                        // answered when the test completes it: the listener must answer whenever the engine does
                        final var later = SettableFuture.<Optional<byte[]>>create();
                        held.set(new Held(later, reversed));
                        return later;
                    }
                    case 0x7c -> {
                        return Futures.immediateFuture(Optional.empty());
                    }
                    default -> {
                        // echo
                    }
                }
            }
            return Futures.immediateFuture(Optional.of(reversed));
        }

        @Override
        public Registration registerAnnouncer(final String gateway, final Announcer announcer) {
            announcers.add(announcer);
            return () -> announcers.remove(announcer);
        }
    };

    private void start(final boolean epoll, final ClientRateLimiter limiter) {
        group = new MultiThreadIoEventLoopGroup(2, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        listener = UdpListener.bind("gw1", new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0), group,
            epoll, 2, 1 << 20, engine, limiter, counters);
    }

    @AfterEach
    void afterEach() {
        if (listener != null) {
            listener.close();
        }
        if (group != null) {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    // Silence is never waited for: a datagram that must not be answered is followed by one that must, and the next
    // datagram received has to be the latter's answer (one client socket is served in order by one channel).
    private void send(final DatagramSocket socket, final byte[] payload) throws Exception {
        socket.send(new DatagramPacket(payload, payload.length, listener.localAddress()));
    }

    private static byte[] receive(final DatagramSocket socket) throws Exception {
        final var buffer = new byte[UdpListener.RECEIVE_SIZE + 1];
        final var packet = new DatagramPacket(buffer, buffer.length);
        socket.receive(packet);
        return Arrays.copyOf(buffer, packet.getLength());
    }

    private byte[] exchange(final DatagramSocket socket, final byte[] payload) throws Exception {
        send(socket, payload);
        return receive(socket);
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void anAddressInUseIsTheDeclaredFailure(final boolean epoll) throws Exception {
        if (epoll && !Epoll.isAvailable()) {
            return;
        }
        group = new MultiThreadIoEventLoopGroup(2, epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        // a socket without SO_REUSEADDR or SO_REUSEPORT: nobody else may bind its port
        try (var holder = new DatagramSocket(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0))) {
            final var taken = (InetSocketAddress) holder.getLocalSocketAddress();
            // the caller catches IllegalStateException only; Netty's own BindException (checked) would pass it
            final var failure = assertThrows(IllegalStateException.class, () -> UdpListener.bind("gw1", taken, group,
                epoll, 2, 1 << 20, engine, new ClientRateLimiter(1e6, 1e6), counters));
            assertTrue(failure.getMessage().contains(taken.toString()), failure.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = { false, true })
    void answersComeBackFromTheServingSocketAndSurviveBadEngines(final boolean epoll) throws Exception {
        if (epoll && !Epoll.isAvailable()) {
            return;
        }
        start(epoll, new ClientRateLimiter(1e6, 1e6));
        try (var socket = new DatagramSocket(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0))) {
            // a busy machine may take a while; no assertion waits for this to pass
            socket.setSoTimeout(10_000);
            assertArrayEquals(new byte[] { 3, 2, 1 }, exchange(socket, new byte[] { 1, 2, 3 }));
            send(socket, new byte[] { 0x7f, 1 });
            send(socket, new byte[] { 0x7e, 1 });
            send(socket, new byte[] { 0x7c, 1 });
            send(socket, new byte[] { 0x7d, 1 });
            final var later = Await.until(held::get, Objects::nonNull);
            // the engine has not answered 0x7d yet: the next answer is this one, so none came for 0x7f, 0x7e, 0x7c
            assertArrayEquals(new byte[] { 5, 4 }, exchange(socket, new byte[] { 4, 5 }));
            later.complete();
            assertArrayEquals(new byte[] { 1, 0x7d }, receive(socket));
            // still serving after all that
            assertArrayEquals(new byte[] { 7, 6 }, exchange(socket, new byte[] { 6, 7 }));
            assertEquals(2, counters.failed().sum());
        }
    }

    @Test
    void datagramsOfAnySizeNeverStopTheListener() throws Exception {
        start(false, new ClientRateLimiter(1e6, 1e6));
        final var random = new Random(5351);
        try (var socket = new DatagramSocket(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0))) {
            socket.setSoTimeout(10_000);
            for (int i = 0; i < 200; i++) {
                final var payload = new byte[random.nextInt(i % 20 == 0 ? 9000 : 1200) + 1];
                random.nextBytes(payload);
                payload[0] = (byte) (payload[0] & 0x3f);
                final var answer = exchange(socket, payload);
                // the socket keeps at most RECEIVE_SIZE bytes of a datagram
                assertEquals(Math.min(payload.length, UdpListener.RECEIVE_SIZE), answer.length);
            }
        }
    }

    @Test
    void clientsOverTheirRateAreDroppedSilently() throws Exception {
        final var now = new AtomicLong();
        start(false, new ClientRateLimiter(1, 3, now::get));
        try (var socket = new DatagramSocket(new InetSocketAddress(InetAddresses.forString("127.0.0.1"), 0))) {
            socket.setSoTimeout(10_000);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(new byte[] { 1 }, exchange(socket, new byte[] { 1 }));
            }
            send(socket, new byte[] { 2 });
            Await.until(() -> counters.limited().sum(), dropped -> dropped == 1);
            now.addAndGet(1_000_000_000L);
            // the next answer is to 3, so 2 was not answered
            assertArrayEquals(new byte[] { 3 }, exchange(socket, new byte[] { 3 }));
            assertEquals(1, counters.limited().sum());
        }
    }

    @Test
    void closingUnregistersTheAnnouncer() {
        start(false, new ClientRateLimiter(1, 1));
        assertEquals(1, announcers.size());
        listener.close();
        listener = null;
        assertFalse(announcers.iterator().hasNext());
    }
}
