/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * Waits for a condition instead of sleeping, as {@code org.pcpcontroller.impl.Await} does for the unit tests: polls a
 * value until it satisfies the condition, and fails with the last value seen when it does not in time. The values
 * here come from processes and HTTP, so the poll is slower than impl's.
 */
final class Await {
    private static final long POLL_MILLIS = 250;

    private Await() {
        // utility
    }

    /**
     * The first value that satisfies the condition, within the time given.
     *
     * @param what what is awaited, for the failure message
     * @throws AssertionError naming what was awaited and the last value seen, when no value did in time
     */
    static <T> T until(final String what, final Callable<T> value, final Predicate<? super T> condition,
            final Duration timeout) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            final var seen = value.call();
            if (condition.test(seen)) {
                return seen;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; last seen:\n"
                    + seen);
            }
            Thread.sleep(POLL_MILLIS);
        }
    }
}
