/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import com.google.common.util.concurrent.ListenableFuture;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.pcpcontroller.impl.mappinglog.MappingEventLog;

/**
 * What tests of other packages need of the store that is package-private: running expiry now, on the driven clock;
 * making changes fail at a step between the index and the commit; the commit's outcome (failed, never confirmed,
 * applied but reported failed); waiting for commits; the check that the index equals the datastore; and where its
 * mapping events go.
 */
public final class StoreTestAccess {
    private StoreTestAccess() {
        // utility class
    }

    /**
     * Runs the store's expiry as its timer would: leases that ended by the store's clock are removed (the removals
     * are queued; their commits follow).
     */
    public static void expireNow(final DatastoreMappingStore store) {
        store.expireNow();
    }

    /**
     * Puts a hook around every later commit of the store: {@link CommitHook#DATASTORE} puts the datastore back.
     */
    public static void commitHook(final DatastoreMappingStore store, final CommitHook hook) {
        store.commitHook(hook);
    }

    /**
     * A future that completes once every change made before the call is committed or undone.
     */
    public static ListenableFuture<?> awaitCommitted(final DatastoreMappingStore store) {
        return store.awaitCommitted();
    }

    /**
     * What differs between the store's index and the datastore, and within the index (its secondary indexes against
     * its mappings): empty when they agree. Waits for the changes made before the call.
     */
    public static List<String> consistencyProblems(final DatastoreMappingStore store, final DOMDataBroker domBroker)
            throws InterruptedException, ExecutionException, TimeoutException {
        return store.consistencyProblems(domBroker);
    }

    /**
     * Makes every later change of the store fail at this step ({@link ChangeStep}), or none (null).
     */
    public static void failAt(final DatastoreMappingStore store, final ChangeStep step) {
        store.failAt(step);
    }

    /**
     * Lets changes of the store succeed again.
     */
    public static void failNowhere(final DatastoreMappingStore store) {
        store.failAt(null);
    }

    /**
     * Sends the store's mapping events to this log instead of the operators' logger.
     */
    public static void eventLog(final DatastoreMappingStore store, final MappingEventLog log) {
        store.eventLog(log);
    }
}
