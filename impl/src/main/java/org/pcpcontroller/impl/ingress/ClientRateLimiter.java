/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress;

import static java.util.Objects.requireNonNull;

import com.google.common.annotations.VisibleForTesting;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.pcpcontroller.impl.engine.TokenBucket;

/**
 * A token bucket per client of a gateway: {@code rate} requests per second on average, bursts of {@code burst}.
 * What exceeds it is dropped before decoding, so that one client cannot starve the others or use the server as a
 * reflector. A client is its address within its gateway, never the bare address: homes reuse the same private
 * addresses, and one home's 192.168.1.10 must not use up another's. (The gateway's clients together are bounded by
 * the gateway's own {@code request-rate}, which the engine applies.) The table of clients is bounded: when full, idle
 * buckets (full again) are forgotten, and while every known client is active, new ones wait.
 */
public final class ClientRateLimiter {
    private static final int MAX_CLIENTS = 1 << 16;

    /** A client: its address as seen by the ingress, within the gateway the ingress serves it for. */
    private record Client(String gateway, InetAddress address) {
        Client {
            requireNonNull(gateway);
            requireNonNull(address);
        }
    }

    private final ConcurrentHashMap<Client, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final double rate;
    private final double burst;
    private final LongSupplier nanoTime;

    @VisibleForTesting
    public ClientRateLimiter(final double rate, final double burst, final LongSupplier nanoTime) {
        if (rate <= 0 || burst < 1) {
            throw new IllegalArgumentException("rate must be > 0 and burst >= 1, not " + rate + "/" + burst);
        }
        this.rate = rate;
        this.burst = burst;
        this.nanoTime = requireNonNull(nanoTime);
    }

    public ClientRateLimiter(final double rate, final double burst) {
        this(rate, burst, System::nanoTime);
    }

    /**
     * Whether a request of this client of this gateway may be served now.
     */
    public boolean tryAcquire(final String gateway, final InetAddress client) {
        final long now = nanoTime.getAsLong();
        final var key = new Client(gateway, client);
        var bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= MAX_CLIENTS) {
                buckets.values().removeIf(idle -> idle.isFull(now, rate, burst));
                if (buckets.size() >= MAX_CLIENTS) {
                    // that many clients all active at once is a flood from spoofed sources: serve known ones only
                    return false;
                }
            }
            bucket = buckets.computeIfAbsent(key, address -> new TokenBucket(burst, now));
        }
        return bucket.take(now, rate, burst);
    }
}
