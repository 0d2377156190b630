/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import java.net.InetAddress;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.eclipse.jdt.annotation.Nullable;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;

/**
 * The decision half of {@link DatastoreMappingStore} without the datastore: the same {@link IndexedQueries} over a
 * {@link MappingTable}, for the port allocation benchmark, which needs tables of up to a million mappings that would
 * take minutes and gigabytes to commit to the in-memory datastore first. The allocator only reads the index
 * ({@link #conflictingOwner}, {@link #nextFreePort}), so what it measures here is what the product runs.
 *
 * <p>This class lives in the store's package (on the benchmark's class path only) because the table is
 * package-private. Changes apply at once and their futures are complete when returned; nothing expires.
 */
public final class IndexedMappingStore extends IndexedQueries {
    @Override
    public ListenableFuture<Mapping> put(final Mapping mapping) {
        return store(mapping, true);
    }

    @Override
    public ListenableFuture<Mapping> create(final Mapping mapping) {
        return store(mapping, false);
    }

    private synchronized ListenableFuture<Mapping> store(final Mapping mapping, final boolean replace) {
        if (!replace && table.get(mapping.key()).isPresent()) {
            return Futures.immediateFailedFuture(new MappingConflictException(mapping.key()));
        }
        final var holder = table.conflictingOwner(mapping.externalEndpoint(), mapping.key().internalEndpoint());
        if (holder != null) {
            return Futures.immediateFailedFuture(new MappingConflictException(mapping.externalEndpoint(), holder));
        }
        table.put(mapping);
        return Futures.immediateFuture(mapping);
    }

    @Override
    public synchronized ListenableFuture<Optional<Mapping>> remove(final MappingKey key) {
        return Futures.immediateFuture(Optional.ofNullable(table.remove(key)));
    }

    @Override
    public synchronized ListenableFuture<Optional<Mapping>> removeIfUnchanged(final Mapping expected) {
        return table.get(expected.key()).equals(Optional.of(expected)) ? remove(expected.key())
            : Futures.immediateFuture(Optional.empty());
    }

    @Override
    public synchronized ListenableFuture<List<Mapping>> clear(final String gateway, final @Nullable Origin origin) {
        final var removed = table.mappings(gateway).stream()
            .filter(mapping -> origin == null || mapping.origin() == origin).toList();
        removed.forEach(mapping -> table.remove(mapping.key()));
        return Futures.immediateFuture(removed);
    }

    @Override
    public ListenableFuture<List<Mapping>> removeGateway(final String gateway) {
        return clear(gateway, null);
    }

    @Override
    public ListenableFuture<Instant> epochOrigin(final String gateway, final @Nullable InetAddress externalAddress) {
        return Futures.immediateFailedFuture(new UnsupportedOperationException("no epochs without a datastore"));
    }
}
