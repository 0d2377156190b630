/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * Bounds the NETCONF connection attempts (TCP, SSH key exchange and authentication, NETCONF hello) under way at once,
 * across all gateways. A fleet that connects all at once (controller start, a new configuration of thousands of
 * gateways) otherwise starts every handshake together: they share the CPU, none finishes within the hello timeout,
 * all fail and all retry together. Attempts beyond the limit wait in arrival order; nothing blocks a thread.
 */
final class ConnectSlots {
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    // guarded by this
    private int limit;
    private int used;

    ConnectSlots(final int limit) {
        checkArgument(limit > 0, "limit must be positive: %s", limit);
        this.limit = limit;
    }

    /**
     * Changes the limit in place: a higher one starts waiting attempts at once, a lower one lets the attempts under
     * way finish and starts new ones only below it.
     */
    void setLimit(final int newLimit) {
        checkArgument(newLimit > 0, "limit must be positive: %s", newLimit);
        final var start = new ArrayList<Runnable>();
        synchronized (this) {
            limit = newLimit;
            while (used < limit && !waiting.isEmpty()) {
                used++;
                start.add(waiting.poll());
            }
        }
        start.forEach(Runnable::run);
    }

    synchronized int limit() {
        return limit;
    }

    /**
     * Runs {@code attempt} once a slot is free, at once if one is. The attempt must {@link #release()} its slot
     * exactly once when it ends, however it ends.
     */
    void acquire(final Runnable attempt) {
        synchronized (this) {
            if (used >= limit) {
                waiting.add(attempt);
                return;
            }
            used++;
        }
        attempt.run();
    }

    /**
     * Gives a slot back: to the longest-waiting attempt, if any.
     */
    void release() {
        final Runnable next;
        synchronized (this) {
            // after a lower limit, a freed slot is not handed on until the attempts are below it
            next = used > limit ? null : waiting.poll();
            if (next == null) {
                used--;
                return;
            }
        }
        next.run();
    }

    synchronized int inUse() {
        return used;
    }

    synchronized int waiting() {
        return waiting.size();
    }
}
