/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * A client is its address within its gateway (RFC 6887 section 18.3.1 rate limits, per tenant): homes reuse the same
 * private addresses, and one home's 192.168.1.10 must not use up another's.
 */
class ClientRateLimiterTest {
    private static final java.net.InetAddress HOST = InetAddresses.forString("192.168.1.10");

    @Test
    void theSameAddressInTwoHomesIsTwoClients() {
        final var now = new AtomicLong();
        final var limiter = new ClientRateLimiter(1, 2, now::get);
        assertTrue(limiter.tryAcquire("home-a", HOST));
        assertTrue(limiter.tryAcquire("home-a", HOST));
        assertFalse(limiter.tryAcquire("home-a", HOST));
        // home-a's 192.168.1.10 used up its burst; home-b's has its own
        assertTrue(limiter.tryAcquire("home-b", HOST));
        assertTrue(limiter.tryAcquire("home-b", HOST));
        assertFalse(limiter.tryAcquire("home-b", HOST));
        // and each refills at its own rate
        now.addAndGet(1_000_000_000L);
        assertTrue(limiter.tryAcquire("home-a", HOST));
        assertFalse(limiter.tryAcquire("home-a", HOST));
    }

    @Test
    void anotherAddressOfTheSameHomeIsAnotherClient() {
        final var limiter = new ClientRateLimiter(1, 1, () -> 0);
        assertTrue(limiter.tryAcquire("home-a", HOST));
        assertFalse(limiter.tryAcquire("home-a", HOST));
        assertTrue(limiter.tryAcquire("home-a", InetAddresses.forString("192.168.1.11")));
    }
}
