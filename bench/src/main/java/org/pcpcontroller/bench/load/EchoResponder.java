/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.PrintStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.pcpcontroller.api.codec.DecodeResult;
import org.pcpcontroller.api.codec.MessageDispatcher;
import org.pcpcontroller.api.natpmp.NatPmpCodec;
import org.pcpcontroller.api.natpmp.NatPmpDecodeResult;
import org.pcpcontroller.api.natpmp.NatPmpMessage;
import org.pcpcontroller.api.natpmp.NatPmpResultCode;
import org.pcpcontroller.api.pcp.AnnounceData;
import org.pcpcontroller.api.pcp.MapData;
import org.pcpcontroller.api.pcp.PcpCodec;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpRequest;
import org.pcpcontroller.api.pcp.PcpResponse;
import org.pcpcontroller.api.pcp.PeerData;
import org.pcpcontroller.api.pcp.ResultCode;

/**
 * A stand-in PCP/NAT-PMP server for testing the load generator without the product. It keeps no state: every MAP
 * and PEER is granted with the external port equal to the internal one (lifetime clamped to 120..86400 as miniupnpd
 * does, 0 kept), ANNOUNCE is answered SUCCESS, NAT-PMP public address and mapping requests are answered SUCCESS,
 * and codec failures get the codec's error answers. A PCP request whose client IP address field differs from the
 * packet's source gets ADDRESS_MISMATCH (RFC 6887 section 8.1), which is how tests see that the generator fills it
 * in right.
 *
 * <p>By default each datagram is decoded and each answer encoded with the api codec; {@code raw} answers in place
 * instead (the request with the response header written over it, as miniupnpd does), to measure the generator with
 * a cheaper peer. {@code dropEvery} n drops every n-th datagram of each thread unanswered, to test loss counting.
 */
public final class EchoResponder implements AutoCloseable {
    private static final long MIN_LIFETIME = 120;
    private static final long MAX_LIFETIME = 86_400;
    private static final int PCP_MAP_SIZE = 60;
    private static final byte[] NO_ANSWER = new byte[0];

    private final MessageDispatcher dispatcher = new MessageDispatcher();
    private final List<DatagramChannel> channels;
    private final List<Thread> threads = new ArrayList<>();
    private final Inet4Address externalAddress;
    private final byte[] mappedExternal;
    private final boolean raw;
    private final long dropEvery;
    private final long startNanos = System.nanoTime();
    private final LongAdder received = new LongAdder();
    private final LongAdder answered = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    private EchoResponder(final List<DatagramChannel> channels, final Inet4Address externalAddress,
            final boolean raw, final long dropEvery) {
        this.channels = channels;
        this.externalAddress = requireNonNull(externalAddress);
        mappedExternal = ByteBuffer.allocate(16).putShort(10, (short) 0xffff).put(12, externalAddress.getAddress())
            .array();
        this.raw = raw;
        this.dropEvery = dropEvery;
    }

    /**
     * Binds and starts answering, one thread per socket; several sockets share the port with SO_REUSEPORT.
     *
     * @param bind the address to listen on; port 0 picks a free one
     * @param threadCount number of sockets and threads
     * @param externalAddress the external address announced in answers
     * @param raw answer in place instead of through the codec
     * @param dropEvery drop every n-th datagram of each thread; 0 drops none
     * @throws IOException if binding fails
     */
    public static EchoResponder start(final InetSocketAddress bind, final int threadCount,
            final Inet4Address externalAddress, final boolean raw, final long dropEvery) throws IOException {
        final List<DatagramChannel> channels = new ArrayList<>();
        InetSocketAddress address = bind;
        try {
            for (int i = 0; i < threadCount; i++) {
                final DatagramChannel channel = DatagramChannel.open();
                channels.add(channel);
                if (threadCount > 1) {
                    channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
                }
                channel.setOption(StandardSocketOptions.SO_RCVBUF, 1 << 20);
                channel.bind(address);
                address = (InetSocketAddress) channel.getLocalAddress();
            }
        } catch (IOException e) {
            for (DatagramChannel channel : channels) {
                channel.close();
            }
            throw e;
        }
        final EchoResponder responder = new EchoResponder(channels, externalAddress, raw, dropEvery);
        for (DatagramChannel channel : channels) {
            final Thread thread = new Thread(() -> responder.serve(channel), "echo-responder");
            thread.setDaemon(true);
            responder.threads.add(thread);
            thread.start();
        }
        return responder;
    }

