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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.MutableClock;

class DatastoreMappingStoreTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");

    private final MutableClock clock = new MutableClock(START);
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
        // a long tick: the tests drive expiry themselves
        return new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
    }

    private static Mapping mapping(final String internal, final int port, final int externalPort,
            final Instant expires) {
        return new Mapping(new MappingKey.Map("gw1", 17, InetAddresses.forString(internal), port),
            InetAddresses.forString("192.0.3.1"), externalPort, Origin.PCP, InetAddresses.forString(internal),
            Nonce.ofHex("0102030405060708090a0b0c"), START, expires, "game server", new FlowPriority(46, 10),
            List.of(new org.pcpcontroller.api.mapping.Filter(InetAddresses.forString("203.0.113.0"), 24, 0)));
    }

    private Optional<Map> readStored(final MappingKey key) throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.CONFIGURATION, (DataObjectIdentifier<Map>) BindingMappings.path(key))
                .get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void createdMappingIsCommittedBeforeTheFutureCompletes() throws Exception {
        final var mapping = mapping("10.0.0.2", 5000, 5000, START.plusSeconds(3600));
        assertEquals(mapping, store.create(mapping).get(5, TimeUnit.SECONDS));
        final var stored = readStored(mapping.key()).orElseThrow();
        assertEquals(mapping, BindingMappings.fromBinding("gw1", stored));
        assertEquals(1, store.count("gw1"));
    }

    @Test
    void createOfAnExistingKeyFails() throws Exception {
        final var mapping = mapping("10.0.0.2", 5000, 5000, null);
        store.create(mapping).get(5, TimeUnit.SECONDS);
        final var error = assertThrows(ExecutionException.class,
            () -> store.create(mapping(("10.0.0.2"), 5000, 5001, null)).get(5, TimeUnit.SECONDS));
        assertInstanceOf(MappingConflictException.class, error.getCause());
        assertEquals(5000, store.get(mapping.key()).orElseThrow().externalPort());
    }

    @Test
    void externalPortHeldByAnotherHostIsRefused() throws Exception {
        store.create(mapping("10.0.0.2", 5000, 5000, null)).get(5, TimeUnit.SECONDS);
        final var other = mapping("10.0.0.3", 5000, 5000, null);
        final var error = assertThrows(ExecutionException.class, () -> store.put(other).get(5, TimeUnit.SECONDS));
        assertInstanceOf(MappingConflictException.class, error.getCause());
        assertFalse(readStored(other.key()).isPresent());
    }

    @Test
    void removeDeletesFromDatastore() throws Exception {
        final var mapping = mapping("10.0.0.2", 5000, 5000, null);
        store.create(mapping).get(5, TimeUnit.SECONDS);
        assertEquals(Optional.of(mapping), store.remove(mapping.key()).get(5, TimeUnit.SECONDS));
        assertFalse(readStored(mapping.key()).isPresent());
        assertEquals(Optional.empty(), store.remove(mapping.key()).get(5, TimeUnit.SECONDS));
    }

    @Test
    void expiredLeasesAreRemovedAndRefreshedOnesKept() throws Exception {
        final var shortLease = mapping("10.0.0.2", 5000, 5000, START.plusSeconds(60));
        final var refreshed = mapping("10.0.0.3", 5000, 5001, START.plusSeconds(60));
        final var staticMapping = mapping("10.0.0.4", 5000, 5002, null);
        store.create(shortLease).get(5, TimeUnit.SECONDS);
        store.create(refreshed).get(5, TimeUnit.SECONDS);
        store.create(staticMapping).get(5, TimeUnit.SECONDS);
        store.put(refreshed.withExpires(START.plusSeconds(600))).get(5, TimeUnit.SECONDS);

        clock.advance(Duration.ofSeconds(59));
        store.expireNow();
        assertEquals(3, store.count("gw1"));

        clock.advance(Duration.ofSeconds(2));
        store.expireNow();
        awaitCount(2);
        assertFalse(readStored(shortLease.key()).isPresent());
        assertTrue(readStored(refreshed.key()).isPresent());
        assertTrue(readStored(staticMapping.key()).isPresent());
    }

    private void awaitCount(final int expected) throws Exception {
        Await.until(() -> store.count("gw1"), count -> count == expected);
    }

    @Test
    void restartLoadsMappingsAndKeepsTheEpoch() throws Exception {
        final var mapping = mapping("10.0.0.2", 5000, 5000, START.plusSeconds(3600));
        store.create(mapping).get(5, TimeUnit.SECONDS);
        final var external = InetAddresses.forString("192.0.3.1");
        final var epoch = store.epochOrigin("gw1", external).get(5, TimeUnit.SECONDS);
        store.close();

        clock.advance(Duration.ofSeconds(30));
        store = newStore();
        assertEquals(Optional.of(mapping), store.get(mapping.key()));
        // the loaded port stays taken
        assertTrue(store.conflictingOwner(mapping("10.0.0.9", 1, 5000, null).externalEndpoint(),
            mapping("10.0.0.9", 1, 5000, null).key().internalEndpoint()) != null);
        assertEquals(epoch, store.epochOrigin("gw1", external).get(5, TimeUnit.SECONDS));
        // a new external address starts a new epoch (RFC 6887 section 8.5)
        assertNotEquals(epoch, store.epochOrigin("gw1", InetAddresses.forString("192.0.3.7"))
            .get(5, TimeUnit.SECONDS));
    }

    @Test
    void leasesThatEndedWhileStoppedAreRemovedOnTheFirstTickAfterRestart() throws Exception {
        final var ended = mapping("10.0.0.2", 5000, 5000, START.plusSeconds(100));
        final var running = mapping("10.0.0.3", 5000, 5001, START.plusSeconds(1000));
        store.create(ended).get(5, TimeUnit.SECONDS);
        store.create(running).get(5, TimeUnit.SECONDS);
        final var external = InetAddresses.forString("192.0.3.1");
        final var epoch = store.epochOrigin("gw1", external).get(5, TimeUnit.SECONDS);
        store.close();

        clock.advance(Duration.ofSeconds(500));
        store = newStore();
        assertEquals(2, store.count("gw1"));
        store.expireNow();
        awaitCount(1);
        assertFalse(readStored(ended.key()).isPresent());
        assertEquals(Optional.of(running), store.get(running.key()));
        assertEquals(epoch, store.epochOrigin("gw1", external).get(5, TimeUnit.SECONDS));

        // the running lease still ends on time: not before its second, at the tick after it
        clock.advance(Duration.ofSeconds(499));
        store.expireNow();
        assertEquals(1, store.count("gw1"));
        clock.advance(Duration.ofSeconds(1));
        store.expireNow();
        awaitCount(0);
    }

    @Test
    void clearKeepsTheEpochButRemovingTheGatewayForgetsIt() throws Exception {
        final var external = InetAddresses.forString("192.0.3.1");
        final var epoch = store.epochOrigin("gw1", external).get(5, TimeUnit.SECONDS);
        store.create(mapping("10.0.0.2", 5000, 5000, null)).get(5, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(10));
        store.clear("gw1", null).get(5, TimeUnit.SECONDS);
        assertEquals(epoch, store.epochOrigin("gw1", external).get(5, TimeUnit.SECONDS));

        store.create(mapping("10.0.0.2", 5000, 5000, null)).get(5, TimeUnit.SECONDS);
        assertEquals(1, store.removeGateway("gw1").get(5, TimeUnit.SECONDS).size());
        assertEquals(START.plusSeconds(10), store.epochOrigin("gw1", external).get(5, TimeUnit.SECONDS));
    }

    @Test
    void clearRemovesOnlyTheRequestedOrigin() throws Exception {
        store.create(mapping("10.0.0.2", 5000, 5000, null)).get(5, TimeUnit.SECONDS);
        final var operator = new Mapping(new MappingKey.Map("gw1", 6, InetAddresses.forString("10.0.0.5"), 22),
            InetAddresses.forString("192.0.3.1"), 2222, Origin.OPERATOR, null, null, START, null, null, null,
            List.of());
        store.create(operator).get(5, TimeUnit.SECONDS);
        assertEquals(1, store.clear("gw1", Origin.PCP).get(5, TimeUnit.SECONDS).size());
        assertEquals(List.of(operator), store.mappings("gw1"));
        assertEquals(1, store.clear("gw1", null).get(5, TimeUnit.SECONDS).size());
        assertEquals(0, store.count("gw1"));
    }
}
