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
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.mock;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.Futures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.mockito.AdditionalAnswers;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.DataValidationFailedException;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.mdsal.dom.api.DOMDataBroker;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCandidate;
import org.opendaylight.mdsal.dom.api.DOMDataTreeChangeListener;
import org.opendaylight.mdsal.dom.api.DOMDataTreeCommitCohort;
import org.opendaylight.mdsal.dom.api.DOMDataTreeIdentifier;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Epoch;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.EpochBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.MapBuilder;
import org.opendaylight.yangtools.concepts.Registration;
import org.opendaylight.yangtools.yang.data.api.YangInstanceIdentifier;
import org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidate;
import org.opendaylight.yangtools.yang.data.tree.api.DataTreeCandidateNode;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;

/**
 * Issue 14 #2: the commit cohort on {@code /mappings} passes every transaction of the store and refuses every other
 * write. The in-memory test broker takes no commit cohorts, so the store's cohort is handed over by a broker that
 * otherwise is the real one, and fed the real candidates of each committed transaction (a tree change listener on
 * {@code /mappings}); while the store's transaction is checked, a commit hook keeps it in flight, as the datastore
 * does while cohorts decide. The system test (RestconfSystemTest) checks the refusal through RESTCONF against the
 * distribution's datastore.
 */
class MappingsCohortTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
    private static final YangInstanceIdentifier MAPPINGS = YangInstanceIdentifier.of(DomMappings.MAPPINGS);

    /**
     * The cohort's answer to one committed transaction: null when it would have been accepted.
     */
    private record Verdict(@Nullable Throwable refusal) {
    }

    private final MutableClock clock = new MutableClock(START);
    private final BlockingQueue<Verdict> verdicts = new LinkedBlockingQueue<>();
    private final List<Verdict> storeVerdicts = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService hookThread = Executors.newSingleThreadExecutor();
    private volatile DOMDataTreeCommitCohort cohort;
    private Registration listener;
    private DatastoreMappingStore store;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
    }

    @AfterEach
    void afterEach() {
        if (store != null) {
            store.close();
        }
        if (listener != null) {
            listener.close();
        }
        hookThread.shutdownNow();
    }

    /** The real broker, but one that takes commit cohorts: the one registered is kept in {@link #cohort}. */
    private DOMDataBroker brokerTakingCohorts() {
        final var broker = mock(DOMDataBroker.class, AdditionalAnswers.delegatesTo(getDomBroker()));
        final var cohorts = mock(DOMDataBroker.CommitCohortExtension.class);
        doReturn(cohorts).when(broker).extension(DOMDataBroker.CommitCohortExtension.class);
        doAnswer(invocation -> {
            cohort = invocation.getArgument(1);
            return mock(Registration.class);
        }).when(cohorts).registerCommitCohort(any(), any());
        return broker;
    }

    private void start() throws Exception {
        final var realBroker = getDomBroker();
        final var broker = brokerTakingCohorts();
        listener = realBroker.extension(DOMDataBroker.DataTreeChangeExtension.class).registerTreeChangeListener(
            DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, MAPPINGS), new DOMDataTreeChangeListener() {
                @Override
                public void onDataTreeChanged(final List<DataTreeCandidate> changes) {
                    verdicts.add(judge(changes));
                }

                @Override
                public void onInitialData() {
                    // nothing stored yet
                }
            });
        store = new DatastoreMappingStore(getDataBroker(), broker, clock, 3_600_000, 10);
        assertNotNull(cohort, "the store registers its cohort");
        // The store's transaction stays in flight until the cohort has judged its candidate, as in the datastore.
        StoreTestAccess.commitHook(store, tx -> Futures.transform(tx.commit(), info -> {
            try {
                storeVerdicts.add(verdicts.poll(5, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return info;
        }, hookThread));
    }

    /** What the cohort says of the candidates of one transaction; an accepted one is carried through commit. */
    private Verdict judge(final List<DataTreeCandidate> changes) {
        final var candidates = changes.stream().map(change -> (DOMDataTreeCandidate) new DOMDataTreeCandidate() {
            @Override
            public DOMDataTreeIdentifier getRootPath() {
                return DOMDataTreeIdentifier.of(LogicalDatastoreType.CONFIGURATION, change.getRootPath());
            }

            @Override
            public DataTreeCandidateNode getRootNode() {
                return change.getRootNode();
            }
        }).toList();
        try {
            final var step = cohort.canCommit("tx", null, candidates).get(5, TimeUnit.SECONDS);
            step.preCommit().get(5, TimeUnit.SECONDS).commit().get(5, TimeUnit.SECONDS);
            return new Verdict(null);
        } catch (ExecutionException e) {
            return new Verdict(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            return new Verdict(e);
        }
    }

    private static Mapping mapping(final String internal, final int externalPort, final Instant expires) {
        return new Mapping(new MappingKey.Map("gw1", 17, InetAddresses.forString(internal), 5000),
            InetAddresses.forString("192.0.3.1"), externalPort, Origin.PCP, InetAddresses.forString(internal),
            Nonce.ofHex("0102030405060708090a0b0c"), START, expires, "game", null, List.of());
    }

    /** Commits a write made past the store and returns what the cohort said of it. */
    private Verdict foreign(final java.util.function.Consumer<org.opendaylight.mdsal.binding.api.WriteTransaction>
            write) throws Exception {
        StoreTestAccess.awaitCommitted(store).get(10, TimeUnit.SECONDS);
        final var tx = getDataBroker().newWriteOnlyTransaction();
        write.accept(tx);
        tx.commit().get(5, TimeUnit.SECONDS);
        final var verdict = verdicts.poll(5, TimeUnit.SECONDS);
        assertNotNull(verdict, "the write changed /mappings");
        return verdict;
    }

    private static void assertRefused(final Verdict verdict, final String what) {
        assertInstanceOf(DataValidationFailedException.class, verdict.refusal());
        final var message = verdict.refusal().getMessage();
        assertTrue(message.contains("pcp-mapping:mappings is written by the controller only"), message);
        assertTrue(message.contains(what), message);
    }

    @Test
    void withRefuseOthersWritesFalseNoCohortIsRegistered() throws Exception {
        final var broker = brokerTakingCohorts();
        store = new DatastoreMappingStore(getDataBroker(), broker, clock, 3_600_000, 10,
            DatastoreMappingStore.DEFAULT_COMMIT_TIMEOUT_MILLIS, false);
        assertNull(cohort, "no cohort registered");
        // the store still serves its own changes
        final var mapping = mapping("10.0.0.2", 20000, START.plusSeconds(60));
        store.create(mapping).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(mapping), store.mappings("gw1"));
    }

    @Test
    void everyTransactionOfTheStoreIsAccepted() throws Exception {
        start();
        final var mapping = mapping("10.0.0.2", 20000, START.plusSeconds(60));
        store.epochOrigin("gw1", InetAddresses.forString("192.0.3.1")).get(5, TimeUnit.SECONDS);
        store.create(mapping).get(5, TimeUnit.SECONDS);
        store.put(mapping("10.0.0.2", 20000, START.plusSeconds(120))).get(5, TimeUnit.SECONDS);
        store.create(mapping("10.0.0.3", 20001, START.plusSeconds(60))).get(5, TimeUnit.SECONDS);
        // a new epoch for a new external address
        store.epochOrigin("gw1", InetAddresses.forString("192.0.3.2")).get(5, TimeUnit.SECONDS);
        clock.advance(java.time.Duration.ofSeconds(90));
        StoreTestAccess.expireNow(store);
        StoreTestAccess.awaitCommitted(store).get(10, TimeUnit.SECONDS);
        store.remove(mapping.key()).get(5, TimeUnit.SECONDS);
        store.create(mapping("10.0.0.4", 20002, null)).get(5, TimeUnit.SECONDS);
        store.clear("gw1", null).get(5, TimeUnit.SECONDS);
        store.create(mapping("10.0.0.5", 20003, null)).get(5, TimeUnit.SECONDS);
        store.removeGateway("gw1").get(5, TimeUnit.SECONDS);
        StoreTestAccess.awaitCommitted(store).get(10, TimeUnit.SECONDS);

        // a transaction that carries only a waiter (awaitCommitted) writes nothing, and no candidate comes of it
        final var judged = storeVerdicts.stream().filter(java.util.Objects::nonNull).toList();
        assertTrue(judged.size() >= 10, "one verdict per transaction that wrote: " + storeVerdicts);
        for (var verdict : judged) {
            assertNull(verdict.refusal(), () -> "refused the store's own write: " + verdict.refusal());
        }
    }

    @Test
    void writesNotMadeByTheStoreAreRefusedWithTheReason() throws Exception {
        start();
        final var kept = mapping("10.0.0.2", 20000, START.plusSeconds(60));
        store.epochOrigin("gw1", InetAddresses.forString("192.0.3.1")).get(5, TimeUnit.SECONDS);
        store.create(kept).get(5, TimeUnit.SECONDS);
        StoreTestAccess.awaitCommitted(store).get(10, TimeUnit.SECONDS);

        // a new entry, as a RESTCONF PUT would write it
        assertRefused(foreign(tx -> BindingMappings.putUnderGateway(tx, "gw1",
            BindingMappings.toBinding(mapping("10.0.0.9", 20005, null)))), "writing map=udp,10.0.0.9,5000");
        // the store's entry changed: even a longer lease is the store's to give
        assertRefused(foreign(tx -> BindingMappings.putUnderGateway(tx, "gw1",
            BindingMappings.toBinding(mapping("10.0.0.2", 20000, START.plusSeconds(7200))))),
            "writing map=udp,10.0.0.2,5000");
        assertRefused(foreign(tx -> tx.delete(LogicalDatastoreType.CONFIGURATION, BindingMappings.path(kept.key()))),
            "deleting map=udp,10.0.0.2,5000");
        assertRefused(foreign(tx -> tx.put(LogicalDatastoreType.CONFIGURATION, BindingMappings.gatewayPath("gw1")
            .toBuilder().child(Epoch.class).build(), new EpochBuilder()
            .setOrigin(BindingMappings.dateAndTime(START.minusSeconds(3600))).build())), "epoch of gateway gw1");
        assertRefused(foreign(tx -> tx.delete(LogicalDatastoreType.CONFIGURATION,
            BindingMappings.gatewayPath("gw1"))), "those of gateway gw1");
        // no store transaction was judged meanwhile
        assertEquals(2, storeVerdicts.size(), storeVerdicts::toString);
    }

    @Test
    void deletingAnEntrySetAsideAtStartUpIsAcceptedAndUnlistsIt() throws Exception {
        final var leap = mapping("10.0.0.3", 20001, null);
        final var tx = getDataBroker().newWriteOnlyTransaction();
        BindingMappings.mergeGateway(tx, "gw1");
        BindingMappings.putUnderGateway(tx, "gw1", new MapBuilder((Map) BindingMappings.toBinding(leap))
            .setCreated(new DateAndTime("2026-12-31T23:59:60Z")).build());
        tx.commit().get(5, TimeUnit.SECONDS);
        start();
        assertEquals(1, store.unreadable().size());

        final var verdict = foreign(delete -> delete.delete(LogicalDatastoreType.CONFIGURATION,
            BindingMappings.path(leap.key())));
        assertNull(verdict.refusal(), () -> "refused deleting an unreadable entry: " + verdict.refusal());
        assertTrue(store.unreadable().isEmpty(), store.unreadable()::toString);
        assertFalse(store.get(leap.key()).isPresent());
    }
}