    /**
     * The address the responder listens on.
     */
    public InetSocketAddress localAddress() {
        try {
            return (InetSocketAddress) channels.getFirst().getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("Responder socket closed", e);
        }
    }

    public long received() {
        return received.sum();
    }

    public long answered() {
        return answered.sum();
    }

    public long dropped() {
        return dropped.sum();
    }

    private void serve(final DatagramChannel channel) {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        long count = 0;
        try {
            while (true) {
                buffer.clear();
                final SocketAddress source = channel.receive(buffer);
                received.increment();
                count++;
                if (dropEvery > 0 && count % dropEvery == 0) {
                    dropped.increment();
                    continue;
                }
                buffer.flip();
                final byte[] request = new byte[buffer.remaining()];
                buffer.get(request);
                final byte[] response = raw ? answerInPlace(request)
                    : answer(request, ((InetSocketAddress) source).getAddress());
                if (response.length > 0) {
                    channel.send(ByteBuffer.wrap(response), source);
                    answered.increment();
                }
            }
        } catch (ClosedChannelException e) {
            // closed by close(): done
        } catch (IOException e) {
            throw new IllegalStateException("Responder socket failed", e);
        }
    }

    private long epochTime() {
        return TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    }

    /**
     * The answer to {@code request} from {@code source}, through the codec; empty for none.
     */
    byte[] answer(final byte[] request, final InetAddress source) {
        final long epoch = epochTime();
        return switch (dispatcher.decodeRequest(request)) {
            case DecodeResult.Pcp(PcpDecodeResult.Decoded(PcpRequest pcp)) -> answerPcp(pcp, request, source, epoch);
            case DecodeResult.Pcp(PcpDecodeResult.Failed failed) ->
                failed.errorResponse(failed.resultCode().isShortLifetimeError() ? 30 : 0, epoch);
            case DecodeResult.NatPmp(NatPmpDecodeResult.Decoded(NatPmpMessage.PublicAddressRequest address)) ->
                NatPmpCodec.encode(new NatPmpMessage.PublicAddressResponse(NatPmpResultCode.SUCCESS, epoch,
                    externalAddress));
            case DecodeResult.NatPmp(NatPmpDecodeResult.Decoded(NatPmpMessage.MappingRequest map)) ->
                NatPmpCodec.encode(new NatPmpMessage.MappingResponse(map.protocol(), NatPmpResultCode.SUCCESS,
                    epoch, map.internalPort(), map.requestedLifetime() == 0 ? 0 : map.internalPort(),
                    map.requestedLifetime()));
            case DecodeResult.NatPmp(NatPmpDecodeResult.Failed failed) ->
                NatPmpCodec.encode(failed.errorResponse(epoch));
            default -> NO_ANSWER;
        };
    }

    private byte[] answerPcp(final PcpRequest request, final byte[] datagram, final InetAddress source,
            final long epoch) {
        if (!request.clientAddress().equals(source)) {
            return PcpCodec.errorResponse(datagram, request.version(), ResultCode.ADDRESS_MISMATCH, 0, epoch);
        }
        final long requested = request.requestedLifetime();
        final long lifetime = requested == 0 ? 0 : Math.min(MAX_LIFETIME, Math.max(MIN_LIFETIME, requested));
        final var data = switch (request.data()) {
            case MapData map -> new MapData(map.nonce(), map.protocol(), map.internalPort(), map.internalPort(),
                externalAddress);
            case PeerData peer -> new PeerData(peer.nonce(), peer.protocol(), peer.internalPort(),
                peer.internalPort(), externalAddress, peer.remotePeerPort(), peer.remotePeerAddress());
            case AnnounceData announce -> announce;
            default -> null;
        };
        if (data == null) {
            return PcpCodec.errorResponse(datagram, request.version(), ResultCode.UNSUPP_OPCODE, 0, epoch);
        }
        return dispatcher.pcpCodec().encode(new PcpResponse(request.version(), ResultCode.SUCCESS, lifetime, epoch,
            data, request.options()));
    }

