/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import java.util.concurrent.TimeUnit;

/**
 * A token bucket: {@code rate} tokens a second, at most {@code burst} saved up. The rate and burst are given with
 * each call, so that a changed configuration applies at once.
 */
public final class TokenBucket {
    private static final double NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private double tokens;
    private long updated;

    /**
     * A full bucket.
     */
    public TokenBucket(final double burst, final long nowNanos) {
        tokens = burst;
        updated = nowNanos;
    }

    /**
     * Takes a token if there is one.
     *
     * @return whether one was taken
     */
    public synchronized boolean take(final long nowNanos, final double rate, final double burst) {
        tokens = Math.min(burst, tokens + (nowNanos - updated) * rate / NANOS_PER_SECOND);
        updated = nowNanos;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /**
     * Whether the bucket has filled up again: its owner has been idle long enough to be forgotten.
     */
    public synchronized boolean isFull(final long nowNanos, final double rate, final double burst) {
        return tokens + (nowNanos - updated) * rate / NANOS_PER_SECOND >= burst;
    }
}
