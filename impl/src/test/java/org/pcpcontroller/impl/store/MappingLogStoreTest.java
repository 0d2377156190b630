/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import com.google.common.util.concurrent.Futures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;
import org.pcpcontroller.impl.mappinglog.MappingEvent;
import org.pcpcontroller.impl.mappinglog.MappingEvent.Kind;
import org.pcpcontroller.impl.mappinglog.MappingEventLog;
import org.pcpcontroller.impl.mappinglog.RecordingMappingLog;

/**
 * Issue 17: the store tells the mapping log one event per confirmed change of a mapping, named as an operator names
 * it (added, refreshed, removed, expired); a change refused or undone is no event, and neither is a mapping read back
 * at start-up.
 */
class MappingLogStoreTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
    private static final String GATEWAY = "home-17";

    private final MutableClock clock = new MutableClock(START);
    private final RecordingMappingLog log = new RecordingMappingLog();
    private DatastoreMappingStore store;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        store = newStore();
    }

    @AfterEach
    void afterEach() {
        store.close();
    }

    private DatastoreMappingStore newStore() throws Exception {
        // expiry only when the test runs it
        final var created = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
        created.eventLog(log);
        return created;
    }

    private static Mapping natPmp(final String internal, final int port, final @Nullable Instant expires) {
        return new Mapping(new MappingKey.Map(GATEWAY, 17, InetAddresses.forString(internal), port),
            InetAddresses.forString("198.51.100.7"), port, Origin.NAT_PMP, null, null, START, expires, null, null,
            List.of());
    }

    private static Mapping pcpV6(final int port, final Instant expires) {
        return new Mapping(new MappingKey.Map(GATEWAY, 6, InetAddresses.forString("2001:db8:1::10"), port),
            InetAddresses.forString("2001:db8:ff::1"), port, Origin.PCP, null,
            Nonce.ofHex("0102030405060708090a0b0c"), START, expires, "ssh", null, List.of());
    }

    private Instant now() {
        return clock.instant();
    }

    @Test
    void createRefreshRemoveAndExpireAreOneLineEach() throws Exception {
        final var udp = store.create(natPmp("192.168.1.10", 5000, START.plusSeconds(3600))).get(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(600));
        final var refreshed = store.put(udp.withExpires(now().plusSeconds(3600))).get(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(100));
        store.remove(refreshed.key()).get(5, TimeUnit.SECONDS);

        final var ssh = store.create(pcpV6(22, now().plusSeconds(60))).get(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(61));
        StoreTestAccess.expireNow(store);
        StoreTestAccess.awaitCommitted(store).get(5, TimeUnit.SECONDS);

        assertEquals(List.of(Kind.ADDED, Kind.REFRESHED, Kind.REMOVED, Kind.ADDED, Kind.EXPIRED),
            log.events().stream().map(MappingEvent::kind).toList());
        assertEquals(List.of(udp, refreshed, refreshed, ssh, ssh),
            log.events().stream().map(MappingEvent::mapping).toList());
        assertEquals(List.of(
            "gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 3600 s (nat-pmp)",
            "gateway=home-17 refreshed UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 3600 s (nat-pmp)",
            "gateway=home-17 removed UDP 192.168.1.10:5000 -> 198.51.100.7:5000 lifetime 3500 s (nat-pmp)",
            "gateway=home-17 added TCP [2001:db8:1::10]:22 -> [2001:db8:ff::1]:22 lifetime 60 s "
                + "(pcp, nonce 0102030405060708090a0b0c, \"ssh\")",
            "gateway=home-17 expired TCP [2001:db8:1::10]:22 -> [2001:db8:ff::1]:22 lifetime 0 s "
                + "(pcp, nonce 0102030405060708090a0b0c, \"ssh\")"), log.lines());
    }

    @Test
    void putOfANewKeyIsAdded() throws Exception {
        store.put(natPmp("192.168.1.10", 5000, null)).get(5, TimeUnit.SECONDS);
        assertEquals(List.of("gateway=home-17 added UDP 192.168.1.10:5000 -> 198.51.100.7:5000 static (nat-pmp)"),
            log.lines());
    }

    @Test
    void clearAndGatewayRemovalAreOneRemovedLinePerMapping() throws Exception {
        store.create(natPmp("192.168.1.10", 5000, null)).get(5, TimeUnit.SECONDS);
        store.create(natPmp("192.168.1.11", 5001, null)).get(5, TimeUnit.SECONDS);
        store.create(pcpV6(22, START.plusSeconds(60))).get(5, TimeUnit.SECONDS);
        log.clear();
        store.clear(GATEWAY, Origin.NAT_PMP).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(Kind.REMOVED, Kind.REMOVED), log.events().stream().map(MappingEvent::kind).toList());
        log.clear();
        store.removeGateway(GATEWAY).get(5, TimeUnit.SECONDS);
        assertEquals(List.of("gateway=home-17 removed TCP [2001:db8:1::10]:22 -> [2001:db8:ff::1]:22 lifetime 60 s "
            + "(pcp, nonce 0102030405060708090a0b0c, \"ssh\")"), log.lines());
    }

    @Test
    void aMappingTheGateRollsBackIsRemovedButAStaleVersionIsNot() throws Exception {
        final var created = store.create(natPmp("192.168.1.10", 5000, START.plusSeconds(3600)))
            .get(5, TimeUnit.SECONDS);
        final var refreshed = store.put(created.withExpires(START.plusSeconds(7200))).get(5, TimeUnit.SECONDS);
        log.clear();
        assertEquals(Optional.empty(), store.removeIfUnchanged(created).get(5, TimeUnit.SECONDS));
        assertEquals(List.of(), log.events());
        store.removeIfUnchanged(refreshed).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(new MappingEvent(Kind.REMOVED, refreshed, START)), log.events());
    }

    @Test
    void removingWhatIsNotThereIsNoEvent() throws Exception {
        assertEquals(Optional.empty(), store.remove(natPmp("192.168.1.10", 5000, null).key())
            .get(5, TimeUnit.SECONDS));
        assertEquals(List.of(), store.clear(GATEWAY, null).get(5, TimeUnit.SECONDS));
        StoreTestAccess.awaitCommitted(store).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), log.events());
    }

    @Test
    void aRefusedCreateIsNoEvent() throws Exception {
        final var held = store.create(natPmp("192.168.1.10", 5000, null)).get(5, TimeUnit.SECONDS);
        log.clear();
        // the same key again, and another host on the same external port
        assertThrows(ExecutionException.class, () -> store.create(held).get(5, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> store.put(natPmp("192.168.1.11", 5000, null))
            .get(5, TimeUnit.SECONDS));
        StoreTestAccess.awaitCommitted(store).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), log.events());
    }

    @ParameterizedTest
    @EnumSource(ChangeStep.class)
    void aChangeThatFailsAtAnyStepIsNoEvent(final ChangeStep step) throws Exception {
        final var held = store.create(natPmp("192.168.1.10", 5000, START.plusSeconds(60))).get(5, TimeUnit.SECONDS);
        log.clear();
        StoreTestAccess.failAt(store, step);
        final var created = store.create(natPmp("192.168.1.11", 5001, START.plusSeconds(60)));
        assertThrows(ExecutionException.class, () -> created.get(5, TimeUnit.SECONDS));
        final var refreshed = store.put(held.withExpires(START.plusSeconds(120)));
        assertThrows(ExecutionException.class, () -> refreshed.get(5, TimeUnit.SECONDS));
        if (step != ChangeStep.CONVERTED && step != ChangeStep.EXPIRY_SCHEDULED) {
            // a removal converts nothing and schedules nothing: it fails at the other steps
            final var removed = store.remove(held.key());
            assertThrows(ExecutionException.class, () -> removed.get(5, TimeUnit.SECONDS));
        }
        StoreTestAccess.failNowhere(store);
        StoreTestAccess.awaitCommitted(store).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(), log.events());
    }

    @Test
    void aCommitAppliedButReportedFailedIsNoEvent() throws Exception {
        // the caller is told it failed, and the store writes its index's state back over it
        StoreTestAccess.commitHook(store, tx -> Futures.transformAsync(tx.commit(),
            info -> Futures.immediateFailedFuture(new IllegalStateException("reported failed")),
            Runnable::run));
        final var created = store.create(natPmp("192.168.1.10", 5000, null));
        assertThrows(ExecutionException.class, () -> created.get(5, TimeUnit.SECONDS));
        StoreTestAccess.commitHook(store, CommitHook.DATASTORE);
        StoreTestAccess.awaitCommitted(store).get(5, TimeUnit.SECONDS);
        assertTrue(StoreTestAccess.consistencyProblems(store, getDomBroker()).isEmpty());
        assertEquals(List.of(), log.events());
    }

    @Test
    void mappingsReadAtStartAreNotAddedAndThoseThatEndedMeanwhileExpire() throws Exception {
        final var ended = store.create(natPmp("192.168.1.10", 5000, START.plusSeconds(100))).get(5, TimeUnit.SECONDS);
        final var running = store.create(pcpV6(22, START.plusSeconds(1000))).get(5, TimeUnit.SECONDS);
        store.close();
        log.clear();

        clock.advance(Duration.ofSeconds(500));
        store = newStore();
        assertEquals(Optional.of(running), store.get(running.key()));
        StoreTestAccess.expireNow(store);
        StoreTestAccess.awaitCommitted(store).get(5, TimeUnit.SECONDS);
        assertEquals(List.of(new MappingEvent(Kind.EXPIRED, ended, START.plusSeconds(500))), log.events());
    }

    @Test
    void aLogThatIsOffIsAskedButGivenNothing() throws Exception {
        log.setEnabled(false);
        final var mapping = store.create(natPmp("192.168.1.10", 5000, START.plusSeconds(60))).get(5,
            TimeUnit.SECONDS);
        store.put(mapping.withExpires(START.plusSeconds(120))).get(5, TimeUnit.SECONDS);
        store.remove(mapping.key()).get(5, TimeUnit.SECONDS);
        // RecordingMappingLog fails the change's callback, hence the test, if an event is made while it is off
        assertEquals(3, log.asked());
        assertEquals(List.of(), log.events());
    }

    @Test
    void aFailingLogDoesNotKeepTheChangeFromItsCaller() throws Exception {
        store.eventLog(new MappingEventLog() {
            @Override
            public boolean enabled() {
                return true;
            }

            @Override
            public void log(final MappingEvent event) {
                throw new IllegalStateException("appender broke");
            }
        });
        final var first = natPmp("192.168.1.10", 5000, null);
        final var second = natPmp("192.168.1.11", 5001, null);
        // one batch: the failure on the first must not keep the second's caller waiting
        final var one = store.create(first);
        final var two = store.create(second);
        assertEquals(first, one.get(5, TimeUnit.SECONDS));
        assertEquals(second, two.get(5, TimeUnit.SECONDS));
    }
}
