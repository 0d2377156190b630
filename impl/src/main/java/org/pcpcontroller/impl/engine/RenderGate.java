/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.engine;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.common.util.concurrent.SettableFuture;
import java.util.concurrent.CompletableFuture;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.impl.store.MappingStore;

/**
 * When a SUCCESS answer may leave: after the datastore commit, or, for a gateway whose renderer acknowledges
 * (NETCONF, {@code answer-after gateway-ack}), once the gateway holds the mapping's rules.
 */
public interface RenderGate {
    /** Answers right after the commit: no gateway waits. */
    RenderGate NONE = new RenderGate() {
        @Override
        public boolean waitsFor(final String gateway) {
            return false;
        }

        @Override
        public CompletableFuture<Boolean> rendered(final Mapping mapping) {
            return CompletableFuture.completedFuture(true);
        }
    };

    /**
     * Whether SUCCESS answers for this gateway wait for its acknowledgement.
     */
    boolean waitsFor(String gateway);

    /**
     * Completes with true once the gateway holds the mapping's rules as they are now, with false when it did not
     * acknowledge them within its response timeout.
     */
    CompletableFuture<Boolean> rendered(Mapping mapping);

    /**
     * The gateway did not acknowledge a mapping in time.
     */
    final class NotAcknowledgedException extends Exception {
        private static final long serialVersionUID = 1L;

        NotAcknowledgedException(final Mapping mapping) {
            super("gateway " + mapping.key().gateway() + " did not acknowledge " + mapping.key() + " in time");
        }
    }

    /**
     * The stored mapping, once its gateway acknowledged it where the gateway waits. Without the acknowledgement the
     * future fails with {@link NotAcknowledgedException}, and a mapping the request created is removed first: a
     * client told NETWORK_FAILURE must find nothing kept.
     */
    static ListenableFuture<Mapping> afterRendered(final RenderGate gate, final MappingStore store,
            final ListenableFuture<Mapping> stored, final boolean created) {
        return Futures.transformAsync(stored, mapping -> {
            if (!gate.waitsFor(mapping.key().gateway())) {
                return Futures.immediateFuture(mapping);
            }
            final var result = SettableFuture.<Mapping>create();
            gate.rendered(mapping).whenComplete((acknowledged, cause) -> {
                if (Boolean.TRUE.equals(acknowledged)) {
                    result.set(mapping);
                } else if (created) {
                    store.remove(mapping.key()).addListener(
                        () -> result.setException(new NotAcknowledgedException(mapping)),
                        MoreExecutors.directExecutor());
                } else {
                    result.setException(new NotAcknowledgedException(mapping));
                }
            });
            return result;
        }, MoreExecutors.directExecutor());
    }
}
