/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Nonce;

/**
 * One sending thread: a selector over its share of the client sockets, a fixed window of request slots, and a loop
 * that keeps the window full (or follows the open-loop rate), reads answers as they come and expires requests not
 * answered in time. Requests are never retransmitted. Every socket is connected to the target, so it receives only
 * the target's datagrams, and the ICMP port-unreachable of a target that is not listening shows up as a receive or
 * send error.
 */
final class Worker implements AutoCloseable {
    /**
     * The two phases of a run.
     */
    enum Phase {
        /**
         * The load itself.
         */
        MAIN,
        /**
         * Lifetime 0 for every mapping the main phase created (--delete-after).
         */
        DELETE
    }

    /**
     * One client socket.
     */
    private static final class Endpoint {
        final int index;
        final DatagramChannel channel;
        final RequestTemplate template;
        final byte @Nullable [] nonce;
        // internal ports of mappings created with SUCCESS, for the delete phase
        final BitSet created = new BitSet();
        final int firstPort;
        final int lastPort;
        int nextPort;

        Endpoint(final int index, final DatagramChannel channel, final RequestTemplate template,
                final byte @Nullable [] nonce, final int firstPort, final int lastPort) {
            this.index = index;
            this.channel = channel;
            this.template = template;
            this.nonce = nonce;
            this.firstPort = firstPort;
            this.lastPort = lastPort;
            nextPort = firstPort;
        }
    }

    private static final int SOCKET_BUFFER = 1 << 20;
    private static final int NONCE_OFFSET = 24;
    private static final int NONCE_SIZE = 12;
    private static final int PCP_SUCCESS = 0;

    private final Mode mode;
    private final long lifetime;
    private final boolean trackMappings;
    private final long timeoutNanos;
    private final long scanIntervalNanos;
    private final Selector selector;
    private final Endpoint[] endpoints;

    // the window: slot i is a request in flight when active[i]
    private final int window;
    private final long[] sentAt;
    private final int[] slotEndpoint;
    private final int[] slotPort;
    private final boolean[] active;
    private final int[] free;
    private int freeCount;
    // (endpoint << 16 | internal port) -> slot; unkeyed modes use port 0
    private final LongIntMap inFlight;
    // unkeyed modes: endpoints with nothing outstanding, as a ring
    private final int[] idle;
    private int idleHead;
    private int idleCount;
    private int nextEndpoint;

    private final ByteBuffer sendBuffer = ByteBuffer.allocateDirect(2048);
    private final ByteBuffer receiveBuffer = ByteBuffer.allocateDirect(2048);

    private PhaseStats stats = new PhaseStats();
    private Phase phase = Phase.MAIN;
    private int deleteEndpoint;
    private int deletePort = -1;

    /**
     * Opens and binds the sockets of this worker.
     *
     * @param options the run's options
     * @param sockets this worker's share of the client sockets
     * @param window this worker's share of the window
     * @throws IOException if a socket cannot be bound or connected
     */
    Worker(final LoadOptions options, final List<ClientSocket> sockets, final int window) throws IOException {
        mode = options.mode();
        lifetime = options.lifetime();
        trackMappings = options.deleteAfter() && mode.isKeyed();
        timeoutNanos = options.timeoutNanos();
        scanIntervalNanos = Math.max(1_000_000, Math.min(10_000_000, timeoutNanos / 10));
        this.window = window;
        selector = Selector.open();
        final List<Endpoint> opened = new ArrayList<>();
        InetAddress client = null;
        try {
            for (int i = 0; i < sockets.size(); i++) {
                final ClientSocket socket = sockets.get(i);
                client = socket.address();
                final Nonce nonce = socket.nonce();
                final DatagramChannel channel = DatagramChannel.open(client.getAddress().length == 4
                    ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6);
                final Endpoint endpoint = new Endpoint(i, channel, RequestTemplate.of(mode, client, nonce,
                    options.protocol()), nonce == null ? null : nonceBytes(nonce), socket.firstPort(),
                    socket.lastPort());
                opened.add(endpoint);
                channel.setOption(StandardSocketOptions.SO_RCVBUF, SOCKET_BUFFER);
                channel.setOption(StandardSocketOptions.SO_SNDBUF, SOCKET_BUFFER);
                channel.bind(new InetSocketAddress(client, 0));
                channel.connect(options.target());
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, endpoint);
            }
        } catch (IOException e) {
            for (Endpoint endpoint : opened) {
                endpoint.channel.close();
            }
            selector.close();
            throw new IOException("Cannot open a client socket on " + client + " to " + options.target() + ": "
                + e.getMessage(), e);
        }
        endpoints = opened.toArray(new Endpoint[0]);

