/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import org.slf4j.Logger;

/**
 * Writes of operational state whose failure is only worth a log line: the state is published again at its next change
 * (or the next tick), so nothing waits for them and nothing retries them.
 */
public final class StateWrites {
    private StateWrites() {
        // utility class
    }

    /**
     * Logs the failure of {@code write}, if it fails, on the writer's own logger, as "Cannot {what}".
     */
    public static void logFailure(final ListenableFuture<?> write, final Logger log, final String what) {
        Futures.addCallback(write, new LogFailure(log, what), MoreExecutors.directExecutor());
    }

    private static final class LogFailure implements FutureCallback<Object> {
        private final Logger log;
        private final String what;

        LogFailure(final Logger log, final String what) {
            this.log = log;
            this.what = what;
        }

        @Override
        public void onSuccess(final Object result) {
            // published
        }

        @Override
        public void onFailure(final Throwable cause) {
            log.warn("Cannot {}", what, cause);
        }
    }
}
