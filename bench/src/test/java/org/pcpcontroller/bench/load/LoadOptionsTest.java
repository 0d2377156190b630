/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Command-line parsing: defaults, both option spellings, units, and refusals.
 */
class LoadOptionsTest {
    @Test
    void defaultsTargetPcpPortWithATenSecondRun() {
        final LoadOptions options = LoadOptions.parse();
        assertEquals("127.0.0.1", options.target().getAddress().getHostAddress());
        assertEquals(5351, options.target().getPort());
        assertEquals(Mode.PCP_MAP, options.mode());
        assertEquals(TimeUnit.SECONDS.toNanos(10), options.durationNanos());
        assertEquals("127.0.0.2", options.firstClient().getHostAddress());
        assertEquals(TimeUnit.SECONDS.toNanos(1), options.timeoutNanos());
    }

    @Test
    void parsesBothSpellingsAndUnits() {
        final LoadOptions options = LoadOptions.parse("--mode=natpmp-map-tcp", "--requests", "5", "--timeout",
            "250", "--duration=1.5", "--protocol", "udp", "--delete-after", "--rate", "1000");
        assertEquals(Mode.NATPMP_MAP_TCP, options.mode());
        assertEquals(5, options.requests());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(250), options.timeoutNanos());
        assertEquals(TimeUnit.MILLISECONDS.toNanos(1500), options.durationNanos());
        assertEquals(17, options.protocol());
        assertTrue(options.deleteAfter());
        assertEquals(1000, options.rate());
        assertEquals(TimeUnit.SECONDS.toNanos(2), LoadOptions.parse("--timeout", "2s").timeoutNanos());
    }

    @Test
    void refusesUnknownOptionsAndBadValues() {
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--bogus", "1"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--mode", "pcp-peer"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--window", "0"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--requests", "many"));
        assertThrows(IllegalArgumentException.class, () -> LoadOptions.parse("--requests"));
    }
}
