/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.InetAddresses;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jdt.annotation.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.opendaylight.yangtools.concepts.Registration;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;

/**
 * The renderers' view of the store: what the filter lets through arrives converted and in order, what it holds back
 * never arrives, and a listener that registers late is told about what is stored already.
 */
class MappingChangesTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");

    private final LinkedBlockingQueue<MappingChanges.Change> received = new LinkedBlockingQueue<>();
    private final List<Registration> registrations = new ArrayList<>();
    private DatastoreMappingStore store;

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
        store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), new MutableClock(START), 3_600_000, 10);
    }

    @AfterEach
    void afterEach() {
        registrations.forEach(Registration::close);
        store.close();
    }

    private void listen(final MappingChanges.Filter filter) {
        registrations.add(MappingChanges.register(getDomBroker(), filter, received::addAll));
    }

    private static Mapping map(final String gateway, final int port, final @Nullable FlowPriority priority) {
        return new Mapping(new MappingKey.Map(gateway, 6, InetAddresses.forString("10.0.0.2"), port),
            InetAddresses.forString("192.0.3.1"), port, Origin.PCP, null, Nonce.ofHex("0102030405060708090a0b0c"),
            START, START.plusSeconds(3600), null, priority, List.of());
    }

    private static Mapping peer(final String gateway, final int port) {
        return new Mapping(new MappingKey.Peer(gateway, 17, InetAddresses.forString("10.0.0.3"), port,
            InetAddresses.forString("198.51.100.7"), 9000), InetAddresses.forString("192.0.3.1"), port, Origin.PCP,
            null, Nonce.ofHex("0c0b0a090807060504030201"), START, START.plusSeconds(600), "call",
            new FlowPriority(46, 10), List.of());
    }

    private MappingChanges.Change next() throws InterruptedException {
        final var change = received.poll(5, TimeUnit.SECONDS);
        assertTrue(change != null, "no change arrived");
        return change;
    }

    @Test
    void filterDecidesOnTheStoredNodes() throws Exception {
        listen(MappingChanges.FLOW_PRIORITY);
        final var plain = map("gw1", 5000, null);
        final var marked = map("gw1", 5001, new FlowPriority(34, 0));
        final var call = peer("gw1", 7000);
        store.create(plain).get(5, TimeUnit.SECONDS);
        store.create(marked).get(5, TimeUnit.SECONDS);
        store.create(call).get(5, TimeUnit.SECONDS);
        assertEquals(new MappingChanges.Change(marked.key(), marked), next());
        assertEquals(new MappingChanges.Change(call.key(), call), next());

        // losing FLOW_PRIORITY is a change the renderer must see; the plain mapping's deletion is not
        final var unmarked = map("gw1", 5001, null);
        store.put(unmarked).get(5, TimeUnit.SECONDS);
        assertEquals(new MappingChanges.Change(marked.key(), unmarked), next());
        store.remove(plain.key()).get(5, TimeUnit.SECONDS);
        store.remove(call.key()).get(5, TimeUnit.SECONDS);
        final var deleted = next();
        assertEquals(call.key(), deleted.key());
        assertNull(deleted.after());
        // changes arrive in commit order: the next one, of a later commit, shows nothing came between
        final var later = map("gw1", 5002, new FlowPriority(10, 0));
        store.create(later).get(5, TimeUnit.SECONDS);
        assertEquals(new MappingChanges.Change(later.key(), later), next());
    }

    @Test
    void lateListenerIsToldWhatIsStoredAndGatewayRemovalDeletesEachMapping() throws Exception {
        final var one = map("gw1", 5000, null);
        final var two = peer("gw1", 7000);
        final var other = map("gw2", 5000, null);
        store.create(one).get(5, TimeUnit.SECONDS);
        store.create(two).get(5, TimeUnit.SECONDS);
        store.create(other).get(5, TimeUnit.SECONDS);
        listen(MappingChanges.ofGateways("gw1"::equals));
        final var initial = List.of(next(), next());
        assertTrue(initial.contains(new MappingChanges.Change(one.key(), one)), initial.toString());
        assertTrue(initial.contains(new MappingChanges.Change(two.key(), two)), initial.toString());

        store.removeGateway("gw2").get(5, TimeUnit.SECONDS);
        store.removeGateway("gw1").get(5, TimeUnit.SECONDS);
        final var removed = List.of(next(), next());
        assertTrue(removed.contains(new MappingChanges.Change(one.key(), null)), removed.toString());
        assertTrue(removed.contains(new MappingChanges.Change(two.key(), null)), removed.toString());
        // gw2's removal told nothing: the next change, of a later commit, is gw1's again
        final var later = map("gw1", 5002, null);
        store.create(later).get(5, TimeUnit.SECONDS);
        assertEquals(new MappingChanges.Change(later.key(), later), next());
    }
}
