/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waits for a condition instead of sleeping: polls a value until it satisfies the condition, and fails with the last
 * value seen when it does not within the time given.
 */
public final class Await {
    private static final Duration DEFAULT = Duration.ofSeconds(10);
    private static final long POLL_MILLIS = 10;

    private Await() {
        // utility
    }

    /**
     * The first value that satisfies the condition, within 10 s.
     */
    public static <T> T until(final Callable<T> value, final Predicate<? super T> condition) throws Exception {
        return until(DEFAULT, value, condition);
    }

    /**
     * The first value that satisfies the condition, within the time given.
     *
     * @throws AssertionError with the last value seen, when none did in time
     */
    public static <T> T until(final Duration timeout, final Callable<T> value, final Predicate<? super T> condition)
            throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final var seen = value.call();
            if (condition.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("Condition not met within " + timeout + "; last value seen: " + seen);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
