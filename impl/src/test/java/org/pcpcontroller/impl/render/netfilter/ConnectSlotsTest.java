/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connection slots: at most the limit of attempts run, the others start in arrival order as slots come back.
 */
class ConnectSlotsTest {
    @Test
    void attemptsBeyondTheLimitWaitTheirTurn() {
        final var slots = new ConnectSlots(2);
        final List<Integer> started = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            final int attempt = i;
            slots.acquire(() -> started.add(attempt));
        }
        assertEquals(List.of(0, 1), started);
        assertEquals(2, slots.inUse());
        assertEquals(3, slots.waiting());

        slots.release();
        assertEquals(List.of(0, 1, 2), started);
        assertEquals(2, slots.inUse());
        slots.release();
        slots.release();
        assertEquals(List.of(0, 1, 2, 3, 4), started);
        assertEquals(0, slots.waiting());

        slots.release();
        slots.release();
        assertEquals(0, slots.inUse());
        slots.acquire(() -> started.add(5));
        assertEquals(List.of(0, 1, 2, 3, 4, 5), started);
        assertEquals(1, slots.inUse());
    }

    @Test
    void aLimitMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> new ConnectSlots(0));
    }
}
