/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import org.pcpcontroller.api.codec.DecodeResult;
import org.pcpcontroller.api.codec.MessageDispatcher;
import org.pcpcontroller.api.pcp.PcpDecodeResult;
import org.pcpcontroller.api.pcp.PcpResponse;

/**
 * The controller's answers as the system tests' own clients see them: decoded with the project's codec (tshark checks
 * them independently), and awaited from a listener that binds only once its gateway is configured.
 */
final class Answers {
    private static final int RESEND_MILLIS = 500;

    private Answers() {
        // utility
    }

    /**
     * A PCP response from its bytes; fails the test when they are not one.
     */
    static PcpResponse pcp(final byte[] answer) {
        final var decoded = assertInstanceOf(DecodeResult.Pcp.class,
            new MessageDispatcher().decodeResponse(answer)).result();
        return (PcpResponse) assertInstanceOf(PcpDecodeResult.Decoded.class, decoded, decoded::toString).message();
    }

    /**
     * A PCP response from what {@code udp.py ask} printed: its hex, or "timeout".
     */
    static PcpResponse pcp(final String hex) {
        assertNotEquals("timeout", hex, "no answer");
        return pcp(HexFormat.of().parseHex(hex));
    }

    /**
     * Sends the request from the client address every half second until the server answers, and returns the answer:
     * a UDP listener binds once its gateway is configured, which the test cannot see otherwise.
     */
    static byte[] await(final InetSocketAddress client, final InetSocketAddress server, final byte[] request,
            final Duration timeout) throws Exception {
        return await(client, server, request, Duration.ofMillis(RESEND_MILLIS), timeout);
    }

    /**
     * Sends the request from the client address every {@code resend} until the server answers, and returns the
     * answer. A request whose answer waits for a renderer needs a resend longer than that wait, or the answer seen
     * may be the one to the repeated request.
     */
    static byte[] await(final InetSocketAddress client, final InetSocketAddress server, final byte[] request,
            final Duration resend, final Duration timeout) throws Exception {
        try (var socket = new DatagramSocket(client)) {
            socket.setSoTimeout(Math.toIntExact(resend.toMillis()));
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() - deadline < 0) {
                socket.send(new DatagramPacket(request, request.length, server));
                final var packet = new DatagramPacket(new byte[1500], 1500);
                try {
                    socket.receive(packet);
                    return Arrays.copyOf(packet.getData(), packet.getLength());
                } catch (SocketTimeoutException e) {
                    // not bound yet: send again
                }
            }
        }
        throw new AssertionError("no answer from " + server + " to " + client + " within " + timeout);
    }
}
