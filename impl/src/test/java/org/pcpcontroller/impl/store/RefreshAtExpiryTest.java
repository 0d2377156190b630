/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.ListenableFuture;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.mappinglog.MappingEvent;
import org.pcpcontroller.impl.mappinglog.MappingEvent.Kind;
import org.pcpcontroller.impl.mappinglog.RecordingMappingLog;

/**
 * Issue 14 #5: refreshes that arrive exactly as leases end. Expiry looks up the due mappings under the store's lock
 * and removes them after it; a refresh answered SUCCESS in between must keep its mapping. The driven clock puts
 * every lease's end on the same instant, the expiry runs on its own thread while several threads refresh half of
 * the mappings, and after each round every refreshed mapping is in the index and the datastore with its new lease,
 * every other one is gone, and index and datastore agree. Removal by key alone loses refreshed mappings here.
 * The mapping log tells each what happened to it, once: a mapping not refreshed expired; a refreshed one was
 * refreshed, or, when the expiry came first, expired and was added again.
 */
class RefreshAtExpiryTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(60);
    private static final int MAPPINGS = 400;
    private static final int ROUNDS = 15;
    private static final int REFRESHERS = 4;

    private final MutableClock clock = new MutableClock(START);
    private final RecordingMappingLog log = new RecordingMappingLog();
    private DatastoreMappingStore store;
    private ExecutorService threads;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        // expiry only when the test runs it
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
        store.eventLog(log);
        threads = Executors.newFixedThreadPool(REFRESHERS + 1);
    }

    @AfterEach
    void afterEach() {
        threads.shutdownNow();
        store.close();
    }

    private static Mapping mapping(final int index, final Instant expires) {
        final var internal = InetAddresses.forString("10.0." + index / 250 + "." + (index % 250 + 1));
        return new Mapping(new MappingKey.Map("gw1", 17, internal, 5000), InetAddresses.forString("192.0.3.1"),
            20000 + index, Origin.PCP, internal, Nonce.ofHex("0102030405060708090a0b0c"), START, expires, null, null,
            List.of());
    }

    @Test
    void noRefreshAnsweredSuccessIsLostToTheExpiryItRaced() throws Exception {
        for (int round = 0; round < ROUNDS; round++) {
            final var leaseEnd = clock.instant().plus(LEASE);
            // every mapping present, its lease ending at leaseEnd
            final var created = new ArrayList<ListenableFuture<Mapping>>();
            for (int i = 0; i < MAPPINGS; i++) {
                if (store.get(mapping(i, leaseEnd).key()).isEmpty()) {
                    created.add(store.create(mapping(i, leaseEnd)));
                }
            }
            for (var future : created) {
                future.get(10, TimeUnit.SECONDS);
            }
            clock.advance(LEASE);
            final var renewedEnd = leaseEnd.plus(LEASE);

            log.clear();
            final var go = new CountDownLatch(1);
            final var expiry = threads.submit(() -> {
                go.await();
                store.expireNow();
                return null;
            });
            final var refreshers = new ArrayList<Future<List<Mapping>>>();
            for (int r = 0; r < REFRESHERS; r++) {
                final int first = r * 2;
                refreshers.add(threads.submit(() -> {
                    go.await();
                    final var answers = new ArrayList<ListenableFuture<Mapping>>();
                    // the even mappings are refreshed, each by one thread
                    for (int i = first; i < MAPPINGS; i += REFRESHERS * 2) {
                        answers.add(store.put(mapping(i, renewedEnd)));
                    }
                    final var succeeded = new ArrayList<Mapping>();
                    for (var answer : answers) {
                        succeeded.add(answer.get(10, TimeUnit.SECONDS));
                    }
                    return succeeded;
                }));
            }
            go.countDown();
            expiry.get(30, TimeUnit.SECONDS);
            final var answeredSuccess = new ArrayList<Mapping>();
            for (var refresher : refreshers) {
                answeredSuccess.addAll(refresher.get(30, TimeUnit.SECONDS));
            }
            // removals the expiry queued complete before the check
            StoreTestAccess.awaitCommitted(store).get(10, TimeUnit.SECONDS);

            assertEquals(MAPPINGS / 2, answeredSuccess.size());
            for (var refreshed : answeredSuccess) {
                assertEquals(Optional.of(refreshed), store.get(refreshed.key()),
                    "round " + round + ": a refresh answered SUCCESS was lost");
            }
            for (int i = 1; i < MAPPINGS; i += 2) {
                assertEquals(Optional.empty(), store.get(mapping(i, renewedEnd).key()),
                    "round " + round + ": a lease not refreshed did not end");
            }
            final var events = log.events();
            for (int i = 0; i < MAPPINGS; i++) {
                final var key = mapping(i, renewedEnd).key();
                final var kinds = events.stream().filter(event -> event.mapping().key().equals(key))
                    .map(MappingEvent::kind).toList();
                final var expected = i % 2 == 1 ? List.of(List.of(Kind.EXPIRED))
                    : List.of(List.of(Kind.REFRESHED), List.of(Kind.EXPIRED, Kind.ADDED));
                assertTrue(expected.contains(kinds), "round " + round + ": mapping " + i + " logged " + kinds);
            }
            final var problems = StoreTestAccess.consistencyProblems(store, getDomBroker());
            assertTrue(problems.isEmpty(), "round " + round + ": " + problems);
        }
    }
}
