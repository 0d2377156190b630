/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.netconf.client.SimpleNetconfClientSessionListener;
import org.opendaylight.netconf.common.di.DefaultNetconfTimer;
import org.pcpcontroller.impl.Await;

/**
 * The listener's life on loopback, without a gateway: it listens only while some gateway is registered, tells a
 * waiting renderer why it cannot listen, and refuses registrations that could not tell a caller apart.
 */
class CallHomeServerTest {
    private static final String KEY = "SHA256:" + "A".repeat(43);
    private static final SshCredentials CREDENTIALS = new SshCredentials.Password("pcpgw", "secret");

    private final DefaultNetconfTimer timer = new DefaultNetconfTimer();
    private InetSocketAddress address;
    private CallHomeServer server;

    @BeforeEach
    void start() throws IOException {
        // a port free right now; nothing else on this machine listens on loopback ports it did not choose
        try (var probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            address = new InetSocketAddress(InetAddress.getLoopbackAddress(), probe.getLocalPort());
        }
        server = new CallHomeServer(timer, address, 4);
    }

    @AfterEach
    void stop() {
        server.close();
        timer.close();
    }

    private boolean accepts() {
        try (var socket = new Socket()) {
            socket.connect(address, 2_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private CallHomeGateway registered(final String gateway, final String key) {
        return assertInstanceOf(Registration.Registered.class, server.register(gateway, key, CREDENTIALS)).gateway();
    }

    @Test
    void itListensOnlyWhileSomeGatewayIsRegistered() throws Exception {
        assertFalse(accepts());
        final var first = registered("gw1", KEY);
        final var second = registered("gw2", "SHA256:" + "B".repeat(43));
        Await.until(this::accepts, accepting -> accepting);
        first.close();
        assertTrue(accepts());
        second.close();
        Await.until(this::accepts, accepting -> !accepting);
        // and again when a gateway comes back
        registered("gw1", KEY);
        Await.until(this::accepts, accepting -> accepting);
    }

    @Test
    void aRequestLearnsWhyTheListenerCannotListenAndTheNextOneTriesAgain() throws Exception {
        try (var squatter = new ServerSocket(address.getPort(), 1, address.getAddress())) {
            final var registration = registered("gw", KEY);
            final var request = registration.nextSession(new SimpleNetconfClientSessionListener());
            final var failure = assertThrows(ExecutionException.class, () -> request.get(10, TimeUnit.SECONDS));
            assertInstanceOf(IOException.class, failure.getCause());
            assertTrue(failure.getCause().getMessage().startsWith("cannot listen for NETCONF Call Home on "),
                failure.getCause().getMessage());
            squatter.close();
            // the renderer asks again after its backoff: the listener binds now, and the request waits for a call
            final var again = registration.nextSession(new SimpleNetconfClientSessionListener());
            Await.until(Duration.ofSeconds(10), this::accepts, accepting -> accepting);
            assertFalse(again.isDone());
        }
    }

    @Test
    void whatIsNotAHostKeyFingerprintCannotIdentifyACaller() {
        final var refused = assertInstanceOf(Registration.Refused.class, server.register("gw", "trust-on-first-use",
            CREDENTIALS));
        assertEquals("call home needs the gateway's host key fingerprint (SHA256:...), not trust-on-first-use",
            refused.reason());
        assertFalse(accepts());
    }

    @Test
    void aHostKeyIdentifiesOneGatewayOnly() {
        registered("gw", KEY);
        // as ssh-keygen prints it, with padding: the same key
        final var refused = assertInstanceOf(Registration.Refused.class, server.register("other", KEY + "=",
            CREDENTIALS));
        assertEquals("host key " + KEY + " already identifies gateway gw", refused.reason());
    }

    @Test
    void aStoppedListenerAnswersAtOnce() throws Exception {
        final var gateway = registered("gw", KEY);
        final var pending = gateway.nextSession(new SimpleNetconfClientSessionListener());
        server.close();
        final var failure = assertThrows(ExecutionException.class, () -> pending.get(10, TimeUnit.SECONDS));
        assertEquals("the call-home listener stopped", failure.getCause().getMessage());
        final var later = gateway.nextSession(new SimpleNetconfClientSessionListener());
        assertEquals("the call-home listener is stopped", assertThrows(ExecutionException.class,
            () -> later.get(10, TimeUnit.SECONDS)).getCause().getMessage());
        assertInstanceOf(Registration.Refused.class, server.register("gw2", "SHA256:" + "C".repeat(43),
            CREDENTIALS));
        Await.until(this::accepts, accepting -> !accepting);
    }
}
