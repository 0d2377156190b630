/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.ingress.openflow.frame;

/**
 * The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of 16-bit words. Sums
 * are kept unfolded in a {@code long} so that pieces (pseudo-header, header, data) can be added in any order
 * (RFC 1071 section 2, commutativity and associativity) and folded once at the end.
 */
final class Checksum {
    private Checksum() {
        // utility class
    }

    /**
     * Adds {@code length} bytes of {@code data} from {@code offset} to {@code sum}, as big-endian 16-bit words; an
     * odd last byte is padded with a zero byte on the right (RFC 768, RFC 1071 section 4.1).
     */
    static long add(final long sum, final byte[] data, final int offset, final int length) {
        long result = sum;
        final int end = offset + length;
        int index = offset;
        for (; index + 1 < end; index += 2) {
            result += (data[index] & 0xFF) << 8 | data[index + 1] & 0xFF;
        }
        if (index < end) {
            result += (data[index] & 0xFF) << 8;
        }
        return result;
    }

    /**
     * Folds the carries of a sum back into 16 bits (end-around carry).
     */
    static int fold(final long sum) {
        long result = sum;
        while (result >>> 16 != 0) {
            result = (result & 0xFFFF) + (result >>> 16);
        }
        return (int) result;
    }

    /**
     * Whether a sum taken over data that includes its checksum field verifies: it folds to all ones.
     */
    static boolean verifies(final long sum) {
        return fold(sum) == 0xFFFF;
    }

    /**
     * The checksum to store for a sum taken with the checksum field zero.
     */
    static int complement(final long sum) {
        return ~fold(sum) & 0xFFFF;
    }
}
