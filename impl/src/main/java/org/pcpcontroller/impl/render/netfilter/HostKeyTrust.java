/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jdt.annotation.Nullable;

/**
 * Which SSH host key a gateway may present: the pinned one, or the one trusted on first use. A key trusted on first
 * use is the key of the first session that came up (authenticated, NETCONF hello, pcp-netfilter advertised), not of
 * the first TCP peer that answered; it comes from the configuration once the renderer recorded it there, so that a
 * restart of the controller does not trust whoever answers next. Checked on SSH threads, so its state is atomic.
 */
final class HostKeyTrust {
    /**
     * What a presented key gets.
     */
    sealed interface Verdict {
        /** The key may be used. */
        record Accepted() implements Verdict {
        }

        /**
         * The key is refused.
         *
         * @param expected the key that was expected
         * @param why how that key came to be expected, for the operator
         */
        record Refused(String expected, String why) implements Verdict {
            public Refused {
                requireNonNull(expected);
                requireNonNull(why);
            }
        }
    }

    private static final Verdict ACCEPTED = new Verdict.Accepted();

    private final @Nullable String pinned;
    private final AtomicReference<@Nullable String> trusted;
    private final boolean recorded;

    /**
     * A policy.
     *
     * @param pinned the pinned key, or null for trust on first use
     * @param recorded with trust on first use, the key recorded in the configuration, or null if none is yet
     */
    HostKeyTrust(final @Nullable String pinned, final @Nullable String recorded) {
        this.pinned = pinned;
        this.recorded = recorded != null;
        trusted = new AtomicReference<>(pinned != null ? null : recorded);
    }

    Verdict check(final String presented) {
        if (pinned != null) {
            return pinned.equals(presented) ? ACCEPTED : new Verdict.Refused(pinned, "pinned in host-key-sha256");
        }
        final var key = trusted.get();
        if (key == null || key.equals(presented)) {
            return ACCEPTED;
        }
        return new Verdict.Refused(key, recorded ? "trusted on first use, recorded in trusted-host-key-sha256"
            : "trusted on first use by this controller");
    }

    /**
     * A session came up with this key: with trust on first use and no key trusted yet, it is the trusted one now.
     *
     * @return whether the key became trusted just now (and should be recorded)
     */
    boolean learn(final String key) {
        return pinned == null && trusted.compareAndSet(null, requireNonNull(key));
    }

    /**
     * The key sessions are held to: pinned, recorded or learned; null while trust on first use has not seen one.
     */
    @Nullable String expected() {
        return pinned != null ? pinned : trusted.get();
    }

    boolean pinned() {
        return pinned != null;
    }
}
