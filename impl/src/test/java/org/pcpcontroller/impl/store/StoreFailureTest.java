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

import com.google.common.net.InetAddresses;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;

/**
 * Nothing held that was not granted: a change that fails at any step between the index and the datastore commit
 * ({@link ChangeStep}) fails its future, throws nothing, and leaves the index as the datastore is; the next change of
 * the same mapping succeeds.
 */
class StoreFailureTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
    private static final String GATEWAY = "gw1";

    private final MutableClock clock = new MutableClock(START);
    private DatastoreMappingStore store;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
    }

    @AfterEach
    void afterEach() {
        store.close();
    }

    private static Mapping mapping(final int externalPort, final long lifetime) {
        return new Mapping(new MappingKey.Map(GATEWAY, 17, InetAddresses.forString("10.0.0.2"), 4000),
            InetAddresses.forString("192.0.3.1"), externalPort, Origin.PCP, null, new Nonce(1, 2), START,
            START.plusSeconds(lifetime), "game", null, List.of());
    }

    /** The mappings of the gateway in the datastore, read back as mappings. */
    private Set<Mapping> stored() throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            final var found = tx.read(LogicalDatastoreType.CONFIGURATION, BindingMappings.gatewayPath(GATEWAY))
                .get(5, TimeUnit.SECONDS);
            final var mappings = new HashSet<Mapping>();
            found.ifPresent(entry -> {
                entry.nonnullMap().values().forEach(map -> mappings.add(BindingMappings.fromBinding(GATEWAY, map)));
                entry.nonnullPeer().values().forEach(peer -> mappings.add(BindingMappings.fromBinding(GATEWAY,
                    peer)));
            });
            return mappings;
        }
    }

    private void assertIndexIsTheDatastore() throws Exception {
        assertEquals(stored(), Set.copyOf(store.mappings(GATEWAY)), "index vs datastore");
    }

    @ParameterizedTest
    @EnumSource(ChangeStep.class)
    void aCreateThatFailsAtAnyStepHoldsNothing(final ChangeStep step) throws Exception {
        StoreTestAccess.failAt(store, step);
        final var created = store.create(mapping(5000, 3600));
        assertThrows(ExecutionException.class, () -> created.get(5, TimeUnit.SECONDS));
        assertIndexIsTheDatastore();
        assertEquals(0, store.countAll());
        // the external port is free again, and the next attempt makes the mapping
        StoreTestAccess.failNowhere(store);
        store.create(mapping(5000, 3600)).get(5, TimeUnit.SECONDS);
        assertIndexIsTheDatastore();
        assertEquals(1, store.countAll());
    }

    @ParameterizedTest
    @EnumSource(ChangeStep.class)
    void aRefreshThatFailsAtAnyStepKeepsTheMappingAsItWas(final ChangeStep step) throws Exception {
        final var before = store.create(mapping(5000, 3600)).get(5, TimeUnit.SECONDS);
        StoreTestAccess.failAt(store, step);
        final var refreshed = store.put(before.withExpires(START.plusSeconds(7200)));
        assertThrows(ExecutionException.class, () -> refreshed.get(5, TimeUnit.SECONDS));
        assertIndexIsTheDatastore();
        assertEquals(before, store.get(before.key()).orElseThrow());
    }

    @ParameterizedTest
    @EnumSource(value = ChangeStep.class, names = { "INDEXED", "WRITTEN", "SUBMITTED" })
    void aRemovalThatFailsAtAnyStepKeepsTheMapping(final ChangeStep step) throws Exception {
        final var held = store.create(mapping(5000, 3600)).get(5, TimeUnit.SECONDS);
        StoreTestAccess.failAt(store, step);
        final var removal = store.remove(held.key());
        assertThrows(ExecutionException.class, () -> removal.get(5, TimeUnit.SECONDS));
        assertIndexIsTheDatastore();
        final var clear = store.clear(GATEWAY, null);
        assertThrows(ExecutionException.class, () -> clear.get(5, TimeUnit.SECONDS));
        assertIndexIsTheDatastore();
        assertEquals(List.of(held), store.mappings(GATEWAY));
        StoreTestAccess.failNowhere(store);
        store.remove(held.key()).get(5, TimeUnit.SECONDS);
        assertIndexIsTheDatastore();
    }
}
