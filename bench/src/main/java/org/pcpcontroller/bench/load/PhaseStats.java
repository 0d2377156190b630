/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import java.util.Map;
import java.util.TreeMap;
import org.HdrHistogram.Histogram;

/**
 * Counters of one phase (sending, or deleting at the end) of one worker thread, merged over threads for the report.
 * Not thread-safe: each worker fills its own.
 */
final class PhaseStats {
    private static final int FAST_CODES = 256;

    long sent;
    long answered;
    long lost;
    // datagrams from the target that match no outstanding request: late answers after a timeout, duplicates,
    // wrong nonce, or not a response of this mode
    long unmatched;
    long sendErrors;
    long receiveErrors;
    long startNanos = Long.MAX_VALUE;
    long lastSendNanos = Long.MIN_VALUE;
    long lastAnswerNanos = Long.MIN_VALUE;
    // latency of answered requests, nanoseconds, 3 significant digits, resized as needed
    final Histogram latency = new Histogram(3);

    private final long[] resultCounts = new long[FAST_CODES];
    private final Map<Integer, Long> otherResultCounts = new TreeMap<>();

    void countResult(final int code) {
        if (code < FAST_CODES) {
            resultCounts[code]++;
        } else {
            otherResultCounts.merge(code, 1L, Long::sum);
        }
    }

    /**
     * Count of each result code seen.
     */
    Map<Integer, Long> resultCounts() {
        final Map<Integer, Long> counts = new TreeMap<>(otherResultCounts);
        for (int code = 0; code < FAST_CODES; code++) {
            if (resultCounts[code] != 0) {
                counts.put(code, resultCounts[code]);
            }
        }
        return counts;
    }

    /**
     * Adds another thread's counters to these.
     */
    void add(final PhaseStats other) {
        sent += other.sent;
        answered += other.answered;
        lost += other.lost;
        unmatched += other.unmatched;
        sendErrors += other.sendErrors;
        receiveErrors += other.receiveErrors;
        startNanos = Math.min(startNanos, other.startNanos);
        lastSendNanos = Math.max(lastSendNanos, other.lastSendNanos);
        lastAnswerNanos = Math.max(lastAnswerNanos, other.lastAnswerNanos);
        latency.add(other.latency);
        for (int code = 0; code < FAST_CODES; code++) {
            resultCounts[code] += other.resultCounts[code];
        }
        other.otherResultCounts.forEach((code, count) -> otherResultCounts.merge(code, count, Long::sum));
    }
}
