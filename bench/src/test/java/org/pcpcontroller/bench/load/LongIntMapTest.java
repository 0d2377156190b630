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

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The outstanding-request index behaves like a map under random puts and removes, including backward-shift deletes
 * inside probe runs.
 */
class LongIntMapTest {
    @Test
    void behavesLikeHashMapUnderRandomOperations() {
        final int maxSize = 64;
        final LongIntMap map = new LongIntMap(maxSize);
        final Map<Long, Integer> reference = new HashMap<>();
        final SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 200_000; i++) {
            // few distinct keys, so that probe runs collide and deletes shift
            final long key = (long) random.nextInt(8) << 16 | random.nextInt(40);
            if (random.nextBoolean() && (reference.size() < maxSize || reference.containsKey(key))) {
                map.put(key, i);
                reference.put(key, i);
            } else {
                assertEquals(reference.containsKey(key) ? reference.remove(key) : -1, map.remove(key));
            }
            assertEquals(reference.size(), map.size());
            final long probe = (long) random.nextInt(8) << 16 | random.nextInt(40);
            assertEquals(reference.getOrDefault(probe, -1), map.get(probe));
        }
    }

    @Test
    void refusesMoreThanItsSize() {
        final LongIntMap map = new LongIntMap(2);
        map.put(1, 1);
        map.put(2, 2);
        map.put(2, 3);
        assertThrows(IllegalStateException.class, () -> map.put(3, 3));
    }
}
