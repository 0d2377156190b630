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

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.opendaylight.yang.gen.v1.urn.ietf.params.xml.ns.yang.ietf.yang.types.rev130715.DateAndTime;

/**
 * The datastore's time stamps: what the store writes must read back as the same instant, through the fast parser, and
 * any other valid date-and-time through the general one.
 */
class BindingMappingsTest {
    @Test
    void writtenTimesReadBackExactly() {
        final var random = new Random(6887);
        for (int i = 0; i < 100_000; i++) {
            // 1970 .. 2200, with and without milliseconds
            final var instant = Instant.ofEpochMilli((long) (random.nextDouble() * 7_258_118_400_000L))
                .plusNanos(random.nextInt(1_000_000));
            final var written = BindingMappings.dateAndTime(instant);
            final var expected = OffsetDateTime.parse(written.getValue()).toInstant();
            assertEquals(expected, BindingMappings.parseUtc(written.getValue()), written.getValue());
            assertEquals(expected, BindingMappings.instant(written));
        }
        assertEquals(Instant.parse("2026-11-29T00:00:00Z"),
            BindingMappings.parseUtc(BindingMappings.dateAndTime(Instant.parse("2026-11-29T00:00:00Z")).getValue()));
    }

    @Test
    void otherFormsGoToTheGeneralParser() {
        for (var text : new String[] {
            "2026-11-29T21:30:00+01:00", "2026-11-29T20:30:00.5Z", "2026-11-29T20:30:00.123456Z",
            "2026-11-29t20:30:00Z", "2026-02-30T20:30:00Z", "2026-13-01T20:30:00Z", "2026-11-29T24:00:00Z",
            "2026-11-29T20:60:00Z", "2026-11-29T20:30:60Z", "2026-1a-29T20:30:00Z", "2026-11-29T20:30:00.1a3Z",
        }) {
            assertNull(BindingMappings.parseUtc(text), text);
        }
        assertEquals(Instant.parse("2026-11-29T20:30:00Z"),
            BindingMappings.instant(new DateAndTime("2026-11-29T21:30:00+01:00")));
        assertEquals(Instant.parse("2026-11-29T20:30:00.500Z"),
            BindingMappings.instant(new DateAndTime("2026-11-29T20:30:00.5Z")));
    }
}
