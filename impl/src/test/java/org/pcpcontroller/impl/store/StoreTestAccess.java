/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

/**
 * What tests of other packages need of the store that is package-private: running expiry now, on the driven clock,
 * and making changes fail at a step between the index and the commit.
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
}
