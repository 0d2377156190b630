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
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.mdsal.common.api.LogicalDatastoreType;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Map;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.MapBuilder;
import org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping.rev261123.mappings.gateway.Unreadable;
import org.opendaylight.yangtools.binding.DataObjectIdentifier;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.Await;
import org.pcpcontroller.impl.MutableClock;

/**
 * Issue 14 #1: start-up reads the stored mappings entry by entry. Stored entries the store cannot take up (a leap
 * second, which the YANG type allows and Java cannot represent; an external endpoint another entry already holds)
 * are written straight into the real in-memory datastore, beside good ones, as a hand edit or another version would
 * leave them. The store must start, serve the good ones and list each bad one with its reason in operational state.
 */
class StoreLoadTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");
    private static final String LEAP_SECOND = "2026-12-31T23:59:60Z";

    private final MutableClock clock = new MutableClock(START);

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
    }

    private DatastoreMappingStore newStore() throws Exception {
        return new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10);
    }

    private static Mapping mapping(final String internal, final int externalPort) {
        return new Mapping(new MappingKey.Map("gw1", 17, InetAddresses.forString(internal), 5000),
            InetAddresses.forString("192.0.3.1"), externalPort, Origin.PCP, InetAddresses.forString(internal),
            Nonce.ofHex("0102030405060708090a0b0c"), START, START.plusSeconds(3600), null, null, List.of());
    }

    /** Writes entries as they are, past the store: the in-memory broker takes no commit cohort. */
    private void storeDirectly(final Map... entries) throws Exception {
        final var tx = getDataBroker().newWriteOnlyTransaction();
        BindingMappings.mergeGateway(tx, "gw1");
        for (var entry : entries) {
            BindingMappings.putUnderGateway(tx, "gw1", entry);
        }
        tx.commit().get(5, TimeUnit.SECONDS);
    }

    private Optional<Unreadable> listed(final String entry) throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.OPERATIONAL, BindingMappings.gatewayPath("gw1").toBuilder()
                .child(Unreadable.class, new org.opendaylight.yang.gen.v1.urn.pcpcontroller.yang.pcp.mapping
                    .rev261123.mappings.gateway.UnreadableKey(entry)).build())
                .get(5, TimeUnit.SECONDS);
        }
    }

    private Optional<Map> stored(final MappingKey key) throws Exception {
        try (var tx = getDataBroker().newReadOnlyTransaction()) {
            return tx.read(LogicalDatastoreType.CONFIGURATION, (DataObjectIdentifier<Map>) BindingMappings.path(key))
                .get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void badRecordsAreSetAsideListedWithTheirReasonAndTheRestIsServed() throws Exception {
        final var first = mapping("10.0.0.2", 20000);
        final var second = mapping("10.0.0.4", 20002);
        final var leap = mapping("10.0.0.3", 20001);
        // the same external endpoint as the first good one: the first entry read keeps it
        final var clash = mapping("10.0.0.5", 20000);
        storeDirectly((Map) BindingMappings.toBinding(first),
            new MapBuilder((Map) BindingMappings.toBinding(leap)).setCreated(new DateAndTime(LEAP_SECOND)).build(),
            (Map) BindingMappings.toBinding(second), (Map) BindingMappings.toBinding(clash));

        final var store = newStore();
        try {
            // of two entries on one external endpoint, the one read first is served (list order is the datastore's)
            final var served = store.get(first.key()).isPresent() ? first : clash;
            final var setAside = served == first ? clash : first;
            assertEquals(Optional.of(served), store.get(served.key()));
            assertEquals(Optional.empty(), store.get(setAside.key()));
            assertEquals(Optional.of(second), store.get(second.key()));
            assertEquals(Optional.empty(), store.get(leap.key()));
            assertEquals(2, store.count("gw1"));
            // the entry not served holds no port: its external port is free for a new request
            assertEquals(20001, store.create(mapping("10.0.0.6", 20001)).get(5, TimeUnit.SECONDS).externalPort());

            final var leapEntry = "map=udp,10.0.0.3,5000";
            final var reason = Await.until(() -> listed(leapEntry), Optional::isPresent).orElseThrow().getReason();
            assertTrue(reason.contains("23:59:60"), reason);
            final var clashEntry = "map=udp," + setAside.key().internalAddress().getHostAddress() + ",5000";
            final var clashReason = Await.until(() -> listed(clashEntry), Optional::isPresent).orElseThrow()
                .getReason();
            assertTrue(clashReason.contains("port 20000 is held by"), clashReason);
            assertEquals(2, store.unreadable().size(), store.unreadable().toString());

            // the bad record stays in the datastore for the operator until a mapping of its key replaces it
            assertTrue(stored(leap.key()).isPresent());
            final var replacement = mapping("10.0.0.3", 20003);
            assertEquals(replacement, store.put(replacement).get(5, TimeUnit.SECONDS));
            Await.until(() -> listed(leapEntry), Optional::isEmpty);
            assertEquals(List.of(clashEntry), store.unreadable().stream().map(StoredEntries.Unreadable::entry)
                .toList());
        } finally {
            store.close();
        }
    }
}