    /**
     * The answer to {@code request} written over a copy of it, without the codec; empty for none.
     */
    byte[] answerInPlace(final byte[] request) {
        final int epoch = (int) epochTime();
        if (request.length < 2 || (request[1] & 0x80) != 0) {
            return NO_ANSWER;
        }
        if (request[0] != 0) {
            if (request.length < PcpCodec.HEADER_SIZE) {
                return NO_ANSWER;
            }
            // RFC 6887 section 7.2 header over the request; MAP and PEER get the external port and address
            final ByteBuffer response = ByteBuffer.wrap(Arrays.copyOf(request, request.length));
            response.put(1, (byte) (request[1] | 0x80)).put(2, (byte) 0).put(3, (byte) 0).putInt(8, epoch)
                .put(12, new byte[12]);
            final int opcode = request[1];
            if ((opcode == 1 || opcode == 2) && request.length >= PCP_MAP_SIZE) {
                response.putShort(42, response.getShort(40)).put(44, mappedExternal);
            }
            return response.array();
        }
        return switch (request[1]) {
            case 0 -> ByteBuffer.allocate(12).put(1, (byte) 0x80).putInt(4, epoch)
                .put(8, externalAddress.getAddress()).array();
            case 1, 2 -> {
                if (request.length < 12) {
                    yield NO_ANSWER;
                }
                // RFC 6886 section 3.3: internal port, mapped port (here the internal one; 0 when deleting), lifetime
                final ByteBuffer in = ByteBuffer.wrap(request);
                final int lifetime = in.getInt(8);
                yield ByteBuffer.allocate(16).put(1, (byte) (0x80 | request[1])).putInt(4, epoch)
                    .putShort(8, in.getShort(4)).putShort(10, lifetime == 0 ? 0 : in.getShort(4))
                    .putInt(12, lifetime).array();
            }
            default -> ByteBuffer.allocate(8).put(1, (byte) (0x80 | request[1])).putShort(2, (short) 5)
                .putInt(4, epoch).array();
        };
    }

    @Override
    public void close() throws IOException {
        for (DatagramChannel channel : channels) {
            channel.close();
        }
        for (Thread thread : threads) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Runs the responder until killed, or for {@code --duration} seconds.
     *
     * <p>Options: {@code --bind HOST:PORT} (default 127.0.0.1:5351), {@code --threads N} (1), {@code --raw},
     * {@code --drop-every N}, {@code --external ADDR} (203.0.113.1), {@code --duration S}.
     *
     * @param args the options
     * @throws Exception if binding fails or the wait is interrupted
     */
    @SuppressWarnings("checkstyle:RegexpSinglelineJava")
    public static void main(final String[] args) throws Exception {
        // a command-line tool: its report is its standard output
        final PrintStream stdout = System.out;
        InetSocketAddress bind = LoadOptions.socketAddress("127.0.0.1:5351");
        int threadCount = 1;
        boolean raw = false;
        long dropEvery = 0;
        Inet4Address external = (Inet4Address) LoadOptions.address("203.0.113.1");
        long durationSeconds = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--bind" -> bind = LoadOptions.socketAddress(args[++i]);
                case "--threads" -> threadCount = Integer.parseInt(args[++i]);
                case "--raw" -> raw = true;
                case "--drop-every" -> dropEvery = Long.parseLong(args[++i]);
                case "--external" -> external = (Inet4Address) LoadOptions.address(args[++i]);
                case "--duration" -> durationSeconds = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("Unknown option " + args[i]);
            }
        }
        final CountDownLatch stop = new CountDownLatch(1);
        try (EchoResponder responder = start(bind, threadCount, external, raw, dropEvery)) {
            stdout.println("echo responder on " + responder.localAddress() + (raw ? " (raw)" : " (codec)") + ", "
                + threadCount + " thread(s)");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stdout.println("received " + responder.received() + " answered " + responder.answered()
                    + " dropped " + responder.dropped());
                stop.countDown();
            }));
            if (durationSeconds > 0) {
                // the shutdown hook prints the counts when the JVM exits
                Thread.sleep(TimeUnit.SECONDS.toMillis(durationSeconds));
            } else {
                stop.await();
            }
        }
    }
}
