/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.common.net.InetAddresses;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.opendaylight.mdsal.binding.dom.adapter.test.AbstractDataBrokerTest;
import org.pcpcontroller.api.mapping.Mapping;
import org.pcpcontroller.api.mapping.MappingKey;
import org.pcpcontroller.api.mapping.Nonce;
import org.pcpcontroller.api.mapping.Origin;
import org.pcpcontroller.impl.MutableClock;

/**
 * STORE-1 (docs/fuzzing.md), fixed: the index and the datastore hold the same times.
 */
class StorePrecisionTest extends AbstractDataBrokerTest {
    /**
     * The engine stamps created/expires with the clock, which has micro-seconds on Linux; the datastore keeps
     * milliseconds (BindingMappings.dateAndTime). The index kept the micro-seconds, so it differed from what the
     * datastore held, and after a restart every lease ended up to 999 microseconds earlier than before it. A mapping
     * now keeps its times to the millisecond.
     */
    @Test
    void aMappingReadsTheSameAfterARestart() throws Exception {
        setup();
        final var now = Instant.parse("2026-11-23T12:00:00.123456Z");
        final var clock = new MutableClock(now);
        final var mapping = new Mapping(new MappingKey.Map("gw1", 17, InetAddresses.forString("10.0.0.2"), 5000),
            InetAddresses.forString("192.0.3.1"), 5000, Origin.PCP, null, new Nonce(1, 1), now,
            now.plusSeconds(3600), null, null, List.of());
        try (var store = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10)) {
            store.create(mapping).get(5, TimeUnit.SECONDS);
            try (var restarted = new DatastoreMappingStore(getDataBroker(), getDomBroker(), clock, 3_600_000, 10)) {
                assertEquals(store.get(mapping.key()), restarted.get(mapping.key()));
            }
        }
    }
}
