/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.pcpcontroller.api.mapping.Filter;
import org.pcpcontroller.api.mapping.FlowPriority;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;

/**
 * The direct DOM reading of stored mappings against what was written: random mappings of every shape go through
 * the binding writer into the datastore, and a second store reads them back at start-up through {@link DomMappings}.
 */
class DomMappingsTest extends AbstractDataBrokerTest {
    private static final Instant START = Instant.parse("2026-11-23T12:00:00Z");

    private static InetAddress address(final Random random, final boolean v6) throws UnknownHostException {
        final var bytes = new byte[v6 ? 16 : 4];
        random.nextBytes(bytes);
        return InetAddress.getByAddress(bytes);
    }

    private static Mapping random(final Random random, final int index) throws UnknownHostException {
        final boolean v6 = random.nextInt(4) == 0;
        final var internal = address(random, v6);
        final int protocol = random.nextBoolean() ? 6 : 17;
        // distinct internal ports keep the external endpoints apart
        final int port = 1024 + index;
        final MappingKey key = random.nextBoolean()
            ? new MappingKey.Map("gw" + random.nextInt(3), protocol, internal, port)
            : new MappingKey.Peer("gw" + random.nextInt(3), protocol, internal, port, address(random, v6),
                1 + random.nextInt(65535));
        final var filters = new ArrayList<Filter>();
        if (key instanceof MappingKey.Map) {
            for (int i = random.nextInt(3); i > 0; i--) {
                final boolean filterV6 = random.nextBoolean();
                filters.add(new Filter(address(random, filterV6), random.nextInt(filterV6 ? 129 : 33),
                    random.nextInt(65536)));
            }
        }
        final var nonce = new byte[12];
        random.nextBytes(nonce);
        final var created = START.plusMillis(random.nextInt(1_000_000_000));
        return new Mapping(key, v6 ? internal : address(random, false), port,
            Origin.values()[random.nextInt(Origin.values().length)],
            random.nextBoolean() ? address(random, v6) : null,
            random.nextBoolean() ? Nonce.ofHex(HexFormat.of().formatHex(nonce)) : null,
            created, random.nextInt(5) == 0 ? null : created.plusSeconds(1 + random.nextInt(86_400)),
            random.nextBoolean() ? "mapping é " + index : null,
            random.nextBoolean() ? new FlowPriority(random.nextInt(64), random.nextInt(64)) : null,
            List.copyOf(filters));
    }

    // FILTER entries are a keyed YANG list without ordered-by user: the datastore keeps them as a set
    private static Mapping unordered(final Mapping mapping) {
        return new Mapping(mapping.key(), mapping.externalAddress(), mapping.externalPort(), mapping.origin(),
            mapping.clientAddress(), mapping.nonce(), mapping.created(), mapping.expires(), mapping.description(),
            mapping.flowPriority(), mapping.filters().stream().sorted(Comparator.comparing(Filter::toString)).toList());
    }

    @BeforeEach
    void beforeEach() throws Exception {
        setup();
    }

    @Test
    void everyShapeReadsBackAsWritten() throws Exception {
        final var clock = new MutableClock(START);
        final var random = new Random(6887);
        final var written = new ArrayList<Mapping>();
        try (var store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10)) {
            for (int i = 0; i < 2_000; i++) {
                final var mapping = random(random, i);
                written.add(mapping);
                store.put(mapping).get(5, TimeUnit.SECONDS);
            }
        }
        try (var loaded = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10)) {
            for (var mapping : written) {
                assertEquals(Optional.of(mapping).map(DomMappingsTest::unordered),
                    loaded.get(mapping.key()).map(DomMappingsTest::unordered));
            }
        }
    }
}