        sentAt = new long[window];
        slotEndpoint = new int[window];
        slotPort = new int[window];
        active = new boolean[window];
        free = new int[window];
        for (int i = 0; i < window; i++) {
            free[i] = window - 1 - i;
        }
        freeCount = window;
        inFlight = new LongIntMap(window);
        idle = new int[endpoints.length];
        for (int i = 0; i < endpoints.length; i++) {
            idle[i] = i;
        }
        idleCount = endpoints.length;
    }

    private static byte[] nonceBytes(final Nonce nonce) {
        return ByteBuffer.allocate(NONCE_SIZE).putLong(nonce.high()).putInt(nonce.low()).array();
    }

    /**
     * Runs one phase to its end: sending stops at the quota, the deadline or (when deleting) when no mapping is left
     * to delete; the phase ends when every request sent is answered or timed out.
     *
     * @param runPhase which phase
     * @param quota most requests to send
     * @param deadlineNanos {@link System#nanoTime()} after which nothing more is sent
     * @param rate open-loop rate of this worker in requests/s, 0 for closed loop
     * @return this worker's counters of the phase
     * @throws IOException if the selector fails
     */
    PhaseStats run(final Phase runPhase, final long quota, final long deadlineNanos, final double rate)
            throws IOException {
        phase = runPhase;
        stats = new PhaseStats();
        final long start = System.nanoTime();
        stats.startNanos = start;
        long nextScan = start + scanIntervalNanos;
        boolean sending = true;
        while (true) {
            long now = System.nanoTime();
            // a failed send uses up its share of the quota too, so a target that refuses everything ends the run
            final long attempts = stats.sent + stats.sendErrors;
            if (sending && (attempts >= quota || now - deadlineNanos >= 0)) {
                sending = false;
            }
            if (!sending && freeCount == window) {
                return stats;
            }
            boolean wait = true;
            if (sending) {
                final long allowed = rate > 0 ? Math.min(quota, (long) ((now - start) * rate / 1e9) + 1) : quota;
                while (freeCount > 0 && stats.sent + stats.sendErrors < allowed) {
                    final int result = sendOne();
                    if (result < 0) {
                        sending = false;
                    }
                    if (result <= 0) {
                        break;
                    }
                }
                // more may be sent at once unless the window is full, the rate holds us back or nothing is left
                wait = freeCount == 0 || !sending || stats.sent + stats.sendErrors >= allowed;
            }
            if (wait) {
                selector.select(this::receive, 1);
            } else {
                selector.selectNow(this::receive);
            }
            now = System.nanoTime();
            if (now - nextScan >= 0) {
                expire(now);
                nextScan = now + scanIntervalNanos;
            }
        }
    }

    // 1: sent; 0: cannot send now (no idle socket, socket buffer full, send error); -1: nothing left to send
    private int sendOne() {
        final Endpoint endpoint;
        final int port;
        final long requestLifetime;
        if (phase == Phase.DELETE) {
            if (!nextDelete()) {
                return -1;
            }
            endpoint = endpoints[deleteEndpoint];
            port = deletePort;
            requestLifetime = 0;
        } else if (mode.isKeyed()) {
            endpoint = nextKeyedEndpoint();
            if (endpoint == null) {
                return 0;
            }
            port = endpoint.nextPort;
            requestLifetime = lifetime;
        } else {
            if (idleCount == 0) {
                return 0;
            }
            endpoint = endpoints[idle[idleHead]];
            port = 0;
            requestLifetime = lifetime;
        }

        endpoint.template.write(sendBuffer, port, requestLifetime);
        final int written;
        try {
            written = endpoint.channel.write(sendBuffer);
        } catch (IOException e) {
            // typically ECONNREFUSED: an ICMP port unreachable from an earlier datagram
            stats.sendErrors++;
            return 0;
        }
        if (written == 0) {
            // socket send buffer full; a delete is retried from the same place
            if (phase == Phase.DELETE) {
                endpoint.created.set(port);
            }
            return 0;
        }
        final long now = System.nanoTime();
        if (phase == Phase.MAIN) {
            if (mode.isKeyed()) {
                endpoint.nextPort = endpoint.nextPort == endpoint.lastPort ? endpoint.firstPort
                    : endpoint.nextPort + 1;
            } else {
                idleHead = idleHead + 1 == idle.length ? 0 : idleHead + 1;
                idleCount--;
            }
        }
        final int slot = free[--freeCount];
        active[slot] = true;
        sentAt[slot] = now;
        slotEndpoint[slot] = endpoint.index;
        slotPort[slot] = port;
        inFlight.put(key(endpoint.index, port), slot);
        stats.sent++;
        stats.lastSendNanos = now;
        return 1;
    }

    // keyed modes: round robin over the sockets, skipping one whose next port is still in flight
    private @Nullable Endpoint nextKeyedEndpoint() {
        for (int tries = 0; tries < endpoints.length; tries++) {
            final Endpoint endpoint = endpoints[nextEndpoint];
            nextEndpoint = nextEndpoint + 1 == endpoints.length ? 0 : nextEndpoint + 1;
            if (inFlight.get(key(endpoint.index, endpoint.nextPort)) < 0) {
                return endpoint;
            }
        }
        return null;
    }

    // advances the delete cursor to the next created mapping and takes it off the list
    private boolean nextDelete() {
        while (deleteEndpoint < endpoints.length) {
            final BitSet created = endpoints[deleteEndpoint].created;
            deletePort = created.nextSetBit(0);
            if (deletePort >= 0) {
                created.clear(deletePort);
                return true;
            }
            deleteEndpoint++;
        }
        return false;
    }

    private void receive(final SelectionKey selectionKey) {
        final Endpoint endpoint = (Endpoint) selectionKey.attachment();
        while (true) {
            receiveBuffer.clear();
            final int length;
            try {
                length = endpoint.channel.read(receiveBuffer);
            } catch (PortUnreachableException e) {
                stats.receiveErrors++;
                continue;
            } catch (IOException e) {
                stats.receiveErrors++;
                return;
            }
            if (length <= 0) {
                return;
            }
            receiveBuffer.flip();
            answer(endpoint, System.nanoTime());
        }
    }

    private void answer(final Endpoint endpoint, final long now) {
        final long parsed = mode.parse(receiveBuffer);
        if (parsed == Mode.INVALID || endpoint.nonce != null && !nonceMatches(endpoint.nonce)) {
            stats.unmatched++;
            return;
        }
        // unkeyed modes have at most one request in flight per socket, under port 0
        final int port = mode.isKeyed() ? Mode.key(parsed) : 0;
        final int slot = port >= 0 ? inFlight.get(key(endpoint.index, port)) : oldestOf(endpoint.index);
        if (slot < 0) {
            stats.unmatched++;
            return;
        }
        final int resultCode = Mode.resultCode(parsed);
        stats.latency.recordValue(now - sentAt[slot]);
        stats.answered++;
        stats.lastAnswerNanos = now;
        stats.countResult(resultCode);
        if (trackMappings && phase == Phase.MAIN && resultCode == PCP_SUCCESS && lifetime != 0 && port > 0) {
            endpoint.created.set(port);
        }
        release(slot);
    }

    // a PCP MAP answer must carry the client's nonce (RFC 6887 section 11.4), including its error answers
    private boolean nonceMatches(final byte[] nonce) {
        if (receiveBuffer.limit() < NONCE_OFFSET + NONCE_SIZE) {
            // too short to hold one: an error answer that does not echo the request; matched by socket only
            return true;
        }
        for (int i = 0; i < NONCE_SIZE; i++) {
            if (receiveBuffer.get(NONCE_OFFSET + i) != nonce[i]) {
                return false;
            }
        }
        return true;
    }

    // an answer naming no port (a short error answer): the oldest request in flight on its socket. Rare, so a scan.
    private int oldestOf(final int endpointIndex) {
        int oldest = -1;
        for (int slot = 0; slot < window; slot++) {
            if (active[slot] && slotEndpoint[slot] == endpointIndex
                && (oldest < 0 || sentAt[slot] - sentAt[oldest] < 0)) {
                oldest = slot;
            }
        }
        return oldest;
    }

    private void expire(final long now) {
        for (int slot = 0; slot < window; slot++) {
            if (active[slot] && now - sentAt[slot] > timeoutNanos) {
                stats.lost++;
                release(slot);
            }
        }
    }

    private void release(final int slot) {
        active[slot] = false;
        inFlight.remove(key(slotEndpoint[slot], slotPort[slot]));
        free[freeCount++] = slot;
        if (!mode.isKeyed()) {
            idle[(idleHead + idleCount) % idle.length] = slotEndpoint[slot];
            idleCount++;
        }
    }

    private static long key(final int endpointIndex, final int port) {
        return (long) endpointIndex << 16 | port;
    }

    /**
     * Mappings created with SUCCESS and not yet deleted.
     */
    long createdMappings() {
        return Arrays.stream(endpoints).mapToLong(endpoint -> endpoint.created.cardinality()).sum();
    }

    @Override
    public void close() throws IOException {
        for (Endpoint endpoint : endpoints) {
            endpoint.channel.close();
        }
        selector.close();
    }
}
