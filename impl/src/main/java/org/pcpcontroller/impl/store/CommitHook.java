/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import com.google.common.util.concurrent.ListenableFuture;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.common.api.CommitInfo;

/**
 * How the store commits one transaction of changes. In production it is the datastore's own commit; fault tests put
 * something around it (a commit that fails, one that never completes, one that is applied but reported failed) with
 * {@code StoreTestAccess.commitHook}. Whatever the hook does, the store keeps its index equal to the datastore.
 */
@FunctionalInterface
public interface CommitHook {
    /** The datastore's own commit. */
    CommitHook DATASTORE = WriteTransaction::commit;

    /**
     * Commits a transaction, or pretends to. A hook that does not commit must cancel the transaction, so that the
     * store's transaction chain can go on.
     */
    ListenableFuture<? extends CommitInfo> commit(WriteTransaction tx);
}
