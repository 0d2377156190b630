/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.AbstractFuture;
import com.google.common.util.concurrent.FluentFuture;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.SettableFuture;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.api.DataBroker;
import org.opendaylight.mdsal.binding.api.TransactionChain;
import org.opendaylight.mdsal.binding.api.WriteTransaction;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.CommitInfo;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.common.api.TransactionCommitFailedException;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.Mappings;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;

/**
 * Group commit: changes arriving while a commit is in flight share the next transaction; every future completes
 * only after its own commit; a failed commit undoes every change it carried.
 */
class BatchedCommitTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");

    private final AtomicInteger commits = new AtomicInteger();
    /** What every commit future goes through; tests replace it to hold or fail commits. */
    private volatile UnaryOperator<ListenableFuture<? extends CommitInfo>> commitHook = future -> future;
    private DatastoreMappingStore store;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        store = new DatastoreMappingStore(counting(getDataBroker()), getDomBroker(), new MutableClock(START),
            3_600_000, 10);
    }

    @AfterEach
    void afterEach() {
        store.close();
    }

    // A DataBroker whose transaction chains count commits and pass them through the hook.
    private DataBroker counting(final DataBroker broker) {
        return proxy(DataBroker.class, broker, (method, result) -> method.equals("createTransactionChain")
            ? proxy(TransactionChain.class, result, (chainMethod, tx) -> chainMethod.equals("newWriteOnlyTransaction")
                ? proxy(WriteTransaction.class, tx, (txMethod, commit) -> {
                    if (txMethod.equals("commit")) {
                        commits.incrementAndGet();
                        return FluentFuture.from(commitHook.apply((ListenableFuture<? extends CommitInfo>) commit));
                    }
                    return commit;
                }) : tx) : result);
    }

    @FunctionalInterface
    private interface ResultFilter {
        Object filter(String method, Object result);
    }

    // a proxy rethrows what the target threw, not the reflection wrapper
    @SuppressWarnings("checkstyle:AvoidHidingCauseException")
    private static <T> T proxy(final Class<T> type, final Object target, final ResultFilter filter) {
        final InvocationHandler handler = (self, method, args) -> {
            try {
                return filter.filter(method.getName(), method.invoke(target, args));
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] { type }, handler));
    }

    private static Mapping mapping(final int port) {
        return new Mapping(new MappingKey.Map("gw1", 6, InetAddresses.forString("10.0.0.2"), port),
            InetAddresses.forString("192.0.3.1"), port, Origin.PCP, null, null, START, START.plusSeconds(600), null,
            null, List.of());
    }

    private int storedMappings() throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.CONFIGURATION, DataObjectIdentifier.builder(Mappings.class).build())
                .get(5, TimeUnit.SECONDS).map(m -> m.nonnullGateway().values().stream()
                    .mapToInt(g -> g.nonnullMap().size()).sum()).orElse(0);
        }
    }

    @Test
    void concurrentCreatesAreAllCommittedInSharedTransactions() throws Exception {
        final var executor = Executors.newFixedThreadPool(4);
        final var futures = new ArrayList<ListenableFuture<Mapping>>();
        try {
            final var submitted = new ArrayList<java.util.concurrent.Future<ListenableFuture<Mapping>>>();
            for (int port = 1; port <= 4000; port++) {
                final int p = port;
                submitted.add(executor.submit(() -> store.create(mapping(p))));
            }
            for (var future : submitted) {
                futures.add(future.get());
            }
            for (var future : futures) {
                future.get(10, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdown();
        }
        assertEquals(4000, storedMappings());
        assertTrue(commits.get() < 4000, "expected shared transactions, saw " + commits.get() + " commits");
    }

    @Test
    void futuresCompleteOnlyWhenTheirCommitDoes() throws Exception {
        final var held = SettableFuture.<CommitInfo>create();
        // the store listens to the commit's future to complete its callers' futures: once it does, it has done
        // everything it does on submitting, and a future completed early would be done by now
        final var listened = new CountDownLatch(1);
        commitHook = future -> {
            final var after = new AbstractFuture<CommitInfo>() {
                {
                    held.addListener(() -> setFuture((ListenableFuture<CommitInfo>) future), Runnable::run);
                }

                @Override
                public void addListener(final Runnable listener, final Executor executor) {
                    super.addListener(listener, executor);
                    listened.countDown();
                }
            };
            return after;
        };
        final var first = store.create(mapping(1));
        final var second = store.create(mapping(2));
        assertTrue(listened.await(5, TimeUnit.SECONDS), "the store never listened to its commit");
        assertFalse(first.isDone());
        assertFalse(second.isDone());
        held.set(CommitInfo.empty());
        first.get(5, TimeUnit.SECONDS);
        second.get(5, TimeUnit.SECONDS);
        assertEquals(2, storedMappings());
    }

    @Test
    void failedBatchUndoesEveryChangeItCarried() throws Exception {
        store.create(mapping(1)).get(5, TimeUnit.SECONDS);
        store.create(mapping(2)).get(5, TimeUnit.SECONDS);

        // hold the next commit, so that the changes after it share one batch, then fail that batch
        final var release = SettableFuture.<Void>create();
        final var calls = new AtomicInteger();
        commitHook = future -> {
            if (calls.incrementAndGet() == 1) {
                final var after = SettableFuture.<CommitInfo>create();
                release.addListener(() -> after.setFuture((ListenableFuture<CommitInfo>) future), Runnable::run);
                return after;
            }
            return com.google.common.util.concurrent.Futures.immediateFailedFuture(
                new TransactionCommitFailedException("injected"));
        };
        final var holder = store.create(mapping(3));
        final var added = store.create(mapping(4));
        final var refreshed = store.put(mapping(1).withExpires(START.plusSeconds(6000)));
        final var removed = store.remove(mapping(2).key());
        final var addedThenRemoved = store.create(mapping(5));
        final var removedAgain = store.remove(mapping(5).key());
        release.set(null);

        holder.get(5, TimeUnit.SECONDS);
        for (var failed : List.of(added, refreshed, removed, addedThenRemoved, removedAgain)) {
            assertThrows(ExecutionException.class, () -> failed.get(5, TimeUnit.SECONDS));
        }
        // the index is as the datastore: 1 (old expiry), 2 and 3; no 4, no 5
        assertEquals(START.plusSeconds(600), store.get(mapping(1).key()).orElseThrow().expires());
        assertTrue(store.get(mapping(2).key()).isPresent());
        assertTrue(store.get(mapping(3).key()).isPresent());
        assertFalse(store.get(mapping(4).key()).isPresent());
        assertFalse(store.get(mapping(5).key()).isPresent());
        assertEquals(3, storedMappings());

        // and the store goes on working
        commitHook = future -> future;
        store.create(mapping(6)).get(5, TimeUnit.SECONDS);
        assertEquals(4, storedMappings());
    }
}
