/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.bench.load;

import java.util.Arrays;

/**
 * A fixed-capacity map from non-negative long keys to int values, open addressing with linear probing and
 * backward-shift deletion: the outstanding-request index of the generator, which must not box at 100k lookups/s.
 */
final class LongIntMap {
    private static final long EMPTY = -1;

    private final long[] keys;
    private final int[] values;
    private final int mask;
    private final int maxSize;
    private int size;

    /**
     * A map that holds up to {@code maxSize} entries, at most half full.
     */
    LongIntMap(final int maxSize) {
        final int capacity = Integer.highestOneBit(Math.max(2, maxSize) * 4 - 1);
        keys = new long[capacity];
        values = new int[capacity];
        mask = capacity - 1;
        this.maxSize = maxSize;
        Arrays.fill(keys, EMPTY);
    }

    /**
     * The value of {@code key}, or -1.
     */
    int get(final long key) {
        for (int index = slot(key); ; index = index + 1 & mask) {
            final long found = keys[index];
            if (found == key) {
                return values[index];
            }
            if (found == EMPTY) {
                return -1;
            }
        }
    }

    /**
     * Adds or replaces a mapping.
     *
     * @throws IllegalStateException if the map is full
     */
    void put(final long key, final int value) {
        int index = slot(key);
        while (keys[index] != EMPTY && keys[index] != key) {
            index = index + 1 & mask;
        }
        if (keys[index] == EMPTY) {
            if (size == maxSize) {
                throw new IllegalStateException("Map full at " + maxSize + " entries");
            }
            size++;
        }
        keys[index] = key;
        values[index] = value;
    }

    /**
     * Removes {@code key}; returns its value or -1.
     */
    int remove(final long key) {
        int index = slot(key);
        while (keys[index] != key) {
            if (keys[index] == EMPTY) {
                return -1;
            }
            index = index + 1 & mask;
        }
        final int removed = values[index];
        // backward shift: pull later entries of the probe run into the hole, so lookups need no tombstones
        int hole = index;
        for (int j = hole + 1 & mask; keys[j] != EMPTY; j = j + 1 & mask) {
            final int home = slot(keys[j]);
            if ((j - home & mask) >= (j - hole & mask)) {
                keys[hole] = keys[j];
                values[hole] = values[j];
                hole = j;
            }
        }
        keys[hole] = EMPTY;
        size--;
        return removed;
    }

    int size() {
        return size;
    }

    private int slot(final long key) {
        // Fibonacci hashing spreads the (endpoint << 16 | port) keys over the table
        return (int) (key * 0x9E3779B97F4A7C15L >>> 40) & mask;
    }
}
