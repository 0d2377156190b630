/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress;

import com.google.common.annotations.VisibleForTesting;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * A token bucket per client address: {@code rate} requests per second on average, bursts of {@code burst}. What
 * exceeds it is dropped before decoding, so that one client cannot starve the others or use the server as a
 * reflector. The table of clients is bounded: when full, idle buckets (full again) are forgotten, and while every
 * known client is active, new ones wait.
 */
public final class ClientRateLimiter {
    private static final int MAX_CLIENTS = 1 << 16;

    private static final class Bucket {
        private double tokens;
        private long updated;

        Bucket(final double tokens, final long now) {
            this.tokens = tokens;
            updated = now;
        }

        synchronized boolean take(final long now, final double rate, final double burst) {
            tokens = Math.min(burst, tokens + (now - updated) * rate / TimeUnit.SECONDS.toNanos(1));
            updated = now;
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean isFull(final long now, final double rate, final double burst) {
            return tokens + (now - updated) * rate / TimeUnit.SECONDS.toNanos(1) >= burst;
        }
    }

    private final ConcurrentHashMap<InetAddress, Bucket> buckets = new ConcurrentHashMap<>();
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
        this.nanoTime = nanoTime;
    }

    public ClientRateLimiter(final double rate, final double burst) {
        this(rate, burst, System::nanoTime);
    }

    /**
     * Whether a request of this client may be served now.
     */
    public boolean tryAcquire(final InetAddress client) {
        final long now = nanoTime.getAsLong();
        var bucket = buckets.get(client);
        if (bucket == null) {
            if (buckets.size() >= MAX_CLIENTS) {
                buckets.values().removeIf(idle -> idle.isFull(now, rate, burst));
                if (buckets.size() >= MAX_CLIENTS) {
                    // that many clients all active at once is a flood from spoofed sources: serve known ones only
                    return false;
                }
            }
            bucket = buckets.computeIfAbsent(client, address -> new Bucket(burst, now));
        }
        return bucket.take(now, rate, burst);
    }
}
